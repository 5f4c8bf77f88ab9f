"""UI strings: one file per language with the same keys; a missing key stops the build."""

import re

import yaml
from babel.dates import format_date

from tests.support.sites import ROOT, FixtureSite, page_text

STRINGS = ROOT / "theme" / "strings"


def _catalog(lang):
    return yaml.safe_load((STRINGS / f"{lang}.yml").read_text(encoding="utf-8"))


def test_every_catalog_has_the_same_keys():
    catalogs = {p.stem: set(_catalog(p.stem)) for p in STRINGS.glob("*.yml")}
    assert {"he", "en"} <= set(catalogs)
    keys = set().union(*catalogs.values())
    for lang, present in catalogs.items():
        assert present == keys, (lang, sorted(keys - present))


def test_every_key_used_by_the_theme_is_in_every_catalog():
    used = set()
    for template in (ROOT / "theme" / "templates").rglob("*.html"):
        used |= set(re.findall(r"\bt\(\s*['\"]([^'\"]+)['\"]", template.read_text(encoding="utf-8")))
    assert len(used) >= 10
    for path in STRINGS.glob("*.yml"):
        assert used <= set(_catalog(path.stem)), (path.name, sorted(used - set(_catalog(path.stem))))


def test_no_raw_key_on_any_page(site):
    keys = set(_catalog("en"))
    for relative in site.pages():
        text = site.html(relative).get_text(" ")
        leaked = [k for k in keys if k in text]
        assert not leaked, (relative, leaked)


def test_key_missing_in_one_language_stops_the_build(tmp_path):
    site = FixtureSite(tmp_path)
    path = site.strings / "en.yml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("footer.privacy:")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    build = site.build()
    assert build.returncode != 0
    assert "UI string 'footer.privacy' is missing in language 'en'" in build.log
    assert "en.yml" in build.log
    assert not (tmp_path / "output" / "en").exists()


def test_key_used_by_a_template_but_in_no_catalog_stops_the_build(tmp_path):
    site = FixtureSite(tmp_path)
    for lang in ("he", "en"):
        path = site.strings / f"{lang}.yml"
        kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("cta.button:")]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    build = site.build()
    assert build.returncode != 0
    assert "UI string 'cta.button' is missing in language" in build.log


def test_review_date_is_written_in_the_page_language(tmp_path):
    from datetime import date

    from tests.support import reviewers

    fixture = FixtureSite(tmp_path / "site")
    for lang in ("he", "en"):
        fixture.write_page(lang, "about", page_text("about", lang, body="A claim [@glue2017].", medical="true"))
    on = date.today().replace(day=5) if date.today().day >= 5 else date.today().replace(day=1)
    reviewers.approve_fixture(fixture, "about", today=on)
    build = fixture.build()
    assert build.returncode == 0, build.log
    he = build.html("about/index.html").select_one(".medical-review").get_text()
    en = build.html("en/about/index.html").select_one(".medical-review").get_text()
    due = on.replace(year=on.year + 1)
    # Day, month, year in both languages: "5 בדצמבר 2026", "5 December 2026".
    assert format_date(on, "d בMMMM y", locale="he_IL") in he and format_date(due, "d בMMMM y", locale="he_IL") in he
    assert format_date(on, "d MMMM y", locale="en_US") in en and format_date(due, "d MMMM y", locale="en_US") in en
    assert re.search(r"\d{1,2} ב[א-ת]+ \d{4}", he), he
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", en), en
