"""Compression benchmark, every contender measured in the same run on the
same 64 MiB tar-like payload (text runs and incompressible runs, about 4:1
under gzip): gunzip and gzip level 6 vs Python's zlib, zstd decode vs
zstandard. Run by scripts/bench.sh after a release build."""

from __future__ import annotations

import os
import sys
import zlib

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

    def zlib_gzip6() -> bytes:
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        return c.compress(tar) + c.flush()

    gzip6 = {"ocicache compress (gzip 6)": lambda: ocicache.compress(tar, "gzip", 6), "zlib gzip level 6": zlib_gzip6}
    seconds = best(gzip6, 3)
    print("gzip level 6")
    print_speeds(SIZE, seconds)
    print(ratio_line("ocicache compress (gzip 6)", "zlib gzip level 6", seconds))

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
