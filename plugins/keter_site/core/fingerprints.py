"""The one fingerprint of a text: what translations record of their source page and what the
physician's approval covers differ, the hashing is this."""

import hashlib
from collections.abc import Iterable


def of_text(parts: Iterable[str], separator: str = "\n", length: int | None = None) -> str:
    """SHA-256 (hex) of `parts` joined by `separator` as UTF-8; the first `length` characters."""
    digest = hashlib.sha256(separator.join(parts).encode("utf-8")).hexdigest()
    return digest[:length] if length else digest
