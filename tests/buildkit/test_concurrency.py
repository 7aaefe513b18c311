"""gc while BuildKit exports into the same directory: a context and its branch
exported in turn into one layout (BuildKit reuses the blobs it finds there
rather than writing them again), while gc with no grace period runs in a loop
through both CLIs. After every export, once the gc then running has finished,
every blob index.json reaches is there; at the end BuildKit imports the
layout with every hit. A BuildKit export that found the lock held (BuildKit
does not wait for it) is counted and run again."""

from __future__ import annotations

import threading
from pathlib import Path

from clis import run
from conftest import REPORT, Imports

ROUNDS = 12


class GcLoop:
    """gc --grace-period 0 in a loop, Node and Python in turn, that can be
    held between two runs."""

    def __init__(self, layout: Path) -> None:
        self.layout = layout
        self.runs = 0
        self.restored = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._hold = threading.Lock()
        self._thread = threading.Thread(target=self._loop)

    def _loop(self) -> None:
        clis = ("node", "python")
        while not self._stop.is_set():
            with self._hold:
                r = run(clis[self.runs % 2], "gc", "--json", "--grace-period", "0", "--settle", "1", str(self.layout))
                self.runs += 1
                if r.code != 0:
                    self.failures.append(r.stderr.strip())
                else:
                    self.restored += len(r.json()["restored"])

    def __enter__(self) -> GcLoop:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def held(self) -> threading.Lock:
        """Held, no gc runs (the one running finishes first)."""
        return self._hold


def test_gc_in_a_loop_during_exports_breaks_nothing(imports: Imports, work: Path) -> None:
    ctxs = imports.ctxs
    pair = ["app", ctxs["app"].branches[0]]
    layout = work / "concurrent"
    # BuildKit's own cache holds both builds, so each export reuses the blobs
    # the layout already has (when gc has not taken them).
    for c in pair:
        imports.bk.build(ctxs[c].dir, imports.tools)
    broken: list[tuple[int, list[object]]] = []
    lock_busy = 0

    def export(ctx: str) -> None:
        nonlocal lock_busy
        for _ in range(5):
            b = imports.bk.build(ctxs[ctx].dir, imports.tools, cold=False, check=False, export=f"type=local,dest={layout},mode=max")
            if b.returncode == 0:
                return
            assert "could not lock" in b.log, b.log[-3000:]
            lock_busy += 1
        raise AssertionError("five exports in a row found the lock held")

    export(pair[1])  # the layout exists before gc first looks at it
    with GcLoop(layout) as loop:
        for n in range(ROUNDS):
            export(pair[n % 2])
            with loop.held():
                report = run("python", "verify", "--json", str(layout)).json()
            missing = [f for f in report["findings"] if f["code"] == "MISSING_BLOB"]
            if missing:
                broken.append((n, missing))
        gc_runs, restored, failures = loop.runs, loop.restored, loop.failures
    assert not failures, failures
    assert not broken, f"{len(broken)} of {ROUNDS} rounds left index.json pointing at deleted blobs: {broken[:2]}"
    assert gc_runs >= ROUNDS, f"only {gc_runs} gc runs"
    REPORT.add(context=pair[(ROUNDS - 1) % 2], cache=f"{ROUNDS} exports, {gc_runs} gc runs ({restored} put back, {lock_busy} lock busy)",
               hits=[], steps=imports.reference(pair[0])[1])
    final = run("python", "verify", "--json", str(layout)).json()
    assert final["ok"], final["findings"]
    imports.check(pair[(ROUNDS - 1) % 2], imports.local(layout), "after exports and gc in a loop")
