"""The bilingual build: every page in every language, at the right address, with the right
lang/dir, and a language switcher that always lands on the same page in the other language."""

import re

import yaml

from tests.support.sites import FixtureSite, ROOT, front_matter, page_text, project_settings


conf = project_settings()


def _content_pages():
    return [p for lang in conf.LANGUAGES for p in sorted((ROOT / "content" / lang).glob("*.md"))]


def _expected_file(slug, lang):
    prefix = conf.LANGUAGES[lang]["prefix"]
    folder = "" if slug == conf.SPECIAL_PAGES["home"] else f"{slug}/"
    return f"{prefix + '/' if prefix else ''}{folder}index.html"


def _lang_of(relative):
    first = relative.split("/")[0]
    by_prefix = {v["prefix"]: code for code, v in conf.LANGUAGES.items() if v["prefix"]}
    return by_prefix.get(first, conf.DEFAULT_LANG)


def test_every_page_is_built_in_every_language(site):
    # Hidden pages (the 404 pages) choose their own address with `save_as`.
    slugs = {m["slug"] for m in map(front_matter, _content_pages()) if m.get("status") != "hidden"}
    assert len(slugs) >= 5
    for slug in slugs:
        for lang in conf.LANGUAGES:
            assert (site.output / _expected_file(slug, lang)).is_file(), (slug, lang)


def test_default_language_at_root_and_english_under_en(site):
    assert site.html("index.html").html["lang"] == "he"
    assert site.html("en/index.html").html["lang"] == "en"
    assert site.html("anxiety/index.html").html["lang"] == "he"
    assert site.html("en/anxiety/index.html").html["lang"] == "en"


def test_lang_and_dir_on_every_page(site):
    pages = site.pages()
    assert len(pages) >= 10
    for relative in pages:
        html = site.html(relative).html
        lang = _lang_of(relative)
        assert html["lang"] == lang, relative
        assert html["dir"] == conf.LANGUAGES[lang]["dir"], relative


def test_switcher_links_land_on_the_same_page_in_the_other_language(site):
    checked = 0
    for relative in site.pages():
        doc = site.html(relative)
        switcher = doc.select("nav.language-switcher a")
        assert len(switcher) == len(conf.LANGUAGES) - 1, relative
        for link in switcher:
            assert link["lang"] == link["hreflang"]
            assert link.get_text(strip=True) == conf.LANGUAGES[link["lang"]]["name"]
            target = site.output / link["href"].lstrip("/")
            target = target if link["href"].endswith(".html") else target / "index.html"
            assert target.is_file(), (relative, link["href"])
            other = site.html(target.relative_to(site.output).as_posix())
            assert other.html["lang"] == link["hreflang"]
            # ... and the page there links straight back here.
            back = [a["href"] for a in other.select("nav.language-switcher a")]
            own = "/" + (relative if relative.endswith("404.html") else relative.removesuffix("index.html"))
            assert own in back, (relative, link["href"], back)
            checked += 1
    assert checked >= 10


def test_each_language_has_its_own_chrome(site):
    he, en = site.html("anxiety/index.html"), site.html("en/anxiety/index.html")
    hebrew = re.compile(r"[\u0590-\u05FF]")
    for selector in ("header .site-name", "nav.site-nav", "footer", "a.skip-link"):
        assert hebrew.search(he.select_one(selector).get_text()), selector
        # English chrome carries no Hebrew at all (the switcher is the only exception).
        assert not hebrew.search(en.select_one(selector).get_text()), selector
    he_menu = [a["href"] for a in he.select("nav.site-nav a")]
    en_menu = [a["href"] for a in en.select("nav.site-nav a")]
    assert he_menu and all(not h.startswith("/en/") for h in he_menu)
    assert en_menu and all(h.startswith("/en/") for h in en_menu)


def test_menu_lists_only_pages_with_menu_order(site):
    flagged = [front_matter(p) for p in (ROOT / "content" / "en").glob("*.md")]
    expected = sorted((int(m["menu_order"]), m["slug"]) for m in flagged if "menu_order" in m)
    hrefs = [a["href"] for a in site.html("en/index.html").select("nav.site-nav a")]
    assert hrefs == [f"/en/{slug}/" for _, slug in expected]


def test_landmarks_skip_link_and_one_h1(site):
    for relative in site.pages():
        doc = site.html(relative)
        assert len(doc.find_all("h1")) == 1, relative
        for landmark in ("header", "nav", "main", "footer"):
            assert doc.find(landmark), (relative, landmark)
        skip = doc.find("a")
        assert "skip-link" in skip["class"] and skip["href"] == "#main"
        assert doc.find(id="main").name == "main"


def test_footer_has_crisis_lines_and_legal_links(site):
    for relative in site.pages():
        footer = site.html(relative).find("footer")
        tels = {a["href"] for a in footer.select("a[href^='tel:']")}
        assert {"tel:101", "tel:1201"} <= tels, relative
        hrefs = [a["href"] for a in footer.select(".footer-links a")]
        prefix = "/en/" if relative.startswith("en/") else "/"
        assert hrefs == [f"{prefix}accessibility/", f"{prefix}privacy/", f"{prefix}disclaimer/"], relative
        assert footer.select_one(f".crisis a[href='{prefix}crisis/']"), relative


def test_nothing_is_loaded_from_another_host(site):
    for relative in site.pages():
        doc = site.html(relative)
        for tag, attr in (("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src")):
            for element in doc.find_all(tag):
                if element.get(attr) and (tag != "link" or "stylesheet" in element.get("rel", []) or "icon" in element.get("rel", [])):
                    assert not re.match(r"^(https?:)?//", element[attr]), (relative, element)


def test_third_language_right_to_left_needs_only_settings_content_and_strings(tmp_path):
    languages = {
        "he": {"name": "עברית", "dir": "rtl", "prefix": "", "locale": "he_IL"},
        "en": {"name": "English", "dir": "ltr", "prefix": "en", "locale": "en_US"},
        "ar": {"name": "العربية", "dir": "rtl", "prefix": "ar", "locale": "ar"},
    }
    fixture = FixtureSite(tmp_path, languages)
    english = yaml.safe_load((ROOT / "theme" / "strings" / "en.yml").read_text(encoding="utf-8"))
    (fixture.strings / "ar.yml").write_text(
        # Arabic text for every key, with the same %{placeholders} the site fills in.
        yaml.safe_dump({k: " ".join([f"نص {k}", *re.findall(r"%\{[^}]*\}", v)]) for k, v in english.items()},
                       allow_unicode=True), encoding="utf-8")
    fixture.add_clinic_language("ar", "قيمة")
    for slug in FixtureSite.REQUIRED_SLUGS:
        fixture.write_page("ar", slug, page_text(slug, "ar", title=f"صفحة {slug}"))
    build = fixture.build()
    assert build.returncode == 0, build.log
    arabic = build.html("ar/privacy/index.html")
    assert arabic.html["lang"] == "ar" and arabic.html["dir"] == "rtl"
    switch = {a["hreflang"]: a["href"] for a in arabic.select("nav.language-switcher a")}
    assert switch == {"he": "/privacy/", "en": "/en/privacy/"}
    assert build.html("privacy/index.html").select_one("nav.language-switcher a[hreflang=ar]")["href"] == "/ar/privacy/"
    assert build.html("ar/index.html").find("h1").get_text() == "صفحة home"


def test_latin_runs_in_hebrew_keep_their_direction(tmp_path):
    fixture = FixtureSite(tmp_path)
    body = ("טלפון: {clinic:phone}.\n\nשם המחקר: <bdi>Ketamine for Social Anxiety Disorder</bdi>.\n\n"
            "An English paragraph on a Hebrew page.\n{: dir=\"ltr\" lang=\"en\" }\n")
    fixture.write_page("he", "about", page_text("about", "he", body=body))
    fixture.write_page("en", "about", page_text("about", "en"))
    build = fixture.build()
    assert build.returncode == 0, build.log
    prose = build.html("about/index.html").select_one(".prose")
    assert prose.select_one("a[href^='tel:']")["dir"] == "ltr"
    assert prose.find("bdi").get_text() == "Ketamine for Social Anxiety Disorder"
    paragraph = prose.find("p", attrs={"dir": "ltr"})
    assert paragraph["lang"] == "en" and paragraph.get_text().startswith("An English paragraph")


def test_page_size_does_not_grow_with_the_number_of_pages(tmp_path):
    fixture = FixtureSite(tmp_path)
    small = fixture.build(tmp_path / "small")
    assert small.returncode == 0, small.log
    for i in range(40):
        fixture.write_page("he", f"extra-{i}", page_text(f"extra-{i}", "he"))
        fixture.write_page("en", f"extra-{i}", page_text(f"extra-{i}", "en"))
    large = fixture.build(tmp_path / "large")
    assert large.returncode == 0, large.log
    assert len(large.pages()) >= len(small.pages()) + 80
    for page in ("index.html", "en/privacy/index.html"):
        assert (large.output / page).read_bytes() == (small.output / page).read_bytes(), page
