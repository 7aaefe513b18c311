"""Storage drivers: where a cache lives.

The core plans every operation; a driver only reads, lists, writes and
deletes. Any object with the methods of :class:`StorageDriver` is a driver;
:class:`LocalStorage` is the OCI layout directory BuildKit's ``type=local``
writes.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, wait
from typing import Any, BinaryIO, Callable, Optional, Protocol, TypedDict, Union

from ocicache._native import CacheLoader, Digester, ImageIndex, OciLayout
from ocicache.error import coded
from ocicache.aside import Aside, settle
from ocicache.file import path_type, read_bounded, stream_file
from ocicache.lock import DEFAULT_LOCK_TIMEOUT_MS, locked
from ocicache.commits import Commits


class StoredBlob(TypedDict):
    """One blob file a storage holds."""

    path: str
    """Its path in the layout, ``blobs/<algorithm>/<encoded>``."""
    size: int
    """Its size in bytes."""
    modified: Optional[int]
    """Its modification time in ms since the epoch, if known."""


class SpecialBlob(StoredBlob):
    """A path where a blob should be that is not a regular file."""

    type: str
    """What it is: ``directory``, ``fifo``, ``socket``, ``character
    device``, ``block device``, ``broken symlink``. Never read (a
    ``NOT_A_FILE`` finding), never deleted."""


class StorageDriver(Protocol):
    """What the operations need of a storage. ``media_type``, where given,
    is what the document pointing at a blob says it is (a registry keeps
    manifests apart from blobs). A driver bound to one tag (a registry
    reference's) has it as ``tag``; the operations default to it. A driver
    may also have ``mount_blob(digest, source) -> bool``, to make a blob of
    ``source`` available without transferring it; ``update_index(update)``,
    to replace ``index.json`` atomically with respect to other writers; and
    ``move_aside``, ``recover_aside`` and ``settle``, for gc to delete safely
    beside concurrent exports (:class:`LocalStorage` has them all);
    ``default_grace_period_ms``, gc's grace period when none is given (the
    object stores': BuildKit's ``touch_refresh``); and ``prefers_streams``,
    true when ``write_blob`` takes chunks as fast as whole bytes (copy then
    streams every blob into it).

    Reads are bounded and typed: the operations pass ``limit`` wherever
    they know how much they need (a document's size + 1, ``index.json``'s
    limit), and a path that is not a regular file raises ``NOT_A_FILE``."""

    def read_index(self) -> Optional[bytes]:
        """``index.json``'s bytes, or ``None`` when there is none."""

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        """A blob's bytes (at most ``limit`` of them), or ``None`` when it
        is missing."""

    def open_blob(self, digest: str, media_type: Optional[str] = None) -> Iterator[bytes]:
        """The blob's bytes in chunks (raises ``OSError`` when missing)."""

    def list_blobs(self) -> list[StoredBlob]:
        """Every stored blob: ``path``, ``size``, ``modified`` (ms)."""

    def has_blob(self, digest: str, media_type: Optional[str] = None) -> bool:
        """Whether the blob is stored."""

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        """Store bytes or chunks as the blob, atomically, refusing content
        that does not match the digest."""

    def write_index(self, data: bytes) -> None:
        """Replace ``index.json`` atomically."""

    def delete_blob(self, digest: str) -> None:
        """Remove a blob."""


class LocalStorage:
    """An OCI image layout directory (BuildKit's ``type=local`` cache).
    ``index.json`` is read under BuildKit's lock (``index.json.lock``,
    shared) and replaced under it (exclusive), waiting at most
    ``lock_timeout_ms`` for it."""

    prefers_streams = True
    """Chunks are written as fast as one buffer (hashed as they come), so
    copy streams every blob into a directory: an S3 download of 200 blobs of
    5 MB took 1.6 s instead of 1.9 (72 instead of 93 MiB), a local copy 0.8 s
    instead of 1.4."""

    def __init__(self, root: Union[str, os.PathLike[str]], *, lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS) -> None:
        self.root = os.fspath(root)
        self.lock_timeout_ms = lock_timeout_ms
        # Commits under way (Commits), by digest: reads of a blob wait for its own.
        self._pending: dict[str, Future[None]] = {}
        self._pending_lock = threading.Lock()

    def __str__(self) -> str:
        return self.root

    def _path(self, digest: str) -> str:
        return os.path.join(self.root, OciLayout.blob_path(digest))

    def _lock(self, shared: bool) -> Any:
        return locked(os.path.join(self.root, "index.json.lock"), shared=shared, timeout_ms=self.lock_timeout_ms)

    def _index(self) -> Optional[bytes]:
        # Up to the core's limit (one byte past it: the loader reports a
        # longer one).
        return read_bounded(os.path.join(self.root, "index.json"), CacheLoader.index_read_limit())

    def read_index(self) -> Optional[bytes]:
        """``None`` when the layout has no ``index.json``; ``OSError`` when
        the directory itself is missing (a wrong path, not an empty cache)."""
        os.stat(self.root)
        with self._lock(shared=True):
            return self._index()

    def read_layout_file(self) -> Optional[bytes]:
        """The ``oci-layout`` file (at most 64 KiB of it: it is a few bytes),
        or ``None``."""
        return read_bounded(os.path.join(self.root, "oci-layout"), 64 << 10)

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        self._settled(digest)
        return read_bounded(self._path(digest), limit)

    def open_blob(self, digest: str, media_type: Optional[str] = None) -> Iterator[bytes]:
        self._settled(digest)
        return stream_file(self._path(digest))

    def has_blob(self, digest: str, media_type: Optional[str] = None) -> bool:
        self._settled(digest)
        return os.path.isfile(self._path(digest))

    def list_blobs(self) -> list[StoredBlob]:
        out: list[StoredBlob] = []
        root = os.path.join(self.root, "blobs")
        try:
            algorithms = sorted(os.listdir(root))
        except (FileNotFoundError, NotADirectoryError):
            return out
        for alg in algorithms:
            alg_dir = os.path.join(root, alg)
            if not os.path.isdir(alg_dir):
                continue
            for name in os.listdir(alg_dir):
                # Symlinks are followed; what is not a regular file is
                # listed with its type (never read, never deleted).
                what = path_type(os.path.join(alg_dir, name))
                if what is None:
                    continue
                path = f"blobs/{alg}/{name}"
                if what["type"] is None:
                    out.append({"path": path, "size": what["size"], "modified": what["modified"]})
                else:
                    special: SpecialBlob = {"path": path, "size": 0, "modified": what["modified"], "type": what["type"]}
                    out.append(special)
        return sorted(out, key=lambda b: b["path"].encode())

    def _fill(self, chunks: Iterable[bytes], digest: Optional[str] = None) -> tuple[str, BinaryIO]:
        """Write ``chunks`` to a new temporary file in ``ingest/`` (same file
        system, left alone by BuildKit and gc) and, for a blob (``digest``
        given), check them against it. Returns its path and the open file,
        not yet synced; on any failure it is removed."""
        ingest = os.path.join(self.root, "ingest")
        os.makedirs(ingest, exist_ok=True)
        temp = os.path.join(ingest, f"ocicache-{os.getpid()}-{secrets.token_hex(6)}")
        digester = Digester(digest.split(":")[0]) if digest else None
        f = open(temp, "xb")
        try:
            for chunk in chunks:
                if digester:
                    digester.update(chunk)
                f.write(chunk)
            f.flush()
            if digester and digest:
                digester.verify(digest)
        except BaseException:
            _discard(temp, f)
            raise
        return temp, f

    def _commit(self, temp: str, f: BinaryIO, target: str, blob: bool) -> None:
        """Sync a file ``_fill`` wrote and rename it to ``target``; a blob is
        made read-only first, as BuildKit's content store writes blobs. On
        any failure the file is removed."""
        try:
            os.fsync(f.fileno())
            f.close()
            if blob:
                os.chmod(temp, 0o444)
            os.replace(temp, target)
        except BaseException:
            _discard(temp, f)
            raise

    def _atomic(self, target: str, chunks: Iterable[bytes], digest: Optional[str] = None) -> None:
        """Write ``chunks`` to a temporary file, check them (a blob), sync,
        then rename it into place."""
        temp, f = self._fill(chunks, digest)
        self._commit(temp, f, target, digest is not None)

    def commits(self) -> Optional[Commits]:
        """A :class:`Commits` for a copy into this directory: streamed
        blobs synced and renamed into place beside the next transfers. A
        subclass whose ``write_blob`` must see every blob returns ``None``
        (copy then writes through ``write_blob`` alone)."""
        return Commits(self)

    def _settled(self, digest: str) -> None:
        """Wait for the commit of ``digest`` under way, if any."""
        with self._pending_lock:
            pending = self._pending.get(digest)
        if pending is not None:
            wait([pending])

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        target = self._path(digest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        self._atomic(target, [source] if isinstance(source, bytes) else source, digest)

    def write_index(self, data: bytes) -> None:
        self.update_index(lambda _: data)

    def update_index(self, update: Callable[[Optional[bytes]], Optional[bytes]]) -> Optional[bytes]:
        """Replace ``index.json`` with ``update(current)`` (its bytes, or
        ``None`` when there is none) under BuildKit's lock, exclusive: no
        export or other writer changes it in between. ``update`` returns the
        new bytes, or ``None`` to leave the file as it is. Returns what was
        written, or ``None``."""
        os.makedirs(self.root, exist_ok=True)
        with self._lock(shared=False):
            after = update(self._index())
            if after is None:
                return None
            layout_file = os.path.join(self.root, "oci-layout")
            if not os.path.exists(layout_file):
                self._atomic(layout_file, [OciLayout.file_content()])
            self._atomic(os.path.join(self.root, "index.json"), [after])
            return after

    def delete_blob(self, digest: str) -> None:
        self._settled(digest)
        try:
            os.unlink(self._path(digest))
        except FileNotFoundError:
            pass

    def move_aside(self, digests: list[str]) -> Aside:
        """Moves the blobs ``digests`` out of ``blobs/`` for gc."""
        return Aside.move(self.root, digests)

    def recover_aside(self) -> None:
        """Puts back what a gc left aside (one that died halfway)."""
        Aside.recover(self.root)

    def settle(self, *, settle_ms: int, max_wait_ms: Optional[int] = None) -> bool:
        """Waits until no export has written under ``ingest/`` for
        ``settle_ms``; whether it did."""
        return settle(self.root, settle_ms=settle_ms, max_wait_ms=max_wait_ms)


class SelectedStorage:
    """A read-only view of ``storage`` whose ``index.json`` holds one entry:
    the one BuildKit imports for ``tag``, or, with ``digest``, that manifest
    whatever ``index.json`` says (named ``tag``, default ``latest``), as
    BuildKit's local importer reads ``tag=`` and ``digest=``. Blobs are the
    storage's own, so those only other entries reach count as unreachable
    from the view."""

    def __init__(self, storage: StorageDriver, *, tag: Optional[str] = None, digest: Optional[str] = None) -> None:
        self.storage = storage
        self.tag = tag or "latest"
        self.digest = digest

    def __str__(self) -> str:
        return f"{self.storage} ({f'digest {self.digest}' if self.digest else f'tag {self.tag}'})"

    def read_index(self) -> Optional[bytes]:
        if self.digest is None:
            return ImageIndex.selected_layout_index(self.storage.read_index(), self.tag)
        document = self.storage.read_blob(self.digest, limit=CacheLoader.index_read_limit())
        if document is None:
            raise coded("MISSING_BLOB", f"{self.storage}: no blob {self.digest} (the location's digest=)")
        return ImageIndex.pinned_layout_index(document, self.digest, self.tag)

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        return self.storage.read_blob(digest, media_type, limit=limit)

    def read_layout_file(self) -> Optional[bytes]:
        read: Optional[Callable[[], Optional[bytes]]] = getattr(self.storage, "read_layout_file", None)
        return read() if read is not None else None

    def open_blob(self, digest: str, media_type: Optional[str] = None) -> Iterator[bytes]:
        return self.storage.open_blob(digest, media_type)

    def has_blob(self, digest: str, media_type: Optional[str] = None) -> bool:
        return self.storage.has_blob(digest, media_type)

    def list_blobs(self) -> list[StoredBlob]:
        return self.storage.list_blobs()

    def _read_only(self) -> Exception:
        return coded(
            "UNSUPPORTED_OPERATION",
            f"{self} is read-only: tag= and digest= select what to read; write to the location without them",
        )

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        raise self._read_only()

    def write_index(self, data: bytes) -> None:
        raise self._read_only()

    def delete_blob(self, digest: str) -> None:
        raise self._read_only()


def _discard(temp: str, f: BinaryIO) -> None:
    """Close and remove a temporary file that will not be committed."""
    f.close()
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass
