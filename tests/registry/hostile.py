"""A hostile registry for the tests of both packages: answers that crawl,
never come, never end or lie about sizes, and a bearer realm on another
host. Standard library only; listens on 127.0.0.1 (and 127.0.0.2, the
"other host" of the credentials rule) and prints one JSON line:

    {"registry": "127.0.0.1:P", "stuck": "127.0.0.1:S",
     "config": "sha256:…"}

The behaviour is the repository's name, ``/v2/<behaviour>/…``:

- ``dribble-body``: a manifest whose body comes one byte every 100 ms;
- ``dribble-headers``: the answer's headers one byte every 100 ms;
- ``silent``: reads the request and never answers;
- ``flood``: a manifest that never ends;
- ``huge-config``: a cache manifest whose config says it is 2 GiB;
- ``long-config``: a cache manifest whose config blob never ends;
- ``long-layer``: a cache manifest whose layer blob never ends;
- ``auth-other`` / ``auth-same``: 401 with a bearer realm on
  ``http://127.0.0.2`` / on ``http://127.0.0.1``; the token is ``t``.

``stuck`` is a port whose listen queue is full: connecting never finishes.
``GET /stats`` answers what happened: the Authorization headers token
requests carried, and the bytes sent of each never-ending body. It runs
until stdin closes.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import threading
import time

CONFIG = b'{"layers":[],"records":[]}'
CONFIG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
stats: dict[str, object] = {"tokenAuth": [], "sent": {}}


LAYER = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + "ab" * 32, "size": len(CONFIG)}


def cache_manifest(config_size: int, layers: tuple[dict[str, object], ...] = ()) -> bytes:
    config = {"mediaType": "application/vnd.buildkit.cacheconfig.v0", "digest": CONFIG_DIGEST, "size": config_size}
    return json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE, "config": config, "layers": list(layers)}).encode()


def head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def answer(conn: socket.socket, status: str, body: bytes, headers: dict[str, str]) -> None:
    conn.sendall(head(status, {"content-length": str(len(body)), **headers}) + body)


def endless(conn: socket.socket, name: str, first: bytes, headers: dict[str, str]) -> None:
    """A body that never ends (close-delimited); counts what was sent."""
    conn.sendall(head("200 OK", {"connection": "close", **headers}))
    sent = 0
    chunk = first + b"a" * (1 << 16)
    sent_map = stats["sent"]
    assert isinstance(sent_map, dict)
    try:
        while sent < 4 << 30:
            conn.sendall(chunk)
            sent += len(chunk)
            sent_map[name] = sent
            chunk = b"a" * (1 << 16)
    except OSError:
        return


def serve(conn: socket.socket, token_port: int, other_token_port: int) -> None:
    try:
        answer_request(conn, token_port, other_token_port)
    except OSError:
        pass  # the client gave up: what the tests want
    finally:
        conn.close()


def answer_request(conn: socket.socket, token_port: int, other_token_port: int) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return
        data += more
    request, _, rest = data.partition(b"\r\n")
    method, path, _ = request.decode().split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in rest.decode().split("\r\n") if line)}
    if path == "/stats":
        answer(conn, "200 OK", json.dumps(stats).encode(), {"content-type": "application/json"})
        return
    if path.startswith("/token"):
        auth = stats["tokenAuth"]
        assert isinstance(auth, list)
        auth.append(headers.get("authorization"))
        answer(conn, "200 OK", b'{"token":"t"}', {"content-type": "application/json"})
        return
    parts = path.split("/")
    behaviour = parts[2] if len(parts) > 2 else ""
    manifest = cache_manifest(len(CONFIG))
    typed = {"content-type": MANIFEST_TYPE}
    if method == "HEAD":
        # What every blob and manifest claims to be (the config's size).
        conn.sendall(head("200 OK", {"content-length": str(len(CONFIG))}))
        return
    if behaviour == "dribble-body":
        conn.sendall(head("200 OK", {"content-length": str(len(manifest)), **typed}))
        for b in manifest:
            time.sleep(0.1)
            conn.sendall(bytes([b]))
    elif behaviour == "dribble-headers":
        for b in head("200 OK", {"content-length": str(len(manifest)), **typed}) + manifest:
            time.sleep(0.1)
            conn.sendall(bytes([b]))
    elif behaviour == "silent":
        while conn.recv(65536):
            pass
    elif behaviour == "flood":
        endless(conn, "flood", b'{"schemaVersion":2,"x":"', typed)
    elif behaviour == "huge-config":
        answer(conn, "200 OK", cache_manifest(2 << 30), typed)
    elif behaviour == "long-config" and "/manifests/" in path:
        answer(conn, "200 OK", manifest, typed)
    elif behaviour == "long-config":
        endless(conn, "long-config", CONFIG, {"content-type": "application/octet-stream"})
    elif behaviour == "long-layer" and "/manifests/" in path:
        answer(conn, "200 OK", cache_manifest(len(CONFIG), (LAYER,)), typed)
    elif behaviour == "long-layer" and path.endswith(CONFIG_DIGEST):
        answer(conn, "200 OK", CONFIG, {"content-type": "application/octet-stream"})
    elif behaviour == "long-layer":
        endless(conn, "long-layer", b"", {"content-type": "application/octet-stream"})
    elif behaviour in ("auth-other", "auth-same"):
        if headers.get("authorization") != "Bearer t":
            host = "127.0.0.2" if behaviour == "auth-other" else "127.0.0.1"
            port = other_token_port if behaviour == "auth-other" else token_port
            realm = f'Bearer realm="http://{host}:{port}/token",service="hostile"'
            answer(conn, "401 Unauthorized", b"{}", {"www-authenticate": realm, "content-type": "application/json"})
        else:
            answer(conn, "200 OK", manifest, typed)
    else:
        answer(conn, "404 Not Found", b"{}", {"content-type": "application/json"})


def listen(host: str) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen(64)
    return s


def accept_loop(server: socket.socket, token_port: int, other_token_port: int) -> None:
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn, token_port, other_token_port), daemon=True).start()


def stuck_port() -> tuple[socket.socket, list[socket.socket]]:
    """A listener that never accepts, its queue filled: connecting hangs."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    fill = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(s.getsockname())
        except BlockingIOError:
            pass
        fill.append(c)
    time.sleep(0.1)
    return s, fill


def main() -> None:
    registry = listen("127.0.0.1")
    other = listen("127.0.0.2")
    port, other_port = registry.getsockname()[1], other.getsockname()[1]
    for server in (registry, other):
        threading.Thread(target=accept_loop, args=(server, port, other_port), daemon=True).start()
    stuck, _fill = stuck_port()
    info = {"registry": f"127.0.0.1:{port}", "stuck": f"127.0.0.1:{stuck.getsockname()[1]}", "config": CONFIG_DIGEST}
    print(json.dumps(info), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
