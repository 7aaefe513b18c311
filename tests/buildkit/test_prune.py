"""prune, through both CLIs, against a real BuildKit: a mode=max export of
the 3-stage ``app`` pruned to the size of its final stage's results still
gives every step CACHED; pruned below that, BuildKit still imports it (fewer
hits, never an error); a merge of ``app`` and its branch pruned to a budget
that holds both final stages keeps full hits for both. Every time the bytes
freed are what ``--dry-run`` said and verify is clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clis import both, copy_layout, ok, run
from conftest import REPORT, Imports
from contexts import Context


def plan_of(src: Path, budget: int) -> Any:
    return ok(run("python", "prune", "--dry-run", "--json", "--max-size", str(budget), str(src))).json()


def final_budget(src: Path) -> int:
    """The documents plus every layer a final record's results use, each
    counted once: what the cache needs to keep only its final stages'
    results. (Walks the layer chains of the one tag's config itself.)"""
    plan = plan_of(src, 1 << 50)
    docs = plan["bytesBefore"] - sum(layer["size"] for layer in plan["layers"])

    def blob(digest: str) -> Any:
        return json.loads((src / "blobs" / digest.replace(":", "/", 1)).read_bytes())

    index = json.loads((src / "index.json").read_bytes())
    manifest = blob(index["manifests"][0]["digest"])
    layers = manifest.get("layers") or [m for m in manifest["manifests"] if "cacheconfig" not in m["mediaType"]]
    sizes = {d["digest"]: d["size"] for d in layers}
    config_digest = manifest["config"]["digest"] if "config" in manifest else next(m for m in manifest["manifests"] if "cacheconfig" in m["mediaType"])["digest"]
    config = blob(config_digest)
    used: set[str] = set()
    for r in plan["plan"]:
        if r["final"]:
            at = r["layer"]
            while at != -1:
                used.add(config["layers"][at]["blob"])
                at = config["layers"][at].get("parent", 0)
    return int(docs + sum(sizes[d] for d in used))


def stored(d: Path) -> int:
    return sum(p.stat().st_size for p in (d / "blobs").rglob("*") if p.is_file())


def pruned(imports: Imports, work: Path, name: str, src: Path, budget: int) -> tuple[Path, Any]:
    """Both CLIs prune a copy of ``src`` to ``budget``: they agree, free
    what the dry run said, stay within the budget, and verify is clean."""
    dry = plan_of(src, budget)
    out, r = both(work, name, copy_layout(src), lambda d: ["prune", "--json", "--max-size", str(budget), "--grace-period", "0", "--settle", "0", str(d)])
    done = r.json()
    assert done["freedBytes"] == dry["freedBytes"] and done["plan"] == dry["plan"]
    assert stored(src) - stored(out) == dry["freedBytes"], "gc left or took other bytes than the plan said"
    assert stored(out) <= budget
    report = ok(run("node", "verify", "--json", str(out))).json()
    assert report["ok"] and report["unreachable"] == 0, report["findings"]
    return out, done


def test_pruned_to_the_final_stage_hits_every_step(imports: Imports, work: Path) -> None:
    src = Path(imports.export("app", "max"))
    budget = final_budget(src)
    out, done = pruned(imports, work, "prune-final", src, budget)
    assert done["droppedResults"] > 0 and all(r["kept"] for r in done["plan"] if r["final"])
    imports.check("app", imports.local(out), f"prune to the final stage ({stored(out)} of {stored(src)} bytes)", repeat=2)


def test_pruned_below_the_final_stage_still_imports(imports: Imports, work: Path) -> None:
    src = Path(imports.export("app", "max"))
    plan = plan_of(src, 1 << 50)
    docs = plan["bytesBefore"] - sum(layer["size"] for layer in plan["layers"])
    budget = int(docs + (final_budget(src) - docs) // 2)
    out, done = pruned(imports, work, "prune-below", src, budget)
    assert not all(r["kept"] for r in done["plan"] if r["final"])
    _, steps, full = imports.reference("app")
    b = imports.bk.build(imports.ctxs["app"].dir, imports.tools, imports=(imports.local(out),))
    assert b.hits < full, "a cache without the final stage's results cannot hit every step"
    REPORT.add(context="app", cache=f"prune below the final stage ({stored(out)} bytes; not full by design)", hits=[b.hits], steps=steps)


def test_a_pruned_merge_keeps_both_final_stages(imports: Imports, ctxs: dict[str, Context], work: Path) -> None:
    names = ["app", ctxs["app"].branches[0]]
    sources = [imports.export(c, "max") for c in names]
    merged, _ = both(work, "prune-merge-src", lambda d: None, lambda d: ["merge", str(d), *sources])
    budget = final_budget(merged)
    out, done = pruned(imports, work, "prune-merge", merged, budget)
    assert done["droppedResults"] > 0
    assert sum(1 for r in done["plan"] if r["final"] and r["kept"]) >= 2
    for c in names:
        imports.check(c, imports.local(out), f"merge of {'+'.join(names)} pruned to both final stages", repeat=3, output=c == names[-1])
