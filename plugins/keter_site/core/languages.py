"""Languages as the LANGUAGES setting declares them: the one place that turns a language code
into its URL prefix, so pages, special addresses, the sitemap and the deploy config agree."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def prefix(languages: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    """The URL folder of a language, with a trailing slash: "" for the site root, "en/"."""
    folder = (languages.get(lang) or {}).get("prefix", "").strip("/")
    return f"{folder}/" if folder else ""


def ordered(languages: Mapping[str, Any], items: Iterable[T],
            key: Callable[[T], Any] = lambda item: item) -> list[T]:
    """`items` sorted in the order LANGUAGES declares the languages (unknown ones last)."""
    order = {code: i for i, code in enumerate(languages)}
    return sorted(items, key=lambda item: order.get(key(item), len(order)))


def page_lang(context: Mapping[str, Any]) -> str:
    """The language of what a template is rendering: its page's, a listing's `lang`, or the default."""
    return getattr(context.get("page"), "lang", None) or context.get("lang") or context["DEFAULT_LANG"]
