"""ocicache: read, check, prune, merge and convert BuildKit build caches.

The work is done by the Rust core (``ocicache._native``); this package
re-exports it with the same names as the Node package, in snake case.
"""

from ocicache._native import (
    CacheConfig,
    CacheManifest,
    CacheOptions,
    Decoder,
    Digest,
    Digester,
    Encoder,
    ImageIndex,
    ImageManifest,
    InlineCache,
    LayerCompressor,
    LayerDigester,
    OciLayout,
    OcicacheError,
    Reachability,
    __version__,
    azblob_blob_path,
    azblob_manifest_path,
    compress,
    decompress,
    detect_compression,
    digest,
    error_codes,
    gha_blob_key,
    gha_index_key,
    gha_signature_key,
    inline_cache,
    layer_digests,
    media_types,
    parse_cache_options,
    s3_blob_key,
    s3_manifest_key,
    verify,
)


class MediaType:
    """The media types of cache content, by name (the core's ``media_types()``)."""

    CACHE_CONFIG = "application/vnd.buildkit.cacheconfig.v0"
    OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
    OCI_INDEX = "application/vnd.oci.image.index.v1+json"
    DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
    DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
    OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json"
    DOCKER_IMAGE_CONFIG = "application/vnd.docker.container.image.v1+json"
    OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json"
    OCI_EMPTY = "application/vnd.oci.empty.v1+json"
    OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
    OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
    OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
    OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    OCI_LAYER_NONDISTRIBUTABLE_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    OCI_LAYER_NONDISTRIBUTABLE_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
    DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd"
    DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar"
    DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"


__all__ = [
    "CacheConfig",
    "CacheManifest",
    "CacheOptions",
    "Decoder",
    "Digest",
    "Digester",
    "Encoder",
    "ImageIndex",
    "ImageManifest",
    "InlineCache",
    "LayerCompressor",
    "LayerDigester",
    "MediaType",
    "OciLayout",
    "OcicacheError",
    "Reachability",
    "__version__",
    "azblob_blob_path",
    "azblob_manifest_path",
    "compress",
    "decompress",
    "detect_compression",
    "digest",
    "error_codes",
    "gha_blob_key",
    "gha_index_key",
    "gha_signature_key",
    "inline_cache",
    "layer_digests",
    "media_types",
    "parse_cache_options",
    "s3_blob_key",
    "s3_manifest_key",
    "verify",
]
