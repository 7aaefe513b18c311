"""Registries that crawl, never answer, never stop or lie about sizes
(tests/registry/hostile.py): every request ends within its timeouts with
REGISTRY_ERROR, every answer is read bounded, and credentials never go in
clear text to a host other than the registry's. The Node package runs the
same cases (npm/test/hostile-registry.test.mjs)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS

from ocicache import OcicacheError, operations
from ocicache.cli import main
from ocicache.registry import RegistryStorage


class Hostile:
    """A running tests/registry/hostile.py."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(TESTS / "registry" / "hostile.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())
        self.host: str = self.info["registry"]

    def stats(self) -> dict[str, Any]:
        conn = http.client.HTTPConnection(self.host, timeout=10)
        conn.request("GET", "/stats")
        data: dict[str, Any] = json.loads(conn.getresponse().read())
        conn.close()
        return data

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    h = Hostile()
    yield h
    h.stop()


def storage(ref: str, **options: Any) -> RegistryStorage:
    return RegistryStorage(ref, docker_config=False, connect_timeout_ms=500, read_timeout_ms=500, **options)


@pytest.mark.parametrize(
    ("behaviour", "says"),
    [
        ("dribble-body", "fewer than 16384 bytes in 0.5 s (read_timeout_ms)"),
        ("dribble-headers", "waiting 0.5 s for an answer"),
        ("silent", "waiting 0.5 s for an answer"),
    ],
)
def test_an_answer_that_crawls_or_never_comes_times_out(hostile: Hostile, behaviour: str, says: str) -> None:
    start = time.monotonic()
    with pytest.raises(OcicacheError) as e:
        operations.inspect(storage(f"{hostile.host}/{behaviour}/c:latest"))
    assert e.value.code == "REGISTRY_ERROR"
    assert says in str(e.value) and "timed out" in str(e.value)
    assert time.monotonic() - start < 10


def test_connecting_that_never_finishes_times_out(hostile: Hostile) -> None:
    start = time.monotonic()
    with pytest.raises(OcicacheError) as e:
        operations.inspect(storage(f"{hostile.info['stuck']}/any/c:latest"))
    assert e.value.code == "REGISTRY_ERROR"
    assert "timed out connecting" in str(e.value) and "connect_timeout_ms" in str(e.value)
    assert time.monotonic() - start < 10


def test_the_cli_takes_the_timeouts(hostile: Hostile, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.monotonic()
    code = main(["--read-timeout", "0.3", "--connect-timeout", "1", "inspect", f"{hostile.host}/silent/c:latest"])
    assert code == 2
    assert "REGISTRY_ERROR" in capsys.readouterr().err
    assert time.monotonic() - start < 10
    assert main(["--read-timeout", "soon", "inspect", "x"]) == 2
    assert "--read-timeout takes a number of seconds" in capsys.readouterr().err


def test_a_manifest_that_never_ends_is_refused_past_containerds_limit(hostile: Hostile) -> None:
    with pytest.raises(OcicacheError) as e:
        operations.inspect(storage(f"{hostile.host}/flood/c:latest"))
    assert e.value.code == "SIZE_LIMIT_EXCEEDED"
    assert hostile.stats()["sent"]["flood"] < 64 << 20


def test_a_config_over_the_document_limit_is_never_fetched(hostile: Hostile) -> None:
    inspection = operations.inspect(storage(f"{hostile.host}/huge-config/c:latest")).to_dict()
    codes = [f["code"] for f in inspection["findings"]]
    assert "SIZE_LIMIT_EXCEEDED" in codes


def test_a_config_longer_than_its_descriptor_is_read_one_byte_past_it(hostile: Hostile) -> None:
    report = operations.verify(storage(f"{hostile.host}/long-config/c:latest")).to_dict()
    assert "SIZE_MISMATCH" in [f["code"] for f in report["findings"]]
    assert hostile.stats()["sent"]["long-config"] < 64 << 20


def test_a_layer_that_never_ends_is_hashed_one_byte_past_its_size(hostile: Hostile) -> None:
    report = operations.verify(storage(f"{hostile.host}/long-layer/c:latest")).to_dict()
    assert "SIZE_MISMATCH" in [f["code"] for f in report["findings"]]
    assert hostile.stats()["sent"]["long-layer"] < 64 << 20


def test_credentials_never_go_in_clear_text_to_another_host(hostile: Hostile) -> None:
    before = len(hostile.stats()["tokenAuth"])
    operations.inspect(storage(f"{hostile.host}/auth-other/c:latest", username="u", password="p"))
    operations.inspect(storage(f"{hostile.host}/auth-same/c:latest", username="u", password="p"))
    seen = hostile.stats()["tokenAuth"][before:]
    # The realm on 127.0.0.2 over plain HTTP got no credentials; the one on
    # the registry's own host did.
    assert seen == [None, "Basic dTpw"]


def test_a_docker_config_that_is_a_fifo_or_huge_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    with pytest.raises(OcicacheError) as e:
        RegistryStorage("127.0.0.1:1/r:t", docker_config=str(fifo))
    assert e.value.code == "NOT_A_FILE"
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:
        f.truncate(5 << 20)
    with pytest.raises(OcicacheError) as e:
        RegistryStorage("127.0.0.1:1/r:t", docker_config=str(huge))
    assert e.value.code == "SIZE_LIMIT_EXCEEDED"
