"""The s3 driver against a real S3 API server: ``moto_server`` (PyPI
``moto[server]``) on 127.0.0.1, started for this module and stopped after.
The bucket is filled with a real BuildKit ``type=s3`` export
(tests/fixtures/cloud/s3-small-max, captured with its ``type=local`` twin)."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ocicache
from conftest import TESTS
from ocicache import operations as ops
from ocicache.s3 import S3Storage
from ocicache.storage import LocalStorage

boto3 = pytest.importorskip("boto3")
CAPTURE = TESTS / "fixtures" / "cloud" / "s3-small-max"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A moto_server on a free loopback port."""
    port = _free_port()
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("moto_server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


@pytest.fixture
def bucket(endpoint: str, request: pytest.FixtureRequest) -> str:
    """A new empty bucket."""
    name = "b-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    client = _client(endpoint)
    client.create_bucket(Bucket=name)
    return name


def _settings(endpoint: str, bucket: str, **more: str) -> dict[str, Any]:
    attrs = ",".join(f"{k}={v}" for k, v in more.items())
    spec = f"type=s3,bucket={bucket},region=us-east-1,endpoint_url={endpoint},use_path_style=true,access_key_id=x,secret_access_key=y"
    return ocicache.parse_cache_options(spec + ("," + attrs if attrs else ""), direction="import")[0].settings


def _upload_capture(endpoint: str, bucket: str) -> None:
    client = _client(endpoint)
    root = CAPTURE / "bucket"
    for path in sorted(root.rglob("*")):
        if path.is_file():
            client.put_object(Bucket=bucket, Key=str(path.relative_to(root)), Body=path.read_bytes())


def _local_manifest() -> bytes:
    index = ocicache.ImageIndex.from_bytes((CAPTURE / "cache" / "index.json").read_bytes())
    d = str(index.to_dict()["manifests"][0]["digest"])
    return (CAPTURE / "cache" / "blobs" / "sha256" / d.split(":")[1]).read_bytes()


def test_a_buildkit_s3_export_reads_as_the_layout_of_its_local_twin(endpoint: str, bucket: str) -> None:
    _upload_capture(endpoint, bucket)
    storage = S3Storage(_settings(endpoint, bucket, name="small"))
    index = storage.read_index()
    assert index is not None
    entry = ocicache.ImageIndex.from_bytes(index).find_tag("small")
    # The manifest the driver presents is the one BuildKit's local export wrote.
    assert storage.read_blob(entry["digest"]) == _local_manifest()
    report = ops.verify(storage)
    assert report.ok, report.to_text()
    summary = report.to_dict()
    assert (summary["blobs"], summary["reachable"], summary["errors"]) == (9, 9, 0)
    assert "7 layers" in ops.inspect(storage).to_text()


def test_copy_s3_to_local_gives_buildkits_local_export(endpoint: str, bucket: str, tmp_path: Path) -> None:
    _upload_capture(endpoint, bucket)
    into = LocalStorage(str(tmp_path / "cache"))
    ops.copy(S3Storage(_settings(endpoint, bucket, name="small")), into, to_tag="latest")
    assert (tmp_path / "cache" / "index.json").read_bytes() == (CAPTURE / "cache" / "index.json").read_bytes()
    for blob in (CAPTURE / "cache" / "blobs" / "sha256").iterdir():
        assert (tmp_path / "cache" / "blobs" / "sha256" / blob.name).read_bytes() == blob.read_bytes()


def test_copy_local_to_s3_writes_buildkits_s3_export(endpoint: str, bucket: str) -> None:
    source = LocalStorage(str(CAPTURE / "cache"))
    storage = S3Storage(_settings(endpoint, bucket, name="small"))
    ops.copy(source, storage, tag="latest", to_tag="small")
    client = _client(endpoint)
    stored = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert stored == {p.relative_to(CAPTURE / "bucket").as_posix() for p in (CAPTURE / "bucket").rglob("*") if p.is_file()}
    config = client.get_object(Bucket=bucket, Key="manifests/small")["Body"].read()
    assert config == (CAPTURE / "bucket" / "manifests" / "small").read_bytes()
    # And a second copy has nothing left to do.
    again = ops.copy(source, S3Storage(_settings(endpoint, bucket, name="small")), tag="latest", to_tag="small")
    assert again["copied"] == 0


def test_gc_deletes_only_what_no_stored_config_reaches(endpoint: str, bucket: str, tmp_path: Path) -> None:
    _upload_capture(endpoint, bucket)
    client = _client(endpoint)
    stray = b"a blob no config names"
    key = "blobs/sha256:" + hashlib.sha256(stray).hexdigest()
    client.put_object(Bucket=bucket, Key=key, Body=stray)
    # A second config, under another name, keeps its own blob.
    ops.copy(LocalStorage(str(TESTS / "fixtures" / "buildkit" / "local-min" / "cache")),
             S3Storage(_settings(endpoint, bucket, name="other")), tag="latest", to_tag="other")
    storage = S3Storage(_settings(endpoint, bucket, name="small"))
    before = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    plan = ops.gc(storage, dry_run=True, grace_period_ms=0, settle_ms=0)
    assert plan.delete == ["blobs/sha256/" + key.split(":")[1]]
    assert {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]} == before
    young = ops.gc(storage, grace_period_ms=3_600_000, settle_ms=0)
    assert young.delete == []
    ops.gc(storage, grace_period_ms=0, settle_ms=0)
    assert {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]} == before - {key}
    assert ops.verify(storage).ok


def test_a_blob_deleted_behind_our_back_is_missing(endpoint: str, bucket: str) -> None:
    _upload_capture(endpoint, bucket)
    gone = sorted((CAPTURE / "bucket" / "blobs").iterdir())[0].name
    _client(endpoint).delete_object(Bucket=bucket, Key=f"blobs/{gone}")
    storage = S3Storage(_settings(endpoint, bucket, name="small"))
    report = ops.verify(storage)
    assert not report.ok
    assert "MISSING_BLOB" in {f["code"] for f in report.to_dict()["findings"]}
    # A missing layer is no reason to refuse gc (as in a layout): it keeps everything else.
    assert ops.gc(storage, grace_period_ms=0, settle_ms=0).delete == []


def test_a_stored_config_that_is_not_one_makes_gc_refuse(endpoint: str, bucket: str) -> None:
    _upload_capture(endpoint, bucket)
    client = _client(endpoint)
    client.put_object(Bucket=bucket, Key="manifests/broken", Body=b'{"layers":[{"blob":"sha256:00"}]}')
    storage = S3Storage(_settings(endpoint, bucket, name="small"))
    report = ops.verify(storage)
    assert not report.ok
    with pytest.raises(ocicache.OcicacheError) as err:
        ops.gc(storage, grace_period_ms=0, settle_ms=0)
    assert err.value.code == "INCOMPLETE_CACHE"
    assert len(client.list_objects_v2(Bucket=bucket)["Contents"]) == 9


def test_large_blobs_go_up_in_parts_and_only_when_their_digest_matches(endpoint: str, bucket: str) -> None:
    storage = S3Storage(_settings(endpoint, bucket))
    data = os.urandom((16 << 20) * 2 + 12345)
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    storage.write_blob(d, (data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20)))
    assert hashlib.sha256(b"".join(storage.open_blob(d))).hexdigest() == d.split(":")[1]
    wrong = "sha256:" + hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(ocicache.OcicacheError) as err:
        storage.write_blob(wrong, (data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20)))
    assert err.value.code == "DIGEST_MISMATCH"
    assert not storage.has_blob(wrong)
    assert _client(endpoint).list_multipart_uploads(Bucket=bucket).get("Uploads") is None
    with pytest.raises(ocicache.OcicacheError) as err:
        storage.write_blob(wrong, b"small and wrong")
    assert err.value.code == "DIGEST_MISMATCH"


def test_a_missing_bucket_is_a_storage_error(endpoint: str) -> None:
    storage = S3Storage(_settings(endpoint, "no-such-bucket"))
    with pytest.raises(ocicache.OcicacheError) as err:
        storage.read_index()
    assert err.value.code == "STORAGE_ERROR"
    assert "no-such-bucket" in str(err.value)
