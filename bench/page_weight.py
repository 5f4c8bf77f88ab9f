"""Page weight: what a first visit to each page downloads before it can show anything, against
the 14,600-byte gzip budget (about what a new connection's first round trip carries).

    .venv/bin/python bench/page_weight.py output/ [--site-url https://www.keter-health.example]

For every page (*.html) of a built site: the HTML plus every stylesheet (link rel=stylesheet)
and script (script src) it references, each raw, gzip (level 9) and brotli (quality 11), and the
total. Also lists anything a page would load from another host (stylesheets, scripts, images,
icons, frames, media, and url()/@import in the stylesheets): the site must load nothing from
anywhere else, and any script that blocks rendering (no defer, async or type=module; inline
scripts other than JSON-LD data). --site-url (default: the SITEURL environment variable) is the site's own address,
for publish builds whose links are absolute.

Images are counted apart, against IMAGE_BUDGET: for each <picture>, the largest file of its
first <source> (the best format, AVIF: the most a browser that reads it fetches for it, whatever
the screen), and for an <img> outside a <picture> the largest of its src and srcset. What a phone
really downloads (the one width its layout needs) is measured in real Chromium by
tests/test_images.py; it is less.

Exits 1 if any page is over either budget, loads anything from another host or has a blocking
script; 2 on a missing file.
"""

import argparse
import gzip
import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import brotli
from bs4 import BeautifulSoup

BUDGET = 14_600
# Images per page, at most: a portrait of the physician at the largest width made (960 px, AVIF)
# weighs 30 to 60 kB; a page may carry one such photo and small ones besides.
IMAGE_BUDGET = 100_000
# Attributes that make the browser fetch something as the page loads (links to other pages and
# the form's action are not fetched until the reader acts).
FETCHING = [("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"),
            ("iframe", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"),
            ("embed", "src"), ("object", "data"), ("input", "src")]
NOT_FETCHED_LINKS = {"canonical", "alternate", "author", "help", "license", "next", "prev", "search", "bookmark"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


def sizes(data):
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0)), len(brotli.compress(data, quality=11))


def _urls(value, attr):
    if attr == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value.strip()]


class Site:
    def __init__(self, folder, site_url):
        self.folder = Path(folder).resolve()
        self.site_url = site_url.rstrip("/")
        own = urlsplit(self.site_url or "http://127.0.0.1/")
        self.own_origin = (own.scheme, own.netloc)

    def base_url(self, page):
        relative = page.relative_to(self.folder).as_posix()
        return (self.site_url or "http://127.0.0.1") + "/" + relative

    def classify(self, url, base):
        """('own', local file or None) or ('other', absolute URL) or ('inline', None)."""
        if url.startswith(("data:", "#", "about:")):
            return "inline", None
        absolute = urljoin(base, url)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return "inline", None
        if (parts.scheme, parts.netloc) != self.own_origin:
            return "other", absolute
        own_path = urlsplit(self.site_url or "http://127.0.0.1/").path.rstrip("/")
        path = parts.path[len(own_path):] if parts.path.startswith(own_path) else parts.path
        target = self.folder / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        return "own", target


def measure_page(site, page, css_cache):
    soup = BeautifulSoup(page.read_bytes(), "html.parser")
    base = site.base_url(page)
    render, other, missing = [], [], []

    def add(url, kind):
        where, target = site.classify(url, base)
        if where == "other":
            other.append(f"{kind} {target}")
        elif where == "own" and kind in ("css", "js"):
            if target.is_file():
                render.append((kind, target))
            else:
                missing.append(url)

    for link in soup.find_all("link", href=True):
        rels = {r.lower() for r in (link.get("rel") or [])}
        if "stylesheet" in rels:
            add(link["href"], "css")
        elif not rels <= NOT_FETCHED_LINKS:
            add(link["href"], "link[rel=" + " ".join(sorted(rels)) + "]")
    for script in soup.find_all("script", src=True):
        add(script["src"], "js")
    blocking = [script.get("src") or "inline script" for script in soup.find_all("script")
                if not (script.has_attr("defer") or script.has_attr("async")
                        or script.get("type") in ("module", "application/ld+json"))]
    for tag, attr in FETCHING:
        if tag == "script":
            continue
        for element in soup.find_all(tag, attrs={attr: True}):
            for url in _urls(element[attr], attr):
                add(url, f"{tag}[{attr}]")
    for kind, target in render:
        if kind == "css":
            if target not in css_cache:
                text = target.read_text(encoding="utf-8")
                css_cache[target] = [m.group(1) or m.group(2) for m in CSS_URL.finditer(text)]
            css_base = site.base_url(target)
            for url in css_cache[target]:
                where, absolute = site.classify(url, css_base)
                if where == "other":
                    other.append(f"css url() {absolute}")
    image_bytes = _image_bytes(site, soup, base)
    forms = [urljoin(base, f["action"]) for f in soup.find_all("form", action=True)
             if site.classify(f["action"], base)[0] == "other"]
    html = sizes(page.read_bytes())
    parts = {"html": html, "css": [0, 0, 0], "js": [0, 0, 0]}
    for kind, target in render:
        parts[kind] = [a + b for a, b in zip(parts[kind], sizes(target.read_bytes()))]
    total = [sum(p[i] for p in parts.values()) for i in range(3)]
    return {"page": page.relative_to(site.folder).as_posix(), "parts": parts, "total": total, "images": image_bytes,
            "other_hosts": other, "missing": missing, "blocking": blocking, "form_posts_to": forms}


def _largest(site, base, urls):
    sizes_found = [0]
    for url in urls:
        where, target = site.classify(url, base)
        if where == "own" and target.is_file():
            sizes_found.append(target.stat().st_size)
    return max(sizes_found)


def _image_bytes(site, soup, base):
    """The image bytes counted against IMAGE_BUDGET (the module's docstring says which)."""
    total = 0
    for picture in soup.find_all("picture"):
        source = picture.find("source", srcset=True)
        chosen = source or picture.find("img")
        urls = _urls(chosen["srcset"], "srcset") if chosen and chosen.get("srcset") else []
        if chosen is not None and chosen.name == "img" and chosen.get("src"):
            urls.append(chosen["src"])
        total += _largest(site, base, urls)
    for img in soup.find_all("img"):
        if img.find_parent("picture") is None:
            total += _largest(site, base, ([img["src"]] if img.get("src") else [])
                              + (_urls(img["srcset"], "srcset") if img.get("srcset") else []))
    return total


def print_table(rows):
    header = (f"{'page':<34} {'html gz':>8} {'css gz':>7} {'js gz':>6} {'total raw':>10} "
              f"{'total gz':>9} {'total br':>9} {'budget':>7} {'images':>8} {'budget':>7}")
    print(header)
    print("-" * len(header))
    for r in rows:
        p, t = r["parts"], r["total"]
        verdict = "ok" if t[1] <= BUDGET else "OVER"
        image_verdict = "ok" if r["images"] <= IMAGE_BUDGET else "OVER"
        print(f"{r['page']:<34} {p['html'][1]:>8} {p['css'][1]:>7} {p['js'][1]:>6} {t[0]:>10} "
              f"{t[1]:>9} {t[2]:>9} {verdict:>7} {r['images']:>8} {image_verdict:>7}")
    largest = max(rows, key=lambda r: r["total"][1])
    heaviest = max(rows, key=lambda r: r["images"])
    print(f"\n{len(rows)} pages; largest first load {largest['total'][1]} bytes gzip "
          f"({largest['page']}), budget {BUDGET}; most image bytes {heaviest['images']} "
          f"({heaviest['page']}), budget {IMAGE_BUDGET}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a built site (e.g. output/)")
    parser.add_argument("--site-url", default=os.environ.get("SITEURL", ""),
                        help="the site's own address, when its links are absolute (publish builds)")
    args = parser.parse_args(argv)
    site = Site(args.folder, args.site_url)
    pages = sorted(site.folder.rglob("*.html"))
    if not pages:
        print(f"no pages in {args.folder}: build the site first (bin/invoke build)", file=sys.stderr)
        return 2
    css_cache = {}
    rows = [measure_page(site, page, css_cache) for page in pages]
    print_table(rows)
    over = [r["page"] for r in rows if r["total"][1] > BUDGET]
    over_images = [r["page"] for r in rows if r["images"] > IMAGE_BUDGET]
    other = [(r["page"], o) for r in rows for o in r["other_hosts"]]
    missing = [(r["page"], m) for r in rows for m in r["missing"]]
    forms = sorted({f for r in rows for f in r["form_posts_to"]})
    blocking = [(r["page"], b) for r in rows for b in r["blocking"]]
    print("Loads from another host: " + ("none" if not other else ""))
    for page, what in other:
        print(f"  {page}: {what}")
    print("Render-blocking scripts: " + ("none" if not blocking else ""))
    for page, what in blocking:
        print(f"  {page}: {what}")
    if forms:
        print("Forms post (when sent) to: " + ", ".join(forms))
    for page, url in missing:
        print(f"missing file: {page} references {url}", file=sys.stderr)
    if over:
        print(f"over the {BUDGET}-byte gzip budget: {', '.join(over)}", file=sys.stderr)
    if over_images:
        print(f"over the {IMAGE_BUDGET}-byte image budget: {', '.join(over_images)}", file=sys.stderr)
    if missing:
        return 2
    return 1 if over or over_images or other or blocking else 0


if __name__ == "__main__":
    sys.exit(main())
