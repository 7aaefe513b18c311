"""The shared digest vectors, the bundled exports and the Python specifics."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from typing import Any

import pytest
from conftest import blob_files, input_bytes, load

import ocicache
from ocicache import Digest, Digester, OcicacheError, digest, verify


def check_error(err: OcicacheError, expected: dict[str, Any]) -> None:
    assert isinstance(err, ValueError)
    assert err.code == expected["code"], str(err)
    if "offset" in expected:
        assert err.offset == expected["offset"], str(err)


def test_error_codes_match_the_golden_list() -> None:
    assert ocicache.error_codes() == load("error_codes.json")


@pytest.mark.parametrize("case", load("cases/digest/parse.json"), ids=lambda c: c["name"])
def test_parse(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            Digest.parse(case["input"])
        check_error(info.value, case["error"])
        return
    d = Digest.parse(case["input"])
    assert d.algorithm == case["expect"]["algorithm"]
    assert d.encoded == case["expect"]["encoded"]
    assert str(d) == case["input"]
    assert repr(d) == f"Digest('{case['input']}')"
    assert d == Digest.parse(case["input"]) and hash(d) == hash(Digest.parse(case["input"]))


@pytest.mark.parametrize("case", load("cases/digest/compute.json"), ids=lambda c: c["name"])
def test_compute(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            Digester(case["algorithm"])
        check_error(info.value, case["error"])
        with pytest.raises(OcicacheError):
            digest(b"", case["algorithm"])
        return
    data = input_bytes(case["input"])
    assert str(digest(data, case["algorithm"])) == case["expect"]
    for chunk in case["chunks"]:
        d = Digester(case["algorithm"])
        for i in range(0, len(data), chunk):
            d.update(data[i : i + chunk])
        assert str(d.finalize()) == case["expect"]
        assert d.size == len(data)
        d.verify(case["expect"], len(data))


@pytest.mark.parametrize("case", load("cases/digest/verify.json"), ids=lambda c: c["name"])
def test_verify(case: dict[str, Any]) -> None:
    data = input_bytes(case["input"])
    if "error" in case:
        with pytest.raises(OcicacheError) as info:
            verify(data, case["digest"], case["size"])
        check_error(info.value, case["error"])
        return
    verify(data, case["digest"], case["size"])
    verify(data, Digest.parse(case["digest"]), case["size"])


def test_every_bundled_blob_verifies() -> None:
    blobs = blob_files()
    assert len(blobs) >= 79
    for name, path in blobs:
        data = path.read_bytes()
        verify(data, name, len(data))


def test_a_corrupted_blob_is_a_digest_mismatch() -> None:
    name, path = blob_files()[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    with pytest.raises(OcicacheError) as info:
        verify(data, name, len(data))
    assert info.value.code == "DIGEST_MISMATCH"
    assert info.value.field == "digest"


def test_buffers_of_every_kind_are_accepted() -> None:
    expect = "sha256:" + hashlib.sha256(b"{}").hexdigest()
    for data in (b"{}", bytearray(b"{}"), memoryview(b"x{}x")[1:3]):
        assert str(digest(data)) == expect
    import array

    assert str(digest(array.array("B", b"{}"))) == expect


@pytest.mark.parametrize("bad", ["text", 5, None, [1, 2]])
def test_wrong_types_are_type_errors(bad: Any) -> None:
    with pytest.raises(TypeError):
        digest(bad)


def test_sizes_are_checked_exactly() -> None:
    with pytest.raises(OcicacheError) as info:
        verify(b"", "sha256:" + hashlib.sha256(b"").hexdigest(), 2**63)
    assert info.value.code == "SIZE_MISMATCH"
    with pytest.raises(OverflowError):
        verify(b"", "sha256:" + hashlib.sha256(b"").hexdigest(), -1)


def test_digest_objects_order_and_hash() -> None:
    a = digest(b"a")
    b = digest(b"b")
    assert sorted([b, a]) == sorted([a, b])
    assert len({a, digest(b"a")}) == 1


def test_hashing_releases_the_gil() -> None:
    """While one thread hashes, another runs Python code.

    A thread holding the GIL in native code cannot be preempted, so the main
    thread gets to run inside the call's window only if the call released the
    GIL. The 0.2 s switch interval keeps the worker from being preempted in the
    few bytecodes between its time stamp and the call.
    """
    data = bytes(64 * 1024 * 1024)
    window: list[float] = []
    started = threading.Event()

    def work() -> None:
        window.append(time.perf_counter())
        started.set()
        digest(data)
        window.append(time.perf_counter())

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.2)
    try:
        worker = threading.Thread(target=work)
        stamps: list[float] = []
        worker.start()
        started.wait()
        while worker.is_alive():
            stamps.append(time.perf_counter())
        worker.join()
    finally:
        sys.setswitchinterval(old)
    start, end = window
    assert sum(start < s < end for s in stamps) > 0
