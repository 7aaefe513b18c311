"""The image a build outputs (``--output type=oci``), unpacked; and the
diffIDs a cache holds, read straight from its layout or registry (not through
ocicache), so that the suite can tell whether BuildKit used the cache's
layers or ran the steps again.

BuildKit does not always say: importing from a registry, a final step whose
layers it pulls for the output shows as DONE, not CACHED; and refusing a
layer whose bytes do not match its digest, it runs the step again without an
error. The image's diffIDs do say: a layer BuildKit took from the cache has
the cache's diffID, a step it ran makes a new layer (measured: a refused
224-byte COPY layer came back with another diffID)."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

UNCOMPRESSED = "containerd.io/uncompressed"
ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])


def _open(data: bytes) -> tarfile.TarFile:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return tarfile.open(fileobj=io.BytesIO(data))


def unpack(oci_tar: Path, dest: Path) -> list[str]:
    """Applies the image's layers in order into ``dest`` (whiteouts
    included); returns its config's diffIDs."""
    with tarfile.open(oci_tar) as t:

        def read(name: str) -> bytes:
            f = t.extractfile(name)
            assert f is not None, name
            return f.read()

        def blob(digest: str) -> bytes:
            return read("blobs/" + digest.replace(":", "/"))

        index = json.loads(read("index.json"))
        manifest = json.loads(blob(index["manifests"][0]["digest"]))
        config = json.loads(blob(manifest["config"]["digest"]))
        dest.mkdir(parents=True)
        for layer in manifest["layers"]:
            with _open(blob(layer["digest"])) as lt:
                for m in lt.getmembers():
                    name = os.path.normpath(m.name).lstrip("/")
                    base = os.path.basename(name)
                    if base.startswith(".wh."):
                        target = dest / os.path.dirname(name) / base[len(".wh."):]
                        if base == ".wh..wh..opq":
                            for child in (dest / os.path.dirname(name)).iterdir():
                                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
                        elif target.is_dir() and not target.is_symlink():
                            shutil.rmtree(target)
                        elif target.exists() or target.is_symlink():
                            target.unlink()
                        continue
                    lt.extract(m, dest, filter="tar")
    return list(config["rootfs"]["diff_ids"])


def _layers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "layers" in doc:
        return list(doc["layers"])
    return [d for d in doc.get("manifests", []) if UNCOMPRESSED in d.get("annotations", {})]


def cache_diff_ids(spec: str) -> set[str]:
    """The diffIDs of the layers a cache's manifest lists, for an
    --import-cache value (type=local with src= and tag=, or type=registry
    with ref= on a plain-HTTP registry)."""
    attrs = dict(kv.split("=", 1) for kv in spec.split(","))
    if attrs["type"] == "local":
        root = Path(attrs["src"])
        tag = attrs.get("tag", "latest")
        index = json.loads((root / "index.json").read_text())
        entry = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
        doc = json.loads((root / "blobs" / entry["digest"].replace(":", "/")).read_text())
    else:
        host, _, rest = attrs["ref"].partition("/")
        repo, _, tag = rest.rpartition(":")
        req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", headers={"Accept": ACCEPT})
        with urllib.request.urlopen(req, timeout=30) as r:
            doc = json.loads(r.read())
    return {d["annotations"][UNCOMPRESSED] for d in _layers(doc)}
