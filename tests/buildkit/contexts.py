"""The build contexts of the interop suite and their branches.

Every directory under ``contexts/`` with a Dockerfile is a context and gets
every flow. ``contexts/branches.json`` names each context's branches — other
directories, or copies of the context with lines appended to files — for the
flows that need two builds of one project (merge, gc of two exports); a
context it does not name gets one branch, ``<name>-edit``, with a line
appended to its first text file. Branches made by appending are written
under the session's temporary directory.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONTEXTS = HERE / "contexts"

STAGE = re.compile(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$", re.IGNORECASE)
FIRST_WORKDIR = re.compile(r"^\[(\S+) 1/\d+\] WORKDIR ")


@dataclass
class Context:
    """A build context: its directory, and its branches' names."""

    name: str
    dir: Path
    branches: list[str] = field(default_factory=list)

    def scratch_stages(self) -> set[str]:
        """The stages (by the name BuildKit prints) that start FROM scratch."""
        names = set()
        stages = [m for line in (self.dir / "Dockerfile").read_text().splitlines() if (m := STAGE.match(line.strip()))]
        for i, m in enumerate(stages):
            if m.group(1).lower() == "scratch":
                names.add(m.group(2) or f"stage-{i}")
        return names

    def always_runs(self, step: str) -> bool:
        """Whether ``step`` is the first WORKDIR of a stage FROM scratch, which
        BuildKit runs even when every other step hits."""
        m = FIRST_WORKDIR.match(step)
        return m is not None and m.group(1) in self.scratch_stages()


def _text_files(root: Path) -> list[Path]:
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "Dockerfile":
            try:
                p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            out.append(p)
    return out


def _branch(base: Context, name: str, append: dict[str, str], work: Path) -> Context:
    target = work / name
    if not target.exists():
        shutil.copytree(base.dir, target)
        for rel, line in append.items():
            with open(target / rel, "a", encoding="utf-8") as f:
                f.write(line.rstrip("\n") + "\n")
    return Context(name, target)


def _spec() -> dict[str, list[Any]]:
    spec: dict[str, list[Any]] = json.loads((CONTEXTS / "branches.json").read_text())
    return spec


def branch_dirs() -> set[str]:
    """The context directories that branches.json names as another's branch."""
    return {b for bs in _spec().values() for b in bs if isinstance(b, str)}


def discover(work: Path) -> dict[str, Context]:
    """Every context and branch by name; branches made by appending go into
    ``work``."""
    spec = _spec()
    found = {p.name: Context(p.name, p) for p in sorted(CONTEXTS.iterdir()) if (p / "Dockerfile").is_file()}
    named = {b if isinstance(b, str) else b["name"] for bs in spec.values() for b in bs}
    out = dict(found)
    for name, ctx in found.items():
        if name in named:
            continue
        branches = spec.get(name)
        if branches is None:
            first = _text_files(ctx.dir)[0].relative_to(ctx.dir)
            branches = [{"name": f"{name}-edit", "append": {str(first): "one more line on a branch"}}]
        for b in branches:
            if isinstance(b, str):
                ctx.branches.append(b)
            else:
                out[b["name"]] = _branch(ctx, b["name"], b["append"], work)
                ctx.branches.append(b["name"])
    return out
