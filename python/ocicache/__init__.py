"""ocicache: read, check, prune, merge and convert BuildKit build caches.

The work is done by the Rust core (``ocicache._native``); this package
re-exports it with the same names as the Node package, in snake case.
"""

from ocicache._native import (
    CacheOptions,
    Decoder,
    Digest,
    Digester,
    Encoder,
    LayerCompressor,
    LayerDigester,
    OcicacheError,
    __version__,
    compress,
    decompress,
    detect_compression,
    digest,
    error_codes,
    layer_digests,
    parse_cache_options,
    verify,
)

__all__ = [
    "CacheOptions",
    "Decoder",
    "Digest",
    "Digester",
    "Encoder",
    "LayerCompressor",
    "LayerDigester",
    "OcicacheError",
    "__version__",
    "compress",
    "decompress",
    "detect_compression",
    "digest",
    "error_codes",
    "layer_digests",
    "parse_cache_options",
    "verify",
]
