"""Front matter as written in a content file: the `key: value` lines before the first blank
line. The one reader of it, for the checks (which report a broken line with its number even
when Pelican could not make a document of the file), the translation and review fingerprints,
the editor tools and the tests."""

import functools
import os
import re
from pathlib import Path

KEY_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?P<value>.*)$")


def split(text):
    """(metadata {lowercase key: value}, body text, number of front-matter lines)."""
    meta, body, count = _split(text)
    return dict(meta), body, count


@functools.lru_cache(maxsize=4096)  # the same texts are split on every build of the preview
def _split(text):
    lines = text.splitlines()
    meta, count = {}, 0
    for line in lines:
        if not line.strip():
            break
        match = KEY_LINE.match(line)
        if match:
            meta[match["key"].lower()] = match["value"].strip()
        count += 1
    return meta, "\n".join(lines[count + 1:]), count


# Each file's text, while its size and modification time stay the same: one build's checks,
# translation status and review read the same files, and the live preview builds again and again.
_texts = {}


def read_text(path):
    """The file's text. A byte-order mark is dropped; bytes that are not UTF-8 become U+FFFD
    here (the Markdown reader refuses such a file with its own message)."""
    path = str(path)
    stat = os.stat(path)
    stamp = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
    known = _texts.get(path)
    if known and known[0] == stamp:
        return known[1]
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    _texts[path] = (stamp, text)
    return text


def read(path):
    """{lowercase key: value} of the file's front matter."""
    return split(read_text(path))[0]


def problems(text):
    """(line, message, fix) triples for the form of one Markdown source file's front matter
    (`text`, the file's text)."""
    return _problems(text)


@functools.lru_cache(maxsize=4096)
def _problems(text):
    return tuple(_each_problem(text))


def _each_problem(text):
    lines = text.splitlines()
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


def set_keys(path, values):
    """Write `key: value` lines into the file's front matter, replacing those keys' old lines
    and keeping every other line as it was (the tools that record fingerprints use this)."""
    path = Path(path)
    text = read_text(path)
    _, _, count = split(text)
    lines = text.splitlines()
    lowered = {key.lower() for key in values}
    head = [line for line in lines[:count]
            if not (KEY_LINE.match(line) and KEY_LINE.match(line)["key"].lower() in lowered)]
    head += [f"{key}: {value}" for key, value in values.items()]
    path.write_text("\n".join(head + lines[count:]) + "\n", encoding="utf-8")


def line_of(path, needle):
    """The first line of the source file that contains `needle` (0 if none)."""
    try:
        for number, line in enumerate(read_text(path).splitlines(), start=1):
            if needle in line:
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 0


def is_true(value):
    """A front-matter flag such as `medical: true` (also yes / 1)."""
    return str(value).strip().lower() in {"true", "yes", "1"}
