"""Checks of the built site before it is published: the promises the strict Content-Security-Policy relies on (no inline
script or style, nothing from another host), so such a page stops the publish, named, instead of breaking in a browser.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from keter_site.clinic_facts.placeholders import reserved_host
from keter_site.core import html
from keter_site.core.problems import Problem
from keter_site.signup_form import origin_of, resolve

from . import headers

# <script type> values that browsers execute; other types (application/ld+json) are data.
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript",
                "application/ecmascript"}
# Elements and attributes that make the browser load something into the page.
LOADS = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
         "video": ("src", "poster"), "audio": ("src",), "iframe": ("src",), "embed": ("src",),
         "object": ("data",), "input": ("src",), "track": ("src",)}
LINK_LOADS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "modulepreload",
              "prefetch", "mask-icon"}
MOVE_STYLES = "Move them into the component's .css file."


def reserved_addresses(siteurl: str, endpoint: str, settings: Mapping[str, Any]) -> list[Problem]:
    """Problems with a launch's addresses: SITEURL or SIGNUP_ENDPOINT on a name reserved for examples and tests
    (.example, .test, .invalid, .localhost, example.com/.net/.org), which no reader could reach."""
    # The project's tests publish sites on such names; publishconf.py never sets this.
    if settings.get("RESERVED_NAMES_ARE_TEST_SITES"):
        return []
    problems = []
    for name, value, fix in (("SITEURL", siteurl, "the site's public https address"),
                             ("SIGNUP_ENDPOINT", endpoint, "the form service's https address")):
        host = urlsplit(value).hostname or ""
        if reserved_host(host):
            problems.append(Problem("publishconf.py", f"{name} is {value}, on {host}, a name reserved for examples "
                                    "and tests that no reader can reach.", f"Set the environment variable {name} to {fix}."))
    return problems


def _local_file(site: str | Path, site_url: str, page_url: str, url: str) -> Path | None:
    """The file in the built site that `url` (as written in the page at `page_url`) names, or
    None when it points to another origin."""
    absolute = urljoin(page_url, url)
    parts, base = urlsplit(absolute), urlsplit(site_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    path = unquote(parts.path)
    prefix = base.path.rstrip("/")
    if prefix and path.startswith(prefix):
        path = path[len(prefix):]
    relative = path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return Path(site) / relative


def _origin(url: str) -> str:
    # mailto:, data: and the like have no web origin: they are named by their scheme.
    return origin_of(url) or url.split(":", 1)[0] + ":"


def check_site(site: str | Path, settings: Mapping[str, Any]) -> list[Problem]:
    """Every problem found, each naming its file in the built site (empty: all good)."""
    site = Path(site)
    problems = []
    site_url = (settings.get("SITEURL") or "").rstrip("/")
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Problem("publishconf.py", f"SITEURL is {site_url!r}, not the site's public address.",
                        "Set the environment variable SITEURL to the site's public https address (the clinic's "
                        "own domain, never an example name) and publish again.")]
    allowed_forms = {origin_of(site_url)}
    origin = resolve(settings)[1]
    if origin:
        allowed_forms.add(origin)

    for prefix, not_found in headers.language_folders(settings):
        for required in (f"{prefix}/index.html" if prefix else "index.html", not_found.lstrip("/")):
            if not (site / required).is_file():
                problems.append(Problem(required, "missing from the built site; the server needs it (each "
                                        "language's home page and 404 page).", "Add the page and publish again."))

    # The browser editor (Decap CMS, `invoke edit`) exists only on the development preview.
    if (site / "admin").exists():
        problems.append(Problem("admin/", "the browser editor's folder is in the built site; it must never be "
                                "published (it exists only in `bin/invoke edit`).", "Remove content that makes an "
                                "admin/ address (a page or article with `slug: admin`, say), then publish again."))

    # Drafts are written only by the live preview (pelicanconf.py); a publish build writes none.
    if (site / "_drafts").exists():
        problems.append(Problem("_drafts/", "pages marked `status: draft` are in the built site; a draft is never "
                                "published.", "Build with publishconf.py (`bin/invoke publish` does), or switch the "
                                "page to ready (remove `status: draft`) when it should go live."))

    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        text = page.read_text(encoding="utf-8", errors="replace")
        for message, fix in _page_problems(text, site, site_url, f"{site_url}/{relative}", allowed_forms):
            problems.append(Problem(relative, message, fix))
    return problems


def _page_problems(text: str, site: Path, site_url: str, page_url: str, allowed_forms: set[str]) -> list[tuple[str, str]]:
    """(message, fix) for what in one page the Content-Security-Policy would block or that loads from elsewhere, read
    by the HTML5 parser of every other check (keter_site.core.html), so no markup a browser would run can hide."""
    found: list[tuple[str, str]] = []
    tree = html.parse(text)
    for node in (tree.root.traverse(include_text=False) if tree.root is not None else []):
        tag = node.tag
        if not tag or tag.startswith("-"):
            continue
        attrs = {name: value or "" for name, value in node.attributes.items()}
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append((f"an inline event handler ({name}= on <{tag}>), which the Content-Security-Policy "
                              "blocks.", "Attach the handler from the component's .js file instead."))
            elif name == "style":
                found.append((f"inline styles (<{tag} style=>), which the Content-Security-Policy blocks.", MOVE_STYLES))
            elif "".join(value.split()).lower().startswith("javascript:"):
                found.append((f"a javascript: URL on <{tag}>, which the Content-Security-Policy blocks.",
                              "Use a link or a script file instead."))
        if tag == "style":
            found.append(("inline styles (<style>), which the Content-Security-Policy blocks.", MOVE_STYLES))
        executable = attrs.get("type", "").strip().lower() in SCRIPT_TYPES
        if tag == "script" and executable and "src" not in attrs and (node.text(deep=True) or "").strip():
            found.append(("an inline <script>, which the Content-Security-Policy blocks.",
                          "Move it into a component's .js file."))
        loads = [url for name in LOADS.get(tag, ()) if attrs.get(name) for _, url in html.urls(tag, {name: attrs[name]})]
        if tag == "link" and LINK_LOADS & set(attrs.get("rel", "").lower().split()) and attrs.get("href"):
            loads.append(attrs["href"])
        for url in [url for url in loads if not url.startswith("data:")]:
            target = _local_file(site, site_url, page_url, url)
            if target is None:
                found.append((f"<{tag}> loads {url} from another host; pages load only the site's own files.",
                              "Copy the file into the theme or content instead."))
            elif not target.is_file():
                found.append((f"<{tag}> loads {url}, which is not in the built site.", "Fix the address."))
        action = _origin(urljoin(page_url, attrs.get("action", "") or page_url)) if tag == "form" else ""
        if action and action not in allowed_forms:
            found.append((f"a form sends to {action}, which the Content-Security-Policy (form-action) does not "
                          "allow.", "Point it at the site or at SIGNUP_ENDPOINT."))
        if tag == "base" and attrs.get("href") and _origin(urljoin(page_url, attrs["href"])) != _origin(site_url):
            found.append((f"<base href={attrs['href']}> points to another host (base-uri allows only the site).", ""))
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            found.append(("a <meta http-equiv=refresh>, which would send readers elsewhere.", "Remove it; a page "
                          "that moved is redirected by the server (deploy/policy.yml)."))
    return found
