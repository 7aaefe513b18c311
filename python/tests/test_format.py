"""The cache format vectors (tests/cases/{cache_config,manifest,layout}) and
every bundled BuildKit export, through the Python binding."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import pytest

import ocicache
from ocicache import (
    CacheConfig,
    CacheManifest,
    ImageIndex,
    ImageManifest,
    MediaType,
    OcicacheError,
    OciLayout,
    Reachability,
)

from conftest import TESTS, input_bytes, load

if TYPE_CHECKING:
    from ocicache._native import _Finding

CONFIG_CASES = load("cases/cache_config/cases.json")
MANIFEST_CASES = load("cases/manifest/cases.json")
LAYOUT_CASES = load("cases/layout/cases.json")
FIXTURES = TESTS / "fixtures" / "buildkit"


def check_error(err: OcicacheError, want: dict[str, Any]) -> None:
    assert err.code == want["code"], str(err)
    if "field" in want:
        assert err.field == want["field"], str(err)


def pairs(findings: list[_Finding]) -> list[dict[str, str]]:
    return [{"code": f["code"], "path": f["path"]} for f in findings]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c["name"] for c in CONFIG_CASES])
def test_cache_config_vectors(case: dict[str, Any]) -> None:
    data = input_bytes(case["input"])
    options = case.get("options", {})
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            CacheConfig.from_bytes(data, max_size=options.get("maxSize"))
        check_error(info.value, case["error"])
        return
    config = CacheConfig.from_bytes(data, max_size=options.get("maxSize"))
    if options.get("normalize"):
        config = config.normalized()
    expect = case["expect"]
    out = config.to_bytes()
    assert out == (expect["bytes"].encode() if "bytes" in expect else data)
    assert CacheConfig.from_bytes(out).to_bytes() == out
    if "digest" in expect:
        assert config.digest() == expect["digest"]
    findings = config.validate(blobs=options.get("blobs"), require_annotations=bool(options.get("requireAnnotations")))
    assert pairs(findings) == expect["findings"]
    if "records" in expect:
        assert (config.record_count, config.layer_count) == (expect["records"], expect["layers"])


@pytest.mark.parametrize("case", MANIFEST_CASES, ids=[c["name"] for c in MANIFEST_CASES])
def test_manifest_vectors(case: dict[str, Any]) -> None:
    data = input_bytes(case["input"])
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            CacheManifest.from_bytes(data)
        check_error(info.value, case["error"])
        return
    m = CacheManifest.from_bytes(data)
    expect = case["expect"]
    assert m.to_bytes() == data
    assert m.form == expect["form"]
    assert pairs(m.validate()) == expect["findings"]
    assert m.to_dict() == json.loads(data)
    if "config" in expect:
        assert m.config["digest"] == expect["config"]
    if "layers" in expect:
        assert [d["digest"] for d in m.layers] == expect["layers"]
    for form, want in expect.get("convert", {}).items():
        assert m.convert(form).to_bytes().decode() == want


def _layout_op(case: dict[str, Any]) -> Any:
    def enc(s: Optional[str]) -> Optional[bytes]:
        return None if s is None else s.encode()

    op = case["op"]
    if op == "putTag":
        return ImageIndex.updated_layout_index(enc(case["current"]), case["tag"], case["descriptor"]).decode()
    if op == "findTag":
        return ImageIndex.from_bytes(str(case["current"]).encode()).find_tag(case["tag"])["digest"]
    if op == "blobPath":
        return OciLayout.blob_path(case["digest"])
    if op == "digestFromPath":
        return OciLayout.digest_from_path(case["path"])
    if op == "checkFile":
        OciLayout.check_file(str(case["content"]).encode())
        return True
    raise AssertionError(op)


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=[c["name"] for c in LAYOUT_CASES])
def test_layout_vectors(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            _layout_op(case)
        check_error(info.value, case["error"])
    else:
        assert _layout_op(case) == case["expect"]


INLINE_CASES = load("cases/inline/cases.json")


@pytest.mark.parametrize("case", INLINE_CASES, ids=[c["name"] for c in INLINE_CASES])
def test_inline_vectors(case: dict[str, Any]) -> None:
    def run() -> Optional[ocicache.InlineCache]:
        return ocicache.inline_cache(case["manifest"].encode(), case["imageConfig"].encode())

    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            run()
        check_error(info.value, case["error"])
        return
    found = run()
    if case["expect"] is None:
        assert found is None
        return
    assert found is not None
    config = found.config.to_dict()
    assert [layer.get("parent", 0) for layer in config["layers"]] == case["expect"]["parents"]
    assert json.dumps(config["records"], separators=(",", ":")) == case["expect"]["records"]
    assert [d["annotations"] for d in found.layers] == case["expect"]["annotations"]
    assert pairs(found.config.validate()) == case["expect"]["findings"]


EXPORTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", EXPORTS, ids=[p.name for p in EXPORTS])
def test_bundled_exports_round_trip_and_validate(case: Path) -> None:
    registry = (case / "manifest.json").exists()
    root = case if registry else case / "cache"

    def blob(digest: str) -> bytes:
        path = root / OciLayout.blob_path(digest)
        return path.read_bytes() if path.exists() else (case / "config.json").read_bytes()

    if registry:
        manifest_bytes = (case / "manifest.json").read_bytes()
    else:
        OciLayout.check_file((root / "oci-layout").read_bytes())
        index_bytes = (root / "index.json").read_bytes()
        index = ImageIndex.from_bytes(index_bytes)
        assert index.to_bytes() == index_bytes
        assert index.validate() == []
        entry = index.find_tag("latest")
        assert ImageIndex.updated_layout_index(index_bytes, "latest", entry) == index_bytes
        manifest_bytes = blob(entry["digest"])
    m = CacheManifest.from_bytes(manifest_bytes)
    assert m.to_bytes() == manifest_bytes
    assert m.validate() == []
    config_bytes = blob(m.config["digest"])
    config = CacheConfig.from_bytes(config_bytes)
    assert config.to_bytes() == config_bytes
    assert config.digest() == m.config["digest"]
    assert m.validate_with_config(config) == []
    assert config.to_dict() == json.loads(config_bytes)
    assert CacheManifest.build(m.form, m.config, m.layers).to_bytes() == manifest_bytes
    sizes = {d["digest"]: d["size"] for d in m.layers}
    for i in range(config.record_count):
        s = config.record_size(i, sizes)
        assert s["unique"] <= s["total"] and s["unknown"] == 0


def test_twice_reaches_nine_of_sixteen_blobs() -> None:
    root = FIXTURES / "twice" / "cache"
    expected = sorted(b["digest"] for b in load("fixtures/buildkit/twice/case.json")["blobs"] if b["reachable_from_index_json"])
    walk = Reachability((root / "index.json").read_bytes())
    while (d := walk.next_needed()) is not None:
        walk.feed(d["digest"], (root / OciLayout.blob_path(d["digest"])).read_bytes())
    assert walk.reachable() == expected
    assert len(expected) == 9 and len(list((root / "blobs" / "sha256").iterdir())) == 16
    assert Reachability((root / "index.json").read_bytes(), ["other"]).reachable() == []


def test_media_type_class_matches_the_core() -> None:
    assert {k: v for k, v in vars(MediaType).items() if k.isupper()} == ocicache.media_types()


def test_keys_inline_cache_and_argument_errors() -> None:
    d = "sha256:" + "a" * 64
    assert ocicache.gha_index_key("buildkit", "refs/heads/main") == "index-buildkit-1-f921bd05"
    assert ocicache.s3_blob_key("ci/", "blobs/", d) == f"ci/blobs/{d}"
    assert ocicache.azblob_blob_path("a//b", "blobs", d) == f"a/b/blobs/{d}"
    layer = {"mediaType": MediaType.OCI_LAYER_GZIP, "digest": "sha256:" + "b" * 64, "size": 3}
    manifest = json.dumps({"schemaVersion": 2, "config": {"mediaType": MediaType.OCI_IMAGE_CONFIG, "digest": "sha256:" + "c" * 64, "size": 2}, "layers": [layer]})
    records = b'[{"layers":[{"layer":0,"createdAt":"2024-01-01T00:00:00Z"}],"digest":"x"}]'
    image_config = json.dumps({"rootfs": {"diff_ids": ["sha256:" + "d" * 64]}, "moby.buildkit.cache.v0": base64.b64encode(records).decode()})
    found: Optional[ocicache.InlineCache] = ocicache.inline_cache(manifest.encode(), image_config.encode())
    assert found is not None and found.config.record_count == 1
    assert found.layers[0]["annotations"]["containerd.io/uncompressed"] == "sha256:" + "d" * 64
    assert ocicache.inline_cache(manifest.encode(), b'{"rootfs":{"diff_ids":[]}}') is None
    with pytest.raises(TypeError):
        CacheConfig.from_bytes("{}")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CacheManifest.build("image-manifest", "x", [])  # type: ignore[arg-type]
    with pytest.raises(OcicacheError) as info:
        CacheConfig.from_bytes(b"{}").layer_chain(0)
    assert info.value.code == "INVALID_LAYER_INDEX"
    assert ImageManifest.from_bytes(b'{"schemaVersion":2}').validate()[0]["code"] == "MISSING_FIELD"
    digest_object = ocicache.Digest.parse(d)
    assert OciLayout.blob_path(digest_object) == OciLayout.blob_path(d)
    assert ocicache.gha_blob_key(digest_object) == f"buildkit-blob-1-{d}"
    assert CacheConfig.from_bytes(b"{}").validate(blobs=[digest_object]) == []
    big = 2**62
    assert CacheManifest.from_bytes(MANIFEST_CASES[0]["input"]["utf8"].replace('"size":570', f'"size":{big}').encode()).config["size"] == big
