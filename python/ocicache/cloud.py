"""What the s3 and azblob drivers share: a cache kept the way BuildKit's
``type=s3`` and ``type=azblob`` keep it, presented as an OCI layout so that
every operation works on it unchanged.

An object store holds each cache config under ``<manifests prefix><name>``
(its layers annotated with their blobs' descriptors: the cloud form, see the
core's ``cloud.rs``) and each layer blob under ``<blobs prefix><digest>``.
The layout a driver presents has one ``index.json`` entry per stored name
(tagged with the name), whose manifest and config are those
:func:`~ocicache.cloud_documents` makes of the stored config — documents
held in memory, never stored. ``write_index`` turns every changed entry back
into a cloud config (:func:`~ocicache.cloud_config`) stored under its tag,
and removes the names it no longer lists; manifests and configs written as
blobs are kept in memory until then. A stored config that is not a cloud
config is presented as it is, so that verify reports it and gc refuses.

Object stores have no lock, so a config is written only if it is still the
one read (a conditional write: If-Match its ETag, or If-None-Match: * for a
new name; S3 since 2024, Azure always): an export that stored the same name
since is not overwritten. ``update_index`` reads again and retries; a store
that answers a condition with 501 Not Implemented is written to without one.
The same as the Node package's cloud.mjs.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Optional, Union

from ocicache._native import (
    CacheManifest,
    Digester,
    ImageIndex,
    MediaType,
    OcicacheError,
    cloud_config,
    cloud_documents,
    digest,
)
from ocicache.error import coded
from ocicache.storage import StoredBlob

REF_NAME = "org.opencontainers.image.ref.name"
DOCUMENT_TYPES = (MediaType.OCI_MANIFEST, MediaType.CACHE_CONFIG)


def _parts(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``chunks`` regrouped into parts of ``size`` bytes (the last shorter)."""
    buf = bytearray()
    for chunk in chunks:
        buf += chunk
        while len(buf) >= size:
            yield bytes(buf[:size])
            del buf[:size]
    if buf:
        yield bytes(buf)


#: has_blob's listing reads at most this many pages (of 1000 keys on S3,
#: 5000 on Azure); keys past them are looked up one by one.
PRESENCE_PAGES = 4
#: update_index gives up (``CACHE_LOCKED``) after this many writes that found
#: a config changed since it was read.
INDEX_ATTEMPTS = 3
#: has_blob's listing is taken again once it is this old (seconds).
PRESENCE_TTL_S = 60.0

#: An object a store lists: its key, size, and modification time (ms).
StoredObject = tuple[str, int, Optional[int]]
#: A conditional write: ``{"if_match": etag}`` or ``{"if_none_match": "*"}``.
Condition = Mapping[str, str]


def changed_error(store: object, key: str) -> OcicacheError:
    """What a driver raises when a conditional write finds ``key`` changed
    since it was read (S3 412 ``PreconditionFailed`` or 409
    ``ConditionalRequestConflict``; Azure 412 ``ConditionNotMet`` or 409
    ``BlobAlreadyExists``; either 404: deleted since): ``CACHE_LOCKED``."""
    err = coded("CACHE_LOCKED", f"{store}: {key} changed since it was read (another writer stored it); read it again")
    err.changed = True  # type: ignore[attr-defined]
    return err


def unconditional_error(store: object, key: str) -> OcicacheError:
    """What a driver raises when the store refuses a conditional request as
    not implemented (501)."""
    err = coded("STORAGE_ERROR", f"{store}: {key}: the store does not implement conditional writes")
    err.unconditional = True  # type: ignore[attr-defined]
    return err


class CloudStorage:
    """A StorageDriver over an object store holding BuildKit's cloud form.
    Subclasses give the store's operations: ``_get(key, limit)`` (the bytes
    and the ETag, or ``None``), ``_stream(key)``, ``_head(key)``,
    ``_list_pages(prefix)`` (the objects under ``prefix``, a page at a time,
    in key order), ``_delete(key)``, the uploads ``_put_whole(key, data,
    condition)`` (its ETag; a failed condition :func:`changed_error`, one not
    implemented :func:`unconditional_error`) and, in parts, ``_start_parts``,
    ``_put_part``, ``_abort_parts`` and ``_commit_parts`` (``_put`` checks
    the digest before it commits); and the key functions ``_blob_key(digest)``,
    ``_manifest_key(name)`` and ``_manifests_prefix()``."""

    tag: Optional[str]
    part_size: int = 16 << 20
    """Blobs larger than this go up in parts of this size."""
    parallelism: int = 4
    """Parts in flight at once."""
    presence_pages: int = PRESENCE_PAGES
    """Pages ``has_blob``'s listing reads at most."""
    default_grace_period_ms: int
    """gc's grace period when none is given: BuildKit's ``touch_refresh``
    (24 h by default). An exporter re-touches a blob it reuses only when it
    is older than that, so a younger blob that no config reaches yet may be
    what an export in progress is about to name."""

    def __init__(self, names: Iterable[str], touch_refresh_ms: Optional[int] = None) -> None:
        names = list(names)
        self.tag = names[0] if names else None
        self.default_grace_period_ms = int(touch_refresh_ms or 24 * 3600 * 1000)
        self._lock = threading.Lock()
        # Documents by digest: the manifests and configs the layout shows,
        # and those written as blobs awaiting write_index.
        self._documents: dict[str, bytes] = {}
        # The manifest digest each stored name was presented with.
        self._tags: dict[str, str] = {}
        # The ETag of each stored config as read (or written), by name.
        self._etags: dict[str, str] = {}
        # False once the store refused a conditional write as not implemented.
        self._conditional = True
        self._modified: dict[str, Optional[int]] = {}
        self._loaded = False
        # _listed_absent's listing: (taken at, keys, complete, last key in order).
        self._presence: Optional[tuple[float, set[str], bool, str]] = None
        self._presence_lock = threading.Lock()

    # -- the store: implemented by each driver ------------------------------

    def _get(self, key: str, limit: Optional[int]) -> Optional[tuple[bytes, Optional[str]]]:
        raise NotImplementedError

    def _stream(self, key: str) -> Iterator[bytes]:
        raise NotImplementedError

    def _head(self, key: str) -> Optional[int]:
        raise NotImplementedError

    def _list_pages(self, prefix: str) -> Iterator[list[StoredObject]]:
        raise NotImplementedError

    def _list(self, prefix: str) -> list[StoredObject]:
        """Every object under ``prefix``."""
        return [o for page in self._list_pages(prefix) for o in page]

    def _put_whole(self, key: str, data: bytes, condition: Optional[Condition] = None) -> Optional[str]:
        raise NotImplementedError

    def _start_parts(self, key: str) -> Any:
        raise NotImplementedError

    def _put_part(self, key: str, session: Any, number: int, data: bytes) -> Any:
        raise NotImplementedError

    def _abort_parts(self, key: str, session: Any) -> None:
        raise NotImplementedError

    def _commit_parts(self, key: str, session: Any, parts: list[Any]) -> None:
        raise NotImplementedError

    def _put(self, key: str, source: Union[bytes, Iterable[bytes]], expect: Optional[str]) -> None:
        """Stores ``source`` (bytes, or chunks) under ``key``, checking
        ``expect`` (a digest) before anything is committed: up to one part as
        one request, larger in parts of ``part_size`` (at most
        ``parallelism`` in flight, and in memory), committed only when the
        digest matches, else aborted."""
        hasher = Digester(expect.split(":")[0]) if expect else None
        if isinstance(source, bytes) and len(source) <= self.part_size:
            if hasher is not None and expect is not None:
                hasher.update(source)
                hasher.verify(expect)
            self._put_whole(key, source)  # most blobs: no copy
            return
        parts = _parts([source] if isinstance(source, bytes) else source, self.part_size)
        first = next(parts, b"")
        second = next(parts, None)
        if second is None:
            if hasher is not None and expect is not None:
                hasher.update(first)
                hasher.verify(expect)
            self._put_whole(key, first)
            return
        session = self._start_parts(key)
        done: list[Any] = []
        try:
            with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
                pending: deque[Future[Any]] = deque()
                for number, part in enumerate(itertools.chain([first, second], parts), start=1):
                    if hasher is not None:
                        hasher.update(part)
                    if len(pending) >= self.parallelism:
                        done.append(pending.popleft().result())
                    pending.append(pool.submit(self._put_part, key, session, number, part))
                done.extend(f.result() for f in pending)
            if hasher is not None and expect is not None:
                hasher.verify(expect)
        except BaseException:
            self._abort_parts(key, session)
            raise
        self._commit_parts(key, session, done)

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    def _blob_key(self, digest: str) -> str:
        raise NotImplementedError

    def _manifest_key(self, name: str) -> str:
        raise NotImplementedError

    def _manifests_prefix(self) -> str:
        raise NotImplementedError

    # -- the layout ----------------------------------------------------------

    def _remember(self, data: bytes) -> dict[str, Any]:
        d = str(digest(data))
        with self._lock:
            self._documents[d] = data
        return {"mediaType": MediaType.OCI_MANIFEST, "digest": d, "size": len(data)}

    def read_index(self) -> Optional[bytes]:
        prefix = self._manifests_prefix()
        index: Optional[bytes] = None
        tags: dict[str, str] = {}
        etags: dict[str, str] = {}
        limit = 1 << 20
        for key, _, modified in sorted(self._list(prefix), key=lambda o: o[0].encode()):
            name = key[len(prefix):]
            got = self._get(key, limit + 1)
            if got is None:
                continue  # removed since the listing
            data, etag = got
            if etag:
                etags[name] = etag
            try:
                docs = cloud_documents(data)
            except OcicacheError:
                # Not a cloud config: shown as it is, for verify to report.
                descriptor = self._remember(data)
            else:
                self._remember(docs.config)
                descriptor = self._remember(docs.manifest)
            self._modified[descriptor["digest"]] = modified
            tags[name] = descriptor["digest"]
            index = ImageIndex.updated_layout_index(index, name, descriptor)
        with self._lock:
            self._tags = tags
            self._etags = etags
            self._loaded = True
        return index

    def _load(self) -> None:
        """Reads the stored configs once, for what needs to know them
        (whether a document is stored, what a tag named before a write)."""
        if not self._loaded:
            self.read_index()

    def _document(self, digest: str) -> Optional[bytes]:
        self._load()
        with self._lock:
            return self._documents.get(digest)

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        data = self._document(digest)
        if data is not None:
            return data if limit is None else data[:limit]
        got = self._get(self._blob_key(digest), limit)
        return None if got is None else got[0]

    def open_blob(self, digest: str, media_type: Optional[str] = None) -> Iterator[bytes]:
        data = self._document(digest)
        if data is not None:
            return iter([data])
        return self._stream(self._blob_key(digest))

    def has_blob(self, digest: str, media_type: Optional[str] = None) -> bool:
        if self._document(digest) is not None:
            return True
        key = self._blob_key(digest)
        if self._listed_absent(key):
            return False
        return self._head(key) is not None

    def _listed_absent(self, key: str) -> bool:
        """Whether a recent listing of the blobs (at most
        :attr:`presence_pages` pages, at most :data:`PRESENCE_TTL_S` old)
        covers ``key`` and lacks it: one listing instead of a request per
        blob for a copy into an empty or new store. A blob the listing has
        is still looked up (it may have gone since); one it lacks may have
        come since, and is then written again — the same bytes under the
        same digest."""
        with self._presence_lock:
            now = time.monotonic()
            if self._presence is None or now - self._presence[0] > PRESENCE_TTL_S:
                keys: set[str] = set()
                last = ""
                ordered = complete = True
                pages = self._list_pages(self._blob_key(""))
                try:
                    for _ in range(self.presence_pages):
                        page = next(pages, None)
                        if page is None:
                            break
                        for k, _, _ in page:
                            ordered = ordered and k.encode() > last.encode()
                            keys.add(k)
                            last = k
                    else:
                        complete = False
                except OcicacheError as err:
                    if err.code != "UNAUTHORIZED":
                        raise
                    # Credentials that may look up but not list: look up.
                    keys, complete, ordered = set(), False, False
                # Out of key order, the keys listed say nothing of the others.
                self._presence = (now, keys, complete, last if ordered else "")
            _, keys, complete, last = self._presence
        return key not in keys and (complete or key.encode() <= last.encode())

    def list_blobs(self) -> list[StoredBlob]:
        prefix = self._blob_key("")
        out: list[StoredBlob] = []
        for key, size, modified in self._list(prefix):
            algorithm, sep, encoded = key[len(prefix):].partition(":")
            if not sep or "/" in encoded:
                continue  # not a blob this layout can name
            out.append({"path": f"blobs/{algorithm}/{encoded}", "size": size, "modified": modified})
        with self._lock:
            documents = list(self._documents.items())
        for d, data in documents:
            algorithm, _, encoded = d.partition(":")
            out.append({"path": f"blobs/{algorithm}/{encoded}", "size": len(data), "modified": self._modified.get(d)})
        return sorted(out, key=lambda b: b["path"].encode())

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        if media_type in DOCUMENT_TYPES:
            data = source if isinstance(source, bytes) else b"".join(source)
            hasher = Digester(digest.split(":")[0])
            hasher.update(data)
            hasher.verify(digest, len(data))
            with self._lock:
                self._documents[digest] = data
            return
        key = self._blob_key(digest)
        self._put(key, source, digest)
        with self._presence_lock:
            if self._presence is not None:
                self._presence[1].add(key)

    def write_index(self, data: bytes) -> None:
        listed: dict[str, dict[str, Any]] = {}
        for entry in ImageIndex.from_bytes(data).to_dict().get("manifests") or []:
            tag = (entry.get("annotations") or {}).get(REF_NAME)
            if tag and tag not in listed:
                listed[tag] = entry
        self._load()
        with self._lock:
            before = dict(self._tags)
        for tag, entry in listed.items():
            if before.get(tag) == entry["digest"]:
                continue
            manifest = self.read_blob(entry["digest"], entry.get("mediaType"))
            if manifest is None:
                raise coded("MISSING_BLOB", f"{self}: no manifest {entry['digest']} to store as {tag}")
            config_digest = CacheManifest.from_bytes(manifest).config["digest"]
            config = self._document(config_digest)
            if config is None:
                raise coded("MISSING_BLOB", f"{self}: no cache config {config_digest} to store as {tag}")
            # Only over the config read (or, for a new name, none): see the top.
            with self._lock:
                etag = self._etags.get(tag)
            condition: Optional[Condition] = (
                {"if_match": etag} if etag else None if tag in before else {"if_none_match": "*"})
            stored = self._put_config(self._manifest_key(tag), cloud_config(manifest, config), condition)
            with self._lock:
                if stored:
                    self._etags[tag] = stored
                else:
                    self._etags.pop(tag, None)
                self._tags[tag] = entry["digest"]
        for tag in before:
            if tag not in listed:
                self._delete(self._manifest_key(tag))
                with self._lock:
                    self._tags.pop(tag, None)
                    self._etags.pop(tag, None)

    def _put_config(self, key: str, data: bytes, condition: Optional[Condition]) -> Optional[str]:
        """Stores a config with ``condition`` (see the top); its new ETag."""
        if condition is None or not self._conditional:
            return self._put_whole(key, data)
        try:
            return self._put_whole(key, data, condition)
        except OcicacheError as err:
            if not getattr(err, "unconditional", False):
                raise
            self._conditional = False
            return self._put_whole(key, data)

    def update_index(self, update: Callable[[Optional[bytes]], Optional[bytes]]) -> Optional[bytes]:
        """Replace the stored configs with what ``update(current)`` makes of
        the index read now (bytes, or ``None`` to leave them), each written
        only over the config read (see the top); when another writer got in
        between, read and update again, at most ``INDEX_ATTEMPTS`` times (then
        ``CACHE_LOCKED``). Returns what was written, or ``None``."""
        attempt = 0
        while True:
            attempt += 1
            after = update(self.read_index())
            if after is None:
                return None
            try:
                self.write_index(after)
                return after
            except OcicacheError as err:
                if not getattr(err, "changed", False) or attempt == INDEX_ATTEMPTS:
                    raise

    def delete_blob(self, digest: str) -> None:
        with self._lock:
            if self._documents.pop(digest, None) is not None:
                return  # a document of the layout: its tag goes in write_index
        key = self._blob_key(digest)
        with self._presence_lock:
            if self._presence is not None:
                self._presence[1].discard(key)
        self._delete(key)


def daemon_settings(kind: str, settings: Mapping[str, Any], attrs: Mapping[str, str],
                    env: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """``settings`` of a ``type=s3`` or ``type=azblob`` cache option
    completed from the environment the way buildkitd completes them from its
    own (ocicache plays the daemon's part when it opens the store): s3's
    ``bucket`` and ``region`` from ``$AWS_BUCKET`` and ``$AWS_REGION``;
    azblob's ``account_url``, ``container`` and ``prefix`` from
    ``$BUILDKIT_AZURE_STORAGE_ACCOUNT_URL``, ``…_CONTAINER`` and
    ``…_PREFIX`` where the attributes do not give them. What is still
    missing is ``MISSING_OPTION``, with BuildKit's message."""
    env = os.environ if env is None else env
    out = dict(settings)
    if kind == "s3":
        for key, var in (("bucket", "AWS_BUCKET"), ("region", "AWS_REGION")):
            if not out.get(key):
                out[key] = env.get(var)
            if not out.get(key):
                raise coded("MISSING_OPTION", f"{key} (${var}) not set for s3 cache")
    elif kind == "azblob":
        for key, var in (("account_url", "ACCOUNT_URL"), ("container", "CONTAINER"), ("prefix", "PREFIX")):
            if key not in attrs and f"BUILDKIT_AZURE_STORAGE_{var}" in env:
                out[key] = env[f"BUILDKIT_AZURE_STORAGE_{var}"]
        if not out.get("account_url"):
            raise coded("MISSING_OPTION", "either ${BUILDKIT_AZURE_STORAGE_ACCOUNT_URL} or account_url attribute is required for azblob cache")
    return out
