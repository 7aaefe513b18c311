"""Both ``ocicache`` command lines, run on the same input, with their
outputs and written files compared: the suite runs every flow through the
Node and the Python CLI and checks that they agree byte for byte before
BuildKit imports the result (once, since the two are the same bytes)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from daemon import REPO

CLIS = {
    "node": ["node", str(REPO / "npm" / "bin" / "ocicache.mjs")],
    "python": [str(REPO / ".venv" / "bin" / "ocicache")],
}


@dataclass
class Run:
    """One CLI run."""

    cli: str
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Its standard output as JSON."""
        return json.loads(self.stdout)


def run(cli: str, *args: str, stdin: str = "", cwd: Path = REPO) -> Run:
    """Runs one CLI (from the repository root unless told ``cwd``)."""
    r = subprocess.run([*CLIS[cli], *args], cwd=cwd, capture_output=True, text=True, input=stdin, timeout=600)
    return Run(cli, r.returncode, r.stdout, r.stderr)


def ok(r: Run) -> Run:
    """``r``, after checking it exited 0."""
    assert r.code == 0, f"{r.cli} CLI exited {r.code}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r


def tree(root: Path) -> dict[str, tuple[str, int]]:
    """Every file of a layout (``ingest/`` and the lock aside) as path →
    (sha256, permission bits)."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            rel = str(p.relative_to(root))
            if rel.startswith("ingest/") or rel == "index.json.lock":
                continue
            out[rel] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode & 0o777)
    return out


def both(
    work: Path, name: str, prepare: Callable[[Path], None], args: Callable[[Path], list[str]], *, cwd: Path = REPO
) -> tuple[Path, Run]:
    """Runs ``args(dir)`` with each CLI on its own ``dir`` (made by
    ``prepare``); checks that both exit alike, print the same (with their
    paths swapped) and leave the same files. Returns the Node CLI's dir and
    run."""
    dirs, runs = {}, {}
    for cli in CLIS:
        d = work / f"{name}-{cli}"
        shutil.rmtree(d, ignore_errors=True)
        prepare(d)
        dirs[cli], runs[cli] = d, run(cli, *args(d), cwd=cwd)
    n, p = runs["node"], runs["python"]
    assert n.code == p.code, f"exit {n.code} (node) vs {p.code} (python):\n{n.stderr}\n{p.stderr}"
    same = p.stdout.replace(str(dirs["python"]), str(dirs["node"])).replace(dirs["python"].name, dirs["node"].name)
    assert n.stdout == same, f"outputs differ:\n{n.stdout}\n---\n{p.stdout}"
    if dirs["node"].is_dir():
        assert tree(dirs["node"]) == tree(dirs["python"]), f"the two CLIs wrote different files for {name}"
    return dirs["node"], n


def copy_layout(src: Path) -> Callable[[Path], None]:
    """A ``prepare`` that copies the layout ``src``."""
    def prepare(d: Path) -> None:
        shutil.copytree(src, d, symlinks=True)

    return prepare
