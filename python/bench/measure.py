"""Timing helpers for the benchmark scripts: each contender runs ``rounds``
times, interleaved with its peers so machine noise hits all alike, and the
best round counts."""

from __future__ import annotations

import time
from typing import Callable, Optional


def best(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The best time in seconds of each contender over ``rounds`` interleaved rounds."""
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {k: min(v) for k, v in times.items()}


def print_speeds(size: int, seconds: dict[str, float]) -> None:
    """One line a contender: its throughput over ``size`` bytes."""
    for name, s in seconds.items():
        print(f"  {name:<36} {size / s / 1e6:6.0f} MB/s")


def ratio_line(ours: str, peer: str, seconds: dict[str, float], target: Optional[float] = None) -> str:
    """``ratio ours / peer: 1.00x`` and, with a target, ``(target >= …: met)``."""
    ratio = seconds[peer] / seconds[ours]
    if target is None:
        return f"  ratio {ours} / {peer}: {ratio:.2f}x"
    verdict = "met" if ratio >= target else "NOT met"
    return f"  ratio {ours} / {peer}: {ratio:.2f}x  (target >= {target:g}: {verdict})"
