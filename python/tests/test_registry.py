"""The registry driver against a real registry (Debian's docker-registry,
started by tests/registry/serve.mjs on 127.0.0.1): copies both ways, the
wrapper forms' content types, basic and bearer auth, an upload cut off
half-way, and caches the Node CLI wrote read by this one and back."""

from __future__ import annotations

import base64
import http.client
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS

import ocicache
from ocicache import OcicacheError, operations
from ocicache.cli import main
from ocicache.registry import RegistryStorage
from ocicache.storage import LocalStorage
from servers import NODE, Registry

FIXTURES = TESTS / "fixtures" / "buildkit"
LAYOUTS = ["compression-zstd", "image-manifest-false", "local-max", "local-min", "oci-mediatypes-false", "small-max", "twice"]
REPO = TESTS.parent

@pytest.fixture(scope="module")
def open_registry() -> Iterator[Registry]:
    r = Registry()
    yield r
    r.stop()


def fixture(name: str) -> Path:
    return FIXTURES / name / "cache"


def reachable(root: Path, tag: str = "latest") -> list[str]:
    plan = operations.load_cache(LocalStorage(root)).copy_plan(tag)
    return sorted(b["digest"].split(":", 1)[1] for b in plan.blobs)


def blobs_of(root: Path) -> list[str]:
    return sorted(os.listdir(root / "blobs" / "sha256"))


def cli(args: list[str], stdin: str = "", env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out: list[str] = []
    err: list[str] = []
    saved_stdin, saved_env = sys.stdin, dict(os.environ)
    sys.stdin = io.StringIO(stdin)
    os.environ.update(env or {})
    try:
        code = main(args, out.append, err.append)
    finally:
        sys.stdin = saved_stdin
        os.environ.clear()
        os.environ.update(saved_env)
    return code, "\n".join(out), "\n".join(err)


@pytest.mark.parametrize("name", LAYOUTS)
def test_local_to_registry_to_local_keeps_every_byte(open_registry: Registry, name: str, tmp_path: Path) -> None:
    remote = RegistryStorage(f"{open_registry.host}/py-copies/{name}:latest", docker_config=False, chunk_size=64 << 10)
    up = operations.copy(LocalStorage(fixture(name)), remote)
    assert up["copied"] == up["blobs"]
    assert operations.verify(remote).ok
    again = operations.copy(LocalStorage(fixture(name)), remote)
    assert (again["copied"], again["skipped"]) == (0, again["blobs"])
    back = tmp_path / "back"
    operations.copy(remote, LocalStorage(back))
    assert (back / "index.json").read_bytes() == (fixture(name) / "index.json").read_bytes()
    assert blobs_of(back) == reachable(fixture(name))
    for b in blobs_of(back):
        assert (back / "blobs/sha256" / b).read_bytes() == (fixture(name) / "blobs/sha256" / b).read_bytes()


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("local-max", "application/vnd.oci.image.manifest.v1+json"),
        ("image-manifest-false", "application/vnd.oci.image.index.v1+json"),
        ("oci-mediatypes-false", "application/vnd.docker.distribution.manifest.list.v2+json"),
    ],
)
def test_wrapper_forms_are_served_with_their_content_type(open_registry: Registry, name: str, media_type: str) -> None:
    remote = RegistryStorage(f"{open_registry.host}/py-forms/{name}:cache", docker_config=False)
    descriptor = operations.copy(LocalStorage(fixture(name)), remote)["descriptor"]
    assert descriptor["mediaType"] == media_type
    conn = http.client.HTTPConnection(open_registry.host)
    conn.request("GET", f"/v2/py-forms/{name}/manifests/cache", headers={"Accept": media_type})
    r = conn.getresponse()
    body = r.read()
    assert r.getheader("Content-Type") == media_type
    assert r.getheader("Docker-Content-Digest") == descriptor["digest"]
    assert body == (fixture(name) / "blobs" / descriptor["digest"].replace(":", "/")).read_bytes()
    # The driver reads the form the registry serves back.
    assert operations.inspect(remote).to_dict()["tags"][0]["mediaType"] == media_type


def test_registry_to_registry_mounts(open_registry: Registry) -> None:
    a = RegistryStorage(f"{open_registry.host}/py-mount/a:latest", docker_config=False)
    b = RegistryStorage(f"{open_registry.host}/py-mount/b:latest", docker_config=False)
    operations.copy(LocalStorage(fixture("small-max")), a)
    r = operations.copy(a, b)
    assert r["mounted"] > 0 and r["copied"] == r["blobs"] - r["mounted"]
    assert operations.verify(b).ok


def test_merge_into_a_registry(open_registry: Registry) -> None:
    into = RegistryStorage(f"{open_registry.host}/py-merge/into:latest", docker_config=False)
    operations.merge(into, [(LocalStorage(fixture("local-max")), "latest"), (LocalStorage(fixture("twice")), "latest")])
    assert operations.verify(into).ok
    # 17 + 12 records, and the join of their final records.
    assert operations.inspect(into).to_dict()["tags"][0]["records"] == 30


def test_prune_on_a_registry_rewrites_the_tag(open_registry: Registry) -> None:
    ref = f"{open_registry.host}/py-prune/local-max:latest"
    remote = RegistryStorage(ref, docker_config=False)
    operations.copy(LocalStorage(fixture("local-max")), remote)
    code, out, err = cli(["prune", "--json", "--max-size", "1.2MB", ref])
    assert code == 0, err
    done = json.loads(out)
    assert done["gc"] is None and done["droppedResults"] == 4
    after = operations.inspect(remote).to_dict()
    assert after["tags"][0]["digest"] == done["tags"][0]["new"]
    assert after["blobs"]["reachableBytes"] == done["bytesAfter"]
    assert operations.verify(remote).ok


def test_a_missing_registry_is_a_registry_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OcicacheError) as e:
        RegistryStorage(f"127.0.0.1:{port}/x:y", docker_config=False).read_index()
    assert e.value.code == "REGISTRY_ERROR"


def test_cli_gc_refuses_a_registry(open_registry: Registry) -> None:
    code, _, err = cli(["gc", f"{open_registry.host}/py-copies/twice:latest"])
    assert code == 2 and "gc works on local, s3 and azblob caches; a registry frees blobs" in err


def test_node_and_python_clis_read_each_others_copies(open_registry: Registry, tmp_path: Path) -> None:
    assert NODE is not None
    host = open_registry.host
    node_cli = [NODE, str(REPO / "npm" / "bin" / "ocicache.mjs")]
    # Node copies up; Python verifies and copies back down.
    subprocess.run([*node_cli, "copy", str(fixture("local-max")), f"{host}/interop/by-node:v1"], check=True, capture_output=True)
    code, out, err = cli(["verify", "--json", f"type=registry,ref={host}/interop/by-node:v1"])
    assert code == 0, err
    assert json.loads(out)["ok"]
    code, out, err = cli(["copy", f"{host}/interop/by-node:v1", str(tmp_path / "py")])
    assert code == 0, err
    assert blobs_of(tmp_path / "py") == reachable(fixture("local-max"))
    # Python copies up; Node verifies and copies back down.
    code, _, err = cli(["copy", str(fixture("compression-zstd")), f"{host}/interop/by-python:v2"])
    assert code == 0, err
    r = subprocess.run([*node_cli, "verify", "--json", f"{host}/interop/by-python:v2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"]
    subprocess.run([*node_cli, "copy", f"{host}/interop/by-python:v2", f"type=local,dest={tmp_path / 'node'},tag=v2"], check=True)
    assert blobs_of(tmp_path / "node") == reachable(fixture("compression-zstd"))


def test_basic_auth(tmp_path: Path) -> None:
    reg = Registry("--auth", "basic")
    try:
        host, user, password = reg.host, reg.info["user"], reg.info["password"]
        secret = "not-the-password-789"
        wrong = RegistryStorage(f"{host}/auth/x:latest", username=user, password=secret)
        with pytest.raises(OcicacheError) as e:
            operations.copy(LocalStorage(fixture("small-max")), wrong)
        assert e.value.code == "UNAUTHORIZED"
        assert secret not in str(e.value) and password not in str(e.value)
        with pytest.raises(OcicacheError) as e:
            RegistryStorage(f"{host}/auth/x:latest", docker_config=False).read_index()
        assert e.value.code == "UNAUTHORIZED"
        code, out, err = cli(
            ["--username", user, "--password-stdin", "copy", "--json", str(fixture("small-max")), f"{host}/auth/x:latest"],
            stdin=secret + "\n",
        )
        assert code == 2 and "UNAUTHORIZED" in err and secret not in err + out
        # The right password: explicit, then from a docker config file.
        code, out, err = cli(
            ["--username", user, "--password-stdin", "copy", "--json", str(fixture("small-max")), f"{host}/auth/x:latest"],
            stdin=password + "\n",
        )
        assert code == 0, err
        assert password not in out
        config = tmp_path / "docker"
        config.mkdir()
        auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        (config / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))
        code, out, err = cli(["verify", "--json", f"{host}/auth/x:latest"], env={"DOCKER_CONFIG": str(config)})
        assert code == 0, err
        assert json.loads(out)["ok"] and password not in out
    finally:
        reg.stop()


def test_bearer_tokens() -> None:
    reg = Registry("--auth", "token")
    try:
        host, user, password = reg.host, reg.info["user"], reg.info["password"]
        a = RegistryStorage(f"{host}/tok/a:latest", username=user, password=password)
        operations.copy(LocalStorage(fixture("local-min")), a, concurrency=4)
        assert operations.verify(a).ok
        b = RegistryStorage(f"{host}/tok/b:latest", username=user, password=password)
        assert operations.copy(a, b)["mounted"] > 0
        with pytest.raises(OcicacheError) as e:
            RegistryStorage(f"{host}/tok/a:latest", username=user, password="wrong-secret-000").read_index()
        assert e.value.code == "UNAUTHORIZED" and "wrong-secret-000" not in str(e.value)
    finally:
        reg.stop()


def test_an_upload_cut_off_half_way_leaves_the_tag_and_the_next_copy_completes() -> None:
    reg = Registry("--cut-after", str(400 << 10))
    try:
        direct = RegistryStorage(f"{reg.host}/cut/c:latest", docker_config=False)
        first = operations.copy(LocalStorage(fixture("small-max")), direct)
        proxied = RegistryStorage(f"{reg.info['cutHost']}/cut/c:latest", docker_config=False, chunk_size=64 << 10)
        with pytest.raises(OcicacheError) as e:
            operations.copy(LocalStorage(fixture("local-max")), proxied, concurrency=1)
        assert e.value.code == "REGISTRY_ERROR"
        fresh = RegistryStorage(f"{reg.host}/cut/c:latest", docker_config=False)
        index = fresh.read_index()
        assert index is not None
        assert json.loads(index)["manifests"][0]["digest"] == first["descriptor"]["digest"]
        second = operations.copy(LocalStorage(fixture("local-max")), fresh)
        assert second["skipped"] > 0 and second["copied"] + second["skipped"] == second["blobs"]
        assert operations.verify(RegistryStorage(f"{reg.host}/cut/c:latest", docker_config=False)).ok
    finally:
        reg.stop()


def _watched(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[tuple[int, int]]]:
    """The methods of every request the registry driver sends, and each
    (offset, bytes held) an upload status answered."""
    methods: list[str] = []
    resumed: list[tuple[int, int]] = []
    real_request, real_resumed = RegistryStorage._request, RegistryStorage._resumed

    def request(self: RegistryStorage, method: str, url: str, **kwargs: Any) -> Any:
        methods.append(method)
        return real_request(self, method, url, **kwargs)

    def resumed_at(self: RegistryStorage, url: str, offset: int, length: int, what: str) -> tuple[int, str]:
        held, next_url = real_resumed(self, url, offset, length, what)
        resumed.append((offset, held))
        return held, next_url

    monkeypatch.setattr(RegistryStorage, "_request", request)
    monkeypatch.setattr(RegistryStorage, "_resumed", resumed_at)
    return methods, resumed


def test_an_upload_cut_off_mid_blob_goes_on_from_where_the_registry_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection cut after a PATCH's headers, in the middle of a blob:
    the driver asks the session where it stands (the distribution spec's
    upload status) and goes on in the same session — not the blob again."""
    reg = Registry("--cut-patch", "5", "--cut-once", str(300 << 10))
    try:
        blob = os.urandom(1 << 20)  # 16 chunks of 64 KiB: 15 PATCHes and the PUT
        digest = str(ocicache.digest(blob))
        methods, resumed = _watched(monkeypatch)
        RegistryStorage(f"{reg.info['cutPatchHost']}/resume/r:latest", docker_config=False, chunk_size=64 << 10).write_blob(digest, blob)
        assert resumed == [(4 << 16, 0)], resumed
        assert (methods.count("POST"), methods.count("PATCH"), methods.count("PUT")) == (1, 16, 1), methods
        assert RegistryStorage(f"{reg.host}/resume/r:latest", docker_config=False).read_blob(digest) == blob

        # Cut mid-body: this registry (distribution) forgets a session whose
        # PATCH broke off half-way, so a blob held whole goes up again in a
        # new one; a streamed one cannot, and the copy must run again.
        blob = os.urandom(1 << 20)
        digest = str(ocicache.digest(blob))
        methods.clear()
        cut = RegistryStorage(f"{reg.info['cutOnceHost']}/resume/s:latest", docker_config=False, chunk_size=64 << 10)
        cut.write_blob(digest, blob)
        assert methods.count("POST") == 2, methods
        assert RegistryStorage(f"{reg.host}/resume/s:latest", docker_config=False).read_blob(digest) == blob
    finally:
        reg.stop()


def test_a_streamed_blob_whose_session_is_lost_asks_for_the_copy_again() -> None:
    reg = Registry("--cut-once", str(300 << 10))
    try:
        blob = os.urandom(1 << 20)
        digest = str(ocicache.digest(blob))
        cut = RegistryStorage(f"{reg.info['cutOnceHost']}/resume/t:latest", docker_config=False, chunk_size=64 << 10)
        with pytest.raises(OcicacheError) as e:
            cut.write_blob(digest, (blob[i:i + 4096] for i in range(0, len(blob), 4096)))
        assert e.value.code == "REGISTRY_ERROR" and "copy it again" in str(e.value)
        assert not RegistryStorage(f"{reg.host}/resume/t:latest", docker_config=False).has_blob(digest)
    finally:
        reg.stop()
