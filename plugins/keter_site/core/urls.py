"""Internal addresses: the one rule that turns a link written on a page into the site path it
leads to, for the build's link checks and the whole-site link check alike."""

import posixpath
from urllib.parse import unquote, urlsplit


def site_path(href, page_url, siteurl=""):
    """(site path starting with "/", fragment) that `href` on the page at `page_url` (its
    site-relative URL, such as "en/process/" or "en/process/index.html") leads to; None for an
    address on another host or with a scheme (https:, mailto:, tel:)."""
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
