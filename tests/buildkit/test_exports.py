"""BuildKit's own exports, in every setting users use, for every context:
both CLIs verify them clean and inspect them to the same JSON, and BuildKit
imports each with every step CACHED (the originals every later flow is
measured against)."""

from __future__ import annotations

import pytest

from clis import CLIS, ok, run
from conftest import SETTINGS, Imports, primary


def location(imports: Imports, ctx: str, setting: str) -> str:
    """The ocicache location of an export."""
    where = imports.export(ctx, setting)
    return f"type=registry,ref={where},registry.insecure=true" if setting == "registry" else where


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("ctx", primary())
def test_export_is_clean_in_both_clis_and_imports_whole(imports: Imports, ctx: str, setting: str) -> None:
    loc = location(imports, ctx, setting)
    for command in ("verify", "inspect"):
        outs = {cli: ok(run(cli, command, "--json", loc)).json() for cli in CLIS}
        assert outs["node"] == outs["python"], f"{command} --json differs between the CLIs"
        report = outs["node"]
        if command == "verify":
            assert report["ok"] and report["findings"] == [] and report["unreachable"] == 0, report["findings"]
        else:
            assert [t["tag"] for t in report["tags"]] == ["max" if setting == "registry" else "latest"]
            assert report["findings"] == []
    cache = imports.remote(imports.export(ctx, setting)) if setting == "registry" else imports.local(loc)
    imports.check(ctx, cache, f"BuildKit export {setting}")
