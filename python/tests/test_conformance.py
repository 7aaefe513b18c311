"""The storage-driver conformance suite: the same tests, parameterised by
driver, that every driver passes — LocalStorage, RegistryStorage (Debian's
docker-registry), S3Storage (moto_server), AzblobStorage (azurite). A new
driver is correct by passing it. Where a kind of store cannot do something
(a registry cannot list or delete blobs, and holds one tag per reference),
the suite checks that it says so. The Node package's conformance.test.mjs
runs the same cases on its drivers (and the viewer's FileStorage)."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable

import pytest

import ocicache
import servers
from conftest import TESTS
from ocicache import operations as ops
from ocicache.location import open_location
from ocicache.registry import RegistryStorage
from ocicache.storage import LocalStorage, StorageDriver
from servers import AZURITE_ACCOUNT, AZURITE_KEY

_made = itertools.count()


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _fixture(name: str) -> LocalStorage:
    return LocalStorage(str(TESTS / "fixtures" / "buildkit" / name / "cache"))


@dataclass
class Kind:
    """A kind of store: a new empty driver, and what it can do."""

    make: Callable[[], StorageDriver]
    lists: bool
    deletes: bool
    many_tags: bool


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    r = servers.Registry()
    yield r.host
    r.stop()


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    with servers.moto() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def azurite() -> Iterator[str]:
    with servers.azurite() as url:
        yield url


@pytest.fixture(params=["local", "registry", "s3", "azblob"])
def kind(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Kind:
    if request.param == "local":
        return Kind(lambda: LocalStorage(str(tmp_path_factory.mktemp("conf"))), True, True, True)
    if request.param == "registry":
        host = request.getfixturevalue("registry")
        return Kind(lambda: RegistryStorage(f"{host}/conformance/p{next(_made)}:t"), False, False, False)
    if request.param == "s3":
        import boto3  # type: ignore[import-untyped]

        endpoint = request.getfixturevalue("moto")
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")

        def s3() -> StorageDriver:
            bucket = f"conf-{os.getpid()}-{next(_made)}"
            client.create_bucket(Bucket=bucket)
            return open_location(f"type=s3,bucket={bucket},region=us-east-1,endpoint_url={endpoint},"
                                 "use_path_style=true,access_key_id=x,secret_access_key=y,name=t").storage

        return Kind(s3, True, True, True)
    from azure.storage.blob import BlobServiceClient

    url = request.getfixturevalue("azurite")
    service = BlobServiceClient(url, credential={"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY})

    def azblob() -> StorageDriver:
        container = f"conf-{os.getpid()}-{next(_made)}"
        service.create_container(container)
        return open_location(f"type=azblob,account_url={url},account_name={AZURITE_ACCOUNT},"
                             f"secret_access_key={AZURITE_KEY},container={container},name=t").storage

    return Kind(azblob, True, True, True)


def _tag(s: StorageDriver) -> str:
    return str(getattr(s, "tag", None) or "t")


def _first(index: Any) -> dict[str, Any]:
    entry: dict[str, Any] = ocicache.ImageIndex.from_bytes(index).to_dict()["manifests"][0]
    return entry


def test_an_empty_store_has_no_index_and_lists_no_blobs(kind: Kind) -> None:
    s = kind.make()
    assert s.read_index() is None
    assert s.list_blobs() == []


def test_a_blob_written_is_there_whole_up_to_a_limit_streamed_listed(kind: Kind) -> None:
    s = kind.make()
    data = os.urandom((3 << 20) + 17)
    d = _sha(data)
    s.write_blob(d, data)
    s.write_blob(d, data)  # again: no error, same content
    assert s.has_blob(d)
    assert s.read_blob(d) == data
    assert s.read_blob(d, limit=10) == data[:10]
    assert b"".join(s.open_blob(d)) == data
    if kind.lists:
        listed = [b for b in s.list_blobs() if b["path"] == "blobs/" + d.replace(":", "/")]
        assert [b["size"] for b in listed] == [len(data)]


def test_a_blob_written_from_chunks_is_the_chunks_joined(kind: Kind) -> None:
    s = kind.make()
    chunks = [os.urandom(1000), os.urandom(1 << 20), os.urandom(5)]
    d = _sha(b"".join(chunks))
    s.write_blob(d, iter(chunks))
    assert b"".join(s.open_blob(d)) == b"".join(chunks)


def test_content_that_does_not_match_its_digest_is_refused_and_not_stored(kind: Kind) -> None:
    s = kind.make()
    d = _sha(b"the digest of something else")
    with pytest.raises(ocicache.OcicacheError) as err:
        s.write_blob(d, b"this")
    assert err.value.code == "DIGEST_MISMATCH"
    assert not s.has_blob(d)


def test_a_missing_blob_reads_as_none_and_streams_as_an_error(kind: Kind) -> None:
    s = kind.make()
    d = _sha(b"never written")
    assert s.read_blob(d) is None
    assert not s.has_blob(d)
    with pytest.raises((OSError, ocicache.OcicacheError)):
        b"".join(s.open_blob(d))


def test_a_cache_copied_in_reads_back_with_the_same_manifest_and_verifies(kind: Kind) -> None:
    s = kind.make()
    source = _fixture("local-min")
    ops.copy(source, s, tag="latest", to_tag=_tag(s))
    index = s.read_index()
    assert index is not None
    assert _first(index)["digest"] == _first(source.read_index())["digest"]
    report = ops.verify(s)
    assert report.ok, report.to_text()


def test_tags_a_second_is_kept_beside_the_first_or_one_per_reference_is_replaced(kind: Kind) -> None:
    s = kind.make()
    ops.copy(_fixture("local-min"), s, tag="latest", to_tag=_tag(s))
    if kind.many_tags:
        ops.copy(_fixture("small-max"), s, tag="latest", to_tag="second")
        assert sorted(ocicache.ImageIndex.from_bytes(s.read_index() or b"").tags()) == sorted(["second", _tag(s)])
    else:
        ops.copy(_fixture("small-max"), s, tag="latest", to_tag=_tag(s))
        assert _first(s.read_index())["digest"] == _first(_fixture("small-max").read_index())["digest"]


def test_a_deleted_blob_is_gone_or_deleting_is_unsupported(kind: Kind) -> None:
    s = kind.make()
    data = b"to be deleted"
    s.write_blob(_sha(data), data)
    if kind.deletes:
        s.delete_blob(_sha(data))
        assert not s.has_blob(_sha(data))
    else:
        with pytest.raises(ocicache.OcicacheError) as err:
            s.delete_blob(_sha(data))
        assert err.value.code == "UNSUPPORTED_OPERATION"

