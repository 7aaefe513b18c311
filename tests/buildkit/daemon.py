"""A private BuildKit for the interop suite: found, started, driven by
``buildctl``, and stopped.

BuildKit is looked for in this order: ``$BUILDKITD`` and ``$BUILDCTL``; the
steering repository's ``../shared/buildkit`` (its ``buildkitd.sh`` unpacks
v0.32.2 and starts it); ``buildkitd`` and ``buildctl`` on ``PATH``. It needs
root and Debian's ``runc``. The daemon talks only to its own unix socket.

Hits are counted the way ``../shared/buildkit/README.md`` measured them: with
``--progress plain`` a Dockerfile step is a line ``#N [stage i/n] …`` and a
hit adds ``#N CACHED``; every counted build starts from ``prune --all``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[2]

STEP = re.compile(r"^#(\d+) \[(?!internal\]|context |auth\])([^\]]+)\] (.*)$")
CACHED = re.compile(r"^#(\d+) CACHED$")


@dataclass
class Found:
    """Where BuildKit was found: a ``buildkitd.sh`` or two binaries."""

    how: str
    script: Optional[Path] = None
    buildkitd: Optional[str] = None
    buildctl: Optional[str] = None


def find() -> tuple[Optional[Found], str]:
    """BuildKit, or None and why not."""
    env_d, env_c = os.environ.get("BUILDKITD"), os.environ.get("BUILDCTL")
    if env_d and env_c:
        return Found("$BUILDKITD/$BUILDCTL", buildkitd=env_d, buildctl=env_c), ""
    script = REPO.parent / "shared" / "buildkit" / "buildkitd.sh"
    if script.is_file():
        return Found(str(script.parent), script=script), ""
    d, c = shutil.which("buildkitd"), shutil.which("buildctl")
    if d and c:
        return Found("PATH", buildkitd=d, buildctl=c), ""
    return None, f"no BuildKit: $BUILDKITD/$BUILDCTL unset, no {script}, no buildkitd and buildctl on PATH"


def unusable() -> str:
    """Why BuildKit cannot run here ("" when it can)."""
    if os.geteuid() != 0:
        return "buildkitd needs root"
    if not shutil.which("runc"):
        return "runc is not installed (apt-get install runc)"
    return ""


@dataclass
class Build:
    """One finished build: its steps (vertex number → name) and which hit."""

    steps: dict[str, str]
    cached: set[str]
    log: str
    returncode: int

    @property
    def hits(self) -> int:
        """How many Dockerfile steps were CACHED."""
        return len(self.cached & set(self.steps))

    @property
    def missed(self) -> list[str]:
        """The steps that ran, by name."""
        return sorted(self.steps[n] for n in self.steps if n not in self.cached)


@dataclass
class Daemon:
    """A running buildkitd with its ``buildctl``."""

    found: Found
    dir: Path
    buildctl: str = ""
    host: str = ""
    pid: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        """Starts the daemon and waits until it answers."""
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.found.script is not None:
            out = subprocess.run(
                [str(self.found.script), "start", str(self.dir)], check=True, capture_output=True, text=True
            ).stdout
            values = dict(kv.split("=", 1) for kv in out.split())
            self.host, self.buildctl, self.pid = values["BUILDKIT_HOST"], values["BUILDCTL"], int(values["BUILDKITD_PID"])
        else:
            assert self.found.buildkitd and self.found.buildctl
            self.buildctl = self.found.buildctl
            self._start_binary(self.found.buildkitd)
        self.env = {**os.environ, "BUILDKIT_HOST": self.host}

    def _start_binary(self, buildkitd: str) -> None:
        sock = self.dir / "buildkitd.sock"
        self.host = f"unix://{sock}"
        for snapshotter in ("overlayfs", "native"):
            log = open(self.dir / "buildkitd.log", "ab")
            proc = subprocess.Popen(
                [buildkitd, "--root", str(self.dir / "state"), "--addr", self.host, "--oci-worker=true",
                 "--containerd-worker=false", f"--oci-worker-snapshotter={snapshotter}"],
                stdout=log, stderr=log, start_new_session=True,
            )
            for _ in range(100):
                ok = subprocess.run([self.buildctl, "--addr", self.host, "debug", "workers"], capture_output=True)
                if ok.returncode == 0:
                    self.pid = proc.pid
                    return
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
            proc.terminate()
            proc.wait()
        raise RuntimeError(f"buildkitd did not start (see {self.dir / 'buildkitd.log'})")

    def stop(self) -> None:
        """Stops the daemon and removes its state."""
        if self.found.script is not None:
            subprocess.run([str(self.found.script), "stop", str(self.dir)], check=False)
            return
        if self.pid:
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(100):
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        state = str(self.dir / "state")
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines() if line.split()[1].startswith(state)]
        for m in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", m], check=False)
        shutil.rmtree(state, ignore_errors=True)

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Runs ``buildctl``."""
        return subprocess.run([self.buildctl, *args], env=self.env, capture_output=True, text=True, check=check)

    def prune(self) -> None:
        """Empties BuildKit's cache and content store, so that the next build
        starts cold and fetches (and digest-checks) every blob it imports.
        ``prune --all`` alone keeps the blobs earlier builds' history records
        hold: a later import of a cache with the same layer digests would use
        those instead of the cache's own (measured: a flipped byte in the
        imported blob then went unnoticed)."""
        blobs = self.dir / "state"
        for _ in range(100):
            self.ctl("prune-histories")
            self.ctl("prune", "--all")
            if not any(blobs.glob("runc-*/content/blobs/*/*")):
                return
            time.sleep(0.1)
        raise AssertionError(f"BuildKit's content store in {blobs} did not empty")

    def build(
        self,
        context: Path,
        tools: Path,
        *,
        imports: tuple[str, ...] = (),
        export: Optional[str] = None,
        oci: Optional[Path] = None,
        cold: bool = True,
        check: bool = True,
    ) -> Build:
        """Builds ``context`` (its RUN steps get busybox from ``tools``), from
        an empty BuildKit cache unless ``cold`` is False; ``oci`` writes the
        image as an OCI tar (BuildKit then fetches every layer it uses)."""
        if cold:
            self.prune()
        args = ["build", "--progress", "plain", "--frontend", "dockerfile.v0",
                "--local", f"context={context}", "--local", f"dockerfile={context}",
                "--local", f"tools={tools}", "--opt", "context:tools=local:tools"]
        for i in imports:
            args += ["--import-cache", i]
        if export:
            args += ["--export-cache", export]
        if oci:
            args += ["--output", f"type=oci,dest={oci}"]
        r = self.ctl(*args, check=False)
        if check and r.returncode != 0:
            raise AssertionError(f"buildctl build failed ({r.returncode}):\n{r.stderr[-4000:]}")
        steps: dict[str, str] = {}
        cached: set[str] = set()
        for line in r.stderr.splitlines():
            if m := STEP.match(line):
                steps.setdefault(m.group(1), f"[{m.group(2)}] {m.group(3)}")
            elif m := CACHED.match(line):
                cached.add(m.group(1))
        return Build(steps, cached, r.stderr, r.returncode)
