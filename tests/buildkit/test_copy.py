"""copy, through both CLIs: local → registry → local for every context, and
BuildKit's own registry export restored into a directory the way the README
shows it. BuildKit imports the copy in the registry and the one restored."""

from __future__ import annotations

from pathlib import Path

import pytest

from clis import CLIS, both, ok, run, tree
from conftest import Imports, primary


@pytest.mark.parametrize("ctx", primary())
def test_local_to_registry_to_local(imports: Imports, work: Path, ctx: str) -> None:
    src = Path(imports.export(ctx, "max"))
    pushed = {}
    for cli in CLIS:
        ref = f"{imports.registry}/interop/copy-{ctx}-{cli}:cache"
        r = ok(run(cli, "copy", "--json", str(src), ref)).json()
        pushed[cli] = (ref, r["descriptor"]["digest"])
    assert pushed["node"][1] == pushed["python"][1], "the CLIs pushed different manifests"
    imports.check(ctx, imports.remote(pushed["node"][0]), "copy local -> registry")
    imports.check(ctx, imports.remote(pushed["python"][0]), "copy local -> registry (Python)", output=False)
    # Back, into a directory that does not exist yet.
    out, _ = both(work, f"restored-{ctx}", lambda d: None, lambda d: ["copy", pushed["node"][0], str(d)])
    assert tree(out) == tree(src), "local -> registry -> local is not byte-identical"
    imports.check(ctx, imports.local(out), "copy local -> registry -> local")


@pytest.mark.parametrize("ctx", primary())
def test_buildkits_registry_export_restored_as_the_readme_shows(imports: Imports, work: Path, ctx: str) -> None:
    """`ocicache copy REGISTRY/REPO:max ./restored`, then --cache-from
    type=local,src=./restored with no tag= (BuildKit reads `latest`)."""
    ref = imports.export(ctx, "registry")
    out, r = both(work, f"readme-{ctx}", lambda d: None, lambda d: ["copy", ref, f"./{d.name}"], cwd=work)
    assert "as latest" in r.stdout
    imports.check(ctx, imports.local(out), "BuildKit registry export -> copy -> local")
