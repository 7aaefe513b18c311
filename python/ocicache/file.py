"""Files of a layout read bounded and typed.

A path is read only when it is a regular file (a symlink to one counts, as
containerd's content store follows symlinks), and never past a limit. A
directory, FIFO, device, socket or broken symlink where a file should be is
``NOT_A_FILE``: never opened in a way that could hang (``O_NONBLOCK``: a
FIFO without a writer does not block the open) and never read. The same
rules as the Node package's ``file.mjs``.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from typing import Optional, TypedDict

from ocicache.error import coded

CHUNK = 1 << 20


class PathType(TypedDict):
    """What a path is (following symlinks)."""

    type: Optional[str]
    """``None`` for a regular file, else ``directory``, ``fifo``, ``socket``,
    ``character device``, ``block device``, ``broken symlink``."""
    size: int
    """Its size in bytes (0 when it is not a regular file)."""
    modified: int
    """Its modification time in ms since the epoch."""


def file_type(mode: int) -> Optional[str]:
    """What a ``st_mode`` is when it is not a regular file, or ``None``."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"


def path_type(path: str) -> Optional[PathType]:
    """What the path is, following symlinks, or ``None`` when nothing is
    there."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError) as e:
        return _dangling(path, e)
    except OSError as e:
        if e.errno != errno.ELOOP:
            raise
        return _dangling(path, e)
    kind = file_type(st.st_mode)
    return {"type": kind, "size": 0 if kind else st.st_size, "modified": st.st_mtime_ns // 1_000_000}


def _dangling(path: str, err: OSError) -> Optional[PathType]:
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return {"type": "broken symlink", "size": 0, "modified": st.st_mtime_ns // 1_000_000}


def open_file(path: str) -> Optional[int]:
    """A file descriptor open for reading when ``path`` is a regular file,
    ``None`` when nothing is there; ``NOT_A_FILE`` when something else is."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        what = path_type(path)
        if what is None:
            return None
        raise coded("NOT_A_FILE", f"{path} is a {what['type']}, not a file") from None
    except IsADirectoryError:
        raise coded("NOT_A_FILE", f"{path} is a directory, not a file") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise coded("NOT_A_FILE", f"{path} is a broken symlink (a loop), not a file") from None
        raise
    try:
        kind = file_type(os.fstat(fd).st_mode)
        if kind is not None:
            raise coded("NOT_A_FILE", f"{path} is a {kind}, not a file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bounded(path: str, limit: Optional[int] = None) -> Optional[bytes]:
    """At most ``limit`` bytes of the regular file at ``path`` (all of it
    when ``limit`` is ``None``), or ``None`` when nothing is there. Memory
    follows what is read, never the size the file claims."""
    fd = open_file(path)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as f:
        if limit is None:
            return f.read()
        parts: list[bytes] = []
        total = 0
        while total < limit:
            chunk = f.read(min(CHUNK, limit - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts)


def stream_file(path: str) -> Iterator[bytes]:
    """The regular file at ``path`` in chunks (``FileNotFoundError`` when
    missing, ``NOT_A_FILE`` when not a file)."""
    fd = open_file(path)
    if fd is None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
    with os.fdopen(fd, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def read_small_file(path: str, limit: int) -> Optional[bytes]:
    """The regular file at ``path`` (a user's own file, such as the docker
    config), or ``None`` when nothing is there; ``NOT_A_FILE`` when
    something else is, ``SIZE_LIMIT_EXCEEDED`` when it is longer than
    ``limit``."""
    data = read_bounded(path, limit + 1)
    if data is not None and len(data) > limit:
        raise coded("SIZE_LIMIT_EXCEEDED", f"{path} is over {limit} bytes")
    return data
