"""Negative controls: a flipped byte and a missing blob in a layer the build
needs are caught by both CLIs' verify and by BuildKit itself (when it
fetches the layer for an output). Without these, a check that always passes
would look the same as one that works. BuildKit runs on a daemon of each
test's own: one that refused a damaged layer is not trusted afterwards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clis import CLIS, run
from conftest import Imports, primary
from daemon import Daemon
from image import cache_diff_ids, unpack


# The empty layer (32 bytes of gzip): BuildKit writes it for steps that add
# nothing (WORKDIR), and running such a step again gives it back unchanged.
EMPTY = "sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1"


def final_layer(layout: Path) -> Path:
    """The topmost non-empty layer blob of the final record's result: one an
    output build must fetch, and that running its step again would change."""
    index = json.loads((layout / "index.json").read_text())

    def blob(digest: str) -> Path:
        return layout / "blobs" / digest.replace(":", "/")

    manifest = json.loads(blob(index["manifests"][0]["digest"]).read_text())
    config = json.loads(blob(manifest["config"]["digest"]).read_text())
    linked = {i["link"] for r in config["records"] for slot in r.get("inputs", []) for i in slot}
    (leaf,) = [r for n, r in enumerate(config["records"]) if n not in linked]
    at = leaf["layers"][0]["layer"]
    while config["layers"][at]["blob"] == EMPTY:
        at = config["layers"][at].get("parent", 0)
    return blob(config["layers"][at]["blob"])


@pytest.mark.parametrize("damage", ["flip", "remove"])
@pytest.mark.parametrize("ctx", primary())
def test_damage_is_caught_by_verify_and_by_buildkit(imports: Imports, spare_bk: Daemon, work: Path, ctx: str, damage: str) -> None:
    d = work / f"damaged-{ctx}-{damage}"
    shutil.copytree(imports.export(ctx, "max"), d)
    layer = final_layer(d)
    digest = f"sha256:{layer.name}"
    if damage == "flip":
        data = bytearray(layer.read_bytes())
        data[len(data) // 2] ^= 0x01
        layer.chmod(0o644)
        layer.write_bytes(bytes(data))
    else:
        layer.unlink()
    code = "DIGEST_MISMATCH" if damage == "flip" else "MISSING_BLOB"
    for cli in CLIS:
        r = run(cli, "verify", "--json", str(d))
        assert r.code == 1, f"{cli}: verify exited {r.code}"
        assert any(f["code"] == code and f["path"].startswith(digest) for f in r.json()["findings"]), r.stdout[:2000]
    tar = work / f"out-{d.name}.tar"
    b = spare_bk.build(imports.ctxs[ctx].dir, imports.tools, imports=(imports.local(d),), oci=tar, check=False)
    # BuildKit either fails on that layer, or refuses it and runs its step
    # again (measured: both happen, for either damage, depending on the
    # layer and the output).
    said = "unexpected commit digest" if damage == "flip" else "not found"
    if b.returncode != 0:
        assert said in b.log and layer.name in b.log, b.log[-3000:]
    else:
        made = set(unpack(tar, work / f"out-{d.name}")) - cache_diff_ids(imports.local(d))
        assert made, "BuildKit used a damaged cache as if it were whole"
