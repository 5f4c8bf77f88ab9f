"""Real Chromium lays Hebrew pages out right-to-left and English pages left-to-right, from the
one stylesheet (checked with computed styles and boxes, not by reading the CSS)."""

import pytest

TEXT_BOX = """(selector) => {
  const el = document.querySelector(selector);
  const range = document.createRange();
  range.selectNodeContents(el);
  const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right, width: document.documentElement.clientWidth,
          direction: getComputedStyle(el).direction, align: getComputedStyle(el).textAlign};
}"""


def _gaps(box):
    return box["left"], box["width"] - box["right"]


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_hebrew_reads_from_the_right_and_english_from_the_left(page, site_url, viewport):
    page.set_viewport_size(viewport)
    for path, rtl in (("/anxiety/", True), ("/en/anxiety/", False)):
        page.goto(site_url + path)
        if not page.locator("nav.site-nav li:first-child a").is_visible():
            # On a phone the menu folds behind its "Menu" control: open it as a reader would.
            page.click("nav.site-nav summary")
        for selector in ("nav.site-nav li:first-child a", "header .site-name", ".footer-links li:first-child a"):
            box = page.evaluate(TEXT_BOX, selector)
            left, right = _gaps(box)
            assert box["direction"] == ("rtl" if rtl else "ltr"), (path, selector)
            if rtl:
                assert right < left, (path, selector, box)
            else:
                assert left < right, (path, selector, box)
        # Body text is aligned to the start of the line (right in Hebrew, left in English).
        align = page.evaluate("getComputedStyle(document.querySelector('.prose p')).textAlign")
        assert align in ("start", "right" if rtl else "left")


def test_skip_link_is_first_and_visible_on_focus(page, site_url):
    page.goto(site_url + "/en/anxiety/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator("a.skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0  # moved on screen when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


# No page scrolls sideways on a 320 px phone (WCAG 1.4.10), every page, with the menu open and
# closed: test_every_page.py, test_no_page_scrolls_sideways_at_320_px_menu_open_or_closed.


# --- Who and where ----------------------------------------------------------------------------

# Every page at each of the three layouts gives the address, hours and a phone to tap:
# test_every_page.py, test_every_page_at_each_layout_gives_the_address_hours_and_a_phone_to_tap.
# The kinds of page, at a phone's width as well as the narrowest, for the large-text checks below.
KINDS = ["/", "/en/", "/anxiety/", "/en/faq/", "/signup/", "/en/contact/", "/en/articles/"]


def _clinic():
    from tests.support.sites import ROOT
    import yaml
    return yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))


def _paths(site):
    return ["/" + name.removesuffix("index.html") for name in site.pages() if not name.startswith("theme/")]


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_home_page_says_where_and_who_right_under_its_opening(page, site_url, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + path)
    # The contact block follows the hero, then the physician, before the cards.
    order = page.evaluate("""() => [...document.querySelectorAll('.page--home > *')].map((el) => el.className)""")
    assert order[:3] == ["hero", "contact contact--summary", "physician physician--short"], order
    assert page.locator(".page--home .contact a[href^='tel:']").is_visible()
    assert page.locator(".page--home .physician__name").inner_text().strip()
    team = "/en/team/" if path == "/en/" else "/team/"
    assert page.locator(f".page--home .physician a[href='{team}']").is_visible()


@pytest.mark.parametrize("path", ["/contact/", "/en/contact/"])
def test_the_contact_page_is_in_the_menu_and_tells_how_to_get_there(page, site_url, path):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site_url + path)
    assert page.locator(f"nav.site-nav a[href='{path}'][aria-current='page']").is_visible()
    block = page.locator("main .contact--full")
    labels = block.locator("dt").all_inner_texts()
    assert len(labels) == 7, labels  # address, phone, e-mail, hours, getting there, parking, access
    lang = "en" if path.startswith("/en/") else "he"
    clinic = _clinic()
    for key in ("getting_there", "parking", "accessibility_premises"):
        assert clinic[key][lang] in block.inner_text(), key
    assert not page.locator("iframe, main img").count()  # nothing embedded: the maps link opens the reader's app


# --- Large text (the browser's text size at 200%: 32 px) ---------------------------------------

# Headings and card titles whose words are split across two lines (a break at a hyphen is a
# break between words).
MID_WORD = """() => { const broken = [];
  for (const h of document.querySelectorAll('h1, h2, h3, h4, .card__title')) {
    if (!h.checkVisibility()) continue;
    const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = /[^\\s\\-\\u2010\\u2013]+/g; let m;
      while ((m = words.exec(node.data))) {
        const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        if (tops.size > 1) broken.push(h.tagName + ': ' + m[0]);
      }
    }
  }
  return broken; }"""
# What sticks out sideways, and every phone number split over two lines (read as two numbers).
SIDEWAYS = """() => { const width = document.documentElement.clientWidth; const out = [];
  for (const el of document.body.querySelectorAll('*')) { const b = el.getBoundingClientRect();
    if (!b.width || !el.checkVisibility() || el.matches('.skip-link, .skip-link *')) continue;
    if (b.right > width + 0.5 || b.left < -0.5) out.push(el.tagName + '.' + el.className); }
  const split = [...document.querySelectorAll('a[href^="tel:"]')].filter((a) => a.checkVisibility()
    && new Set([...a.getClientRects()].map((r) => Math.round(r.top))).size > 1).map((a) => a.textContent);
  return {scroll: document.documentElement.scrollWidth - width, out: out.slice(0, 5), split}; }"""
HEADER_ROWS = """() => new Set([...document.querySelectorAll('.header-row > *')]
  .map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2))).size"""


def _large_text(tab):
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})


@pytest.fixture(scope="module")
def large_text(site, site_url, browser_context):
    """Every page at 200% text, visited once for both tests below: {path: what each read}. The
    header on a 320 x 640 phone (HEADER_PARTS, HEADER_ROWS, the other language's link), then
    what sticks out or breaks at 320 px (and at 390 px for the kinds of page), 800 px high."""
    names = {"he": "עברית", "en": "English"}
    tab = browser_context.new_page()
    _large_text(tab)
    tab.set_viewport_size({"width": 320, "height": 640})
    tab.goto(site_url + "/en/")
    font_size = tab.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    seen = {}
    for path in _paths(site):
        tab.set_viewport_size({"width": 320, "height": 640})
        tab.goto(site_url + path)
        other = "he" if path.startswith("/en/") else "en"
        language = tab.locator(".language-switcher").get_by_role("link", name=names[other], exact=True)
        header = {"parts": tab.evaluate(HEADER_PARTS), "rows": tab.evaluate(HEADER_ROWS),
                  "language": language.is_visible()}
        widths = {}
        for width in (320, 390) if path in KINDS else (320,):
            tab.set_viewport_size({"width": width, "height": 800})
            widths[width] = (tab.evaluate(SIDEWAYS), tab.evaluate(MID_WORD))
        seen[path] = {"header": header, "widths": widths}
    tab.close()
    return font_size, seen


def test_at_200_percent_text_nothing_scrolls_sideways_or_breaks_inside_a_heading_word_or_a_phone_number(large_text):
    font_size, seen = large_text
    assert font_size >= 32  # the setting took
    problems = []
    for path, state in seen.items():
        for width, (sideways, broken) in state["widths"].items():
            if sideways["scroll"] > 0 or sideways["out"] or sideways["split"] or broken:
                problems.append((path, width, sideways, broken))
    assert not problems, problems[:10]


@pytest.mark.parametrize("path", ["/", "/en/", "/anxiety/", "/en/articles/", "/signup/", "/en/contact/"])
def test_the_header_is_one_row_on_a_320_px_phone(page, site_url, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + path)
    assert page.evaluate(HEADER_ROWS) == 1


# The header's parts as a reader meets them: each target's box, each shown text's font size and
# whether the text sticks out of its box or the screen, and the language link's short code (drawn
# before its name, which is then kept for screen readers only).
HEADER_PARTS = """() => { const width = document.documentElement.clientWidth;
  const row = document.querySelector('.header-row');
  const targets = [...row.querySelectorAll('a, summary')].filter((el) => el.checkVisibility()).map((el) => {
    const b = el.getBoundingClientRect(); return {name: el.className, width: b.width, height: b.height}; });
  const texts = []; const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement; if (!node.data.trim() || !el.checkVisibility()) continue;
    const r = document.createRange(); r.selectNodeContents(node); const t = r.getBoundingClientRect();
    if (el.getBoundingClientRect().width <= 1) continue;  // a name kept for screen readers only
    const box = el.closest('a, summary').getBoundingClientRect();
    texts.push({text: node.data.trim(), size: parseFloat(getComputedStyle(el).fontSize),
      out: t.left < Math.max(0, box.left) - 0.5 || t.right > Math.min(width, box.right) + 0.5}); }
  const code = getComputedStyle(row.querySelector('.language-switcher a'), '::before');
  return {targets, texts, code: code.content, codeSize: parseFloat(code.fontSize)}; }"""


def test_at_200_percent_text_the_header_is_one_row_on_a_320_px_phone_on_every_page(site, large_text):
    """A 320 px phone at 200% text: the header keeps to one row and its text keeps growing (WCAG
    1.4.4): the mark stands for the clinic's name, the other language shows its short code with
    its full name as the link's name, the phone is its icon, the menu keeps its word. No text
    sticks out of its control; every target is at least 24 x 24 px (WCAG 2.5.8)."""
    font_size, seen = large_text
    assert font_size >= 32  # the setting took
    codes = {"he": "עב", "en": "EN"}
    problems, counted = [], 0
    for path, state in seen.items():
        other = "he" if path.startswith("/en/") else "en"
        header = state["header"]
        parts = header["parts"]
        if (header["rows"] != 1 or codes[other] not in parts["code"] or parts["codeSize"] < 32
                or not header["language"]
                or any(t["size"] < 32 or t["out"] for t in parts["texts"])
                or any(t["width"] < 24 or t["height"] < 24 for t in parts["targets"])):
            problems.append((path, parts))
        counted += len(parts["targets"]) == 4  # the mark, the phone, the language and the menu
    assert not problems, problems[:5]
    assert counted == len(_paths(site)) > 40


# --- Targets --------------------------------------------------------------------------------

# Each citation link: its size, and whether the marker sits on the same line as the word before it.
CITATIONS = """() => [...document.querySelectorAll('.prose sup.cite')].filter((s) => s.checkVisibility()).map((sup) => {
  const before = document.createRange();
  let node = sup.previousSibling;
  while (node && !(node.textContent || '').trim()) node = node.previousSibling;
  const text = node.nodeType === Node.TEXT_NODE ? node : document.createTreeWalker(node, NodeFilter.SHOW_TEXT).lastChild() || node;
  const end = text.textContent.trimEnd().length;
  before.setStart(text, Math.max(0, end - 1)); before.setEnd(text, end);
  const word = [...before.getClientRects()].pop();
  const links = [...sup.querySelectorAll('a')].map((a) => a.getBoundingClientRect());
  const mark = sup.getBoundingClientRect();
  return {small: links.filter((r) => r.width < 24 || r.height < 24).length,
          alone: !word || Math.abs((word.top + word.bottom) / 2 - (mark.top + mark.bottom) / 2) > word.height,
          lines: sup.getClientRects().length};
})"""


@pytest.mark.parametrize("large", [False, True])
def test_citation_links_are_24_px_targets_that_never_wrap_alone(site_url, page, large):
    if large:
        _large_text(page)
    seen = 0
    for path in ("/", "/en/", "/side-effects/", "/en/research/", "/en/anxiety/"):
        page.goto(site_url + path)
        for width in (320, 390):
            page.set_viewport_size({"width": width, "height": 800})
            marks = page.evaluate(CITATIONS)
            seen += len(marks)
            bad = [m for m in marks if m["small"] or m["alone"] or m["lines"] != 1]
            assert not bad, (path, width, bad[:5])
    assert seen > 20


# axe's target-size and region rules on each kind of page at 320 and 1280 px: test_every_page.py,
# test_axe_finds_no_small_target_and_no_content_outside_a_landmark.
