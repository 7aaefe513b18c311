"""The registry driver: a cache in an OCI registry (BuildKit's
``type=registry``), through the distribution API over the standard
library's :mod:`http.client` (kept-alive connections, one per thread at a
time). It is a storage driver like :class:`~ocicache.storage.LocalStorage`
for the one tag its reference names, and does what the Node package's
``RegistryStorage`` does, the same way:

- ``read_index`` resolves the tag and answers an ``index.json`` holding it,
  so the core's operations see a layout with one entry;
- ``read_blob``/``open_blob``/``has_blob`` use ``/blobs/``, or
  ``/manifests/`` for manifests (the media type, when given, says which);
- ``list_blobs`` lists what the tag reaches and the registry holds (a
  registry cannot list its blobs), with sizes from ``HEAD``;
- ``write_blob`` uploads (monolithic, or chunked POST + PATCH + PUT, the
  digest checked before the committing PUT) or PUTs a manifest by digest;
- ``mount_blob`` mounts from another repository of the same registry;
- ``write_index`` PUTs each tag's manifest: the only step that changes
  what a tag names, so it comes last.

Endpoints, plain HTTP, challenges, token requests, credentials and errors
all come from the core. Requests time out (:mod:`ocicache.transport`) and
every answer is read bounded: a document never past its descriptor's size +
1, a manifest named by a tag never past containerd's ``MaxManifestSize``
(BuildKit refuses a larger one), error and token bodies never past 64 KiB
and 1 MiB. Credentials go to a bearer realm on another host only over HTTPS
(:func:`~ocicache.credentials_allowed`).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from ocicache._native import (
    CacheLoader,
    Challenge,
    Digester,
    ImageIndex,
    OcicacheError,
    Reachability,
    RegistryLocation,
    credentials_allowed,
    digest as digest_of,
    docker_config_credentials,
    is_manifest_media_type,
    manifest_accept,
    registry_error,
    resolve_url,
    same_origin,
    token_from_response,
    upload_location,
    verify,
)
from ocicache.error import coded
from ocicache.file import read_small_file
from ocicache.storage import StoredBlob
from ocicache.transport import DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS, Body, Response, Transport

CHUNK = 8 << 20
#: A broken upload request goes on from where the session stands at most
#: this many times.
RESUMES = 3
REF_NAME = "org.opencontainers.image.ref.name"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_MANIFEST_SIZE = 4 * 1048 * 1048
"""containerd's ``MaxManifestSize`` (``remotes/docker/resolver.go``): the
largest manifest BuildKit resolves from a registry."""
TOKEN_BODY = 1 << 20
DOCKER_CONFIG_LIMIT = 4 << 20


def _docker_config(path: Optional[str]) -> Optional[bytes]:
    """The docker config file's bytes (``$DOCKER_CONFIG/config.json`` or
    ``~/.docker/config.json``), or ``None`` when there is none. At most
    4 MiB, and only a regular file (:mod:`ocicache.file`)."""
    if path is None:
        base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
        path = os.path.join(base, "config.json")
    return read_small_file(path, DOCKER_CONFIG_LIMIT)


class _SessionLost(Exception):
    """An upload session that broke off and cannot go on (the registry no
    longer knows it, or holds what does not add up): the blob must go up
    again in a new one."""


def _rechunk(source: Union[bytes, Iterable[bytes]], size: int) -> Iterator[Union[bytes, memoryview]]:
    """Chunks of at most ``size`` bytes out of bytes or an iterable of chunks,
    joined once per chunk and sliced without copying."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for i in range(0, len(view), size):
            yield view[i : i + size]
        return
    parts: list[bytes] = []
    have = 0
    for chunk in source:
        parts.append(chunk)
        have += len(chunk)
        if have >= size:
            data = b"".join(parts)
            view = memoryview(data)
            end = have - have % size
            for i in range(0, end, size):
                yield view[i : i + size]
            rest = data[end:]
            parts, have = ([rest] if rest else []), len(rest)
    if have:
        yield parts[0] if len(parts) == 1 else b"".join(parts)


class RegistryStorage:
    """A cache in an OCI registry: one repository and tag (``host/repo:tag``).

    ``insecure`` is ``registry.insecure=true`` (plain HTTP; loopback hosts
    always use it). Without ``username``/``password``, the docker config
    file's credentials for the registry are used (``docker_config``: its
    path, default ``$DOCKER_CONFIG/config.json`` or
    ``~/.docker/config.json``; ``False``: none). ``chunk_size``: bytes per
    PATCH of a chunked upload (smaller blobs go in one PUT).
    ``connect_timeout_ms`` and ``read_timeout_ms``: see
    :mod:`ocicache.transport` (30 s and 60 s by default).
    """

    def __init__(
        self,
        reference: str,
        *,
        insecure: bool = False,
        username: Optional[str] = None,
        password: Optional[str] = None,
        docker_config: Union[str, bool, None] = None,
        chunk_size: int = CHUNK,
        connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS,
        read_timeout_ms: int = DEFAULT_READ_TIMEOUT_MS,
    ) -> None:
        self.location = RegistryLocation(reference, insecure)
        target = self.location.target
        self.pinned = ":" in target
        self.tag = "latest" if self.pinned else target
        self._credentials: Optional[tuple[str, str]]
        if username is not None:
            self._credentials = (username, password or "")
        else:
            config = None if docker_config is False else _docker_config(docker_config if isinstance(docker_config, str) else None)
            self._credentials = docker_config_credentials(config, self.location.auth_key) if config else None
        self._auth: dict[str, str] = {}
        self._manifests: dict[str, bytes] = {}
        self._tags: dict[str, str] = {}
        self._lock = threading.Lock()
        self._transport = Transport(connect_timeout_ms=connect_timeout_ms, read_timeout_ms=read_timeout_ms)
        self._chunk = chunk_size

    def __str__(self) -> str:
        return self.location.reference

    @property
    def repository(self) -> str:
        """The repository path."""
        return self.location.repository

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._transport.close()

    # -- HTTP ---------------------------------------------------------------

    def _send_once(self, method: str, url: str, headers: dict[str, str], body: Optional[Body], what: str) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self._transport.send(method, (parts.scheme, parts.netloc, path), headers, body, what)

    def _send(self, method: str, url: str, headers: dict[str, str], body: Optional[Body], redirect: bool, what: str) -> Response:
        response = self._send_once(method, url, headers, body, what)
        hops = 0
        # Blobs may redirect (to storage or a CDN): up to 5, with the
        # credentials only on the same origin.
        while redirect and response.status in REDIRECTS and hops < 5:
            hops += 1
            target = resolve_url(url, response.header("location") or "")
            response.read()
            h = dict(headers)
            if not same_origin(url, target):
                h.pop("authorization", None)
            url = target
            response = self._send_once(method, url, h, None, what)
        return response

    def _request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        headers: Optional[dict[str, str]] = None,
        body: Optional[Body] = None,
        push: bool = False,
        extra_scopes: tuple[str, ...] = (),
        redirect: bool = False,
    ) -> Response:
        """One request, authenticated: on a 401 the challenge is answered
        (basic credentials, or a bearer token for the scopes) and the request
        sent once more, so bodies are always bytes."""
        scopes = [self.location.scope(push), *extra_scopes]
        key = " ".join(scopes)
        for attempt in range(2):
            h = dict(headers or {})
            with self._lock:
                auth = self._auth.get(key)
            if auth:
                h["authorization"] = auth
            response = self._send(method, url, h, body, redirect, what)
            challenge = response.header("www-authenticate")
            if response.status != 401 or attempt > 0 or not challenge:
                return response
            response.read()
            self._answer(challenge, scopes, key, what)
        raise AssertionError("unreachable")

    def _answer(self, header: str, scopes: list[str], key: str, what: str) -> None:
        challenges = Challenge.parse(header)
        basic = None
        if self._credentials:
            raw = f"{self._credentials[0]}:{self._credentials[1]}".encode()
            basic = "Basic " + base64.b64encode(raw).decode()
        bearer = next((c for c in challenges if c.scheme == "bearer"), None)
        if bearer is not None:
            url = bearer.token_url(scopes)
            # Credentials go along over HTTPS, or to the registry's own host.
            send = basic is not None and credentials_allowed(self.location.base_url, url)
            response = self._send("GET", url, {"authorization": basic} if send and basic else {}, None, True, f"token for {what}")
            body = response.read(TOKEN_BODY)
            if response.status != 200:
                raise registry_error(response.status, body, f"token for {what}")
            with self._lock:
                self._auth[key] = f"Bearer {token_from_response(body)}"
        elif any(c.scheme == "basic" for c in challenges):
            if basic is None:
                raise registry_error(401, b"", f"{what} (no credentials for {self.location.api_host})")
            with self._lock:
                self._auth[key] = basic

    def _committed(self, response: Response, what: str, digest: str) -> None:
        """Check the answer to a PUT that commits content: 201, and a
        ``Docker-Content-Digest`` (if any) naming what was sent."""
        if response.status != 201:
            raise self._fail(response, what)
        response.read()
        claimed = response.header("docker-content-digest")
        if claimed and claimed != digest:
            raise coded("REGISTRY_ERROR", f"{what}: the registry stored {claimed}, not {digest}")

    def _fail(self, response: Response, what: str) -> Exception:
        try:
            body = response.read()
        except OcicacheError:
            body = b""
        return registry_error(response.status, body, what)

    # -- reading ------------------------------------------------------------

    def _get_manifest(self, target: str, limit: Optional[int] = None) -> Optional[tuple[bytes, dict[str, Any]]]:
        """A manifest (by tag or digest): its bytes and descriptor, or
        ``None``. With ``limit`` (the caller knows its size), at most that
        many bytes, checked by the caller; else at most
        :data:`MAX_MANIFEST_SIZE`, checked here."""
        what = f"GET manifest {self.repository}:{target}"
        response = self._request("GET", self.location.manifest_url(target), headers={"accept": manifest_accept()}, what=what)
        if response.status == 404:
            response.read()
            return None
        if response.status != 200:
            raise self._fail(response, what)
        data = response.read(MAX_MANIFEST_SIZE + 1 if limit is None else limit)
        if limit is None and len(data) > MAX_MANIFEST_SIZE:
            raise coded(
                "SIZE_LIMIT_EXCEEDED",
                f"{what}: the manifest is over {MAX_MANIFEST_SIZE} bytes (containerd's MaxManifestSize: BuildKit refuses it too)",
            )
        d = str(digest_of(data))
        claimed = response.header("docker-content-digest")
        if limit is None and claimed and claimed != d:
            raise coded("REGISTRY_ERROR", f"{what}: Docker-Content-Digest {claimed} is not the digest of the bytes received ({d})")
        if limit is None and ":" in target:
            verify(data, target)
        with self._lock:
            self._manifests[d] = data
        media_type = (response.header("content-type") or "").split(";")[0].strip()
        if not is_manifest_media_type(media_type):
            try:
                media_type = json.loads(data).get("mediaType") or media_type
            except (ValueError, AttributeError):
                pass  # not JSON: the loader reports it
        return data, {"mediaType": media_type, "digest": d, "size": len(data)}

    def read_index(self) -> Optional[bytes]:
        got = self._get_manifest(self.location.target)
        if got is None:
            return None
        self._tags[self.tag] = got[1]["digest"]
        return ImageIndex.updated_layout_index(None, self.tag, got[1])

    def _get_blob(self, digest: str) -> Optional[Response]:
        what = f"GET blob {digest}"
        response = self._request("GET", self.location.blob_url(digest), what=what, redirect=True)
        if response.status == 404:
            response.read()
            return None
        if response.status != 200:
            raise self._fail(response, what)
        return response

    def read_blob(self, digest: str, media_type: Optional[str] = None, *, limit: Optional[int] = None) -> Optional[bytes]:
        """With ``limit``, at most that many bytes, which the caller checks;
        without, the whole blob, checked against its digest here."""
        with self._lock:
            known = self._manifests.get(digest)
        if known is not None:
            return known
        if not (media_type and is_manifest_media_type(media_type)):
            response = self._get_blob(digest)
            if response is not None:
                data = response.read(limit if limit is not None else 1 << 62)
                if limit is None:
                    verify(data, digest)
                return data
        got = self._get_manifest(digest, limit)  # not a blob: a manifest an index points at
        return got[0] if got else None

    def open_blob(self, digest: str, media_type: Optional[str] = None) -> Iterator[bytes]:
        if digest in self._manifests or (media_type and is_manifest_media_type(media_type)):
            data = self.read_blob(digest, media_type)
            if data is None:
                raise coded("MISSING_BLOB", f"{self}: no manifest {digest}")
            yield data
            return
        response = self._get_blob(digest)
        if response is None:
            raise coded("MISSING_BLOB", f"{self}: no blob {digest}")
        yield from response.stream()

    def _head(self, digest: str, manifest: bool) -> Optional[int]:
        url = self.location.manifest_url(digest) if manifest else self.location.blob_url(digest)
        what = f"HEAD {'manifest' if manifest else 'blob'} {digest}"
        headers = {"accept": manifest_accept()} if manifest else {}
        response = self._request("HEAD", url, headers=headers, what=what, redirect=not manifest)
        response.read()
        if response.status == 404:
            return None
        if response.status != 200:
            raise registry_error(response.status, b"", what)
        claimed = response.header("docker-content-digest")
        if claimed and claimed != digest:
            raise coded("REGISTRY_ERROR", f"{what}: the registry answered for {claimed}")
        length = response.header("content-length") or ""
        if not length.isdigit():
            raise coded("REGISTRY_ERROR", f"{what}: the registry answered without a Content-Length")
        return int(length)

    def has_blob(self, digest: str, media_type: Optional[str] = None) -> bool:
        if digest in self._manifests:
            return True
        return self._head(digest, bool(media_type and is_manifest_media_type(media_type))) is not None

    def list_blobs(self) -> list[StoredBlob]:
        index = self.read_index()
        if index is None:
            return []
        walk = Reachability(index)
        documents: set[str] = set()
        most = CacheLoader.index_read_limit() - 1
        while (d := walk.next_needed()) is not None:
            documents.add(d["digest"])
            data = self.read_blob(d["digest"], d["mediaType"], limit=min(d["size"], most) + 1)
            if data is None:
                walk.missing(d["digest"])
            else:
                walk.feed(d["digest"], data)

        def size(d: str) -> Optional[int]:
            known = self._manifests.get(d)
            return len(known) if known is not None else self._head(d, d in documents)

        reached = walk.reachable()
        with ThreadPoolExecutor(max_workers=8) as pool:
            sizes = list(pool.map(size, reached))
        out: list[StoredBlob] = [
            {"path": "blobs/" + d.replace(":", "/", 1), "size": n, "modified": None}
            for d, n in zip(reached, sizes)
            if n is not None
        ]
        return sorted(out, key=lambda b: b["path"].encode())

    # -- writing ------------------------------------------------------------

    def write_blob(self, digest: str, source: Union[bytes, Iterable[bytes]], media_type: Optional[str] = None) -> None:
        if media_type and is_manifest_media_type(media_type):
            data = source if isinstance(source, bytes) else b"".join(source)
            self._put_manifest(digest, data, media_type)
            return
        what = f"upload blob {digest} to {self.repository}"
        try:
            self._upload(digest, source, what)
        except _SessionLost as lost:
            if not isinstance(source, bytes):
                raise coded("REGISTRY_ERROR", f"{what}: {lost}; the blob was streamed: copy it again") from None
            # Held whole: once more, in a new session.
            try:
                self._upload(digest, source, what)
            except _SessionLost as again:
                raise coded("REGISTRY_ERROR", f"{what}: {again}") from None

    def _upload(self, digest: str, source: Union[bytes, Iterable[bytes]], what: str) -> None:
        """One upload session for the blob ``digest``."""
        start = self.location.upload_url()
        response = self._request("POST", start, push=True, what=what)
        if response.status != 202:
            raise self._fail(response, what)
        response.read()
        url = upload_location(start, response.header("location") or "")
        hasher = Digester(digest.split(":")[0])
        offset = 0
        last: Union[bytes, memoryview, None] = None
        # Monolithic when it fits one chunk (POST + PUT), else chunked
        # (POST + PATCH... + PUT); the digest is checked before the PUT that
        # commits, so content that does not match it is never stored. A
        # request that breaks goes on from where the registry's upload
        # session stands (_resumed), not from the start of the blob.
        for chunk in _rechunk(source, self._chunk):
            if last is not None:
                url = self._patch(url, last, offset, what)
                offset += len(last)
            hasher.update(chunk)
            last = chunk
        try:
            hasher.verify(digest)
        except OcicacheError:
            try:
                self._request("DELETE", url, push=True, what=what).read()
            except OcicacheError:
                pass
            raise
        self._put_last(url, last or b"", offset, digest, what)

    def _patch(self, url: str, chunk: Union[bytes, memoryview], offset: int, what: str) -> str:
        """PATCH ``chunk`` (at ``offset`` of the blob) into the upload session
        ``url``; the session's next URL. A ``REGISTRY_ERROR`` (the connection
        broke, or the registry refused) is followed by the upload status."""
        held = 0  # bytes of chunk the session holds
        for attempt in range(RESUMES + 1):
            headers = {"content-type": "application/octet-stream",
                       "content-range": f"{offset + held}-{offset + len(chunk) - 1}"}
            try:
                response = self._request("PATCH", url, push=True, what=what, body=chunk[held:], headers=headers)
                if response.status == 202:
                    response.read()
                    return upload_location(url, response.header("location") or url)
                raise self._fail(response, what)
            except OcicacheError as e:
                if e.code != "REGISTRY_ERROR" or attempt == RESUMES:
                    raise
            held, url = self._resumed(url, offset, len(chunk), what)
            if held == len(chunk):
                return url
        raise AssertionError("unreachable")

    def _put_last(self, url: str, last: Union[bytes, memoryview], offset: int, digest: str, what: str) -> None:
        """The PUT that commits the blob ``digest`` with its ``last`` bytes
        (at ``offset``); when it breaks, the blob may be stored already, or
        the session goes on from where it stands."""
        held = 0
        for attempt in range(RESUMES + 1):
            try:
                response = self._request("PUT", upload_location(url, url, digest), push=True, what=what,
                                         body=last[held:], headers={"content-type": "application/octet-stream"})
                self._committed(response, what, digest)
                return
            except OcicacheError as e:
                if e.code != "REGISTRY_ERROR" or attempt == RESUMES:
                    raise
            if self._head(digest, False) is not None:
                return  # committed before the answer was lost
            held, url = self._resumed(url, offset, len(last), what)
        raise AssertionError("unreachable")

    def _resumed(self, url: str, offset: int, length: int, what: str) -> tuple[int, str]:
        """After a request into the upload session ``url`` broke while
        sending ``length`` bytes at ``offset``: how many of them the session
        holds (its ``Range``, from the distribution spec's upload status),
        and its URL to go on with. :class:`_SessionLost` when the session is
        gone (distribution's registry forgets one whose PATCH broke off
        mid-body) or holds what does not add up."""
        response = self._request("GET", url, push=True, what=f"{what}: upload status")
        if response.status in (404, 416):
            raise _SessionLost(f"the upload session broke off and cannot go on ({self._fail(response, 'status')})")
        if response.status != 204:
            raise self._fail(response, f"{what}: upload status")
        response.read()
        stands = response.header("range") or ""
        first, _, end = stands.partition("-")
        if first.strip() != "0" or not end.strip().isdigit():
            raise coded("REGISTRY_ERROR", f"{what}: the upload status has no range ({stands!r})")
        # "0-0" is also what an empty session says.
        held = 0 if end.strip() == "0" and offset == 0 else int(end) + 1
        if not offset <= held <= offset + length:
            raise _SessionLost(f"the upload session broke off holding {held} bytes, not {offset} to {offset + length}")
        return held - offset, upload_location(url, response.header("location") or url)

    def mount_blob(self, digest: str, source: object) -> bool:
        """Mount ``digest`` from ``source`` (another RegistryStorage on the
        same registry) without transferring it; ``False`` when it cannot."""
        if not isinstance(source, RegistryStorage) or not self.location.same_registry(source.location):
            return False
        if source.repository == self.repository:
            return False
        what = f"mount blob {digest} from {source.repository}"
        response = self._request(
            "POST",
            self.location.upload_url(digest, source.repository),
            push=True,
            extra_scopes=(source.location.scope(False),),
            what=what,
        )
        response.read()
        if response.status == 201:
            return True
        if response.status == 202:
            # Not mounted: an upload was started instead; cancel it.
            url = upload_location(self.location.upload_url(), response.header("location") or "")
            try:
                self._request("DELETE", url, push=True, what=what).read()
            except OcicacheError:
                pass
            return False
        raise registry_error(response.status, b"", what)

    def _put_manifest(self, target: str, data: bytes, media_type: str) -> None:
        d = str(digest_of(data))
        if ":" in target:
            verify(data, target)
        what = f"PUT manifest {self.repository}:{target}"
        response = self._request(
            "PUT", self.location.manifest_url(target), push=True, what=what, body=data, headers={"content-type": media_type}
        )
        self._committed(response, what, d)
        with self._lock:
            self._manifests[d] = data

    def write_index(self, data: bytes) -> None:
        if self.pinned:
            raise coded("UNSUPPORTED_OPERATION", f"{self} names a digest, not a tag: there is no tag to write")
        for entry in json.loads(data).get("manifests") or []:
            tag = (entry.get("annotations") or {}).get(REF_NAME)
            if not tag or self._tags.get(tag) == entry["digest"]:
                continue
            manifest = self._manifests.get(entry["digest"]) or self.read_blob(entry["digest"], entry["mediaType"])
            if manifest is None:
                raise coded("MISSING_BLOB", f"{self}: no manifest {entry['digest']} to tag {tag}")
            self._put_manifest(tag, manifest, entry["mediaType"])
            self._tags[tag] = entry["digest"]

    def delete_blob(self, digest: str) -> None:
        raise coded("UNSUPPORTED_OPERATION", f"{self}: deleting blobs from a registry is not supported ({digest})")
