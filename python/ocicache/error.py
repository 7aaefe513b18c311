"""Errors the Python layer raises itself, with the same stable codes as the
core's (``tests/error_codes.json``)."""

from __future__ import annotations

from ocicache._native import OcicacheError


def coded(code: str, message: str) -> OcicacheError:
    """An :class:`~ocicache.OcicacheError` with ``code`` (and no location)."""
    err = OcicacheError(message)
    err.code = code
    err.field = None
    err.offset = None
    return err
