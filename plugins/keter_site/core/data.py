"""The one strict YAML reader, for data files and front matter: a slip (an alias, a key written twice, a value cut
by a comment, a number where text was meant) is a message with its line, never a silent surprise on every page."""

from typing import Any, NamedTuple
import copy
import functools
from pathlib import Path

import yaml

from .problems import Problem

# libyaml's loader (native code, for the live preview's many reads) when PyYAML was built with it,
# else the pure-Python one: both read by the same safe rules.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STR, NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
KINDS = {"tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
         "tag:yaml.org,2002:bool": "true/false", "tag:yaml.org,2002:timestamp": "a date",
         NULL: "an empty value"}
UNREADABLE = object()  # values YAML could not make (a date such as 2026-02-30): said per value


class DataError(Exception):
    """A data file that cannot be used, with every problem found."""

    def __init__(self, path: str | Path, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("; ".join(f"{self.path}:{p.line}: {p.message}" for p in problems))

    @classmethod
    def one(cls, path: str | Path, message: str, fix: str, line: int = 0) -> "DataError":
        """A file with one problem."""
        return cls(path, [Problem(str(path), message, fix, line)])


def kind_of(tag: str) -> str:
    """What YAML reads a plain value as, in plain words."""
    return KINDS.get(tag, "something other than text")


# Nothing here needs anchors or aliases, and a few nested aliases can expand to gigabytes.
def anchor_lines(text: str) -> list[int]:
    """The lines (1-based) of `text` with a YAML anchor or alias; raises yaml.YAMLError."""
    if "&" not in text and "*" not in text:  # neither can be written without one of them
        return []
    return [event.start_mark.line + 1 for event in yaml.parse(text, Loader=Loader)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)]


def compose(text: str) -> tuple[Any, Any]:
    """(the node tree, with lines, the values it makes, or UNREADABLE), from one parse of
    `text`; raises yaml.YAMLError for text that is not YAML."""
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        try:
            return root, (loader.construct_document(root) if root is not None else None)
        except (ValueError, OverflowError):  # a timestamp that is no day of the calendar
            return root, UNREADABLE
    finally:
        loader.dispose()


def error_line(error: yaml.YAMLError) -> int:
    """The line (1-based, 0 unknown) where YAML found `error`."""
    mark = getattr(error, "problem_mark", None)
    return mark.line + 1 if mark else 0


def error_reason(error: yaml.YAMLError) -> str:
    """What YAML found wrong, without its own position lines: the message names the line itself."""
    return str(getattr(error, "problem", None) or error)


class Comment(NamedTuple):
    """A YAML comment in a text: its line (1-based), and, when it cuts a value short, the value's
    key and what YAML reads the value as (`kept`; None for a comment that cuts nothing)."""

    line: int
    key: str | None
    kept: str | None

    def cut(self) -> str:
        """What a comment that cuts a value does to it, in words."""
        name = f"`{self.key}`" if self.key else "the value"
        return (f"YAML reads ` #` and the rest of the line as a comment, so {name} would silently be "
                f"{repr(self.kept) if self.kept else 'empty'}.")


def comments(text: str) -> list[Comment]:
    """Every comment in the YAML `text`: YAML drops a comment without a word, and one after an unquoted value cuts
    the value there (`title: Anxiety #1 guide` reads as "Anxiety")."""
    # Found between YAML's own tokens, where its scanner skips only spaces, line breaks and comments: a `#` inside a
    # quoted value or a `|` or `>` block is part of a token, never seen here.
    if "#" not in text:
        return []
    found: list[Comment] = []
    indents, flow = [-1], 0  # the columns of the open block collections; open `[`/`{` collections
    previous, key = None, None
    loader = Loader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if previous is not None:
                found += _comments_between(text, previous, token, key, indents[-1], flow)
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken)):
                indents.append(token.start_mark.column)
            elif isinstance(token, yaml.BlockEndToken):
                indents.pop()
            elif isinstance(token, (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                flow += 1
            elif isinstance(token, (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                flow -= 1
            if isinstance(previous, yaml.KeyToken) and isinstance(token, yaml.ScalarToken):
                key = token.value
            previous = token
    finally:
        loader.dispose()
    return found


def _comments_between(text: str, previous: Any, token: Any, key: str | None, indent: int, flow: int) -> list[Comment]:
    """The comments in the text between two tokens (nothing else is there but spaces and line breaks)."""
    plain = isinstance(previous, yaml.ScalarToken) and previous.plain
    found: list[Comment] = []
    for offset, between in enumerate(text[previous.end_mark.index:token.start_mark.index].split("\n")):
        if "#" not in between:
            continue
        line = previous.end_mark.line + offset + 1
        # What the comment cuts: the value just before it on its line, or the unquoted value its
        # own line would have continued (YAML's rule: indented past the block the value is in).
        if offset == 0 and (plain or isinstance(previous, (yaml.ValueToken, yaml.BlockEntryToken))) or (
                plain and not found and (flow or between.index("#") > indent)):
            found.append(Comment(line, key, previous.value if plain else ""))
        else:
            found.append(Comment(line, None, None))
    return found


def _walk(node: Any, path: str, problems: list[Problem], strings_only: bool, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(file, f"`{key}` is written twice (lines {seen[key]} and {line}); "
                                        "YAML would silently keep only the last one.", "Keep one of them.", line))
            seen[key] = line
            _walk(value_node, f"{path}{key}.", problems, strings_only, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(item, path, problems, strings_only, file)
    elif isinstance(node, yaml.ScalarNode) and strings_only:  # unquoted, `no` is false and 0501234567 an octal number
        line = node.start_mark.line + 1
        name = path.rstrip(".") or "the value"
        if not node.style and node.tag not in (STR, NULL):
            shown = node.value
            problems.append(Problem(file, f"`{name}: {shown}` is not text: YAML reads it as "
                                    f"{kind_of(node.tag)}{' (0501234567 would become 84228471)' if shown[:1] == '0' and shown.isdigit() else ''}.",
                                    f'Put the value in quotes: `{name.split(".")[-1]}: "{shown}"`.', line))
        elif not node.value.strip():
            problems.append(Problem(file, f"`{name}` is empty: the site would show nothing (or \"None\").",
                                    "Write its value, or remove the line.", line))


def load(path: str | Path, strings_only: bool = False, shared: bool = False) -> Any:
    """The data in the YAML file at `path`. Raises DataError with every problem found.
    `shared`: the remembered data itself, not a copy, for a caller that only reads it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError.one(path, "the file is missing.", "Create it, or restore it from the project's history.")
    except UnicodeDecodeError:
        raise DataError.one(path, "the file is not UTF-8 text.", "Save it as UTF-8 in your editor.")
    found = _parse(path, text, strings_only)
    return found if shared else copy.deepcopy(found)  # a copy: callers may change it


# Pure: a good file's data is made once while its text stays the same (the live preview builds
# again and again); a file with problems is read again, and refused again, every time.
@functools.lru_cache(maxsize=256)
def _parse(path: Path, text: str, strings_only: bool) -> Any:
    try:
        anchors = anchor_lines(text)
        if anchors:
            raise DataError(path, [Problem(str(path), "YAML anchors and aliases (`&name`, `*name`) are not allowed "
                                           "in data files.", "Write the value out in full where it is needed.", line)
                                   for line in anchors])
        root, data = compose(text)
    except yaml.YAMLError as problem:
        raise DataError.one(path, f"the file is not valid YAML: {error_reason(problem)}.",
                            "Check the line: every entry is `key: value`, indented with spaces.", error_line(problem))
    problems: list[Problem] = [
        Problem(str(path), found.cut(), "Put the value in double quotes (a value that contains ` #` needs them).",
                found.line)
        for found in comments(text) if found.kept is not None]
    if root is not None:
        _walk(root, "", problems, strings_only, str(path))
    if data is UNREADABLE:
        problems.append(Problem(str(path), "a value of the file cannot be read (a date such as 2026-02-30?).",
                                "Put the value in quotes, or write a real day."))
    if problems:
        raise DataError(path, problems)
    return data
