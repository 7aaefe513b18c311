"""ocicache: read, check, prune, merge and convert BuildKit build caches.

The work is done by the Rust core (``ocicache._native``); this package
re-exports it with the same names as the Node package, in snake case. The
storage drivers are in ``ocicache.storage``, the operations that carry the
core's plans out in ``ocicache.operations``.
"""

from ocicache._native import *  # noqa: F403  (the native module's __all__)
from ocicache._native import __all__ as __all__
