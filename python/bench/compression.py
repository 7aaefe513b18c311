"""Compression benchmark, every contender measured in the same run on the
same 64 MiB tar-like payload (text runs and incompressible runs, about 4:1
under gzip): gunzip and gzip level 6 vs Python's zlib (level 6 also on a
real tar, with the compressed sizes), zstd decode vs zstandard. Run by scripts/bench.sh after a release build."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import zstandard
from measure import best, print_speeds, ratio_line

import ocicache

SIZE = 64 << 20
WORDS = b"layer cache record digest blob manifest config build step "


def payload() -> bytes:
    parts = []
    total = 0
    rng = os.urandom(SIZE // 8)
    i = 0
    while total < SIZE:
        if rng[i % len(rng)] & 3 == 0:
            part = os.urandom(4096)
        else:
            start = rng[i % len(rng)]
            part = (WORDS[start % len(WORDS) :] + WORDS * 80)[:4096]
        parts.append(part)
        total += len(part)
        i += 1
    return b"".join(parts)[:SIZE]


def real_tar() -> bytes:
    """The first 64 MiB of a tar of the repository's npm/node_modules: real
    files (JavaScript, JSON, native binaries), the same in the Node bench."""
    tree = Path(__file__).resolve().parents[2] / "npm" / "node_modules"
    out = subprocess.run(["tar", "-cf", "-", "--sort=name", "-C", str(tree), "."], capture_output=True, check=True).stdout
    return out[:SIZE]


def gzip_level_6(label: str, data: bytes) -> None:
    """gzip level 6 against zlib's: speed, and the size of what each wrote."""
    def zlib_gzip6() -> bytes:
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        return c.compress(data) + c.flush()

    ours, theirs = len(ocicache.compress(data, "gzip", 6)[0]), len(zlib_gzip6())
    gzip6 = {"ocicache compress (gzip 6)": lambda: ocicache.compress(data, "gzip", 6), "zlib gzip level 6": zlib_gzip6}
    seconds = best(gzip6, 3)
    print(f"gzip level 6, {len(data) >> 20} MiB {label}")
    print_speeds(len(data), seconds)
    print(ratio_line("ocicache compress (gzip 6)", "zlib gzip level 6", seconds, 1.0))
    size = ours / theirs - 1
    print(f"  compressed size vs zlib's: {size:+.2%} ({ours} vs {theirs} bytes; target within 1%: "
          f"{'met' if size <= 0.01 else 'NOT met'})")


def main() -> None:
    tar = payload()
    gz_compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    gz = gz_compressor.compress(tar) + gz_compressor.flush()
    zst = zstandard.ZstdCompressor(level=3).compress(tar)
    print(f"\nPython {sys.version.split()[0]}, {SIZE >> 20} MiB tar-like payload")

    gunzip = {
        "ocicache decompress (gzip)": lambda: ocicache.decompress(gz, "gzip"),
        "zlib.decompress (wbits=31)": lambda: zlib.decompress(gz, 31),
    }
    for name, run in gunzip.items():
        assert run() == tar, name
    seconds = best(gunzip, 3)
    print(f"gunzip ({len(gz) / 2**20:.1f} MiB in)")
    print_speeds(SIZE, seconds)
    print(ratio_line("ocicache decompress (gzip)", "zlib.decompress (wbits=31)", seconds, 0.9))

    for label, data in (("tar-like payload", tar), ("real tar (npm/node_modules)", real_tar())):
        gzip_level_6(label, data)

    unzstd = {
        "ocicache decompress (zstd)": lambda: ocicache.decompress(zst, "zstd"),
        "zstandard decompress": lambda: zstandard.ZstdDecompressor().decompress(zst, max_output_size=SIZE),
    }
    for name, run in unzstd.items():
        assert run() == tar, name
    seconds = best(unzstd, 3)
    print(f"zstd decode ({len(zst) / 2**20:.1f} MiB in)")
    print_speeds(SIZE, seconds)
    print(ratio_line("ocicache decompress (zstd)", "zstandard decompress", seconds))


if __name__ == "__main__":
    main()
