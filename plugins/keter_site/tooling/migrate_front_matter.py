"""One-off migration (issue 17): every content file's front matter from the old `key: value`
lines (read up to the first empty line, as Python-Markdown's meta extension did) to a YAML block
between `---` lines, which pelican-yaml-metadata and the browser editor read.

    python -m keter_site.tooling.migrate_front_matter [content-folder]

Each value is written plain when YAML reads it back as exactly the same text, and in double
quotes otherwise (a `: ` in a title, a slug such as 404 that YAML would read as a number);
`source_hash` is always quoted; `medical: true`, `menu_order: 3`, `home_card: 2` and dates stay plain, as the
editor writes them. The body is kept byte for byte. Before writing, every file is checked: the
new front matter must read back as the same values and the same text (so no fingerprint of a
translation or a medical review changes). A file already in the new form is left as it is; a
line that is not `key: value` stops the migration with its file and line, before anything is
written.
"""

import sys
from pathlib import Path

from keter_site.core import front_matter
from keter_site.core.project import ROOT


class MigrationError(Exception):
    pass


def old_front_matter(path, text):
    """({key: value}, number of front-matter lines) in the old form."""
    meta, count = {}, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break
        match = front_matter.KEY_LINE.match(line)
        if not match:
            raise MigrationError(f"{path}:{number}: not a `key: value` line: {line.strip()[:60]!r}. "
                                 "Fix the line (or leave an empty line before the text), then run the migration again.")
        key = match["key"].lower()
        if key in meta:
            raise MigrationError(f"{path}:{number}: `{key}` is set twice. Keep one of them, then run the migration again.")
        meta[key] = match["value"].strip()
        count += 1
    return meta, count


def migrate_text(path, text):
    """The file's new text, or None when it is already in the new form."""
    if text.startswith(front_matter.FENCE + "\n"):
        return None
    meta, count = old_front_matter(path, text)
    if not count:
        raise MigrationError(f"{path}:1: the file has no front matter. Add its `key: value` lines first.")
    rest = text.split("\n", count)[count] if text.count("\n") >= count else ""
    head = [f"{key}: {front_matter.yaml_value(key, value)}" for key, value in meta.items()]
    new = "\n".join([front_matter.FENCE, *head, front_matter.FENCE]) + "\n" + rest
    parsed = front_matter.parse(new)
    values, body, _ = front_matter.split(new)
    old_body = "\n".join(text.splitlines()[count + 1:])
    if parsed.problems or values != meta or body.strip() != old_body.strip():
        raise MigrationError(f"{path}: the new front matter would not read back as the old one "
                             f"({parsed.problems or values}); nothing was written.")
    return new


def migrate(content):
    """[(path, outcome)] for every Markdown file under `content`; writes only when all are good."""
    plan = []
    for path in sorted(Path(content).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = migrate_text(path, text)
        plan.append((path, text, new))
    results = []
    for path, text, new in plan:
        if new is None:
            results.append((path, "already YAML front matter, unchanged"))
            continue
        path.write_text(new, encoding="utf-8")
        values, _, _ = front_matter.split(new)
        quoted = [k for k in values if front_matter.yaml_value(k, values[k]).startswith('"')]
        results.append((path, f"{len(values)} keys" + (f", quoted: {', '.join(quoted)}" if quoted else "")))
    return results


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    content = Path(argv[0]) if argv else ROOT / "content"
    try:
        results = migrate(content)
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path, outcome in results:
        print(f"{path.relative_to(content.parent) if content.parent in path.parents else path}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
