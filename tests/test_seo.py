"""Found and shared correctly: canonical and hreflang links, the sitemap and robots.txt, link
previews, structured data (JSON-LD), the 404 pages, favicon and web manifest."""

import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import yaml
from PIL import Image

from tests.support import reviewers
from tests.support.browser import serve_directory
from tests.support.sites import FixtureSite, ROOT, front_matter, page_text, project_settings, run_pelican

conf = project_settings()

BASE = conf.CANONICAL_BASE
LANGS = list(conf.LANGUAGES)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
SCRIPT_END = "</script><script>alert(1)</script>"


def _strings(lang):
    return yaml.safe_load((ROOT / "theme" / "strings" / f"{lang}.yml").read_text(encoding="utf-8"))


def _clinic():
    return yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))


def _prefix(lang):
    prefix = conf.LANGUAGES[lang]["prefix"]
    return f"{prefix}/" if prefix else ""


def _path_of(slug, lang):
    """The site-relative URL of a published page."""
    return _prefix(lang) + ("" if slug == conf.SPECIAL_PAGES["home"] else f"{slug}/")


def _published():
    """{(slug, lang): front matter} of every published content page and article (an article's
    slug here is articles/<slug>, its address under the language's articles page)."""
    pages = {}
    for lang in LANGS:
        for path in sorted((ROOT / "content" / lang).glob("*.md")) + sorted((ROOT / "content" / lang).glob("articles/*.md")):
            meta = front_matter(path)
            if meta.get("status", "published") == "published":
                folder = "articles/" if path.parent.name == "articles" else ""
                pages[(folder + meta["slug"], lang)] = meta
    return pages


def _output_file(path):
    return path + "index.html" if path == "" or path.endswith("/") else path


def _noindex(doc):
    robots = doc.find("meta", attrs={"name": "robots"})
    return robots is not None and "noindex" in robots["content"]


def _alternates(doc):
    links = doc.find_all("link", rel="alternate", hreflang=True)
    pairs = [(link["hreflang"], link["href"]) for link in links]
    assert len(pairs) == len(dict(pairs)), pairs  # no hreflang twice
    return dict(pairs)


def _meta(doc, key):
    found = doc.find_all("meta", attrs={"property": key}) or doc.find_all("meta", attrs={"name": key})
    return [m["content"] for m in found]


def _one(doc, key):
    values = _meta(doc, key)
    assert len(values) == 1, (key, values)
    return values[0]


def _jsonld(doc):
    blocks = doc.find_all("script", type="application/ld+json")
    return [json.loads(block.string) for block in blocks]


def _nodes(doc):
    blocks = _jsonld(doc)
    assert len(blocks) == 1, blocks
    assert blocks[0]["@context"] == "https://schema.org"
    nodes = blocks[0]["@graph"]
    types = [node["@type"] for node in nodes]
    assert len(types) == len(set(types)), types
    return {node["@type"]: node for node in nodes}


def _png_size(data):
    with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
        return image.size


def _text(text):
    return " ".join(text.split())


def _letters(text):
    # Minified HTML drops the whitespace between some elements; compare the text without it.
    return "".join(text.split())


def _faq_from_html(doc):
    """[(question, answer)] as a reader sees them: each question of the page text and its answer,
    without the citation numbers (search engines are not shown the Sources list they point to).
    On the FAQ page each question (an h2, or an h3 under h2 group headings) is the summary of a
    <details> that holds its answer (the details component); elsewhere the answer is what
    follows the h2, up to the next one."""
    entries = []
    for heading in doc.select(".prose details.details summary :is(h2, h3)") or doc.select(".prose h2"):
        details = heading.find_parent("details")
        if details is not None:
            parts = [block.get_text() for block in details.find_all(recursive=False) if block.name != "summary"]
        else:
            parts = []
            for sibling in heading.find_next_siblings():
                if sibling.name == "h2":
                    break
                parts.append(sibling.get_text())
        answer = re.sub(r"\[\d+(?:,\s*\d+)*\]", "", "".join(parts))  # the citation numbers
        entries.append((_text(heading.get_text()), _letters(answer)))
    return entries


# --- the real site -------------------------------------------------------------------------


def test_every_published_page_is_built_and_indexable(site):
    published = _published()
    assert len(published) >= 20
    indexable = {relative for relative in site.pages() if not _noindex(site.html(relative))}
    assert indexable == {_output_file(_path_of(slug, lang)) for slug, lang in published}


def test_canonical_and_hreflang_are_absolute_complete_and_reciprocal(site):
    published = _published()
    checked = 0
    for (slug, lang), meta in published.items():
        own = f"{BASE}/{_path_of(slug, lang)}"
        doc = site.html(_output_file(_path_of(slug, lang)))
        canonicals = doc.find_all("link", rel="canonical")
        assert [link["href"] for link in canonicals] == [own], (slug, lang)
        alternates = _alternates(doc)
        # Itself, every translation and x-default: exactly these, nothing else.
        expected = {code: f"{BASE}/{_path_of(slug, code)}" for code in LANGS}
        expected["x-default"] = expected[conf.DEFAULT_LANG]
        assert alternates == expected, (slug, lang)
        for hreflang, href in alternates.items():
            parts = urlsplit(href)
            assert parts.scheme in ("http", "https") and parts.netloc, href
            assert href.startswith(BASE + "/"), href
            # Reciprocal: the page each link leads to carries the very same set.
            target = site.html(_output_file(href[len(BASE) + 1:]))
            assert target.html["lang"] == (conf.DEFAULT_LANG if hreflang == "x-default" else hreflang)
            assert _alternates(target) == alternates, (slug, lang, href)
        checked += 1
    assert checked == len(published)


def test_404_pages_are_per_language_noindex_and_lead_home(site):
    for lang in LANGS:
        relative = f"{_prefix(lang)}404.html"
        doc = site.html(relative)
        assert doc.html["lang"] == lang
        assert doc.html["dir"] == conf.LANGUAGES[lang]["dir"]
        assert [m["content"] for m in doc.find_all("meta", attrs={"name": "robots"})] == ["noindex"]
        assert not doc.find_all("link", rel="canonical")
        assert not doc.find_all("link", hreflang=True)
        assert not doc.find_all("script", type="application/ld+json")
        assert not _meta(doc, "og:url")
        links = {a["href"] for a in doc.select(".prose a")}
        # Served at any missing address, so every link starts from the site root.
        assert all(href.startswith("/") or href.startswith("tel:") for href in links), links
        assert f"/{_prefix(lang)}" in links
        menu = {a["href"] for a in doc.select("nav.site-nav a")}
        assert menu and menu <= links, menu - links


def test_sitemap_lists_every_page_once_per_language_with_its_alternates(site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    urls = root.findall(f"{SITEMAP_NS}url")
    locs = [url.findtext(f"{SITEMAP_NS}loc") for url in urls]
    published = _published()
    assert len(locs) == len(set(locs)) == len(published)
    assert set(locs) == {f"{BASE}/{_path_of(slug, lang)}" for slug, lang in published}
    assert not [loc for loc in locs if "404" in loc]
    for url, loc in zip(urls, locs):
        links = url.findall(f"{XHTML_NS}link")
        assert all(link.get("rel") == "alternate" for link in links)
        pairs = [(link.get("hreflang"), link.get("href")) for link in links]
        assert len(pairs) == len(LANGS) + 1 == len(dict(pairs)), loc
        page = site.html(_output_file(loc[len(BASE) + 1:]))
        assert dict(pairs) == _alternates(page), loc
        assert dict(pairs)[page.html["lang"]] == loc


def test_robots_txt_points_to_the_sitemap(site):
    lines = (site.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert [line for line in lines if line.startswith("Sitemap:")] == [f"Sitemap: {BASE}/sitemap.xml"]
    assert not [line for line in lines if line.startswith("Disallow:") and line.split(":", 1)[1].strip()]


def test_description_and_sharing_tags_come_from_the_page(site):
    images = {}
    for (slug, lang), meta in _published().items():
        doc = site.html(_output_file(_path_of(slug, lang)))
        own = f"{BASE}/{_path_of(slug, lang)}"
        assert [m["content"] for m in doc.find_all("meta", attrs={"name": "description"})] == [meta["description"]]
        assert _one(doc, "og:title") == _one(doc, "twitter:title") == meta["title"]
        assert _one(doc, "og:description") == _one(doc, "twitter:description") == meta["description"]
        assert _one(doc, "og:url") == own
        assert _one(doc, "og:type") == ("article" if slug.startswith("articles/") else "website")
        assert _one(doc, "og:site_name") == _strings(lang)["site.name"]
        assert _one(doc, "og:locale") == conf.LANGUAGES[lang]["locale"]
        assert sorted(_meta(doc, "og:locale:alternate")) == sorted(
            conf.LANGUAGES[code]["locale"] for code in LANGS if code != lang)
        image = _one(doc, "og:image")
        assert image == _one(doc, "twitter:image") == f"{BASE}/theme/images/share-{lang}.png"
        assert _one(doc, "twitter:card") == "summary_large_image"
        assert (_one(doc, "og:image:width"), _one(doc, "og:image:height")) == ("1200", "630")
        assert _one(doc, "og:image:alt") == _strings(lang)["seo.share_image_alt"]
        images[lang] = image
    for lang, image in images.items():
        data = (site.output / image[len(BASE) + 1:]).read_bytes()
        assert _png_size(data) == (1200, 630)
        assert len(data) < 60_000
    # Each language's preview shows its own language.
    assert len({(site.output / i[len(BASE) + 1:]).read_bytes() for i in images.values()}) == len(LANGS)


def test_favicon_manifest_and_theme_colour(site):
    for relative in site.pages():
        doc = site.html(relative)
        lang = doc.html["lang"]
        icons = doc.find_all("link", rel="icon")
        assert [icon["href"] for icon in icons] == ["/theme/favicon.svg"], relative
        svg = ET.parse(site.output / "theme" / "favicon.svg").getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert (site.output / "theme" / "favicon.svg").stat().st_size < 1000
        manifests = doc.find_all("link", rel="manifest")
        assert [m["href"] for m in manifests] == [f"/{_prefix(lang)}site.webmanifest"], relative
        assert _one(doc, "theme-color") == ACCENT
    for lang in LANGS:
        manifest = json.loads((site.output / f"{_prefix(lang)}site.webmanifest").read_text(encoding="utf-8"))
        assert manifest["name"] == _strings(lang)["site.name"]
        assert manifest["lang"] == lang and manifest["dir"] == conf.LANGUAGES[lang]["dir"]
        assert manifest["start_url"] == f"/{_prefix(lang)}"
        assert manifest["theme_color"] == ACCENT
        assert [icon["src"] for icon in manifest["icons"]] == ["/theme/favicon.svg"]


def test_structured_data_on_every_page(site):
    clinic = _clinic()
    for (slug, lang), meta in _published().items():
        relative = _output_file(_path_of(slug, lang))
        doc = site.html(relative)
        raw = doc.find("script", type="application/ld+json").string
        assert "<" not in raw and ">" not in raw, relative
        nodes = _nodes(doc)
        own = f"{BASE}/{_path_of(slug, lang)}"
        home = f"{BASE}/{_prefix(lang)}"
        if slug == conf.SPECIAL_PAGES["home"]:
            assert set(nodes) == {"MedicalClinic"}
            node = nodes["MedicalClinic"]
            assert node["name"] == clinic["name"][lang]
            assert node["url"] == home
            assert node["telephone"] == clinic["phone_international"]
            assert node["address"] == clinic["address"][lang]
            assert node["medicalSpecialty"] == "Psychiatric"
            service = node["availableService"]
            assert service["@type"] == "MedicalTherapy"
            assert service["name"] == _strings(lang)["seo.therapy_name"]
            # The list the physician reviews on is-kap-right, word for word.
            listed = [" ".join(li.get_text().split()) for li in
                      site.html(_path_of("is-kap-right", lang) + "index.html").select(".prose .contraindications li")]
            assert service["contraindication"] == listed and len(listed) >= 5
            continue
        expected = {"BreadcrumbList"}
        if meta.get("medical") == "true":
            expected.add("MedicalWebPage")
        if slug == conf_faq_slug():
            expected.add("FAQPage")
        trail = [(_strings(lang)["seo.breadcrumb_home"], home)]
        if slug.startswith("articles/"):
            expected.add("BlogPosting")
            index = front_matter(ROOT / "content" / lang / "articles.md")
            trail.append((index["title"], f"{BASE}/{_path_of('articles', lang)}"))
            posting = nodes["BlogPosting"]
            assert posting["headline"] == meta["title"] and posting["datePublished"] == meta["date"]
        assert set(nodes) == expected, relative
        crumbs = nodes["BreadcrumbList"]["itemListElement"]
        assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
            (position, name, item) for position, (name, item) in enumerate([*trail, (meta["title"], own)], start=1)]
        if "MedicalWebPage" in nodes:
            page = nodes["MedicalWebPage"]
            assert page["url"] == own and page["name"] == meta["title"] and page["inLanguage"] == lang
            # Nobody has approved today's text: the data claims no review either.
            assert "lastReviewed" not in page and "reviewedBy" not in page


# The toolbar colour is the stylesheet's --accent (one place for the theme's colours).
ACCENT = re.search(r"--accent:\s*(#[0-9a-fA-F]+)", (ROOT / "theme" / "assets" / "site.css").read_text(encoding="utf-8"))[1]


def conf_faq_slug():
    return conf.SPECIAL_PAGES["faq"]


def test_contraindications_name_the_conditions_the_clinic_names(site):
    # The clinic's source names these two; the rest are "may not be eligible" (the registry).
    for lang, words in (("en", ("blood pressure", "psychosis")), ("he", ("לחץ דם", "פסיכוזה"))):
        items = site.html(_path_of("is-kap-right", lang) + "index.html").select(".prose .contraindications li")
        text = " ".join(li.get_text() for li in items)
        assert all(word in text for word in words), (lang, text)


def test_faq_structured_data_is_the_faq_page(site):
    faqs = [(slug, lang) for slug, lang in _published() if slug == conf_faq_slug()]
    # Whatever FAQ the site has: every question on the page, in order, with its answer.
    for slug, lang in faqs:
        doc = site.html(_output_file(_path_of(slug, lang)))
        faq = _nodes(doc)["FAQPage"]
        assert faq["url"] == f"{BASE}/{_path_of(slug, lang)}" and faq["inLanguage"] == lang
        built = [(q["name"], _letters(q["acceptedAnswer"]["text"])) for q in faq["mainEntity"]]
        assert all(q["@type"] == "Question" and q["acceptedAnswer"]["@type"] == "Answer"
                   for q in faq["mainEntity"])
        on_page = _faq_from_html(doc)
        assert len(on_page) >= 3
        assert built == on_page


def test_pages_stay_within_the_byte_budget(site):
    # Link previews, hreflang and JSON-LD count towards each page's budget: HTML, CSS and JS
    # together under 14,600 bytes gzipped.
    import gzip

    for relative in site.pages():
        doc = site.html(relative)
        files = [relative] + [link["href"] for link in doc.find_all("link", rel="stylesheet")] + [
            s["src"] for s in doc.find_all("script", src=True)]
        total = sum(len(gzip.compress((site.output / f.lstrip("/")).read_bytes(), 9)) for f in files)
        assert total < 14_600, (relative, total)


# --- fixture sites -------------------------------------------------------------------------


def _fixture_with_faq(tmp_path, question, answer, title="FAQ", description="Questions and answers."):
    fixture = FixtureSite(tmp_path / "site")
    for lang in ("he", "en"):
        body = f"Intro text [@glue2017].\n\n## {question}\n\n{answer}\n\n## Second question?\n\nSecond answer.\n"
        fixture.write_page(lang, "faq", page_text(
            "faq", lang, title=title, body=body, description=description, medical="true"))
    # The physician's signed approval, by a reviewer whose name (in the allowed signers) carries
    # the script end tag too.
    reviewers.approve_fixture(fixture, "faq", names={lang: f'ד"ר {SCRIPT_END}' for lang in ("he", "en")})
    return fixture


def test_script_end_tag_in_any_value_stays_inside_its_block(tmp_path, page):
    title = f"Title {SCRIPT_END}"
    description = f"About {SCRIPT_END} and <!--"
    question = f"Is `{SCRIPT_END}` safe, `<!--` and `</SCRIPT >`?"
    fixture = _fixture_with_faq(tmp_path, question, f"Answer with `{SCRIPT_END}` & `<!--` in it.",
                                title=title, description=description)
    build = fixture.build()
    assert build.returncode == 0, build.log
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with serve_directory(build.output) as url:
        for lang in ("he", "en"):
            relative = f"{_prefix(lang)}faq/index.html"
            raw = (build.output / relative).read_text(encoding="utf-8")
            # The block as written, cut where an HTML parser ends it, is the whole JSON.
            opening = re.search(r"<script[^>]*application/ld\+json[^>]*>", raw)
            end = re.search(r"</script", raw[opening.end():], re.IGNORECASE).start()
            block = raw[opening.end():opening.end() + end]
            data = json.loads(block)
            assert "<" not in block and ">" not in block
            # A browser sees exactly one <script>, the JSON-LD, holding that same JSON.
            page.goto(f"{url}/{relative}")
            scripts = page.evaluate("""() => [...document.scripts].map(s => [s.type, s.textContent])""")
            assert len(scripts) == 1 and scripts[0][0] == "application/ld+json", scripts
            assert json.loads(scripts[0][1]) == data
            nodes = {node["@type"]: node for node in data["@graph"]}
            assert nodes["MedicalWebPage"]["name"] == title
            assert nodes["MedicalWebPage"]["description"] == description
            assert nodes["MedicalWebPage"]["reviewedBy"]["name"] == f'ד"ר {SCRIPT_END}'
            assert nodes["BreadcrumbList"]["itemListElement"][1]["name"] == title
            questions = nodes["FAQPage"]["mainEntity"]
            assert [q["name"] for q in questions] == [
                f"Is {SCRIPT_END} safe, <!-- and </SCRIPT >?", "Second question?"]
            assert questions[0]["acceptedAnswer"]["text"] == f"Answer with {SCRIPT_END} & <!-- in it."
            assert page.evaluate("() => document.querySelector('h1').textContent") == title
    assert dialogs == []


def test_faq_without_questions_stops_the_build(tmp_path):
    fixture = FixtureSite(tmp_path / "site")
    for lang in ("he", "en"):
        fixture.write_page(lang, "faq", page_text("faq", lang, body="Just a paragraph, no questions."))
    build = fixture.build()
    assert build.returncode != 0
    assert "faq.md: the FAQ page has no questions that search engines can read." in build.log
    assert "`## Question?` heading" in build.log


@pytest.mark.parametrize("siteurl, reason", [
    ("http://www.example.test", "is not https"),
    ("https://127.0.0.1", "is not on a public host name"),
    ("https://www.example.test/;x", "contains a character that would break the security headers"),
])
def test_a_launch_build_needs_a_public_https_siteurl(tmp_path, siteurl, reason):
    fixture = FixtureSite(tmp_path / "site")
    build = fixture.invoke_build(base="publishconf", env={"SITEURL": siteurl, "SIGNUP_ENDPOINT": "https://forms.example.test/f"})
    assert build.returncode == 1
    assert f"publishconf.py: SITEURL '{siteurl}' {reason}" in build.log


def test_canonical_base_must_be_an_absolute_address(tmp_path):
    fixture = FixtureSite(tmp_path / "site")
    settings = fixture.settings_file()
    settings.write_text(settings.read_text(encoding="utf-8") + "CANONICAL_BASE = 'www.example.org'\n",
                        encoding="utf-8")
    build = run_pelican(settings, tmp_path / "output")
    assert build.returncode != 0
    assert "CANONICAL_BASE is 'www.example.org', not an absolute http(s) address" in build.log


def test_publish_build_takes_its_addresses_from_siteurl_in_the_environment(tmp_path):
    fixture = FixtureSite(tmp_path / "site")
    site = "https://clinic.example.org"
    build = run_pelican(fixture.settings_file("publishconf"), tmp_path / "output", env={
        "SITEURL": site, "SIGNUP_ENDPOINT": "https://forms.example.org/f/1",
        "ALLOW_STALE_TRANSLATIONS": "1"})
    assert build.returncode == 0, build.log
    doc = build.html("en/privacy/index.html")
    assert [link["href"] for link in doc.find_all("link", rel="canonical")] == [f"{site}/en/privacy/"]
    assert _alternates(doc) == {"he": f"{site}/privacy/", "en": f"{site}/en/privacy/",
                                "x-default": f"{site}/privacy/"}
    assert _one(doc, "og:image") == f"{site}/theme/images/share-en.png"
    locs = [u.findtext(f"{SITEMAP_NS}loc") for u in ET.parse(build.output / "sitemap.xml").getroot()]
    assert locs and all(loc.startswith(site + "/") for loc in locs)
    assert f"Sitemap: {site}/sitemap.xml" in (build.output / "robots.txt").read_text(encoding="utf-8")
    nodes = _nodes(build.html("index.html"))
    assert nodes["MedicalClinic"]["url"] == f"{site}/"
