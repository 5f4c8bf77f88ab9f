"""Front-matter checks that every page must pass, run on every build (cached pages included)."""


REQUIRED = {
    "title": "the page title, shown as its main heading",
    "description": "one sentence (at most 160 characters) shown in search results",
}  # `lang` and `slug` are checked by the languages plugin, which owns them.
DESCRIPTION_LIMIT = 160
TITLE_LIMIT = 120  # a heading longer than this wraps over many lines on a phone


def metadata_problems(meta):
    """Yield (message, fix) pairs for one file's front matter ({lowercase key: value})."""
    for key, meaning in REQUIRED.items():
        if not str(meta.get(key, "")).strip():
            yield (f"missing `{key}` in the front matter ({meaning}).",
                   f"Add a line `{key}: ...` at the top of the file.")
    description = str(meta.get("description", ""))
    if len(description) > DESCRIPTION_LIMIT:
        yield (f"the description is {len(description)} characters; search results show at most "
               f"{DESCRIPTION_LIMIT}.", "Shorten the `description` line.")
    title = str(meta.get("title", ""))
    if len(title) > TITLE_LIMIT:
        yield (f"the title is {len(title)} characters; at most {TITLE_LIMIT} fit a heading on a phone.",
               "Shorten the `title` line (the page's description can say more).")
