"""The shared CLI cases of tests/cli/cases.json against the Python CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS, load

REPO = TESTS.parent


def set_up(setup: dict[str, str], into: Path) -> Path:
    """Copy the case's fixture and damage it as asked."""
    target = into / "layout"
    shutil.copytree(REPO / setup["copy"], target)
    if "flip" in setup:
        path = target / setup["flip"]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1
        path.write_bytes(bytes(data))
    if "add" in setup:
        (target / setup["add"]).write_bytes(b"")
    return target


@pytest.mark.parametrize("case", load("cli/cases.json"), ids=lambda c: c["name"])
def test_cli(case: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        args = list(case["args"])
        if "setup" in case:
            layout = set_up(case["setup"], Path(tmp))
            args = [a.replace("{dir}", str(layout)) for a in args]
        r = subprocess.run(
            [sys.executable, "-m", "ocicache", *args], cwd=REPO, capture_output=True, text=True, check=False
        )
    assert r.returncode == case["exit"], r.stderr
    if "stdout" in case:
        assert r.stdout == case["stdout"]
    if "stdout_file" in case:
        assert r.stdout == (TESTS / "cli" / case["stdout_file"]).read_text(encoding="utf-8")
    for part in case.get("stdout_contains", []):
        assert part in r.stdout
    if case["exit"] == 2:
        assert r.stderr.startswith("ocicache: ")
