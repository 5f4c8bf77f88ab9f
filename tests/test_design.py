"""The design, in real Chromium and in real builds, both languages: the home page's signup action
on the first phone screen, the phone menu and the FAQ answers working with the keyboard and
without JavaScript, print, forced colours and reduced motion, the components (from templates and
from Markdown, and the build refusing a component it does not know), and instant navigation
through the speculation rules. (Every page at 320 px and at 1280 px, and the dark colour
scheme's contrast: test_every_page.py.)"""

import json
import re
import subprocess
import time
import urllib.request
from datetime import date

import pytest

from tests.support import reviewers
from tests.support.browser import serve_directory
from tests.support.sites import FixtureSite, page_text

from keter_tools import devserver
from keter_tools.serving import serve_in_background

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
RULES_PATH = "/theme/speculation-rules.json"


@pytest.fixture
def tab(new_tab):
    """A new tab with its own viewport and media (scheme, forced colours, motion, print), with or
    without script (conftest.py)."""

    def make(viewport=None, java_script_enabled=True, **media):
        return new_tab(javascript=java_script_enabled, viewport=viewport, **media)

    return make


# --- The first screen (no sideways scroll at 320 px and the header at 1280 px, every page:
# test_every_page.py) -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_first_phone_screen_of_the_home_page_says_what_and_carries_the_signup_action(tab, site_url, path):
    page = tab(viewport=PHONE)
    page.goto(site_url + path)
    prefix = "/en" if path == "/en/" else ""
    action = page.locator(f".hero a[href='{prefix}/signup/']")
    assert action.count() == 1 and action.is_visible()
    for selector in (".site-name", "main h1", ".hero__lead", f".hero a[href='{prefix}/signup/']",
                     f".hero__help a[href='{prefix}/crisis/']", ".hero__help a[href='tel:1201']",
                     ".hero__help a[href='tel:101']"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (path, selector, box)
    # The menu is folded, so the page starts with the page.
    assert not page.locator("nav.site-nav li a").first.is_visible()
    # The cards lead to the pages the issue names, in order, and say what each page is.
    cards = page.locator(".card__link")
    hrefs = [cards.nth(i).get_attribute("href") for i in range(cards.count())]
    assert hrefs == [f"{prefix}/{slug}/" for slug in ("what-is-kap", "is-kap-right", "process", "side-effects", "research")]


def test_the_clinic_mark_sits_at_the_start_of_the_name_in_both_directions(tab, site_url):
    page = tab(viewport=PHONE)
    for path, rtl in (("/", True), ("/en/", False)):
        page.goto(site_url + path)
        mark = page.locator(".site-name svg").bounding_box()
        name = page.locator(".site-name span").bounding_box()
        assert (mark["x"] > name["x"]) if rtl else (mark["x"] < name["x"]), path
        assert page.get_attribute(".site-name svg", "aria-hidden") == "true"
        assert page.get_attribute(".site-name", "aria-current") == "page"


# --- Works without JavaScript, with the keyboard --------------------------------------------

@pytest.mark.parametrize("path,label", [("/anxiety/", "תפריט"), ("/en/anxiety/", "Menu")])
def test_the_phone_menu_opens_with_the_keyboard_and_without_javascript(tab, site_url, path, label):
    page = tab(viewport=PHONE, java_script_enabled=False)
    page.goto(site_url + path)
    links = page.locator("nav.site-nav li a")
    toggle = page.locator("nav.site-nav summary")
    assert toggle.is_visible() and toggle.inner_text().strip() == label
    assert not links.first.is_visible()
    # The navigation landmark is there while folded, named, and holds the disclosure.
    assert page.locator("nav.site-nav[aria-label] details").count() == 1
    while page.evaluate("document.activeElement.tagName") != "SUMMARY":
        page.keyboard.press("Tab")  # skip link, name, language: bounded by the header's few stops
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('nav.site-nav details').open")
    assert links.first.is_visible()
    current = page.locator("nav.site-nav a[aria-current='page']")
    assert current.count() == 1 and current.get_attribute("href").endswith("/anxiety/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav.site-nav li') !== null")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert not links.first.is_visible()
    # On a wide screen the same menu is simply there, with no control to open.
    page.set_viewport_size(DESKTOP)
    assert links.first.is_visible() and not toggle.is_visible()


@pytest.mark.parametrize("path", ["/faq/", "/en/faq/"])
def test_faq_answers_open_with_the_keyboard_and_without_javascript(tab, site_url, path):
    page = tab(viewport=PHONE, java_script_enabled=False)
    page.goto(site_url + path)
    items = page.locator(".prose details.details")
    assert items.count() >= 10
    assert items.count() == page.locator(".prose details.details summary :is(h2, h3)").count()
    assert not any(page.evaluate("[...document.querySelectorAll('.prose details')].map((d) => d.open)"))
    first_answer = items.nth(0).locator(".details__text")
    assert not first_answer.is_visible()
    # Tab from the top of the page to the first question, as a keyboard user does.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.prose details summary')"):
            break
    assert page.evaluate("document.activeElement === document.querySelector('.prose details summary')")
    page.keyboard.press("Enter")
    assert first_answer.is_visible()
    page.keyboard.press("Tab")  # the next stop is inside the open answer or the next question
    while not page.evaluate("document.activeElement.matches('.prose details summary')"):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert items.nth(1).locator(".details__text").is_visible()
    page.keyboard.press("Enter")
    assert not items.nth(1).locator(".details__text").is_visible()


# --- Print, forced colours, reduced motion (the dark scheme: test_every_page.py) ---------------------------------------------

PRINT_STATE = """() => {
  const shown = (s) => { const el = document.querySelector(s); return !!el && el.checkVisibility(); };
  const link = [...document.querySelectorAll('.prose a[href]')].find((a) => !/^(#|tel:|mailto:)/.test(a.getAttribute('href')));
  return {
    menu: shown('nav.site-nav'), languages: shown('.language-switcher'), cta: shown('.cta'),
    urgent: shown('.site-footer .urgent-help'), tel: shown('.site-footer a[href="tel:1201"]'),
    href: link.getAttribute('href'), after: getComputedStyle(link, '::after').content,
  };
}"""


# On paper: where a link to a Hebrew anchor's address starts and ends, how its address is
# written, and what the printout starts and ends with.
PRINT_HEBREW = """() => {
  const link = [...document.querySelectorAll('.prose a[href*="#"]')].find((a) => /[\u0590-\u05ff]/.test(decodeURIComponent(a.getAttribute('href'))));
  const visible = [...document.querySelectorAll('body *')].filter((el) => el.checkVisibility() && !el.children.length);
  const last = visible.reduce((a, b) => (b.getBoundingClientRect().bottom > a.getBoundingClientRect().bottom ? b : a));
  return {href: link.getAttribute('href'), after: getComputedStyle(link, '::after').content,
          crisisTop: document.querySelector('.site-footer .urgent-help').getBoundingClientRect().top,
          mainTop: document.querySelector('main').getBoundingClientRect().top,
          lastInMain: !!last.closest('main'), contact: document.querySelector('.site-footer .contact').checkVisibility(),
          aside: document.querySelector('.page-aside').checkVisibility()};
}"""


@pytest.mark.parametrize("path", ["/side-effects/", "/faq/"])
def test_a_hebrew_page_prints_its_anchors_whole_and_ends_with_its_own_text(tab, site_url, path):
    page = tab(viewport={"width": 794, "height": 1123})  # an A4 page's width
    page.goto(site_url + path)
    page.emulate_media(media="print")
    state = page.evaluate(PRINT_HEBREW)
    # The address, Hebrew anchor included, is one left-to-right run (U+2066 ... U+2069) inside
    # the brackets, so it prints as an address bar shows it and never as a mix of its parts.
    after = state["after"]
    assert state["href"] in after and after.index("\u2066") < after.index(state["href"]) < after.index("\u2069"), state
    # The crisis lines open the printout; the page's own text ends it (never a page of footer).
    assert state["crisisTop"] < state["mainTop"] and state["lastInMain"], state
    assert not state["contact"] and not state["aside"], state
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2


def _inked_heights(pdf, folder):
    """Each printed page's inked height in pixels: the page drawn by poppler's pdftoppm at 36 dpi
    in grey, from its first to its last row with anything darker than light grey. (Written as
    plain PGM images: the same pixels as PNG, for a quarter of pdftoppm's work.)"""
    from PIL import Image

    path = folder / "printout.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "36", "-gray", str(path), str(folder / "page")], check=True, timeout=60)
    heights = []
    for image in sorted(folder.glob("page-*.pgm"), key=lambda f: int(f.stem.rsplit("-", 1)[1])):
        box = Image.open(image).point(lambda v: 255 if v < 200 else 0).getbbox()
        heights.append(box[3] - box[1] if box else 0)
        image.unlink()
    return heights


def test_no_printout_ends_on_a_near_empty_page(site, site_url, tab, tmp_path):
    """Every page printed on A4 as a reader's browser prints it (the stylesheet's own page size
    and margins): its last page holds at least 15% of a full page's text (the inked height of
    the last page against the fullest page's), never two or three lines of the page or a blank
    sheet. What it does not promise: a page whose text grows may move past a page's end; this
    test then names it, and the print rules in site.css are where to look."""
    page = tab()
    short = []
    for relative in site.pages():
        if relative.startswith("theme/"):
            continue
        path = "/" + relative.removesuffix("index.html")
        page.goto(site_url + path)
        heights = _inked_heights(page.pdf(format="A4", prefer_css_page_size=True), tmp_path)
        if len(heights) > 1 and heights[-1] < 0.15 * max(heights):
            short.append((path, len(heights), round(heights[-1] / max(heights), 3)))
    assert not short, short


@pytest.mark.parametrize("path", ["/process/", "/en/process/", "/side-effects/", "/en/side-effects/"])
def test_print_hides_the_menu_and_writes_out_link_addresses(tab, site_url, path):
    page = tab(viewport=DESKTOP)
    page.goto(site_url + path)
    page.emulate_media(media="print")
    state = page.evaluate(PRINT_STATE)
    assert not state["menu"] and not state["languages"] and not state["cta"], state
    assert state["urgent"] and state["tel"], state  # the crisis lines stay on paper
    assert state["href"] in state["after"], state


def test_print_opens_every_faq_answer(tab, site_url):
    page = tab(viewport=DESKTOP)
    page.goto(site_url + "/en/faq/")
    page.emulate_media(media="print")
    assert page.evaluate("[...document.querySelectorAll('.details__text')].every((el) => el.checkVisibility())")


FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0, el: document.activeElement.className}; }"""


# Everything drawn as a button: the menu's control, the main actions, the form's button.
BUTTONS = """() => [...document.querySelectorAll('button, .button, summary.site-nav__toggle, input[type=submit]')]
  .filter((el) => el.checkVisibility()).map((el) => { const s = getComputedStyle(el);
    return {el: el.className || el.tagName, style: s.borderTopStyle, width: parseFloat(s.borderTopWidth),
            colour: s.borderTopColor, background: s.backgroundColor}; })"""


@pytest.mark.parametrize("path", ["/", "/en/", "/signup/", "/en/signup/", "/en/contact/"])
def test_forced_colours_draw_every_button_edge_and_the_open_menu(tab, site_url, path):
    page = tab(viewport=PHONE, forced_colors="active")
    page.goto(site_url + path)
    buttons = page.evaluate(BUTTONS)
    assert len(buttons) >= 2, buttons  # the menu's control and at least one action
    for button in buttons:
        assert button["style"] == "solid" and button["width"] >= 2 and "0, 0, 0, 0" not in button["colour"], button
    toggle = "getComputedStyle(document.querySelector('.site-nav__toggle')).backgroundColor"
    closed = page.evaluate(toggle)
    page.click("nav.site-nav summary")
    assert page.evaluate(toggle) != closed  # the open state shows in the system's colours too


@pytest.mark.parametrize("path", ["/signup/", "/en/signup/"])
def test_the_error_summary_lists_links_without_bullets(tab, site_url, path):
    """GOV.UK's error summary: links one under another, no bullet beside a wrapped message."""
    page = tab(viewport={"width": 320, "height": 640})
    page.goto(site_url + path)
    page.click("form[data-module=signup-form] .signup-form__submit")
    summary = page.locator("[data-signup-summary]")
    assert summary.is_visible()
    items = page.evaluate("""() => [...document.querySelectorAll('[data-signup-summary] li')].map((li) =>
      ({marker: getComputedStyle(li).listStyleType, link: !!li.querySelector('a[href^="#signup-"]'),
        indent: li.getBoundingClientRect().left - li.parentElement.getBoundingClientRect().left}))""")
    assert len(items) >= 3 and all(i["marker"] == "none" and i["link"] and abs(i["indent"]) < 1 for i in items), items


def test_forced_colours_keep_focus_rings_and_edges(tab, site_url):
    page = tab(viewport=PHONE, forced_colors="active")
    page.goto(site_url + "/en/")
    for _ in range(4):  # skip link, name, language, menu
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
    for selector in (".card", ".site-nav__toggle", ".warning-callout", ".hero"):
        width = page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{selector}')).borderTopWidth)")
        assert width >= 1, selector
    page.goto(site_url + "/en/process/")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.step-path li'), '::before').borderTopWidth)") >= 1


def test_reduced_motion_moves_nothing(tab, site_url):
    page = tab(viewport=PHONE, reduced_motion="reduce")
    page.goto(site_url + "/en/")
    styles = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.hero .button'));
      return {transition: s.transitionDuration, animation: s.animationName,
              scroll: getComputedStyle(document.documentElement).scrollBehavior}; }""")
    assert styles == {"transition": "0s", "animation": "none", "scroll": "auto"}


# --- Components on the real site ---------------------------------------------------------

def test_every_inner_page_has_breadcrumbs_up_to_it_and_a_way_back(site):
    """GOV.UK's and the NHS's breadcrumbs: the trail leaves the current page out (its heading
    names it), and a phone shows "Back to <the page above>" instead of the trail."""
    for relative in site.pages():
        if relative.startswith("theme/"):
            continue
        doc = site.html(relative)
        crumbs = doc.select("main nav.breadcrumbs[aria-label] ol li a")
        if relative in ("index.html", "en/index.html", "404.html", "en/404.html"):
            assert not doc.select("nav.breadcrumbs"), relative  # the home page and "page not found" have no place
            continue
        home = "/en/" if relative.startswith("en/") else "/"
        assert crumbs[0]["href"] == home, relative
        own = "/" + relative.removesuffix("index.html")
        assert own not in [a["href"] for a in crumbs] and not doc.select("nav.breadcrumbs [aria-current]"), relative
        back = doc.select_one("main nav.breadcrumbs .breadcrumbs__back a")
        assert back["href"] == crumbs[-1]["href"] and crumbs[-1].get_text() in back.get_text(), relative


@pytest.mark.parametrize("path,back", [("/anxiety/", "חזרה אל דף הבית"), ("/en/articles/", "Back to Home")])
def test_breadcrumbs_show_the_trail_on_a_desktop_and_back_on_a_phone(tab, site_url, path, back):
    page = tab(viewport=PHONE)
    page.goto(site_url + path)
    link = page.locator("nav.breadcrumbs .breadcrumbs__back a")
    assert link.is_visible() and link.inner_text().strip() == back
    assert not page.locator("nav.breadcrumbs ol").is_visible()
    assert link.bounding_box()["height"] >= 24
    page.set_viewport_size(DESKTOP)
    assert page.locator("nav.breadcrumbs ol").is_visible() and not link.is_visible()


def test_the_menu_marks_the_current_page_and_the_header_has_one_stylesheet(site):
    for relative in site.pages():
        if relative.startswith("theme/"):
            continue
        doc = site.html(relative)
        assert len(doc.select("link[rel=stylesheet]")) == 1, relative
        current = doc.select("nav.site-nav a[aria-current='page']")
        slug = relative.removeprefix("en/").removesuffix("index.html").strip("/")
        menu = [a["href"].strip("/").removeprefix("en").strip("/") for a in doc.select("nav.site-nav a")]
        assert [a["href"] for a in current] == ([a["href"] for a in doc.select("nav.site-nav a")
                                                if a["href"].strip("/").removeprefix("en").strip("/") == slug]
                                               if slug in menu else []), relative
        assert doc.select_one("header .language-switcher a[hreflang]"), relative  # one tap, never folded
        assert not doc.select("details .language-switcher"), relative


def test_components_from_markdown_are_rendered_on_the_real_pages(site):
    for lang, prefix in (("he", ""), ("en", "en/")):
        process = site.html(f"{prefix}process/index.html")
        steps = process.select(".prose .step-path > ol > li")
        assert len(steps) == 5
        assert process.select(".prose .warning-callout > h3.warning-callout__label")
        side_effects = site.html(f"{prefix}side-effects/index.html")
        assert side_effects.select(".prose .warning-callout") and side_effects.select(".prose .inset-text")
        assert site.html(f"{prefix}is-kap-right/index.html").select(".prose .inset-text")
        home = site.html(f"{prefix}index.html")
        assert len(home.select(".prose .step-path > ol > li")) == 5 and home.select(".prose .warning-callout")
        for relative in site.pages():
            text = (site.output / relative).read_text(encoding="utf-8")
            assert 'class="component' not in text and ":::" not in text, relative


def test_long_pages_have_a_contents_list_made_from_their_sections(site):
    for lang, prefix in (("he", ""), ("en", "en/")):
        for slug in ("process", "side-effects", "is-kap-right", "research", "privacy"):
            doc = site.html(f"{prefix}{slug}/index.html")
            links = [a["href"] for a in doc.select("main nav.contents-list a")]
            ids = ["#" + h["id"] for h in doc.select(".prose > h2[id]")]
            assert links == ids and len(links) >= 4, (lang, slug)
        for slug in ("", "faq/", "crisis/"):
            assert not site.html(f"{prefix}{slug}index.html").select("nav.contents-list"), (lang, slug)


def test_the_crisis_page_opens_with_the_urgent_help_card(site):
    for prefix in ("", "en/"):
        doc = site.html(f"{prefix}crisis/index.html")
        card = doc.select_one("main .urgent-help")
        assert card and {a["href"] for a in card.select("a[href^='tel:']")} == {"tel:101", "tel:1201"}
        # It comes before the page's own text.
        assert doc.select_one("main article > .urgent-help + .prose, main article > .urgent-help ~ .prose")


# --- Components from Markdown in a fixture site; the build refuses what it does not know ---

DEMO = """Intro.

::: warning
Before any heading.
:::

## Section one

::: warning Off-label use
Ketamine is not approved for anxiety [@glue2017].
:::

::: inset
Set apart.
:::

::: steps
1. **One**

    The first step.

2. **Two**
:::

::: details What happens next?
The answer.

::: inset
Nested inside.
:::
:::

::: urgent-help
:::

```
::: not-a-component
```
"""


@pytest.fixture(scope="module")
def components_site(tmp_path_factory):
    site = FixtureSite(tmp_path_factory.mktemp("components") / "site")
    for lang in ("he", "en"):
        site.write_page(lang, "demo", page_text("demo", lang, title=f"Demo {lang}", body=DEMO, medical="true"))
        # A page whose address lies under the demo page's (as an article lies under its list).
        prefix = "" if lang == "he" else "en/"
        site.write_page(lang, "part", page_text("part", lang, title=f"Part {lang}", url=f"{prefix}demo/part/",
                                                save_as=f"{prefix}demo/part/index.html"))
    reviewers.approve_fixture(site, "demo")
    build = site.build()
    assert build.returncode == 0, build.log
    return build


def test_markdown_components_render_with_their_templates_in_the_page_language(components_site):
    for prefix, important in (("", "חשוב"), ("en/", "Important")):
        doc = components_site.html(f"{prefix}demo/index.html")
        prose = doc.select_one(".prose")
        callouts = prose.select(".warning-callout")
        # Before any heading the label is an h2; inside "## Section one" it is an h3.
        assert callouts[0].select_one("h2.warning-callout__label").get_text() == important
        label = callouts[1].select_one("h3.warning-callout__label")
        assert label.get_text() == f"{important}: Off-label use"
        assert label.select_one(".visually-hidden").get_text().strip() == f"{important}:"
        assert callouts[1].select_one("sup.cite a[href='#source-1']")  # citations inside still work
        assert prose.select_one(":scope > .inset-text").get_text(strip=True) == "Set apart."
        assert [li.find("strong").get_text() for li in prose.select(".step-path > ol > li")] == ["One", "Two"]
        details = prose.select_one("details.details")
        assert details.select_one("summary .details__heading").get_text() == "What happens next?"
        assert details.select_one(".details__text .inset-text").get_text(strip=True) == "Nested inside."
        urgent = prose.select_one(".urgent-help")
        assert {a["href"] for a in urgent.select("a[href^='tel:']")} == {"tel:101", "tel:1201"}
        assert "::: not-a-component" in prose.select_one("pre code").get_text()  # code stays code
        assert 'class="component' not in str(doc)


def test_breadcrumbs_pass_through_the_pages_an_address_lies_under(components_site):
    for prefix, lang in (("", "he"), ("en/", "en")):
        doc = components_site.html(f"{prefix}demo/part/index.html")
        crumbs = doc.select("nav.breadcrumbs li a")
        assert [(a.get_text(), a["href"]) for a in crumbs] == [
            (crumbs[0].get_text(), f"/{prefix}"), (f"Demo {lang}", f"/{prefix}demo/")]
        assert doc.select_one("nav.breadcrumbs .breadcrumbs__back a")["href"] == f"/{prefix}demo/"


def test_the_review_date_component_shows_a_current_review_and_prints(components_site, tab):
    doc = components_site.html("en/demo/index.html")
    stamp = doc.select_one(".review-date.medical-review")
    assert stamp and "Dr. Test Physician" in stamp.get_text() and str(date.today().year + 1) in stamp.get_text()
    assert stamp.select_one("svg")["aria-hidden"] == "true"
    with serve_directory(components_site.output) as url:
        page = tab(viewport=PHONE)
        page.goto(url + "/en/demo/")
        page.emulate_media(media="print")
        assert page.locator(".review-date").is_visible()


BROKEN = """Intro.

::: warnign
Misspelt.
:::

::: inset A title
Text.
:::

::: details
No summary.
:::

::: steps
Not a list.
:::

::: warning
:::

::: urgent-help
Words.
:::

:::

::: inset
Never closed.
"""


def test_the_build_refuses_an_unknown_or_broken_component_with_file_line_and_fix(tmp_path):
    site = FixtureSite(tmp_path / "site")
    site.write_page("he", "demo", page_text("demo", "he", body="טקסט."))
    site.write_page("en", "demo", page_text("demo", "en", body=BROKEN, home_card="first"))
    build = site.build()
    assert build.returncode == 1
    log = build.log
    where = "content/en/demo.md"
    # Lines of the text as written below; in the file they come after the front matter.
    offset = (site.content / "en" / "demo.md").read_text(encoding="utf-8").splitlines().index(BROKEN.splitlines()[0]) - 6
    expected = [
        (9, "`::: warnign` is not one of the site's components.", "How to fix: Use one of `warning`, `inset`, `steps`, `details`, `urgent-help`"),
        (13, "`::: inset` takes no title", "Write only `::: inset` on this line"),
        (17, "`::: details` needs the words that are shown while it is closed", "`::: details What happens at the assessment?`"),
        (21, "`::: steps` must hold one numbered list and nothing else", "Write the steps as `1. `"),
        (25, "`::: warning` has nothing inside it.", "Put its text between this line and the closing `:::`"),
        (28, "`::: urgent-help` shows its own text", "Leave nothing between"),
        (32, "a line with only `:::` closes nothing", "Remove it"),
        (34, "`::: inset` is opened here and never closed", "Add a line with only `:::` where it ends."),
    ]
    for line, message, fix in expected:
        assert f"{where}:{line + offset}: {message}" in log, (line + offset, message, log[:3000])
        assert fix in log, fix
    assert "`home_card: first` is not a whole number." in log
    assert not (site.base / "output" / "en" / "demo").exists()


def test_a_card_in_one_language_only_is_reported(tmp_path):
    site = FixtureSite(tmp_path / "site")
    site.write_page("he", "demo", page_text("demo", "he", home_card="1"))
    site.write_page("en", "demo", page_text("demo", "en"))
    build = site.build()
    assert build.returncode == 1
    assert "content/en/demo.md:1: the page 'demo' is a card on the home page in he but not in en." in build.log


# --- Instant navigation ------------------------------------------------------------------

@pytest.fixture(scope="module")
def preview(site):
    """The site behind the preview server, with production's headers (deploy/policy.yml), and
    every request it answered."""
    seen = []
    app = devserver.make_app(site.output, None, devserver.preview_headers())

    def logged(environ, start_response):
        seen.append((environ.get("PATH_INFO"), environ.get("HTTP_SEC_PURPOSE")))
        return app(environ, start_response)

    from wsgiref.simple_server import make_server
    server = make_server("127.0.0.1", 0, logged, server_class=devserver._ThreadingWSGIServer,
                         handler_class=devserver._QuietHandler)
    serve_in_background(server)
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_pages_name_same_site_speculation_rules_in_a_header_the_csp_allows(preview):
    url, _ = preview
    with urllib.request.urlopen(url + "/en/") as response:
        assert response.headers["Speculation-Rules"] == f'"{RULES_PATH}"'
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    with urllib.request.urlopen(url + RULES_PATH) as response:
        assert response.headers["Content-Type"].split(";")[0] == "application/speculationrules+json"
        rules = json.loads(response.read())
    patterns = re.findall(r'"href_matches":\s*"([^"]+)"', json.dumps(rules))
    assert patterns and all(p.startswith("/") and not p.startswith("//") for p in patterns)
    assert set(rules) == {"prefetch"}  # fetched only, never run ahead (prerender) on the reader's phone


def test_a_page_is_prefetched_when_the_reader_is_about_to_open_it(preview, tab):
    url, seen = preview
    page = tab(viewport=DESKTOP)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    cdp = page.context.new_cdp_session(page)
    ready = []
    cdp.on("Preload.prefetchStatusUpdated",
           lambda event: ready.append(event["prefetchUrl"]) if event.get("status") == "Ready" else None)
    cdp.send("Preload.enable")
    page.goto(url + "/en/")
    link = page.locator(".card__link").nth(2)
    target = url + link.get_attribute("href")
    assert not [path for path, purpose in seen if purpose == "prefetch"]  # nothing before the intent
    link.hover()
    # Wait for the browser to report the prefetch ready (each call lets Playwright deliver the
    # browser's events); a bound, not a timing: the test fails if it never comes.
    deadline = time.monotonic() + 20
    while target not in ready and time.monotonic() < deadline:
        page.evaluate("1")
    assert target in ready, seen
    assert ("/en/process/", "prefetch") in seen
    link.click()
    page.wait_for_url(target)
    assert page.evaluate("performance.getEntriesByType('navigation')[0].deliveryType") == "navigational-prefetch"
    assert all(address.startswith(url) for address in requested), requested
