#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (``scripts/fuzz.sh``), from what the
tests already hold: the bundled BuildKit exports, the vectors, the damaged
caches. Writes ``<out>/<target>/<n>`` files.

    make_seeds.py OUT_DIR
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def blobs() -> list[bytes]:
    out = []
    for p in sorted((TESTS / "fixtures").rglob("*")):
        if p.is_file() and p.stat().st_size < 4 << 20 and ("blobs" in p.parts or p.name in ("index.json", "oci-layout")):
            out.append(p.read_bytes())
    return out


def vectors(path: str, key: str = "input") -> list[bytes]:
    out = []
    for f in sorted((TESTS / "cases" / path).glob("*.json")):
        for case in json.loads(f.read_text()):
            v = case.get(key)
            if isinstance(v, str):
                out.append(v.encode())
            elif isinstance(v, dict) and "utf8" in v:
                out.append(str(v["utf8"]).encode())
    return out


def main(out: Path) -> None:
    all_blobs = blobs()
    json_docs = [b for b in all_blobs if b[:1] == b"{"]
    layers = [b for b in all_blobs if b[:1] != b"{"]
    seeds: dict[str, list[bytes]] = {
        "digest": vectors("digest") + [f"sha256:{hashlib.sha256(b).hexdigest()}".encode() for b in all_blobs[:20]],
        "options": [b"\x00" + s for s in vectors("options")] + [b"\x03" + s for s in vectors("entries")],
        "reference": [b"ghcr.io/o/app:cache", b"localhost:5000/a/b@sha256:" + b"0" * 64, b"user/app", b"docker.io/library/x:1"],
        "cache_config": json_docs + vectors("cache_config"),
        "manifest": json_docs + vectors("manifest"),
        "index": json_docs + vectors("layout"),
        "layout": json_docs,
        "inline": [m + b"\x00" + c for m in json_docs[:10] for c in json_docs[:5]],
        "gzip": [b for b in layers if b[:2] == b"\x1f\x8b"] + [gzip.compress(b"hello" * 100)],
        "zstd": [b for b in layers if b[:4] == b"\x28\xb5\x2f\xfd"],
        "compression": layers,
        # Level byte (-2 + n % 12), split byte, then the input.
        "gzip_encoder": [bytes([n % 12, n * 37 % 256]) + b for n, b in enumerate(layers)] + [b"\x08\x80" + b"hello " * 500],
        "www_authenticate": [
            b'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
            b'Basic realm="registry"',
            b'Bearer realm="https://a",error="invalid_token", Basic realm="x"',
            b'{"token":"abc","expires_in":300}',
            b'{"access_token":"abc"}',
        ],
        "docker_config": [
            json.dumps({"auths": {"ghcr.io": {"auth": base64.b64encode(b"u:p").decode()}}}).encode(),
            json.dumps({"auths": {"https://index.docker.io/v1/": {"username": "u", "password": "p"}}}).encode(),
            b'{"credsStore":"desktop","auths":{}}',
        ],
    }
    for target, items in seeds.items():
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        for n, data in enumerate(items):
            (d / f"seed-{n:04d}").write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
