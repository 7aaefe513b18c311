"""Benchmark: copy a 1 GiB synthetic cache (200 gzip layers, the one
``bench/verify.py`` makes) local -> S3 -> local through ``moto_server`` on
loopback, against ``aws s3 sync`` (PyPI ``awscli``, in its own venv) of the
same files up and down. Every run uses a new bucket (emptied after, so that
moto, which keeps objects in memory, does not grow), so nothing is skipped.

Contenders, interleaved (each round starting with the next one), best of
``--rounds``; each is a command (the ``aws`` CLI, and the Python and Node
``ocicache`` CLIs), timed and measured for peak memory (``/usr/bin/time``'s
maximum resident set size).

    python bench/cloud.py [--rounds 3] [--dir DIR] [--aws PATH]
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import boto3  # type: ignore[import-untyped]
from verify import LAYERS, synthetic_cache

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python" / "tests"))

import servers  # type: ignore[import-not-found]  # noqa: E402

counter = itertools.count()
AWS = os.environ.get("OCICACHE_BENCH_AWS", str(REPO / "target" / "bench-awscli" / "bin" / "aws"))
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1"}


def timed(argv: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one command. What the previous command
    left to write back is flushed first, untimed: ``aws s3 sync`` writes
    without syncing, ocicache syncs every blob before it renames it into
    place, and neither should pay for the other's dirty pages."""
    os.sync()
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=ENV, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return seconds, int(r.stderr.strip().splitlines()[-1])


def main() -> None:
    args, root, size = synthetic_cache("copy of a 1 GiB synthetic cache local -> S3 -> local against aws s3 sync")
    if not Path(AWS).exists():
        raise SystemExit(f"no aws CLI at {AWS} (scripts/bench.sh installs awscli there)")
    with servers.moto() as endpoint:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        scratch = Path(tempfile.mkdtemp(prefix="ocicache-bench-s3-"))

        def bucket() -> str:
            name = f"bench-{next(counter)}"
            s3.create_bucket(Bucket=name)
            return name

        def empty(name: str) -> None:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                for o in page.get("Contents", []):
                    s3.delete_object(Bucket=name, Key=o["Key"])

        def location(name: str) -> str:
            return (f"type=s3,bucket={name},region=us-east-1,endpoint_url={endpoint},use_path_style=true,"
                    "access_key_id=x,secret_access_key=y,name=bench")

        def run(up: list[str], down: list[str], name: str) -> tuple[float, float, int]:
            t_up, m_up = timed(up)
            t_down, m_down = timed(down)
            empty(name)
            return t_up, t_down, max(m_up, m_down)

        def aws_sync() -> tuple[float, float, int]:
            name, dest = bucket(), scratch / f"d{next(counter)}"
            r = run([AWS, "s3", "sync", "--only-show-errors", "--endpoint-url", endpoint, str(root), f"s3://{name}/"],
                    [AWS, "s3", "sync", "--only-show-errors", "--endpoint-url", endpoint, f"s3://{name}/", str(dest)], name)
            shutil.rmtree(dest)
            return r

        def ocicache(cli: list[str]) -> tuple[float, float, int]:
            name, dest = bucket(), scratch / f"d{next(counter)}"
            r = run([*cli, "copy", str(root), location(name)], [*cli, "copy", location(name), str(dest)], name)
            shutil.rmtree(dest)
            return r

        contenders: dict[str, Callable[[], tuple[float, float, int]]] = {
            "aws s3 sync": aws_sync,
            "ocicache copy (Python CLI)": lambda: ocicache([str(REPO / ".venv" / "bin" / "ocicache")]),
            "ocicache copy (Node CLI)": lambda: ocicache(["node", str(REPO / "npm" / "bin" / "ocicache.mjs")]),
        }
        best: dict[str, tuple[float, float, int]] = {}
        order = list(contenders)
        try:
            for n in range(args.rounds):
                # Each round starts with the next contender: the first after
                # a bucket's creation and the one after another's download
                # measure differently on this shared machine.
                for label in order[n % len(order):] + order[:n % len(order)]:
                    contender = contenders[label]
                    up, down, mem = contender()
                    if label not in best or up + down < best[label][0] + best[label][1]:
                        best[label] = (up, down, mem)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"copy local -> S3 -> local through moto_server: {size / 2**30:.2f} GiB in {LAYERS} gzip layers, "
          f"loopback, best of {args.rounds}, {os.cpu_count()} cores")
    for label, (up, down, mem) in best.items():
        print(f"  {label:<28} up {size / up / 1e6:5.0f} MB/s  down {size / down / 1e6:5.0f} MB/s  "
              f"round trip {2 * size / (up + down) / 1e6:5.0f} MB/s  peak RSS {mem / 1024:5.0f} MiB")
    peer = sum(best["aws s3 sync"][:2])
    for label in ("ocicache copy (Python CLI)", "ocicache copy (Node CLI)"):
        ratio = peer / sum(best[label][:2])
        print(f"  ratio {label} / aws s3 sync (round trip): {ratio:.2f}x  (target >= 1: {'met' if ratio >= 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
