"""The ``ocicache`` command line (Python).

Same sub-commands, flags, output and exit codes as the Node package's CLI;
the shared cases in ``tests/cli/`` run against both. Reports come from the
core (``to_text`` / ``to_dict``), so both CLIs print the same bytes.

Exit status: 0 all good, 1 something is wrong with the cache (or gc
refused), 2 usage or I/O error.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Sequence
from typing import Any, Callable, Optional

from ocicache import operations as ops
from ocicache._native import (
    __version__,
    Digester,
    OcicacheError,
    parse_byte_size,
    parse_cache_entries,
    parse_cache_options,
    parse_duration_ms,
)
from ocicache.error import coded
from ocicache.location import Location, open_location

USAGE = """usage: ocicache inspect [--json] CACHE
       ocicache verify [--json] CACHE
       ocicache gc [--dry-run] [--json] [--keep-tags T,..] [--drop-tags T,..] [--grace-period SECONDS] [--settle SECONDS] CACHE
       ocicache prune [--dry-run] [--json] [--max-size SIZE] [--max-age AGE] [--keep-tags T,..] [--grace-period SECONDS] [--settle SECONDS] CACHE
       ocicache merge [--json] [--tag TAG] [--form FORM] [--replace] [--max-size SIZE] DEST SOURCE...
       ocicache convert [--json] [--tag TAG] [--form FORM] [--compression gzip|zstd|uncompressed] CACHE
       ocicache copy [--json] [--concurrency N] SOURCE DEST
       ocicache options [--export] [--unchecked] OPTIONS
       ocicache digest [--algorithm sha256|sha512] FILE...
       ocicache --help | --version
CACHE, SOURCE and DEST are a directory, a registry reference (HOST/REPO:TAG,
where HOST has a dot or a port or is localhost), or a buildx-style string:
type=local,src=DIR[,tag=TAG][,digest=DIGEST], type=registry,ref=HOST/REPO:TAG[,registry.insecure=true],
type=s3,bucket=B,region=R[,name=N][,…] or type=azblob,account_url=URL[,name=N][,…] (BuildKit's attributes).
SIZE is bytes or 2GiB, 500MB, 10g; AGE is 7d, 36h, 1w2d or seconds.
A path that starts with /, ./ or ../ is always a directory. copy and merge write
DEST's tag (tag= or the reference's), else latest: the tag --cache-from reads.
Registry credentials come from the docker config file ($DOCKER_CONFIG/config.json
or ~/.docker/config.json), or from --username U with --password-stdin;
--connect-timeout SECONDS (30) and --read-timeout SECONDS (60) bound every
registry request. These go before the sub-command."""

CONTENT_CODES = {
    "INCOMPLETE_CACHE",
    "TAG_NOT_FOUND",
    "MISSING_CACHE_CONFIG",
    "MISSING_BLOB",
    "DIFF_ID_MISMATCH",
    "NOT_A_FILE",
    "BUDGET_TOO_SMALL",
}

Out = Callable[[str], None]


class UsageError(Exception):
    """A command line that does not fit the usage."""


def _parse(args: Sequence[str], spec: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    flags: dict[str, Any] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if not a.startswith("--") or a == "--":
            rest.append(a)
            i += 1
            continue
        name, eq, inline = a[2:].partition("=")
        if name not in spec:
            raise UsageError(f"unknown flag --{name}")
        if spec[name] == "bool":
            if eq:
                raise UsageError(f"--{name} takes no value")
            flags[name] = True
        elif eq:
            flags[name] = inline
        else:
            i += 1
            if i >= len(args):
                raise UsageError(f"--{name} needs a value")
            flags[name] = args[i]
        i += 1
    return flags, rest


# Registry options given on the command line (--username,
# --password-stdin, --connect-timeout, --read-timeout), for every registry
# location of the command.
_registry: dict[str, Any] = {}


def _location(arg: str) -> Location:
    return open_location(arg, **_registry)


def _seconds(flag: str, value: str) -> int:
    """A number of seconds given for ``--flag``, in milliseconds."""
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        raise UsageError(f"--{flag} takes a number of seconds")
    return round(float(value) * 1000)


def _writable(arg: str) -> Location:
    """A location the command writes to: ``digest=`` only selects what to read."""
    loc = _location(arg)
    if loc.digest is not None:
        raise coded("UNSUPPORTED_OPERATION", f"{arg}: digest= pins a manifest to read; a location written to is named by its tag")
    return loc


def _one(rest: list[str], what: str) -> str:
    if len(rest) != 1:
        raise UsageError(f"expected one {what}")
    return rest[0]


def _progress(label: str) -> Optional[Callable[[int, int], None]]:
    """A progress line on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    last = 0.0

    def show(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < 0.1:
            return
        last = now
        width = 30
        filled = round(done / total * width) if total else width
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{label} [{'#' * filled}{' ' * (width - filled)}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


def _text(out: Out, text: str) -> None:
    out(text[:-1] if text.endswith("\n") else text)


def _json(out: Out, value: Any) -> None:
    out(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _inspect(args: list[str], out: Out) -> int:
    flags, rest = _parse(args, {"json": "bool"})
    report = ops.inspect(_location(_one(rest, "CACHE")).source)
    data = report.to_dict()
    if flags.get("json"):
        _json(out, data)
    else:
        _text(out, report.to_text())
    return 1 if any(f["severity"] == "error" for f in data["findings"]) else 0


def _verify(args: list[str], out: Out) -> int:
    flags, rest = _parse(args, {"json": "bool"})
    report = ops.verify(_location(_one(rest, "CACHE")).source, on_progress=_progress("verify"))
    if flags.get("json"):
        _json(out, report.to_dict())
    else:
        _text(out, report.to_text())
    return 0 if report.ok else 1


def _gc(args: list[str], out: Out) -> int:
    spec = {"dry-run": "bool", "json": "bool", "keep-tags": "value", "drop-tags": "value", "grace-period": "value", "settle": "value"}
    flags, rest = _parse(args, spec)

    def tags(value: Optional[str]) -> Optional[list[str]]:
        return None if value is None else [t for t in value.split(",") if t]

    def ms(flag: str) -> Optional[int]:
        return None if flag not in flags else _seconds(flag, flags[flag])

    grace_ms, settle_ms = ms("grace-period"), ms("settle")
    dry_run = bool(flags.get("dry-run"))
    loc = _writable(_one(rest, "CACHE"))
    if loc.registry:
        raise UsageError("gc works on local, s3 and azblob caches; a registry frees blobs with its own garbage collector")
    plan = ops.gc(
        loc.storage,
        dry_run=dry_run,
        keep_tags=tags(flags.get("keep-tags")),
        drop_tags=tags(flags.get("drop-tags")),
        grace_period_ms=grace_ms,
        settle_ms=ops.DEFAULT_SETTLE_MS if settle_ms is None else settle_ms,
        on_progress=_progress("gc"),
    )
    if flags.get("json"):
        _json(out, plan.to_dict(not dry_run))
    else:
        _text(out, plan.to_text(not dry_run))
    return 0


def _prune(args: list[str], out: Out) -> int:
    spec = {
        "dry-run": "bool",
        "json": "bool",
        "max-size": "value",
        "max-age": "value",
        "keep-tags": "value",
        "grace-period": "value",
        "settle": "value",
    }
    flags, rest = _parse(args, spec)
    if "max-size" not in flags and "max-age" not in flags:
        raise UsageError("prune needs --max-size or --max-age")

    def ms(flag: str) -> Optional[int]:
        return None if flag not in flags else _seconds(flag, flags[flag])

    dry_run = bool(flags.get("dry-run"))
    loc = _writable(_one(rest, "CACHE"))
    settle_ms = ms("settle")
    keep = flags.get("keep-tags")
    result = ops.prune(
        loc.storage,
        dry_run=dry_run,
        max_size=None if "max-size" not in flags else parse_byte_size(str(flags["max-size"])),
        max_age_ms=None if "max-age" not in flags else parse_duration_ms(str(flags["max-age"])),
        keep_tags=None if keep is None else [t for t in str(keep).split(",") if t],
        collect=not loc.registry,
        grace_period_ms=ms("grace-period"),
        settle_ms=ops.DEFAULT_SETTLE_MS if settle_ms is None else settle_ms,
        on_progress=_progress("gc"),
    )
    gc = result.gc
    if flags.get("json"):
        report = {**result.plan.to_dict(not dry_run), "skippedTags": result.skipped, "gc": None if gc is None else gc.to_dict(True)}
        _json(out, report)
    else:
        _text(out, result.plan.to_text(not dry_run))
        for t in result.skipped:
            out(f"left {t} as it is: an export changed it since the plan")
        if gc is not None:
            _text(out, gc.to_text(True))
    return 0


def _merge(args: list[str], out: Out) -> int:
    spec = {"json": "bool", "tag": "value", "form": "value", "replace": "bool", "max-size": "value", "grace-period": "value", "settle": "value"}
    flags, rest = _parse(args, spec)
    if len(rest) < 2:
        raise UsageError("merge takes DEST and at least one SOURCE")
    dest = _writable(rest[0])
    sources = [(s.source, s.tag or _tag_of(s.source)) for s in map(_location, rest[1:])]
    tag = flags.get("tag") or dest.tag or "latest"

    def ms(flag: str) -> Optional[int]:
        return None if flag not in flags else _seconds(flag, flags[flag])

    settle_ms = ms("settle")
    result = ops.merge(
        dest.storage,
        sources,
        tag=tag,
        form=flags.get("form"),
        replace=bool(flags.get("replace")),
        max_size=None if "max-size" not in flags else parse_byte_size(str(flags["max-size"])),
        grace_period_ms=ms("grace-period"),
        settle_ms=ops.DEFAULT_SETTLE_MS if settle_ms is None else settle_ms,
        collect=not dest.registry,
    )
    existing = result["existing"]
    report = {"tag": tag, "descriptor": result["descriptor"], "sources": len(sources), "existing": existing, "layers": result["layers"]}
    if "pruned" in result:
        p = result["pruned"].plan.to_dict(True)
        report["pruned"] = {
            "maxSize": p["maxSize"],
            "bytesAfter": p["bytesAfter"],
            "freedBytes": p["freedBytes"],
            "droppedResults": p["droppedResults"],
            "skippedTags": result["pruned"].skipped,
        }
    if flags.get("json"):
        _json(out, report)
    else:
        held = {"merged": f" and the {tag} it held", "replaced": f" (replacing the {tag} it held)", "none": ""}[existing]
        out(
            f"merged {len(sources)} caches{held} into {rest[0]} as {tag}: "
            f"{result['descriptor']['digest']} ({result['layers']} layer blobs)"
        )
        if "pruned" in report:
            r = report["pruned"]
            out(f"pruned to {r['maxSize']} bytes: dropped {r['droppedResults']} results, {r['freedBytes']} bytes freed, {r['bytesAfter']} bytes now")
    return 0


def _tag_of(storage: Any) -> str:
    """The tag a storage reads by default: its own (a registry's, a
    selection's), else ``latest``."""
    tag = getattr(storage, "tag", None)
    return tag if isinstance(tag, str) else "latest"


def _convert(args: list[str], out: Out) -> int:
    flags, rest = _parse(args, {"json": "bool", "tag": "value", "form": "value", "compression": "value"})
    loc = _writable(_one(rest, "CACHE"))
    tag = flags.get("tag") or loc.tag or "latest"
    result = ops.convert(
        loc.storage, tag=tag, form=flags.get("form"), compression=flags.get("compression"), on_progress=_progress("convert")
    )
    report = {"tag": tag, "descriptor": result["descriptor"], "recompressed": result["recompressed"]}
    if flags.get("json"):
        _json(out, report)
    else:
        out(
            f"converted {tag} in {rest[0]}: {result['descriptor']['digest']} "
            f"({result['recompressed']} layers recompressed)"
        )
    return 0


def _copy(args: list[str], out: Out) -> int:
    flags, rest = _parse(args, {"json": "bool", "concurrency": "value"})
    if len(rest) != 2:
        raise UsageError("copy takes SOURCE and DEST")
    concurrency = flags.get("concurrency")
    if concurrency is not None and (not re.fullmatch(r"[0-9]+", concurrency) or not 1 <= int(concurrency) <= 64):
        raise UsageError("--concurrency takes a whole number from 1 to 64")
    src, dst = _location(rest[0]), _writable(rest[1])
    tag = _tag_of(src.source)
    to_tag = dst.tag or "latest"
    r = ops.copy(src.source, dst.storage, tag=tag, to_tag=to_tag, concurrency=int(concurrency) if concurrency else None, on_progress=_progress("copy"))
    report = {"source": str(src.source), "destination": str(dst.storage), **r}
    if flags.get("json"):
        _json(out, report)
    else:
        out(
            f"copied {tag} of {report['source']} to {report['destination']} as {r['tag']}: "
            f"{r['descriptor']['digest']} ({r['blobs']} blobs: {r['copied']} copied, {r['mounted']} mounted, "
            f"{r['skipped']} already there; {r['bytes']} bytes)"
        )
    return 0


def _camel(value: Any) -> Any:
    """Snake-case keys in camel case, as the Node API and its CLI spell them."""
    if isinstance(value, dict):
        return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _options(args: list[str], out: Out) -> int:
    """``--unchecked``: the entries exactly as buildx sends them, ocicache's
    checks as warnings."""
    flags, rest = _parse(args, {"export": "bool", "unchecked": "bool"})
    parse_as = parse_cache_entries if flags.get("unchecked") else parse_cache_options
    entries = parse_as(_one(rest, "OPTIONS string"), direction="export" if flags.get("export") else "import")
    _json(
        out,
        [
            {
                **json.loads(e.to_json()),
                "settings": _camel(e.settings),
                "warnings": [{k: v for k, v in w.items() if v is not None} for w in e.warnings],
            }
            for e in entries
        ],
    )
    return 0


def _digest(args: list[str], out: Out) -> int:
    flags, rest = _parse(args, {"algorithm": "value"})
    if not rest:
        raise UsageError("digest takes one or more FILEs")
    for file in rest:
        digester = Digester(flags.get("algorithm", "sha256"))
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                digester.update(chunk)
        out(f"{digester.finalize()}  {file}")
    return 0


COMMANDS: dict[str, Callable[[list[str], Out], int]] = {
    "inspect": _inspect,
    "verify": _verify,
    "gc": _gc,
    "prune": _prune,
    "merge": _merge,
    "convert": _convert,
    "copy": _copy,
    "options": _options,
    "digest": _digest,
}


def _global_flags(args: list[str]) -> list[str]:
    """Take ``--username U``, ``--password-stdin``, ``--connect-timeout S``
    and ``--read-timeout S`` off the front of ``args``."""
    i = 0
    password_stdin = False
    valued = {"--username": "username", "--connect-timeout": "connect_timeout_ms", "--read-timeout": "read_timeout_ms"}
    while i < len(args):
        flag, eq, inline = args[i].partition("=")
        if args[i] == "--password-stdin":
            password_stdin = True
        elif flag in valued:
            if not eq:
                if i + 1 >= len(args):
                    raise UsageError(f"{flag} needs a value")
                i += 1
                inline = args[i]
            _registry[valued[flag]] = inline if flag == "--username" else _seconds(flag[2:], inline)
        else:
            break
        i += 1
    if password_stdin:
        if "username" not in _registry:
            raise UsageError("--password-stdin needs --username")
        text = sys.stdin.read()
        _registry["password"] = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    elif "username" in _registry:
        raise UsageError("--username needs --password-stdin")
    return args[i:]


def _print(line: str) -> None:
    """Prints a line; once the reader has closed the pipe (``| head``), the
    rest goes nowhere and the command finishes quietly, as the Node CLI's."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(
    argv: Optional[Sequence[str]] = None,
    out: Out = _print,
    err: Out = lambda line: print(line, file=sys.stderr),
) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    _registry.clear()
    try:
        args = _global_flags(args)
        command, rest = (args[0], args[1:]) if args else (None, [])
        if command in ("--version", "-V"):
            out(f"ocicache {__version__}")
            return 0
        # --help anywhere (``ocicache gc --help``) prints the usage.
        if command == "help" or "--help" in args or "-h" in args:
            out(USAGE)
            return 0
        if command not in COMMANDS:
            raise UsageError(f"unknown command {command}" if command else "no command given")
        return COMMANDS[command](rest, out)
    except UsageError as e:
        err(f"ocicache: {e}\n{USAGE}")
    except OcicacheError as e:
        err(f"ocicache: {e.code}: {e}")
        return 1 if e.code in CONTENT_CODES else 2
    except OSError as e:
        err(f"ocicache: {e}")
    return 2


def run() -> None:
    """Entry point of the ``ocicache`` console script."""
    sys.exit(main())
