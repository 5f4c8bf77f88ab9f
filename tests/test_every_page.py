"""Every page of the site in real Chromium, each visited once for every check that needs every
page: axe (WCAG 2.1 A and AA) in the light and the dark colour scheme, no sideways scroll at
320 px with the menu open or closed, the header lined up with the page's columns at 1280 px, the
clinic's address, hours and a phone to tap at each of the three layouts, axe's target-size and
region rules on each kind of page, and minifying changing no element's box and no text.

axe: every page at a phone's width, where every page has the same one-column layout; each page
type (the templates: home, content page, FAQ, signup form, articles list, article) at a
desktop's width as well. Every rule runs in the light scheme. The dark scheme changes colours
only (the same HTML, the same layout), so there the rules that read colours run: colour
contrast, and links in text told apart by more than colour. Each page is checked as it opens,
with every disclosure closed; each page type at a phone's width with every disclosure open as
well (the menu, the FAQ's answers), in both schemes.

One tab visits the pages; a width set on a loaded page lays it out as a page loaded at that
width would be (the stylesheet's media queries; no script of the site reads the width)."""

import json

import pytest
import yaml

from tests.support import axe
from tests.support.browser import serve_directory
from tests.support.sites import ROOT, front_matter

# The WCAG A/AA rules whose result depends on colours (and so on the colour scheme).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
COLOURS = {"type": "rule", "values": COLOUR_RULES}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 800}


def _an_article():
    files = sorted((ROOT / "content" / "en" / "articles").glob("*.md"))
    assert files, "the site has no article"
    return front_matter(files[-1])["slug"]


PAGE_TYPES = [prefix + path for path in ("", "anxiety/", "faq/", "signup/", "articles/", f"articles/{_an_article()}/")
              for prefix in ("/", "/en/")]
# Two of axe's rules beyond WCAG 2.1 AA: target-size (WCAG 2.2's 2.5.8: every target at least
# 24 x 24 px, or spaced so) and region (every piece of content inside a landmark, the skip link
# included), on each kind of page at the narrowest phone's and a desktop's width.
BEYOND_AA = {"type": "rule", "values": ["target-size", "region"]}
BEYOND_AA_PATHS = ["/", "/en/anxiety/", "/side-effects/", "/en/signup/", "/en/contact/", "/team/", "/en/faq/"]

# The page's background: the body's, else the root element's (the canvas is white in the light scheme).
BACKGROUND_IS_DARK = """() => {
  for (const el of [document.body, document.documentElement]) {
    const [r, g, b, a = 1] = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).map(Number);
    if (a > 0) return (0.2126 * r + 0.7152 * g + 0.0722 * b) < 60;
  }
  return false;
}"""
OPEN_EVERY_DISCLOSURE = """() => { const all = document.querySelectorAll('details');
  all.forEach((d) => { d.open = true; }); return all.length; }"""

# Every element's box, and the visible text (minified against unminified), as JSON text: one
# string crosses from the page to the test far faster than a thousand small arrays.
LAYOUT = """() => {
  const round = (x) => Math.round(x * 2) / 2;
  return JSON.stringify({text: document.body.innerText.split(/\\s+/).join(' ').trim(),
          boxes: Array.from(document.querySelectorAll('body, body *')).map((el) => {
    const r = el.getBoundingClientRect();
    return [el.tagName, el.id, round(r.x), round(r.y), round(r.width), round(r.height)];
  })});
}"""


def _layout(page):
    return json.loads(page.evaluate(LAYOUT))


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX; if (x === 'auto' || x === 'scroll') return true; } return false; };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !el.checkVisibility()) continue;
    if ((box.right > width + 0.5 || box.left < -0.5) && !scrolls(el) && !el.matches('.skip-link, .skip-link *'))
      out.push(el.tagName.toLowerCase() + '.' + el.className + ': ' + Math.round(box.left) + '..' + Math.round(box.right));
  }
  return {scroll: document.documentElement.scrollWidth - width, out: out.slice(0, 5)};
}"""
# OVERFLOW with the menu closed, then open (reading boxes lays the page out again at once), then
# closed again as the page came; whether the menu's links show, each time.
MENU_STATES = """() => {
  const menu = document.querySelector('nav.site-nav details');
  const shown = () => menu.querySelector('li a').checkVisibility();
  const closed = {...(%s)(), menu: shown()};
  menu.open = true;
  const open = {...(%s)(), menu: shown()};
  menu.open = false;
  return {closed, open};
}""" % (OVERFLOW, OVERFLOW)

ALIGNMENT = """() => {
  const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
  const wrap = document.querySelector('.page-columns');
  const style = getComputedStyle(wrap);
  const box = wrap.getBoundingClientRect();
  const column = {left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight)};
  const start = (el) => { const r = el.getBoundingClientRect(); return rtl ? column.right - r.right : r.left - column.left; };
  const end = (el) => { const r = el.getBoundingClientRect(); return rtl ? r.left - column.left : column.right - r.right; };
  const items = [...document.querySelectorAll('nav.site-nav li')];
  const first = document.querySelector('main h1, main .hero');
  return {
    brand: start(document.querySelector('.site-name')),
    menu: start(items[0]),
    menuEnd: Math.min(...items.map(end)),
    menuLines: new Set(items.map((li) => Math.round(li.getBoundingClientRect().top))).size,
    languages: end(document.querySelector('.language-switcher li:last-child a')),
    heading: start(first),
    toggle: getComputedStyle(document.querySelector('nav.site-nav summary')).display,
  };
}"""


# What a reader finds at this width, in one call: the footer's contact block (shown, its text,
# its maps link) and, for the footer's and the header's tel: links, whether each can be tapped
# where it is: shown, at least 24 x 24 px, on one line, and the element under its centre (once
# scrolled into view) is the link itself, not something covering it. The page is scrolled back
# to where it was, for the checks that follow.
CONTACT_STATE = """() => {
  const [x, y] = [scrollX, scrollY];
  const tappable = (selector) => [...document.querySelectorAll(selector)].filter((a) => a.checkVisibility()).map((a) => {
    a.scrollIntoView({block: 'center'});
    const box = a.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {href: a.getAttribute('href'), width: box.width, height: box.height, hit: !!hit && (hit === a || a.contains(hit)),
            lines: a.getClientRects().length};
  });
  const block = document.querySelector('.site-footer .contact');
  const state = {shown: !!block && block.checkVisibility(), text: block ? block.innerText : '',
          maps: block ? block.querySelector('.contact__maps').getAttribute('href') : '',
          footer: tappable(".site-footer .contact a[href^='tel:']"), header: tappable('.site-header a.header-call')};
  scrollTo(x, y);
  return state;
}"""


def _axe(page, url, scheme, rules, state, found, faults):
    """axe's violations in `scheme` into `found` as (state, violations); what went wrong with the
    check itself into `faults`."""
    page.emulate_media(color_scheme=scheme)
    if page.evaluate(BACKGROUND_IS_DARK) != (scheme == "dark"):
        faults.append(f"{url}: the page is not in the {scheme} colour scheme")
    result = axe.run(page, rules)
    if "color-contrast" not in result["applied"]:
        faults.append(f"{url}: axe's colour contrast rule did not run ({state})")
    found.append((state, result["violations"]))


def _visit(page, url, page_type, beyond_aa):
    """Everything the tests below read from one page, in one visit."""
    seen = {"axe": [], "faults": [], "beyond AA": {}}
    found, faults = seen["axe"], seen["faults"]
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="light")
    page.goto(url)
    seen["layout"] = _layout(page)  # before anything runs in the page
    _axe(page, url, "light", axe.EVERY_RULE, "light, phone", found, faults)
    _axe(page, url, "dark", COLOURS, "dark, phone", found, faults)
    page.emulate_media(color_scheme="light")
    # The contact block at each layout: a phone's one column (390 and 320 px), from 40rem the
    # home page's two columns of facts (768 px), from 64rem the desktop's aside (1280 px).
    contact = seen["contact"] = {390: page.evaluate(CONTACT_STATE)}
    page.set_viewport_size(SMALL_PHONE)
    seen["320"] = page.evaluate(MENU_STATES)
    contact[320] = page.evaluate(CONTACT_STATE)
    if beyond_aa:
        page.set_viewport_size({"width": 320, "height": 800})
        seen["beyond AA"][320] = axe.run(page, BEYOND_AA)
    page.set_viewport_size(DESKTOP)
    seen["alignment"] = page.evaluate(ALIGNMENT)
    if beyond_aa:
        seen["beyond AA"][1280] = axe.run(page, BEYOND_AA)
    if page_type:
        _axe(page, url, "light", axe.EVERY_RULE, "light, desktop", found, faults)
        _axe(page, url, "dark", COLOURS, "dark, desktop", found, faults)
    contact[1280] = page.evaluate(CONTACT_STATE)
    page.set_viewport_size(TABLET)
    contact[768] = page.evaluate(CONTACT_STATE)
    if page_type:
        page.set_viewport_size(PHONE)
        if not page.evaluate(OPEN_EVERY_DISCLOSURE):
            faults.append(f"{url}: no disclosure to open")
        _axe(page, url, "light", COLOURS, "light, phone, disclosures open", found, faults)
        _axe(page, url, "dark", COLOURS, "dark, phone, disclosures open", found, faults)
    return seen


def _url_paths(site):
    return ["/" + name.removesuffix("index.html") for name in site.pages() if not name.startswith("theme/")]


@pytest.fixture(scope="module")
def pages(site, site_url, browser_context):
    """{path: what _visit saw} for every page of the site, in one tab that loads axe into every
    page before the page's own scripts (as a browser extension would)."""
    assert axe.SCRIPT.is_file(), "npm install (package.json) puts axe-core into node_modules"
    paths = _url_paths(site)
    assert "/" in paths and "/en/" in paths and len(paths) >= 30
    assert set(PAGE_TYPES) <= set(paths), set(PAGE_TYPES) - set(paths)
    tab = browser_context.new_page()
    tab.add_init_script(path=str(axe.SCRIPT))
    assert set(BEYOND_AA_PATHS) <= set(paths), set(BEYOND_AA_PATHS) - set(paths)
    seen = {path: _visit(tab, site_url + path, path in PAGE_TYPES, path in BEYOND_AA_PATHS) for path in paths}
    tab.close()
    return seen


def test_axe_finds_no_wcag_violation_in_either_colour_scheme(pages):
    faults = [fault for seen in pages.values() for fault in seen["faults"]]
    assert not faults, faults
    states = {state for seen in pages.values() for state, _ in seen["axe"]}
    assert len(states) == 6, states  # phone and desktop, both schemes, disclosures open
    failures = [axe.report(f"{path} ({state})", violations) for path, seen in pages.items()
                for state, violations in seen["axe"] if violations]
    assert not failures, "\n\n".join(failures)


def test_axe_finds_no_small_target_and_no_content_outside_a_landmark(pages):
    checked = []
    for path in BEYOND_AA_PATHS:
        for width, result in pages[path]["beyond AA"].items():
            checked.append((path, width))
            assert set(BEYOND_AA["values"]) <= set(result["applied"]), (path, width, result["applied"])
            assert not result["violations"], axe.report(f"{path} at {width} px", result["violations"])
    assert len(checked) == 2 * len(BEYOND_AA_PATHS), checked


def test_no_page_scrolls_sideways_at_320_px_menu_open_or_closed(pages):
    # WCAG 1.4.10 reflow: nothing wider than a 320 px screen (400% zoom of 1280 px), in either
    # direction; long DOI and PubMed addresses included.
    problems = [(path, state, seen["320"][state]) for path, seen in pages.items() for state in ("closed", "open")
                if seen["320"][state]["scroll"] > 0 or seen["320"][state]["out"]
                or seen["320"][state]["menu"] != (state == "open")]
    assert not problems, problems


def test_header_lines_up_with_the_text_column_at_1280_px(pages):
    problems = []
    for path, seen in pages.items():
        box = seen["alignment"]
        ok = (abs(box["brand"]) <= 1 and abs(box["menu"]) <= 1 and abs(box["heading"]) <= 1
              and abs(box["languages"]) <= 1 and box["menuEnd"] >= -1 and box["menuLines"] == 1
              and box["toggle"] == "none")
        if not ok:
            problems.append((path, box))
    assert not problems, problems


def test_every_page_at_each_layout_gives_the_address_hours_and_a_phone_to_tap(pages):
    clinic = yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))
    tel = "tel:" + clinic["phone_international"]
    problems = []
    for path, seen in pages.items():
        lang = "en" if path.startswith("/en/") else "he"
        assert sorted(seen["contact"]) == [320, 390, 768, 1280], (path, sorted(seen["contact"]))
        for width, state in seen["contact"].items():
            where = (path, width)
            if not state["shown"]:
                problems.append((*where, "no contact block in the footer"))
                continue
            for fact in (clinic["address"][lang], clinic["hours"][lang], clinic["phone"]):
                if fact not in state["text"]:
                    problems.append((*where, "footer lacks", fact))
            for part in ("footer", "header"):
                links = state[part]
                if len(links) != 1:
                    problems.append((*where, part, "tel: links shown", len(links)))
                    continue
                link = links[0]
                if link["href"] != tel or link["width"] < 24 or link["height"] < 24 or not link["hit"] or link["lines"] != 1:
                    problems.append((*where, part, link))
            if not state["maps"].startswith("https://www.google.com/maps/search/?api=1&query="):
                problems.append((*where, "maps link", state["maps"]))
    assert not problems, problems[:10]


def test_minifying_changes_no_layout_and_no_text(pages, unminified, browser_context):
    """Dropped whitespace between two inline elements would join words or move things: every
    element's box and the page's visible text, minified (the site) against unminified, at a
    phone's width."""
    # Without axe's script: loading it adds nothing to a page (axe reads the page only when it
    # runs, and it runs after the minified page's layout was read), and a difference it made
    # would show here as a failure, never hide one.
    tab = browser_context.new_page()
    tab.set_viewport_size(PHONE)
    problems = []
    with serve_directory(unminified.output) as raw_url:
        for path, seen in pages.items():
            tab.goto(raw_url + path)
            raw, minified = _layout(tab), seen["layout"]
            if minified["text"] != raw["text"]:
                problems.append((path, "text", minified["text"][:200], raw["text"][:200]))
            elif len(minified["boxes"]) != len(raw["boxes"]):
                problems.append((path, "elements", len(minified["boxes"]), len(raw["boxes"])))
            else:
                moved = [(a, b) for a, b in zip(raw["boxes"], minified["boxes"]) if a != b]
                if moved:
                    problems.append((path, "moved", moved[:5]))
    tab.close()
    assert sorted(pages) == sorted(_url_paths(unminified))
    assert not problems, problems
