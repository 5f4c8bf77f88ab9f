"""Front matter, the YAML between two `---` lines atop a content file: its one reader (the checks, the Markdown
reader, the fingerprints, the editor tools), as strict as content/data/, so a broken line is named with its number."""

from collections.abc import Mapping
from typing import Any
import datetime
import functools
import json
import os
import re
from pathlib import Path
from typing import NamedTuple

import yaml

from . import data
from .problems import Problem

FENCE = "---"
_CLOSING = ("---", "...")
KEY_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?P<value>.*)$")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# Keys whose value is true or false, a whole number, or a date; every other key's value is text.
FLAGS = {"medical"}
NUMBERS = {"menu_order", "home_card"}
DATES = {"date", "updated", "modified"}
# Fingerprints that can look like numbers to YAML (0012345, 1234e5678901): always written quoted.
ALWAYS_QUOTED = {"source_hash"}

_QUOTING = ("Put the value in double quotes, such as `title: \"Anxiety: what it is\"` (a value that "
            "contains `: ` or ` #`, or starts with a quote, [, {, *, &, !, %, @ or `, needs them).")


class Parsed(NamedTuple):
    """A Markdown file split and read once, so its front matter's problems and its body travel together."""
    values: dict[str, Any] | None  # {lowercase key: value as YAML reads it}; None when unreadable
    body: str            # the text after the closing `---`
    head_lines: int      # lines of front matter, both `---` lines included
    problems: tuple[Problem, ...]  # of the text, so with no file named


def _at(line: int, message: str, fix: str) -> Problem:
    return Problem("", message, fix, line)


def text_of(value: Any) -> str:
    """A front-matter value as the text the site uses: true/false, 7, 2026-11-27."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


@functools.lru_cache(maxsize=4096)  # pure: the same texts are parsed on every build of the preview
def parse(text: str) -> Parsed:
    """The front matter of a file's text: its values, its body, and its problems."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        if lines and KEY_LINE.match(lines[0]):
            problem = ("the front matter has no `---` line above it (the `key: value` lines are the old form).",
                       "Put a line `---` above the first `key: value` line and another below the last one.")
        else:
            problem = ("the file does not start with front matter (a `---` line, then `title: ...`, "
                       "`slug: ...` lines, then `---` again).",
                       "Start the file with `---`, its `key: value` lines, `---`, an empty line, then the text.")
        return Parsed(None, text, 0, (_at(1, *problem),))
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSING), None)
    if close is None:
        return Parsed(None, "", len(lines), (_at(1, "the front matter has no closing `---` line.",
                                                 "Put a line `---` after the last `key: value` line, before "
                                                 "the page's text."),))
    body = "\n".join(lines[close + 1:])
    head = "\n".join(lines[1:close])
    problems = []
    for number, line in enumerate(lines[1:close], start=2):
        # A line at the left edge starts a new key (an indented one continues a folded value).
        if line.strip() and not line[:1].isspace() and not line.startswith("#") and not KEY_LINE.match(line):
            problems.append(_at(number, f"line {number} of the front matter is not `key: value`: {line.strip()[:60]!r}.",
                                "Write it as `key: value`, or move it below the closing `---` line."))
    if problems:
        return Parsed(None, body, close + 1, tuple(problems))
    try:
        for anchor in data.anchor_lines(head):
            problems.append(_at(anchor + 1, "YAML anchors and aliases (`&name`, `*name`) are not allowed in front "
                                "matter.", "Write the value out in full."))
        root, values = data.compose(head)
        problems += _comment_problems(head)
    except yaml.YAMLError as error:
        at = data.error_line(error) + 1
        shown = lines[at - 1].strip()[:60] if 0 < at <= close else ""
        return Parsed(None, body, close + 1, (_at(at, f"line {at} of the front matter is not valid YAML "
                                                  f"({data.error_reason(error)}): {shown!r}.",
                                                  f"Write it as `key: value`. {_QUOTING}"),))
    if problems:
        return Parsed(None, body, close + 1, tuple(problems))
    if not isinstance(root, yaml.MappingNode):
        return Parsed(None, body, close + 1, (_at(2, "the front matter is not `key: value` lines.",
                                                  "Write each detail on its own line as `key: value`."),))
    seen: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 2
        key = str(key_node.value).lower()
        if not isinstance(key_node, yaml.ScalarNode) or not _KEY.match(str(key_node.value)):
            problems.append(_at(line, f"line {line} of the front matter does not start with a name "
                                "(letters, digits, - or _) and a colon.", "Write it as `key: value`."))
            continue
        if key in seen:
            problems.append(_at(line, f"`{key}` is set twice (lines {seen[key]} and {line}).", "Keep one of them."))
        seen[key] = line
        if not isinstance(value_node, yaml.ScalarNode):
            problems.append(_at(line, f"`{key}` has a list or a group of values; it takes one value.",
                                f"Write it on one line as `{key}: value`."))
            continue
        value_problem = _value_problem(key, value_node)
        if value_problem:
            problems.append(_at(value_node.start_mark.line + 2, *value_problem))
    if values is data.UNREADABLE:
        return Parsed(None, body, close + 1,
                      tuple(problems) or (_at(2, "a value of the front matter cannot be read.", _QUOTING),))
    return Parsed({str(k).lower(): v for k, v in (values or {}).items()}, body, close + 1, tuple(problems))


def _comment_problems(head: str) -> list[Problem]:
    """Every YAML comment in the front matter (`head`: its lines between the `---` lines): a value
    cut by one, or one on its own line (neither the browser editor nor `invoke new` writes one)."""
    return [_at(found.line + 1, f"line {found.line + 1} of the front matter: {found.cut()}", _QUOTING)
            if found.kept is not None else _comment(found.line + 1) for found in data.comments(head)]


def _comment(line: int) -> Problem:
    return _at(line, f"line {line} of the front matter holds a comment (`#`), which YAML leaves out without a word.",
               "Remove the comment: a heading goes below the closing `---` line, and a value that contains "
               "` #` goes in double quotes.")


def _calendar_date(value: Any) -> bool:
    """Whether `value` (2026-11-27, or a date and time) starts with a real day of the calendar."""
    day = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if day is None:
        return False
    try:
        datetime.date(*map(int, day.groups()))
    except ValueError:
        return False
    return True


def _value_problem(key: str, node: yaml.ScalarNode) -> tuple[str, str] | None:
    """(message, fix) when one value is not of its key's kind."""
    value, tag = node.value, node.tag
    if tag == data.NULL or (tag == data.STR and not value.strip()):
        return (f"`{key}` is empty.", f"Write its value after `{key}: `, or remove the line.")
    if key in FLAGS:
        if tag != "tag:yaml.org,2002:bool":
            return (f"`{key}: {value}` is neither true nor false.", f"Write `{key}: true` or `{key}: false`.")
    elif key in NUMBERS:
        if tag != "tag:yaml.org,2002:int" or not value.isdigit():
            return (f"`{key}: {value}` is not a whole number.", f"Write a number, such as `{key}: 3`.")
    elif key in DATES:
        if tag != "tag:yaml.org,2002:timestamp" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return (f"`{key}: {value}` is not a date.", f"Write the day as `{key}: 2026-11-27`.")
        if not _calendar_date(value):
            return (f"`{key}: {value}` is no day of the calendar.",
                    f"Write a real day, year-month-day, such as `{key}: 2026-11-27`.")
    elif tag != data.STR:
        return (f"`{key}: {value}` is not text: YAML reads it as {data.kind_of(tag)}.",
                f"Put the value in double quotes: `{key}: \"{value}\"`.")
    return None


def split(text: str) -> tuple[dict[str, str], str, int]:
    """(metadata {lowercase key: value as text}, body text, number of front-matter lines).
    The metadata is empty when the front matter cannot be read (`problems()` says why)."""
    # Values as text from the parsed YAML: the fingerprints made of them never change when a value is quoted or
    # folded over several lines (as the browser editor does).
    parsed = parse(text)
    return {key: text_of(value) for key, value in (parsed.values or {}).items()}, parsed.body, parsed.head_lines


def read_text(path: str | Path) -> str:
    """The file's text. A byte-order mark is dropped; bytes that are not UTF-8 become U+FFFD
    here (the Markdown reader refuses such a file with its own message)."""
    stat = os.stat(path)
    return _text_of(str(path), (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino))


# One build's checks, translation status and review read the same files, and the live preview
# builds again and again: a file's text is read again only when its size, times or inode changed.
@functools.lru_cache(maxsize=4096)
def _text_of(path: str, stamp: tuple[int, int, int, int]) -> str:
    return Path(path).read_text(encoding="utf-8-sig", errors="replace")


def read(path: str | Path) -> dict[str, str]:
    """{lowercase key: value as text} of the file's front matter."""
    return split(read_text(path))[0]


def problems(text: str) -> tuple[Problem, ...]:
    """The problems of the front matter of one Markdown source file (`text`, the file's text;
    no file is named)."""
    return parse(text).problems


def quote(value: object) -> str:
    """`value` as a YAML double-quoted string (JSON's string form is one)."""
    return json.dumps(str(value), ensure_ascii=False)


def yaml_value(key: str, value: Any) -> str:
    """How `key: value` is written: true/false, whole numbers and dates plain where the key
    takes them; text plain when YAML reads it back as exactly the same text, else quoted."""
    key = key.lower()
    if isinstance(value, bool) or (key in FLAGS and str(value).lower() in ("true", "false")):
        return "true" if str(value).lower() == "true" else "false"
    text = text_of(value)
    if key in ALWAYS_QUOTED:
        return quote(text)
    if key in NUMBERS and text.isdigit():
        return str(int(text))
    if key in DATES and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if text and "\n" not in text and text == text.strip():
        try:
            if yaml.load(f"k: {text}", Loader=data.Loader) == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return quote(text)


def render(values: Mapping[str, Any], body: str) -> str:
    """A whole file: `---`, `key: value` lines, `---`, an empty line, the body."""
    head = [f"{key}: {yaml_value(key, value)}" for key, value in values.items()]
    return "\n".join([FENCE, *head, FENCE, "", body.strip("\n")]) + "\n"


def set_keys(path: str | Path, values: Mapping[str, Any]) -> None:
    """Write `key: value` lines into the file's front matter, keeping every other line as it was,
    so the tools that record fingerprints change nothing else in an editor's file."""
    # A key's old line goes, with any continuation lines of a folded value.
    path = Path(path)
    text = read_text(path)
    parsed = parse(text)
    if parsed.values is None:
        problem = parsed.problems[0]
        raise ValueError(f"{path}:{problem.line}: {problem.message} {problem.fix}")
    lines = text.splitlines()
    lowered = {key.lower() for key in values}
    head, skipping = [], False
    for line in lines[1:parsed.head_lines - 1]:
        match = KEY_LINE.match(line)
        if match:
            skipping = match["key"].lower() in lowered
        elif not line[:1].isspace():
            skipping = False
        if not skipping:
            head.append(line)
    head += [f"{key}: {yaml_value(key, value)}" for key, value in values.items()]
    path.write_text("\n".join([lines[0], *head, *lines[parsed.head_lines - 1:]]) + "\n", encoding="utf-8")


def line_of(path: str | Path, needle: str) -> int:
    """The first line of the source file that contains `needle` (0 if none)."""
    try:
        for number, line in enumerate(read_text(path).splitlines(), start=1):
            if needle in line:
                return number
    except OSError:  # (read_text replaces bytes that are not UTF-8)
        pass
    return 0


def is_true(value: object) -> bool:
    """A front-matter flag such as `medical: true`."""
    return value is True or str(value).strip().lower() in {"true", "yes", "1"}
