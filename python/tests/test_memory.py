"""verify's and convert's memory stays flat whatever a layer's size: both
CLIs verify and convert a cache whose zstd layer is a 32 KiB "bomb" of
1 GiB of zeros (RLE blocks) in the memory they need for one of 64 MiB, and
convert a 256 MiB layer in what they need for one of 32 MiB. Peak RSS is each
CLI process's own (``ru_maxrss`` of a wrapper's only child)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from conftest import TESTS

REPO = TESTS.parent
NODE = shutil.which("node")
MIB = 1 << 20

# Runs argv[1:] and prints the child's peak RSS in KiB.
MEASURE = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def zstd_zeros(size: int) -> bytes:
    """A zstd frame of ``size`` zero bytes made of 128 KiB RLE blocks."""
    blocks = size // (128 << 10)
    out = bytearray(b"\x28\xb5\x2f\xfd\x00\x38")
    for i in range(blocks):
        header = (128 << 10) << 3 | 1 << 1 | (1 if i + 1 == blocks else 0)
        out += header.to_bytes(3, "little") + b"\x00"
    return bytes(out)


def zeros_digest(size: int) -> str:
    h = hashlib.sha256()
    chunk = bytes(MIB)
    for _ in range(size // MIB):
        h.update(chunk)
    return "sha256:" + h.hexdigest()


def put(layout: Path, data: bytes) -> dict[str, object]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return {"digest": digest, "size": len(data)}


def replaced_layout(into: Path, name: str, blob: bytes, diff_id: str, media_type: Optional[str] = None) -> Path:
    """compression-zstd with its first layer replaced by ``blob`` (its
    uncompressed content ``diff_id``; ``media_type`` when it changes)."""
    layout = into / name
    shutil.copytree(TESTS / "fixtures" / "buildkit" / "compression-zstd" / "cache", layout)
    index = json.loads((layout / "index.json").read_bytes())
    entry = index["manifests"][0]
    manifest = json.loads((layout / "blobs" / "sha256" / entry["digest"][7:]).read_bytes())
    config = json.loads((layout / "blobs" / "sha256" / manifest["config"]["digest"][7:]).read_bytes())
    layer = manifest["layers"][0]
    old = layer["digest"]
    layer.update(put(layout, blob))
    layer["annotations"]["containerd.io/uncompressed"] = diff_id
    if media_type:
        layer["mediaType"] = media_type
    for listed in manifest["layers"]:
        if listed["digest"] == old:
            listed.update({k: layer[k] for k in ("mediaType", "digest", "size", "annotations")})
    for c in config["layers"]:
        if c["blob"] == old:
            c["blob"] = layer["digest"]
    manifest["config"].update(put(layout, json.dumps(config, separators=(",", ":")).encode()))
    entry.update(put(layout, json.dumps(manifest, separators=(",", ":")).encode()))
    (layout / "index.json").write_bytes(json.dumps(index, separators=(",", ":")).encode())
    return layout


def bomb_layout(into: Path, size: int) -> Path:
    """compression-zstd with its first layer replaced by ``size`` zeros."""
    return replaced_layout(into, f"bomb-{size // MIB}", zstd_zeros(size), zeros_digest(size))


def peak_rss(command: list[str]) -> int:
    """The peak RSS of ``command`` in bytes; it must exit 0."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True, cwd=REPO)
    code, kib = out.stdout.split()
    assert code == "0", out.stderr
    return int(kib) * 1024


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("memory")
    return bomb_layout(tmp, 64 * MIB), bomb_layout(tmp, 1024 * MIB)


CLIS = {"python": [sys.executable, "-m", "ocicache"], "node": [str(NODE), str(REPO / "npm" / "bin" / "ocicache.mjs")]}


@pytest.mark.parametrize("cli", ["python", "node"])
def test_verify_of_a_1_gib_zstd_layer_needs_the_memory_of_a_64_mib_one(cli: str, bombs: tuple[Path, Path]) -> None:
    if cli == "node" and NODE is None:
        pytest.fail("node is not installed")
    small = peak_rss([*CLIS[cli], "verify", str(bombs[0])])
    large = peak_rss([*CLIS[cli], "verify", str(bombs[1])])
    print(f"{cli}: verify peak RSS {small / MIB:.0f} MiB (64 MiB layer), {large / MIB:.0f} MiB (1 GiB layer)")
    assert large < small + 32 * MIB, (small, large)
    assert large < 256 * MIB, large


@pytest.mark.parametrize("cli", ["python", "node"])
def test_convert_of_a_1_gib_zstd_bomb_needs_the_memory_of_a_64_mib_one(cli: str, bombs: tuple[Path, Path],
                                                                     tmp_path: Path) -> None:
    """convert decodes a layer a megabyte at a time (Decoder.update's
    max_bytes): before, one 64 KiB chunk of RLE blocks came back from the
    decoder as 2 GiB at once, and Node's garbage collector did not count the
    pieces the native module handed out."""
    if cli == "node" and NODE is None:
        pytest.fail("node is not installed")
    peaks = []
    for bomb in bombs:
        layout = tmp_path / bomb.name
        shutil.copytree(bomb, layout)
        peaks.append(peak_rss([*CLIS[cli], "convert", "--compression", "gzip", str(layout)]))
    small, large = peaks
    print(f"{cli}: convert peak RSS {small / MIB:.0f} MiB (64 MiB bomb), {large / MIB:.0f} MiB (1 GiB bomb)")
    assert large < small + 32 * MIB, (small, large)
    assert large < 256 * MIB, large


def random_layout(into: Path, size: int) -> Path:
    """compression-zstd with its first layer replaced by ``size`` random
    bytes, uncompressed (gzip keeps their size)."""
    data = os.urandom(size)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    return replaced_layout(into, f"random-{size // MIB}", data, digest, "application/vnd.oci.image.layer.v1.tar")


@pytest.mark.parametrize("cli", ["python", "node"])
def test_convert_of_a_256_mib_layer_needs_the_memory_of_a_32_mib_one(cli: str, tmp_path: Path) -> None:
    """The converted layer goes to a temporary file until its digest is
    known, not into memory (the scale benchmark found it held whole)."""
    if cli == "node" and NODE is None:
        pytest.fail("node is not installed")
    peaks = []
    for size in (32 * MIB, 256 * MIB):
        layout = random_layout(tmp_path, size)
        peaks.append(peak_rss([*CLIS[cli], "convert", "--compression", "gzip", str(layout)]))
        assert not list((layout / "ingest").iterdir()), "a spool file was left behind"
        shutil.rmtree(layout)
    small, large = peaks
    print(f"{cli}: convert peak RSS {small / MIB:.0f} MiB (32 MiB layer), {large / MIB:.0f} MiB (256 MiB layer)")
    assert large < small + 32 * MIB, (small, large)
