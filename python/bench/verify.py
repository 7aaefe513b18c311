"""Benchmark: verify of a 1 GiB synthetic cache (200 gzip layers) against
``sha256sum`` + ``gzip -dc | sha256sum`` over the same blobs, one after the
other (what a CI script does today). Target: >= 2x on this 2-core machine.

Contenders, interleaved, best of ``--rounds``: the baseline pipeline, the
Python package's ``operations.verify`` (thread pool, GIL released) and the
Node CLI's ``verify`` (libuv pool). The cache is generated once into
``--dir`` (default: a directory under the system temp dir) and reused.

    python bench/verify.py [--rounds 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional

from measure import best, print_speeds, ratio_line

from ocicache import operations
from ocicache.storage import LocalStorage

REPO = Path(__file__).resolve().parents[2]
LAYERS = 200
BLOB_TARGET = 1 << 30


def put(root: Path, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (root / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return digest


def generate(root: Path) -> None:
    """200 gzip layers (-1) of half random, half text content, about 5 MiB
    each, chained into one record each, in an image-manifest cache."""
    (root / "blobs" / "sha256").mkdir(parents=True)
    per_layer = BLOB_TARGET // LAYERS
    text = b"".join(f"line {i}: the quick brown fox jumps over the lazy dog\n".encode() for i in range(20000))
    layers, descriptors, records = [], [], []
    for n in range(LAYERS):
        random_part = os.urandom(per_layer * 19 // 20)
        tar = random_part + text[: per_layer // 2] + n.to_bytes(8, "big") + bytes(1024)
        blob = subprocess.run(["gzip", "-1", "-c", "-n"], input=tar, capture_output=True, check=True).stdout
        digest = put(root, blob)
        diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
        descriptors.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": digest,
                "size": len(blob),
                "annotations": {"containerd.io/uncompressed": diff_id},
            }
        )
        layers.append({"blob": digest, "parent": n - 1})
        record = {"layers": [{"layer": n, "createdAt": "2026-01-01T00:00:00Z"}], "digest": f"sha256:{n:064x}"}
        if n:
            record["inputs"] = [[{"link": n - 1}]]
        records.append(record)
    config = json.dumps({"layers": layers, "records": records}, separators=(",", ":")).encode()
    config_digest = put(root, config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.buildkit.cacheconfig.v0", "digest": config_digest, "size": len(config)},
        "layers": descriptors,
    }
    manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
    entry = {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": put(root, manifest_bytes),
        "size": len(manifest_bytes),
        "annotations": {"org.opencontainers.image.ref.name": "latest"},
    }
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [entry]}
    (root / "index.json").write_bytes(json.dumps(index, separators=(",", ":")).encode())
    (root / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')


def synthetic_cache(
    description: str, parser: Optional[argparse.ArgumentParser] = None
) -> tuple[argparse.Namespace, Path, int]:
    """The command line (``--rounds``, ``--dir`` and what ``parser`` adds)
    and the synthetic cache: its directory (generated there once) and its
    blob bytes."""
    parser = parser or argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "ocicache-bench-verify"))
    args = parser.parse_args()
    root = Path(args.dir)
    if not (root / "index.json").exists():
        print(f"generating {LAYERS} gzip layers (about 1 GiB) in {root} ...", flush=True)
        generate(root)
    return args, root, sum(p.stat().st_size for p in (root / "blobs" / "sha256").iterdir())


def baseline(root: Path) -> None:
    """sha256sum of every blob, and gzip -dc | sha256sum of every layer."""
    script = 'for f in "$1"/blobs/sha256/*; do sha256sum "$f" >/dev/null; ' \
        'if [ "$(head -c2 "$f" | od -An -tx1 | tr -d " ")" = 1f8b ]; then gzip -dc "$f" | sha256sum >/dev/null; fi; done'
    subprocess.run(["sh", "-c", script, "sh", str(root)], check=True)


def main() -> None:
    args, root, size = synthetic_cache("verify of a 1 GiB synthetic cache against sha256sum + gzip -dc | sha256sum")
    storage = LocalStorage(root)

    def python_verify() -> None:
        assert operations.verify(storage).ok

    def node_verify() -> None:
        subprocess.run(["node", str(REPO / "npm/bin/ocicache.mjs"), "verify", str(root)], check=True, stdout=subprocess.DEVNULL)

    contenders: dict[str, Callable[[], object]] = {
        "sha256sum + gzip -dc | sha256sum": lambda: baseline(root),
        "ocicache verify (Python)": python_verify,
        "ocicache verify (Node CLI)": node_verify,
    }
    print(f"verify: {size / 2**30:.2f} GiB in {LAYERS} gzip layers, best of {args.rounds}, {os.cpu_count()} cores")
    seconds = best(contenders, args.rounds)
    print_speeds(size, seconds)
    for ours in ("ocicache verify (Python)", "ocicache verify (Node CLI)"):
        print(ratio_line(ours, "sha256sum + gzip -dc | sha256sum", seconds, 2.0))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
