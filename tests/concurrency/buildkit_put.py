#!/usr/bin/env python3
"""Puts a tag into a layout's index.json the way BuildKit v0.32.2's
client/ociindex StoreIndex.Put does, for tests of ocicache against a writer
that behaves like BuildKit's exporter without running BuildKit:

  TryLock (exclusive flock, no waiting) on <layout>/index.json.lock — held:
  print "busy" and exit 3; write oci-layout; open index.json O_RDWR|O_CREATE,
  read it, drop entries with the same ref name, append the new one, write it
  back in place and truncate; unlock; remove the lock file.

  buildkit_put.py LAYOUT TAG DIGEST SIZE [MEDIA_TYPE] [--hold SECONDS]

--hold keeps the lock that long before writing (prints "locked" once it has
it), so that a test can make ocicache wait for it or time out.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    hold = 0.0
    if "--hold" in argv:
        i = argv.index("--hold")
        hold = float(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    layout, tag, digest, size = argv[:4]
    media_type = argv[4] if len(argv) > 4 else "application/vnd.oci.image.manifest.v1+json"
    lock_path = os.path.join(layout, "index.json.lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("busy", flush=True)
        return 3
    print("locked", flush=True)
    time.sleep(hold)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "a+b") as f:
        f.seek(0)
        data = f.read()
        index = json.loads(data) if data else {}
        index.setdefault("schemaVersion", 2)
        index.setdefault("mediaType", "application/vnd.oci.image.index.v1+json")
        manifests = [
            m for m in index.get("manifests") or [] if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") != tag
        ]
        manifests.append(
            {"mediaType": media_type, "digest": digest, "size": int(size), "annotations": {"org.opencontainers.image.ref.name": tag}}
        )
        index["manifests"] = manifests
        out = json.dumps(index, separators=(",", ":")).encode()
        f.seek(0)
        f.truncate()
        f.write(out)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    os.remove(lock_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
