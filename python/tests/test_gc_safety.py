"""gc beside concurrent writers, without BuildKit (the interop suite runs it
against a real one): an export that points index.json at blobs gc has moved
aside gets them back; a gc that died halfway is undone by the next; a layout
that never goes quiet keeps everything; dropping a tag keeps a tag exported
meanwhile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import TESTS

from ocicache import ImageIndex, operations
from ocicache.aside import Aside, settle
from ocicache.storage import LocalStorage

TWICE = TESTS / "fixtures" / "buildkit" / "twice" / "cache"
PUT = TESTS / "concurrency" / "buildkit_put.py"
# The first export of `twice`: in the layout, no longer tagged, so gc's.
FIRST = ("sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e", 2540)


def layout(tmp_path: Path) -> Path:
    d = tmp_path / "cache"
    shutil.copytree(TWICE, d)
    return d


def asides(d: Path) -> list[str]:
    ingest = d / "ingest"
    return [n for n in os.listdir(ingest) if n.startswith("ocicache-gc-")] if ingest.is_dir() else []


def test_an_export_during_gc_gets_back_the_blobs_it_points_at(tmp_path: Path) -> None:
    d = layout(tmp_path)
    storage = LocalStorage(d)
    result: dict[str, object] = {}
    gc = threading.Thread(target=lambda: result.update(plan=operations.gc(storage, grace_period_ms=0, settle_ms=800)))
    gc.start()
    # Wait for the first manifest to be moved (the aside folder appears
    # before the blobs are in it).
    first = d / "blobs" / "sha256" / FIRST[0][7:]
    deadline = time.monotonic() + 5
    while first.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not first.exists(), "the first manifest is aside"
    assert asides(d), "gc never moved anything aside"
    # An export that found the first manifest before gc moved it writes
    # index.json with it now (BuildKit's Put, under BuildKit's lock).
    subprocess.run([sys.executable, str(PUT), str(d), "first", *map(str, FIRST)], check=True, capture_output=True)
    gc.join()
    plan = result["plan"]
    data = plan.to_dict(True)  # type: ignore[attr-defined]
    assert len(data["restored"]) == 7 and data["delete"] == [], data
    assert sorted(ImageIndex.from_bytes((d / "index.json").read_bytes()).tags()) == ["first", "latest"]
    report = operations.verify(storage)
    assert report.ok and report.to_dict()["unreachable"] == 0, report.to_text()
    assert asides(d) == []


def test_without_an_export_gc_deletes_what_it_planned(tmp_path: Path) -> None:
    d = layout(tmp_path)
    plan = operations.gc(LocalStorage(d), grace_period_ms=0, settle_ms=0)
    data = plan.to_dict(True)
    assert len(data["delete"]) == 7 and data["restored"] == [] and not data["unsettled"]
    assert operations.verify(LocalStorage(d)).ok and asides(d) == []


def test_a_gc_that_died_halfway_is_undone_by_the_next(tmp_path: Path) -> None:
    d = layout(tmp_path)
    latest = ImageIndex.from_bytes((d / "index.json").read_bytes()).find_tag("latest")["digest"]
    # A gc died with the tagged manifest (wrongly, say) and a garbage blob aside.
    Aside.move(str(d), [str(latest), FIRST[0]])
    assert not operations.verify(LocalStorage(d)).ok
    plan = operations.gc(LocalStorage(d), grace_period_ms=0, settle_ms=0)
    assert len(plan.delete) == 7
    report = operations.verify(LocalStorage(d))
    assert report.ok and report.to_dict()["unreachable"] == 0, report.to_text()
    assert asides(d) == []


def test_a_layout_that_never_goes_quiet_keeps_everything(tmp_path: Path) -> None:
    d = layout(tmp_path)
    (d / "ingest").mkdir(exist_ok=True)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            (d / "ingest" / "upload").write_bytes(b"x")
            time.sleep(0.02)

    writer = threading.Thread(target=busy)
    writer.start()
    try:
        started = time.monotonic()
        assert not settle(str(d), settle_ms=200, max_wait_ms=600)
        assert 0.55 <= time.monotonic() - started < 2
    finally:
        stop.set()
        writer.join()
    # Quiet again: a stale leftover in ingest/ does not hold gc up.
    assert settle(str(d), settle_ms=200, max_wait_ms=2000)
