"""s3 caches, through both CLIs, against BuildKit's own ``type=s3`` export
into ``moto_server`` (PyPI ``moto[server]``, an S3 API server on 127.0.0.1,
started for this module): verify and inspect it, copy it to a directory and
back into another bucket (the stored config must be BuildKit's bytes), gc it
with a stray blob in the bucket — and BuildKit imports every result with
every step CACHED."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clis import CLIS, ok, run, tree
from conftest import Imports

boto3 = pytest.importorskip("boto3")
CTX = "app"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def _location(endpoint: str, bucket: str) -> str:
    return (f"type=s3,bucket={bucket},region=us-east-1,endpoint_url={endpoint},use_path_style=true,"
            f"access_key_id=x,secret_access_key=y,name={CTX}")


def _objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = _client(endpoint)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {k: client.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def test_buildkits_s3_export_through_both_clis(imports: Imports, work: Path, endpoint: str) -> None:
    client = _client(endpoint)
    for b in ("exported", "copied"):
        client.create_bucket(Bucket=b)
    exported = _location(endpoint, "exported")
    imports.bk.build(imports.ctxs[CTX].dir, imports.tools, export=exported + ",mode=max")
    stored = _objects(endpoint, "exported")
    assert f"manifests/{CTX}" in stored

    # verify and inspect: clean, and the same from both CLIs.
    outputs = {cli: ok(run(cli, "verify", "--json", exported)).stdout for cli in CLIS}
    assert outputs["node"] == outputs["python"]
    assert '"ok":true' in outputs["node"].replace(" ", "")
    assert ok(run("node", "inspect", exported)).stdout == ok(run("python", "inspect", exported)).stdout

    # s3 -> a directory (both CLIs alike), imported with every hit.
    dirs = {cli: work / f"s3-restored-{cli}" for cli in CLIS}
    for cli, d in dirs.items():
        shutil.rmtree(d, ignore_errors=True)
        ok(run(cli, "copy", exported, str(d)))
    assert tree(dirs["node"]) == tree(dirs["python"])
    imports.check(CTX, imports.local(dirs["node"]), "BuildKit s3 export -> copy -> local")

    # The directory -> another bucket: BuildKit's own bytes, imported with every hit.
    copied = _location(endpoint, "copied")
    ok(run("python", "copy", str(dirs["node"]), copied))
    assert _objects(endpoint, "copied") == stored, "the copy back into s3 is not what BuildKit stored"
    imports.check(CTX, copied, "s3 -> local -> s3 (BuildKit imports from s3)", output=False)

    # gc: a stray blob goes; all BuildKit stored stays, and still imports.
    stray = b"no config names this blob"
    key = "blobs/sha256:" + hashlib.sha256(stray).hexdigest()
    client.put_object(Bucket="exported", Key=key, Body=stray)
    dry = ok(run("node", "gc", "--dry-run", "--grace-period", "0", exported)).stdout
    assert dry == ok(run("python", "gc", "--dry-run", "--grace-period", "0", exported)).stdout
    assert "would delete 1 blobs" in dry, dry
    ok(run("node", "gc", "--grace-period", "0", "--settle", "0", exported))
    assert _objects(endpoint, "exported") == stored
    imports.check(CTX, exported, "BuildKit s3 export after gc", output=False)
