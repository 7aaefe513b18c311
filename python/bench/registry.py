"""Benchmark: copy a 1 GiB synthetic cache (200 gzip layers, the one
``bench/verify.py`` makes) local -> registry -> local on loopback, against
``skopeo copy --preserve-digests`` of the same layout (it accepts the
image-manifest form). The registry is Debian's docker-registry, started by
``tests/registry/serve.mjs``.

Contenders, interleaved, best of ``--rounds``: skopeo, the Python
package's ``operations.copy`` and the Node CLI's ``copy``. Every run copies
into a new repository and a new directory, so nothing is skipped; skopeo
gets an empty ``$HOME`` each time, so its blob-info cache cannot turn
uploads into mounts.

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
    home = tempfile.mkdtemp(prefix="ocicache-bench-home-")
    try:
        env = {**os.environ, "HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        subprocess.run(["skopeo", "copy", "--quiet", "--preserve-digests", *args], check=True, env=env)
    finally:
        shutil.rmtree(home, ignore_errors=True)


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
        t0 = time.perf_counter()
        skopeo(["--dest-tls-verify=false", f"oci:{root}:latest", f"docker://{ref}"])
        t1 = time.perf_counter()
        skopeo(["--src-tls-verify=false", f"docker://{ref}", f"oci:{dest}:latest"])
        t2 = time.perf_counter()
        shutil.rmtree(dest)
        return t1 - t0, t2 - t1

    def run_python() -> tuple[float, float]:
        ref, dest = fresh()
        t0 = time.perf_counter()
        operations.copy(LocalStorage(root), RegistryStorage(ref, docker_config=False))
        t1 = time.perf_counter()
        operations.copy(RegistryStorage(ref, docker_config=False), LocalStorage(dest))
        t2 = time.perf_counter()
        shutil.rmtree(dest)
        return t1 - t0, t2 - t1

    def run_node() -> tuple[float, float]:
        ref, dest = fresh()
        quiet = {"stdout": subprocess.DEVNULL, "check": True}
        t0 = time.perf_counter()
        subprocess.run([*NODE_CLI, "copy", str(root), ref], **quiet)  # type: ignore[call-overload]
        t1 = time.perf_counter()
        subprocess.run([*NODE_CLI, "copy", ref, str(dest)], **quiet)  # type: ignore[call-overload]
        t2 = time.perf_counter()
        shutil.rmtree(dest)
        return t1 - t0, t2 - t1

    contenders: dict[str, Callable[[], tuple[float, float]]] = {
        "skopeo copy": run_skopeo,
        "ocicache copy (Python)": run_python,
        "ocicache copy (Node CLI)": run_node,
    }
    best: dict[str, tuple[float, float, float]] = {}
    try:
        for _ in range(args.rounds):
            for name, run in contenders.items():
                up, down = run()
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
