"""Cache locations as buildx spells them, opened as storage drivers, and a
local-to-local copy (no registry needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TESTS

from ocicache import ImageIndex, OcicacheError, operations
from ocicache.location import is_reference, open_location
from ocicache.registry import RegistryStorage
from ocicache.storage import LocalStorage, SelectedStorage

TWICE = TESTS / "fixtures" / "buildkit" / "twice" / "cache"


def test_directories_and_local_option_strings(tmp_path: Path) -> None:
    loc = open_location(str(TWICE))
    assert isinstance(loc.storage, LocalStorage) and loc.tag is None and not loc.registry
    loc = open_location(f"type=local,src={TWICE},tag=main")
    assert isinstance(loc.storage, LocalStorage) and loc.storage.root == str(TWICE) and loc.tag == "main"
    assert open_location(f"type=local,dest={tmp_path}").storage.root == str(tmp_path)  # type: ignore[attr-defined]


def test_registry_references_and_option_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    loc = open_location("ghcr.io/o/app:buildcache", docker_config=False)
    assert isinstance(loc.storage, RegistryStorage) and loc.registry and loc.tag == "buildcache"
    assert loc.storage.location.base_url == "https://ghcr.io/v2/o/app"
    loc = open_location("type=registry,ref=reg.internal:5000/c,registry.insecure=true", docker_config=False)
    assert isinstance(loc.storage, RegistryStorage)
    assert loc.storage.location.base_url == "http://reg.internal:5000/v2/c" and loc.tag == "latest"
    # A path that exists wins over the shorthand; one without a host part is a path.
    os.makedirs("my.cache/dir")
    assert not is_reference("my.cache/dir") and isinstance(open_location("my.cache/dir").storage, LocalStorage)
    assert not is_reference("user/app") and is_reference("localhost/app") and is_reference("h:1/a")


def test_paths_that_start_like_paths_are_directories() -> None:
    for spec in ("./restored", "../127.0.0.1:5000/x", "/tmp/a.b/c", ".", ".."):
        assert not is_reference(spec), spec
    assert isinstance(open_location("./h.io/restored").storage, LocalStorage)


def test_tag_and_digest_select_one_entry_to_read(tmp_path: Path) -> None:
    first = "sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e"
    pinned = open_location(f"type=local,src={TWICE},digest={first}")
    assert isinstance(pinned.source, SelectedStorage) and pinned.digest == first
    index = ImageIndex.from_bytes(pinned.source.read_index() or b"")
    assert [m["digest"] for m in index.to_dict()["manifests"]] == [first]
    assert operations.verify(pinned.source).to_dict()["reachable"] == 9
    with pytest.raises(OcicacheError) as e:
        pinned.source.write_index(b"")
    assert e.value.code == "UNSUPPORTED_OPERATION"
    with pytest.raises(OcicacheError) as e:
        pinned.source.delete_blob(first)
    assert e.value.code == "UNSUPPORTED_OPERATION"
    with pytest.raises(OcicacheError) as e:
        operations.inspect(open_location(f"type=local,src={TWICE},tag=nosuch").source)
    assert e.value.code == "TAG_NOT_FOUND"
    plain = open_location(f"type=local,src={TWICE}")
    assert plain.source is plain.storage


def test_blobs_are_written_read_only_as_buildkit_writes_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    operations.copy(LocalStorage(TESTS / "fixtures" / "buildkit" / "small-max" / "cache"), LocalStorage(out))
    for blob in (out / "blobs" / "sha256").iterdir():
        assert blob.stat().st_mode & 0o777 == 0o444, blob
    assert (out / "index.json").stat().st_mode & 0o200, "index.json stays writable"


def test_other_cache_types_cannot_be_opened() -> None:
    with pytest.raises(OcicacheError) as e:
        open_location("type=gha,scope=x")
    assert e.value.code == "OPTION_NOT_ALLOWED"
    with pytest.raises(OcicacheError) as e:
        open_location("type=registry")
    assert e.value.code == "MISSING_OPTION"


def test_local_to_local_copy_keeps_the_tag_and_every_blob(tmp_path: Path) -> None:
    result = operations.copy(LocalStorage(TWICE), LocalStorage(tmp_path / "out"), to_tag="copied")
    assert result["tag"] == "copied" and result["copied"] == result["blobs"] == 9
    out = LocalStorage(tmp_path / "out")
    assert operations.verify(out).ok
    assert [t["tag"] for t in operations.inspect(out).to_dict()["tags"]] == ["copied"]
