"""The content walk: every document Pelican read, of every kind and status, with its translations; plugins check
and transform content through this one list, so a new kind of content is handled everywhere at once."""

from collections.abc import Iterable
from typing import Any
import os

from pelican.generators import ArticlesGenerator, PagesGenerator

# Each generator's lists of documents, by the attribute names Pelican gives them.
_LISTS = {
    PagesGenerator: ("pages", "translations", "hidden_pages", "hidden_translations",
                     "draft_pages", "draft_translations"),
    ArticlesGenerator: ("articles", "translations", "drafts", "drafts_translations",
                        "hidden_articles", "hidden_translations"),
}


def of_generator(generator: Any) -> list[Any]:
    """Every document one generator read (an empty list for generators of other things)."""
    for kind, names in _LISTS.items():
        if isinstance(generator, kind):
            return [doc for name in names for doc in getattr(generator, name, [])]
    return []


def documents(generators: Iterable[Any]) -> list[Any]:
    """Every document of every content generator, pages first."""
    return [doc for generator in generators for doc in of_generator(generator)]


def is_published(document: Any) -> bool:
    """Whether readers find the document listed: published, neither a draft nor hidden."""
    return document.status == "published"


def kind(document: Any) -> str:
    """"page" or "article" (Pelican's class names, lowercased)."""
    return type(document).__name__.lower()


def key(document: Any) -> str:
    """A document's name across its languages: the slug of a page, articles/<slug> of an
    article (translation status, medical review records, `invoke status`)."""
    return document.slug if kind(document) == "page" else f"{kind(document)}s/{document.slug}"


def source_files(generator: Any) -> list[str]:
    """The path of every Markdown file a content generator was asked to read, whether or not
    Pelican could make a document of it (so a file with broken front matter is still checked)."""
    settings = generator.settings
    if isinstance(generator, PagesGenerator):
        paths, excludes = settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"]
    elif isinstance(generator, ArticlesGenerator):
        paths, excludes = settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"]
    else:
        return []
    found = generator.get_files(paths, exclude=excludes)
    # Text, not Path objects: the live preview runs this on every save, over every file.
    return [os.path.join(generator.path, name) for name in sorted(found) if name.endswith((".md", ".markdown"))]


# Pelican keeps a document's HTML, as read, in `_content` (what its plugins rewrite: the public
# `content` property resolves {filename} links first); these two are the one place that names it.
def html_of(document: Any) -> str:
    """A document's HTML as read and as the steps so far changed it."""
    return str(document._content or "")


def set_html(document: Any, html: str) -> None:
    """Replace a document's HTML (before its links are resolved and it is written)."""
    document._content = html
