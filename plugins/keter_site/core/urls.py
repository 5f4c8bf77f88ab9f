"""Internal addresses: the one rule that turns a link written on a page into the site path it
leads to, for the build's link checks and the whole-site link check alike."""

import ipaddress
import posixpath
import re
from urllib.parse import unquote, urlsplit


def site_path(href: str, page_url: str, siteurl: str = "") -> tuple[str, str] | None:
    """(site path starting with "/", fragment) that `href` on the page at `page_url` leads to, so
    a check can tell whether it exists; None for another host's or a scheme's (mailto:) address."""
    # page_url is site-relative, such as "en/process/" or "en/process/index.html".
    if siteurl and href.startswith(siteurl):
        href = href[len(siteurl):] or "/"
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return "/" + page_url, parts.fragment
    if not path.startswith("/"):
        base = "/" + page_url
        folder = base if base.endswith("/") else posixpath.dirname(base) + "/"
        path = posixpath.normpath(posixpath.join(folder, path)) + ("/" if path.endswith("/") else "")
    else:
        path = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
    return path.replace("//", "/"), parts.fragment


# Characters that would end or split a value in a header (the Content-Security-Policy names the
# endpoint's origin) or an HTML attribute.
UNSAFE_CHARACTERS = set(' "\'<>;,\\`{}|^') | {chr(c) for c in range(32)} | {chr(127)}


def public_https_problem(name: str, address: str) -> str | None:
    """Why `address` cannot be a published site's or form service's address, or None: it must
    be https, on a public host name, with nothing that could break a header or an attribute."""
    if any(char in UNSAFE_CHARACTERS for char in address):
        return (f"{name} '{address}' contains a character that would break the security headers or the page "
                "(a space, quote, semicolon, comma, backslash or control character).")
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").lower()
    except ValueError:
        return f"{name} '{address}' is not a web address."
    if parts.scheme.lower() != "https":
        return f"{name} '{address}' is not https."
    if parts.username or parts.password:
        return f"{name} '{address}' carries a user name or password."
    try:
        address_ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address_ip = None
    if (address_ip is not None and not address_ip.is_global) or host == "localhost" \
            or host.endswith((".localhost", ".local", ".internal")) or "." not in host:
        return f"{name} '{address}' is not on a public host name: readers' browsers could not reach it."
    return None


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def browser_form(address: object) -> str:
    """`address` as a browser reads it: tabs, line breaks and other controls inside it ignored
    (so `java\tscript:` is `javascript:`)."""
    return "".join(char for char in str(address) if char > " " and char != "\x7f")


def scheme_of(address: str) -> str:
    """The scheme a browser sees in `address`, in lower case ("" for a relative address)."""
    found = _SCHEME.match(browser_form(address).lower())
    return found.group(1) if found else ""


def web_address_problem(name: str, address: str) -> str | None:
    """Why `address`, read as a browser reads it, cannot be a link to a web page, or None: only
    http or https with a host (a `javascript:` or `data:` address would run or show something else)."""
    try:
        parts = urlsplit(browser_form(address))
    except ValueError:
        return f"{name} '{address}' is not a web address."
    if scheme_of(address) not in ("http", "https") or not parts.netloc:
        return f"{name} '{address}' is not a web address (http or https)."
    if any(char in UNSAFE_CHARACTERS - set("{}|^`") for char in str(address)):
        return f"{name} '{address}' contains a space, quote or control character."
    return None
