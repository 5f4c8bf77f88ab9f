"""axe-core, in real Chromium, finds no WCAG 2.1 A or AA violation on any page of the site, in
Hebrew and in English, in the light and the dark colour scheme, nor on the signup form while it
shows its errors.

Every page is checked at a phone's width, where every page has the same one-column layout;
each page type (the templates: home, content page, FAQ, signup form, articles list, article)
is checked at a desktop's width as well. Every rule runs in the light scheme. The dark scheme
changes colours only (the same HTML, the same layout), so there the rules that read colours run:
colour contrast, and links in text told apart by more than colour. Each page is checked as it
opens, with every disclosure closed; each page type at a phone's width with every disclosure
open as well (the menu, the FAQ's answers), in both schemes."""

import pytest

from tests.support.sites import ROOT, front_matter

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The WCAG A/AA rules whose result depends on colours (and so on the colour scheme).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
RUN_AXE = """(only) => axe.run(document, {runOnly: only, resultTypes: ['violations']})
  .then((r) => ({applied: r.passes.concat(r.violations).map((v) => v.id), violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary}))}))}))"""
EVERY_RULE = {"type": "tag", "values": WCAG_TAGS}
COLOURS = {"type": "rule", "values": COLOUR_RULES}
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
SIGNUP_PAGES = ["/signup/", "/en/signup/"]


def _an_article():
    files = sorted((ROOT / "content" / "en" / "articles").glob("*.md"))
    assert files, "the site has no article"
    return front_matter(files[-1])["slug"]


PAGE_TYPES = ["", "anxiety/", "faq/", "signup/", "articles/", f"articles/{_an_article()}/"]


def _report(where, violations):
    lines = [f"{len(violations)} axe violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {' '.join(node['summary'].split())}")
    return "\n".join(lines)


def _url_paths(site):
    return ["/" + name.removesuffix("index.html") for name in site.pages() if not name.startswith("theme/")]


def _audit(page, url, open_disclosures):
    """axe on the page at `url`: every rule in the light scheme as the page opens, then the
    colour rules in the dark scheme; with `open_disclosures`, the colour rules again in both
    schemes with every disclosure open. Returns [(state, violations)], and what went wrong with
    the checks themselves."""
    page.emulate_media(color_scheme="light")
    page.goto(url)
    states = [("light", EVERY_RULE), ("dark", COLOURS)]
    found, faults = [], []
    for number, (scheme, rules) in enumerate(states):
        if number == 2:
            opened = page.evaluate(OPEN_EVERY_DISCLOSURE)
            if not opened:
                faults.append(f"{url}: no disclosure to open")
        page.emulate_media(color_scheme=scheme)
        if page.evaluate(BACKGROUND_IS_DARK) != (scheme == "dark"):
            faults.append(f"{url}: the page is not in the {scheme} colour scheme")
        result = page.evaluate(RUN_AXE, rules)
        if "color-contrast" not in result["applied"]:
            faults.append(f"{url}: axe's colour contrast rule did not run ({scheme})")
        found.append((scheme if number < 2 else f"{scheme}, disclosures open", result["violations"]))
        if number == 1 and open_disclosures:
            states += [("light", COLOURS), ("dark", COLOURS)]
    return found, faults


@pytest.fixture
def axe_tab(page):
    """A tab that has axe in every page it loads, before the page's own scripts (as a browser
    extension would be)."""
    assert AXE.is_file(), "npm install (package.json) puts axe-core into node_modules"
    page.add_init_script(path=str(AXE))
    return page


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_axe_finds_no_wcag_violation_in_either_colour_scheme(site, site_url, axe_tab, viewport):
    every_page = _url_paths(site)
    types = [prefix + path for path in PAGE_TYPES for prefix in ("/", "/en/")]
    assert "/" in every_page and "/en/" in every_page and len(every_page) >= 20
    assert set(types) <= set(every_page), set(types) - set(every_page)
    page = axe_tab
    page.set_viewport_size(PHONE if viewport == "phone" else DESKTOP)
    failures, faults = [], []
    for path in every_page if viewport == "phone" else types:
        # With the menu and the FAQ's answers open: once per page type (the same parts on every page).
        found, problems = _audit(page, site_url + path, open_disclosures=viewport == "phone" and path in types)
        faults += problems
        failures += [_report(f"{path} ({state}, {viewport})", violations) for state, violations in found if violations]
    assert not faults, faults
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("path", SIGNUP_PAGES)
def test_axe_finds_no_violation_on_the_signup_form_showing_its_errors(site_url, page, path):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + path)
    form = page.locator("main form")
    assert form.count() == 1, f"no signup form on {path}"
    # The form's submit button (a <button> without a type is a submit button).
    form.locator("button:not([type=button]):not([type=reset]), input[type=submit]").first.click()
    # The script marks every empty required field invalid and shows what to fix.
    page.wait_for_selector("main form [aria-invalid=true]", timeout=5000)
    assert page.url.split("#")[0] == site_url + path, "the empty form must not be sent"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE, EVERY_RULE)["violations"]
    assert not violations, _report(path + " (form showing errors)", violations)
    assert not errors, errors
