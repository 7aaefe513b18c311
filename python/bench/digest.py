"""Digest benchmark: 256 MiB in 1 MiB chunks, SHA-256, the binding vs hashlib.

Both hashers get the same list of 1 MiB ``bytes`` objects; each runs seven
rounds interleaved with the other, and the best round counts. Run by
scripts/bench.sh after a release build.
"""

from __future__ import annotations

import hashlib
import os
import sys

from measure import best, print_speeds, ratio_line

import ocicache

SIZE = 256 * 1024 * 1024
CHUNK = 1024 * 1024


def main() -> None:
    data = os.urandom(SIZE)
    chunks = [data[i : i + CHUNK] for i in range(0, SIZE, CHUNK)]
    expected = hashlib.sha256(data).hexdigest()

    def ours() -> str:
        d = ocicache.Digester("sha256")
        for c in chunks:
            d.update(c)
        return d.finalize().encoded

    def theirs() -> str:
        h = hashlib.sha256()
        for c in chunks:
            h.update(c)
        return h.hexdigest()

    contenders = {"ocicache Digester": ours, "hashlib.sha256": theirs}
    for name, run in contenders.items():
        assert run() == expected, name
    seconds = best(contenders, 7)
    print(f"\nSHA-256, 256 MiB in 1 MiB chunks (Python {sys.version.split()[0]})")
    print_speeds(SIZE, seconds)
    print(ratio_line("ocicache Digester", "hashlib.sha256", seconds, 0.97))


if __name__ == "__main__":
    main()
