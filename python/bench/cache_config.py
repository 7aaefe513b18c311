"""Cache config benchmark: a generated config of 100 000 records and 20 000
layers (the same bytes as npm/bench/cache_config.mjs makes; both print the
digest). ``CacheConfig.from_bytes`` + ``validate()`` through the binding vs
``json.loads`` of the same bytes, which only builds dicts and checks nothing.
"""

from __future__ import annotations

import hashlib
import json

from measure import best, print_speeds, ratio_line

from ocicache import CacheConfig

RECORDS, LAYERS = 100_000, 20_000
T = "2026-11-22T10:12:20.165927189Z"


def sha(s: str) -> str:
    return "sha256:" + hashlib.sha256(s.encode()).hexdigest()


def generate() -> bytes:
    """Layers in chains of 10; records linking to earlier ones (two input
    slots, a selector on the second), every fifth with a result."""
    layers = [{"blob": sha(f"l{i}"), "parent": -1 if i % 10 == 0 else i - 1} for i in range(LAYERS)]
    records: list[dict[str, object]] = []
    for i in range(RECORDS):
        r: dict[str, object] = {}
        if i % 5 == 0:
            r["layers"] = [{"layer": i % LAYERS, "createdAt": T}]
        r["digest"] = sha(f"r{i}")
        if i >= 10:
            r["inputs"] = [[{"link": i - 1 - i % 7}], [{"selector": sha(f"s{i % 97}"), "link": (i * 31) % i}]]
        records.append(r)
    return json.dumps({"layers": [{k: v for k, v in l.items() if not (k == "parent" and v == 0)} for l in layers], "records": records}, separators=(",", ":")).encode()


def main() -> None:
    data = generate()
    config = CacheConfig.from_bytes(data)
    assert config.to_bytes() == data and config.validate() == []
    print(f"\nCache config: {RECORDS} records, {LAYERS} layers, {len(data) / 1e6:.1f} MB, {config.digest()[:19]}…")
    seconds = best(
        {
            "ocicache from_bytes + validate": lambda: CacheConfig.from_bytes(data).validate(),
            "ocicache from_bytes": lambda: CacheConfig.from_bytes(data),
            "json.loads": lambda: json.loads(data),
        },
        5,
    )
    print_speeds(len(data), seconds)
    print(ratio_line("ocicache from_bytes + validate", "json.loads", seconds, 3))
    print(ratio_line("ocicache from_bytes", "json.loads", seconds))


if __name__ == "__main__":
    main()
