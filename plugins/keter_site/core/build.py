"""One build's context: what the steps share while Pelican builds, made fresh when a build starts (Pelican's
`initialized`) and read through `current()`, so no service travels through the settings."""

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problem, ProblemList


@dataclass(eq=False)
class Build:
    """What one build shares between its steps; nothing of it outlives the build but `kept`."""
    settings: Mapping[str, Any]
    problems: ProblemList
    facts: dict[str, Any] = field(default_factory=dict)  # clinic_facts: {key: text or {lang: text}}
    translate: Callable[..., str] = field(default=lambda key, lang, **values: _no_strings())  # ui_strings
    references: dict[str, dict[str, Any]] = field(default_factory=dict)  # citations: {key: entry}
    assets: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # assets: name -> (path, bytes)
    generators: list[Any] = field(default_factory=list)  # every generator, once all is read
    steps: dict[str, dict[Any, Any]] = field(default_factory=dict)  # each step's own, this build only
    # The one thing that outlives a build: memos a step keeps between the live preview's builds in one process,
    # each checked against its inputs before use (pure functions keep theirs with a bounded functools.lru_cache).
    kept: dict[str, dict[Any, Any]] = field(default_factory=dict)  # memos kept between builds
    preview: Any = None  # the live preview's incremental.State, for the builds it runs (else None)

    def of(self, step: str) -> dict[Any, Any]:
        """What `step` works out for this build alone (by the step's name)."""
        return self.steps.setdefault(step, {})

    def memo(self, step: str) -> dict[Any, Any]:
        """The memo `step` keeps between builds of one process (the live preview's)."""
        return self.kept.setdefault(step, {})


def _no_strings() -> str:
    raise RuntimeError("The UI strings are not loaded: keter_site.ui_strings loads them when a build starts.")


_current: Build | None = None
_preview: Any = None  # what `preview_builds` hands to the builds started inside it


@contextlib.contextmanager
def preview_builds(state: Any) -> Iterator[None]:
    """The builds started inside this block are the live preview's: their context carries its
    `state` (keter_site.incremental reads it there; no service travels through the settings)."""
    global _preview
    _preview = state
    try:
        yield
    finally:
        _preview = None


def start(settings: Mapping[str, Any]) -> Build:
    """A fresh context for the build that starts now; the memos of the last one are carried."""
    global _current
    content = Path(settings["PATH"])
    _current = Build(settings, ProblemList(content.parent, content), kept=_current.kept if _current else {},
                     preview=_preview)
    return _current


def current() -> Build:
    """The running build's context (keter_site's steps run only inside a Pelican build)."""
    if _current is None:
        raise RuntimeError("No site build has started: keter_site's steps run inside a Pelican build.")
    return _current


def report(path: str | Path | None, message: str, fix: str = "", line: int | None = 0) -> None:
    """Report one problem: `path` is the file to open (absolute, project- or content-relative),
    `message` what is wrong in plain words, `fix` how to fix it, `line` 1-based (0: unknown)."""
    current().problems.add(Problem(str(path or ""), message, fix, int(line or 0)))


def report_all(problems: Iterable[Problem]) -> None:
    """Report Problems a reader of files returned."""
    for problem in problems:
        current().problems.add(problem)
