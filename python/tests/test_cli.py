"""The shared CLI cases of tests/cli/cases.json against the Python CLI."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS, load

REPO = TESTS.parent


def set_up(setup: dict[str, Any], into: Path) -> Path:
    """Copy the case's fixture and damage it as asked."""
    target = into / "layout"
    # Fresh modification times, as a new export would have (and as Node's cpSync gives).
    shutil.copytree(REPO / setup["copy"], target, copy_function=shutil.copyfile)
    if "flip" in setup:
        path = target / setup["flip"]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1
        path.write_bytes(bytes(data))
    if "add" in setup:
        (target / setup["add"]).write_bytes(b"")
    if "remove" in setup:
        (target / setup["remove"]).unlink()
    if "truncate" in setup:
        path = target / setup["truncate"]
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    values: dict[str, Any] = {}
    if "blob" in setup:
        blob = str(setup["blob"]).encode()
        values = {"{blob}": "sha256:" + hashlib.sha256(blob).hexdigest(), "{blob_size}": len(blob)}
        (target / "blobs" / "sha256" / str(values["{blob}"])[7:]).write_bytes(blob)
    if "index_patch" in setup:
        index = json.loads((target / "index.json").read_bytes())
        for op in setup["index_patch"]:
            if "entry" in op:
                for k, v in op["set"].items():
                    if v is None:
                        index["manifests"][op["entry"]].pop(k, None)
                    else:
                        index["manifests"][op["entry"]][k] = v
            else:
                index["manifests"].append({k: values.get(v, v) if isinstance(v, str) else v for k, v in op["append"].items()})
        (target / "index.json").write_bytes(json.dumps(index, separators=(",", ":")).encode())
    for path, text in dict(setup.get("write", {})).items():
        (target / path).write_text(text)
    for path, what in dict(setup.get("replace", {})).items():
        replace(target / path, str(what))
    return target


def replace(path: Path, what: str) -> None:
    """Put something other than the file at ``path``: a ``directory``, a
    ``fifo``, a symlink to ``/dev/zero`` (``zero``), to nothing
    (``dangling``) or to the file moved out of the layout (``symlink``), or
    the file grown to 1 GiB with a hole (``sparse``)."""
    if what == "sparse":
        os.truncate(path, 1 << 30)
        return
    if what == "symlink":
        moved = path.parents[3] / f"moved-{path.name}"
        path.rename(moved)
        path.symlink_to(moved)
        return
    path.unlink()
    if what == "directory":
        path.mkdir()
    elif what == "fifo":
        os.mkfifo(path)
    elif what == "zero":
        path.symlink_to("/dev/zero")
    elif what == "dangling":
        path.symlink_to(path.parent / "nothing-here")
    else:
        raise ValueError(what)


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under ``root``: a regular file with the hash of its
    bytes, anything else with what it is (never opened)."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in files + dirs:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = f"symlink to {os.readlink(path)}"
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif not path.is_dir():
                out[rel] = "special"
    return out


def run(step: dict[str, Any], layout: str) -> None:
    args = [a.replace("{dir}", layout) for a in step["args"]]
    r = subprocess.run(
        [sys.executable, "-m", "ocicache", *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert r.returncode == step["exit"], f"{args}\n{r.stderr}"
    if "stdout" in step:
        assert r.stdout == step["stdout"]
    if "stdout_file" in step:
        assert r.stdout == (TESTS / "cli" / step["stdout_file"]).read_text(encoding="utf-8")
    for part in step.get("stdout_contains", []):
        assert part in r.stdout
    if step["exit"] == 2:
        assert r.stderr.startswith("ocicache: ")


@pytest.mark.parametrize("case", load("cli/cases.json"), ids=lambda c: c["name"])
def test_cli(case: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        layout = str(set_up(case["setup"], Path(tmp))) if "setup" in case else ""
        before = snapshot(Path(layout)) if case.get("unchanged") else None
        run(case, layout)
        if before is not None:
            assert snapshot(Path(layout)) == before, "the command changed the cache"
        for step in case.get("then", []):
            run(step, layout)


def test_a_reader_that_stops_early_ends_the_output_quietly(tmp_path: Path) -> None:
    """`ocicache … | head`: once the pipe closes, the rest of the output goes
    nowhere, no traceback or error, and the command's own exit status."""
    files = []
    for i in range(3000):
        (tmp_path / f"f{i}").write_bytes(b"x")
        files.append(str(tmp_path / f"f{i}"))
    p = subprocess.Popen([sys.executable, "-m", "ocicache", "digest", *files], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    assert p.stdout.readline().startswith(b"sha256:")
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait() == 0 and err == b""
