"""Benchmark: copy a 1 GiB synthetic cache (200 gzip layers, the one
``bench/verify.py`` makes) local -> registry -> local on loopback, against
``skopeo copy --preserve-digests`` of the same layout (it accepts the
image-manifest form). The registry is Debian's docker-registry, started by
``tests/registry/serve.mjs``.

Contenders, interleaved, best of ``--rounds``: skopeo, the Python
package's ``operations.copy`` and the Node CLI's ``copy``; each round starts
with the next one, and what a leg left to write back is flushed (untimed)
before the next, so that no contender pays for another's dirty pages.
Every run copies into a new repository and a new directory, so nothing is
skipped; skopeo starts with an empty blob-info cache each time, so that it
cannot turn uploads into mounts (see ``skopeo``).

    python bench/registry.py [--rounds 3] [--dir DIR]
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from verify import LAYERS, synthetic_cache

from ocicache import operations
from ocicache.registry import RegistryStorage
from ocicache.storage import LocalStorage

REPO = Path(__file__).resolve().parents[2]
NODE_CLI = ["node", str(REPO / "npm/bin/ocicache.mjs")]
counter = itertools.count()


def skopeo(args: list[str]) -> None:
    """Run ``skopeo copy`` with no memory of earlier copies: its blob-info
    cache would turn uploads into cross-repository mounts of the blobs an
    earlier round pushed. Unprivileged it keeps that cache under
    ``$XDG_DATA_HOME`` (fresh each run); as root in
    ``/var/lib/containers/cache``, which is emptied first."""
    if os.geteuid() == 0:
        for cache in Path("/var/lib/containers/cache").glob("blob-info-cache-v1*"):
            cache.unlink()
    home = tempfile.mkdtemp(prefix="ocicache-bench-home-")
    try:
        env = {**os.environ, "HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        subprocess.run(["skopeo", "copy", "--quiet", "--preserve-digests", *args], check=True, env=env)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def leg(run: Callable[[], object]) -> float:
    """Seconds of ``run()``, after flushing what is left to write back."""
    os.sync()
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def main() -> None:
    args, root, size = synthetic_cache("copy of a 1 GiB synthetic cache through a registry against skopeo copy")
    registry = subprocess.Popen(
        ["node", str(REPO / "tests/registry/serve.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert registry.stdout is not None and registry.stdin is not None
    host = json.loads(registry.stdout.readline())["host"]
    scratch = Path(tempfile.mkdtemp(prefix="ocicache-bench-copy-"))

    def fresh() -> tuple[str, Path]:
        n = next(counter)
        return f"{host}/bench/r{n}:latest", scratch / f"d{n}"

    def run_skopeo() -> tuple[float, float]:
        ref, dest = fresh()
        up = leg(lambda: skopeo(["--dest-tls-verify=false", f"oci:{root}:latest", f"docker://{ref}"]))
        down = leg(lambda: skopeo(["--src-tls-verify=false", f"docker://{ref}", f"oci:{dest}:latest"]))
        shutil.rmtree(dest)
        return up, down

    def run_python() -> tuple[float, float]:
        ref, dest = fresh()
        up = leg(lambda: operations.copy(LocalStorage(root), RegistryStorage(ref, docker_config=False)))
        down = leg(lambda: operations.copy(RegistryStorage(ref, docker_config=False), LocalStorage(dest)))
        shutil.rmtree(dest)
        return up, down

    def run_node() -> tuple[float, float]:
        ref, dest = fresh()
        quiet = {"stdout": subprocess.DEVNULL, "check": True}
        up = leg(lambda: subprocess.run([*NODE_CLI, "copy", str(root), ref], **quiet))  # type: ignore[call-overload]
        down = leg(lambda: subprocess.run([*NODE_CLI, "copy", ref, str(dest)], **quiet))  # type: ignore[call-overload]
        shutil.rmtree(dest)
        return up, down

    contenders: dict[str, Callable[[], tuple[float, float]]] = {
        "skopeo copy": run_skopeo,
        "ocicache copy (Python)": run_python,
        "ocicache copy (Node CLI)": run_node,
    }
    best: dict[str, tuple[float, float, float]] = {}
    order = list(contenders)
    try:
        for n in range(args.rounds):
            for name in order[n % len(order):] + order[:n % len(order)]:
                up, down = contenders[name]()
                if name not in best or up + down < best[name][2]:
                    best[name] = (up, down, up + down)
    finally:
        registry.stdin.close()
        registry.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"copy local -> registry -> local: {size / 2**30:.2f} GiB in {LAYERS} gzip layers, loopback, best of {args.rounds}, {os.cpu_count()} cores")
    for name, (up, down, total) in best.items():
        print(f"  {name:<26} up {size / up / 1e6:5.0f} MB/s  down {size / down / 1e6:5.0f} MB/s  round trip {2 * size / total / 1e6:5.0f} MB/s")
    peer = best["skopeo copy"][2]
    for name in ("ocicache copy (Python)", "ocicache copy (Node CLI)"):
        print(f"  ratio {name} / skopeo copy (round trip): {peer / best[name][2]:.2f}x")


if __name__ == "__main__":
    main()
