"""A user's script against the installed wheel: run by check.sh, and type-checked
by mypy --strict against the stubs the wheel installs."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import ocicache
from ocicache.location import open_location
from ocicache.operations import gc, verify
from ocicache.storage import LocalStorage


def main() -> None:
    d: ocicache.Digest = ocicache.digest(b"")
    assert str(d) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", d
    h = ocicache.Digester("sha256")
    h.update(b"hello")
    assert h.finalize() == ocicache.digest(b"hello")
    options: list[ocicache.CacheOptions] = ocicache.parse_cache_options("type=local,dest=/tmp/cache,mode=max")
    assert options[0].type == "local" and options[0].attrs["mode"] == "max", options[0].attrs
    try:
        ocicache.Digest.parse("sha256:nothex")
    except ocicache.OcicacheError as err:
        assert err.code == "INVALID_DIGEST", err.code
    else:
        raise AssertionError("a bad digest parsed")

    # The cloud drivers' SDKs are extras: without them, a clear error naming them.
    for spec, package in (("type=s3,bucket=b,region=r", "ocicache[s3]"), ("type=azblob,account_url=http://a", "ocicache[azure]")):
        try:
            open_location(spec).storage.read_index()
        except ocicache.OcicacheError as err:
            assert err.code == "MISSING_DEPENDENCY" and package in str(err), (err.code, str(err))
        else:
            raise AssertionError(f"{spec} opened without its SDK")

    fixture = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if fixture is not None:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            shutil.copytree(fixture, cache)
            storage = LocalStorage(str(cache))
            report = verify(storage)
            assert report.ok, report.to_text()
            plan = gc(storage, grace_period_ms=0, settle_ms=0)
            assert len(plan.delete) == 7, plan.delete
            assert verify(storage).ok
    print("user.py: ok")


if __name__ == "__main__":
    main()
