"""The operations on a cache, carried out through a storage driver
(:mod:`ocicache.storage`): the core plans, these functions do the I/O."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

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
    Merge,
    VerifyReport,
    detect_compression,
)
from ocicache.storage import StorageDriver

Progress = Optional[Callable[[int, int], None]]


def load_cache(storage: StorageDriver) -> Cache:
    """Load a cache (``index.json`` and every document it reaches)."""
    loader = CacheLoader(storage.read_index())
    while (digest := loader.next_needed()) is not None:
        data = storage.read_blob(digest)
        if data is None:
            loader.missing(digest)
        else:
            loader.feed(digest, data)
    return loader.finish()


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

    def check(c: dict[str, Any]) -> tuple[str, Optional[BlobVerifier], Optional[str]]:
        nonlocal done
        verifier = BlobVerifier(c["digest"], c["layer"])
        try:
            for chunk in storage.open_blob(c["digest"]):
                verifier.update(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(done, total)
        except OSError as e:
            return c["digest"], None, str(e)
        return c["digest"], verifier, None

    workers = max(1, concurrency or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for digest, verifier, failure in pool.map(check, checks):
            if verifier is None:
                verification.record_failure(digest, failure or "unreadable")
            else:
                verification.record(digest, verifier)
    return verification.report()


def gc(
    storage: StorageDriver,
    *,
    dry_run: bool = False,
    keep_tags: Optional[Sequence[str]] = None,
    drop_tags: Optional[Sequence[str]] = None,
    grace_period_ms: Optional[int] = None,
    now_ms: Optional[int] = None,
    on_progress: Progress = None,
) -> GcPlan:
    """Delete the blobs nothing kept reaches (the new ``index.json`` first
    when tags are dropped). Returns the plan."""
    cache = load_cache(storage)
    plan = cache.gc_plan(
        storage.list_blobs(),
        now_ms=int(time.time() * 1000) if now_ms is None else now_ms,
        grace_period_ms=grace_period_ms,
        keep_tags=keep_tags,
        drop_tags=drop_tags,
    )
    if dry_run:
        return plan
    if plan.index is not None:
        storage.write_index(plan.index)
    doomed = plan.delete
    for n, path in enumerate(doomed, 1):
        storage.delete_blob(path[len("blobs/") :].replace("/", ":", 1))
        if on_progress:
            on_progress(n, len(doomed))
    return plan


def _copy_blobs(digests: Sequence[str], into: StorageDriver, sources: Sequence[StorageDriver]) -> None:
    for digest in digests:
        if into.has_blob(digest):
            continue
        source = next((s for s in sources if s.has_blob(digest)), None)
        if source is None:
            raise FileNotFoundError(f"blob {digest} is in no source")
        into.write_blob(digest, source.open_blob(digest))


def _commit(into: StorageDriver, write: CacheWrite, tag: str) -> dict[str, Any]:
    """Write the config and manifest blobs, then ``index.json``."""
    descriptor = write.descriptor
    into.write_blob(write.config_digest, write.config_bytes)
    into.write_blob(descriptor["digest"], write.manifest_bytes)
    into.write_index(ImageIndex.updated_layout_index(into.read_index(), tag, descriptor))
    return descriptor


def merge(
    into: StorageDriver,
    sources: Sequence[tuple[StorageDriver, str]],
    *,
    tag: str = "latest",
    form: Optional[str] = None,
) -> dict[str, Any]:
    """Merge the caches ``sources`` (``(storage, tag)`` pairs) into ``into``
    under ``tag``. Returns ``{descriptor, layers}``."""
    m = Merge()
    for storage, source_tag in sources:
        m.add(load_cache(storage), source_tag)
    write = m.finish(form)
    _copy_blobs(write.layers, into, [s for s, _ in sources])
    return {"descriptor": _commit(into, write, tag), "layers": len(write.layers)}


def convert(
    storage: StorageDriver,
    *,
    tag: str = "latest",
    form: Optional[str] = None,
    compression: Optional[str] = None,
    level: Optional[int] = None,
    on_progress: Progress = None,
) -> dict[str, Any]:
    """Convert the cache tagged ``tag`` to ``form`` and ``compression``,
    writing new blobs next to the old ones. Returns ``{descriptor,
    recompressed}``."""
    cache = load_cache(storage)
    conversion = cache.conversion(tag, form, compression)  # type: ignore[arg-type]
    layers = conversion.layers_to_recompress()
    for n, old in enumerate(layers, 1):
        encoder = LayerCompressor(compression, level)  # type: ignore[arg-type]
        out: list[bytes] = []
        decoder: Optional[Decoder] = None
        head = b""
        for chunk in storage.open_blob(old):
            if decoder is None:
                head += chunk
                kind = detect_compression(head)
                if kind is None and len(head) < 512:
                    continue
                decoder = Decoder(kind or "uncompressed")
                out.append(encoder.update(decoder.update(head)))
            else:
                out.append(encoder.update(decoder.update(chunk)))
        if decoder is None:
            decoder = Decoder(detect_compression(head) or "uncompressed")
            out.append(encoder.update(decoder.update(head)))
        decoder.finish()
        data, d = encoder.finalize()
        out.append(data)
        storage.write_blob(d["digest"], out)
        conversion.record(old, d["compression"], d["digest"], d["size"], d["diff_id"])
        if on_progress:
            on_progress(n, len(layers))
    descriptor = _commit(storage, conversion.finish(), tag)
    return {"descriptor": descriptor, "recompressed": len(layers)}
