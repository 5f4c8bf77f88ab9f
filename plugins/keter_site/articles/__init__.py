"""Articles (content/<lang>/articles/): what only articles need, per language: a list newest first in pages,
previous/next, an Atom feed with absolute links, and a switcher that never leads to a missing translation."""

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import escape
from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator, Generator
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import Category
from pelican.utils import get_date
from pelican.writers import Writer

from keter_site.core import build, content
from keter_site.core.front_matter import line_of
from keter_site.core.languages import prefix

FEED_NAME = "atom.xml"


def _check(article: Content) -> None:
    """`updated`, optional, is a date after `date` (the checks plugin requires `date` and
    `summary` of every article file)."""
    updated = article.metadata.get("updated")
    if updated is not None and not hasattr(article, "modified"):
        try:
            article.modified = article.metadata["modified"] = get_date(str(updated))
        except (ValueError, TypeError):
            build.report(article.source_path, f"`updated: {updated}` is not a date.",
                         "Write it as `updated: 2026-12-01` (year, month, day).",
                         line_of(article.source_path, "updated:"))
            return
        if hasattr(article, "date") and article.modified.date() < article.date.date():
            build.report(article.source_path, "`updated` is before `date`.",
                         "An article is updated after it is published: correct one of the two dates.",
                         line_of(article.source_path, "updated:"))


# Pelican paginates only what its own generators write, over every language's articles at once; here each language
# has its own Paginator, by Pelican's settings, and page 1 is an editor's page (`template: articles`).
def _listings(articles: list[Content], settings: Mapping[str, Any], index: Content) -> list[Page]:
    """The pages of one language's list, the first at the articles page's own address."""
    per_page = settings["PAGINATED_TEMPLATES"].get("articles") or settings["DEFAULT_PAGINATION"]
    paginator = Paginator(index.save_as, index.url, articles, settings, per_page)
    return [paginator.page(number) for number in paginator.page_range]


def after_reading(generators: Sequence[Generator]) -> None:
    """Each language's list and neighbours, once every document is read and placed
    (keter_site.pipeline.AFTER_READING)."""
    settings = generators[0].settings
    context = generators[0].context
    languages = settings["LANGUAGES"]
    documents = content.documents(generators)
    articles = [d for d in documents if content.kind(d) == "article"]
    for article in articles:
        _check(article)
    published = [a for a in articles if content.is_published(a) and a.lang in languages and hasattr(a, "date")]
    by_lang = {lang: sorted((a for a in published if a.lang == lang), key=lambda a: (a.date, a.slug), reverse=True)
               for lang in languages}
    # Not pelican-neighbors: it walks every language's articles together, so an English reader's "next" could be a
    # Hebrew article.
    for lang_articles in by_lang.values():
        for position, article in enumerate(lang_articles):
            article.newer = lang_articles[position - 1] if position > 0 else None
            article.older = lang_articles[position + 1] if position + 1 < len(lang_articles) else None
    role = settings["SPECIAL_PAGES"].get("articles")
    listings: dict[str, list[Page]] = {}
    for lang in languages:
        index = (context.get("SPECIAL") or {}).get(lang, {}).get("articles") if role else None
        if index is None:
            if by_lang[lang]:
                build.report(by_lang[lang][0].source_path,
                             f"there are {lang} articles but no {lang} articles page to list them.",
                             f"Create content/{lang}/{role or 'articles'}.md with `template: articles`, or set "
                             "SPECIAL_PAGES['articles'] in pelicanconf.py.")
            continue
        listings[lang] = _listings(by_lang[lang], settings, index)
    context["ARTICLES_BY_LANG"] = by_lang
    context["ARTICLE_LISTINGS"] = listings  # {lang: [pelican.paginator.Page]}


def _write_listings_and_feeds(generator: Generator, writer: Writer) -> None:
    """Every listing page after the first (the articles page itself is page 1), and the feeds."""
    context = generator.context
    settings = generator.settings
    template = generator.env.get_template("articles.html")
    special = context.get("SPECIAL") or {}
    for lang, listings in (context.get("ARTICLE_LISTINGS") or {}).items():
        index = special[lang]["articles"]
        for listing in listings[1:]:
            writer.write_file(listing.save_as, template, context, page=index, listing=listing,
                              relative_urls=settings["RELATIVE_URLS"], url=listing.url)
    base = settings["CANONICAL_BASE"].rstrip("/")
    translate = build.current().translate
    # Not TRANSLATION_FEED_ATOM: it names a feed by `{lang}` alone, titles it SITENAME in every language, and links
    # relatively while SITEURL is empty. Feed readers need absolute addresses: written as the public site serves it.
    feed_context = {**context, "SITEURL": base, "FEED_DOMAIN": base,
                    "SITESUBTITLE": None}
    for lang, articles in (context.get("ARTICLES_BY_LANG") or {}).items():
        if lang not in (context.get("ARTICLE_LISTINGS") or {}):
            continue
        path = f"{prefix(settings['LANGUAGES'], lang)}articles/{FEED_NAME}"
        writer.write_feed(articles, {**feed_context, "SITENAME": translate("site.name", lang)}, path,
                          feed_title=translate("articles.feed_title", lang))


def _name_the_author(context: Mapping[str, Any], feed: Any) -> None:
    # Atom wants an author for each entry: the clinic, named in the feed's language.
    for item in feed.items:
        item["author_name"] = item.get("author_name") or context["SITENAME"]
        # An article's summary is plain text (FORMATTED_FIELDS is empty), and Atom's <summary>
        # is written as type="html": the text is escaped, so a feed reader shows "<b>" as typed
        # instead of running it as markup.
        if item.get("description"):
            item["description"] = str(escape(str(item["description"])))


@pass_context
def language_versions(context: Context, page: Content) -> list[tuple[str, str]]:
    """[(lang, address)] of this page in every other language: its translation, or for an
    article without one, that language's articles page."""
    languages = context["LANGUAGES"]
    translations = {t.lang: t for t in getattr(page, "translations", []) if t.lang in languages}
    special = context.get("SPECIAL") or {}
    versions: list[tuple[str, str]] = []
    for lang in languages:
        if lang == page.lang:
            continue
        if lang in translations:
            versions.append((lang, translations[lang].url))
        elif content.kind(page) == "article" and "articles" in special.get(lang, {}):
            versions.append((lang, special[lang]["articles"].url))
    return versions


def _add_to_jinja(generator: Generator) -> None:
    generator.env.globals["language_versions"] = language_versions


def _give_drafts_a_category(generator: object) -> None:
    """A draft article gets the default category, which no page shows: Pelican's draft writer needs one, and with
    category pages off (CATEGORY_SAVE_AS = "") its reader gives none, so a draft would stop the build."""
    if not isinstance(generator, ArticlesGenerator):
        return
    for draft in [*generator.drafts, *generator.drafts_translations]:
        if not hasattr(draft, "category"):
            draft.category = Category(generator.settings["DEFAULT_CATEGORY"], generator.settings)


def register() -> None:
    """Connect the steps to Pelican's signals (keter_site.STEPS gives their place among the others)."""
    signals.article_generator_finalized.connect(_give_drafts_a_category)
    signals.generator_init.connect(_add_to_jinja)
    signals.article_writer_finalized.connect(_write_listings_and_feeds)
    signals.feed_generated.connect(_name_the_author)
