"""What a save from the browser editor writes (only what the editor changed, every other line as it was) and its
history in git: each save is a commit of the saved files only, under the editor's name.
"""

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypedDict

from keter_site.core import front_matter

# The fields of the editor's form (keter_tools.cms.fields), in the order a new file has them.
EDITABLE = ("title", "date", "updated", "summary", "description", "menu_order", "menu_label", "home_card", "status")
# The form's publication switch (`status`): a draft, or ready. Ready is Pelican's default and is
# written as no `status` line at all; a page with another status (the 404 pages are `hidden`)
# keeps it, whatever the form sends.
SWITCHABLE_STATUS = (None, "draft", "published")


def _blocks(head_lines: Iterable[str]) -> list[tuple[str | None, list[str]]]:
    """[(key or None, [lines])]: each key's line with the indented lines that continue its value
    (comments and blank lines are blocks of their own, kept as they are)."""
    blocks: list[tuple[str | None, list[str]]] = []
    for line in head_lines:
        match = front_matter.KEY_LINE.match(line)
        if match:
            blocks.append((match["key"].lower(), [line]))
        elif line[:1].isspace() and blocks and blocks[-1][0]:
            blocks[-1][1].append(line)
        else:
            blocks.append((None, [line]))
    return blocks


def _body(text: str) -> str:
    return front_matter.parse(text).body.strip("\n")


def merged(old_text: str | None, new_text: str, slug: str, lang: str) -> str:
    """The text to write: `new_text` (the editor's) over `old_text` (the file now; None for a
    new file). Raises ValueError when the editor's text has no readable front matter."""
    # Every key outside the form (the medical flag, the review's and translation's fingerprints, `lang`, `slug`) and
    # every unchanged field keep their lines exactly: text, quoting, folding and place. A new file's `slug` and `lang`
    # come from its path, never from the form.
    new = front_matter.parse(new_text)
    if new.values is None:
        problem = new.problems[0]
        raise ValueError(f"line {problem.line}: {problem.message} {problem.fix}")
    edited = {key: value for key, value in new.values.items()
              if key in EDITABLE and front_matter.text_of(value).strip()}
    if edited.get("status") not in ("draft", None):
        edited.pop("status")  # ready: Pelican's default, no line
    body = _body(new_text)
    if old_text is None:
        values = {"title": edited.pop("title", ""), "slug": slug, "lang": lang}
        values.update({key: edited[key] for key in EDITABLE if key in edited})
        return front_matter.render(values, body)
    old = front_matter.parse(old_text)
    if old.values is None:
        raise ValueError("the file on disk has front matter the editor cannot read; fix it in a text editor first.")
    lines = old_text.splitlines()
    if old.values.get("status") not in SWITCHABLE_STATUS:
        edited.pop("status", None)
    head = []
    for key, block in _blocks(lines[1:old.head_lines - 1]):
        if key == "status" and old.values.get("status") not in SWITCHABLE_STATUS:
            head += block
        elif key in EDITABLE:
            if key not in edited:
                continue  # emptied in the form: the optional field is left out
            value = edited.pop(key)
            unchanged = front_matter.text_of(value) == front_matter.text_of(old.values.get(key))
            head += block if unchanged else [f"{key}: {front_matter.yaml_value(key, value)}"]
        else:
            head += block
    head += [f"{key}: {front_matter.yaml_value(key, value)}" for key, value in edited.items()]
    if body == _body(old_text):
        tail = lines[old.head_lines - 1:]  # the text untouched, byte for byte
        return "\n".join([lines[0], *head, *tail]) + "\n"
    return "\n".join([front_matter.FENCE, *head, front_matter.FENCE, "", body]) + "\n"


class GitError(Exception):
    """A git command failed: its message."""


def _git(root: str | Path, *args: str, env: Mapping[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if check and result.returncode:
        raise GitError(f"git {args[0]} failed: {(result.stderr or result.stdout).strip()[-500:]}")
    return result


def is_repository(root: str | Path) -> bool:
    """Whether `root` is inside a git working tree: each save is a commit, so the editor needs one."""
    return _git(root, "rev-parse", "--is-inside-work-tree", check=False).stdout.strip() == "true"


def commit(root: str | Path, paths: Iterable[str | Path], message: str, name: str) -> None:
    """Commit exactly `paths` (relative to `root`; deleted ones too) under `name`, when they
    changed. Nothing else staged or changed in the working tree goes into the commit."""
    names = [str(p) for p in paths]
    _git(root, "add", "-A", "--", *names)
    if not _git(root, "diff", "--cached", "--quiet", "--", *names, check=False).returncode:
        return
    email = _git(root, "config", "user.email", check=False).stdout.strip() or "editor@localhost"
    configured = _git(root, "config", "user.name", check=False).stdout.strip()
    who = name or configured or "Browser editor"
    env = {"GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": email}
    if not configured:  # git refuses to commit without a committer's name
        env.update(GIT_COMMITTER_NAME=who, GIT_COMMITTER_EMAIL=email)
    _git(root, "commit", "--no-verify", "--no-gpg-sign", "-q", "-m", message, "--only", "--", *names, env=env)


class Version(TypedDict):
    """One commit of a page's history, as the editor lists it for "restore as it was on ..."."""

    commit: str
    author: str
    date: str
    message: str


def history(root: str | Path, paths: Iterable[str | Path], limit: int = 50) -> list[Version]:
    """[{commit, author, date, message}] of the commits that changed any of `paths`, newest first."""
    out = _git(root, "log", f"-n{limit}", "--format=%H%x1f%an%x1f%aI%x1f%s", "--", *map(str, paths)).stdout
    return [Version(commit=fields[0], author=fields[1], date=fields[2], message=fields[3])
            for fields in (line.split("\x1f") for line in out.splitlines()) if len(fields) == 4]


def version(root: str | Path, commit_hash: str, path: str | Path) -> str | None:
    """The text of `path` at `commit_hash`, or None when it did not exist then."""
    result = _git(root, "show", f"{commit_hash}:{Path(path).as_posix()}", check=False)
    return result.stdout if result.returncode == 0 else None
