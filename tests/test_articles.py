"""Articles (keter_site.articles): each language's list, newest first and in pages, dates in the
language's own words, a feed per language, previous/next, an article in one language only, the
home page's latest three, structured data, the sitemap, and the checks medical articles pass.
Real builds of a fixture site with the project's theme and plugins."""

import json
import re
from datetime import date, timedelta

import feedparser
import pytest

from tests.support import commands
from tests.support.sites import FixtureSite, page_text, project_settings

conf = project_settings()
BASE = conf.CANONICAL_BASE
FIRST_DAY = date(2026, 1, 1)
COUNT = 12  # articles in both languages; the English list also has one English-only article
PER_PAGE = 5


def _article(lang, number, **meta):
    day = FIRST_DAY + timedelta(days=number)
    meta.setdefault("summary", f"Summary {number} {lang}.")
    return page_text(f"news-{number:02d}", lang, title=f"Article {number} {lang}", body=f"Text of article {number}.",
                     date=day.isoformat(), **meta)


def _site(base):
    site = FixtureSite(base)
    site.extra_settings = f"PAGINATED_TEMPLATES = {{'articles': {PER_PAGE}}}\n"
    for lang in ("he", "en"):
        site.write_page(lang, "articles", page_text("articles", lang, title=f"Articles {lang}", template="articles"))
        for number in range(1, COUNT + 1):
            site.write_page(f"{lang}/articles", f"news-{number:02d}", _article(lang, number))
    site.write_page("en/articles", "english-only", page_text(
        "english-only", "en", title="Only in English", body="English only.", date="2026-03-01",
        summary="Only in English."))
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = _site(tmp_path_factory.mktemp("articles"))
    result = site.build()
    assert result.returncode == 0, result.log
    return site, result


def _titles(build, relative):
    return [h.get_text(strip=True) for h in build.html(relative).select(".article-list .article-item-title")]


def test_each_language_lists_its_articles_newest_first_in_pages(built):
    _, build = built
    he = [f"Article {n} he" for n in range(COUNT, 0, -1)]
    assert _titles(build, "articles/index.html") == he[:5]
    assert _titles(build, "articles/page/2/index.html") == he[5:10]
    assert _titles(build, "articles/page/3/index.html") == he[10:]
    en = ["Only in English"] + [f"Article {n} en" for n in range(COUNT, 0, -1)]
    assert _titles(build, "en/articles/index.html") == en[:5]
    assert _titles(build, "en/articles/page/3/index.html") == en[10:]
    first = build.html("en/articles/index.html")
    assert [a["href"] for a in first.select(".pagination a")] == ["/en/articles/page/2/"]
    middle = build.html("en/articles/page/2/index.html")
    assert [(a["rel"][0], a["href"]) for a in middle.select(".pagination a")] == [
        ("prev", "/en/articles/"), ("next", "/en/articles/page/3/")]
    assert not (build.output / "articles" / "page" / "4").exists()


def test_dates_are_written_in_each_language(built):
    _, build = built
    he = build.html("articles/news-12/index.html").select_one(".article-meta time")
    en = build.html("en/articles/news-12/index.html").select_one(".article-meta time")
    assert he["datetime"] == en["datetime"] == "2026-01-13"
    assert he.get_text() == "13 בינואר 2026"
    assert en.get_text() == "January 13, 2026"


def test_previous_and_next_stay_in_the_language(built):
    _, build = built
    links = {a["rel"][0]: a["href"] for a in build.html("en/articles/news-12/index.html").select(".article-nav a")}
    assert links == {"prev": "/en/articles/news-11/", "next": "/en/articles/english-only/"}
    links = {a["rel"][0]: a["href"] for a in build.html("articles/news-12/index.html").select(".article-nav a")}
    assert links == {"prev": "/articles/news-11/"}


def test_a_feed_per_language_with_absolute_links(built):
    _, build = built
    for lang, prefix, count in (("he", "", COUNT), ("en", "en/", COUNT + 1)):
        feed = feedparser.parse((build.output / prefix / "articles" / "atom.xml").read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert len(feed.entries) == count
        assert all(e.link.startswith(f"{BASE}/{prefix}articles/") for e in feed.entries)
        assert feed.entries[-1].link == f"{BASE}/{prefix}articles/news-01/"
        assert all(e.author and e.summary for e in feed.entries)
        assert feed.feed.links[0].href.startswith(BASE)


def test_an_article_in_one_language_has_no_alternate_and_no_dead_switcher_link(built):
    _, build = built
    page = build.html("en/articles/english-only/index.html")
    assert page.select("link[rel=alternate][hreflang]") == []
    assert [a["href"] for a in page.select(".language-switcher a")] == ["/articles/"]
    assert "Only in English" not in " ".join(_titles(build, "articles/index.html"))


def test_translations_are_linked_both_ways_and_every_article_is_in_the_sitemap(built):
    _, build = built
    he = build.html("articles/news-03/index.html")
    en = build.html("en/articles/news-03/index.html")
    alternates = {(link["hreflang"], link["href"]) for link in he.select("link[rel=alternate][hreflang]")}
    assert alternates == {("he", f"{BASE}/articles/news-03/"), ("en", f"{BASE}/en/articles/news-03/"),
                          ("x-default", f"{BASE}/articles/news-03/")}
    assert alternates == {(link["hreflang"], link["href"]) for link in en.select("link[rel=alternate][hreflang]")}
    sitemap = (build.output / "sitemap.xml").read_text(encoding="utf-8")
    for number in range(1, COUNT + 1):
        for prefix in ("", "en/"):
            entry = re.search(rf"<loc>{re.escape(BASE)}/{prefix}articles/news-{number:02d}/</loc>\s*<lastmod>([^<]+)</lastmod>",
                              sitemap)
            assert entry, (prefix, number)
            assert entry.group(1) == (FIRST_DAY + timedelta(days=number)).isoformat()
    assert f"<loc>{BASE}/en/articles/english-only/</loc>" in sitemap


def test_structured_data_says_it_is_an_article(built):
    _, build = built
    script = build.html("en/articles/news-05/index.html").select_one('script[type="application/ld+json"]')
    nodes = {node["@type"]: node for node in json.loads(script.string)["@graph"]}
    posting = nodes["BlogPosting"]
    assert posting["headline"] == "Article 5 en" and posting["inLanguage"] == "en"
    assert posting["datePublished"] == posting["dateModified"] == "2026-01-06"
    crumbs = [item["name"] for item in nodes["BreadcrumbList"]["itemListElement"]]
    assert crumbs[1:] == ["Articles en", "Article 5 en"]


def test_the_home_page_shows_the_latest_three_in_its_language(built):
    _, build = built
    assert _titles(build, "index.html") == ["Article 12 he", "Article 11 he", "Article 10 he"]
    assert _titles(build, "en/index.html") == ["Only in English", "Article 12 en", "Article 11 en"]


def test_no_articles_means_no_latest_section(tmp_path):
    site = FixtureSite(tmp_path)
    result = site.build()
    assert result.returncode == 0, result.log
    assert result.html("index.html").select(".latest-articles") == []


def test_an_updated_date_is_shown_and_used(tmp_path):
    site = _site(tmp_path)
    site.write_page("en/articles", "news-02", _article("en", 2, updated="2026-04-02"))
    result = site.build()
    assert result.returncode == 0, result.log
    page = result.html("en/articles/news-02/index.html")
    assert [t["datetime"] for t in page.select(".article-meta time")] == ["2026-01-03", "2026-04-02"]
    sitemap = (result.output / "sitemap.xml").read_text(encoding="utf-8")
    assert re.search(r"en/articles/news-02/</loc>\s*<lastmod>2026-04-02</lastmod>", sitemap)


@pytest.mark.parametrize("meta, expected", [
    ({"date": None}, "missing `date`"),
    ({"summary": None}, "missing `summary`"),
    ({"updated": "soon"}, "`updated: soon` is not a date"),
    ({"medical": "true"}, "this medical page cites no source"),
])
def test_a_faulty_article_is_refused_with_its_file(tmp_path, meta, expected):
    site = _site(tmp_path)
    values = {"summary": "A summary.", "date": "2026-02-01", **meta}
    text = page_text("faulty", "en", title="Faulty", body="Text.", **{k: v for k, v in values.items() if v is not None})
    site.write_page("en/articles", "faulty", text)
    result = site.build()
    assert result.returncode != 0
    assert "en/articles/faulty.md" in result.log
    assert expected in result.log


def test_a_medical_article_awaiting_review_is_refused_at_publish(tmp_path):
    site = _site(tmp_path)
    site.write_page("en/articles", "medical", page_text(
        "medical", "en", title="Medical", body="A claim [@glue2017].", date="2026-02-01", summary="S.",
        medical="true"))
    development = site.build()
    assert development.returncode == 0, development.log
    publish = site.invoke_build(base="publishconf", env={"SITEURL": BASE})
    assert publish.returncode != 0
    assert "articles/medical" in publish.log and "has not been approved" in publish.log


def test_new_article_in_one_language_and_the_status_tables_list_it(tmp_path):
    site = FixtureSite(tmp_path)
    settings = site.settings_file()

    def invoke(*args):
        return commands.invoke(*args, "--settings", settings)

    code, out = invoke("new", "clinic-news", "--article", "--lang", "en")
    assert code == 0, out
    created = site.content / "en" / "articles" / "clinic-news.md"
    assert created.exists() and not (site.content / "he" / "articles" / "clinic-news.md").exists()
    assert "summary:" in created.read_text(encoding="utf-8")
    code, out = invoke("new", "clinic-news", "--article", "--lang", "en")
    assert code == 1 and "already exist" in out
    code, out = invoke("translations")
    assert re.search(r"articles/clinic-news\s+missing\s+no source", out), out
    code, out = invoke("status")
    assert "articles/clinic-news" in out and "PLACEHOLDER" in out


def test_a_draft_is_in_no_list_feed_or_sitemap_and_only_the_preview_shows_it(tmp_path):
    """`status: draft` (the editor's "Draft (not published)" switch): the build goes ahead, the
    draft article and the draft page are in no list, feed, sitemap or home page, and the preview
    shows them under _drafts/; a publish build writes none, and the publish checks refuse one."""
    from pelican.settings import read_settings

    from keter_tools.deploy import checks

    site = _site(tmp_path / "site")
    for lang in ("he", "en"):
        site.write_page(f"{lang}/articles", "secret-news", page_text(
            "secret-news", lang, title=f"Article 40 {lang}", date="2026-06-01", summary="S.", status="draft"))
        site.write_page(lang, "hush", page_text("hush", lang, title=f"Hush {lang}", status="draft"))
    result = site.build()
    assert result.returncode == 0, result.log
    for prefix in ("", "en/"):
        titles = [t for n in (1, 2, 3) for t in _titles(result, f"{prefix}articles/{'page/%d/' % n if n > 1 else ''}index.html")]
        assert titles and not [t for t in titles if "40" in t]
        assert "40" not in " ".join(_titles(result, f"{prefix}index.html"))
        feed = feedparser.parse((result.output / prefix / "articles" / "atom.xml").read_bytes())
        assert feed.entries and not [e for e in feed.entries if "secret-news" in e.link]
        assert "Article 40" in result.html(f"_drafts/{prefix}articles/secret-news/index.html").get_text()
        assert "Hush" in result.html(f"_drafts/{prefix}hush/index.html").get_text()
        assert not (result.output / prefix / "hush").exists()
        assert not (result.output / prefix / "articles" / "secret-news").exists()
    sitemap = (result.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "secret-news" not in sitemap and "hush" not in sitemap and "_drafts" not in sitemap
    settings = {**read_settings(str(site.settings_file())), "SITEURL": BASE}
    assert any(p.path == "_drafts/" for p in checks.check_site(result.output, settings))
    publish = site.invoke_build(tmp_path / "publish", base="publishconf", env={
        "SITEURL": "https://www.keter-health.example", "STAGING": "1", "ALLOW_STALE_TRANSLATIONS": "1",
        "SIGNUP_ENDPOINT": "https://formspree.io/f/test"})
    assert (tmp_path / "publish" / "index.html").is_file(), publish.log
    assert not (tmp_path / "publish" / "_drafts").exists()
