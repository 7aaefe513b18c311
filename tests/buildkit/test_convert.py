"""convert, through both CLIs: every compression to every other (BuildKit's
gzip, zstd, estargz and uncompressed exports as the sources) and every
wrapper form, each imported by BuildKit with every hit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pytest

from clis import both, copy_layout, ok, run
from conftest import Imports, primary

# (export setting, --compression, --form, the layer compression after)
CASES = [
    ("max", "zstd", None, "zstd"),
    ("max", "uncompressed", None, "uncompressed"),
    ("zstd", "gzip", None, "gzip"),
    ("zstd", "uncompressed", None, "uncompressed"),
    ("uncompressed", "gzip", None, "gzip"),
    ("uncompressed", "zstd", None, "zstd"),
    ("estargz", "gzip", None, "gzip"),
    ("estargz", "zstd", None, "zstd"),
    ("estargz", "uncompressed", None, "uncompressed"),
    ("max", None, "image-index", "gzip"),
    ("max", None, "docker-manifest-list", "gzip"),
    ("index", None, "image-manifest", "gzip"),
    ("docker", None, "image-manifest", "gzip"),
]

ESTARGZ = ("containerd.io/snapshot/stargz/toc.digest", "io.containers.estargz.uncompressed-size")


def manifest(layout: Path) -> dict[str, Any]:
    """The manifest (or index) ``latest`` names."""
    index = json.loads((layout / "index.json").read_text())
    entry = next(m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "latest")
    doc: dict[str, Any] = json.loads((layout / "blobs" / entry["digest"].replace(":", "/")).read_text())
    return doc


def layers(m: dict[str, Any]) -> list[dict[str, Any]]:
    """A cache manifest's layer descriptors, in any wrapper form."""
    return m.get("layers") or [d for d in m.get("manifests", []) if "layer" in d["mediaType"]]


@pytest.mark.parametrize("setting,compression,form,after", CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("ctx", primary())
def test_convert_imports_whole(
    imports: Imports, work: Path, ctx: str, setting: str, compression: Optional[str], form: Optional[str], after: str
) -> None:
    src = Path(imports.export(ctx, setting))
    flags = (["--compression", compression] if compression else []) + (["--form", form] if form else [])
    name = f"convert-{ctx}-{setting}-{compression or form}"
    out, _ = both(work, name, copy_layout(src), lambda d: ["convert", "--json", *flags, str(d)])
    report = ok(run("node", "verify", "--json", str(out))).json()
    assert report["ok"] and report["findings"] == [], report["findings"]
    tag = ok(run("python", "inspect", "--json", str(out))).json()["tags"][0]
    assert set(tag["compression"]) == {after}, tag["compression"]
    if form:
        assert tag["form"] == form
    # estargz annotations stay only on blobs that are still the estargz ones.
    estargz = {d["digest"] for d in layers(manifest(src)) if any(k in d.get("annotations", {}) for k in ESTARGZ)}
    for d in layers(manifest(out)):
        kept = [k for k in ESTARGZ if k in d.get("annotations", {})]
        assert not kept or d["digest"] in estargz, f"{d['digest']} is no longer estargz but keeps {kept}"
    imports.check(ctx, imports.local(out), f"convert {setting} -> {compression or form}")
