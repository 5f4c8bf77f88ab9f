"""Every page is written minified (plugins/minify), and minifying changes nothing a reader or a
search engine sees: the same elements laid out in the same places with the same text in real
Chromium, and the same JSON-LD data."""

import json
import re
import textwrap

import pytest
from bs4 import BeautifulSoup

from tests.support.browser import serve_directory
from tests.support.sites import ROOT, run_pelican

from keter_site.core.project import settings_preamble

# Whitespace inside these elements is content; everywhere else a minified page has no newline
# and no run of whitespace.
VERBATIM = re.compile(r"<(pre|textarea|script)\b.*?</\1>", re.S | re.I)

LAYOUT = """() => {
  const round = (x) => Math.round(x * 2) / 2;
  return Array.from(document.querySelectorAll('body, body *')).map((el) => {
    const r = el.getBoundingClientRect();
    return [el.tagName, el.id, round(r.x), round(r.y), round(r.width), round(r.height)];
  });
}"""


@pytest.fixture(scope="module")
def unminified(tmp_path_factory):
    """The same site built without the minify plugin, to compare against."""
    base = tmp_path_factory.mktemp("unminified")
    settings = base / "unminified_conf.py"
    settings.write_text(settings_preamble('pelicanconf') + textwrap.dedent(f"""\
        PLUGINS = [p for p in PLUGINS if p != "keter_site.minify"]
        """), encoding="utf-8")
    build = run_pelican(settings, base / "output")
    assert build.returncode == 0, build.log
    return build


def _json_ld(html):
    soup = BeautifulSoup(html, "html.parser")
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def test_every_page_is_minified(site, unminified):
    pages = site.pages()
    assert len(pages) >= 20 and pages == unminified.pages()
    for name in pages:
        html = (site.output / name).read_text(encoding="utf-8")
        raw = (unminified.output / name).read_text(encoding="utf-8")
        outside = VERBATIM.sub("", html)
        assert "\n" not in outside, (name, outside[:300])
        assert not re.search(r"\s{2,}", outside), (name, re.search(r".{40}\s{2,}.{40}", outside))
        assert "<!--" not in outside, name
        assert len(html.encode()) < len(raw.encode()), name


def test_minified_pages_still_parse_with_language_and_structure(site):
    for name in site.pages():
        soup = site.html(name)
        assert soup.html and soup.html.get("lang") in ("he", "en") and soup.html.get("dir") in ("rtl", "ltr"), name
        assert soup.head and soup.head.title and soup.head.title.string.strip(), name
        assert soup.head.find("meta", charset="utf-8"), name
        assert soup.body and soup.body.find("main", id="main"), name
        assert soup.body.find("footer"), name
        # Hebrew text survives byte for byte (no entity or bidi mark is lost).
        if soup.html["lang"] == "he":
            assert re.search("[\u0590-\u05ff]{3}", soup.body.get_text()), name


def test_json_ld_is_unchanged(site, unminified):
    for name in site.pages():
        html = (site.output / name).read_text(encoding="utf-8")
        raw = (unminified.output / name).read_text(encoding="utf-8")
        assert _json_ld(html) == _json_ld(raw), name


def test_minifying_changes_no_layout_and_no_text(site_url, unminified, page, site):
    """Dropped whitespace between two inline elements would join words or move things: compare
    every element's box and the page's visible text, minified against unminified."""
    page.set_viewport_size({"width": 390, "height": 844})
    with serve_directory(unminified.output) as raw_url:
        for name in site.pages():
            path = "/" + name.removesuffix("index.html")
            results = []
            for base in (raw_url, site_url):
                page.goto(base + path)
                text = " ".join(page.evaluate("document.body.innerText").split())
                results.append((page.evaluate(LAYOUT), text))
            (raw_layout, raw_text), (min_layout, min_text) = results
            assert min_text == raw_text, path
            assert len(min_layout) == len(raw_layout), path
            moved = [(a, b) for a, b in zip(raw_layout, min_layout) if a != b]
            assert not moved, (path, moved[:5])
