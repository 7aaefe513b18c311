"""prune: the shared vectors (tests/cases/prune/ and tests/cases/budget/),
and a prune carried out on a copy of a bundled export through the local
driver, then checked by verify and by a second prune."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS, load

import ocicache
from ocicache import OcicacheError, operations
from ocicache.storage import LocalStorage

FIXTURES = TESTS / "fixtures" / "buildkit"
NOW_MS = 1_796_169_600_000


def copy(name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(FIXTURES / name / "cache", target, copy_function=shutil.copyfile)
    return target


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", load("cases/budget/cases.json"), ids=lambda c: c["name"])
def test_budget_vectors(case: dict[str, Any]) -> None:
    def call() -> int:
        if "size" in case:
            return ocicache.parse_byte_size(case["size"])
        return ocicache.parse_duration_ms(case["age"])

    if "error" in case:
        with pytest.raises(OcicacheError) as e:
            call()
        assert e.value.code == case["error"]
    else:
        assert call() == case.get("bytes", case.get("ms"))


@pytest.mark.parametrize("case", load("cases/prune/cases.json"), ids=lambda c: c["name"])
def test_prune_vectors(case: dict[str, Any]) -> None:
    cache = operations.load_cache(LocalStorage(FIXTURES / case["export"] / "cache"))
    o = case["options"]
    plan = cache.prune_plan(now_ms=o["nowMs"], max_size=o.get("maxSize"), max_age_ms=o.get("maxAgeMs"))
    assert plan.to_dict() == case["plan"]


def test_prune_carried_out_verifies_clean_and_frees_what_it_said(tmp_path: Path) -> None:
    root = copy("local-max", tmp_path)
    storage = LocalStorage(root)
    before = tree(root)
    dry = operations.prune(storage, max_size=1_200_000, dry_run=True, now_ms=NOW_MS)
    assert tree(root) == before, "a dry run changes nothing"
    assert dry.gc is None and dry.skipped == []
    stored = sum(len(b) for p, b in before.items() if p.startswith("blobs/"))
    done = operations.prune(storage, max_size=1_200_000, grace_period_ms=0, settle_ms=0)
    assert done.plan.to_dict(True)["freedBytes"] == dry.plan.freed_bytes == 1_054_792
    assert done.gc is not None and done.skipped == []
    after = sum(len(b) for p, b in tree(root).items() if p.startswith("blobs/"))
    assert stored - after == dry.plan.freed_bytes
    assert after <= 1_200_000
    report = operations.verify(storage)
    assert report.ok and report.to_dict()["findings"] == []
    again = operations.prune(storage, max_size=1_200_000, dry_run=True, now_ms=NOW_MS)
    assert again.plan.tags == [] and again.plan.freed_bytes == 0


def test_prune_refuses_an_impossible_budget_and_an_unknown_tag(tmp_path: Path) -> None:
    root = copy("small-max", tmp_path)
    before = tree(root)
    storage = LocalStorage(root)
    with pytest.raises(OcicacheError) as e:
        operations.prune(storage, max_size=10, grace_period_ms=0)
    assert e.value.code == "BUDGET_TOO_SMALL"
    with pytest.raises(OcicacheError) as e:
        operations.prune(storage, max_size=10**9, keep_tags=["nope"])
    assert e.value.code == "TAG_NOT_FOUND"
    assert tree(root) == before
