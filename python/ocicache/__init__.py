"""ocicache: read, check, prune, merge and convert BuildKit build caches.

The work is done by the Rust core (``ocicache._native``); this package
re-exports it with the same names as the Node package, in snake case.
"""

from ocicache._native import (
    CacheOptions,
    Digest,
    Digester,
    OcicacheError,
    __version__,
    digest,
    error_codes,
    parse_cache_options,
    verify,
)

__all__ = [
    "CacheOptions",
    "Digest",
    "Digester",
    "OcicacheError",
    "__version__",
    "digest",
    "error_codes",
    "parse_cache_options",
    "verify",
]
