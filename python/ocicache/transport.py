"""HTTP for the registry driver: kept-alive :mod:`http.client` connections
with timeouts, so that no registry can hang an operation (the same rules as
the Node package's ``transport.mjs``):

- ``connect_timeout_ms``: connecting (TCP, and TLS for https) must finish
  within it (default 30 s);
- ``read_timeout_ms``: once the request is sent, the answer's headers must
  arrive within it; then its body must keep coming: one that delivers fewer
  than :data:`MIN_PROGRESS` bytes while the reader waits ``read_timeout_ms``
  for it (in all, before it ends) is stalled (default 60 s). A registry that
  answers one byte a second fails after one ``read_timeout_ms``; a slow
  reader is never blamed.

A timeout drops the connection and raises ``REGISTRY_ERROR`` naming the
request. Every body is read bounded: :meth:`Response.read` reads at most
``limit`` bytes (64 KiB unless told). Redirects are never followed here.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Optional, Union

from ocicache._native import OcicacheError
from ocicache.error import coded

DEFAULT_CONNECT_TIMEOUT_MS = 30_000
"""Connecting may take this long: 30 seconds."""
DEFAULT_READ_TIMEOUT_MS = 60_000
"""An answer may be silent (or crawl) this long: 60 seconds."""
MIN_PROGRESS = 16 << 10
"""A body must deliver at least this many bytes per read timeout: 16 KiB."""
SMALL_BODY = 64 << 10
"""What :meth:`Response.read` reads at most unless told: answers read only
for their status or an error message."""
READ = 1 << 20

Body = Union[bytes, memoryview]


def broken(what: str, err: BaseException) -> OcicacheError:
    """A connection that failed or broke, as ``REGISTRY_ERROR``."""
    return coded("REGISTRY_ERROR", f"{what}: the connection failed: {err.__class__.__name__}: {err}")


def timed_out(what: str, message: str) -> OcicacheError:
    """A timeout, as ``REGISTRY_ERROR``."""
    return coded("REGISTRY_ERROR", f"{what}: timed out {message}")


class _Watchdog:
    """One thread that shuts down the sockets whose deadline passed, so that
    a read blocked on them returns (``socket.timeout`` cannot bound a read
    that keeps receiving a byte at a time)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._armed: dict[int, socket.socket] = {}
        self._fired: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: Optional[threading.Thread] = None

    def arm(self, sock: socket.socket, seconds: float) -> int:
        """Shut ``sock`` down in ``seconds`` unless disarmed first."""
        with self._cond:
            token = next(self._ids)
            self._armed[token] = sock
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, seconds), token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ocicache-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()
            return token

    def disarm(self, token: int) -> bool:
        """Whether the deadline had passed (the socket was shut down)."""
        with self._cond:
            self._armed.pop(token, None)
            if token in self._fired:
                self._fired.discard(token)
                return True
            return False

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._armed:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, token = self._heap[0]
                now = time.monotonic()
                if deadline > now:
                    self._cond.wait(deadline - now)
                    continue
                heapq.heappop(self._heap)
                sock = self._armed.pop(token)
                self._fired.add(token)
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


_WATCHDOG = _Watchdog()


class Response:
    """An answer whose body is read bounded or streamed; the connection goes
    back to the pool once the body is consumed."""

    def __init__(
        self,
        transport: Transport,
        key: tuple[str, str],
        conn: http.client.HTTPConnection,
        sock: socket.socket,
        raw: http.client.HTTPResponse,
        what: str,
    ):
        self.status = raw.status
        self.headers = raw.headers
        self._transport, self._key, self._conn, self._raw, self._what = transport, key, conn, raw, what
        self._sock = sock
        self._waited = 0.0
        self._progress = 0
        self._eof = False

    def header(self, name: str) -> Optional[str]:
        """A header's value, if any."""
        return self.headers.get(name)

    def _done(self, reuse: bool) -> None:
        """Gives the connection back (the body was read to its end) or
        drops it."""
        if self._conn is None:
            return
        if reuse and self._eof and not self._raw.will_close:
            self._raw.close()
            self._transport._put(self._key, self._conn)
        else:
            self._raw.close()
            self._conn.close()
        self._conn = None  # type: ignore[assignment]

    def _read1(self, n: int) -> bytes:
        """At most ``n`` bytes, as soon as some arrive; stalls time out."""
        start = time.monotonic()
        token = _WATCHDOG.arm(self._sock, self._transport.read_timeout - self._waited)
        try:
            chunk = self._raw.read1(n)
        except (OSError, http.client.HTTPException) as e:
            if _WATCHDOG.disarm(token) or isinstance(e, socket.timeout):
                raise timed_out(self._what, self._stall_message()) from e
            raise broken(self._what, e) from e
        if _WATCHDOG.disarm(token):
            raise timed_out(self._what, self._stall_message())
        if not chunk:
            self._eof = True
        self._waited += time.monotonic() - start
        self._progress += len(chunk)
        if self._progress >= MIN_PROGRESS:
            self._waited, self._progress = 0.0, 0
        return chunk

    def _stall_message(self) -> str:
        return f"reading: fewer than {MIN_PROGRESS} bytes in {self._transport.read_timeout:g} s (read_timeout_ms)"

    def read(self, limit: int = SMALL_BODY) -> bytes:
        """The body, at most ``limit`` bytes of it (the rest is never read:
        the connection is dropped)."""
        parts: list[bytes] = []
        total = 0
        try:
            while total < limit:
                chunk = self._read1(min(READ, limit - total))
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
        except BaseException:
            self._done(False)
            raise
        self._done(True)
        return b"".join(parts)

    def stream(self) -> Iterator[bytes]:
        """The body in chunks."""
        ok = False
        try:
            while chunk := self._read1(READ):
                yield chunk
            ok = True
        finally:
            self._done(ok)


class Transport:
    """Kept-alive connections by (scheme, host), each used by one request at
    a time, with the timeouts above."""

    def __init__(self, *, connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS, read_timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> None:
        self.connect_timeout = connect_timeout_ms / 1000
        self.read_timeout = read_timeout_ms / 1000
        self._idle: dict[tuple[str, str], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def _get(self, key: tuple[str, str], what: str, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        """A connection (a new one when ``fresh``), and whether it was used
        before."""
        with self._lock:
            idle = self._idle.get(key)
            if idle and not fresh:
                return idle.pop(), True
        scheme, netloc = key
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(netloc, timeout=self.connect_timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(netloc, timeout=self.connect_timeout)
        try:
            conn.connect()
        except socket.timeout as e:
            conn.close()
            raise timed_out(what, f"connecting to {netloc} after {self.connect_timeout:g} s (connect_timeout_ms)") from e
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise broken(what, e) from e
        assert conn.sock is not None
        conn.sock.settimeout(self.read_timeout)
        return conn, False

    def _put(self, key: tuple[str, str], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.setdefault(key, []).append(conn)

    def close(self) -> None:
        """Close the kept-alive connections."""
        with self._lock:
            for conns in self._idle.values():
                for c in conns:
                    c.close()
            self._idle.clear()

    def send(self, method: str, url_parts: tuple[str, str, str], headers: dict[str, str], body: Optional[Body], what: str) -> Response:
        """One request (``url_parts``: scheme, host, path with query); the
        answer once its headers are in."""
        key = (url_parts[0], url_parts[1])
        for attempt in range(2):
            conn, reused = self._get(key, what, fresh=attempt > 0)
            sock = conn.sock
            assert sock is not None
            waiting = f"waiting {self.read_timeout:g} s for an answer from {key[1]} (read_timeout_ms)"
            token: Optional[int] = None
            try:
                conn.request(method, url_parts[2], body=body, headers=headers)
                token = _WATCHDOG.arm(sock, self.read_timeout)
                raw = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                if (token is not None and _WATCHDOG.disarm(token)) or isinstance(e, socket.timeout):
                    raise timed_out(what, waiting) from e
                # A kept-alive connection the server closed meanwhile: once more on a new one.
                if reused and attempt == 0:
                    continue
                raise broken(what, e) from e
            if _WATCHDOG.disarm(token):
                conn.close()
                raise timed_out(what, waiting)
            return Response(self, key, conn, sock, raw, what)
        raise AssertionError("unreachable")
