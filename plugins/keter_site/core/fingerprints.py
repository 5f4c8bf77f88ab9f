"""The one fingerprint (SHA-256, hex) of bytes or text: translations, approvals, the theme's files, photos, the
live preview's page keys and a publish's files fingerprint different inputs; the hashing is this."""

import hashlib
from collections.abc import Iterable


def of_bytes(data: bytes, length: int | None = None) -> str:
    """SHA-256 (hex) of `data`; the first `length` characters."""
    digest = hashlib.sha256(data).hexdigest()
    return digest[:length] if length else digest


def of_text(parts: Iterable[str], separator: str = "\n", length: int | None = None) -> str:
    """The fingerprint of `parts` joined by `separator`, as UTF-8."""
    return of_bytes(separator.join(parts).encode("utf-8"), length)
