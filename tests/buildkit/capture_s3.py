"""Captures a real ``type=s3`` export as a fixture: BuildKit v0.32.2 builds a
context with ``--export-cache type=s3,…`` into a bucket of ``moto_server``
(PyPI ``moto[server]``, an S3 API server on 127.0.0.1), and every object of
the bucket is written under ``tests/fixtures/cloud/<case>/bucket/`` by its
key, with a ``case.json`` saying how; the same build's ``type=local`` export of
the same cache goes to ``<case>/cache``.

    .venv/bin/python tests/buildkit/capture_s3.py CASE CONTEXT [ATTRS]

for example ``capture_s3.py s3-small-max small mode=max`` (needs root, runc
and BuildKit as the interop suite finds it). The bytes are BuildKit's own:
the ground truth the core's cloud form is tested against.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import boto3  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python" / "tests"))

import daemon  # noqa: E402
import servers  # noqa: E402

BUCKET = "cache"


def main() -> None:
    case, context_name = sys.argv[1], sys.argv[2]
    attrs = sys.argv[3] if len(sys.argv) > 3 else "mode=max"
    found, why = daemon.find()
    if found is None:
        sys.exit(f"capture_s3: no BuildKit: {why}")
    work = Path(tempfile.mkdtemp(prefix="capture-s3-"))
    bk = daemon.Daemon(found, work / "buildkitd")
    with servers.moto() as endpoint:
        try:
            _capture(bk, endpoint, case, context_name, attrs)
        finally:
            bk.stop()
            shutil.rmtree(work, ignore_errors=True)


def _capture(bk: daemon.Daemon, endpoint: str, case: str, context_name: str, attrs: str) -> None:
    """Exports the build twice at once and writes the fixture."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="x", aws_secret_access_key="y")
    s3.create_bucket(Bucket=BUCKET)
    bk.start()
    context = daemon.REPO / "tests" / "buildkit" / "contexts" / context_name
    export = (f"type=s3,endpoint_url={endpoint},bucket={BUCKET},region=us-east-1,use_path_style=true,"
              f"access_key_id=x,secret_access_key=y,name={context_name},{attrs}")
    out = daemon.REPO / "tests" / "fixtures" / "cloud" / case
    shutil.rmtree(out, ignore_errors=True)
    # The same build also exports type=local, so that the two forms of
    # one cache can be compared byte for byte.
    local = f"type=local,dest={out / 'cache'},{attrs}"
    bk.prune()
    r = bk.ctl("build", "--progress", "plain", "--frontend", "dockerfile.v0",
               "--local", f"context={context}", "--local", f"dockerfile={context}",
               "--export-cache", export, "--export-cache", local, check=False)
    if r.returncode != 0:
        sys.exit(f"capture_s3: the build failed:\n{r.stderr[-4000:]}")
    shutil.rmtree(out / "cache" / "ingest", ignore_errors=True)
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            target = out / "bucket" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
            keys.append(key)
    version = bk.ctl("--version").stdout.strip()
    (out / "case.json").write_text(json.dumps({
        "name": case,
        "buildkit": version,
        "context": f"tests/buildkit/contexts/{context_name}",
        "exports": [export.replace(endpoint, "http://127.0.0.1:PORT"), f"type=local,dest={case}/cache,{attrs}"],
        "server": "moto_server (PyPI moto[server]) on 127.0.0.1",
        "keys": sorted(keys),
    }, indent=1) + "\n")
    print(f"capture_s3: {len(keys)} objects into {out}")


if __name__ == "__main__":
    main()
