"""Data files (content/data/*.yml, the UI strings): YAML read strictly, so a slip in a data file
is a message with its line, never a silent surprise on every page.

Refused, each with the line and the fix: aliases and anchors (`&x`/`*x`: nothing here needs
them, and a few nested aliases can expand to gigabytes), a key written twice (YAML keeps the
last one silently), and, for `strings_only` files, values that YAML reads as something other
than text (an unquoted phone number such as 0501234567 is read as an octal number, and
`no` as false).
"""

from typing import Any
import copy
from pathlib import Path

import yaml

# libyaml's loader when PyYAML was built with it (ten times faster), else the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataError(Exception):
    """A data file that cannot be used: `problems` are (line, message, fix) triples."""

    def __init__(self, path: str | Path, problems: list[tuple[int, str, str]]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("; ".join(f"{self.path}:{line}: {message}" for line, message, _ in problems))


def _walk(node: Any, path: str, problems: list[tuple[int, str, str]], strings_only: bool) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append((line, f"`{key}` is written twice (lines {seen[key]} and {line}); "
                                 "YAML would silently keep only the last one.", "Keep one of them."))
            seen[key] = line
            _walk(value_node, f"{path}{key}.", problems, strings_only)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(item, path, problems, strings_only)
    elif isinstance(node, yaml.ScalarNode) and strings_only:
        line = node.start_mark.line + 1
        name = path.rstrip(".") or "the value"
        if not node.style and node.tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:null"):
            shown = node.value
            problems.append((line, f"`{name}: {shown}` is not text: YAML reads it as "
                             f"{_kind(node.tag)}{' (0501234567 would become 84228471)' if shown[:1] == '0' and shown.isdigit() else ''}.",
                             f'Put the value in quotes: `{name.split(".")[-1]}: "{shown}"`.'))
        elif not node.value.strip():
            problems.append((line, f"`{name}` is empty: the site would show nothing (or \"None\").",
                             "Write its value, or remove the line."))


def _kind(tag: str) -> str:
    return {"tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
            "tag:yaml.org,2002:bool": "true/false", "tag:yaml.org,2002:null": "an empty value",
            "tag:yaml.org,2002:timestamp": "a date"}.get(tag, "something other than text")


# Each good file's data, while its size and modification time stay the same (the live preview
# builds again and again; the strict reading parses the file three times).
_loaded: dict[Any, Any] = {}


def load(path: str | Path, strings_only: bool = False) -> Any:
    """The data in the YAML file at `path`. Raises DataError with every problem found."""
    path = Path(path)
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
    except FileNotFoundError:
        stamp = None
    known = _loaded.get((str(path), strings_only))
    if stamp and known and known[0] == stamp:
        return copy.deepcopy(known[1])  # a copy: callers may change what they were given
    data = _load(path, strings_only)
    if stamp:
        _loaded[(str(path), strings_only)] = (stamp, copy.deepcopy(data))
    return data


def _load(path: Path, strings_only: bool) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(path, [(0, "the file is missing.", "Create it, or restore it from the project's history.")])
    except UnicodeDecodeError:
        raise DataError(path, [(0, "the file is not UTF-8 text.", "Save it as UTF-8 in your editor.")])
    problems = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                problems.append((event.start_mark.line + 1, "YAML anchors and aliases (`&name`, `*name`) are not "
                                 "allowed in data files.", "Write the value out in full where it is needed."))
        if problems:
            raise DataError(path, problems)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DataError(path, [(mark.line + 1 if mark else 0, f"the file is not valid YAML: "
                                f"{getattr(error, 'problem', None) or error}.",
                                "Check the line: every entry is `key: value`, indented with spaces.")])
    if root is not None:
        _walk(root, "", problems, strings_only)
    if problems:
        raise DataError(path, problems)
    return yaml.load(text, Loader=_Loader) if root is not None else None
