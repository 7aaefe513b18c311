"""Compression and layer digests through the Python package: the bundled
layers' diffIDs, interoperability with Python's gzip/zlib and the gzip and
zstd command-line tools, and every corruption with its code."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import zlib
from pathlib import Path
from typing import Literal

import pytest
from conftest import TESTS
from test_memory import zstd_zeros

import ocicache
from ocicache import Decoder, Encoder, LayerCompressor, LayerDigester, OcicacheError

SAMPLES = [b"", b"x", b"hello, layer\n" * 5000, os.urandom(200_000)]


def bundled_layers() -> list[tuple[Path, str, str]]:
    """(blob, media type, diffID) of every layer descriptor in the bundled exports."""
    out = {}
    for case in sorted((TESTS / "fixtures" / "buildkit").iterdir()):
        blobs = case / "cache" / "blobs" / "sha256" if (case / "cache").is_dir() else case / "blobs" / "sha256"
        if not blobs.is_dir():
            continue
        for path in blobs.iterdir():
            try:
                doc = json.loads(path.read_bytes())
            except (ValueError, UnicodeDecodeError):
                continue
            for d in doc.get("layers") or doc.get("manifests") or []:
                diff = d.get("annotations", {}).get("containerd.io/uncompressed")
                if diff:
                    out[blobs / d["digest"].split(":")[1]] = (d["mediaType"], diff)
    return [(p, m, d) for p, (m, d) in sorted(out.items())]


def test_every_bundled_layer_has_its_diff_id() -> None:
    layers = bundled_layers()
    assert len(layers) >= 20
    for path, media_type, diff_id in layers:
        data = path.read_bytes()
        d = ocicache.layer_digests(data)
        assert d["diff_id"] == diff_id
        assert d["digest"] == "sha256:" + path.name
        assert d["compression"] == ("zstd" if media_type.endswith("zstd") else "gzip")
        streaming = LayerDigester()
        for i in range(0, len(data), 999):
            streaming.update(data[i : i + 999])
        assert streaming.finalize() == d


@pytest.mark.parametrize("data", SAMPLES, ids=["empty", "one byte", "text", "random"])
def test_gzip_interoperates_with_python(data: bytes) -> None:
    ours, level = ocicache.compress(data, "gzip")
    assert level == 6
    assert gzip.decompress(ours) == data
    assert zlib.decompress(ours, wbits=31) == data
    assert ocicache.decompress(gzip.compress(data)) == data
    assert ocicache.decompress(gzip.compress(data) + gzip.compress(data)) == data * 2


def test_every_gzip_level_reads_back_and_writes_about_what_zlib_writes() -> None:
    """Each level's output is read by zlib and gzip, and within 1 % of the
    size zlib writes at the same level (2 % at 2; at 1, which runs as
    zlib-rs's 2, smaller) — on real files: a tar of this repository's
    sources and test vectors (1.5 MB; measured from -5.8 % to +0.16 %). The
    benchmark reports the same on larger payloads."""
    root = Path(__file__).resolve().parents[2]
    tar = subprocess.run(["tar", "-cf", "-", "--sort=name", "--exclude=*.so", "core/src", "bindings", "python/ocicache", "npm/bin",
                          "viewer", "tests/cases"], cwd=root, capture_output=True, check=True).stdout
    for level in range(-2, 10):
        ours, used = ocicache.compress(tar, "gzip", level)
        assert used == (6 if level == -1 else level)
        assert zlib.decompress(ours, wbits=31) == tar and run(["gzip", "-dc"], ours) == tar, level
        if level < 1:
            continue
        c = zlib.compressobj(level, zlib.DEFLATED, 31)
        theirs = len(c.compress(tar) + c.flush())
        bound = 1.0 if level == 1 else 1.02 if level == 2 else 1.01
        assert len(ours) <= theirs * bound, f"level {level}: {len(ours)} vs zlib's {theirs}"


def tar_like(size: int) -> bytes:
    """The benchmark's tar-like payload, seeded: 4 KiB runs of repeated text
    and, one in four, of random bytes."""
    rng = random.Random(0)
    words = b"layer cache record digest blob manifest config build step "
    parts, total = [], 0
    while total < size:
        part = rng.randbytes(4096) if rng.getrandbits(2) == 0 else (words[rng.getrandbits(8) % len(words) :] + words * 80)[:4096]
        parts.append(part)
        total += len(part)
    return b"".join(parts)[:size]


def test_gzip_from_level_3_writes_within_1_percent_of_zlib_on_repetitive_text() -> None:
    """zlib-rs's own levels 4 to 6 (zlib-ng's "medium" strategy) wrote
    +0.95 %, +0.90 % and +1.07 % more than zlib here; ocicache runs zlib's
    parameters on the lazy strategy instead (measured within 0.1 %)."""
    data = tar_like(4 << 20)
    for level in range(3, 10):
        ours = ocicache.compress(data, "gzip", level)[0]
        c = zlib.compressobj(level, zlib.DEFLATED, 31)
        theirs = len(c.compress(data) + c.flush())
        assert zlib.decompress(ours, wbits=31) == data
        assert len(ours) <= theirs * 1.01, f"level {level}: {len(ours)} vs zlib's {theirs}"


def run(args: list[str], data: bytes) -> bytes:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


@pytest.mark.parametrize("data", SAMPLES, ids=["empty", "one byte", "text", "random"])
def test_the_cli_tools_read_ours_and_we_read_theirs(data: bytes) -> None:
    assert run(["gzip", "-dc"], ocicache.compress(data, "gzip", 9)[0]) == data
    assert run(["zstd", "-dcq"], ocicache.compress(data, "zstd")[0]) == data
    for args in (["gzip", "-c"], ["gzip", "-1c", "-n"], ["gzip", "-9c"]):
        assert ocicache.decompress(run(args, data)) == data
    for args in (["zstd", "-cq"], ["zstd", "-19cq", "--no-check"], ["zstd", "-3cq", "--content-size"]):
        assert ocicache.decompress(run(args, data)) == data
    members = run(["gzip", "-c"], data[:7]) + run(["gzip", "-c"], data[7:])
    assert ocicache.decompress(members) == data
    frames = run(["zstd", "-cq"], data[:7]) + run(["zstd", "-cq"], data[7:])
    assert ocicache.decompress(frames) == data


def test_streaming_decoder_and_encoder() -> None:
    data = b"stream me " * 100_000
    cases: list[tuple[Literal["gzip", "zstd", "uncompressed"], int | None, int | None]] = [
        ("gzip", 9, 9),
        ("zstd", 19, 1),
        ("uncompressed", None, None),
    ]
    for compression, level, used in cases:
        enc = Encoder(compression, level)
        packed = b"".join(enc.update(data[i : i + 4096]) for i in range(0, len(data), 4096)) + enc.finish()
        assert enc.level == used
        dec = Decoder(compression)
        out = b"".join(dec.update(packed[i : i + 1000]) for i in range(0, len(packed), 1000))
        dec.finish()
        assert out == data
    with pytest.raises(OcicacheError) as info:
        Encoder("gzip", 19)
    assert info.value.code == "INVALID_ARGUMENT"
    assert Encoder("zstd", 19).level == 1
    assert Encoder("gzip", 1).level == 1


def test_max_bytes_bounds_what_one_update_hands_out() -> None:
    # 2 KiB that stand for 64 MiB of zeros: one call without max_bytes would
    # hold all of them (a 64 KiB chunk of these stands for 2 GiB).
    bomb = zstd_zeros(64 << 20)
    dec = Decoder("zstd")
    total = calls = 0
    out = dec.update(bomb, 1 << 20)
    while out:
        assert len(out) <= (1 << 20) + (128 << 10)
        assert out.count(0) == len(out)
        total += len(out)
        calls += 1
        out = dec.update(b"", 1 << 20)
    assert total == 64 << 20
    assert calls >= 50
    dec.finish()
    stopped = Decoder("zstd")
    stopped.update(bomb, 1 << 20)
    with pytest.raises(OcicacheError) as info:
        stopped.finish()
    assert info.value.code == "INVALID_ARGUMENT"
    # Any chunking and limit gives the same bytes.
    data = b"stream me " * 100_000
    for compression in ("gzip", "zstd", "uncompressed"):
        packed = ocicache.compress(data, compression)[0]
        for chunk, limit in ((1000, 777), (1 << 20, 65536)):
            dec = Decoder(compression)
            parts = []
            for i in range(0, len(packed) + 1, chunk):
                piece = dec.update(packed[i : i + chunk], limit)
                while piece:
                    assert len(piece) < limit + (128 << 10)
                    parts.append(piece)
                    piece = dec.update(b"", limit)
            dec.finish()
            assert b"".join(parts) == data, (compression, chunk, limit)


def test_layer_compressor_keeps_the_diff_id() -> None:
    tar = b"\0" * 1024
    for compression in ("gzip", "zstd", "uncompressed"):
        c = LayerCompressor(compression)
        blob = c.update(tar)
        last, done = c.finalize()
        blob += last
        assert done["diff_id"] == str(ocicache.digest(tar))
        assert done["size"] == len(blob)
        assert ocicache.layer_digests(blob)["diff_id"] == done["diff_id"]


def code(data: bytes, compression: str | None = None, **limits: int) -> str:
    with pytest.raises(OcicacheError) as info:
        ocicache.decompress(data, compression, **limits)  # type: ignore[arg-type]
    return info.value.code


def test_corruption_has_codes() -> None:
    packed = gzip.compress(b"some data " * 100)
    n = len(packed)
    assert code(packed[: n - 8] + bytes([packed[n - 8] ^ 1]) + packed[n - 7 :]) == "CHECKSUM_MISMATCH"
    assert code(packed[: n - 4] + bytes([packed[n - 4] ^ 1]) + packed[n - 3 :]) == "LENGTH_MISMATCH"
    assert code(packed[: n // 2]) == "TRUNCATED_DATA"
    assert code(b"\x1f\x00" + packed[2:], "gzip") == "INVALID_COMPRESSED_DATA"
    assert code(b"plain text that is not compressed") == "UNKNOWN_COMPRESSION"
    assert code(packed + b"junk") == "TRAILING_DATA"
    bomb = gzip.compress(b"\0" * (4 << 20))
    assert code(bomb, max_output=1 << 20) == "SIZE_LIMIT_EXCEEDED"
    zpacked = ocicache.compress(b"\0" * (4 << 20), "zstd")[0]
    assert code(zpacked, max_output=1 << 20) == "SIZE_LIMIT_EXCEEDED"
    assert code(zpacked, max_zstd_window=1 << 10) == "WINDOW_TOO_LARGE"
    assert code(zpacked[:-5]) == "TRUNCATED_DATA"


def test_detection() -> None:
    assert ocicache.detect_compression(gzip.compress(b"x")) == "gzip"
    assert ocicache.detect_compression(ocicache.compress(b"x", "zstd")[0]) == "zstd"
    assert ocicache.detect_compression(b"\0" * 1024) == "uncompressed"
    assert ocicache.detect_compression(b"nothing") is None
