"""The signup form end to end, in both languages: a real Pelican build whose form posts to the
project's own receiver on 127.0.0.1 (told to fail where a test needs it), driven in real
Chromium, with and without JavaScript. Counts are of what the receiver really kept.

What the form says is the page's: every message, label and button of both languages is checked
in the built pages (test_development_build_posts_to_the_local_receiver). Sending, and every way
sending can fail, is the one script's, whatever the language: each failure is driven once, in
one language or the other, so that each language meets failures live as well."""

import http.server
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml
from playwright.sync_api import expect

from tests.support.browser import serve_directory
from tests.support.receiver import Endpoint
from tests.support.sites import NO_CACHE, ROOT, Build, project_settings, run_pelican

from keter_site.signup_form import origin_of
from keter_site.signup_form import problems as signup_problems
from keter_tools import form_receiver

LANGS = ("he", "en")
PREFIX = {"he": "", "en": "/en"}
# The test site's script gives up after this long (the real default is 15 s), so the timeout
# case does not wait 15 s; it is far above what a post to 127.0.0.1 takes.
TIMEOUT_MS = 5000
WAIT = 20000  # ms: the most Playwright waits for what the page should come to show
STRINGS = {lang: yaml.safe_load((ROOT / "theme" / "strings" / f"{lang}.yml").read_text(encoding="utf-8"))
           for lang in LANGS}
CLINIC = yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))
SUBMIT = ".signup-form__submit"  # not by type="submit", which the HTML minifier drops as the default

# What a person types; Hebrew (and an emoji) in both, to see UTF-8 survive end to end.
PEOPLE = {
    "he": {"name": "דנה כהן-לוי", "phone": "050-123-4567", "email": "dana@example.com", "language": "en",
           "call_time": "morning", "message": "שלום, אפשר להתקשר אחרי ארבע? תודה 🙏"},
    "en": {"name": "Dana Cohen", "phone": "+972 50 123 4567", "email": "dana@example.com", "language": "he",
           "call_time": "afternoon", "message": "After 4 pm please. שלום"},
}


def _title(slug, lang):
    for line in (ROOT / "content" / lang / f"{slug}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("title:"):
            return line.partition(":")[2].strip()
    raise AssertionError(f"content/{lang}/{slug}.md has no title")


def expected_fields(lang, person):
    return {**person, "consent": "yes", "_gotcha": "", "_next": f"{PREFIX[lang]}/signup-thanks/"}


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    receiver = Endpoint(tmp_path_factory.mktemp("receiver") / "signups.jsonl")
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def form_build(endpoint, tmp_path_factory):
    """The real site, built to post to the test receiver (through the environment variable, as a
    deployment would) with a short script timeout."""
    # A second -e replaces the first one's settings, so the no-cache settings are repeated.
    build = run_pelican(ROOT / "pelicanconf.py", tmp_path_factory.mktemp("signup-site") / "output",
                        *NO_CACHE, f"SIGNUP_TIMEOUT_MS={TIMEOUT_MS}", env={"SIGNUP_ENDPOINT": endpoint.url})
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="session")
def form_site(form_build):
    with serve_directory(form_build.output) as url:
        yield url


@pytest.fixture
def receiver(endpoint):
    endpoint.start_again()
    endpoint.server.clear()
    yield endpoint
    endpoint.start_again()  # a test that stopped it and failed must not break the next one
    endpoint.server.clear()


def open_form(page, form_site, lang):
    page.goto(f"{form_site}{PREFIX[lang]}/signup/")
    expect(page.locator("#signup-form")).to_be_visible()
    return page


def fill(page, person):
    page.fill("#signup-name", person["name"])
    page.fill("#signup-phone", person["phone"])
    page.fill("#signup-email", person["email"])
    page.check(f"#signup-language-{person['language']}")
    page.check(f"#signup-time-{person['call_time']}")
    page.fill("#signup-message", person["message"])
    page.check("#signup-consent")


def expect_sent(page):
    success = page.locator("#signup-success")
    expect(success).to_be_visible(timeout=WAIT)
    expect(success).to_be_focused()
    expect(page.locator("#signup-form")).to_be_hidden()


def submit_and_land(page, javascript, thank_you):
    """Send the form: with its script the page says it was sent; without, the browser lands on
    the thank-you page."""
    page.click(SUBMIT)
    if javascript:
        expect_sent(page)
    else:
        page.wait_for_url(thank_you, timeout=WAIT)


def expect_not_sent(page, lang, reason, person):
    """The failure is said in the page's language, with the clinic's phone, the form offers to
    try again, and every value the person typed is still in place."""
    strings = STRINGS[lang]
    failure = page.locator("#signup-failure")
    expect(failure).to_be_visible(timeout=WAIT)
    expect(failure).to_be_focused()
    expect(failure.locator("h3")).to_have_text(strings["signup.failed_heading"])
    expect(failure.locator("[data-signup-reason]")).to_have_text(strings[reason])
    expect(failure.locator("a[href^='tel:']")).to_have_attribute("href", f"tel:{CLINIC['phone_international']}")
    expect(page.locator(SUBMIT)).to_have_text(strings["signup.retry"])
    expect(page.locator(SUBMIT)).not_to_have_attribute("aria-disabled", "true")
    for field in ("name", "phone", "email", "message"):
        expect(page.locator(f"#signup-{field}")).to_have_value(person[field])
    expect(page.locator(f"#signup-language-{person['language']}")).to_be_checked()
    expect(page.locator(f"#signup-time-{person['call_time']}")).to_be_checked()
    expect(page.locator("#signup-consent")).to_be_checked()


# --- What every build gives -----------------------------------------------------------------

def test_development_build_posts_to_the_local_receiver(site):
    for lang in LANGS:
        html = site.html(f"{PREFIX[lang]}/signup/index.html".lstrip("/"))
        form = html.select_one("form#signup-form")
        assert form["action"] == "http://127.0.0.1:8001/signup"
        assert form["method"] == "post"
        assert form["data-timeout-ms"] == "15000"
        assert html.select_one("input[name=_next]")["value"] == f"{PREFIX[lang]}/signup-thanks/"
        # One script, from the site itself, deferred; no inline code (JSON-LD data is not code).
        scripts = [s for s in html.select("script") if s.get("type") != "application/ld+json"]
        assert [s.get("src", "").rsplit(".", 2)[0] for s in scripts] == ["/theme/js/signup-form"]
        assert all(s.has_attr("defer") and not s.string for s in scripts)
        assert not html.select("[style]") and not [t for t in html.find_all(True) if any(a.startswith("on") for a in t.attrs)]
        # Every label, message and button in the page's language, from the UI strings.
        strings = STRINGS[lang]
        assert form.select_one("label[for=signup-name]").get_text(" ", strip=True).startswith(strings["signup.name_label"])
        assert form.select_one("#signup-phone")["data-error-format"] == strings["signup.error_phone_format"]
        # What the script says while sending and when sending fails, for each way it can fail.
        for reason in ("timeout", "server", "rejected", "network"):
            assert form[f"data-msg-{reason}"] == strings[f"signup.failed_{reason}"], reason
        assert form["data-msg-sending"] == strings["signup.sending"]
        assert form.select_one(SUBMIT)["data-label-retry"] == strings["signup.retry"]
        failure = form.select_one("#signup-failure")
        assert failure.select_one("h3").get_text(strip=True) == strings["signup.failed_heading"]
        assert failure.select_one("a[href^='tel:']")["href"] == f"tel:{CLINIC['phone_international']}"
        assert form.select_one(SUBMIT).get_text(strip=True) == strings["signup.submit"]
        # The privacy notice beside the consent box, linking to the policy in the same language.
        assert form.select_one("#signup-consent")["aria-describedby"] == "signup-privacy"
        assert form.select_one("#signup-privacy a")["href"] == f"{PREFIX[lang]}/privacy/"
        # The thank-you page: crisis numbers as left-to-right phone links.
        thanks = site.html(f"{PREFIX[lang]}/signup-thanks/index.html".lstrip("/"))
        assert {a["href"] for a in thanks.select(".prose a[dir=ltr]")} >= {"tel:1201", "tel:101"}


def test_every_other_page_calls_to_the_signup_page_in_its_language(site):
    settings = project_settings()
    quiet = {settings.SPECIAL_PAGES[role] for role in settings.NO_SIGNUP_CTA}
    assert {"signup-thanks", "privacy", "accessibility", "crisis", "disclaimer", "404"} <= quiet
    for path in site.pages():
        slug = path.removeprefix("en/").split("/")[0].removesuffix(".html")
        if slug in quiet - {"signup"}:
            # Right after sending, on the legal pages and where someone looks for crisis help,
            # a "leave your details" call would only confuse or pressure.
            assert not site.html(path).select("aside.cta"), path
            continue
        if "/signup/" in f"/{path}" or path.startswith("theme/"):
            continue
        html = site.html(path)
        lang = html.html["lang"]
        assert html.select_one(f"aside.cta a[href='{PREFIX[lang]}/signup/']"), path
        assert not html.select("script[src*=signup-form]"), path


def test_fields_are_labelled_and_described_for_assistive_technology(page, form_site):
    open_form(page, form_site, "he")
    form = page.locator("#signup-form")
    for field, autocomplete in (("name", "name"), ("phone", "tel"), ("email", "email")):
        expect(form.locator(f"#signup-{field}")).to_have_attribute("autocomplete", autocomplete)
    for field in ("phone", "email"):
        expect(form.locator(f"#signup-{field}")).to_have_attribute("dir", "ltr")
    expect(form.locator("#signup-phone")).to_have_attribute("inputmode", "tel")
    assert form.locator("fieldset legend").count() == 2
    # Required and optional are said in words.
    expect(form.locator("label[for=signup-name]")).to_contain_text(STRINGS["he"]["signup.required"])
    expect(form.locator("label[for=signup-message]")).to_contain_text(STRINGS["he"]["signup.optional"])
    # 44px targets: inputs, the rows of radios and checkbox, the button.
    for selector in ("#signup-name", "#signup-phone", "#signup-email", ".signup-form__choice", SUBMIT):
        for box in [el.bounding_box() for el in form.locator(selector).all()]:
            assert box["height"] >= 44, (selector, box)
    # The honeypot: not seen, not reachable with Tab, not read out.
    trap = page.locator("#signup-gotcha")
    expect(trap).to_be_hidden()
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")
    expect(page.locator(".signup-form__trap")).to_have_attribute("aria-hidden", "true")


# axe on the form, as the page opens and while it shows its errors, in both languages:
# test_accessibility_axe.py (the whole signup page each time).


# --- Sending: the fault matrix ----------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_success_keeps_exactly_one_record_with_every_field(page, form_site, receiver, lang):
    open_form(page, form_site, lang)
    fill(page, PEOPLE[lang])
    page.click(SUBMIT)
    expect_sent(page)
    expect(page.locator("#signup-success h3")).to_have_text(STRINGS[lang]["signup.success_heading"])
    records = receiver.records()
    assert len(records) == 1
    assert records[0]["fields"] == expected_fields(lang, PEOPLE[lang])
    assert receiver.server.posts == 1
    # Stored as UTF-8 text, Hebrew readable as written.
    assert PEOPLE[lang]["message"] in receiver.store.read_bytes().decode("utf-8")


@pytest.mark.parametrize("status, reason, lang", [(500, "signup.failed_server", "he"),
                                                  (422, "signup.failed_rejected", "en")])
def test_refused_post_keeps_the_input_and_a_retry_sends_it_once(page, form_site, receiver, lang, status, reason):
    receiver.server.fail(status)
    open_form(page, form_site, lang)
    fill(page, PEOPLE[lang])
    page.click(SUBMIT)
    expect_not_sent(page, lang, reason, PEOPLE[lang])
    assert receiver.records() == []
    page.click(SUBMIT)
    expect_sent(page)
    records = receiver.records()
    assert len(records) == 1 and records[0]["fields"] == expected_fields(lang, PEOPLE[lang])
    assert receiver.server.posts == 2


@pytest.fixture
def clocked_page(browser):
    """A tab whose clock the test moves on (a clock is installed in a whole context: this test's
    own)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["en"])
def test_timeout_keeps_the_input_and_a_retry_sends_it_once(clocked_page, form_site, receiver, lang):
    page = clocked_page
    receiver.server.stall()
    # The page's own clock: the form's timeout is reached by moving the clock on, not by waiting.
    page.clock.install()
    open_form(page, form_site, lang)
    fill(page, PEOPLE[lang])
    page.click(SUBMIT)
    expect(page.locator(SUBMIT)).to_have_attribute("aria-disabled", "true")  # sending, no answer
    page.clock.run_for(TIMEOUT_MS)
    expect_not_sent(page, lang, "signup.failed_timeout", PEOPLE[lang])
    assert receiver.records() == []
    receiver.server.release()
    page.click(SUBMIT)
    expect_sent(page)
    assert [r["fields"] for r in receiver.records()] == [expected_fields(lang, PEOPLE[lang])]


@pytest.mark.parametrize("lang", ["he"])
def test_connection_refused_keeps_the_input_and_a_retry_sends_it_once(page, form_site, receiver, lang):
    open_form(page, form_site, lang)
    fill(page, PEOPLE[lang])
    receiver.stop()
    page.click(SUBMIT)
    expect_not_sent(page, lang, "signup.failed_network", PEOPLE[lang])
    assert receiver.records() == []
    receiver.start_again()
    page.click(SUBMIT)
    expect_sent(page)
    assert [r["fields"] for r in receiver.records()] == [expected_fields(lang, PEOPLE[lang])]


def test_filled_honeypot_is_answered_but_not_kept(page, form_site, receiver):
    open_form(page, form_site, "he")
    fill(page, PEOPLE["he"])
    page.evaluate("document.getElementById('signup-gotcha').value = 'http://spam.example/'")  # as a bot would
    page.click(SUBMIT)
    expect_sent(page)
    assert receiver.server.posts == 1
    assert receiver.records() == []
    # A bot posting without the page is redirected like a person, to its language's page, and
    # dropped too.
    for lang in LANGS:
        request = urllib.request.Request(
            receiver.url, method="POST",
            data=urllib.parse.urlencode({**expected_fields(lang, PEOPLE[lang]), "_gotcha": "x"}).encode(),
            headers={"Origin": form_site})
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(request, timeout=10)
        assert answer.value.code == 303
        assert answer.value.headers["Location"] == f"{form_site}{PREFIX[lang]}/signup-thanks/"
    assert receiver.records() == []


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize("lang", LANGS)
def test_missing_and_invalid_answers_are_explained_in_the_page_language(page, form_site, receiver, lang):
    strings = STRINGS[lang]
    open_form(page, form_site, lang)
    title = page.title()
    page.evaluate("document.querySelectorAll('[name=language]').forEach(r => { r.checked = false; })")
    page.click(SUBMIT)
    summary = page.locator("#signup-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator("h3")).to_have_text(strings["signup.error_summary_title"])
    # E-mail is optional: the phone is how the clinic makes contact.
    missing = {"name": "signup.error_name_required", "phone": "signup.error_phone_required",
               "language": "signup.error_language_required", "consent": "signup.error_consent_required"}
    expect(summary.locator("a")).to_have_text([strings[key] for key in missing.values()])
    for field, key in missing.items():
        error = page.locator(f"#signup-{field}-error")
        expect(error).to_be_visible()
        expect(error).to_have_text(f"{strings['signup.error_prefix']} {strings[key]}")
        target = page.locator(f"#signup-{field}")
        assert f"signup-{field}-error" in target.get_attribute("aria-describedby").split()
        if field != "language":  # a fieldset is described by the message, its radios stay as they are
            expect(target).to_have_attribute("aria-invalid", "true")
    # The hint is still read first, then the problem.
    expect(page.locator("#signup-phone")).to_have_attribute("aria-describedby", "signup-phone-hint signup-phone-error")
    assert page.title() == f"{strings['signup.error_prefix']} {title}"
    # Each summary link takes the keyboard to its field.
    summary.locator("a").nth(1).click()
    expect(page.locator("#signup-phone")).to_be_focused()
    summary.locator("a").nth(2).click()
    expect(page.locator("#signup-language-he")).to_be_focused()
    expect(page.locator("#signup-email")).not_to_have_attribute("aria-invalid", "true")

    # Wrong formats get their own message; what was right is no longer marked.
    person = PEOPLE[lang]
    fill(page, {**person, "phone": "050-123-456", "email": "dana@"})
    page.click(SUBMIT)
    expect(summary.locator("a")).to_have_text([strings["signup.error_phone_format"], strings["signup.error_email_format"]])
    expect(summary).to_be_focused()
    expect(page.locator("#signup-name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#signup-name-error")).to_have_count(0)
    assert receiver.server.posts == 0 and receiver.records() == []

    page.fill("#signup-phone", person["phone"])
    page.fill("#signup-email", person["email"])
    page.click(SUBMIT)
    expect_sent(page)
    assert page.title() == title
    assert [r["fields"] for r in receiver.records()] == [expected_fields(lang, person)]


def test_israeli_phone_formats(page, form_site):
    open_form(page, form_site, "en")
    check = """(values) => values.map(v => {
        const input = document.getElementById('signup-phone');
        input.value = v;
        return input.validity.valid;
    })"""
    good = ["050-123-4567", "0501234567", "+972 50 123 4567", "+972-50-123-4567", "+972501234567",
            "00972 50 123 4567", "+972 050 123 4567", "03-123-4567", "02 123 4567", "+972 3 123 4567",
            "072-123-4567", " 054 - 123 - 4567 "]
    bad = ["12345", "050-123-456", "050-123-45678", "+1 555 123 4567", "06-123-4567", "050.123.4567",
           "phone", "050-123-4567 ext 2"]
    assert page.evaluate(check, good) == [True] * len(good)
    assert page.evaluate(check, bad) == [False] * len(bad)


@pytest.mark.parametrize("lang", ["en"])
def test_double_click_and_repeated_enter_send_once(page, form_site, receiver, lang):
    receiver.server.hold()  # the first post waits, so the later clicks happen while it is on its way
    open_form(page, form_site, lang)
    fill(page, PEOPLE[lang])
    page.dblclick(SUBMIT)
    button = page.locator(SUBMIT)
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(button).to_be_focused()
    expect(page.locator("[data-signup-status]")).to_have_text(STRINGS[lang]["signup.sending"])
    button.click(force=True)
    page.keyboard.press("Enter")
    page.locator("#signup-name").press("Enter")
    receiver.server.release()
    expect_sent(page)
    assert receiver.server.posts == 1
    assert len(receiver.records()) == 1


def _tab(page, limit=80, until=None):
    """Press Tab (a bounded number of times until `until` holds); the focused element's id."""
    for _ in range(limit if until else 1):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
        if not until or until(focused):
            return focused
    raise AssertionError("Tab never reached the field")


@pytest.mark.parametrize("lang", LANGS)
def test_completed_with_the_keyboard_alone(page, form_site, receiver, lang):
    person = {**PEOPLE[lang], "language": lang, "call_time": "morning"}
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_form(page, form_site, lang)
    assert _tab(page, until=lambda focused: focused == "signup-name") == "signup-name"
    page.keyboard.type(person["name"])
    assert _tab(page) == "signup-phone"
    page.keyboard.type(person["phone"])
    assert _tab(page) == "signup-email"
    page.keyboard.type(person["email"])
    assert _tab(page) == f"signup-language-{lang}"  # the page's language, already chosen
    assert _tab(page) == "signup-time-any"
    page.keyboard.press("ArrowDown")
    expect(page.locator("#signup-time-morning")).to_be_checked()
    assert _tab(page) == "signup-message"
    page.keyboard.type(person["message"])
    assert _tab(page) == "A"  # the privacy policy, which opens in a new tab
    assert _tab(page) == "signup-consent"
    page.keyboard.press("Space")
    assert _tab(page) == "BUTTON"
    page.keyboard.press("Enter")
    expect_sent(page)  # focus moves to the confirmation, so a screen reader announces it
    assert [r["fields"] for r in receiver.records()] == [expected_fields(lang, person)]
    assert not errors, errors


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_a_plain_post_lands_on_the_thank_you_page(no_script_page, form_site, receiver, lang):
    page = no_script_page
    open_form(page, form_site, lang)
    fill(page, PEOPLE[lang])
    page.click(SUBMIT)
    page.wait_for_url(f"{form_site}{PREFIX[lang]}/signup-thanks/", timeout=WAIT)
    expect(page.locator("h1")).to_have_text(_title("signup-thanks", lang))
    assert page.locator("html").get_attribute("lang") == lang
    records = receiver.records()
    assert len(records) == 1
    assert records[0]["fields"] == expected_fields(lang, PEOPLE[lang])


def test_a_draft_lives_in_session_storage_only_and_is_cleared_once_sent(page, form_site, receiver):
    person = PEOPLE["he"]
    open_form(page, form_site, "he")
    page.fill("#signup-name", person["name"])
    page.fill("#signup-message", person["message"])
    page.check("#signup-time-morning")
    page.goto(form_site + "/en/")  # away and back: a fresh page, which the browser does not refill
    open_form(page, form_site, "he")
    expect(page.locator("#signup-name")).to_have_value(person["name"])
    expect(page.locator("#signup-message")).to_have_value(person["message"])
    expect(page.locator("#signup-time-morning")).to_be_checked()
    assert page.evaluate("localStorage.length") == 0
    assert page.context.cookies() == []
    draft = json.loads(page.evaluate("sessionStorage.getItem('signup-draft:/signup/')"))
    assert draft["name"] == person["name"] and "_gotcha" not in draft
    fill(page, person)
    page.click(SUBMIT)
    expect_sent(page)
    assert page.evaluate("sessionStorage.length") == 0
    assert len(receiver.records()) == 1


# --- The endpoint setting -----------------------------------------------------------------------

def test_publish_build_refuses_an_http_endpoint(tmp_path):
    build = run_pelican(ROOT / "publishconf.py", tmp_path / "out",
                        env={"SIGNUP_ENDPOINT": "http://forms.example/f/abc", "ALLOW_STALE_TRANSLATIONS": "1"})
    assert build.returncode != 0
    assert ("publishconf.py: SIGNUP_ENDPOINT 'http://forms.example/f/abc' is not https: people's details "
            "would travel unencrypted") in build.log
    assert "How to fix: Set the environment variable SIGNUP_ENDPOINT to the form service's https address" in build.log
    assert not (tmp_path / "out" / "signup").exists()


@pytest.mark.parametrize("endpoint, reason", [
    ("https://forms.example.test/f;script-src *", "contains a character that would break the security headers"),
    ('https://forms.example.test/f"onload=x', "contains a character that would break the security headers"),
    ("https://127.0.0.1:8443/signup", "is not on a public host name"),
    ("https://localhost/signup", "is not on a public host name"),
])
def test_publish_build_refuses_an_endpoint_that_could_break_headers_or_is_not_public(endpoint, reason):
    # The check a publish build runs on SIGNUP_ENDPOINT (how it stops the build: the test above).
    messages = [problem.message for problem in signup_problems(endpoint, require_https=True)]
    assert [m for m in messages if m.startswith(f"SIGNUP_ENDPOINT '{endpoint}' {reason}")], messages


def test_publish_build_refuses_a_missing_endpoint():
    problem, = signup_problems("", require_https=True)
    message, fix = problem.message, problem.fix
    assert message.startswith("SIGNUP_ENDPOINT is not set: the signup form would have nowhere to send")
    assert fix.startswith("Set the environment variable SIGNUP_ENDPOINT to the form service's https address")
    assert signup_problems("https://forms.example/f/abc", require_https=True) == []


def test_publish_build_posts_to_the_https_endpoint_and_returns_to_the_public_site(checked_builds):
    # The site as published (`deploy build`, publishconf.py), built once for every publishing test.
    from tests.support.publishing import SIGNUP_ENDPOINT, base_environment

    siteurl = base_environment()["SITEURL"]
    assert SIGNUP_ENDPOINT.startswith("https://") and siteurl.startswith("https://")
    for prefix in ("", "en/"):
        html = Build(0, "", checked_builds["base"] / "site").html(f"{prefix}signup/index.html")
        assert html.select_one("form#signup-form")["action"] == SIGNUP_ENDPOINT
        assert html.select_one("input[name=_next]")["value"] == f"{siteurl}/{prefix}signup-thanks/"


@pytest.mark.parametrize("lang, javascript", [("he", True), ("en", False)], ids=["he-script", "en-no-script"])
def test_email_is_optional_with_and_without_script(new_tab, form_site, receiver, lang, javascript):
    person = {**PEOPLE[lang], "email": ""}
    tab = new_tab(javascript=javascript)
    open_form(tab, form_site, lang)
    assert tab.locator("#signup-email").get_attribute("required") is None
    fill(tab, person)
    submit_and_land(tab, javascript, f"{form_site}{PREFIX[lang]}/signup-thanks/")
    kept = receiver.records()
    assert len(kept) == 1 and kept[0]["fields"].get("email", "") == ""
    assert kept[0]["fields"]["phone"] == person["phone"]


def test_origin_for_security_headers():
    assert origin_of("https://formspree.io/f/abc") == "https://formspree.io"
    assert origin_of("HTTPS://Forms.Example:443/f/abc") == "https://forms.example"
    assert origin_of("http://127.0.0.1:8001/signup") == "http://127.0.0.1:8001"
    assert origin_of("https://user:secret@forms.example:8443/f") == "https://forms.example:8443"
    assert origin_of("forms.example/f") == origin_of("javascript:alert(1)") == ""


def test_dev_receiver_starts_where_the_environment_says_and_redirects_plain_posts(tmp_path, monkeypatch):
    with serve_directory(tmp_path) as free:  # borrow a free port, then give it back
        port = int(free.rsplit(":", 1)[1])
    monkeypatch.setenv("SIGNUP_ENDPOINT", f"http://127.0.0.1:{port}/signup")
    printed = []
    server = form_receiver.start_for_site(store=tmp_path / "signups.jsonl")
    assert server is not None
    server.echo = printed.append
    try:
        body = ("--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nדנה\r\n"
                "--XyZ\r\nContent-Disposition: form-data; name=\"_next\"\r\n\r\n/en/signup-thanks/\r\n"
                "--XyZ--\r\n").encode("utf-8")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/signup", data=body, method="POST",
            headers={"Content-Type": "multipart/form-data; boundary=XyZ", "Origin": "http://127.0.0.1:8000"})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
        assert answer.value.code == 303
        assert answer.value.headers["Location"] == "http://127.0.0.1:8000/en/signup-thanks/"
        assert answer.value.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
        assert [r["fields"] for r in form_receiver.read_records(tmp_path / "signups.jsonl")] == [
            {"name": "דנה", "_next": "/en/signup-thanks/"}]
        assert len(printed) == 1 and "דנה" in printed[0]
    finally:
        form_receiver.stop(server)


def _serve_with_csp(directory, policy):
    """Serve `directory` on 127.0.0.1 with a Content-Security-Policy header on every answer."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, format, *args):
            pass

    return serve_directory(directory, Handler)


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_strict_csp_that_allows_only_the_endpoint_origin_holds(new_tab, form_build, receiver, javascript):
    # No 'unsafe-inline' anywhere. form-action needs 'self' too: after a plain post the endpoint
    # redirects back to the site's thank-you page, and Chromium checks form-action on that redirect.
    origin = origin_of(receiver.url)
    policy = (f"default-src 'self'; script-src 'self'; style-src 'self'; form-action 'self' {origin}; "
              f"connect-src 'self' {origin}; base-uri 'none'; frame-ancestors 'none'")
    with _serve_with_csp(form_build.output, policy) as url:
        page = new_tab(javascript=javascript)
        console = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{url}/en/signup/")
        fill(page, PEOPLE["en"])
        submit_and_land(page, javascript, f"{url}/en/signup-thanks/")
    assert not [line for line in console if "Content Security Policy" in line], console
    assert len(receiver.records()) == 1
