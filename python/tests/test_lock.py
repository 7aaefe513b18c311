"""BuildKit's lock on index.json (``index.json.lock``): ocicache waits for a
writer that holds it the way BuildKit's exporter does
(``tests/concurrency/buildkit_put.py``), gives up with ``CACHE_LOCKED`` after
its timeout, and two merges into one layout keep both tags."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TESTS

from ocicache import ImageIndex, OcicacheError, operations
from ocicache.storage import LocalStorage

TWICE = TESTS / "fixtures" / "buildkit" / "twice" / "cache"
SMALL = TESTS / "fixtures" / "buildkit" / "small-max" / "cache"
PUT = TESTS / "concurrency" / "buildkit_put.py"
# The first export of `twice`: in the layout, no longer tagged.
FIRST = ("sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e", 2540)


def tags(layout: Path) -> list[str]:
    return ImageIndex.from_bytes((layout / "index.json").read_bytes()).tags()


def buildkit_put(layout: Path, tag: str, hold: float) -> subprocess.Popen[str]:
    """A BuildKit-style writer holding the lock for ``hold`` seconds."""
    p = subprocess.Popen(
        [sys.executable, str(PUT), str(layout), tag, FIRST[0], str(FIRST[1]), "--hold", str(hold)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "locked"
    return p


def test_a_merge_waits_for_a_buildkit_export_and_both_tags_stay(tmp_path: Path) -> None:
    layout = tmp_path / "cache"
    shutil.copytree(TWICE, layout)
    writer = buildkit_put(layout, "exported", 0.5)
    started = time.monotonic()
    operations.merge(LocalStorage(layout), [(LocalStorage(SMALL), "latest")], tag="merged")
    assert time.monotonic() - started >= 0.4, "the merge did not wait for the lock"
    assert writer.wait() == 0
    assert sorted(tags(layout)) == ["exported", "latest", "merged"]
    assert operations.verify(LocalStorage(layout)).ok


def test_a_held_lock_is_cache_locked_after_the_timeout(tmp_path: Path) -> None:
    layout = tmp_path / "cache"
    shutil.copytree(TWICE, layout)
    writer = buildkit_put(layout, "exported", 2.0)
    storage = LocalStorage(layout, lock_timeout_ms=200)
    for attempt in (storage.read_index, lambda: storage.update_index(lambda current: current)):
        started = time.monotonic()
        with pytest.raises(OcicacheError) as e:
            attempt()
        assert e.value.code == "CACHE_LOCKED" and 0.15 <= time.monotonic() - started < 1.5
    assert writer.wait() == 0
    # BuildKit removed its lock file; the next writer takes a new one.
    storage.update_index(lambda current: current)
    assert "exported" in tags(layout)


def test_ocicache_holding_the_lock_makes_a_buildkit_export_fail_only_while_it_holds_it(tmp_path: Path) -> None:
    """BuildKit does not wait (TryLock): ocicache holds the lock only around
    index.json itself, so an export after that succeeds."""
    layout = tmp_path / "cache"
    shutil.copytree(TWICE, layout)
    put = [sys.executable, str(PUT), str(layout), "exported", FIRST[0], str(FIRST[1])]

    def during(current: bytes | None) -> bytes | None:
        assert subprocess.run(put, capture_output=True, text=True).stdout.strip() == "busy"
        return None

    LocalStorage(layout).update_index(during)
    assert subprocess.run(put, capture_output=True, text=True).returncode == 0
    assert "exported" in tags(layout)


@pytest.mark.parametrize("trial", range(10))
def test_two_merges_into_one_layout_keep_both_tags(tmp_path: Path, trial: int) -> None:
    layout = tmp_path / "cache"
    shutil.copytree(TWICE, layout)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "ocicache", "merge", "--json", "--tag", tag, str(layout), str(SMALL)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for tag in ("one", "two")
    ]
    for r in runs:
        out, _ = r.communicate()
        assert r.returncode == 0 and json.loads(out)["tag"] in ("one", "two")
    assert sorted(tags(layout)) == ["latest", "one", "two"]
