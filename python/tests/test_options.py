"""The shared option vectors (tests/cases/options, and tests/cases/entries for
the unchecked parse) and the Python specifics."""

from __future__ import annotations

import json
from typing import Any, Union

import pytest
from conftest import TESTS, load

from ocicache import CacheOptions, CacheOptionsEntry, OcicacheError, parse_cache_entries, parse_cache_options

VECTORS = [
    (f"{path.name}: {case['name']}", case)
    for path in sorted((TESTS / "cases" / "options").glob("*.json"))
    for case in load(f"cases/options/{path.name}")
]


def subset(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` has every key and value of ``expected``."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


def check_entry(got: Union[CacheOptions, CacheOptionsEntry], want: dict[str, Any]) -> None:
    assert got.type == want["type"]
    assert got.attrs == want["attrs"]
    if "settings" in want and want["settings"] is None:
        assert got.settings is None
    elif "settings" in want:
        assert subset(want["settings"], got.settings), got.settings
    if "buildkit_attrs" in want:
        assert got.buildkit_attrs == want["buildkit_attrs"]
    if "active" in want:
        assert got.active == want["active"]
    if "warnings" in want:
        assert [f"{w['code']}:{w['field'] or ''}" for w in got.warnings] == want["warnings"]
    if "string" in want:
        assert got.to_string() == want["string"] == str(got)
    if "json" in want:
        assert got.to_json() == want["json"]


def test_at_least_150_vectors() -> None:
    assert len(VECTORS) >= 150


@pytest.mark.parametrize("case", [c for _, c in VECTORS], ids=[n for n, _ in VECTORS])
def test_vector(case: dict[str, Any]) -> None:
    options = case.get("options", {})
    kwargs = {"dialect": options.get("dialect", "buildx"), "direction": options.get("direction"), "env": options.get("env")}
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            parse_cache_options(case["input"], **kwargs)
        want = case["error"]
        assert info.value.code == want["code"], str(info.value)
        if "offset" in want:
            assert info.value.offset == want["offset"]
        if "field" in want:
            assert info.value.field == want["field"]
        if "message" in want:
            assert str(info.value) == want["message"] or str(info.value).startswith(want["message"] + " (")
        return
    got = parse_cache_options(case["input"], **kwargs)
    assert len(got) == len(case["expect"])
    for entry, want in zip(got, case["expect"]):
        check_entry(entry, want)
        if kwargs["dialect"] == "buildx":
            (again,) = parse_cache_options(entry.to_string(), **kwargs)
            assert again == entry


def test_bytes_and_invalid_utf8() -> None:
    (e,) = parse_cache_options(b"type=local,dest=/tmp/c")
    assert e.attrs == {"dest": "/tmp/c"}
    with pytest.raises(OcicacheError) as info:
        parse_cache_options(b"t=\xff")
    assert (info.value.code, info.value.offset) == ("INVALID_CSV", 2)


def test_bad_arguments() -> None:
    with pytest.raises(OcicacheError) as info:
        parse_cache_options("x", dialect="docker")  # type: ignore[arg-type]
    assert (info.value.code, info.value.field) == ("INVALID_ARGUMENT", "dialect")
    with pytest.raises(OcicacheError) as info:
        parse_cache_options("x", direction="out")  # type: ignore[arg-type]
    assert (info.value.code, info.value.field) == ("INVALID_ARGUMENT", "direction")
    with pytest.raises(TypeError):
        parse_cache_options(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_cache_options("x", env={"A": 1})  # type: ignore[dict-item]


def test_json_and_repr() -> None:
    (e,) = parse_cache_options("type=registry,ref=ghcr.io/o/app:cache,mode=max")
    assert json.loads(e.to_json()) == {"type": "registry", "attrs": {"mode": "max", "ref": "ghcr.io/o/app:cache"}}
    assert repr(e) == "CacheOptions('type=registry,mode=max,ref=ghcr.io/o/app:cache')"
    assert e.settings["export"]["mode"] == "max"


def test_pathological_input_is_linear() -> None:
    with pytest.raises(OcicacheError) as info:
        parse_cache_options("type=local,dest=d" + "," * (1 << 20))
    assert info.value.code == "INVALID_FIELD"
    with pytest.raises(OcicacheError):
        parse_cache_options('"' * ((1 << 20) + 1))
    refs = ",".join(f"r{i}" for i in range(10000))
    assert len(parse_cache_options(refs)) == 10000


ENTRIES = load("cases/entries/cases.json")


@pytest.mark.parametrize("case", ENTRIES, ids=[c["name"] for c in ENTRIES])
def test_entries_vector(case: dict[str, Any]) -> None:
    options = case.get("options", {})
    kwargs = {"dialect": options.get("dialect", "buildx"), "direction": options.get("direction"), "env": options.get("env")}
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            parse_cache_entries(case["input"], **kwargs)
        assert info.value.code == case["error"]["code"], str(info.value)
        return
    got = parse_cache_entries(case["input"], **kwargs)
    assert len(got) == len(case["expect"])
    for entry, want in zip(got, case["expect"]):
        check_entry(entry, want)
        if kwargs["dialect"] == "buildx":
            (again,) = parse_cache_entries(entry.to_string(), **kwargs)
            assert again == entry
