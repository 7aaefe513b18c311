"""Option-string benchmark: parse one million typical --cache-to/--cache-from
strings with the binding vs a parser built on Python's ``csv`` module written
for the benchmark (which does less: no typing, no validation). Both produce
the type and the attributes of every string; three interleaved rounds, best
counts. Run by scripts/bench.sh after a release build.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from measure import best, ratio_line

import ocicache

# The same strings the Node benchmark and core/examples/options_timing.rs use.
TYPICAL = (Path(__file__).resolve().parents[2] / "tests" / "bench" / "typical-options.txt").read_text(encoding="utf-8").splitlines()
N = 1_000_000


def csv_parser(s: str) -> list[tuple[str, dict[str, str]]]:
    fields = next(csv.reader([s]))
    if "=" not in s:
        return [("registry", {"ref": f}) for f in fields]
    kind = ""
    attrs: dict[str, str] = {}
    for field in fields:
        key, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"invalid value {field}")
        key = key.lower()
        if key == "type":
            kind = value
        else:
            attrs[key] = value
    if not kind:
        raise ValueError("type required")
    return [(kind, attrs)]


def main() -> None:
    inputs = [TYPICAL[i % len(TYPICAL)] for i in range(N)]

    def ours() -> int:
        return sum(len(e.type) for s in inputs for e in ocicache.parse_cache_options(s))

    def ours_attrs() -> int:
        return sum(len(e.attrs) for s in inputs for e in ocicache.parse_cache_options(s))

    def theirs() -> int:
        return sum(len(attrs) for s in inputs for _, attrs in csv_parser(s))

    contenders = {
        "ocicache parse_cache_options": ours,
        "ocicache parse_cache_options + attrs": ours_attrs,
        "csv-module parser": theirs,
    }
    seconds = best(contenders, 3)
    print(f"\nOption strings: {N} typical values (Python {sys.version.split()[0]})")
    for name, s in seconds.items():
        print(f"  {name:<40} {N / s / 1e6:5.2f} M strings/s")
    for name in ("ocicache parse_cache_options", "ocicache parse_cache_options + attrs"):
        print(ratio_line(name, "csv-module parser", seconds, 1))


if __name__ == "__main__":
    main()
