"""merge, through both CLIs: a context and its branches (2 and 3 sources),
mixed compressions, and a cache with itself. Each source's context imports
the merged cache with every hit on every one of repeated builds — the
importer walks leaves in a random order (see core/src/merge/join.rs), so
one build proves little. BuildKit's own answer, several --import-cache,
is measured beside it for the README (not asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clis import both, ok, run
from conftest import REPORT, Imports, primary
from contexts import Context, branch_dirs

REPEAT = 8


def groups() -> list[tuple[str, int]]:
    """(context, number of its branches merged in): every context with one
    branch, and app with two (3 sources)."""
    return [(c, 1) for c in primary() if c not in branch_dirs()] + [("app", 2)]


@pytest.mark.parametrize("ctx,n", groups(), ids=lambda v: str(v))
def test_merged_branches_hit_every_step_every_time(imports: Imports, ctxs: dict[str, Context], work: Path, ctx: str, n: int) -> None:
    names = [ctx, *ctxs[ctx].branches[:n]]
    sources = [imports.export(c, "max") for c in names]
    out, r = both(work, f"merge-{'-'.join(names)}", lambda d: None, lambda d: ["merge", "--json", str(d), *sources])
    assert r.json()["sources"] == len(names)
    report = ok(run("python", "verify", "--json", str(out))).json()
    assert report["ok"] and report["findings"] == [], report["findings"]
    for c in names:
        imports.check(c, imports.local(out), f"merge of {len(names)}: {'+'.join(names)}", repeat=REPEAT, output=c == names[-1])


def test_buildkits_own_several_imports_for_comparison(imports: Imports, ctxs: dict[str, Context]) -> None:
    """What BuildKit does with --import-cache main --import-cache branch:
    measured for the README's comparison, not asserted."""
    names = ["app", ctxs["app"].branches[0]]
    caches = tuple(imports.local(imports.export(c, "max")) for c in names)
    for c in names:
        hits = [imports.bk.build(ctxs[c].dir, imports.tools, imports=caches).hits for _ in range(REPEAT)]
        REPORT.add(context=c, cache=f"BuildKit --import-cache x2: {'+'.join(names)} (not asserted)", hits=hits, steps=imports.reference(c)[1])


def test_merge_of_mixed_compressions_imports_whole(imports: Imports, ctxs: dict[str, Context], work: Path) -> None:
    names = ["app", ctxs["app"].branches[0]]
    sources = [imports.export(names[0], "max"), imports.export(names[1], "zstd")]
    out, _ = both(work, "merge-mixed", lambda d: None, lambda d: ["merge", str(d), *sources])
    for c in names:
        imports.check(c, imports.local(out), "merge of gzip + zstd", repeat=2)


@pytest.mark.parametrize("ctx", primary())
def test_merging_a_cache_with_itself_changes_nothing(imports: Imports, work: Path, ctx: str) -> None:
    src = Path(imports.export(ctx, "max"))
    out, r = both(work, f"merge-self-{ctx}", lambda d: None, lambda d: ["merge", "--json", str(d), str(src), str(src)])
    index = json.loads((src / "index.json").read_text())
    assert r.json()["descriptor"]["digest"] == index["manifests"][0]["digest"]
