"""Front-matter checks that every page must pass, run on every build (cached pages included)."""

from collections.abc import Iterator, Mapping
from typing import Any

from keter_site.core.problems import Problem


REQUIRED = {
    "title": "the page title, shown as its main heading",
    "description": "one sentence (at most 160 characters) shown in search results",
}  # `lang` and `slug` are checked by the languages plugin, which owns them.
# Articles (content/<lang>/articles/) also need these (keter_site.articles).
REQUIRED_FOR_ARTICLES = {
    "date": "the day it is published, such as `date: 2026-11-27`",
    "summary": "one or two sentences shown in the list of articles",
}
DESCRIPTION_LIMIT = 160
TITLE_LIMIT = 120  # a heading longer than this wraps over many lines on a phone


def metadata_problems(meta: Mapping[str, Any], kind: str = "page") -> Iterator[Problem]:
    """The problems of one file's front matter ({lowercase key: value}; no file named, no
    line); `kind` is "page" or "article"."""
    required = {**REQUIRED, **(REQUIRED_FOR_ARTICLES if kind == "article" else {})}
    for key, meaning in required.items():
        if not str(meta.get(key, "")).strip():
            yield Problem("", f"missing `{key}` in the front matter ({meaning}).",
                          f"Add a line `{key}: ...` at the top of the file.")
    description = str(meta.get("description", ""))
    if len(description) > DESCRIPTION_LIMIT:
        yield Problem("", f"the description is {len(description)} characters; search results show at most "
                      f"{DESCRIPTION_LIMIT}.", "Shorten the `description` line.")
    title = str(meta.get("title", ""))
    if len(title) > TITLE_LIMIT:
        yield Problem("", f"the title is {len(title)} characters; at most {TITLE_LIMIT} fit a heading on a phone.",
                      "Shorten the `title` line (the page's description can say more).")
