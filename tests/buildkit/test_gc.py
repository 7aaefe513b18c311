"""gc, through both CLIs, on what users have: a context and its branch
exported into one directory (the second export leaves the first's blobs
behind), under one tag and under two. gc deletes exactly what it planned,
the cache verifies clean, and BuildKit imports exactly as well as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clis import both, copy_layout, ok, run
from conftest import Imports, primary
from contexts import branch_dirs


def contexts() -> list[str]:
    return [c for c in primary() if c not in branch_dirs()]


def two_exports(imports: Imports, work: Path, ctx: str, tags: tuple[str, str]) -> Path:
    """``ctx`` then its first branch exported into one layout, mode=max,
    with ``tags`` (BuildKit keeps both entries when they differ)."""
    d = work / f"gc-{ctx}-{'-'.join(tags)}"
    if not d.exists():
        branch = imports.ctxs[ctx].branches[0]
        for c, tag in zip((ctx, branch), tags):
            imports.bk.build(imports.ctxs[c].dir, imports.tools, export=f"type=local,dest={d},mode=max,tag={tag}")
    return d


def hits(imports: Imports, ctx: str, cache: str) -> int:
    return imports.bk.build(imports.ctxs[ctx].dir, imports.tools, imports=(cache,)).hits


@pytest.mark.parametrize("ctx", contexts())
def test_gc_of_two_exports_under_one_tag(imports: Imports, work: Path, ctx: str) -> None:
    branch = imports.ctxs[ctx].branches[0]
    src = two_exports(imports, work, ctx, ("latest", "latest"))
    main_before = hits(imports, ctx, imports.local(src))
    dry, planned = both(work, f"gc-dry-{ctx}", copy_layout(src), lambda d: ["gc", "--dry-run", "--json", "--grace-period", "0", str(d)])
    plan = planned.json()
    assert plan["delete"], "the first export's manifest, config and layers are garbage"
    out, done = both(work, f"gc-{ctx}", copy_layout(src), lambda d: ["gc", "--json", "--grace-period", "0", str(d)])
    assert done.json()["delete"] == plan["delete"]
    assert all((src / d["blob"]).exists() and not (out / d["blob"]).exists() for d in plan["delete"])
    report = ok(run("node", "verify", "--json", str(out))).json()
    assert report["ok"] and report["unreachable"] == 0 and report["findings"] == []
    imports.check(branch, imports.local(out), "gc of two exports, one tag")
    assert hits(imports, ctx, imports.local(out)) == main_before, "gc changed what the first context can reuse"
    shutil.rmtree(dry)


@pytest.mark.parametrize("ctx", contexts())
def test_gc_keeps_both_tags_and_drops_one_when_asked(imports: Imports, work: Path, ctx: str) -> None:
    branch = imports.ctxs[ctx].branches[0]
    src = two_exports(imports, work, ctx, ("main", "branch"))
    kept, r = both(work, f"gc-tags-{ctx}", copy_layout(src), lambda d: ["gc", "--json", "--grace-period", "0", str(d)])
    assert r.json()["delete"] == [], "both tags reach every blob"
    imports.check(ctx, imports.local(kept, "main"), "gc of two tags: main")
    imports.check(branch, imports.local(kept, "branch"), "gc of two tags: branch")
    dropped, r = both(work, f"gc-drop-{ctx}", copy_layout(src), lambda d: ["gc", "--json", "--grace-period", "0", "--drop-tags", "main", str(d)])
    assert r.json()["delete"], "main's own blobs go"
    assert [t["tag"] for t in ok(run("python", "inspect", "--json", str(dropped))).json()["tags"]] == ["branch"]
    imports.check(branch, imports.local(dropped, "branch"), "gc --drop-tags main: branch")
