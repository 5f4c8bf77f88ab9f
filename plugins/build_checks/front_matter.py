"""Front matter as written in the source file: the `key: value` lines before the first blank
line. Checked from the file itself, so a broken line is reported with its line number even when
Pelican could not make a page of the file at all."""

import re
from pathlib import Path

KEY_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?P<value>.*)$")


def read_front_matter(path):
    """{lowercase key: value} of the file's front matter."""
    meta = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        match = KEY_LINE.match(line)
        if match:
            meta[match["key"].lower()] = match["value"].strip()
    return meta


def front_matter_problems(path):
    """Yield (line, message, fix) for the form of one Markdown source file's front matter."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or not KEY_LINE.match(lines[0]):
        yield (1, "the file does not start with front matter (`title: ...`, `slug: ...` lines).",
               "Start the file with its `key: value` lines, then one empty line, then the text.")
        return
    seen = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            break
        if line.startswith(("    ", "\t")):
            continue  # Markdown's meta syntax: an indented line continues the previous value
        match = KEY_LINE.match(line)
        if not match:
            yield (number, f"line {number} of the front matter is not `key: value`: {line.strip()[:60]!r}.",
                   "Write it as `key: value`, or leave an empty line before the page text.")
            continue
        key = match["key"].lower()
        if key in seen:
            yield (number, f"`{key}` is set twice (lines {seen[key]} and {number}).", "Keep one of them.")
        seen[key] = number


def line_of(path, needle):
    """The first line of the source file that contains `needle` (0 if none)."""
    try:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        pass
    return 0
