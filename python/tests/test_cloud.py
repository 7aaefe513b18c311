"""The cloud drivers — s3 and azblob — by the same tests, against real
servers on 127.0.0.1 started for this module and stopped after:
``moto_server`` (PyPI ``moto[server]``) for S3 and ``azurite-blob`` (npm
``azurite``, with ``--disableTelemetry``) for Azure Blob Storage. A store is
filled with a real BuildKit ``type=s3`` export (tests/fixtures/cloud/
s3-small-max, captured with its ``type=local`` twin; azblob keeps the same
names and bytes under its default prefixes)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import ocicache
import servers
from conftest import TESTS
from ocicache import operations as ops
from ocicache.cloud import INDEX_ATTEMPTS, CloudStorage, Condition, unconditional_error
from ocicache.error import coded
from ocicache.location import open_location
from ocicache.storage import LocalStorage
from servers import AZURITE_ACCOUNT, AZURITE_KEY

CAPTURE = TESTS / "fixtures" / "cloud" / "s3-small-max"


@dataclass
class Store:
    """One empty bucket or container: a driver for it, and raw access."""

    spec: Callable[[str], str]
    put: Callable[[str, bytes], None]
    delete: Callable[[str], None]
    keys: Callable[[], set[str]]
    get: Callable[[str], bytes]
    uploads: Optional[Callable[[], int]]
    """Unfinished multipart uploads (azblob has none to count: staged
    blocks are never listed)."""

    def storage(self, name: str = "buildkit") -> CloudStorage:
        storage = open_location(self.spec(name)).storage
        assert isinstance(storage, CloudStorage)
        return storage


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    with servers.moto() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def moto_auth() -> Iterator[str]:
    """A moto_server that checks credentials (and knows none)."""
    with servers.moto(check_credentials=True) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def azurite() -> Iterator[str]:
    with servers.azurite() as url:
        yield url


def _s3(endpoint: str, bucket: str) -> Store:
    import boto3  # type: ignore[import-untyped]

    c = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    c.create_bucket(Bucket=bucket)
    return Store(
        spec=lambda name: (f"type=s3,bucket={bucket},region=us-east-1,endpoint_url={endpoint},use_path_style=true,"
                           f"access_key_id=x,secret_access_key=y,name={name}"),
        put=lambda k, v: c.put_object(Bucket=bucket, Key=k, Body=v),
        delete=lambda k: c.delete_object(Bucket=bucket, Key=k),
        keys=lambda: {o["Key"] for o in c.list_objects_v2(Bucket=bucket).get("Contents", [])},
        get=lambda k: c.get_object(Bucket=bucket, Key=k)["Body"].read(),
        uploads=lambda: len(c.list_multipart_uploads(Bucket=bucket).get("Uploads") or []),
    )


def _azblob(url: str, container: str) -> Store:
    from azure.storage.blob import BlobServiceClient

    c = BlobServiceClient(url, credential={"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY}).get_container_client(container)
    c.create_container()

    def put(key: str, data: bytes) -> None:
        c.upload_blob(key, data, overwrite=True)

    return Store(
        spec=lambda name: (f"type=azblob,account_url={url},account_name={AZURITE_ACCOUNT},"
                           f"secret_access_key={AZURITE_KEY},container={container},name={name}"),
        put=put,
        delete=lambda k: c.delete_blob(k),
        keys=lambda: {b.name for b in c.list_blobs()},
        get=lambda k: c.download_blob(k).readall(),
        uploads=None,
    )


@pytest.fixture(params=["s3", "azblob"])
def store(request: pytest.FixtureRequest) -> Store:
    name = "c" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    if request.param == "s3":
        return _s3(request.getfixturevalue("moto"), name)
    return _azblob(request.getfixturevalue("azurite"), name)


def _upload_capture(store: Store) -> None:
    root = CAPTURE / "bucket"
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        store.put(path.relative_to(root).as_posix(), path.read_bytes())


def _capture_keys() -> set[str]:
    root = CAPTURE / "bucket"
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _local_manifest() -> bytes:
    index = ocicache.ImageIndex.from_bytes((CAPTURE / "cache" / "index.json").read_bytes())
    d = str(index.to_dict()["manifests"][0]["digest"])
    return (CAPTURE / "cache" / "blobs" / "sha256" / d.split(":")[1]).read_bytes()


def test_a_buildkit_export_reads_as_the_layout_of_its_local_twin(store: Store) -> None:
    _upload_capture(store)
    storage = store.storage("small")
    index = storage.read_index()
    assert index is not None
    entry = ocicache.ImageIndex.from_bytes(index).find_tag("small")
    assert storage.read_blob(entry["digest"]) == _local_manifest()
    report = ops.verify(storage)
    assert report.ok, report.to_text()
    summary = report.to_dict()
    assert (summary["blobs"], summary["reachable"], summary["errors"]) == (9, 9, 0)
    assert "7 layers" in ops.inspect(storage).to_text()


def test_copies_both_ways_give_buildkits_own_bytes(store: Store, tmp_path: Path) -> None:
    source = LocalStorage(str(CAPTURE / "cache"))
    ops.copy(source, store.storage("small"), tag="latest", to_tag="small")
    assert store.keys() == _capture_keys()
    assert store.get("manifests/small") == (CAPTURE / "bucket" / "manifests" / "small").read_bytes()
    assert ops.copy(source, store.storage("small"), tag="latest", to_tag="small")["copied"] == 0
    into = LocalStorage(str(tmp_path / "cache"))
    ops.copy(store.storage("small"), into, to_tag="latest")
    assert (tmp_path / "cache" / "index.json").read_bytes() == (CAPTURE / "cache" / "index.json").read_bytes()
    for blob in (CAPTURE / "cache" / "blobs" / "sha256").iterdir():
        assert (tmp_path / "cache" / "blobs" / "sha256" / blob.name).read_bytes() == blob.read_bytes()


def test_gc_deletes_only_what_no_stored_config_reaches(store: Store) -> None:
    _upload_capture(store)
    stray = b"a blob no config names"
    key = "blobs/sha256:" + hashlib.sha256(stray).hexdigest()
    store.put(key, stray)
    ops.copy(LocalStorage(str(TESTS / "fixtures" / "buildkit" / "local-min" / "cache")), store.storage("other"),
             tag="latest", to_tag="other")
    storage = store.storage("small")
    before = store.keys()
    plan = ops.gc(storage, dry_run=True, grace_period_ms=0, settle_ms=0)
    assert plan.delete == ["blobs/sha256/" + key.split(":")[1]]
    assert store.keys() == before
    assert ops.gc(storage, grace_period_ms=3_600_000, settle_ms=0).delete == []
    ops.gc(storage, grace_period_ms=0, settle_ms=0)
    assert store.keys() == before - {key}
    assert ops.verify(storage).ok


def test_dropping_a_tag_removes_its_config_and_what_only_it_reached(store: Store) -> None:
    _upload_capture(store)
    ops.copy(LocalStorage(str(TESTS / "fixtures" / "buildkit" / "local-min" / "cache")), store.storage("other"),
             tag="latest", to_tag="other")
    ops.gc(store.storage("small"), drop_tags=["other"], grace_period_ms=0, settle_ms=0)
    assert store.keys() == _capture_keys()


def test_damage_is_found_and_gc_fails_closed(store: Store) -> None:
    _upload_capture(store)
    gone = sorted((CAPTURE / "bucket" / "blobs").iterdir())[0].name
    store.delete(f"blobs/{gone}")
    report = ops.verify(store.storage("small"))
    assert not report.ok
    assert "MISSING_BLOB" in {f["code"] for f in report.to_dict()["findings"]}
    # A missing layer is no reason to refuse gc (as in a layout).
    assert ops.gc(store.storage("small"), grace_period_ms=0, settle_ms=0).delete == []
    store.put("manifests/broken", b'{"layers":[{"blob":"sha256:00"}]}')
    with pytest.raises(ocicache.OcicacheError) as err:
        ops.gc(store.storage("small"), grace_period_ms=0, settle_ms=0)
    assert err.value.code == "INCOMPLETE_CACHE"
    assert len(store.keys()) == 8


def test_large_blobs_are_committed_only_when_their_digest_matches(store: Store) -> None:
    storage = store.storage()
    data = os.urandom((32 << 20) * 2 + 12345)
    d = "sha256:" + hashlib.sha256(data).hexdigest()

    def chunks() -> Iterator[bytes]:
        return (data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20))

    storage.write_blob(d, chunks())
    assert hashlib.sha256(b"".join(storage.open_blob(d))).hexdigest() == d.split(":")[1]
    wrong = "sha256:" + hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(ocicache.OcicacheError) as err:
        storage.write_blob(wrong, chunks())
    assert err.value.code == "DIGEST_MISMATCH"
    assert not storage.has_blob(wrong)
    if store.uploads is not None:
        assert store.uploads() == 0
    with pytest.raises(ocicache.OcicacheError) as err:
        storage.write_blob(wrong, b"small and wrong")
    assert err.value.code == "DIGEST_MISMATCH"
    assert not storage.has_blob(wrong)


def test_an_interrupted_copy_leaves_the_tag_and_the_next_completes(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    source = LocalStorage(str(CAPTURE / "cache"))
    storage = store.storage("small")
    real = type(storage)._put
    calls = {"n": 0}

    def failing(self: Any, key: str, chunks: Any, expect: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise ocicache.OcicacheError("the connection broke")
        real(self, key, chunks, expect)

    monkeypatch.setattr(type(storage), "_put", failing)
    with pytest.raises(ocicache.OcicacheError):
        ops.copy(source, storage, tag="latest", to_tag="small")
    monkeypatch.undo()
    assert "manifests/small" not in store.keys(), "the tag was written before its blobs"
    again = ops.copy(source, store.storage("small"), tag="latest", to_tag="small")
    assert 0 < again["copied"] < 7
    assert store.keys() == _capture_keys()
    assert ops.verify(store.storage("small")).ok


def test_blobs_are_looked_up_in_one_listing_where_it_covers_them(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """has_blob answers from one listing of the blobs for the keys it
    covers: a copy into an empty store looks up no blob one by one; a blob
    the listing has is still looked up (it may be gone); keys past a listing
    cut short, or any key when listing is refused, are looked up."""
    source = LocalStorage(str(CAPTURE / "cache"))
    storage = store.storage("small")
    heads: list[str] = []
    listings: list[str] = []
    real_head, real_pages = type(storage)._head, type(storage)._list_pages
    blobs = storage._blob_key("")

    def head(self: Any, key: str) -> Optional[int]:
        heads.append(key)
        return real_head(self, key)

    def pages(self: Any, prefix: str) -> Iterator[list[Any]]:
        if prefix == blobs:
            listings.append(prefix)
        for page in real_pages(self, prefix):  # pages of 2 keys, to cut the listing short below
            yield from (page[i:i + 2] for i in range(0, len(page), 2))

    monkeypatch.setattr(type(storage), "_head", head)
    monkeypatch.setattr(type(storage), "_list_pages", pages)
    first = ops.copy(source, storage, tag="latest", to_tag="small")
    assert first["copied"] == first["blobs"] and (heads, len(listings)) == ([], 1)
    # What the driver wrote joined its listing: found, each confirmed.
    again = ops.copy(source, storage, tag="latest", to_tag="small")
    layers = sorted(k for k in store.keys() if k.startswith(blobs))
    assert again["skipped"] == again["blobs"] and sorted(heads) == layers and len(listings) == 1
    # Gone behind the driver's back: the lookup says so.
    store.delete(layers[0])
    assert not storage.has_blob(layers[0][len(blobs):])
    # A listing cut short (one page of 2 keys) covers keys up to its last.
    fresh = store.storage("small")
    fresh.presence_pages = 1
    heads.clear()
    assert fresh.has_blob(layers[2][len(blobs):]) and heads == [layers[2]]
    assert not fresh.has_blob("sha256:" + "0" * 64) and heads == [layers[2]]
    # Refused to list (credentials that may only look up): each key is looked up.
    def refused(self: Any, prefix: str) -> Iterator[list[Any]]:
        if prefix == blobs:
            raise coded("UNAUTHORIZED", "s3:ListBucket is not granted")
        yield from real_pages(self, prefix)

    monkeypatch.setattr(type(storage), "_list_pages", refused)
    heads.clear()
    assert not store.storage("small").has_blob("sha256:" + "0" * 64) and heads == [blobs + "sha256:" + "0" * 64]


def test_a_read_is_one_request_for_any_limit_and_any_length(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """read_blob asks for a range and takes what comes: no lookup first,
    empty blobs, limits past the end, and a missing blob (None)."""
    storage = store.storage()
    empty, hello = str(ocicache.digest(b"")), str(ocicache.digest(b"hello"))
    store.put(storage._blob_key(empty), b"")
    store.put(storage._blob_key(hello), b"hello")

    def no_lookup(self: Any, key: str) -> Optional[int]:
        raise AssertionError(f"looked {key} up before reading it")

    monkeypatch.setattr(type(storage), "_head", no_lookup)
    if type(storage).__name__ == "AzblobStorage":
        from azure.storage.blob import BlobClient

        monkeypatch.setattr(BlobClient, "get_blob_properties", no_lookup)
    reads = [storage.read_blob(d, limit=n) for d in (empty, hello) for n in (0, 3, 10, None)]
    assert reads == [b"", b"", b"", b"", b"", b"hel", b"hello", b"hello"]
    assert storage.read_blob(str(ocicache.digest(b"gone")), limit=5) is None


def _named(index: Optional[bytes], tag: str) -> Optional[str]:
    try:
        return str(ocicache.ImageIndex.from_bytes(index).find_tag(tag)["digest"]) if index else None
    except ocicache.OcicacheError:
        return None


def _to_small(index: Optional[bytes], tag: str) -> bytes:
    """``index`` with ``tag`` set to what ``small`` names."""
    assert index is not None
    return ocicache.ImageIndex.updated_layout_index(index, tag, ocicache.ImageIndex.from_bytes(index).find_tag("small"))


def test_a_config_another_writer_stored_since_it_was_read_is_not_overwritten(store: Store) -> None:
    """An export that stores a name between update_index's read and its
    write fails the write's condition (If-Match the ETag read, or
    If-None-Match: * for a new name); the update then sees the export."""
    ops.copy(LocalStorage(str(CAPTURE / "cache")), store.storage("small"), tag="latest", to_tag="small")
    ops.copy(LocalStorage(str(TESTS / "fixtures" / "buildkit" / "local-min" / "cache")), store.storage("a"),
             tag="latest", to_tag="a")
    exported, original = store.get("manifests/small"), store.get("manifests/a")
    for tag in ("a", "new"):
        storage = store.storage("a")
        small = _named(storage.read_index(), "small")
        seen: list[Optional[str]] = []

        def update(current: Optional[bytes], tag: str = tag) -> bytes:
            seen.append(_named(current, tag))
            if len(seen) == 1:
                store.put(f"manifests/{tag}", exported)  # the export lands
            return _to_small(current, tag)

        storage.update_index(update)
        assert len(seen) == 2, (tag, seen)
        assert seen[1] == small and seen[0] != small, (tag, seen)
    # An export before every write: CACHE_LOCKED after INDEX_ATTEMPTS.
    store.put("manifests/a", original)
    runs = []

    def racing(current: Optional[bytes]) -> bytes:
        runs.append(1)
        # New bytes each time (an S3 ETag is their MD5), and not what the update writes.
        store.put("manifests/a", original + b" " * len(runs))
        return _to_small(current, "a")

    with pytest.raises(ocicache.OcicacheError) as err:
        store.storage("a").update_index(racing)
    assert err.value.code == "CACHE_LOCKED"
    assert len(runs) == INDEX_ATTEMPTS


def test_a_store_that_does_not_implement_conditional_writes_is_written_to_without_them(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = store.storage("a")
    put = storage._put_whole
    asked: list[tuple[str, Any]] = []

    def put_whole(key: str, data: bytes, condition: Optional[Condition] = None) -> Optional[str]:
        if key.startswith("manifests/"):
            asked.append((key, condition))
        if condition:
            raise unconditional_error(storage, key)
        return put(key, data)

    monkeypatch.setattr(storage, "_put_whole", put_whole)
    source = LocalStorage(str(TESTS / "fixtures" / "buildkit" / "local-min" / "cache"))
    ops.copy(source, storage, tag="latest", to_tag="a")
    ops.copy(source, storage, tag="latest", to_tag="b")
    assert asked == [("manifests/a", {"if_none_match": "*"}), ("manifests/a", None), ("manifests/b", None)]
    assert "manifests/b" in store.keys()
    assert ops.verify(store.storage("b")).ok


def test_a_missing_bucket_or_container_is_a_storage_error(store: Store) -> None:
    spec = store.spec("x").replace("bucket=c", "bucket=missing-c").replace("container=c", "container=missing-c")
    with pytest.raises(ocicache.OcicacheError) as err:
        open_location(spec).storage.read_index()
    assert err.value.code == "STORAGE_ERROR"
    assert ("no bucket 'missing-c" if "type=s3" in spec else "no container 'missing-c") in str(err.value), str(err.value)
    assert "secret" not in str(err.value) and "y," not in str(err.value) and AZURITE_KEY not in str(err.value)


def test_missing_attributes_come_from_the_daemons_environment_as_buildkit_reads_it() -> None:
    from ocicache.cloud import daemon_settings

    e = ocicache.parse_cache_options("type=s3,name=a", direction="import")[0]
    done = daemon_settings("s3", e.settings, e.attrs, {"AWS_BUCKET": "b", "AWS_REGION": "r"})
    assert (done["bucket"], done["region"]) == ("b", "r")
    with pytest.raises(ocicache.OcicacheError) as err:
        daemon_settings("s3", e.settings, e.attrs, {"AWS_REGION": "r"})
    assert (err.value.code, str(err.value)) == ("MISSING_OPTION", "bucket ($AWS_BUCKET) not set for s3 cache")
    e = ocicache.parse_cache_options("type=azblob,container=mine,name=a", direction="import")[0]
    env = {"BUILDKIT_AZURE_STORAGE_ACCOUNT_URL": "http://u", "BUILDKIT_AZURE_STORAGE_CONTAINER": "theirs",
           "BUILDKIT_AZURE_STORAGE_PREFIX": "p/"}
    done = daemon_settings("azblob", e.settings, e.attrs, env)
    assert (done["account_url"], done["container"], done["prefix"]) == ("http://u", "mine", "p/")
    with pytest.raises(ocicache.OcicacheError) as err:
        daemon_settings("azblob", e.settings, e.attrs, {})
    assert err.value.code == "MISSING_OPTION"


@pytest.mark.parametrize("kind", ["s3", "azblob"])
def test_wrong_credentials_are_unauthorized_and_the_secret_is_not_said(kind: str, request: pytest.FixtureRequest) -> None:
    if kind == "s3":
        url = request.getfixturevalue("moto_auth")
        secret = "not-a-real-secret"
        spec = (f"type=s3,bucket=b,region=us-east-1,endpoint_url={url},use_path_style=true,"
                f"access_key_id=AKIAWRONG,secret_access_key={secret}")
    else:
        url = request.getfixturevalue("azurite")
        secret = "bm90LXRoZS1rZXk="
        spec = f"type=azblob,account_url={url},account_name={AZURITE_ACCOUNT},secret_access_key={secret},container=denied"
    with pytest.raises(ocicache.OcicacheError) as err:
        open_location(spec).storage.read_index()
    assert err.value.code == "UNAUTHORIZED", (err.value.code, str(err.value))
    assert secret not in str(err.value)


def test_gc_keeps_young_blobs_by_default_and_what_was_touched_since_its_listing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _upload_capture(store)
    stray = b"a blob no config names"
    key = "blobs/sha256:" + hashlib.sha256(stray).hexdigest()
    store.put(key, stray)
    storage = store.storage("small")
    # Without a grace period: BuildKit's touch_refresh (24 h), so a new stray blob stays.
    assert storage.default_grace_period_ms == 24 * 3600 * 1000
    assert ops.gc(storage, settle_ms=0).delete == []
    # An export re-touches the blob between gc's listing and its delete: it stays.
    real = type(storage).list_blobs
    calls = {"n": 0}

    def touched(self: Any) -> list[Any]:
        calls["n"] += 1
        listing = real(self)
        if calls["n"] == 1:
            return listing
        return [{**b, "modified": (b["modified"] or 0) + 1000} for b in listing]

    monkeypatch.setattr(type(storage), "list_blobs", touched)
    plan = ops.gc(storage, grace_period_ms=0, settle_ms=0)
    assert plan.delete == [] and key in store.keys()
    monkeypatch.undo()
    ops.gc(store.storage("small"), grace_period_ms=0, settle_ms=0)
    assert key not in store.keys()


def test_merge_prune_and_convert_work_on_the_store(store: Store) -> None:
    fixtures = TESTS / "fixtures" / "buildkit"
    ops.copy(LocalStorage(str(fixtures / "local-min" / "cache")), store.storage("a"), tag="latest", to_tag="a")
    s = store.storage("a")
    ops.merge(s, [(s, "a"), (LocalStorage(str(fixtures / "small-max" / "cache")), "latest")], tag="merged")
    assert {"manifests/a", "manifests/merged"} <= store.keys()
    assert ops.verify(store.storage("a")).ok
    stored = int(ops.verify(store.storage("a")).to_dict()["bytes"])
    pruned = ops.prune(store.storage("a"), max_size=stored * 3 // 4, grace_period_ms=0, settle_ms=0)
    assert pruned.plan.freed_bytes > 0 and pruned.gc is not None and pruned.gc.delete, "nothing was pruned"
    assert int(ops.verify(store.storage("a")).to_dict()["bytes"]) <= stored * 3 // 4
    report = ops.verify(store.storage("a"))
    assert report.ok, report.to_text()
    ops.convert(store.storage("a"), tag="a", compression="zstd")
    assert b"tar+zstd" in store.get("manifests/a")
    assert ops.verify(store.storage("a")).ok
