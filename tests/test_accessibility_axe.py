"""axe-core, in real Chromium, finds no WCAG 2.1 A or AA violation on the signup form while it
shows its errors, in Hebrew and in English. (Every page of the site, in both colour schemes:
test_every_page.py.)"""

import pytest

from tests.support.sites import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then((r) => ({violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary}))}))}))"""
SIGNUP_PAGES = ["/signup/", "/en/signup/"]


def _report(path, violations):
    lines = [f"{len(violations)} axe violation(s) on {path}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {' '.join(node['summary'].split())}")
    return "\n".join(lines)


@pytest.mark.parametrize("path", SIGNUP_PAGES)
def test_axe_finds_no_violation_on_the_signup_form_showing_its_errors(site_url, page, path):
    assert AXE.is_file(), "npm install (package.json) puts axe-core into node_modules"
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
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)["violations"]
    assert not violations, _report(path + " (form showing errors)", violations)
    assert not errors, errors
