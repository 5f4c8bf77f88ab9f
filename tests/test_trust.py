"""Every medical sentence traceable, every review real, nothing unfinished goes live: citations
from the registry, the physician's signed approval of everything a reader sees (real keys made
with ssh-keygen in the test's folder, real signatures), launch readiness, staging folders and
reserved names, placeholders, and the clinic's data file read strictly. Real builds of fixture
sites and the real commands."""

import json
import os
import subprocess
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support import commands, reviewers
from tests.support.sites import ROOT, FixtureSite, page_text

from keter_tools import sign_page
from keter_tools.build import load_settings

PUBLISH_ENV = {"SIGNUP_ENDPOINT": "https://forms.example.test/f/abc", "SITEURL": "https://www.example.test",
               "ALLOW_STALE_TRANSLATIONS": "1"}  # fixture pages record no translation state
STALE = "changed after physician approved it"


def _invoke(*args, env=None):
    code, output = commands.invoke(*args, timeout=120, env=env)
    return SimpleNamespace(returncode=code, log=" ".join(output.split()))


def _medical(site, slug, he_body="טקסט רפואי [@glue2017].", en_body="Medical text [@glue2017].", **meta):
    site.write_page("he", slug, page_text(slug, "he", title=f"{slug} he", body=he_body, medical="true", **meta))
    site.write_page("en", slug, page_text(slug, "en", title=f"{slug} en", body=en_body, medical="true", **meta))


def _physician(site, principal="physician", names=None, allowed=None):
    """A key made for the physician, listed in the site's allowed signers (or in `allowed`)."""
    key = reviewers.make_key(site.base / "keys", principal)
    reviewers.list_signer(allowed or site.content / "data" / "allowed_signers", key, principal, names)
    return key


def _approve(site, slug, key, env=None):
    """What the clinic does: the review document is made, the physician reads it and signs the
    page with their own key."""
    settings = site.settings_file()
    document = site.base / "review.html"
    made = _invoke("review", "--pending", "--settings", settings, "--out", document, env=env)
    assert made.returncode == 0, made.log
    signed = _invoke("review", "--approve", slug, "--key", key, "--settings", settings, "--out", document, env=env)
    assert signed.returncode == 0, signed.log
    return signed


def _jsonld(html):
    return {node["@type"]: node for node in json.loads(html.select_one("script[type='application/ld+json']").string)["@graph"]}


def _publish_build(site, env=None):
    return site.invoke_build(base="publishconf", env={**PUBLISH_ENV, **(env or {})})


@pytest.fixture
def site(tmp_path):
    return FixtureSite(tmp_path / "site")


@pytest.fixture(scope="module")
def approved(tmp_path_factory):
    """A site whose medical page 'about' (a source, a clinic fact, a box) the physician signed."""
    site = FixtureSite(tmp_path_factory.mktemp("approved") / "site")
    _medical(site, "about", he_body="טקסט רפואי [@glue2017], בטלפון {clinic:phone}.\n\n::: inset\nתיבה.\n:::",
             en_body="Medical text [@glue2017], on {clinic:phone}.\n\n::: inset\nA box.\n:::",
             summary="A short summary.")
    key = _physician(site)
    _approve(site, "about", key)
    return site, key


def test_a_signature_stamps_both_languages_in_their_own_words_and_the_json_ld(approved, tmp_path):
    site, _ = approved
    build = site.copy(tmp_path / "copy").invoke_build(base="publishconf", env=PUBLISH_ENV)
    assert build.returncode == 0, build.log
    today = date.today()
    due = today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) else None
    expected = {"about/index.html": ('התוכן נבדק בידי ד"ר בודק בדיקות.', "העמוד נבדק לאחרונה:", "מועד הבדיקה הבאה:"),
                "en/about/index.html": ("Medically reviewed by Dr. Test Physician.",
                                        f"Page last reviewed: {today.day} {today:%B} {today.year}",
                                        f"Next review due: {due.day} {due:%B} {due.year}" if due else "Next review due:")}
    for relative, parts in expected.items():
        html = build.html(relative)
        stamp = " ".join(html.select_one(".medical-review").get_text().split())
        for part in parts:
            assert part in stamp, (part, stamp)
        node = _jsonld(html)["MedicalWebPage"]
        assert node["lastReviewed"] == today.isoformat()
        assert node["reviewedBy"]["name"] == reviewers.NAMES["he" if relative.startswith("about") else "en"]
    record = (site.content / "data" / "reviews" / "about.yml").read_text(encoding="utf-8")
    assert "-----BEGIN SSH SIGNATURE-----" in record and "reviewer: \"physician\"" in record


def _refused(build, where, *parts):
    assert build.returncode == 1, build.log
    assert where in build.log, build.log
    for part in parts:
        assert part in build.log, (part, build.log)


def test_a_hand_written_record_is_refused(site):
    _medical(site, "about")
    _physician(site)
    reviews = site.content / "data" / "reviews"
    reviews.mkdir(parents=True)
    (reviews / "about.yml").write_text('kind: "approval"\npage: "about"\nreviewer: "physician"\n'
                                       f'reviewed_on: "{date.today()}"\nfingerprint: "0123"\n', encoding="utf-8")
    build = site.invoke_build()
    assert build.returncode == 0, build.log  # while editing: no stamp, and a warning
    assert build.html("en/about/index.html").select_one(".medical-review") is None
    assert "about (invalid)" in build.log
    _refused(_publish_build(site), "content/data/reviews/about.yml",
             "this review record of 'about' does not count: it has no signature (a record typed by hand",
             "signs the pages they approve with their own key")


def test_a_signature_by_another_key_is_refused(site, tmp_path):
    _medical(site, "about")
    _physician(site)
    other = reviewers.make_key(tmp_path / "other", "physician")  # same name, not the listed key
    elsewhere = FixtureSite(tmp_path / "elsewhere")
    _medical(elsewhere, "about")
    reviewers.list_signer(elsewhere.content / "data" / "allowed_signers", other)
    _approve(elsewhere, "about", other)
    reviews = site.content / "data" / "reviews"
    reviews.mkdir(parents=True)
    (reviews / "about.yml").write_bytes((elsewhere.content / "data" / "reviews" / "about.yml").read_bytes())
    _refused(_publish_build(site), "content/data/reviews/about.yml",
             "its signature is not `physician`'s by the key listed in", "signed by another key")


def test_a_key_not_in_the_allowed_signers_is_refused(site, tmp_path):
    _medical(site, "about")
    _physician(site)
    stranger = reviewers.make_key(tmp_path / "stranger", "stranger")
    result = _invoke("review", "--approve", "about", "--key", stranger, "--settings", site.settings_file())
    assert result.returncode == 1 and "Not signed: the key SHA256:" in result.log
    assert "is not in the allowed signers" in result.log and not (site.content / "data" / "reviews").exists()
    # A record the stranger signed elsewhere, as themselves, counts for nothing here.
    elsewhere = FixtureSite(tmp_path / "elsewhere")
    _medical(elsewhere, "about")
    reviewers.list_signer(elsewhere.content / "data" / "allowed_signers", stranger, "stranger")
    _approve(elsewhere, "about", stranger)
    (site.content / "data" / "reviews").mkdir(parents=True)
    (site.content / "data" / "reviews" / "about.yml").write_bytes(
        (elsewhere.content / "data" / "reviews" / "about.yml").read_bytes())
    _refused(_publish_build(site), "content/data/reviews/about.yml",
             "its reviewer `stranger` is not in the allowed signers")


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = {
    "title": lambda s: _edit(s.content / "en" / "about.md", "title: about en", "title: about en!"),
    "description": lambda s: _edit(s.content / "he" / "about.md", "description: about he description.",
                                   "description: about he description!"),
    "summary": lambda s: _edit(s.content / "en" / "about.md", "summary: A short summary.", "summary: A new summary."),
    "body": lambda s: _edit(s.content / "he" / "about.md", "טקסט רפואי", "טקסט רפואי אחר"),
    "box": lambda s: _edit(s.content / "en" / "about.md", "A box.", "A changed box."),
    "registry entry": lambda s: _edit(s.content.parent / "references.yml", 'year: "2017"', 'year: "2016"'),
    "clinic fact": lambda s: _edit(s.content / "data" / "clinic.yml", 'phone: "', 'phone: "1'),
    "medical flag": lambda s: _edit(s.content / "en" / "about.md", "medical: true\n", ""),
}


@pytest.mark.parametrize("kind", EDITS)
def test_any_change_a_reader_sees_after_approval_is_refused(approved, tmp_path, kind):
    site = approved[0].copy(tmp_path / "copy")
    references = ROOT / "content" / "data" / "references.yml"
    (site.base / "references.yml").write_bytes(references.read_bytes())
    site.extra_settings = f"REFERENCES_FILE = {str(site.base / 'references.yml')!r}\n"
    assert _publish_build(site).returncode == 0
    EDITS[kind](site)
    _refused(_publish_build(site), "content/he/about.md", "the medical page 'about' changed after physician approved it",
             "the review document (`bin/invoke review --pending`)")


def test_taking_a_page_out_of_review_needs_the_physicians_signed_release(approved, tmp_path):
    site = approved[0].copy(tmp_path / "copy")
    key = approved[1]
    for lang in ("he", "en"):
        _edit(site.content / lang / "about.md", "medical: true\n", "")
    build = site.invoke_build()
    _refused(build, "content/he/about.md", "'about' is no longer marked `medical: true`, but the physician's signed approval",
             "have the physician sign the page's release from review")
    released = _invoke("review", "--release", "about", "--key", key, "--settings", site.settings_file())
    assert released.returncode == 0, released.log
    assert "release of 'about' signed by physician" in released.log
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    assert build.html("en/about/index.html").select_one(".medical-review") is None


def test_the_physician_signs_with_the_key_in_ssh_agent(site, tmp_path):
    _medical(site, "about")
    key = _physician(site)
    socket = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):  # up to 10 s for the agent's socket
            if socket.exists():
                break
            time.sleep(0.05)
        env = {"SSH_AUTH_SOCK": str(socket)}
        subprocess.run(["ssh-add", "-q", str(key)], env={**os.environ, **env}, check=True, timeout=30)
        key.rename(key.with_name("moved-away"))  # only the agent holds the private key now
        settings = site.settings_file()
        document = site.base / "review.html"
        assert _invoke("review", "--pending", "--settings", settings, "--out", document).returncode == 0
        signed = _invoke("review", "--approve", "about", "--settings", settings, "--out", document, env=env)
        assert signed.returncode == 0, signed.log
        assert "approval of 'about' signed by physician" in signed.log
    finally:
        agent.terminate()
        agent.wait(timeout=30)
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    assert build.html("en/about/index.html").select_one(".medical-review")


def test_approval_needs_the_text_the_review_document_showed(site):
    _medical(site, "about")
    key = _physician(site)
    settings = site.settings_file()
    document = site.base / "review.html"
    assert _invoke("review", "--pending", "--settings", settings, "--out", document).returncode == 0
    _medical(site, "about", en_body="Changed after the document was made [@glue2017].")
    result = _invoke("review", "--approve", "about", "--key", key, "--settings", settings, "--out", document)
    assert result.returncode == 1
    assert f"Not signed: {document} does not show the current text of 'about'" in result.log
    assert not (site.content / "data" / "reviews").exists()


def test_a_pinned_allowed_signers_file_is_the_only_one_that_counts(approved, tmp_path):
    site = approved[0].copy(tmp_path / "copy")
    pinned = tmp_path / "pinned" / "allowed_signers"
    pinned.parent.mkdir()
    other = reviewers.make_key(tmp_path / "other", "physician")
    reviewers.list_signer(pinned, other)  # the publishing machine trusts another key
    build = _publish_build(site, {"KETER_ALLOWED_SIGNERS": str(pinned)})
    _refused(build, "content/data/reviews/about.yml", f"its signature is not `physician`'s by the key listed in {pinned}")
    status = _invoke("status", "--settings", site.settings_file(), env={"KETER_ALLOWED_SIGNERS": str(pinned)})
    assert f"Allowed signers of medical reviews: {pinned} (pinned by KETER_ALLOWED_SIGNERS)" in status.log
    assert "CHANGED: the repository's allowed_signers differs from the pinned file" in status.log
    inside = _publish_build(site, {"KETER_ALLOWED_SIGNERS": str(site.content / "data" / "allowed_signers")})
    _refused(inside, "allowed_signers", "KETER_ALLOWED_SIGNERS names a file inside the project")


def test_a_typed_review_stamp_is_refused(site):
    site.write_page("en", "about", page_text("about", "en", medical="true", reviewed_by="Dr. A"))
    site.write_page("he", "about", page_text("about", "he", medical="true"))
    build = site.invoke_build()
    assert build.returncode == 1
    assert "content/en/about.md:" in build.log and "`reviewed_by` cannot be typed into a page" in build.log


@pytest.mark.parametrize("lang, body, line, what", [
    ("en", 'Text.\n\n<p class="medical-review">Reviewed.</p>', 10, "the stamp's class `medical-review`"),
    ("en", "Text.\n\nReviewed.\n{: .review-date }", 11, "the stamp's class `review-date`"),
    ("en", "Text.\n\nPage last reviewed: 1 May 2026.", 10, "the stamp's wording \"Page last reviewed\""),
    ("he", "טקסט.\n\nהתוכן נבדק בידי ד\"ר מישהו.", 10, "the stamp's wording \"התוכן נבדק בידי\""),
])
def test_page_text_that_imitates_the_stamp_is_refused(site, lang, body, line, what):
    site.write_page(lang, "about", page_text("about", lang, body=body))
    site.write_page("en" if lang == "he" else "he", "about", page_text("about", "en" if lang == "he" else "he"))
    build = site.invoke_build()
    _refused(build, f"content/{lang}/about.md:{line}: the page's text uses {what}", "only the site may show a review stamp")


def test_publishing_refuses_pending_stale_and_overdue_pages_at_once(site):
    key = _physician(site)
    _medical(site, "pending-page")
    _medical(site, "stale-page")
    _approve(site, "stale-page", key)
    _medical(site, "stale-page", en_body="Changed after approval [@glue2017].")
    _medical(site, "old-page")
    settings = load_settings(site.settings_file())
    sign_page.sign(settings, "old-page", "approval", key, today=date(2020, 1, 1))
    build = _publish_build(site)
    assert build.returncode == 1
    assert "the medical page 'pending-page' has not been approved by the clinic's physician" in build.log
    assert "the medical page 'stale-page' changed after physician approved it" in build.log
    assert "the medical review of 'old-page' was due on 2021-01-01" in build.log
    assert "--fingerprint" not in build.log and "review --approve" not in build.log  # no ready-made command


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


def _deploy(*args, env):
    result = commands.run("keter_tools.deploy", args, {**os.environ, "COLUMNS": "500", **env})
    return SimpleNamespace(returncode=result.returncode, log=" ".join((result.stdout + result.stderr).split()))


def test_a_staging_folder_is_never_published_as_the_live_site(site, tmp_path):
    _medical(site, "about")
    for lang in ("he", "en"):
        site.write_page(lang, "404", page_text("404", lang, title=f"404 {lang}").replace("slug: 404", 'slug: "404"'))
    folder = tmp_path / "staging-build"
    built = _deploy("build", "--staging", "--settings", site.settings_file("publishconf"), "--out", folder,
                    env=PUBLISH_ENV)
    assert built.returncode == 0, built.log
    assert json.loads((folder / "checked.json").read_text(encoding="utf-8"))["staging"] is True
    sent = _deploy("publish", "--settings", site.settings_file("publishconf"), "--from", folder, "--dry-run",
                   env=PUBLISH_ENV)
    assert sent.returncode == 1
    assert f"{folder} is a staging preview" in sent.log and "Build the release without --staging" in sent.log


@pytest.mark.parametrize("name, value", [("SITEURL", "https://www.keter-health.example"),
                                         ("SITEURL", "https://keter.test"), ("SITEURL", "https://example.com"),
                                         ("SIGNUP_ENDPOINT", "https://forms.example.org/f/1"),
                                         ("SIGNUP_ENDPOINT", "https://forms.service.invalid/f/1")])
def test_a_launch_on_a_reserved_name_is_refused(site, tmp_path, name, value):
    env = {"SITEURL": "https://www.keter-health.org.il", "SIGNUP_ENDPOINT": "https://forms.keter-health.org.il/f", name: value}
    result = _deploy("build", "--settings", site.settings_file("publishconf"), "--out", tmp_path / "out", env=env)
    assert result.returncode == 1
    assert f"publishconf.py: {name} is {value}" in result.log
    assert "a name reserved for examples and tests" in result.log and f"Set the environment variable {name}" in result.log
    assert not (tmp_path / "out").exists()


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


@pytest.mark.parametrize("line, value, reason", [
    ('phone: "03-555-5555"', 'phone: "03-000-0000"', "`phone` looks like a placeholder: its number is a run of zeros"),
    ('email: "info@keter-health.test"', 'email: "info@keter-health.example"',
     "`email` looks like a placeholder: keter-health.example is an example address"),
    ('  en: "Keter Health"', '  en: "Keter Health (example)"', "`name.en` looks like a placeholder: it says it is an example"),
    ("  he: \"כתר הלת'\"", '  he: "כתר (דוגמה)"', "`name.he` looks like a placeholder: it says it is an example"),
])
def test_a_placeholder_value_is_refused_even_when_not_listed_as_example(site, line, value, reason):
    path = site.content / "data" / "clinic.yml"
    text = path.read_text(encoding="utf-8")
    assert line in text and "example_values: []" in text
    path.write_text(text.replace(line, value, 1), encoding="utf-8")
    build = _publish_build(site)
    _refused(build, "content/data/clinic.yml:", reason, "Put the clinic's real value in")
    assert site.invoke_build().returncode == 0  # while editing, placeholders are allowed


def test_the_hebrew_names_are_examples_until_confirmed_and_the_specialty_comes_from_clinic_data(site):
    project = (ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8")
    listed = project[project.index("example_values:"):]
    assert "name.he" in listed and "physician.he" in listed and "medical_specialty" in listed
    path = site.content / "data" / "clinic.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("example_values: []", "example_values: [name.he, physician.he]")
                    .replace('medical_specialty: "Psychiatric"', 'medical_specialty: "Neurologic"'), encoding="utf-8")
    build = _publish_build(site)
    _refused(build, "content/data/clinic.yml:", "`name.he` is still an EXAMPLE value", "`physician.he` is still an EXAMPLE value")
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    for relative in ("index.html", "en/index.html"):
        assert _jsonld(build.html(relative))["MedicalClinic"]["medicalSpecialty"] == "Neurologic"


def test_the_publish_records_who_signed_each_medical_page(checked_builds):
    """The real site as launched (`deploy build`): every medical page, the crisis and team pages
    among them, signed by the listed key, and the release's manifest says so."""
    manifest = json.loads((checked_builds["base"] / "checked.json").read_text(encoding="utf-8"))
    assert manifest["staging"] is False and len(manifest["allowed_signers_sha256"]) == 64
    signed = manifest["signed"]
    for page in ("anxiety", "crisis", "team", "articles/ketamine-anxiety-research"):
        assert signed[page].startswith("current physician (SHA256:"), (page, signed)
    assert "privacy" not in signed


@pytest.mark.parametrize("block, message", [
    ('# name.he: א\n# name.en: A\n* ssh-ed25519 KEY\n', "`*` is not one reviewer's name for the key"),
    ('# name.he: א\n# name.en: A\nphysician cert-authority ssh-ed25519 KEY\n', "`physician` is listed as a certificate authority"),
    ('# name.en: A\nphysician ssh-ed25519 KEY\n', "`physician` has no name to show in he."),
    ('# name.he: א\n# name.en: A\nphysician ssh-ed25519\n', "the line of `physician` holds no OpenSSH public key."),
])
def test_a_wrongly_written_allowed_signers_file_stops_the_build_with_its_line(site, block, message):
    key = reviewers.make_key(site.base / "keys")
    public = Path(f"{key}.pub").read_text(encoding="utf-8").split()[1]
    path = site.content / "data" / "allowed_signers"
    path.write_text("# Reviewers.\n" + block.replace("KEY", public), encoding="utf-8")
    line = 1 + block.count("\n")
    _refused(site.invoke_build(), f"content/data/allowed_signers:{line}: {message}", "docs/editing.md")


def test_status_shows_a_change_to_the_allowed_signers_not_yet_committed(site):
    def git(*args):
        subprocess.run(["git", *args], cwd=site.base, check=True, capture_output=True, timeout=60,
                       env={**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@test",
                            "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@test"})

    _physician(site)
    git("init", "-q")
    git("add", "content")
    git("commit", "-q", "-m", "The physician's key")
    settings = site.settings_file()
    status = _invoke("status", "--settings", settings)
    allowed = site.content / "data" / "allowed_signers"
    assert f"Allowed signers of medical reviews: {allowed}" in status.log
    assert "physician: " + 'ד"ר בודק בדיקות / Dr. Test Physician, key SHA256:' in status.log
    assert "allowed_signers last changed in commit" in status.log and "Editor" in status.log
    assert "CHANGED" not in status.log
    _physician(site, "intruder", {"he": "פלוני", "en": "Someone Else"})
    status = _invoke("status", "--settings", settings)
    assert f"CHANGED: {allowed} has changes not yet committed; check who added which key." in status.log
    assert "intruder: פלוני / Someone Else, key SHA256:" in status.log
