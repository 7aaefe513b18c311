"""A cache in an S3 bucket, as BuildKit's ``type=s3`` keeps it (the shared
logic is in :mod:`ocicache.cloud`), on boto3 — the ``s3`` extra:
``pip install 'ocicache[s3]'``.

Keys and defaults are BuildKit v0.32.2's (``cache/remotecache/s3/s3.go``):
a blob at ``<prefix><blobs_prefix><digest>``, a cache config at
``<prefix><manifests_prefix><name>`` (plain concatenation). Credentials come
from the attributes, else from boto3's default chain (``AWS_*``, the shared
files, instance roles), as BuildKit's SDK reads them.

Uploads check the digest before they commit: a blob up to
:data:`MULTIPART_THRESHOLD` is hashed and sent in one ``PutObject``; a larger
one goes up as a multipart upload, hashed part by part, and is completed
only when the digest matches (else aborted), so a key never holds content
that does not match its name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any, Optional

from ocicache._native import s3_blob_key, s3_manifest_key
from ocicache.cloud import CloudStorage, Condition, StoredObject, changed_error, unconditional_error
from ocicache.error import coded

#: Blobs larger than this go up as multipart uploads (S3's parts are at
#: least 5 MiB, except the last).
MULTIPART_THRESHOLD = 16 << 20
PART_SIZE = MULTIPART_THRESHOLD
READ_CHUNK = 1 << 20
#: botocore's checksum settings and the variables that set them.
CHECKSUM_SETTINGS = (("request_checksum_calculation", "AWS_REQUEST_CHECKSUM_CALCULATION"),
                     ("response_checksum_validation", "AWS_RESPONSE_CHECKSUM_VALIDATION"))


def _client_error_code(err: BaseException) -> str:
    response = getattr(err, "response", None) or {}
    return str((response.get("Error") or {}).get("Code", ""))


class S3Storage(CloudStorage):
    """A StorageDriver on an S3 bucket (BuildKit's ``type=s3``). ``settings``
    are the typed settings of a ``type=s3`` cache option
    (:func:`~ocicache.parse_cache_options`); ``client``, a boto3 S3 client,
    replaces the one they describe."""

    def __init__(self, settings: Mapping[str, Any], *, client: Any = None) -> None:
        super().__init__(settings.get("names") or ["buildkit"], settings.get("touch_refresh_ms"))
        self.bucket = str(settings["bucket"])
        self.prefix = str(settings.get("prefix") or "")
        self.manifests_prefix = str(settings.get("manifests_prefix", "manifests/"))
        self.blobs_prefix = str(settings.get("blobs_prefix", "blobs/"))
        self.parallelism = int(settings.get("upload_parallelism") or 4)
        self.part_size = PART_SIZE
        self._client = client if client is not None else _client(settings)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    # -- keys ------------------------------------------------------------

    def _blob_key(self, digest: str) -> str:
        if not digest:
            return self.prefix + self.blobs_prefix
        return s3_blob_key(self.prefix, self.blobs_prefix, digest)

    def _manifest_key(self, name: str) -> str:
        return s3_manifest_key(self.prefix, self.manifests_prefix, name)

    def _manifests_prefix(self) -> str:
        return self.prefix + self.manifests_prefix

    # -- the store ---------------------------------------------------------

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(Bucket=self.bucket, **kwargs)
        except Exception as err:
            code = _client_error_code(err)
            status = ((getattr(err, "response", None) or {}).get("ResponseMetadata") or {}).get("HTTPStatusCode")
            if code == "NoSuchBucket":
                raise coded("STORAGE_ERROR", f"{self}: no bucket {self.bucket!r}") from err
            if "IfMatch" in kwargs or "IfNoneMatch" in kwargs:
                # 404: the config read is gone (deleted since).
                if code in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412", "404") \
                        or status in (404, 412):
                    raise changed_error(self, str(kwargs.get("Key"))) from err
                # 501, or a botocore too old to know the parameters (before 1.35).
                if code in ("NotImplemented", "501") or status == 501 or type(err).__name__ == "ParamValidationError":
                    raise unconditional_error(self, str(kwargs.get("Key"))) from err
            if code in ("NoSuchKey", "404", "NotFound"):
                raise KeyError(kwargs.get("Key")) from err
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                raise coded("UNAUTHORIZED", f"{self}: {what}: {code}: {err}") from err
            raise coded("STORAGE_ERROR", f"{self}: {what}: {err}") from err

    def _get(self, key: str, limit: Optional[int]) -> Optional[tuple[bytes, Optional[str]]]:
        extra = {} if limit is None else {"Range": f"bytes=0-{max(limit, 1) - 1}"}
        try:
            r = self._call(f"GET {key}", self._client.get_object, Key=key, **extra)
        except KeyError:
            return None
        except Exception as err:
            # A range past the end of an empty object: it is empty.
            if limit is not None and "InvalidRange" in str(err):
                return b"", None
            raise
        body = r["Body"]
        data: bytes = body.read() if limit is None else body.read(limit)
        body.close()
        return (data[:limit] if limit is not None else data), r.get("ETag")

    def _stream(self, key: str) -> Iterator[bytes]:
        try:
            body = self._call(f"GET {key}", self._client.get_object, Key=key)["Body"]
        except KeyError as err:
            raise FileNotFoundError(f"{self}: no object {key}") from err
        try:
            yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()

    def _head(self, key: str) -> Optional[int]:
        try:
            return int(self._call(f"HEAD {key}", self._client.head_object, Key=key)["ContentLength"])
        except KeyError:
            return None

    def _list_pages(self, prefix: str) -> Iterator[list[StoredObject]]:
        token: Optional[str] = None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = self._call(f"LIST {prefix}", self._client.list_objects_v2, Prefix=prefix, **extra)
            out: list[StoredObject] = []
            for obj in page.get("Contents") or []:
                modified = obj.get("LastModified")
                ms = int(modified.timestamp() * 1000) if modified is not None else None
                out.append((str(obj["Key"]), int(obj["Size"]), ms))
            yield out
            if not page.get("IsTruncated"):
                return
            token = page.get("NextContinuationToken")

    def _put_whole(self, key: str, data: bytes, condition: Optional[Condition] = None) -> Optional[str]:
        when = {}
        if condition and condition.get("if_match"):
            when["IfMatch"] = condition["if_match"]
        elif condition and condition.get("if_none_match"):
            when["IfNoneMatch"] = condition["if_none_match"]
        r = self._call(f"PUT {key}", self._client.put_object, Key=key, Body=data, **when)
        etag: Optional[str] = r.get("ETag")
        return etag

    def _start_parts(self, key: str) -> Any:
        return self._call(f"start upload of {key}", self._client.create_multipart_upload, Key=key)["UploadId"]

    def _put_part(self, key: str, session: Any, number: int, data: bytes) -> Any:
        r = self._call(f"upload part {number} of {key}", self._client.upload_part,
                       Key=key, UploadId=session, PartNumber=number, Body=data)
        return {"ETag": r["ETag"], "PartNumber": number}

    def _abort_parts(self, key: str, session: Any) -> None:
        self._call(f"abort upload of {key}", self._client.abort_multipart_upload, Key=key, UploadId=session)

    def _commit_parts(self, key: str, session: Any, parts: list[Any]) -> None:
        self._call(f"complete upload of {key}", self._client.complete_multipart_upload,
                   Key=key, UploadId=session, MultipartUpload={"Parts": parts})

    def _delete(self, key: str) -> None:
        self._call(f"DELETE {key}", self._client.delete_object, Key=key)


def _client(settings: Mapping[str, Any]) -> Any:
    """A boto3 S3 client as BuildKit configures its SDK from ``settings``."""
    try:
        import boto3  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]
    except ImportError as err:
        raise coded("MISSING_DEPENDENCY", "the s3 driver needs boto3: pip install 'ocicache[s3]'") from err
    config = Config(
        # Blobs are named by their SHA-256, which ocicache checks before an
        # upload commits and after every read: the SDK's own payload hash
        # (a second SHA-256 of every byte on plain http) and CRC32 checksums
        # (which S3-compatible stores do not all accept) would only repeat it.
        # $AWS_REQUEST_CHECKSUM_CALCULATION / $AWS_RESPONSE_CHECKSUM_VALIDATION
        # still choose otherwise.
        s3={"addressing_style": "path" if settings.get("use_path_style") else "auto",
            "payload_signing_enabled": False},
        retries={"mode": settings.get("retry_mode") or "standard",
                 "max_attempts": int(settings.get("retry_max_attempts") or 3)},
        **{key: "when_required" for key, var in CHECKSUM_SETTINGS if var not in os.environ},
    )
    return boto3.client(
        "s3",
        region_name=settings.get("region") or None,
        endpoint_url=settings.get("endpoint_url") or None,
        aws_access_key_id=settings.get("access_key_id") or None,
        aws_secret_access_key=settings.get("secret_access_key") or None,
        aws_session_token=settings.get("session_token") or None,
        config=config,
    )
