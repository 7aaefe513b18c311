"""s3 and azblob caches, through both CLIs, against BuildKit's own
``type=s3`` export into ``moto_server`` (PyPI ``moto[server]``) and its own
``type=azblob`` export into ``azurite-blob`` (npm ``azurite``, with
``--disableTelemetry``), both on 127.0.0.1 and started for this module:
verify and inspect each, copy it to a directory and back into another
bucket or container (the stored config must be BuildKit's bytes), gc it with
a stray blob beside it — and BuildKit imports every result with every step
CACHED. One copy also crosses stores: s3 -> local -> registry -> azblob."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from clis import CLIS, ok, run, tree
from conftest import REPO, Imports

sys.path.insert(0, str(REPO / "python" / "tests"))
import servers  # noqa: E402

boto3 = pytest.importorskip("boto3")
CTX = "app"
ACCOUNT, KEY = servers.AZURITE_ACCOUNT, servers.AZURITE_KEY


@dataclass
class Store:
    """A kind of store: a new bucket or container's location, and its objects."""

    location: Callable[[str], str]
    objects: Callable[[str], dict[str, bytes]]
    put: Callable[[str, str, bytes], None]


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, Store]]:
    with ExitStack() as running:
        endpoint = running.enter_context(servers.moto())
        account_url = running.enter_context(servers.azurite())
        yield _stores(endpoint, account_url)


def _stores(endpoint: str, account_url: str) -> dict[str, Store]:
    """Bucket and container makers on the running servers."""
    from azure.storage.blob import BlobServiceClient

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    az = BlobServiceClient(account_url, credential={"account_name": ACCOUNT, "account_key": KEY})

    def s3_location(bucket: str) -> str:
        s3.create_bucket(Bucket=bucket)
        return (f"type=s3,bucket={bucket},region=us-east-1,endpoint_url={endpoint},use_path_style=true,"
                f"access_key_id=x,secret_access_key=y,name={CTX}")

    def s3_objects(bucket: str) -> dict[str, bytes]:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}

    def az_location(container: str) -> str:
        az.create_container(container)
        return (f"type=azblob,account_url={account_url},account_name={ACCOUNT},secret_access_key={KEY},"
                f"container={container},name={CTX}")

    def az_objects(container: str) -> dict[str, bytes]:
        c = az.get_container_client(container)
        return {b.name: c.download_blob(b.name).readall() for b in c.list_blobs()}

    def az_put(container: str, key: str, data: bytes) -> None:
        az.get_container_client(container).upload_blob(key, data, overwrite=True)

    return {
        "s3": Store(s3_location, s3_objects, lambda b, k, v: s3.put_object(Bucket=b, Key=k, Body=v)),
        "azblob": Store(az_location, az_objects, az_put),
    }


@pytest.mark.parametrize("kind", ["s3", "azblob"])
def test_buildkits_cloud_export_through_both_clis(imports: Imports, work: Path, stores: dict[str, Store], kind: str) -> None:
    store = stores[kind]
    exported = store.location("exported")
    imports.bk.build(imports.ctxs[CTX].dir, imports.tools, export=exported + ",mode=max")
    stored = store.objects("exported")
    assert f"manifests/{CTX}" in stored

    # verify and inspect: clean, and the same from both CLIs.
    outputs = {cli: ok(run(cli, "verify", "--json", exported)).stdout for cli in CLIS}
    assert outputs["node"] == outputs["python"]
    assert '"ok":true' in outputs["node"].replace(" ", "")
    assert ok(run("node", "inspect", exported)).stdout == ok(run("python", "inspect", exported)).stdout

    # The store -> a directory (both CLIs alike), imported with every hit.
    dirs = {cli: work / f"{kind}-restored-{cli}" for cli in CLIS}
    for cli, d in dirs.items():
        shutil.rmtree(d, ignore_errors=True)
        ok(run(cli, "copy", exported, str(d)))
    assert tree(dirs["node"]) == tree(dirs["python"])
    imports.check(CTX, imports.local(dirs["node"]), f"BuildKit {kind} export -> copy -> local")

    # The directory -> another bucket or container: BuildKit's own bytes, imported with every hit.
    copied = store.location("copied")
    ok(run("python", "copy", str(dirs["node"]), copied))
    assert store.objects("copied") == stored, f"the copy back into {kind} is not what BuildKit stored"
    imports.check(CTX, copied, f"{kind} -> local -> {kind} (BuildKit imports from {kind})", output=False)

    # gc: a stray blob goes; all BuildKit stored stays, and still imports.
    stray = b"no config names this blob"
    store.put("exported", "blobs/sha256:" + hashlib.sha256(stray).hexdigest(), stray)
    dry = ok(run("node", "gc", "--dry-run", "--grace-period", "0", exported)).stdout
    assert dry == ok(run("python", "gc", "--dry-run", "--grace-period", "0", exported)).stdout
    assert "would delete 1 blobs" in dry, dry
    ok(run("node", "gc", "--grace-period", "0", "--settle", "0", exported))
    assert store.objects("exported") == stored
    imports.check(CTX, exported, f"BuildKit {kind} export after gc", output=False)


def test_s3_to_local_to_registry_to_azblob(imports: Imports, work: Path, stores: dict[str, Store]) -> None:
    """One cache across every store: BuildKit exports to s3; ocicache copies
    it to a directory, the directory to the registry, the registry to
    azblob; BuildKit imports the azblob copy with every hit."""
    src = stores["s3"].location("across")
    imports.bk.build(imports.ctxs[CTX].dir, imports.tools, export=src + ",mode=max")
    local = work / "across-local"
    shutil.rmtree(local, ignore_errors=True)
    ok(run("node", "copy", src, str(local)))
    ref = f"{imports.registry}/interop/across:cache"
    ok(run("python", "copy", str(local), ref))
    dest = stores["azblob"].location("across")
    ok(run("node", "copy", ref, dest))
    assert stores["azblob"].objects("across") == stores["s3"].objects("across")
    imports.check(CTX, dest, "s3 -> local -> registry -> azblob", output=False)


@pytest.mark.parametrize("kind", ["s3", "azblob"])
def test_merge_into_a_cloud_cache(imports: Imports, stores: dict[str, Store], kind: str) -> None:
    """BuildKit exports app to the store; ocicache merges app's branch (a
    local export) into that tag; BuildKit imports the merged cache from the
    store with every hit for both contexts."""
    names = [CTX, imports.ctxs[CTX].branches[0]]
    dest = stores[kind].location("merged")
    imports.bk.build(imports.ctxs[CTX].dir, imports.tools, export=dest + ",mode=max")
    r = ok(run("node", "merge", "--json", dest, imports.export(names[1], "max"))).json()
    assert r["existing"] == "merged", r
    assert '"ok":true' in ok(run("python", "verify", "--json", dest)).stdout.replace(" ", "")
    for c in names:
        imports.check(c, dest, f"merge into {kind}: {'+'.join(names)}", repeat=2, output=False)
