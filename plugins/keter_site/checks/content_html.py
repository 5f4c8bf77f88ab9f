"""Checks on each document's sanitized HTML, as a browser reads it, before anything is written: links and #anchors
that lead nowhere; images missing, without alt text or size, or in an old format."""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from keter_site.core import html
from keter_site.core.urls import site_path

# Photos and pictures must be WebP or AVIF: the same picture at a fraction of the weight (an SVG
# is refused from content/images/ by checks.source_tree: it can carry a script).
OLD_IMAGE_FORMATS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")
# Ids the theme puts on every page, so links to them are valid from any page.
THEME_IDS = {"main"}


def page_html_problems(page: Any, parsed: html.Fragment, targets: set[str], ids_by_path: Mapping[str, set[str]],
                       siteurl: str) -> Iterator[tuple[str, str, str]]:
    """Yield (needle, message, fix); `needle` helps find the line in the source file."""
    own_path = "/" + page.url
    for href in parsed.links:
        if href.lower().startswith(("mailto:", "tel:")):
            continue
        target = site_path(href, page.url, siteurl)
        if target is None:
            continue
        path, fragment = target
        resolved = path if path in targets else (path + "/" if path + "/" in targets else
                                                 path.removesuffix("index.html") if path.removesuffix("index.html") in targets else None)
        if resolved is None and "{filename}" in href:
            wanted = href.split("{filename}", 1)[1].split("#")[0]
            if (Path(page.settings["PATH"]) / wanted.lstrip("/")).is_file():  # there, but left out of the site
                yield (wanted, f"the link to {{filename}}{wanted} names a page the build could not read "
                       f"(content{wanted}).", "Fix the problem the build names in that file.")
            else:
                yield (wanted, f"the link to {{filename}}{wanted} names a file that does not exist (content{wanted}).",
                       "Check the spelling of the file name, or create that page.")
        elif resolved is None:
            yield (href.split("#")[0],
                   f"the link to {path} leads to no page of the site.",
                   "Link with `{filename}/<lang>/<page>.md` so the build finds the page, or fix the address.")
        elif fragment and fragment not in ids_by_path.get(resolved, set()) | THEME_IDS:
            which = "this" if resolved == own_path else "that"
            yield (f"#{fragment}", f"the link to {path}#{fragment} points to a section that does not exist on {which} page.",
                   "Use the id of an existing heading (shown in the address when you click it), or remove the #part.")
    for src, alt, attrs in parsed.images:
        target = site_path(src, page.url, siteurl)
        if target is not None and target[0] not in targets:
            yield (src.rsplit("/", 1)[-1], f"the image {src} does not exist.",
                   "Put the image in content/images/ and write ![description]({static}/images/<file>).")
        if not (alt or "").strip():
            yield (src.rsplit("/", 1)[-1] or "![", f"the image {src} has no alt text.",
                   "Describe the image for people who cannot see it: ![what the image shows](...).")
        if not (attrs.get("width") and attrs.get("height")):
            # Without its size the browser cannot keep the image's place, and the text jumps
            # when it arrives (layout shift), worst on a slow phone.
            yield (src.rsplit("/", 1)[-1] or "![", f"the image {src} has no width and height.",
                   'Add its size in pixels right after it: ![...](...){: width="800" height="600" }.')
        if src.lower().rsplit("?", 1)[0].endswith(OLD_IMAGE_FORMATS):
            yield (src.rsplit("/", 1)[-1], f"the image {src} is in an old, heavy format.",
                   "Save it as WebP or AVIF (any image program can; drawings too) and link that file instead.")
