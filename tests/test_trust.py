"""Every medical sentence traceable, every review real, nothing unfinished goes live: citations
from the registry, the physician's approval recorded for exact text, launch readiness, staging,
and the clinic's data file read strictly. Real builds of fixture sites and the real commands."""

import json
import re
from datetime import date
from types import SimpleNamespace

import pytest

from tests.support import commands
from tests.support.sites import FixtureSite, page_text

from keter_site.medical_review import records

PUBLISH_ENV = {"SIGNUP_ENDPOINT": "https://forms.example.test/f/abc", "SITEURL": "https://www.example.test"}


def _invoke(*args):
    code, output = commands.invoke(*args, timeout=120)
    return SimpleNamespace(returncode=code, log=" ".join(output.split()))


def _medical(site, slug, he_body="טקסט רפואי [@glue2017].", en_body="Medical text [@glue2017]."):
    site.write_page("he", slug, page_text(slug, "he", title=f"{slug} he", body=he_body, medical="true"))
    site.write_page("en", slug, page_text(slug, "en", title=f"{slug} en", body=en_body, medical="true"))


def _approve(site, slug, by="Dr. Test Physician"):
    """What the clinic does: the physician reads the review document, the editor records the
    approval with the fingerprint the document showed."""
    settings = site.settings_file()
    document = site.base / "review.html"
    made = _invoke("review", "--pending", "--settings", settings, "--out", document)
    assert made.returncode == 0, made.log
    text = document.read_text(encoding="utf-8")
    section = text[text.index(f'id="{slug}"'):]
    fingerprint = re.search(r'class="fingerprint">(\w+)<', section)[1]
    approved = _invoke("review", "--approve", slug, "--by", by, "--fingerprint", fingerprint, "--settings", settings)
    assert approved.returncode == 0, approved.log
    return fingerprint


def _jsonld(html):
    return {node["@type"]: node for node in json.loads(html.select_one("script[type='application/ld+json']").string)["@graph"]}


@pytest.fixture
def site(tmp_path):
    return FixtureSite(tmp_path / "site")


def test_approval_shows_in_both_languages_and_one_word_makes_it_stale(site):
    _medical(site, "about")
    _approve(site, "about")
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    today = date.today()
    for relative, year_text in (("about/index.html", str(today.year + 1)), ("en/about/index.html", str(today.year + 1))):
        html = build.html(relative)
        stamp = html.select_one(".medical-review").get_text()
        assert "Dr. Test Physician" in stamp and year_text in stamp  # next review due in 12 months
        node = _jsonld(html)["MedicalWebPage"]
        assert node["lastReviewed"] == today.isoformat() and node["reviewedBy"]["name"] == "Dr. Test Physician"
        assert html.select_one(".review-pending") is None
    # One word changed in English: the stamp goes in both languages, and the editor is told.
    site.write_page("en", "about", page_text("about", "en", title="about en", body="Medical texts [@glue2017].",
                                            medical="true"))
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    assert "show no review stamp until the physician approves them: about (stale)" in build.log
    for relative in ("about/index.html", "en/about/index.html"):
        html = build.html(relative)
        assert html.select_one(".medical-review") is None and html.select_one(".review-pending")
        assert "lastReviewed" not in _jsonld(html)["MedicalWebPage"]


def test_approval_of_other_text_is_refused(site):
    _medical(site, "about")
    result = _invoke("review", "--approve", "about", "--by", "Dr. X", "--fingerprint", "0123456789abcdef",
                     "--settings", site.settings_file())
    assert result.returncode == 1
    assert "Not recorded: the text of 'about' is no longer the text the physician read" in result.log
    assert not (site.content / "data" / "reviews" / "about.yml").exists()


def test_a_typed_review_stamp_is_refused(site):
    site.write_page("en", "about", page_text("about", "en", medical="true", reviewed_by="Dr. A"))
    site.write_page("he", "about", page_text("about", "he", medical="true"))
    build = site.invoke_build()
    assert build.returncode == 1
    assert "content/en/about.md:" in build.log and "`reviewed_by` cannot be typed into a page" in build.log


def test_publishing_refuses_pending_stale_and_overdue_pages_at_once(site):
    _medical(site, "pending-page")
    _medical(site, "stale-page")
    _approve(site, "stale-page")
    _medical(site, "stale-page", en_body="Changed after approval [@glue2017].")
    _medical(site, "old-page")
    texts = {lang: records.page_text(site.content / lang / "old-page.md") for lang in ("he", "en")}
    records.write_record(site.content / "data" / "reviews", "old-page", texts, "Dr. Old", date(2020, 1, 1))
    build = site.invoke_build(base="publishconf", env=PUBLISH_ENV)
    assert build.returncode == 1
    assert "the medical page 'pending-page' has not been approved by the clinic's physician" in build.log
    assert "the medical page 'stale-page' changed after Dr. Test Physician approved it" in build.log
    assert "the medical review of 'old-page' was due on 2021-01-01" in build.log
    assert "bin/invoke review --approve pending-page --by \"NAME\" --fingerprint" in build.log


def test_staging_publish_builds_unready_site_marked_and_hidden_from_search(site):
    _medical(site, "about")
    build = site.invoke_build(base="publishconf", env={**PUBLISH_ENV, "STAGING": "1"})
    assert build.returncode == 0, build.log
    pages = build.pages()
    assert len(pages) >= 8
    for relative in pages:
        html = build.html(relative)
        assert html.select_one('meta[name=robots][content=noindex]'), relative
        assert html.select_one(".staging-ribbon"), relative
        assert html.select_one('link[rel=canonical]') is None
    assert "Disallow: /" in (build.output / "robots.txt").read_text(encoding="utf-8")
    assert not (build.output / "sitemap.xml").exists()


def test_unknown_citation_and_unknown_doi_are_refused_with_their_line(site):
    site.write_page("en", "about", page_text("about", "en", body="First line.\n\nA claim [@nobody2099].\n\n"
                                             "[A study](https://doi.org/10.9999/made.up)\n"))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.invoke_build()
    assert build.returncode == 1
    assert "content/en/about.md:10: `[@nobody2099]` is not in the references registry" in build.log
    assert "content/en/about.md:12: the link to doi.org/10.9999/made.up is not a source in the references registry" in build.log


def test_sources_follow_the_markers_in_order(site):
    site.write_page("en", "about", page_text("about", "en", body="B [@taylor2018]. A [@glue2017; @taylor2018]."))
    site.write_page("he", "about", page_text("about", "he", body="ב [@taylor2018]."))
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    html = build.html("en/about/index.html")
    # Numbered in the order first cited; within one marker the numbers ascend ([1, 2], not [2, 1]).
    assert [a["href"] for a in html.select(".prose sup.cite a")] == ["#source-1", "#source-1", "#source-2"]
    items = html.select(".sources ol > li")
    assert [li["id"] for li in items] == ["source-1", "source-2"]
    assert "Ketamine for Social Anxiety Disorder" in items[0].get_text()
    assert items[1].select_one('a[href="https://doi.org/10.1177/0269881117705089"]')
    assert items[1].select_one('a[href="https://pubmed.ncbi.nlm.nih.gov/28441895/"]')


@pytest.mark.parametrize("text, expected", [
    ('phone: 0501234567\n', ['`phone: 0501234567` is not text: YAML reads it as a number (0501234567 would become 84228471)',
                             'Put the value in quotes: `phone: "0501234567"`']),
    ('email: "a@b.example"\nemail: "c@d.example"\n', ["`email` is written twice (lines", "Keep one of them."]),
    ('hours:\n', ["`hours` is empty"]),
    ('address:\n  he: "כתובת"\n', ["`address` has no value for language 'en'.", "Add a line `en: ...` under `address:`."]),
    ('base: &b "x"\nother: *b\n', ["YAML anchors and aliases (`&name`, `*name`) are not allowed"]),
])
def test_clinic_data_mistakes_are_refused_with_the_fix(site, text, expected):
    path = site.content / "data" / "clinic.yml"
    # Take out the keys the case writes again (with their per-language lines), keep the rest.
    kept, skip = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("phone:", "email:", "hours:", "address:")):
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        kept.append(line)
    path.write_text("\n".join(kept) + "\n" + text, encoding="utf-8")
    build = site.invoke_build()
    assert build.returncode == 1
    assert "content/data/clinic.yml" in build.log
    for part in expected:
        assert part in build.log, (part, build.log)


def test_example_values_stop_a_publish_and_are_listed_by_status(site):
    path = site.content / "data" / "clinic.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("example_values: []", "example_values: [phone, email]"),
                    encoding="utf-8")
    build = site.invoke_build(base="publishconf", env=PUBLISH_ENV)
    assert build.returncode == 1
    assert "`phone` is still an EXAMPLE value, not the clinic's real one." in build.log
    assert "`email` is still an EXAMPLE value" in build.log
    status = _invoke("status", "--settings", site.settings_file())
    assert status.returncode == 1
    assert "Clinic facts still EXAMPLE in content/data/clinic.yml (2): phone, email" in status.log
    assert "Not ready to publish" in status.log


def test_status_of_the_project_lists_every_page_and_what_the_clinic_must_supply():
    result = _invoke("status")
    assert result.returncode == 1  # nothing has been reviewed yet, contact details are examples
    for slug in ("anxiety", "side-effects", "crisis", "privacy"):
        assert slug in result.log
    assert "AWAITING REVIEW" in result.log and "physician_licence" in result.log
