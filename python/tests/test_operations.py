"""The operations through the local driver, and what a crash leaves behind."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Optional, Union

import pytest
from conftest import TESTS

from ocicache import OcicacheError, digest, operations
from ocicache.storage import LocalStorage

FIXTURES = TESTS / "fixtures" / "buildkit"
LAYOUTS = ["compression-zstd", "image-manifest-false", "local-max", "local-min", "oci-mediatypes-false", "small-max", "twice"]


def copy(name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(FIXTURES / name / "cache", target, copy_function=shutil.copyfile)
    return target


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_bundled_export_verifies_clean_with_threads(name: str) -> None:
    storage = LocalStorage(FIXTURES / name / "cache")
    report = operations.verify(storage, concurrency=4)
    assert report.ok
    assert report.to_dict()["findings"] == []
    tags = operations.inspect(storage).to_dict()["tags"]
    assert [t["tag"] for t in tags] == ["latest"] and tags[0]["cache"]


def test_gc_of_twice_frees_what_it_planned(tmp_path: Path) -> None:
    storage = LocalStorage(copy("twice", tmp_path))
    planned = operations.gc(storage, dry_run=True, grace_period_ms=0)
    assert len(planned.delete) == 7
    before = sum(b["size"] for b in storage.list_blobs())
    done = operations.gc(storage, grace_period_ms=0)
    after = sum(b["size"] for b in storage.list_blobs())
    assert before - after == done.freed_bytes == planned.freed_bytes == 143546
    assert operations.verify(storage).ok


def test_gc_keeps_young_blobs_and_refuses_an_unknown_tag(tmp_path: Path) -> None:
    storage = LocalStorage(copy("twice", tmp_path))
    assert operations.gc(storage).delete == []
    with pytest.raises(OcicacheError) as e:
        operations.gc(storage, keep_tags=["nope"])
    assert e.value.code == "TAG_NOT_FOUND"


class Crash(Exception):
    """The simulated crash."""


class CrashingStorage(LocalStorage):
    """A local layout whose n-th write or delete crashes (before it happens)."""

    def __init__(self, root: Path, at: int) -> None:
        super().__init__(root)
        self.left = at

    def _tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise Crash

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        self._tick()
        super().write_blob(digest, source, media_type)

    def write_index(self, data: bytes) -> None:
        self._tick()
        super().write_index(data)

    def delete_blob(self, digest: str) -> None:
        self._tick()
        super().delete_blob(digest)


@pytest.mark.parametrize("operation", ["gc", "convert", "merge", "prune"])
def test_a_crash_at_any_step_leaves_a_valid_cache(tmp_path: Path, operation: str) -> None:
    """Crash before the 1st, 2nd, ... write or delete: the cache must still
    verify clean every time, and the run that does not crash must finish."""
    for at in range(100):
        root = copy("twice", tmp_path / str(at))
        storage = CrashingStorage(root, at)
        try:
            if operation == "gc":
                operations.gc(storage, grace_period_ms=0, drop_tags=["latest"] if at % 2 else None)
            elif operation == "convert":
                operations.convert(storage, compression="zstd", form="image-index")
            elif operation == "prune":
                operations.prune(storage, max_size=80_000, grace_period_ms=0, settle_ms=0)
            else:
                sources = [(LocalStorage(FIXTURES / "local-min" / "cache"), "latest"), (LocalStorage(root), "latest")]
                operations.merge(storage, sources, tag="merged")
        except Crash:
            report = operations.verify(LocalStorage(root))
            assert report.ok, (operation, at, report.to_text())
            assert not list((root / "ingest").glob("*")), "a temporary file was left in ingest/"
            continue
        assert operations.verify(LocalStorage(root)).ok
        break
    else:
        pytest.fail("never finished")


def manifest_diff_ids(storage: LocalStorage, tag: str) -> list[str]:
    """The diffID annotations of the layers of the manifest tagged ``tag``."""
    index = json.loads(storage.read_index() or b"{}")
    entry = next(e for e in index["manifests"] if e["annotations"]["org.opencontainers.image.ref.name"] == tag)
    manifest = json.loads(storage.read_blob(entry["digest"]) or b"{}")
    layers = manifest.get("layers") or [d for d in manifest["manifests"] if "cacheconfig" not in d["mediaType"]]
    return sorted(d["annotations"]["containerd.io/uncompressed"] for d in layers)


def test_merge_and_convert_keep_records_and_diff_ids(tmp_path: Path) -> None:
    dest = LocalStorage(copy("small-max", tmp_path))
    result = operations.merge(
        dest, [(LocalStorage(FIXTURES / "local-max" / "cache"), "latest"), (dest, "latest")], tag="merged"
    )
    assert result["layers"] > 0
    assert operations.verify(dest).ok
    tags = {t["tag"]: t for t in operations.inspect(dest).to_dict()["tags"]}
    assert set(tags) == {"latest", "merged"}
    before = manifest_diff_ids(dest, "merged")
    operations.convert(dest, tag="merged", compression="zstd", form="image-index")
    assert manifest_diff_ids(dest, "merged") == before
    operations.convert(dest, tag="merged", compression="gzip", form="image-manifest")
    assert manifest_diff_ids(dest, "merged") == before
    # verify checks every layer's content against those annotations
    assert operations.verify(dest).ok


class FailingStorage(LocalStorage):
    """A local layout whose first blob write takes long, whose second fails
    at once and whose others take a little while; counts the writes (all
    through ``write_blob``: no deferred commits)."""

    def commits(self) -> None:
        return None

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.writes = 0
        self.lock = threading.Lock()

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        with self.lock:
            self.writes += 1
            n = self.writes
        if n == 2:
            raise Crash
        time.sleep(0.5 if n == 1 else 0.02)
        super().write_blob(digest, source, media_type)


def test_a_failed_copy_starts_no_more_transfers(tmp_path: Path) -> None:
    """After a blob fails, the ones already under way finish and no other
    starts — also while an earlier blob is still being written (a pool that
    raises failures in submission order would go on starting blobs for as
    long as that one takes): 2 at a time, so at most 3 writes, not 11."""
    source = LocalStorage(FIXTURES / "local-max" / "cache")
    blobs = [b for b in operations.load_cache(source).copy_plan("latest").blobs if not b["manifest"]]
    assert len(blobs) > 4
    into = FailingStorage(tmp_path / "into")
    with pytest.raises(Crash):
        operations.copy(source, into, concurrency=2)
    assert into.writes <= 3, into.writes


class FailingCommits(LocalStorage):
    """A local layout whose sync of one streamed blob fails."""

    def __init__(self, root: Path, fail: str) -> None:
        super().__init__(root)
        self.fail = fail

    def _commit(self, temp: str, f: Any, target: str, blob: bool) -> None:
        if target.endswith(self.fail.split(":")[1]):
            f.close()
            os.unlink(temp)
            raise OSError(5, "Input/output error (a test's)")
        super()._commit(temp, f, target, blob)


def test_a_copy_whose_commit_fails_writes_no_index_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The sync and rename of streamed blobs run beside the transfers
    (ocicache.commits); one that fails fails the copy before index.json,
    and the next copy completes it."""
    source = LocalStorage(FIXTURES / "local-max" / "cache")
    blobs = [b for b in operations.load_cache(source).copy_plan("latest").blobs if not b["manifest"]]
    into = FailingCommits(tmp_path / "into", blobs[len(blobs) // 2]["digest"])
    with pytest.raises(OSError, match="a test's"):
        operations.copy(source, into)
    assert not (tmp_path / "into" / "index.json").exists()
    assert os.listdir(tmp_path / "into" / "ingest") == []
    assert not into.has_blob(into.fail)
    again = operations.copy(source, LocalStorage(tmp_path / "into"))
    assert again["copied"] >= 1
    assert operations.verify(LocalStorage(tmp_path / "into")).ok


def test_copy_sends_as_many_blobs_at_once_as_the_plan_chooses(tmp_path: Path) -> None:
    """local-max: small layers and a config, so the plan chooses 16 (its
    most) and all of them go at once; told 2, at most 2 do."""
    source = LocalStorage(FIXTURES / "local-max" / "cache")
    plan = operations.load_cache(source).copy_plan("latest")
    assert plan.concurrency == 16
    assert plan.to_dict()["concurrency"] == 16
    blobs = len([b for b in plan.blobs if not b["manifest"]])

    def peak(into: Path, concurrency: Optional[int]) -> int:
        storage = CountingStorage(into)
        operations.copy(source, storage, concurrency=concurrency)
        return storage.most

    assert peak(tmp_path / "default", None) == min(blobs, plan.concurrency)
    assert peak(tmp_path / "two", 2) == 2


class ReadCounting(LocalStorage):
    """A local layout that counts whole and streamed reads."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.whole = self.streamed = 0

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        self.whole += 1
        return super().read_blob(digest, media_type, limit=limit)

    def open_blob(self, digest: str, media_type: Optional[str] = None) -> Iterator[bytes]:
        self.streamed += 1
        return super().open_blob(digest, media_type)


class NotStreaming(LocalStorage):
    """A local layout that does not say it takes streams as fast."""

    prefers_streams = False


def test_copy_streams_every_blob_into_a_directory_and_reads_small_ones_whole_for_other_drivers(tmp_path: Path) -> None:
    source = ReadCounting(FIXTURES / "local-max" / "cache")
    layers = len([b for b in operations.load_cache(source).copy_plan("latest").blobs if not b["manifest"]])
    into = LocalStorage(tmp_path / "a")
    assert into.prefers_streams
    operations.copy(source, into)
    assert source.streamed == layers
    assert operations.verify(into).ok
    source.streamed, whole = 0, source.whole
    other = NotStreaming(tmp_path / "b")
    operations.copy(source, other)
    assert source.streamed == 0
    assert source.whole - whole >= layers
    assert operations.verify(other).ok


class CountingStorage(LocalStorage):
    """A local layout that counts the most blob writes under way at once
    (all through ``write_blob``: no deferred commits)."""

    def commits(self) -> None:
        return None

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.now = self.most = 0
        self.lock = threading.Lock()

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.05)
        try:
            super().write_blob(digest, source, media_type)
        finally:
            with self.lock:
                self.now -= 1


class SlowCommits(LocalStorage):
    """A local layout whose commits wait 0.3 s before syncing."""

    def _commit(self, temp: str, f: Any, target: str, blob: bool) -> None:
        time.sleep(0.3)
        super()._commit(temp, f, target, blob)


def test_a_blob_committed_beside_the_transfers_is_found_read_and_deleted_only_once_its_commit_is_done(tmp_path: Path) -> None:
    storage = SlowCommits(tmp_path)
    data = b"\x07" * 1000
    d = str(digest(data))
    commits = storage.commits()
    assert commits is not None
    with commits:
        commits.write_blob(d, iter([data]))
        # The rename is 0.3 s away: each of these waits for it.
        assert storage.has_blob(d)
        assert storage.read_blob(d) == data
    storage.delete_blob(d)
    assert not storage.has_blob(d)
