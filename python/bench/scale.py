"""Scale benchmark (a script, not a test): how both CLIs hold up on a cache
of 10 GB in 2,000 gzip layers under a 100,000-record config, and how their
memory grows with the record count.

1. The big cache (generated once into ``--dir``): ``inspect``, ``verify``,
   ``gc --dry-run``, ``merge`` with itself, ``convert --compression zstd``
   and ``copy`` to a registry (Debian's docker-registry, started by
   ``tests/registry/serve.mjs``), each by the Python and the Node CLI, timed
   with its peak resident memory (``/usr/bin/time``). Most layers are about
   4 MB; four hold a fifth of the bytes (500 MB each at 10 GB: gzip members
   one after another, as pigz writes them), so a peak that followed blob
   sizes would show. merge and convert
   work on a hard-linked copy of the layout, removed after.
2. The curve: ``inspect`` and ``verify`` of a config alone (1,000 small
   layers) at 10k, 100k and 1M records, by both CLIs; memory per record
   should stay flat (linear growth), time too.

    python bench/scale.py [--dir DIR] [--gb 10] [--layers 2000] [--records 100000]
                          [--curve 10000,100000,1000000] [--skip-big] [--skip-curve]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CLIS = {"Python": [str(REPO / ".venv" / "bin" / "ocicache")], "Node": ["node", str(REPO / "npm" / "bin" / "ocicache.mjs")]}
T = "2026-11-22T10:12:20.165927189Z"
BIG_LAYERS = 4
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def gzip_member(data: bytes) -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def write_blob(root: Path, data: bytes, digest: str | None = None) -> str:
    digest = digest or sha(data)
    (root / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return digest


def config_bytes(layer_digests: list[str], records: int) -> bytes:
    """Layers in chains of 10; records linking to earlier ones (two input
    slots, a selector on the second), every fifth with a result (as
    ``bench/cache_config.py`` makes them), on these layer blobs."""
    n = len(layer_digests)
    # BuildKit's form: -1 for no parent, and a parent of 0 left out.
    parents = [-1 if i % 10 == 0 else i - 1 for i in range(n)]
    layers = [{"blob": d, "parent": p} if p else {"blob": d} for d, p in zip(layer_digests, parents)]
    out: list[dict[str, Any]] = []
    for i in range(records):
        r: dict[str, Any] = {}
        if i % 5 == 0:
            r["layers"] = [{"layer": (i // 5) % n, "createdAt": T}]
        r["digest"] = "sha256:" + hashlib.sha256(f"r{i}".encode()).hexdigest()
        if i >= 10:
            selector = "sha256:" + hashlib.sha256(f"s{i % 97}".encode()).hexdigest()
            r["inputs"] = [[{"link": i - 1 - i % 7}], [{"selector": selector, "link": (i * 31) % i}]]
        out.append(r)
    return json.dumps({"layers": layers, "records": out}, separators=(",", ":")).encode()


def write_layout(root: Path, descriptors: list[dict[str, Any]], records: int) -> None:
    """The config over ``descriptors``' layers, its manifest, index.json."""
    config = config_bytes([d["digest"] for d in descriptors], records)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.buildkit.cacheconfig.v0", "digest": write_blob(root, config), "size": len(config)},
        "layers": descriptors,
    }, separators=(",", ":")).encode()
    entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": write_blob(root, manifest),
             "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "latest"}}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [entry]}
    (root / "index.json").write_bytes(json.dumps(index, separators=(",", ":")).encode())
    (root / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')


def generate_big(root: Path, total: int, count: int, records: int) -> None:
    """``count`` gzip layers of about ``total`` bytes in all: 16 base
    members (random, and a tenth text) compressed once, each layer one of them (or
    many, for the big ones) and a small member of its own."""
    (root / "blobs" / "sha256").mkdir(parents=True)
    big_size = min(512 << 20, total // (BIG_LAYERS * 5))  # a fifth of the total
    per_layer = (total - BIG_LAYERS * big_size) // (count - BIG_LAYERS)
    text = b"".join(f"line {i}: the quick brown fox jumps over the lazy dog\n".encode() for i in range(100_000))
    bases = []
    for n in range(16):
        # Mostly random (gzip keeps its size), a tenth text (it shrinks about
        # twentyfold): the member comes out at about `per_layer`.
        tar = os.urandom(per_layer * 99 // 100) + text[n * 1000 : n * 1000 + per_layer // 10]
        gz = gzip_member(tar)
        bases.append((tar, gz))
    descriptors = []
    for i in range(count):
        tar, gz = bases[i % 16]
        repeat = max(1, big_size // len(gz)) if i % (count // BIG_LAYERS) == 1 else 1
        tail_tar = f"layer {i}\n".encode() + bytes(1024)
        tail_gz = gzip_member(tail_tar)
        diff, blob = hashlib.sha256(), hashlib.sha256()
        for _ in range(repeat):
            diff.update(tar)
            blob.update(gz)
        diff.update(tail_tar)
        blob.update(tail_gz)
        digest = "sha256:" + blob.hexdigest()
        with open(root / "blobs" / "sha256" / digest[7:], "wb") as f:
            for _ in range(repeat):
                f.write(gz)
            f.write(tail_gz)
        descriptors.append({"mediaType": LAYER_GZIP, "digest": digest, "size": repeat * len(gz) + len(tail_gz),
                            "annotations": {"containerd.io/uncompressed": "sha256:" + diff.hexdigest()}})
    write_layout(root, descriptors, records)


def generate_config_alone(root: Path, records: int) -> None:
    """1,000 small layers under a config of ``records`` records."""
    (root / "blobs" / "sha256").mkdir(parents=True)
    descriptors = []
    for i in range(1000):
        tar = f"layer {i}\n".encode() + bytes(2048)
        gz = gzip_member(tar)
        descriptors.append({"mediaType": LAYER_GZIP, "digest": write_blob(root, gz), "size": len(gz),
                            "annotations": {"containerd.io/uncompressed": sha(tar)}})
    write_layout(root, descriptors, records)


def measured(argv: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Seconds and peak RSS (MiB) of one command."""
    os.sync()
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - t0
    if r.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return seconds, int(r.stderr.strip().splitlines()[-1]) // 1024


def linked_copy(root: Path, to: Path) -> Path:
    """A copy of the layout whose blobs are hard links (index.json is not)."""
    shutil.copytree(root, to, copy_function=os.link)
    (to / "index.json").unlink()
    shutil.copyfile(root / "index.json", to / "index.json")
    return to


def big(args: argparse.Namespace) -> None:
    root = Path(args.dir) / f"big-{args.gb}g-{args.layers}-{args.records}"
    if not (root / "index.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {args.layers} layers ({args.gb} GB) and a {args.records}-record config in {root} ...", flush=True)
        t0 = time.perf_counter()
        generate_big(root, args.gb * 10**9, args.layers, args.records)
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    size = sum(p.stat().st_size for p in (root / "blobs" / "sha256").iterdir())
    largest = max(p.stat().st_size for p in (root / "blobs" / "sha256").iterdir())
    registry = subprocess.Popen(["node", str(REPO / "tests/registry/serve.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert registry.stdout is not None and registry.stdin is not None
    host = json.loads(registry.stdout.readline())["host"]
    rows: dict[str, dict[str, tuple[float, int]]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="ocicache-bench-scale-", dir=args.dir))
    try:
        for name, cli in CLIS.items():
            work = linked_copy(root, scratch / name)
            row = rows.setdefault(name, {})
            row["inspect"] = measured([*cli, "inspect", "--json", str(root)])
            row["verify"] = measured([*cli, "verify", "--json", str(root)])
            row["gc --dry-run"] = measured([*cli, "gc", "--dry-run", "--json", str(root)])
            row["merge with itself"] = measured([*cli, "merge", "--json", "--tag", "merged", str(work), str(root)])
            row["convert to zstd"] = measured([*cli, "convert", "--json", "--compression", "zstd", str(work)])
            shutil.rmtree(work)
            row["copy to a registry"] = measured([*cli, "copy", "--json", str(root), f"{host}/scale/{name.lower()}:latest"])
            print(f"  {name}: done", flush=True)
    finally:
        registry.stdin.close()
        registry.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{size / 1e9:.1f} GB in {args.layers} gzip layers (largest {largest / 2**20:.0f} MiB), "
          f"{args.records} records, {os.cpu_count()} cores; seconds / peak RSS")
    ops = list(next(iter(rows.values())))
    print(f"  {'operation':<20}" + "".join(f"{name + ' CLI':>22}" for name in rows))
    for op in ops:
        print(f"  {op:<20}" + "".join(f"{rows[n][op][0]:>12.1f} s {rows[n][op][1]:>5} MiB" for n in rows))


def curve(args: argparse.Namespace) -> None:
    counts = [int(c) for c in args.curve.split(",")]
    print(f"\ninspect and verify of a config alone (1,000 small layers); seconds / peak RSS, {os.cpu_count()} cores")
    print(f"  {'records':>9} {'config':>9}" + "".join(f"{f'{n} {op}':>24}" for n in CLIS for op in ("inspect", "verify")))
    for records in counts:
        root = Path(args.dir) / f"config-{records}"
        if not (root / "index.json").exists():
            shutil.rmtree(root, ignore_errors=True)
            generate_config_alone(root, records)
        config = max((p for p in (root / "blobs" / "sha256").iterdir()), key=lambda p: p.stat().st_size)
        cells = []
        for cli in CLIS.values():
            for op in ("inspect", "verify"):
                seconds, mib = measured([*cli, op, "--json", str(root)])
                cells.append(f"{seconds:>9.1f} s {mib:>6} MiB")
        print(f"  {records:>9} {config.stat().st_size / 1e6:>7.0f}MB" + "".join(f"{c:>24}" for c in cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "ocicache-bench-scale"))
    parser.add_argument("--gb", type=int, default=10)
    parser.add_argument("--layers", type=int, default=2000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--curve", default="10000,100000,1000000")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-curve", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    if not args.skip_big:
        big(args)
    if not args.skip_curve:
        curve(args)


if __name__ == "__main__":
    main()
