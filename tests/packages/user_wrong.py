"""Must fail mypy --strict: a Digest is not an int. If the installed stubs
were not found, mypy would fail for that instead (check.sh tells them apart)."""

import ocicache

size: int = ocicache.digest(b"")
