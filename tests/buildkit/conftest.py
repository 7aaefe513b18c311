"""Session fixtures of the BuildKit interop suite: a private BuildKit, a
registry, busybox for RUN steps, the contexts, reference builds, BuildKit's
own exports, and the check that BuildKit imports a cache with every hit.

When no BuildKit can be found, or it cannot run (not root, no runc), every
test is skipped and the suite says so in a banner; under ``CI=true`` that is
a failure instead, since CI must run it (``OCICACHE_INTEROP_SKIP_OK=1``
allows the skip there too).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import daemon  # noqa: E402
from contexts import Context, discover  # noqa: E402
from image import cache_diff_ids, unpack  # noqa: E402

REPO = daemon.REPO
ARTIFACTS = REPO / "target" / "test-artifacts"

# BuildKit's export settings users use, as --export-cache attributes.
SETTINGS = {
    "min": "mode=min",
    "max": "mode=max",
    "zstd": "mode=max,compression=zstd",
    "estargz": "mode=max,compression=estargz",
    "uncompressed": "mode=max,compression=uncompressed",
    "docker": "mode=max,oci-mediatypes=false",
    "index": "mode=max,image-manifest=false",
    "registry": "mode=max",
}

_found, _why = daemon.find()
SKIP = _why or daemon.unusable()
_started = time.monotonic()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SKIP:
        return
    if os.environ.get("CI") == "true" and os.environ.get("OCICACHE_INTEROP_SKIP_OK") != "1":
        raise pytest.UsageError(f"the BuildKit interop suite must run in CI, but: {SKIP}")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=f"BuildKit interop suite skipped: {SKIP}"))


@dataclass
class Report:
    """What the suite measured, printed at the end and written to
    ``target/test-artifacts/buildkit-interop.json``."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, **row: Any) -> None:
        self.rows.append(row)


REPORT = Report()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    tr = terminalreporter
    if SKIP:
        tr.write_sep("!", "BUILDKIT INTEROP SUITE SKIPPED", red=True, bold=True)
        tr.write_line(f"  {SKIP}")
        tr.write_line("  Set $BUILDKITD and $BUILDCTL, or put buildkitd and buildctl on PATH (root and runc needed).")
        return
    elapsed = time.monotonic() - _started
    tr.write_sep("=", f"BuildKit interop ({_found.how if _found else ''}): {len(REPORT.rows)} imports, {elapsed:.0f} s")
    for r in REPORT.rows:
        runs = r["hits"]
        if not runs:
            tr.write_line(f"  {r['context']:<16} {r['cache']}")
            continue
        shown = str(runs[0]) if len(set(runs)) == 1 else ",".join(map(str, runs))
        times = f" x{len(runs)}" if len(runs) > 1 else ""
        tr.write_line(f"  {r['context']:<16} {r['cache']:<58} {shown:>5}/{r['steps']}{times}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "buildkit-interop.json").write_text(json.dumps({"seconds": round(elapsed), "imports": REPORT.rows}, indent=1))


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's scratch directory."""
    return tmp_path_factory.mktemp("interop")


@pytest.fixture(scope="session")
def bk(work: Path) -> Iterator[daemon.Daemon]:
    """A private buildkitd, stopped at the end."""
    assert _found is not None
    d = daemon.Daemon(_found, work / "buildkitd")
    d.start()
    yield d
    d.stop()


@pytest.fixture
def spare_bk(work: Path, request: pytest.FixtureRequest) -> Iterator[daemon.Daemon]:
    """A buildkitd of the test's own, for what may leave BuildKit's state
    worse: after refusing a damaged layer, a daemon refused the intact
    layer of the same digest on a later import too (measured)."""
    assert _found is not None
    d = daemon.Daemon(_found, Path(tempfile.mkdtemp(prefix="bk-", dir=work)))
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope="session")
def registry() -> Iterator[str]:
    """Debian's docker-registry on 127.0.0.1 (tests/registry/serve.mjs): its host."""
    proc = subprocess.Popen(["node", str(REPO / "tests" / "registry" / "serve.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline()
    assert line, "tests/registry/serve.mjs did not start"
    yield str(json.loads(line)["host"])
    proc.stdin.close()
    proc.wait(timeout=60)


def _static(path: str) -> bool:
    """Whether an ELF file has no program interpreter (is statically linked)."""
    data = Path(path).read_bytes()[:4096]
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    phoff, phentsize, phnum = int.from_bytes(data[32:40], "little"), int.from_bytes(data[54:56], "little"), int.from_bytes(data[56:58], "little")
    return all(int.from_bytes(data[phoff + i * phentsize:][:4], "little") != 3 for i in range(phnum))


@pytest.fixture(scope="session")
def tools(work: Path) -> Path:
    """The named context ``tools``: a static busybox for RUN steps in FROM
    scratch stages (Debian's busybox-static)."""
    candidates = [p for p in ("/bin/busybox", shutil.which("busybox")) if p and os.path.isfile(p)]
    static = [p for p in candidates if _static(p)]
    assert static, "no static busybox (apt-get install busybox-static)"
    d = work / "tools"
    d.mkdir(exist_ok=True)
    shutil.copy(static[0], d / "busybox")
    return d


@pytest.fixture(scope="session")
def ctxs(work: Path) -> dict[str, Context]:
    """Every context and branch by name."""
    return discover(work / "branches")


def files(root: Path) -> dict[str, tuple[str, int, str]]:
    """A built file system: path → (kind, permission bits, content hash or link target)."""
    import hashlib

    out = {}
    for dirpath, dirs, names in os.walk(root):
        for n in dirs + names:
            p = Path(dirpath) / n
            rel = str(p.relative_to(root))
            st = p.lstat()
            if p.is_symlink():
                out[rel] = ("link", 0, os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", st.st_mode & 0o7777, "")
            else:
                out[rel] = ("file", st.st_mode & 0o7777, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def keep_log(b: daemon.Build, label: str) -> Path:
    """Writes a build's log to the test artifacts; returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / ("buildkit-" + "".join(c if c.isalnum() else "-" for c in label) + ".log")
    path.write_text(b.log)
    return path


class Imports:
    """Builds without a cache (the reference), BuildKit's own exports, and
    the check that BuildKit imports a cache with every hit."""

    def __init__(self, bk: daemon.Daemon, tools: Path, ctxs: dict[str, Context], registry: str, work: Path) -> None:
        self.bk, self.tools, self.ctxs, self.registry, self.work = bk, tools, ctxs, registry, work
        self._refs: dict[str, tuple[dict[str, tuple[str, int, str]], int, int]] = {}
        self._exports: dict[tuple[str, str], str] = {}

    def reference(self, ctx: str) -> tuple[dict[str, tuple[str, int, str]], int, int]:
        """The files a build without any cache makes, how many steps it has,
        and how many of them a fully used cache gives CACHED."""
        if ctx not in self._refs:
            out = self.work / "reference" / ctx
            out.parent.mkdir(parents=True, exist_ok=True)
            b = self.bk.build(self.ctxs[ctx].dir, self.tools, oci=out.with_suffix(".tar"))
            unpack(out.with_suffix(".tar"), out)
            always = sum(1 for s in b.steps.values() if self.ctxs[ctx].always_runs(s))
            self._refs[ctx] = (files(out), len(b.steps), len(b.steps) - always)
        return self._refs[ctx]

    def export(self, ctx: str, setting: str) -> str:
        """BuildKit's own export of ``ctx`` with ``setting`` (a SETTINGS key),
        from a cold build: a layout directory, or a registry reference."""
        key = (ctx, setting)
        if key not in self._exports:
            if setting == "registry":
                ref = f"{self.registry}/interop/{ctx}:max"
                self.bk.build(self.ctxs[ctx].dir, self.tools, export=f"type=registry,ref={ref},registry.insecure=true,{SETTINGS[setting]}")
                self._exports[key] = ref
            else:
                dest = self.work / "exports" / f"{ctx}-{setting}"
                self.bk.build(self.ctxs[ctx].dir, self.tools, export=f"type=local,dest={dest},{SETTINGS[setting]}")
                self._exports[key] = str(dest)
        return self._exports[key]

    def check(self, ctx: str, cache: str, label: str, *, repeat: int = 1, output: bool = True) -> list[int]:
        """BuildKit imports ``cache`` (an --import-cache value) when building
        ``ctx``: ``repeat`` cold builds each give every step CACHED but the
        ones that always run, and a further cold build with an output
        (which makes BuildKit fetch and digest-check each layer it uses)
        makes its image of the cache's layers only, with the same files as a
        build without any cache."""
        ref_files, steps, full = self.reference(ctx)
        hits = []
        for _ in range(repeat):
            b = self.bk.build(self.ctxs[ctx].dir, self.tools, imports=(cache,))
            hits.append(b.hits)
            missed = [s for s in b.missed if not self.ctxs[ctx].always_runs(s)]
            assert not missed and b.hits == full, f"{label}: {b.hits}/{steps} CACHED importing {cache} into {ctx}; ran: {missed}; log: {keep_log(b, label)}"
        REPORT.add(context=ctx, cache=label, hits=hits, steps=steps)
        if output:
            # BuildKit refuses a layer whose bytes do not match its digest and
            # runs that step again, without an error: the image's diffIDs tell.
            out = self.work / "outputs" / f"{ctx}-{len(REPORT.rows)}"
            out.parent.mkdir(parents=True, exist_ok=True)
            self.bk.build(self.ctxs[ctx].dir, self.tools, imports=(cache,), oci=out.with_suffix(".tar"))
            made = set(unpack(out.with_suffix(".tar"), out)) - cache_diff_ids(cache)
            assert not made, f"{label}: BuildKit ran steps again instead of using the cache's layers: new diffIDs {made}"
            assert files(out) == ref_files, f"{label}: built files differ from a build without a cache"
            shutil.rmtree(out)
            out.with_suffix(".tar").unlink()
        return hits

    def local(self, path: Path | str, tag: Optional[str] = None) -> str:
        """The --import-cache value of a layout directory."""
        return f"type=local,src={path}" + (f",tag={tag}" if tag else "")

    def remote(self, ref: str) -> str:
        """The --import-cache value of a registry reference."""
        return f"type=registry,ref={ref},registry.insecure=true"


@pytest.fixture(scope="session")
def imports(bk: daemon.Daemon, tools: Path, ctxs: dict[str, Context], registry: str, work: Path) -> Imports:
    """References, exports and the import check."""
    return Imports(bk, tools, ctxs, registry, work)


def primary(ctxs_dir: Optional[Path] = None) -> list[str]:
    """The contexts that are directories of their own (every flow runs on
    each); branches made by appending only serve merge and gc."""
    from contexts import CONTEXTS

    return sorted(p.name for p in (ctxs_dir or CONTEXTS).iterdir() if (p / "Dockerfile").is_file())
