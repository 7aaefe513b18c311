"""Both CLIs on 75 damaged copies of the bundled small-max export.

Every kind of damage a cache directory can take — to index.json, oci-layout,
the manifest, the cache config, a layer, the blob store and BuildKit's lock
file; bad bytes, bad JSON, bad references, and paths that are directories,
FIFOs, symlinks to /dev/zero, 1 GiB sparse files or dangling — is made here,
and ``verify``, ``inspect``, ``gc --dry-run`` and ``prune --dry-run`` run on
each with both CLIs.

For every variant and command: both finish (no hang), neither crashes (exit
0 or 1, or 2 with an error code; no stack trace), both exit with the same status, print the same
stdout and name the same error code; verify reports the code the damage
calls for; and gc never plans to delete a blob the undamaged cache reaches
(gc fails closed)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from conftest import TESTS

REPO = TESTS.parent
NODE = shutil.which("node")
SOURCE = TESTS / "fixtures" / "buildkit" / "small-max" / "cache"
CLIS = {"python": [sys.executable, "-m", "ocicache"], "node": [str(NODE), str(REPO / "npm" / "bin" / "ocicache.mjs")]}
COMMANDS = {
    "verify": ["verify", "--json"],
    "inspect": ["inspect", "--json"],
    "gc": ["gc", "--dry-run", "--json", "--grace-period", "0"],
    "prune": ["prune", "--dry-run", "--json", "--max-size", "100000"],
}
TIMEOUT = 60
GIB = 1 << 30
ERROR_LINE = re.compile(r"^ocicache: ([A-Z_]+): ", re.M)

Json = Any
Damage = Callable[["Cache"], None]


class Cache:
    """A copy of small-max being damaged: its documents and blob paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.index: Json = json.loads((root / "index.json").read_bytes())
        entry = self.index["manifests"][0]
        self.manifest_digest: str = entry["digest"]
        self.manifest: Json = json.loads(self.blob(self.manifest_digest).read_bytes())
        self.config_digest: str = self.manifest["config"]["digest"]
        self.config: Json = json.loads(self.blob(self.config_digest).read_bytes())
        self.layer_digest: str = self.manifest["layers"][0]["digest"]

    def blob(self, digest: str) -> Path:
        return self.root / "blobs" / "sha256" / digest.split(":", 1)[1]

    def put(self, data: bytes) -> dict[str, Any]:
        """Store ``data`` as a blob; its descriptor's digest and size."""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blob(digest).write_bytes(data)
        return {"digest": digest, "size": len(data)}

    def write_index(self) -> None:
        (self.root / "index.json").write_bytes(compact(self.index))

    def rechain(self, config: Optional[bytes] = None, manifest: Optional[bytes] = None) -> None:
        """Store the (edited) config and manifest, re-digested up to index.json,
        so that only the edit is wrong."""
        if manifest is None:
            self.manifest["config"].update(self.put(compact(self.config) if config is None else config))
            manifest = compact(self.manifest)
        self.index["manifests"][0].update(self.put(manifest))
        self.write_index()


def compact(value: Json) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def replace(path: Path, kind: str) -> None:
    """Put a directory, a FIFO, a symlink to /dev/zero, a dangling symlink or
    a 1 GiB sparse file where ``path`` was."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "dangling":
        path.symlink_to(path.parent / "no-such-file")
    elif kind == "sparse":
        with open(path, "wb") as f:
            f.truncate(GIB)
    else:
        raise ValueError(kind)


def flip(path: Path, at: int = 20) -> None:
    """Change one byte, keeping the size."""
    data = bytearray(path.read_bytes())
    data[at] ^= 0x20
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-7])


def entry(c: Cache) -> Json:
    return c.index["manifests"][0]


def edit_index(edit: Callable[[Cache], None]) -> Damage:
    def damage(c: Cache) -> None:
        edit(c)
        c.write_index()

    return damage


def edit_manifest(edit: Callable[[Json], None]) -> Damage:
    def damage(c: Cache) -> None:
        edit(c.manifest)
        c.rechain(manifest=compact(c.manifest))

    return damage


def edit_config(edit: Callable[[Json], None]) -> Damage:
    def damage(c: Cache) -> None:
        edit(c.config)
        c.rechain()

    return damage


def duplicate_tag(c: Cache) -> None:
    c.index["manifests"].append(dict(entry(c)))


def other_layer_listing(m: Json) -> None:
    m["layers"][0]["annotations"]["containerd.io/uncompressed"] = "sha256:" + "0" * 64


def record_out_of_range(config: Json) -> None:
    config["records"][0]["layers"] = [{"layer": 999, "createdAt": "2024-01-01T00:00:00Z"}]


def input_out_of_range(config: Json) -> None:
    record = next(r for r in config["records"] if r.get("inputs"))
    record["inputs"][0][0]["selector"] = ""
    record["inputs"][0][0]["link"] = 999


def layer_not_gzip(c: Cache) -> None:
    """A layer whose bytes match its (new) digest but are not gzip."""
    new = c.put(b"this is not gzip" * 64)
    old = c.layer_digest
    c.blob(old).unlink()
    for listed in c.manifest["layers"]:
        if listed["digest"] == old:
            listed.update(new)
    for layer in c.config["layers"]:
        if layer["blob"] == old:
            layer["blob"] = new["digest"]
    c.rechain()


def manifest_symlink_to_copy(c: Cache) -> None:
    copy = c.root / "manifest-copy"
    shutil.copyfile(c.blob(c.manifest_digest), copy)
    c.blob(c.manifest_digest).unlink()
    c.blob(c.manifest_digest).symlink_to(copy)


def stray(name: str, data: bytes = b"stray") -> Damage:
    def damage(c: Cache) -> None:
        path = c.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return damage


def unreachable_wrong_bytes(c: Cache) -> None:
    (c.root / "blobs" / "sha256" / ("ab" * 32)).write_bytes(b"not what the name says")


def lock(kind: str) -> Damage:
    return lambda c: replace(c.root / "index.json.lock", kind)


def path_of(which: str, kind: str) -> Damage:
    def damage(c: Cache) -> None:
        path = {
            "index": c.root / "index.json",
            "layout": c.root / "oci-layout",
            "manifest": c.blob(c.manifest_digest),
            "config": c.blob(c.config_digest),
            "layer": c.blob(c.layer_digest),
        }[which]
        if kind == "missing":
            path.unlink()
        elif kind == "truncated":
            truncate(path)
        elif kind == "flipped":
            flip(path)
        else:
            replace(path, kind)

    return damage


def raw_index(data: bytes) -> Damage:
    return stray("index.json", data)


def symlink_loop(c: Cache) -> None:
    path = c.blob(c.manifest_digest)
    path.unlink()
    path.symlink_to(path)


def entry_is_the_config(c: Cache) -> None:
    """index.json names the config blob as if it were a manifest."""
    entry(c).update(digest=c.config_digest, size=c.blob(c.config_digest).stat().st_size)
    c.write_index()


def nested_index(c: Cache) -> None:
    """index.json → an image index → the cache manifest (BuildKit's
    reset=true walk follows it)."""
    child = dict(entry(c))
    child.pop("annotations", None)
    inner = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [child]}
    d = c.put(compact(inner))
    entry(c).update(mediaType="application/vnd.oci.image.index.v1+json", **d)
    c.write_index()


def long_parent_chain(c: Cache) -> None:
    """A config of 100,000 layers, each the parent of the next, all of the
    first layer's blob, and a result at the top: deep, never a loop."""
    blob = c.config["layers"][0]["blob"]
    c.config["layers"] = [{"blob": blob, "parent": i - 1} for i in range(100_000)]
    c.config["records"][1]["layers"] = [{"layer": 99_999, "createdAt": "2024-01-01T00:00:00Z"}]
    for r in c.config["records"]:
        for res in r.get("layers", []):
            res["layer"] = min(res["layer"], 99_999)
    c.rechain()


def blobs_dir_is_a_file(c: Cache) -> None:
    shutil.rmtree(c.root / "blobs" / "sha256")
    (c.root / "blobs" / "sha256").write_bytes(b"")


# (name, damage, the code verify must report or None for a clean verify)
VARIANTS: list[tuple[str, Damage, Optional[str]]] = [
    ("index-missing", path_of("index", "missing"), "MISSING_BLOB"),
    ("index-empty", raw_index(b""), "INVALID_JSON"),
    ("index-not-json", raw_index(b'{"schemaVersion":'), "INVALID_JSON"),
    ("index-null", raw_index(b"null"), "INVALID_JSON"),
    ("index-manifests-object", raw_index(b'{"schemaVersion":2,"manifests":{}}'), "INVALID_JSON"),
    ("index-schema-1", edit_index(lambda c: c.index.update(schemaVersion=1)), "INVALID_SCHEMA_VERSION"),
    ("index-no-entries", edit_index(lambda c: c.index.update(manifests=[])), None),
    ("index-bad-digest", edit_index(lambda c: entry(c).update(digest="sha256:xyz")), "INVALID_DIGEST"),
    ("index-unknown-digest", edit_index(lambda c: entry(c).update(digest="sha256:" + "1" * 64)), "MISSING_BLOB"),
    ("index-unknown-media-type", edit_index(lambda c: entry(c).update(mediaType="application/x-foo")), "UNKNOWN_MEDIA_TYPE"),
    ("index-index-media-type", edit_index(lambda c: entry(c).update(mediaType="application/vnd.oci.image.index.v1+json")), "MEDIA_TYPE_MISMATCH"),
    ("index-size-plus-one", edit_index(lambda c: entry(c).update(size=entry(c)["size"] + 1)), "SIZE_MISMATCH"),
    ("index-size-negative", edit_index(lambda c: entry(c).update(size=-1)), "SIZE_OUT_OF_RANGE"),
    ("index-size-2-60", edit_index(lambda c: entry(c).update(size=2**60)), "SIZE_OUT_OF_RANGE"),
    ("index-duplicate-tag", edit_index(duplicate_tag), "DUPLICATE_TAG"),
    ("index-untagged", edit_index(lambda c: entry(c).pop("annotations")), None),
    ("index-directory", path_of("index", "directory"), "NOT_A_FILE"),
    ("index-fifo", path_of("index", "fifo"), "NOT_A_FILE"),
    ("index-dev-zero", path_of("index", "zero"), "NOT_A_FILE"),
    ("index-sparse-1g", path_of("index", "sparse"), "SIZE_LIMIT_EXCEEDED"),
    ("index-dangling", path_of("index", "dangling"), "NOT_A_FILE"),
    ("layout-missing", path_of("layout", "missing"), "INVALID_LAYOUT"),
    ("layout-version-2", stray("oci-layout", b'{"imageLayoutVersion":"2.0.0"}'), "INVALID_LAYOUT"),
    ("layout-not-json", stray("oci-layout", b"{"), "INVALID_LAYOUT"),
    ("layout-directory", path_of("layout", "directory"), "INVALID_LAYOUT"),
    ("manifest-missing", path_of("manifest", "missing"), "MISSING_BLOB"),
    ("manifest-truncated", path_of("manifest", "truncated"), "SIZE_MISMATCH"),
    ("manifest-flipped", path_of("manifest", "flipped"), "DIGEST_MISMATCH"),
    ("manifest-not-json", lambda c: c.rechain(manifest=b"{not json"), "INVALID_JSON"),
    ("manifest-no-config", edit_manifest(lambda m: m.pop("config")), "MISSING_CACHE_CONFIG"),
    ("manifest-config-media-type", edit_manifest(lambda m: m["config"].update(mediaType="application/x-foo")), "MISSING_CACHE_CONFIG"),
    ("manifest-layer-bad-digest", edit_manifest(lambda m: m["layers"][0].update(digest="sha256:zz")), "INVALID_DIGEST"),
    ("manifest-layer-unknown-type", edit_manifest(lambda m: m["layers"][0].update(mediaType="application/x-foo")), "UNKNOWN_MEDIA_TYPE"),
    ("manifest-layer-size-2-60", edit_manifest(lambda m: m["layers"][0].update(size=2**60)), "SIZE_OUT_OF_RANGE"),
    ("manifest-wrong-uncompressed", edit_manifest(other_layer_listing), "DIFF_ID_MISMATCH"),
    ("manifest-directory", path_of("manifest", "directory"), "NOT_A_FILE"),
    ("manifest-fifo", path_of("manifest", "fifo"), "NOT_A_FILE"),
    ("manifest-dev-zero", path_of("manifest", "zero"), "NOT_A_FILE"),
    ("manifest-sparse-1g", path_of("manifest", "sparse"), "SIZE_MISMATCH"),
    ("manifest-dangling", path_of("manifest", "dangling"), "NOT_A_FILE"),
    ("manifest-symlink-to-copy", manifest_symlink_to_copy, None),
    ("config-missing", path_of("config", "missing"), "MISSING_BLOB"),
    ("config-truncated", path_of("config", "truncated"), "SIZE_MISMATCH"),
    ("config-flipped", path_of("config", "flipped"), "DIGEST_MISMATCH"),
    ("config-not-json", lambda c: c.rechain(config=b"[1,2"), "INVALID_JSON"),
    ("config-unknown-blob", edit_config(lambda k: k["layers"][0].update(blob="sha256:" + "2" * 64)), "MISSING_BLOB"),
    ("config-result-out-of-range", edit_config(record_out_of_range), "INVALID_LAYER_INDEX"),
    ("config-input-out-of-range", edit_config(input_out_of_range), "INVALID_RECORD_INDEX"),
    ("config-looping-parent", edit_config(lambda k: k["layers"][0].update(parent=0)), "LOOPING_LAYER"),
    ("config-directory", path_of("config", "directory"), "NOT_A_FILE"),
    ("config-fifo", path_of("config", "fifo"), "NOT_A_FILE"),
    ("config-sparse-1g", path_of("config", "sparse"), "SIZE_MISMATCH"),
    ("layer-missing", path_of("layer", "missing"), "MISSING_BLOB"),
    ("layer-truncated", path_of("layer", "truncated"), "SIZE_MISMATCH"),
    ("layer-flipped", path_of("layer", "flipped"), "DIGEST_MISMATCH"),
    ("layer-not-gzip", layer_not_gzip, "UNKNOWN_COMPRESSION"),
    ("layer-directory", path_of("layer", "directory"), "NOT_A_FILE"),
    ("layer-fifo", path_of("layer", "fifo"), "NOT_A_FILE"),
    ("layer-dev-zero", path_of("layer", "zero"), "NOT_A_FILE"),
    ("layer-sparse-1g", path_of("layer", "sparse"), "SIZE_MISMATCH"),
    ("layer-dangling", path_of("layer", "dangling"), "NOT_A_FILE"),
    ("stray-non-hex-name", stray("blobs/sha256/not-a-digest"), "INVALID_DIGEST"),
    ("stray-other-algorithm", stray("blobs/md5/0123456789abcdef0123456789abcdef"), "UNSUPPORTED_ALGORITHM"),
    ("stray-unreachable-wrong-bytes", unreachable_wrong_bytes, "DIGEST_MISMATCH"),
    ("stray-upper-case-hex", stray("blobs/sha256/" + "AB" * 32), "INVALID_DIGEST"),
    ("stray-temp-file", stray("index.json.tmp-12345", b"{}"), None),
    ("blobs-dir-is-a-file", blobs_dir_is_a_file, "MISSING_BLOB"),
    ("manifest-symlink-loop", symlink_loop, "NOT_A_FILE"),
    ("index-trailing-garbage", lambda c: stray("index.json", compact(c.index) + b"x")(c), "INVALID_JSON"),
    ("index-entry-is-the-config", entry_is_the_config, "MISSING_FIELD"),
    ("index-nested-index", nested_index, "MISSING_CACHE_CONFIG"),
    ("config-long-parent-chain", long_parent_chain, "BLOB_TOO_LARGE"),
    ("lock-fifo", lock("fifo"), "NOT_A_FILE"),
    ("lock-directory", lock("directory"), "NOT_A_FILE"),
    ("lock-dev-zero", lock("zero"), "NOT_A_FILE"),
]


def run(cli: str, command: str, root: Path) -> dict[str, Any]:
    argv = [*CLIS[cli], *COMMANDS[command], str(root)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"hung": True}
    codes = ERROR_LINE.findall(done.stderr)
    return {"exit": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "code": codes[-1] if codes else None}


def reached(root: Path) -> set[str]:
    """The blob paths anything in the (damaged) cache names, read as leniently
    as possible: every index.json entry, and what each readable document
    names as its config, its layers, or (a cache config) its blobs."""
    names: set[str] = set()

    def document(path: Path) -> Json:
        try:
            return json.loads(path.read_bytes()) if path.is_file() and path.stat().st_size < 1 << 20 else None
        except (OSError, ValueError):
            return None

    def digests(value: Json, key: str) -> list[str]:
        items = value if isinstance(value, list) else [value]
        return [d[key] for d in items if isinstance(d, dict) and isinstance(d.get(key), str)]

    def add(digest: str) -> Json:
        names.add("blobs/" + digest.replace(":", "/", 1))
        return document(root / "blobs" / digest.replace(":", "/", 1))

    index = document(root / "index.json")
    for top in digests(index.get("manifests") if isinstance(index, dict) else None, "digest"):
        manifest = add(top)
        if isinstance(manifest, dict):
            for d in digests(manifest.get("config"), "digest") + digests(manifest.get("layers"), "digest"):
                config = add(d)
                if isinstance(config, dict):
                    for blob in digests(config.get("layers"), "blob"):
                        add(blob)
    return names


def codes_of(result: dict[str, Any]) -> set[str]:
    found = {result["code"]} if result["code"] else set()
    if result["stdout"].startswith("{"):
        found |= {f["code"] for f in json.loads(result["stdout"]).get("findings", [])}
    return found


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[tuple[str, str, str], dict[str, Any]], dict[str, set[str]]]:
    if NODE is None:
        pytest.fail("node is not installed: the damage tests compare both CLIs")
    tmp = tmp_path_factory.mktemp("damage")
    jobs = []
    reach: dict[str, set[str]] = {}
    for name, damage, _ in VARIANTS:
        root = tmp / name
        shutil.copytree(SOURCE, root)
        damage(Cache(root))
        reach[name] = reached(root)
        jobs += [(name, command, cli, root) for command in COMMANDS for cli in CLIS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda job: run(job[2], job[1], job[3]), jobs)
        found = {(name, command, cli): result for (name, command, cli, _), result in zip(jobs, results)}
    return found, reach


@pytest.mark.parametrize("name,expected", [(name, expected) for name, _, expected in VARIANTS])
def test_both_clis_agree_on_damaged_cache(name: str, expected: Optional[str], outcomes: tuple[dict[Any, dict[str, Any]], dict[str, set[str]]]) -> None:
    results, reach = outcomes
    for command in COMMANDS:
        py, node = results[(name, command, "python")], results[(name, command, "node")]
        for cli, result in (("python", py), ("node", node)):
            assert not result.get("hung"), f"{cli} {command} hung"
            typed = result["exit"] in (0, 1) or result["exit"] == 2 and result["code"] is not None
            assert typed, f"{cli} {command}: exit {result['exit']}\n{result['stderr']}"
            assert "Traceback" not in result["stderr"] and "    at " not in result["stderr"], result["stderr"]
        assert (py["exit"], py["code"]) == (node["exit"], node["code"]), f"{command}: python {py} node {node}"
        assert py["stdout"] == node["stdout"], command
        if command == "verify":
            found = codes_of(py)
            if expected is None:
                assert py["exit"] == 0, (found, py["stderr"])
            else:
                assert expected in found, (expected, found, py["stderr"])
        if command == "gc" and py["exit"] == 0:
            planned = {d["blob"] for d in json.loads(py["stdout"])["delete"]}
            assert not planned & reach[name], f"gc would delete reachable blobs: {planned & reach[name]}"
