"""axe-core, in real Chromium, finds no WCAG 2.1 A or AA violation on the signup form while it
shows its errors, in Hebrew and in English. (Every page of the site, in both colour schemes:
test_every_page.py.)"""

import pytest

from tests.support import axe

SIGNUP_PAGES = ["/signup/", "/en/signup/"]


@pytest.mark.parametrize("path", SIGNUP_PAGES)
def test_axe_finds_no_violation_on_the_signup_form_showing_its_errors(site_url, page, path):
    assert axe.SCRIPT.is_file(), "npm install (package.json) puts axe-core into node_modules"
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
    page.add_script_tag(path=str(axe.SCRIPT))
    violations = axe.run(page)["violations"]
    assert not violations, axe.report(path + " (form showing errors)", violations)
    assert not errors, errors
