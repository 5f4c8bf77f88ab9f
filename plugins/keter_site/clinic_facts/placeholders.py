"""Values that look like placeholders, whatever `example_values` says: a launch refuses them even when a key was
taken off that list by mistake. What it cannot see: a made-up value that looks real."""

from typing import Any
import re

# "(example)", "(Example: ...)", "(דוגמה)", "(תאריך לדוגמה)"
BRACKETED_EXAMPLE = re.compile(r"\([^)]*(\bexample\b|דוגמה)[^)]*\)", re.I)
EXAMPLE_ADDRESS = re.compile(r"[\w.-]*\b(\w[\w-]*\.example|example\.(com|net|org))\b", re.I)
# In these numbers, five zeros in a row, or nothing but zeros, is made up.
NUMBER_KEYS = re.compile(r"phone|whatsapp|licen[cs]e|fax")
# Names no public site or service can have (RFC 2606, RFC 6761).
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")
RESERVED_NAMES = ("example.com", "example.net", "example.org", "localhost")


def reserved_host(host: str | None) -> bool:
    """Whether a host name is one reserved for examples and tests, never a real site."""
    host = (host or "").lower().rstrip(".")
    return host in RESERVED_NAMES or host.endswith(RESERVED_SUFFIXES) or any(
        host.endswith("." + name) for name in RESERVED_NAMES)


def why(key: str, value: str) -> str | None:
    """Why one text value looks like a placeholder, or None."""
    if bracketed := BRACKETED_EXAMPLE.search(value):
        return f"it says it is an example ({bracketed.group(0)[:40]})"
    if address := EXAMPLE_ADDRESS.search(value):
        return f"{address.group(0)} is an example address"
    digits = re.sub(r"\D", "", value)
    if NUMBER_KEYS.search(key) and digits and ("00000" in digits or set(digits) == {"0"}):
        return "its number is a run of zeros"
    return None


def found(data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """[(key or key.lang, why)] for the clinic data's values that look like placeholders."""
    problems = []
    for key, value in (data or {}).items():
        if key == "example_values":
            continue
        values = value.items() if isinstance(value, dict) else [(None, value)]
        for lang, text in values:
            reason = why(key, text) if isinstance(text, str) else None
            if reason:
                problems.append((f"{key}.{lang}" if lang else key, reason))
    return problems
