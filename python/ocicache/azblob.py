"""A cache in an Azure Blob Storage container, as BuildKit's ``type=azblob``
keeps it (the shared logic is in :mod:`ocicache.cloud`), on
azure-storage-blob — the ``azure`` extra: ``pip install 'ocicache[azure]'``.

Paths and defaults are BuildKit v0.32.2's (``cache/remotecache/azblob``): a
blob at ``path.Join(prefix, blobs_prefix, digest)``, a cache config at
``path.Join(prefix, manifests_prefix, name)``, in container ``container``
(default ``buildkit-cache``). The account name is ``account_name``, else
``$BUILDKIT_AZURE_STORAGE_ACCOUNT_NAME``, else the first label of the account
URL's host; with ``secret_access_key`` the driver signs with the account's
shared key, else it uses azure-identity's ``DefaultAzureCredential`` (install
``azure-identity``), as BuildKit does.

Uploads check the digest before they commit: a blob up to
:data:`BLOCK_SIZE` is hashed and uploaded in one request; a larger one is
staged block by block (uncommitted blocks are invisible) and its block list
committed only when the digest matches.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator, Mapping
from typing import Any, Optional
from urllib.parse import urlparse

from ocicache._native import OcicacheError, azblob_blob_path, azblob_manifest_path
from ocicache.cloud import CloudStorage, Condition, StoredObject, changed_error, unconditional_error
from ocicache.error import coded

#: Blobs larger than this are staged in blocks of this size.
BLOCK_SIZE = 32 << 20
READ_CHUNK = 1 << 20


class AzblobStorage(CloudStorage):
    """A StorageDriver on an Azure Blob Storage container (BuildKit's
    ``type=azblob``). ``settings`` are the typed settings of a
    ``type=azblob`` cache option (:func:`~ocicache.parse_cache_options`);
    ``container_client``, an azure-storage-blob ``ContainerClient``,
    replaces the one they describe."""

    def __init__(self, settings: Mapping[str, Any], *, container_client: Any = None) -> None:
        super().__init__(settings.get("names") or ["buildkit"])
        self.account_url = str(settings["account_url"])
        self.container = str(settings.get("container") or "buildkit-cache")
        self.prefix = str(settings.get("prefix") or "")
        self.manifests_prefix = str(settings.get("manifests_prefix", "manifests"))
        self.blobs_prefix = str(settings.get("blobs_prefix", "blobs"))
        self._container = container_client if container_client is not None else _container(settings, self.container)
        self.part_size = BLOCK_SIZE

    def __str__(self) -> str:
        return f"azblob {self.account_url} container {self.container}"

    # -- paths -------------------------------------------------------------

    def _folder(self, sub: str) -> str:
        """``path.Join(prefix, sub)`` with a trailing slash: what the names under it start with."""
        return azblob_manifest_path(self.prefix, sub, "x")[:-1]

    def _blob_key(self, digest: str) -> str:
        if not digest:
            return self._folder(self.blobs_prefix)
        return azblob_blob_path(self.prefix, self.blobs_prefix, digest)

    def _manifest_key(self, name: str) -> str:
        return azblob_manifest_path(self.prefix, self.manifests_prefix, name)

    def _manifests_prefix(self) -> str:
        return self._folder(self.manifests_prefix)

    # -- the store -----------------------------------------------------------

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OcicacheError:
            raise
        except Exception as err:
            # The SDK's error codes are a str enum: compare them as strings,
            # print their value.
            found = getattr(err, "error_code", None) or ""
            code = str(getattr(found, "value", found))
            status = getattr(err, "status_code", None)
            if code == "ContainerNotFound":
                raise coded("STORAGE_ERROR", f"{self}: no container {self.container!r}") from err
            if code == "BlobNotFound" or status == 404:
                raise KeyError(what) from err
            if status in (401, 403) or code in ("AuthenticationFailed", "AuthorizationFailure"):
                raise coded("UNAUTHORIZED", f"{self}: {what}: {code or status}") from err
            raise coded("STORAGE_ERROR", f"{self}: {what}: {code or err}") from err

    def _get(self, key: str, limit: Optional[int]) -> Optional[tuple[bytes, Optional[str]]]:
        # One (ranged) GET: Azure answers a range past the end with what is
        # there, and a range of an empty blob with 416.
        blob = self._container.get_blob_client(key)
        length = None if limit is None else max(limit, 1)

        def download() -> tuple[bytes, Optional[str]]:
            try:
                ranged = {} if length is None else {"offset": 0, "length": length}
                downloader = blob.download_blob(**ranged)
                data: bytes = downloader.readall()
            except Exception as err:
                if length is not None and getattr(err, "status_code", None) == 416:
                    return b"", None
                raise
            return data, downloader.properties.etag

        try:
            data, etag = self._call(f"GET {key}", download)
        except KeyError:
            return None
        return (data if limit is None else data[:limit]), etag

    def _stream(self, key: str) -> Iterator[bytes]:
        blob = self._container.get_blob_client(key)
        try:
            downloader = self._call(f"GET {key}", blob.download_blob)
        except KeyError as err:
            raise FileNotFoundError(f"{self}: no blob {key}") from err
        yield from downloader.chunks()

    def _head(self, key: str) -> Optional[int]:
        try:
            return int(self._call(f"HEAD {key}", self._container.get_blob_client(key).get_blob_properties).size)
        except KeyError:
            return None

    def _list_pages(self, prefix: str) -> Iterator[list[StoredObject]]:
        pages = self._call(f"LIST {prefix}", lambda: iter(self._container.list_blobs(name_starts_with=prefix).by_page()))
        while True:
            page: Optional[list[Any]] = self._call(f"LIST {prefix}", lambda: _next_page(pages))
            if page is None:
                return
            yield [(str(b.name), int(b.size), int(b.last_modified.timestamp() * 1000) if b.last_modified else None)
                   for b in page]

    def _put_whole(self, key: str, data: bytes, condition: Optional[Condition] = None) -> Optional[str]:
        blob = self._container.get_blob_client(key)

        def upload() -> Optional[str]:
            try:
                if condition and condition.get("if_match"):
                    from azure.core import MatchConditions

                    r = blob.upload_blob(data, overwrite=True, etag=condition["if_match"],
                                         match_condition=MatchConditions.IfNotModified)
                else:
                    # overwrite=False is If-None-Match: *.
                    r = blob.upload_blob(data, overwrite=not (condition and condition.get("if_none_match")))
            except Exception as err:
                found = getattr(err, "error_code", None) or ""
                code = str(getattr(found, "value", found))
                status = getattr(err, "status_code", None)
                # 404: the config read is gone (deleted since).
                if condition and (status in (404, 412) or code in ("ConditionNotMet", "BlobAlreadyExists", "BlobNotFound")):
                    raise changed_error(self, key) from err
                if condition and status == 501:
                    raise unconditional_error(self, key) from err
                raise
            etag: Optional[str] = r.get("etag")
            return etag

        result: Optional[str] = self._call(f"PUT {key}", upload)
        return result

    def _start_parts(self, key: str) -> Any:
        return self._container.get_blob_client(key)

    def _put_part(self, key: str, session: Any, number: int, data: bytes) -> Any:
        block = base64.b64encode(f"{number:08d}".encode()).decode()
        self._call(f"stage block {number} of {key}", session.stage_block, block, data)
        return block

    def _abort_parts(self, key: str, session: Any) -> None:
        pass  # uncommitted blocks expire unseen

    def _commit_parts(self, key: str, session: Any, parts: list[Any]) -> None:
        self._call(f"commit {key}", session.commit_block_list, parts)

    def _delete(self, key: str) -> None:
        try:
            self._call(f"DELETE {key}", self._container.get_blob_client(key).delete_blob)
        except KeyError:
            pass


def _container(settings: Mapping[str, Any], container: str) -> Any:
    """A ContainerClient as BuildKit makes one from ``settings``."""
    try:
        from azure.storage.blob import BlobServiceClient
    except ImportError as err:
        raise coded("MISSING_DEPENDENCY", "the azblob driver needs azure-storage-blob: pip install 'ocicache[azure]'") from err
    url = str(settings["account_url"])
    key = settings.get("secret_access_key")
    if key:
        name = (settings.get("account_name") or os.environ.get("BUILDKIT_AZURE_STORAGE_ACCOUNT_NAME")
                or (urlparse(url).hostname or "").split(".")[0])
        if not name:
            raise coded("MISSING_OPTION", "an azblob cache needs account_name= (or a URL whose host names the account)")
        credential: Any = {"account_name": name, "account_key": key}
    else:
        try:
            from azure.identity import DefaultAzureCredential  # type: ignore[import-untyped]
        except ImportError as err:
            raise coded("MISSING_DEPENDENCY", "azblob without secret_access_key signs in with azure-identity: pip install azure-identity") from err
        credential = DefaultAzureCredential()
    return BlobServiceClient(url, credential=credential).get_container_client(container)


def _next_page(pages: Iterator[Any]) -> Optional[list[Any]]:
    """The next page of a listing (its items fetched), or ``None`` after the last."""
    page = next(pages, None)
    return None if page is None else list(page)
