"""Benchmark: how many blobs a copy should send at once, for the blob sizes
it has, when the registry is not next door. Uploads (local -> registry)
through ``tests/registry/serve.mjs --delay``, a proxy that delivers
everything late both ways (a round trip of twice the delay), of two caches:
many small blobs (2,000 of 16 KiB) and the 1 GiB cache of ``verify.py``
(200 gzip layers of about 5 MB), at fixed concurrencies and at the one the
copy plan chooses (``CopyPlan.concurrency``). Best of ``--rounds``.

    python bench/latency.py [--rounds 2] [--delay 10] [--dir DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from scale import LAYER_GZIP, gzip_member, sha, write_blob, write_layout
from verify import synthetic_cache

from ocicache import operations
from ocicache.registry import RegistryStorage
from ocicache.storage import LocalStorage

REPO = Path(__file__).resolve().parents[2]
SMALL, SMALL_SIZE = 2000, 16 << 10


def small_cache(root: Path) -> int:
    """A layout of SMALL gzip layers of SMALL_SIZE random bytes each
    (written by ``scale.py``'s helpers); their bytes."""
    (root / "blobs" / "sha256").mkdir(parents=True)
    descriptors = []
    for _ in range(SMALL):
        content = os.urandom(SMALL_SIZE)
        data = gzip_member(content)
        descriptors.append({"mediaType": LAYER_GZIP, "digest": write_blob(root, data), "size": len(data),
                            "annotations": {"containerd.io/uncompressed": sha(content)}})
    write_layout(root, descriptors, SMALL)
    return sum(p.stat().st_size for p in (root / "blobs" / "sha256").iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description="uploads through a registry far away, by concurrency")
    parser.add_argument("--delay", type=int, default=10, help="milliseconds each way")
    args, big, big_size = synthetic_cache("", parser)
    scratch = Path(tempfile.mkdtemp(prefix="ocicache-bench-latency-"))
    small = scratch / "small"
    small_size = small_cache(small)
    registry = subprocess.Popen(["node", str(REPO / "tests/registry/serve.mjs"), "--delay", str(args.delay)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert registry.stdout is not None and registry.stdin is not None
    host = json.loads(registry.stdout.readline())["delayHost"]
    counter = itertools.count()
    try:
        print(f"uploads local -> registry at a round trip of {2 * args.delay} ms, best of {args.rounds}, "
              f"{os.cpu_count()} cores")
        for label, root, size in ((f"{SMALL} x 16 KiB", small, small_size), ("200 x 5 MB", big, big_size)):
            chosen = operations.load_cache(LocalStorage(root)).copy_plan("latest").concurrency
            best: dict[int, float] = {}
            for _ in range(args.rounds):
                for c in sorted({4, 8, 16, 32, chosen}):
                    t0 = time.perf_counter()
                    target = RegistryStorage(f"{host}/bench/r{next(counter)}:latest", docker_config=False)
                    operations.copy(LocalStorage(root), target, concurrency=c)
                    best[c] = min(best.get(c, float("inf")), time.perf_counter() - t0)
            line = "  ".join(f"{c}: {size / s / 1e6:5.1f} MB/s{'*' if c == chosen else ''}" for c, s in best.items())
            print(f"  {label:<16} {line}   (* the plan's choice)")
    finally:
        registry.stdin.close()
        registry.wait()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
