"""The operations on a cache, carried out through a storage driver
(:mod:`ocicache.storage`): the core plans, these functions do the I/O."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, Callable, NamedTuple, Optional, TypeVar

from ocicache._native import (
    BlobVerifier,
    Cache,
    CacheLoader,
    CacheWrite,
    Decoder,
    GcPlan,
    ImageIndex,
    Inspection,
    LayerCompressor,
    MediaType,
    Merge,
    OcicacheError,
    PrunePlan,
    VerifyReport,
    detect_compression,
)
from ocicache.aside import Aside
from ocicache.error import coded
from ocicache.storage import StorageDriver, StoredBlob

Progress = Optional[Callable[[int, int], None]]

WHOLE = 8 << 20
"""Blobs up to this size are copied as one buffer, larger ones streamed."""
#: convert reads a spooled layer back in pieces of this size.
SPOOL_CHUNK = 1 << 20
#: convert decodes at most about this much of a layer at once: a few bytes of
#: zstd can stand for gigabytes.
DECODED = 1 << 20


_UNREAD = object()


def load_cache(storage: StorageDriver, index: Any = _UNREAD) -> Cache:
    """Load a cache (``index.json`` and every document it reaches);
    ``index``: the bytes of ``index.json`` when already read."""
    loader = CacheLoader(storage.read_index() if index is _UNREAD else index)
    read_layout_file = getattr(storage, "read_layout_file", None)
    if read_layout_file is not None:
        layout: Optional[bytes] = None
        try:
            layout = read_layout_file()
        except OcicacheError as e:
            if e.code != "NOT_A_FILE":
                raise
        loader.oci_layout(layout)
    while (digest := loader.next_needed()) is not None:
        # Never more than the descriptor's size + 1 (0: over the limit, unread).
        limit = loader.read_limit()
        try:
            data = b"" if limit == 0 else storage.read_blob(digest, limit=limit)
        except (OSError, OcicacheError) as e:
            reason = _unreadable(e)
            if reason is None:
                raise
            loader.failed(digest, reason, str(e))
            continue
        if data is None:
            loader.missing(digest)
        else:
            loader.feed(digest, data)
    return loader.finish()


def _unreadable(err: BaseException) -> Optional[str]:
    """The code of a finding for a blob that could not be read, or ``None``
    when ``err`` is not about the blob."""
    if isinstance(err, OcicacheError):
        return err.code if err.code in ("NOT_A_FILE", "REGISTRY_ERROR") else None
    return "STORAGE_ERROR" if isinstance(err, OSError) else None


def inspect(storage: StorageDriver) -> Inspection:
    """What the cache holds (``to_dict()``, ``to_text()``)."""
    return load_cache(storage).inspect(storage.list_blobs())


def verify(storage: StorageDriver, *, concurrency: Optional[int] = None, on_progress: Progress = None) -> VerifyReport:
    """Check every blob (digest, size, layer diffIDs) and the cache's
    documents. Blobs hash in a thread pool (the core releases the GIL)."""
    cache = load_cache(storage)
    verification = cache.verification(storage.list_blobs())
    checks = verification.checks()
    total = sum(c["size"] for c in checks)
    done = 0

    def check(c: dict[str, Any]) -> tuple[str, Optional[BlobVerifier], tuple[str, str]]:
        nonlocal done
        verifier = BlobVerifier(c["digest"], c["layer"])
        read = 0
        try:
            for chunk in storage.open_blob(c["digest"]):
                # Never past the stored size + 1: a blob that goes on is a
                # SIZE_MISMATCH, not an endless read.
                chunk = chunk[: c["size"] + 1 - read]
                verifier.update(chunk)
                read += len(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(done, total)
                if read > c["size"]:
                    break
        except (OSError, OcicacheError) as e:
            # A blob that cannot be read is a finding; anything else is a bug.
            reason = _unreadable(e)
            if reason is None:
                raise
            return c["digest"], None, (reason, str(e))
        return c["digest"], verifier, ("", "")

    workers = max(1, concurrency or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for digest, verifier, (reason, message) in pool.map(check, checks):
            if verifier is None:
                verification.record_failure(digest, message, reason)
            else:
                verification.record(digest, verifier)
    return verification.report()


DEFAULT_SETTLE_MS = 2000
"""How long a layout must stay quiet before gc looks again: 2 seconds."""


def gc(
    storage: StorageDriver,
    *,
    dry_run: bool = False,
    keep_tags: Optional[Sequence[str]] = None,
    drop_tags: Optional[Sequence[str]] = None,
    grace_period_ms: Optional[int] = None,
    now_ms: Optional[int] = None,
    settle_ms: int = DEFAULT_SETTLE_MS,
    on_progress: Progress = None,
) -> GcPlan:
    """Delete the blobs nothing kept reaches (the new ``index.json`` first
    when tags are dropped). Returns the plan, with what gc's second look put
    back.

    Safe while BuildKit exports into the same layout — no blob that the
    ``index.json`` on disk when gc finishes reaches is deleted — by the
    protocol the Node package's ``operations.mjs`` describes step by step:
    plan from ``index.json`` as it is, fail closed; move the doomed blobs
    aside (:class:`~ocicache.aside.Aside`), so that an export that looks for
    one writes it again; wait until nothing has been written under
    ``ingest/`` for ``settle_ms``, so that an export that found one before
    the move has written its ``index.json``; load ``index.json`` again and,
    under BuildKit's exclusive lock with it unchanged, put back every moved
    blob an entry reaches (all of them when a document cannot be read, or
    when the layout never settles); delete the rest. A gc that dies halfway
    leaves its blobs aside; the next gc puts them back first."""
    recover = getattr(storage, "recover_aside", None)
    if not dry_run and recover is not None:
        recover()
    cache = load_cache(storage)
    listed = storage.list_blobs()
    if grace_period_ms is None:
        grace_period_ms = getattr(storage, "default_grace_period_ms", None)
    plan = cache.gc_plan(
        listed,
        now_ms=int(time.time() * 1000) if now_ms is None else now_ms,
        grace_period_ms=grace_period_ms,
        keep_tags=keep_tags,
        drop_tags=drop_tags,
    )
    if dry_run:
        return plan
    if plan.index is not None:
        update_index(storage, plan.index_after)
    doomed = [path[len("blobs/") :].replace("/", ":", 1) for path in plan.delete]
    move_aside = getattr(storage, "move_aside", None)
    if move_aside is None:
        # An object store cannot move blobs aside: gc looks again just
        # before deleting, and keeps what an entry reaches now or what was
        # written since its listing (BuildKit re-touches a blob it reuses).
        keep = _look_again_in_place(storage, doomed, listed) if doomed else []
        plan.settle(list(keep), True)
        gone = [d for d in doomed if d not in set(keep)]
        for n, digest in enumerate(gone, 1):
            storage.delete_blob(digest)
            if on_progress:
                on_progress(n, len(gone))
        return plan
    if not doomed:
        return plan
    aside: Aside = move_aside(doomed)
    restore = aside.digests
    try:
        quiet = bool(storage.settle(settle_ms=settle_ms))  # type: ignore[attr-defined]
        if quiet:
            restore = _look_again(storage, aside)
        plan.settle(list(restore), quiet)
    finally:
        for digest in restore:
            aside.restore(digest)
    gone = [d for d in aside.digests if d not in set(restore)]
    for n, digest in enumerate(gone, 1):
        aside.purge(digest)
        if on_progress:
            on_progress(n, len(gone))
    aside.close()
    return plan


class PruneResult(NamedTuple):
    """What :func:`prune` did."""

    plan: PrunePlan
    """The plan carried out (or, in a dry run, not)."""
    skipped: list[str]
    """Tags a concurrent export changed since the plan: left as they are."""
    gc: Optional[GcPlan]
    """gc's plan, ``None`` in a dry run or without ``collect``."""


def prune(
    storage: StorageDriver,
    *,
    max_size: Optional[int] = None,
    max_age_ms: Optional[int] = None,
    keep_tags: Optional[Sequence[str]] = None,
    dry_run: bool = False,
    collect: bool = True,
    grace_period_ms: Optional[int] = None,
    now_ms: Optional[int] = None,
    settle_ms: int = DEFAULT_SETTLE_MS,
    on_progress: Progress = None,
) -> PruneResult:
    """Drop results inside the cache's configs to keep it within
    ``max_size`` bytes and ``max_age_ms`` (``keep_tags`` are kept whole):
    write each rewritten tag's new config and manifest, point ``index.json``
    at them under the driver's lock (a tag a concurrent export changed since
    the plan is left as it is), then, unless ``collect`` is false, collect
    what is no longer reachable with :func:`gc` and its safety rules."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    cache = load_cache(storage)
    plan = cache.prune_plan(now_ms=now, max_size=max_size, max_age_ms=max_age_ms, keep_tags=keep_tags)
    if dry_run:
        return PruneResult(plan, [], None)
    skipped: list[str] = []
    writes = plan.writes
    if writes:
        for w in writes:
            storage.write_blob(w.config_digest, w.config_bytes, MediaType.CACHE_CONFIG)
            storage.write_blob(w.descriptor["digest"], w.manifest_bytes, w.descriptor["mediaType"])

        def put(current: Optional[bytes]) -> bytes:
            index, left = plan.apply(current or b"")
            skipped[:] = left
            return index

        update_index(storage, put)
    collected = None
    if collect:
        collected = gc(storage, grace_period_ms=grace_period_ms, now_ms=now, settle_ms=settle_ms, on_progress=on_progress)
    return PruneResult(plan, skipped, collected)


class _IndexChanged(Exception):
    """index.json changed between gc's reading it and its locking it."""


class _AsideView:
    """Blobs from the layout, or from where gc moved them."""

    def __init__(self, storage: StorageDriver, aside: Aside) -> None:
        self.storage = storage
        self.aside = aside

    def read_index(self) -> Optional[bytes]:
        return self.storage.read_index()

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        data = self.storage.read_blob(digest, media_type, limit=limit)
        return data if data is not None else self.aside.read_blob(digest, limit=limit)


def _look_again(storage: StorageDriver, aside: Aside) -> list[str]:
    """gc's second look: the moved blobs any entry of ``index.json`` now
    reaches, put back under BuildKit's lock with ``index.json`` unchanged
    since it was read; all of them when ``index.json`` keeps changing."""
    view = _AsideView(storage, aside)
    for _ in range(5):
        index = storage.read_index()
        restore = load_cache(view, index).recheck(list(aside.digests))["restore"]  # type: ignore[arg-type]

        def put_back(current: Optional[bytes]) -> Optional[bytes]:
            if current != index:
                raise _IndexChanged()
            for digest in restore:
                aside.restore(digest)
            return None

        try:
            update_index(storage, put_back)
            return restore
        except _IndexChanged:
            continue
    return list(aside.digests)


def _look_again_in_place(storage: StorageDriver, doomed: list[str], listed: Sequence[StoredBlob]) -> list[str]:
    """gc's second look where blobs cannot be moved aside: of ``doomed``,
    those an entry of the index read now reaches (all when a document cannot
    be read), and those whose modification time is not what ``listed``
    said."""
    keep = set(load_cache(storage).recheck(list(doomed))["restore"])
    before = {b["path"]: b.get("modified") for b in listed}
    now = {b["path"]: b.get("modified") for b in storage.list_blobs()}
    for digest in doomed:
        path = "blobs/" + digest.replace(":", "/", 1)
        if now.get(path, before.get(path)) != before.get(path):
            keep.add(digest)
    return [d for d in doomed if d in keep]


def _tag(storage: StorageDriver) -> Optional[str]:
    """The tag a storage is bound to (a registry reference's), if any."""
    tag = getattr(storage, "tag", None)
    return tag if isinstance(tag, str) else None


def _transfer(blob: dict[str, Any], source: StorageDriver, into: StorageDriver, commits: Any = None) -> str:
    """Put one blob into ``into`` unless it is there: mounted from
    ``source`` when the driver can (a registry, from another repository of
    the same registry), else copied (streamed when large; through
    ``commits``, a directory's :class:`~ocicache.commits.Commits`, when
    given). Returns what it did: ``skipped``, ``mounted`` or ``copied``."""
    media_type = blob.get("mediaType")
    if into.has_blob(blob["digest"], media_type):
        return "skipped"
    mount = getattr(into, "mount_blob", None)
    if not blob.get("manifest") and mount is not None and mount(blob["digest"], source):
        return "mounted"
    # Small blobs (most of a cache) are read whole: one buffer instead of a
    # stream of chunks joined again for the upload. A driver that writes a
    # stream as fast (``prefers_streams``: a directory) gets every blob
    # streamed: no buffer per blob.
    streams = bool(getattr(into, "prefers_streams", False))
    if blob.get("manifest") or (not streams and blob.get("size", WHOLE + 1) <= WHOLE):
        # A blob longer than its size is read one byte past it (the write refuses it).
        limit = blob["size"] + 1 if "size" in blob else None
        data = source.read_blob(blob["digest"], media_type, limit=limit)
        if data is None:
            raise coded("MISSING_BLOB", f"{source}: blob {blob['digest']} is missing")
        into.write_blob(blob["digest"], data, media_type)
    else:
        (commits or into).write_blob(blob["digest"], source.open_blob(blob["digest"], media_type), media_type)
    return "copied"


def _copy_blobs(digests: Sequence[str], into: StorageDriver, sources: Sequence[StorageDriver]) -> None:
    for digest in digests:
        if into.has_blob(digest):
            continue
        source = next((s for s in sources if s.has_blob(digest)), None)
        if source is None:
            raise coded("MISSING_BLOB", f"blob {digest} is in no source")
        _transfer({"digest": digest}, source, into)


def update_index(storage: StorageDriver, update: Callable[[Optional[bytes]], Optional[bytes]]) -> Optional[bytes]:
    """Replace ``storage``'s ``index.json`` with ``update(current)`` (bytes,
    or ``None`` to leave it): under the driver's own lock where it has one
    (:class:`LocalStorage`: BuildKit's), so that a concurrent export's or
    merge's tag is not lost."""
    own = getattr(storage, "update_index", None)
    if own is not None:
        result: Optional[bytes] = own(update)
        return result
    after = update(storage.read_index())
    if after is not None:
        storage.write_index(after)
    return after


def _tagged(index: Optional[bytes], tag: str) -> Optional[str]:
    """The digest ``tag`` names in ``index`` (as BuildKit finds it), or ``None``."""
    if index is None:
        return None
    try:
        return str(ImageIndex.from_bytes(index).find_tag(tag)["digest"])
    except OcicacheError as e:
        if e.code == "TAG_NOT_FOUND":
            return None
        raise


class _Changed(Exception):
    """The tag changed under an operation."""


_ANY = object()


def _commit(into: StorageDriver, write: CacheWrite, tag: str, expect: Any = _ANY) -> dict[str, Any]:
    """Write the config and manifest blobs, then ``index.json``. With
    ``expect`` (a digest, or ``None`` for none), the tag must still name it
    when ``index.json`` is replaced, else :class:`_Changed` is raised and
    nothing is replaced: a concurrent export of the same tag is not
    overwritten by a result made from what it replaced."""
    descriptor = write.descriptor
    into.write_blob(write.config_digest, write.config_bytes, MediaType.CACHE_CONFIG)
    into.write_blob(descriptor["digest"], write.manifest_bytes, descriptor["mediaType"])

    def put(current: Optional[bytes]) -> bytes:
        if expect is not _ANY and _tagged(current, tag) != expect:
            raise _Changed()
        return ImageIndex.updated_layout_index(current, tag, descriptor)

    update_index(into, put)
    return descriptor


_T = TypeVar("_T")


def _retrying(what: str, attempt: Callable[[], _T]) -> _T:
    """``attempt()`` again while the tag changes under it, at most 3 times."""
    for n in range(1, 4):
        try:
            return attempt()
        except _Changed:
            if n == 3:
                raise coded("CACHE_LOCKED", f"{what} changed under the operation 3 times; try again") from None
    raise AssertionError("unreachable")


def copy(
    source: StorageDriver,
    into: StorageDriver,
    *,
    tag: Optional[str] = None,
    to_tag: Optional[str] = None,
    concurrency: Optional[int] = None,
    on_progress: Progress = None,
) -> dict[str, Any]:
    """Copy the entry tagged ``tag`` of ``source`` to ``into`` under
    ``to_tag``, keeping every digest. The tags default to the drivers' own
    (a registry's is its reference's), else ``latest`` — for ``to_tag`` the
    tag BuildKit reads when ``--cache-from`` names none, so that a copy is
    imported as it is. The blobs ``into`` lacks are copied
    (``concurrency`` at a time — by default the plan's choice,
    ``CopyPlan.concurrency``: 4 to 16 by the blob sizes — then the
    manifests, children first), then
    the tag is set: stopping anywhere leaves the tag as it was, and running
    it again copies only what is still missing. Returns ``{tag, descriptor,
    blobs, copied, mounted, skipped, bytes}`` (``bytes``: those copied)."""
    tag = tag or _tag(source) or "latest"
    to_tag = to_tag or _tag(into) or "latest"
    plan = load_cache(source).copy_plan(tag)
    counts = {"copied": 0, "mounted": 0, "skipped": 0}
    done = 0
    copied_bytes = 0
    lock = threading.Lock()

    def one(blob: dict[str, Any], commits: Any = None) -> None:
        nonlocal done, copied_bytes
        what = _transfer(blob, source, into, commits)
        with lock:
            counts[what] += 1
            done += blob["size"]
            if what == "copied":
                copied_bytes += blob["size"]
            if on_progress:
                on_progress(done, plan.total_bytes)

    blobs: list[dict[str, Any]] = [dict(b) for b in plan.blobs]
    # A directory syncs and renames streamed blobs beside the transfers
    # (LocalStorage.commits); leaving the block waits for every one, so the
    # index below names only blobs in place.
    make_commits = getattr(into, "commits", None)
    commits = make_commits() if make_commits is not None else None
    with commits if commits is not None else nullcontext():
        _pool([b for b in blobs if not b["manifest"]], concurrency or plan.concurrency, lambda b: one(b, commits))
    for b in blobs:
        if b["manifest"]:
            one(b)
    update_index(into, lambda current: ImageIndex.updated_layout_index(current, to_tag, plan.descriptor))
    return {"tag": to_tag, "descriptor": plan.descriptor, "blobs": len(blobs), **counts, "bytes": copied_bytes}


def _pool(items: Sequence[_T], limit: int, work: Callable[[_T], None]) -> None:
    """``work(item)`` for every item, ``limit`` at a time. After the first
    failure nothing new starts (a failed copy leaves no uploads running
    behind it, as the Node package's pool); the ones under way finish, then
    that first failure is raised."""
    first: list[BaseException] = []
    lock = threading.Lock()

    def guarded(item: _T) -> None:
        if first:
            return
        try:
            work(item)
        except BaseException as err:
            with lock:
                first.append(err)
            raise

    with ThreadPoolExecutor(max_workers=max(1, limit)) as pool:
        futures = [pool.submit(guarded, item) for item in items]
        wait(futures, return_when=FIRST_EXCEPTION)
        pool.shutdown(wait=True, cancel_futures=True)
    if first:
        raise first[0]


def _index_of(storage: StorageDriver) -> Optional[bytes]:
    """``storage``'s ``index.json``, or ``None`` for a directory not made yet."""
    try:
        return storage.read_index()
    except FileNotFoundError:
        return None


def merge(
    into: StorageDriver,
    sources: Sequence[tuple[StorageDriver, str]],
    *,
    tag: Optional[str] = None,
    form: Optional[str] = None,
    replace: bool = False,
    max_size: Optional[int] = None,
    grace_period_ms: Optional[int] = None,
    settle_ms: int = DEFAULT_SETTLE_MS,
    collect: bool = True,
) -> dict[str, Any]:
    """Merge the caches ``sources`` (``(storage, tag)`` pairs) into ``into``
    under ``tag`` (default: the storage's own tag, else ``latest``). When
    ``into`` already holds ``tag``, that cache is merged in too (``existing``
    is ``"merged"``), unless ``replace`` (``"replaced"``); ``"none"`` when it
    held no such tag. With ``max_size``, the destination is then pruned to it
    (:func:`prune`, with ``grace_period_ms``, ``settle_ms`` and ``collect``):
    a cumulative cache with a cap. Returns ``{descriptor, layers, existing,
    pruned?}`` (``descriptor``: the tag's final manifest)."""
    name = tag or _tag(into) or "latest"
    result = _merge_once(into, sources, name, form, replace)
    if max_size is None:
        return result
    pruned = prune(into, max_size=max_size, grace_period_ms=grace_period_ms, settle_ms=settle_ms, collect=collect)
    if name in pruned.plan.tags:
        result["descriptor"] = pruned.plan.writes[pruned.plan.tags.index(name)].descriptor
    result["pruned"] = pruned
    return result


def _merge_once(
    into: StorageDriver, sources: Sequence[tuple[StorageDriver, str]], name: str, form: Optional[str], replace: bool
) -> dict[str, Any]:
    """One merge, tried again while ``index.json`` changes under it."""

    def attempt() -> dict[str, Any]:
        index = _index_of(into)
        held = _tagged(index, name)
        existing = "none" if held is None else "replaced" if replace else "merged"
        m = Merge()
        if existing == "merged":
            m.add(load_cache(into, index), name)
        for storage, source_tag in sources:
            m.add(load_cache(storage), source_tag)
        write = m.finish(form)
        _copy_blobs(write.layers, into, [into, *(s for s, _ in sources)])
        descriptor = _commit(into, write, name, _ANY if replace else held)
        return {"descriptor": descriptor, "layers": len(write.layers), "existing": existing}

    return _retrying(f"the tag {name} of {into}", attempt)


def convert(
    storage: StorageDriver,
    *,
    tag: Optional[str] = None,
    form: Optional[str] = None,
    compression: Optional[str] = None,
    level: Optional[int] = None,
    on_progress: Progress = None,
) -> dict[str, Any]:
    """Convert the cache tagged ``tag`` to ``form`` and ``compression``,
    writing new blobs next to the old ones. Returns ``{descriptor,
    recompressed}``."""
    name = tag or _tag(storage) or "latest"
    return _retrying(f"the tag {name} of {storage}", lambda: _convert(storage, name, form, compression, level, on_progress))


def _decoded(decoder: Decoder, chunk: bytes) -> Iterator[bytes]:
    """What ``decoder`` makes of ``chunk``, in pieces of about ``DECODED`` bytes."""
    out = decoder.update(chunk, DECODED)
    while out:
        yield out
        out = decoder.update(b"", DECODED)


def _convert(
    storage: StorageDriver,
    tag: str,
    form: Optional[str],
    compression: Optional[str],
    level: Optional[int],
    on_progress: Progress,
) -> dict[str, Any]:
    index = storage.read_index()
    cache = load_cache(storage, index)
    conversion = cache.conversion(tag, form, compression)  # type: ignore[arg-type]
    layers = conversion.layers_to_recompress()
    for n, old in enumerate(layers, 1):
        encoder = LayerCompressor(compression, level)  # type: ignore[arg-type]
        # The new layer until its digest (its name) is known: in memory up to
        # WHOLE, then in a temporary file, so that memory never follows the
        # size of a layer.
        with tempfile.SpooledTemporaryFile(max_size=WHOLE) as out:
            decoder: Optional[Decoder] = None
            head = b""
            for chunk in storage.open_blob(old):
                if decoder is None:
                    head += chunk
                    kind = detect_compression(head)
                    if kind is None and len(head) < 512:
                        continue
                    decoder = Decoder(kind or "uncompressed")
                    for piece in _decoded(decoder, head):
                        out.write(encoder.update(piece))
                else:
                    for piece in _decoded(decoder, chunk):
                        out.write(encoder.update(piece))
            if decoder is None:
                decoder = Decoder(detect_compression(head) or "uncompressed")
                for piece in _decoded(decoder, head):
                    out.write(encoder.update(piece))
            decoder.finish()
            data, d = encoder.finalize()
            out.write(data)
            out.seek(0)
            storage.write_blob(d["digest"], iter(lambda: out.read(SPOOL_CHUNK), b""))
        conversion.record(old, d["compression"], d["digest"], d["size"], d["diff_id"])
        if on_progress:
            on_progress(n, len(layers))
    descriptor = _commit(storage, conversion.finish(), tag, _tagged(index, tag))
    return {"descriptor": descriptor, "recompressed": len(layers)}
