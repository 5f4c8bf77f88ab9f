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
# closed: test_design.py, test_no_page_scrolls_sideways_at_320_px_menu_open_or_closed.
