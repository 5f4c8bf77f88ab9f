"""Checks on each page's HTML as Markdown rendered it: links and #anchors that lead nowhere,
images that are missing or have no alt text, and raw HTML that could run script or break the
page layout. Runs before anything is written."""

from html.parser import HTMLParser

from keter_site.core.urls import site_path

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "base", "link", "meta", "frame",
                  "frameset", "form", "input", "button", "textarea", "select"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster"}
# Containers an editor may open in raw HTML; an unclosed one swallows the rest of the page.
BALANCED_TAGS = {"div", "span", "section", "aside", "details", "summary", "table", "a", "bdi",
                 "blockquote", "ul", "ol", "strong", "em"}
# Photos and pictures must be WebP, AVIF or SVG: the same picture at a fraction of the weight.
OLD_IMAGE_FORMATS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")
# Ids the theme puts on every page, so links to them are valid from any page.
THEME_IDS = {"main"}


class _PageHTML(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.images, self.ids, self.unsafe = [], [], set(), []
        self.open_counts = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in DANGEROUS_TAGS:
            self.unsafe.append((f"<{tag}>", f"<{tag}"))
        for name, value in attrs.items():
            if name.startswith("on"):
                self.unsafe.append((f"the `{name}` attribute on <{tag}>", name))
            if name in URL_ATTRIBUTES and value and value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                self.unsafe.append((f"a `{value.split(':')[0]}:` address", value.strip()[:20]))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append((attrs.get("src") or "", attrs.get("alt"), attrs))
        if tag in BALANCED_TAGS:
            self.open_counts[tag] = self.open_counts.get(tag, 0) + 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in BALANCED_TAGS:
            self.open_counts[tag] -= 1

    def handle_endtag(self, tag):
        if tag in BALANCED_TAGS:
            self.open_counts[tag] = self.open_counts.get(tag, 0) - 1


def parse(html):
    parser = _PageHTML()
    parser.feed(html or "")
    parser.close()
    return parser


def page_html_problems(page, parsed, targets, ids_by_path, siteurl):
    """Yield (needle, message, fix); `needle` helps find the line in the source file."""
    own_path = "/" + page.url
    for label, needle in parsed.unsafe:
        yield (needle, f"raw HTML that could run code or break the page: {label}.",
               "Remove it. Pages may only contain Markdown and simple HTML (links, <bdi>, <span dir>).")
    for tag, count in sorted(parsed.open_counts.items()):
        if count > 0:
            yield (f"<{tag}", f"a <{tag}> is opened but never closed: it would swallow the rest of the page.",
                   f"Add the missing </{tag}>.")
        elif count < 0:
            yield (f"</{tag}", f"a </{tag}> closes something that was never opened.", f"Remove the extra </{tag}>.")
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
            yield (wanted, f"the link to {{filename}}{wanted} names a file that does not exist (content{wanted}).",
                   "Check the spelling of the file name, or create that page.")
        elif resolved is None:
            yield (href.split("#")[0],
                   f"the link to {path} leads to no page of the site.",
                   "Link with `{filename}/<lang>/<page>.md` so the build finds the page, or fix the address.")
        elif fragment and fragment not in ids_by_path.get(resolved, set()) | THEME_IDS:
            yield (f"#{fragment}", f"the link to {path}#{fragment} points to a section that does not exist on {'this' if resolved == own_path else 'that'} page.",
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
                   "Save it as WebP (or AVIF, or SVG for drawings) and link that file instead.")
