"""Every page is written minified (plugins/minify), and minifying changes nothing a reader or a
search engine sees: the same JSON-LD data (and, in real Chromium, the same elements laid out in
the same places with the same text: test_every_page.py). The site built without the minify
plugin is conftest.py's `unminified`."""

import json
import re

import pytest
from bs4 import BeautifulSoup

# Whitespace inside these elements is content; everywhere else a minified page has no newline
# and no run of whitespace.
VERBATIM = re.compile(r"<(pre|textarea|script)\b.*?</\1>", re.S | re.I)

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


# Minifying changes no element's box and no visible text, in real Chromium, on every page:
# test_every_page.py, test_minifying_changes_no_layout_and_no_text.


def test_a_page_nested_too_deep_for_the_minifier_is_refused_before_it_runs():
    # minify-html overflows its stack (and ends the whole process, the live preview with it) on
    # HTML nested ~10,000 deep: the depth is counted first. Content that deep is refused earlier,
    # with its file and line (tests/test_bad_input.py); this is the last guard.
    from keter_site import minify

    deep = "<!doctype html><html><body>" + "<div>" * 1_500 + "x" + "</div>" * 1_500 + "</body></html>"
    with pytest.raises(minify.TooDeep, match="nest more than 1000 deep"):
        minify.minify(deep)
    shallow = "<!doctype html><html><body>" + "<div>" * 900 + "x" + "</div>" * 900 + "</body></html>"
    assert minify.minify(shallow).count("<div>") == 900


def test_the_depth_is_counted_exactly_at_the_limit_whatever_else_the_text_holds():
    # A text with no more start tags than the limit is passed without a scan: at the limit it
    # passes, one level more is found at the tag that goes over, and tags that do not nest
    # (closed ones, void elements) never count however many there are.
    from keter_site.core.limits import too_deep

    assert too_deep("<div>" * 100, 100) is None
    assert too_deep("<div>" * 101, 100) == 500
    assert too_deep("<p>x</p>" * 5_000 + "<br>" * 5_000, 100) is None
    assert too_deep("a < b, " * 200 + "<span>" * 101, 100) == 7 * 200 + 6 * 100
