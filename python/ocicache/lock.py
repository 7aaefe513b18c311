"""BuildKit's lock on a layout's ``index.json``: ``flock(2)`` on
``<layout>/index.json.lock``, exclusive to write ``index.json`` and shared to
read it, as BuildKit's ``client/ociindex`` takes it (gofrs/flock). The Node
package takes the same lock through its addon (Node has no flock).

BuildKit does not wait: its exporter tries once and fails ("could not
lock"), its importer skips the cache. So ocicache holds the lock only around
reading or replacing ``index.json`` itself, never while it hashes, copies or
deletes blobs. BuildKit removes the lock file after each use, so a lock taken
on a file just unlinked protects nothing: after locking, the path must still
name the locked file, else the lock is let go and taken again. The lock file
is left in place (removing it would let two processes lock two files)."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ocicache.error import coded

DEFAULT_LOCK_TIMEOUT_MS = 30_000
"""How long to wait for the lock unless told: 30 seconds."""


def _same_file(fd: int, path: str) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


@contextmanager
def locked(path: str, *, shared: bool = False, timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS) -> Iterator[None]:
    """Hold the lock on ``path`` (exclusive, creating the file as BuildKit's
    writer does, or ``shared``) for the ``with`` block, waiting for it at
    most ``timeout_ms``; after that, ``CACHE_LOCKED``. A shared lock is
    given without locking when the file does not exist (no writer holds it
    then, and a reader leaves the layout as it is) or cannot be opened
    (read-only file system, no permission), as BuildKit reads then."""
    deadline = time.monotonic() + timeout_ms / 1000
    pause = 0.002
    while True:
        try:
            # O_NONBLOCK: a FIFO without a writer would block the open.
            flags = os.O_RDONLY if shared else os.O_RDWR | os.O_CREAT
            fd = os.open(path, flags | os.O_NONBLOCK, 0o644)
        except IsADirectoryError:
            raise coded("NOT_A_FILE", f"{path} is not a file: BuildKit's lock file must be one") from None
        except OSError as e:
            if shared and e.errno in (errno.ENOENT, errno.EACCES, errno.EPERM, errno.EROFS):
                yield
                return
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            # Only a regular file is a lock (a FIFO or a directory there is
            # damage: never waited on, never locked).
            os.close(fd)
            raise coded("NOT_A_FILE", f"{path} is not a file: BuildKit's lock file must be one")
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise coded(
                    "CACHE_LOCKED",
                    f"{path} is held by another process (a BuildKit export, or another ocicache) "
                    f"after waiting {timeout_ms} ms",
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
