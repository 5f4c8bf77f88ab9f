"""The physician's review document is safe to read: with hostile clinic facts, attributes and
HTML in a medical page, nothing runs in it (a Content-Security-Policy in the file and the
site's sanitizer) and nothing is hidden from the physician (every sentence in the escaped
source, and the rendered text all shown). Real Chromium, the real command."""

import html
import re

import pytest

from tests.support import commands
from tests.support.browser import serve_directory
from tests.support.sites import FixtureSite, page_text

from keter_tools import review_document

ATTACK = "\"'><img src=x onerror=\"window.pwned=1;alert(1)\"><script>window.pwned=2</script>"
HOSTILE = """A first sentence [@glue2017]: call <a href="tel:{clinic:hostile}" title="{clinic:hostile}">us</a>, {clinic:hostile}.

<p style="display:none">Claim hidden by a style.</p>

<div hidden>Claim hidden by an attribute.</div>

<p class="visually-hidden">Claim hidden by a class.</p>

<details><summary>More</summary>Claim folded away.</details>

<!-- Claim in a comment. -->

<script>window.pwned = 3; alert("script")</script>
<img src="x" onerror="window.pwned=4">
<svg><script>window.pwned=5</script></svg>
<iframe srcdoc="<script>parent.pwned=6</script>"></iframe>
<a href="javascript:window.pwned=7">Claim behind a script link.</a>
<style>body { display: none }</style>
<meta http-equiv="refresh" content="0;url=https://attacker.example/">

A paragraph with attributes.
{: onclick="window.pwned=8" style="font-size:0" }
"""
CLAIMS = ["A first sentence", "Claim hidden by a style.", "Claim hidden by an attribute.", "Claim hidden by a class.",
          "Claim folded away.", "Claim in a comment.", "Claim behind a script link.", "A paragraph with attributes."]


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    site = FixtureSite(tmp_path_factory.mktemp("review") / "site")
    clinic = site.content / "data" / "clinic.yml"
    fact = ATTACK.replace('"', '\\"')
    clinic.write_text(clinic.read_text(encoding="utf-8") + f'\nhostile: "{fact}"\n', encoding="utf-8")
    for lang in ("he", "en"):
        site.write_page(lang, "about", page_text("about", lang, title=f"About <b>{lang}</b>", body=HOSTILE, medical="true"))
    out = site.base / "review" / "medical-review.html"
    code, output = commands.invoke("review", "--pending", "--settings", site.settings_file(), "--out", out, timeout=120)
    assert code == 0, output
    return out


def test_the_document_allows_no_script_and_prints_no_approval_command(document):
    text = document.read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{review_document.csp()}">' in text
    assert "default-src 'none'" in review_document.csp() and "script-src" not in review_document.csp()
    assert "--fingerprint" not in text and "review --approve" not in text
    assert re.search(r'<section class="page" id="about" data-fingerprint="[0-9a-f]{64}">', text)


def test_nothing_runs_and_nothing_is_hidden_in_chromium(document, page):
    events = []
    page.on("dialog", lambda dialog: (events.append(("dialog", dialog.message)), dialog.dismiss()))
    page.on("console", lambda message: events.append(("console", message.text)))
    page.on("request", lambda request: events.append(("request", request.url))
            if not request.url.endswith("medical-review.html") else None)
    with serve_directory(document.parent) as url:
        page.goto(f"{url}/{document.name}")
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('iframe, object, embed, meta[http-equiv=refresh]').length") == 0
        handlers = page.evaluate("""[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
            .filter(a => a.name.startsWith('on') || a.name === 'style' || a.value.trim().toLowerCase()
            .startsWith('javascript:')).map(a => e.tagName + ' ' + a.name))""")
        assert handlers == []
        for lang in ("he", "en"):
            column = page.locator(f"#about div.lang[lang={lang}]")
            source = column.locator("pre.source")
            assert source.is_visible()
            shown = source.inner_text()
            for claim in CLAIMS:
                assert claim in shown, (lang, claim)
            assert ATTACK in shown  # the clinic fact as written, every character
            # Everything the rendering keeps is on screen: no element of it is hidden or folded.
            hidden = column.locator("div.rendered").evaluate("""r => [...r.querySelectorAll('*')].filter(e =>
                !e.closest('summary') && (e.checkVisibility ? !e.checkVisibility() : e.offsetParent === null))
                .map(e => e.outerHTML.slice(0, 80))""")
            assert hidden == [], hidden
            rendered = column.locator("div.rendered").inner_text()
            for claim in ("A first sentence", "Claim hidden by a style.", "Claim hidden by an attribute.",
                          "Claim hidden by a class.", "Claim folded away.", "Claim behind a script link."):
                assert claim in rendered, (lang, claim)
        page.wait_for_timeout(200)  # an onerror or a refresh would have fired by now
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert [e for e in events if e[0] != "console" or "Content Security Policy" not in e[1]] == [], events
    assert html.unescape(page.title()).startswith("Medical review")


def test_the_document_shows_what_changed_since_the_signed_approval(tmp_path):
    from tests.support import reviewers

    site = FixtureSite(tmp_path / "site")
    for lang in ("he", "en"):
        site.write_page(lang, "about", page_text("about", lang, body="First claim [@glue2017].", medical="true"))
    reviewers.approve_fixture(site, "about")
    site.write_page("en", "about", page_text("about", "en", body="Second claim [@glue2017].", medical="true"))
    out = tmp_path / "review.html"
    code, output = commands.invoke("review", "--pending", "--settings", site.settings_file(), "--out", out, timeout=120)
    assert code == 0, output
    text = out.read_text(encoding="utf-8")
    assert "changed since physician approved it on" in text
    en = text[text.index('<div class="lang" lang="en"'):]
    assert "<del>− First claim [@glue2017].</del>" in en and "<ins>+ Second claim [@glue2017].</ins>" in en


def test_a_data_file_that_cannot_be_read_stops_the_document_and_is_named(tmp_path):
    # A document made with a broken clinic data file would show the page's clinic facts as
    # missing: the physician would read (and could sign) a text readers never see.
    site = FixtureSite(tmp_path / "site")
    site.write_page("en", "about", page_text("about", "en", body="Call us on {clinic:phone}.", medical="true"))
    site.write_page("he", "about", page_text("about", "he", body="התקשרו אלינו: {clinic:phone}.", medical="true"))
    clinic = site.content / "data" / "clinic.yml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "phone: [unclosed\n", encoding="utf-8")
    out = site.base / "review" / "medical-review.html"
    code, output = commands.invoke("review", "--pending", "--settings", site.settings_file(), "--out", out, timeout=120)
    assert code == 1, output
    assert "The review document was not written" in output and "clinic.yml:" in output, output
    assert "Traceback" not in output and not out.exists()
