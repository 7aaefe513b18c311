"""Cache locations as buildx spells them: what ``--cache-to`` and
``--cache-from`` take, opened as a storage driver. ``type=local,src=DIR``
(or ``dest=``, with ``tag=`` and ``digest=``), ``type=registry,ref=HOST/REPO:TAG``
(with ``registry.insecure=``), the registry shorthand ``HOST/REPO:TAG``,
``type=s3,bucket=…`` and ``type=azblob,account_url=…`` (BuildKit's attributes;
:mod:`ocicache.s3`, :mod:`ocicache.azblob`), or a plain directory. A path
that starts with ``/``, ``./`` or ``../`` is always a directory. The same
rules as the Node package's ``location.mjs``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Union

from ocicache._native import parse_cache_options
from ocicache.cloud import daemon_settings
from ocicache.error import coded
from ocicache.registry import RegistryStorage
from ocicache.storage import LocalStorage, SelectedStorage, StorageDriver
from ocicache.transport import DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS


@dataclass(frozen=True)
class Location:
    """An opened cache location."""

    storage: StorageDriver
    """The driver to write to."""
    tag: Optional[str]
    """The tag it names (``None`` when it names none)."""
    registry: bool
    """Whether it is a registry."""
    digest: Optional[str]
    """The manifest a ``type=local`` location pins with ``digest=``."""
    source: StorageDriver
    """What reading the location means: ``storage`` itself, or, with
    ``tag=`` or ``digest=``, a read-only :class:`SelectedStorage` showing
    only that entry, as BuildKit would import it."""


def is_reference(spec: str) -> bool:
    """Whether ``spec`` reads as a registry reference rather than a path: its
    first component is a host (has a dot or a port, or is ``localhost``), no
    such file exists, and it does not start with ``/``, ``./`` or ``../``.
    (buildx reads every bare value as a reference; a CLI that also takes
    directories cannot.)"""
    if spec.startswith(("/", "./", "../")) or spec in (".", ".."):
        return False
    first = spec.split("/")[0]
    return "/" in spec and ("." in first or ":" in first or first == "localhost") and not os.path.exists(spec)


def open_location(
    spec: str,
    *,
    username: Optional[str] = None,
    password: Optional[str] = None,
    docker_config: Union[str, bool, None] = None,
    connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS,
    read_timeout_ms: int = DEFAULT_READ_TIMEOUT_MS,
) -> Location:
    """Open a cache location. Credentials and timeouts go to
    :class:`RegistryStorage` (without credentials, the docker config
    file's); an s3 or azblob location's come from its attributes or the
    SDK's default chain. Other cache types are ``OPTION_NOT_ALLOWED``."""
    if not spec.startswith("type=") and not is_reference(spec):
        local = LocalStorage(spec)
        return Location(local, None, False, None, local)
    entry = parse_cache_options(spec)[0]
    if entry.type == "registry":
        settings = entry.settings
        registry = RegistryStorage(
            str(settings["ref"]),
            insecure=bool(settings["insecure"]),
            username=username,
            password=password,
            docker_config=docker_config,
            connect_timeout_ms=connect_timeout_ms,
            read_timeout_ms=read_timeout_ms,
        )
        return Location(registry, registry.tag, True, None, registry)
    if entry.type == "s3":
        from ocicache.s3 import S3Storage

        s3 = S3Storage(daemon_settings("s3", entry.settings, entry.attrs))
        return Location(s3, s3.tag, False, None, s3)
    if entry.type == "azblob":
        from ocicache.azblob import AzblobStorage

        az = AzblobStorage(daemon_settings("azblob", entry.settings, entry.attrs))
        return Location(az, az.tag, False, None, az)
    if entry.type != "local":
        raise coded(
            "OPTION_NOT_ALLOWED",
            f"only type=local, type=registry, type=s3 and type=azblob caches can be opened, not type={entry.type}",
        )
    directory = entry.attrs.get("src") or entry.attrs.get("dest")
    if not directory:
        raise coded("MISSING_OPTION", "a type=local cache needs src= or dest=")
    local = LocalStorage(directory)
    tag = entry.attrs.get("tag")
    pinned = entry.settings.get("digest")
    digest = str(pinned) if pinned else None
    selected = tag is not None or digest is not None
    return Location(local, tag, False, digest, SelectedStorage(local, tag=tag, digest=digest) if selected else local)
