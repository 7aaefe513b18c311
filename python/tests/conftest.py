"""Shared data for the tests: the repository's tests/ directory and its vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[2] / "tests"


def load(rel: str) -> Any:
    """The JSON value of a file under tests/."""
    return json.loads((TESTS / rel).read_text(encoding="utf-8"))


def input_bytes(spec: dict[str, Any]) -> bytes:
    """The bytes a vector's input describes: {utf8}, {hex}, {concat} or {repeat}."""
    if "utf8" in spec:
        return str(spec["utf8"]).encode()
    if "hex" in spec:
        return bytes.fromhex(str(spec["hex"]))
    if "concat" in spec:
        return b"".join(input_bytes(part) for part in spec["concat"])
    return input_bytes(spec["repeat"]) * int(spec["repeat"]["count"])


def blob_files() -> list[tuple[str, Path]]:
    """Every blob of the bundled BuildKit exports as (digest string, path)."""
    out = []
    for case in sorted((TESTS / "fixtures" / "buildkit").iterdir()):
        for blobs in (case / "cache" / "blobs", case / "blobs"):
            if blobs.is_dir():
                for path in sorted(blobs.glob("*/*")):
                    out.append((f"{path.parent.name}:{path.name}", path))
    return out
