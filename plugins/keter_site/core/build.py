"""One build's context: what the steps share while Pelican builds, made fresh when a build
starts (Pelican's `initialized`) and read by every step through `current()`.

It holds the build's problem list, the clinic facts, the UI strings' translate function, the
references registry, the bundled theme assets, the generators once everything is read, and
what a step works out for this build alone (`of(step)`).
Settings stay settings: no service travels through them. What outlives a build is kept in two
places only, for the live preview's builds in one process: `kept`, memos a step checks against
its inputs before use, and `recall`, answers of pure functions that the next build may reuse.
"""

import contextlib
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .problems import ProblemList

T = TypeVar("T")


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
    kept: dict[str, dict[Any, Any]] = field(default_factory=dict)  # memos kept between builds
    preview: Any = None  # the live preview's incremental.State, for the builds it runs (else None)
    recalled: dict[str, dict[Any, Any]] = field(default_factory=dict)  # recall()'s answers, this build
    earlier: dict[str, dict[Any, Any]] = field(default_factory=dict)  # recall()'s answers, the build before

    def of(self, step: str) -> dict[Any, Any]:
        """What `step` works out for this build alone (by the step's name)."""
        return self.steps.setdefault(step, {})

    def memo(self, step: str) -> dict[Any, Any]:
        """The memo `step` keeps between builds of one process (the live preview's)."""
        return self.kept.setdefault(step, {})

    def recall(self, step: str, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, a pure function of `key`, unless this build or the one before (the live
        preview's, in one process) already made it: only what the last build used is kept, so
        the memory never outgrows one site."""
        now = self.recalled.setdefault(step, {})
        if key not in now:
            before = self.earlier.get(step, {})
            now[key] = before[key] if key in before else make()
        value: T = now[key]
        return value


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
                     earlier=_current.recalled if _current else {}, preview=_preview)
    return _current


def current() -> Build:
    """The running build's context (keter_site's steps run only inside a Pelican build)."""
    if _current is None:
        raise RuntimeError("No site build has started: keter_site's steps run inside a Pelican build.")
    return _current
