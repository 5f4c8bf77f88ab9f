"""Which translations are up to date, from the content files alone (no git history needed).

A translation records the fingerprint of the source-language page it was made from, in its
front matter (`source_hash: ...`). When the source page's title, description or text change,
its fingerprint changes, and the translation is stale until an editor updates it and runs
`invoke translations --done PAGE LANG`, which records the new fingerprint.
"""

import hashlib
import re
from pathlib import Path

HASH_KEY = "source_hash"
FINGERPRINTED_KEYS = ("title", "description")
_KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s?(.*)$")


def split_front_matter(text):
    """(metadata dict, body text, number of front-matter lines)."""
    lines = text.splitlines()
    meta, count = {}, 0
    for line in lines:
        if not line.strip():
            break
        match = _KEY_LINE.match(line)
        if match:
            meta[match[1].lower()] = match[2].strip()
        count += 1
    return meta, "\n".join(lines[count + 1:]), count


def fingerprint(source_text):
    meta, body, _ = split_front_matter(source_text)
    material = "\n".join([*(meta.get(k, "") for k in FINGERPRINTED_KEYS), body.strip()])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:12]


def status_table(content, languages, source_lang):
    """{slug: ({lang: state}, {lang: path})} for every page of every language; a state is
    "source", "ok", "stale", "missing", or "no source" (the source-language page is missing)."""
    content = Path(content)
    slugs = {}
    for lang in languages:
        for path in sorted((content / lang).glob("*.md")):
            meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
            slugs.setdefault(meta.get("slug", path.stem), {})[lang] = path
    table = {}
    for slug, files in sorted(slugs.items()):
        source = files.get(source_lang)
        expected = fingerprint(source.read_text(encoding="utf-8")) if source else None
        row = {}
        for lang in languages:
            path = files.get(lang)
            if path is None:
                row[lang] = "missing"
            elif lang == source_lang:
                row[lang] = "source"
            else:
                recorded = split_front_matter(path.read_text(encoding="utf-8"))[0].get(HASH_KEY)
                row[lang] = "no source" if expected is None else "ok" if recorded == expected else "stale"
        table[slug] = (row, files)
    return table


def mark_done(translation_path, source_path):
    """Record in the translation that it matches the current source page."""
    path = Path(translation_path)
    text = path.read_text(encoding="utf-8")
    value = fingerprint(Path(source_path).read_text(encoding="utf-8"))
    _, _, count = split_front_matter(text)
    lines = text.splitlines()
    head = [l for l in lines[:count] if not l.lower().startswith(f"{HASH_KEY}:")]
    head.append(f"{HASH_KEY}: {value}")
    path.write_text("\n".join(head + lines[count:]) + "\n", encoding="utf-8")
    return value
