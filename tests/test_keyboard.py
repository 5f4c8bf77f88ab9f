"""Keyboard only, in real Chromium: Tab reaches every link, button and field of a page exactly
once, in the order the page reads (skip link, site name, language switcher, menu, main content,
footer; on a desktop the aside beside the page between the page and the footer), each with a
focus ring a reader can see. (The signup form filled in and sent without a
mouse: test_signup_form.py.)"""

import pytest

CONTENT_PAGES = ["/anxiety/", "/en/anxiety/", "/", "/en/"]
SIGNUP_PAGES = ["/signup/", "/en/signup/"]

# Every element a keyboard user should be able to reach, in DOM order, as Chromium's Tab key
# does it: a radio group is one stop (its checked radio, else its first one when moving
# forwards; the arrow keys move within it).
TABBABLES = """() => {
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, ' +
    '[contenteditable=""], [contenteditable=true], [tabindex]';
  const seenGroups = new Set();
  const list = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.tabIndex < 0 || el.disabled || (el.tagName === 'INPUT' && el.type === 'hidden')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (el.tagName === 'INPUT' && el.type === 'radio' && el.name) {
      if (seenGroups.has(el.name)) continue;
      seenGroups.add(el.name);
      const group = Array.from(el.form ? el.form.elements : document.querySelectorAll('input[type=radio]'))
        .filter((r) => r.type === 'radio' && r.name === el.name);
      list.push(group.find((r) => r.checked) || el);
      continue;
    }
    list.push(el);
  }
  window.__tabbables = list;
  return list.length;
}"""

# Where focus is now: its index in the expected list, how it looks, and where it sits.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const region = el.closest('header') ? 'header' : el.closest('main') ? 'main' : el.closest('aside.page-aside') ? 'aside'
    : el.closest('footer') ? 'footer' : el.closest('body') && el !== document.body ? 'other' : 'none';
  return {
    index: (window.__tabbables || []).indexOf(el),
    body: el === document.body || el === document.documentElement,
    describe: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : '') +
      (el.name ? '[name=' + el.name + ']' : '') + (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : ''),
    classes: String(el.className),
    tag: el.tagName, type: el.type || '', name: el.name || '', region,
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    // A card's ring is drawn by its link's ::after, the area stretched over the whole card.
    afterOutlineStyle: getComputedStyle(el, '::after').outlineStyle,
    afterOutlineWidth: parseFloat(getComputedStyle(el, '::after').outlineWidth) || 0,
    boxShadow: style.boxShadow,
    inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight &&
      box.right > 0 && box.left < innerWidth,
  };
}"""


def _walk(page):
    """Tab from the top of the page until focus leaves the page; every stop, in order."""
    expected = page.evaluate(TABBABLES)
    assert expected > 5
    stops = []
    for _ in range(expected + 5):  # bounded: a trap or a repeat shows up as extra stops
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["body"]:
            break
        stops.append(focused)
        if len(stops) > 1 and focused["index"] == stops[0]["index"]:
            break  # wrapped round to the start
    return expected, stops


def _assert_walk(path, expected, stops):
    order = [s["index"] for s in stops]
    names = [s["describe"] for s in stops]
    assert -1 not in order, f"{path}: focus stopped on something that should not take it: " + \
        str([s["describe"] for s in stops if s["index"] == -1])
    assert len(set(order)) == len(order), f"{path}: an element was reached twice: {names}"
    assert order == list(range(expected)), f"{path}: Tab order {order} is not the page's order ({expected} stops): {names}"
    # The order a reader expects: skip link, site name, the clinic's phone, other languages, menu,
    # page, aside (desktop), footer. Every stop is inside a landmark, the skip link too.
    assert "skip-link" in stops[0]["classes"], names[:3]
    assert "site-name" in stops[1]["classes"], names[:3]
    regions = [s["region"] for s in stops[1:]]
    assert "other" not in regions and "none" not in regions, names
    assert stops[0]["region"] == "header", names[:3]
    rank = {"header": 0, "main": 1, "aside": 2, "footer": 3}
    assert [rank[r] for r in regions] == sorted(rank[r] for r in regions), f"{path}: {list(zip(regions, names[1:]))}"
    assert {"header", "main", "footer"} <= set(regions)
    for stop in stops:
        visible_ring = ((stop["outlineStyle"] != "none" and stop["outlineWidth"] >= 2) or stop["boxShadow"] != "none"
                        or (stop["afterOutlineStyle"] != "none" and stop["afterOutlineWidth"] >= 2))
        assert visible_ring, f"{path}: no visible focus indicator on {stop['describe']}: {stop}"
        assert stop["inView"], f"{path}: {stop['describe']} is focused but off screen"


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
@pytest.mark.parametrize("path", CONTENT_PAGES + SIGNUP_PAGES)
def test_tab_reaches_every_control_once_in_reading_order_with_a_visible_focus(page, site_url, path, viewport):
    page.set_viewport_size(viewport)
    page.goto(site_url + path)
    expected, stops = _walk(page)
    _assert_walk(path, expected, stops)
    assert "header-call" in stops[2]["classes"], [s["describe"] for s in stops[:4]]  # the phone, one tap away
    assert ("aside" in {s["region"] for s in stops}) == (viewport["width"] >= 1024), path
    if path in SIGNUP_PAGES:
        form_stops = [s for s in stops if s["tag"] in ("INPUT", "TEXTAREA", "SELECT", "BUTTON")]
        kinds = {(s["tag"], s["type"]) for s in form_stops}
        assert ("BUTTON", "submit") in kinds and ("INPUT", "checkbox") in kinds, f"{path}: no signup form controls: {kinds}"


# The signup form filled in and sent with the keyboard alone, in both languages, to the real
# receiver (every stop of the form in order, no script error, focus on the confirmation):
# test_signup_form.py, test_completed_with_the_keyboard_alone.
