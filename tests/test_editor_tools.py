"""Editors' commands: translation status, new-page scaffolding, and `invoke check`'s deeper
checks (the Nu Html Checker and the whole-site link check)."""

import shutil

from tests.support import commands
from tests.support.sites import FixtureSite, page_text

PUBLISH_ENV = {"SIGNUP_ENDPOINT": "https://forms.example.test/f/abc", "SITEURL": "https://www.example.test"}


def _invoke(*args):
    return commands.invoke(*args)


def _status(settings):
    code, out = _invoke("translations", "--settings", str(settings))
    assert code == 0, out
    return {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:-1]}


def test_edited_source_makes_its_translation_stale_until_marked_done(tmp_path):
    site = FixtureSite(tmp_path)
    site.write_page("he", "about", page_text("about", "he", body="גרסה ראשונה."))
    site.write_page("en", "about", page_text("about", "en", body="First version."))
    settings = site.settings_file()
    assert _status(settings)["about"] == ["source", "stale"]  # never marked: not known to be current

    code, out = _invoke("translations", "--settings", str(settings), "--done", "about", "--lang", "en")
    assert code == 0, out
    assert "source_hash:" in (site.content / "en" / "about.md").read_text(encoding="utf-8")
    assert _status(settings)["about"] == ["source", "ok"]

    site.write_page("he", "about", page_text("about", "he", body="גרסה שנייה, מעודכנת."))
    assert _status(settings)["about"] == ["source", "stale"]

    # Stale: a warning while developing, an error when publishing (unless explicitly allowed).
    dev = site.invoke_build()
    assert dev.returncode == 0, dev.log
    assert "content/en/about.md: translation out of date" in dev.log
    publish = site.invoke_build(base="publishconf", env=PUBLISH_ENV)
    assert publish.returncode != 0
    assert "content/en/about.md: the en translation of 'about' is out of date" in publish.log
    allowed = site.invoke_build(base="publishconf", env={**PUBLISH_ENV, "ALLOW_STALE_TRANSLATIONS": "1"})
    assert "content/en/about.md: the en translation of 'about' is out of date" not in allowed.log

    _invoke("translations", "--settings", str(settings), "--done", "about", "--lang", "en")
    assert _status(settings)["about"] == ["source", "ok"]


def test_missing_translation_is_reported_as_missing(tmp_path):
    site = FixtureSite(tmp_path)
    site.write_page("he", "about", page_text("about", "he"))
    assert _status(site.settings_file())["about"] == ["source", "missing"]


def test_done_for_an_unknown_page_fails(tmp_path):
    site = FixtureSite(tmp_path)
    code, out = _invoke("translations", "--settings", str(site.settings_file()), "--done", "nope", "--lang", "en")
    assert code == 1 and "No en translation of page 'nope'" in out


def test_new_creates_every_language_and_never_overwrites(tmp_path):
    site = FixtureSite(tmp_path)
    settings = site.settings_file()
    code, out = _invoke("new", "side-effects", "--settings", str(settings))
    assert code == 0, out
    for lang in ("he", "en"):
        text = (site.content / lang / "side-effects.md").read_text(encoding="utf-8")
        assert f"lang: {lang}" in text and "slug: side-effects" in text and "TODO:" in text
    # The scaffold builds while editing...
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    # ... but cannot be published while a placeholder is left.
    publish = site.invoke_build(base="publishconf", env=PUBLISH_ENV)
    assert publish.returncode != 0 and "content/he/side-effects.md:2: a placeholder (TODO:)" in publish.log

    edited = "---\ntitle: Side effects\nslug: side-effects\nlang: en\ndescription: d\n---\n\nReal text.\n"
    (site.content / "en" / "side-effects.md").write_text(edited, encoding="utf-8")
    code, out = _invoke("new", "side-effects", "--settings", str(settings))
    assert code == 1 and "already exist" in out
    assert (site.content / "en" / "side-effects.md").read_text(encoding="utf-8") == edited


def test_new_rejects_an_unusable_slug(tmp_path):
    site = FixtureSite(tmp_path)
    code, out = _invoke("new", "Side Effects", "--settings", str(site.settings_file()))
    assert code == 2 and "cannot be an address" in out
    assert not list(site.content.glob("*/Side*"))


def test_nu_html_checker_finds_no_error_on_any_page_and_reports_an_invalid_one(site, tmp_path):
    """Every page of the site, and one invalid page beside them: one run of the checker (Java
    starts once), which must name the invalid page and nothing else."""
    from keter_tools import validate_html

    pages = tmp_path / "pages"
    shutil.copytree(site.output, pages)
    (pages / "bad.html").write_text("<!doctype html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    code, errors = validate_html.validate(pages)
    assert code != 0 and any("bad.html" in e for e in errors), errors
    assert [e for e in errors if "bad.html" not in e] == []


def test_every_link_inside_the_site_resolves(site):
    from keter_tools import linkcheck

    assert linkcheck.check(site.output) == []


def test_link_check_reports_missing_files_and_anchors(tmp_path):
    from keter_tools import linkcheck

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.html").write_text('<h2 id="here">x</h2>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="/en/">ok</a><a href="/en/#here">ok</a><a href="/en/#gone">bad</a>'
        '<img src="/theme/none.png" alt="x"><a href="https://example.org/">external</a>', encoding="utf-8")
    assert linkcheck.check(tmp_path) == [
        'index.html: <a> links to /en/#gone, but that page has no id "gone"',
        "index.html: <img> links to /theme/none.png, which is not in the built site",
    ]
