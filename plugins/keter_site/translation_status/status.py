"""Which translations are up to date, from the content files alone (no git history needed): a translation records
the fingerprint of the source page it follows (`source_hash`), and is stale once the source's differs."""

import functools
from collections.abc import Sequence
from pathlib import Path

from keter_site.core.fingerprints import of_text
from keter_site.core.front_matter import read, read_text, set_keys, split

HASH_KEY = "source_hash"
FINGERPRINTED_KEYS = ("title", "description")


@functools.lru_cache(maxsize=4096)  # pure: the live preview asks again on every build
def fingerprint(source_text: str) -> str:
    """What a translation records of its source page: its title, description and text."""
    meta, body, _ = split(source_text)
    return of_text([*(meta.get(k, "") for k in FINGERPRINTED_KEYS), body.strip()], "\n", 12)


def status_table(content: str | Path, languages: Sequence[str],
                 source_lang: str) -> dict[str, tuple[dict[str, str], dict[str, Path]]]:
    """{slug: ({lang: state}, {lang: path})} for every page of every language; a state is
    "source", "ok", "stale", "missing", or "no source" (the source-language page is missing)."""
    content = Path(content)
    slugs: dict[str, dict[str, Path]] = {}
    for lang in languages:
        # Pages in content/<lang>/, articles in content/<lang>/articles/ (any depth).
        for path in sorted((content / lang).rglob("*.md")):
            meta = read(path)
            folder = path.parent.relative_to(content / lang).as_posix()
            slug = meta.get("slug", path.stem)
            slugs.setdefault(slug if folder == "." else f"{folder}/{slug}", {})[lang] = path
    table = {}
    for slug, files in sorted(slugs.items()):
        source = files.get(source_lang)
        expected = fingerprint(read_text(source)) if source else None
        row = {}
        for lang in languages:
            found = files.get(lang)
            if found is None:
                row[lang] = "missing"
            elif lang == source_lang:
                row[lang] = "source"
            else:
                recorded = read(found).get(HASH_KEY)
                row[lang] = "no source" if expected is None else "ok" if recorded == expected else "stale"
        table[slug] = (row, files)
    return table


def mark_done(translation_path: str | Path, source_path: str | Path) -> str:
    """Record in the translation that it matches the current source page."""
    value = fingerprint(read_text(source_path))
    set_keys(translation_path, {HASH_KEY: value})
    return value
