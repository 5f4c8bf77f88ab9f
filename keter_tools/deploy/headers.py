"""The site's HTTP policy (deploy/policy.yml) rendered for each host (nginx, Netlify and Cloudflare Pages' `_headers` and
`_redirects`, S3's per-object headers): one policy, several renderings, so the hosts can never disagree.
"""

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import jinja2

from keter_site.assets import FINGERPRINTED
from keter_site.checks.source_tree import IMAGE_TYPES
from keter_site.core import data
from keter_site.core.languages import prefix
from keter_site.core.project import ROOT
from keter_site.signup_form import resolve

from .common import DeployError

POLICY_FILE = ROOT / "deploy" / "policy.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "keter-health.conf.j2"
NGINX_CONF_NAME = "keter-health.conf"
# Read by Netlify and Cloudflare Pages; the rsync and S3 targets do not publish them.
HOST_FILES = ("_headers", "_redirects")


def site_files(site: str | Path) -> list[str]:
    """Every file of the built site that a server or bucket serves, relative, sorted."""
    site = Path(site)
    files = (path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    return sorted(relative for relative in files if relative not in HOST_FILES)


# Content types for the files the site is made of; text types are sent with charset=utf-8.
CONTENT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".webmanifest": "application/manifest+json",
    ".xml": "application/xml", ".txt": "text/plain", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".pdf": "application/pdf",
}
TEXT_TYPES = {"application/json", "application/manifest+json", "application/xml", "image/svg+xml"}


class Policy(TypedDict):
    """deploy/policy.yml: the one source of the headers every host sends."""

    content_security_policy: dict[str, list[str]]  # directive -> its sources ({signup_origin} filled in)
    headers: dict[str, str]                        # the other security headers, as sent
    cache_control: dict[str, str]                  # "fingerprinted" and "default"
    content_types: NotRequired[dict[str, str]]     # site path -> type, where the extension does not tell


def load_policy(path: str | Path = POLICY_FILE) -> Policy:
    """The policy as written in `path`, so every host's rendering reads the same file (by the
    project's one strict YAML reader: a problem is said with its line)."""
    try:
        policy: Policy = data.load(path)
    except data.DataError as error:
        raise DeployError(f"{error}\n    How to fix: correct that line of {path} (docs/deploying.md describes the file).") from None
    return policy


def content_security_policy(policy: Policy, origin: str) -> str:
    """The Content-Security-Policy header, the signup form's origin let in where the policy says."""
    directives = []
    for name, sources in policy["content_security_policy"].items():
        values = []
        for source in sources:
            value = source.replace("{signup_origin}", origin)
            if value and value not in values:  # no endpoint: the placeholder simply drops out
                values.append(value)
        directives.append(" ".join([name, *values]))
    return "; ".join(directives)


def security_headers(settings: Mapping[str, Any], policy: Policy | None = None) -> dict[str, str]:
    """Every security header, in order, with its value (sent on every response); the signup form's origin is worked
    out as the build works it out (keter_site.signup_form: the environment's SIGNUP_ENDPOINT first)."""
    policy = policy or load_policy()
    headers = {"Content-Security-Policy": content_security_policy(policy, resolve(settings)[1])}
    headers.update(policy["headers"])
    return headers


def cache_control(relative: str, policy: Policy | None = None) -> str:
    """The Cache-Control of one site file: fingerprinted files (the assets plugin's rule) are kept for good, the rest
    revalidated."""
    policy = policy or load_policy()
    kind = "fingerprinted" if FINGERPRINTED.search(relative) else "default"
    return policy["cache_control"][kind]


def named_content_types(policy: Policy | None = None) -> dict[str, str]:
    """{site path: content type} for the files the policy names (`content_types`), such as the
    speculation rules, whose extension does not tell their type."""
    policy = policy or load_policy()
    return dict(policy.get("content_types") or {})


# The folder content/images/ is published as (STATIC_PATHS), and the types a file there may have:
# the build refuses anything else (keter_site.checks.source_tree); should anything else reach
# it, it is sent as a download, never as a page, a script or an SVG document.
IMAGES_FOLDER = "images/"
DOWNLOAD = "application/octet-stream"


def content_type(relative: str, policy: Policy | None = None) -> str:
    """The Content-Type to send with one site file; an unexpected file in images/ is only ever a download."""
    suffix = Path(relative).suffix.lower()
    if relative.lstrip("/").startswith(IMAGES_FOLDER):
        return IMAGE_TYPES.get(suffix, DOWNLOAD)
    named = named_content_types(policy).get("/" + relative.lstrip("/"))
    kind = named or CONTENT_TYPES.get(suffix) or mimetypes.guess_type(relative)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


def language_folders(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(URL prefix, 404 page path) per language, the default language's ("", "/404.html") last."""
    folders = []
    for code in settings["LANGUAGES"]:
        folder = prefix(settings["LANGUAGES"], code)
        # The languages plugin writes each language's 404 page at <prefix>404.html.
        folders.append((folder.rstrip("/"), f"/{folder}404.html"))
    return sorted(folders, key=lambda folder: folder[0] == "")


def _nginx_value(value: str) -> str:
    # Values go inside "..." in nginx, where $ starts a variable and " ends the string: a quote
    # is written \" (Speculation-Rules is a quoted string); $, \ and line breaks are refused.
    if any(char in value for char in '$\\\n'):
        raise ValueError(f"header value {value!r} cannot be written into nginx's configuration")
    return value.replace('"', '\\"')


def nginx_conf(settings: Mapping[str, Any], site_root: str | Path, policy: Policy | None = None) -> str:
    """The nginx configuration for the site served from `site_root` (the `current` link)."""
    policy = policy or load_policy()
    headers = {name: _nginx_value(value) for name, value in security_headers(settings, policy).items()}
    # text/html gets its charset from `charset utf-8;` itself; the other text types need naming,
    # under the names nginx's own mime.types gives them too (application/javascript for .js).
    with_charset = {kind.split(";")[0] for kind in (content_type(f"file{ext}", policy) for ext in CONTENT_TYPES)
                    if "charset" in kind}
    charset_types = sorted(with_charset - {"text/html"} | {"application/javascript", "text/xml"})
    template = jinja2.Template(NGINX_TEMPLATE.read_text(encoding="utf-8"), trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True,
                               undefined=jinja2.StrictUndefined)
    return template.render(
        root=str(site_root).rstrip("/"), headers=headers, charset_types=charset_types,
        cache=policy["cache_control"],
        named_types=named_content_types(policy),
        images_folder="/" + IMAGES_FOLDER, image_types=IMAGE_TYPES, download=DOWNLOAD,
        fingerprinted="^/" + FINGERPRINTED.pattern.lstrip("^"),
        languages=language_folders(settings))


def headers_file(settings: Mapping[str, Any], site: str | Path, policy: Policy | None = None) -> str:
    """Netlify / Cloudflare Pages `_headers`, setting Cache-Control once per path: both hosts merge every rule that
    matches a path and join repeated headers with commas."""
    # So the fingerprinted files are listed one by one: the hosts' own default for everything else is already
    # "public, max-age=0, must-revalidate".
    policy = policy or load_policy()
    lines = ["# Generated by `invoke publish` from deploy/policy.yml: edit that file, not this one.",
             "/*"]
    lines += [f"  {name}: {value}" for name, value in security_headers(settings, policy).items()]
    for relative in site_files(site):
        if FINGERPRINTED.search(relative):
            lines += [f"/{relative}", f"  Cache-Control: {policy['cache_control']['fingerprinted']}"]
    for site_path, kind in named_content_types(policy).items():
        if (Path(site) / site_path.lstrip("/")).is_file():
            lines += [site_path, f"  Content-Type: {kind}"]
    return "\n".join(lines) + "\n"


def redirects_file(settings: Mapping[str, Any]) -> str:
    """Netlify / Cloudflare Pages `_redirects`: a language's bare folder name to its folder, and that language's own 404
    page for missing paths under it (Netlify; Cloudflare Pages already serves the nearest 404.html)."""
    lines = ["# Generated by `invoke publish` from LANGUAGES in pelicanconf.py."]
    for folder, not_found in language_folders(settings):
        if folder:
            lines.append(f"/{folder}  /{folder}/  301")
            lines.append(f"/{folder}/*  {not_found}  404")
    return "\n".join(lines) + "\n"


def write_host_files(settings: Mapping[str, Any], site: str | Path, policy: Policy | None = None) -> None:
    """Write _headers and _redirects into the built site, for hosts that read them (Netlify, Cloudflare Pages)."""
    site = Path(site)
    (site / "_headers").write_text(headers_file(settings, site, policy), encoding="utf-8")
    (site / "_redirects").write_text(redirects_file(settings), encoding="utf-8")
