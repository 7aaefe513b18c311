"""The ``ocicache`` command line (Python).

Same sub-commands, flags, output and exit codes as the Node package's CLI; the
shared cases in ``tests/cli/`` run against both::

    ocicache digest [--algorithm sha256|sha512] FILE...
    ocicache verify [--json] LAYOUT

Exit status: 0 all good, 1 something is wrong with the content, 2 usage or
I/O error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, Callable, Optional

from ocicache._native import Digest, Digester, OcicacheError

USAGE = """usage: ocicache digest [--algorithm sha256|sha512] FILE...
       ocicache verify [--json] LAYOUT"""

CHUNK = 1 << 20


class UsageError(Exception):
    """A command line that does not fit the usage."""


def _hash_file(path: str, algorithm: str) -> Digester:
    digester = Digester(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digester.update(chunk)
    return digester


def _blob_entries(layout: str) -> list[tuple[str, str]]:
    """Every file under LAYOUT/blobs/<alg>/ as (name, path), sorted by name."""
    root = os.path.join(layout, "blobs")
    out = []
    for alg in sorted(os.listdir(root)):
        alg_dir = os.path.join(root, alg)
        if not os.path.isdir(alg_dir):
            continue
        for name in os.listdir(alg_dir):
            path = os.path.join(alg_dir, name)
            if os.path.isfile(path):
                out.append((f"{alg}:{name}", path))
    return sorted(out, key=lambda e: e[0].encode())


def _check_blob(name: str, path: str) -> dict[str, Any]:
    size = os.stat(path).st_size
    try:
        expected = Digest.parse(name)
        _hash_file(path, expected.algorithm).verify(expected, size)
        return {"digest": name, "size": size, "ok": True}
    except OcicacheError as e:
        return {"digest": name, "size": size, "ok": False, "code": e.code, "message": str(e)}


def _verify(args: list[str], out: Callable[[str], None]) -> int:
    as_json = "--json" in args
    rest = [a for a in args if a != "--json"]
    if len(rest) != 1 or rest[0].startswith("-"):
        raise UsageError("verify takes one LAYOUT directory")
    layout = rest[0]
    blobs = [_check_blob(name, path) for name, path in _blob_entries(layout)]
    failures = sum(not b["ok"] for b in blobs)
    total = sum(b["size"] for b in blobs)
    if as_json:
        report = {"layout": layout, "checked": len(blobs), "bytes": total, "failures": failures, "blobs": blobs}
        out(json.dumps(report, separators=(",", ":"), ensure_ascii=False))
    else:
        for b in blobs:
            if b["ok"]:
                out(f"ok    {b['digest']}  {b['size']} bytes")
            else:
                out(f"FAIL  {b['digest']}  {b['code']}: {b['message']}")
        out(
            f"checked {len(blobs)} blobs ({total} bytes) in {layout}: "
            f"{len(blobs) - failures} match their digests, {failures} do not"
        )
    return 1 if failures else 0


def _digest(args: list[str], out: Callable[[str], None]) -> int:
    algorithm = "sha256"
    files = []
    it = iter(args)
    for arg in it:
        if arg == "--algorithm":
            value = next(it, None)
            if value is None:
                raise UsageError("--algorithm needs a value")
            algorithm = value
        elif arg.startswith("--algorithm="):
            algorithm = arg[len("--algorithm=") :]
        else:
            files.append(arg)
    if not files:
        raise UsageError("digest takes one or more FILEs")
    for file in files:
        out(f"{_hash_file(file, algorithm).finalize()}  {file}")
    return 0


def main(
    argv: Optional[Sequence[str]] = None,
    out: Callable[[str], None] = print,
    err: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else (None, [])
    try:
        if command == "verify":
            return _verify(rest, out)
        if command == "digest":
            return _digest(rest, out)
        if command in ("--help", "-h", "help"):
            out(USAGE)
            return 0
        raise UsageError(f"unknown command {command}" if command else "no command given")
    except UsageError as e:
        err(f"ocicache: {e}\n{USAGE}")
    except OcicacheError as e:
        err(f"ocicache: {e.code}: {e}")
    except OSError as e:
        err(f"ocicache: {e}")
    return 2


def run() -> None:
    """Entry point of the ``ocicache`` console script."""
    sys.exit(main())
