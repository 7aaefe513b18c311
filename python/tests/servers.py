"""The real servers the Python tests talk to, each on a free 127.0.0.1
port: Debian's docker-registry (through tests/registry/serve.mjs),
``moto_server`` (PyPI ``moto[server]``) and ``azurite-blob`` (npm
``azurite``, with ``--disableTelemetry``). The Node tests' servers.mjs
starts the same ones. The BuildKit interop suite and the cloud benchmark
use them too (it imports nothing from the package's tests' conftest)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

TESTS = Path(__file__).resolve().parents[2] / "tests"
NODE = shutil.which("node")
REPO = TESTS.parent
# Azurite's well-known development account and key (public, in Microsoft's docs).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class Registry:
    """A running tests/registry/serve.mjs."""

    def __init__(self, *args: str) -> None:
        assert NODE is not None
        self.proc = subprocess.Popen(
            [NODE, str(TESTS / "registry" / "serve.mjs"), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("serve.mjs did not start")
        self.info: dict[str, Any] = json.loads(line)
        self.host: str = self.info["host"]

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(argv: list[str], port: int, env: Optional[dict[str, str]] = None) -> Iterator[None]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{argv[0]} exited with {proc.returncode}") from None
                time.sleep(0.05)
        else:
            raise RuntimeError(f"{argv[0]} did not start")
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def moto(check_credentials: bool = False) -> Iterator[str]:
    """A moto_server; its endpoint. ``check_credentials``: it refuses every
    key (it knows none)."""
    port = _free_port()
    argv = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with _serving(argv, port, {"INITIAL_NO_AUTH_ACTION_COUNT": "0"} if check_credentials else None):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def azurite() -> Iterator[str]:
    """An azurite-blob with its data in a temporary directory; its account URL."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        argv = [str(REPO / "npm" / "node_modules" / ".bin" / "azurite-blob"), "--blobHost", "127.0.0.1",
                "--blobPort", str(port), "--location", data, "--silent", "--disableTelemetry", "--skipApiVersionCheck"]
        with _serving(argv, port):
            yield f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"
