"""Front-matter checks that every page must pass, run on every build (cached pages included)."""

from datetime import date

REQUIRED = {
    "title": "the page title, shown as its main heading",
    "description": "one sentence (at most 160 characters) shown in search results",
}  # `lang` and `slug` are checked by the languages plugin, which owns them.
MEDICAL_REQUIRED = {
    "reviewed_by": "the name of the clinician who reviewed the page",
    "last_reviewed": "the date of that review, written YYYY-MM-DD",
}
DESCRIPTION_LIMIT = 160


def _is_true(value):
    return str(value).strip().lower() in {"true", "yes", "1"}


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
    if _is_true(meta.get("medical", "")):
        for key, meaning in MEDICAL_REQUIRED.items():
            if not str(meta.get(key, "")).strip():
                yield (f"this is a medical page (`medical: true`) but it has no `{key}` ({meaning}).",
                       f"Add a line `{key}: ...` at the top of the file.")
        reviewed = str(meta.get("last_reviewed", "")).strip()
        if reviewed:
            try:
                date.fromisoformat(reviewed)
            except ValueError:
                yield (f"`last_reviewed: {reviewed}` is not a date.",
                       "Write the date as YYYY-MM-DD, for example `last_reviewed: 2026-11-26`.")
