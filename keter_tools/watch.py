"""Rebuild on save, told of each change by watchfiles (inotify) as it happens, where livereload's own watcher polls: a
batch of changes is "content", "theme" or "code", and the preview redoes what that kind affects.
"""

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import watchfiles

from keter_site.core.project import ROOT

# Only the changed files are read again, and only the pages they affect rendered again (keter_site.incremental).
CONTENT_PATHS = ["content", "theme/static"]
# Every file read and every page rendered again: Jinja and the UI strings are loaded afresh on every build. A file
# deleted or moved away counts as one of these too: its page leaves the site.
THEME_PATHS = ["theme/templates", "theme/strings", "theme/assets", "theme/components", "content/data"]
# Python keeps the modules it imported, and Pelican the plugins it loaded: only a fresh process runs edited code, so
# the preview restarts itself (keter_tools.devserver's caller decides how).
CODE_PATHS = ["pelicanconf.py", "publishconf.py", "tasks.py", "plugins", "keter_tools"]


def _under(path: str | Path, roots: Iterable[str]) -> bool:
    path = Path(path).resolve()
    return any(path == ROOT / p or (ROOT / p) in path.parents for p in roots)


def kind_of(paths: Iterable[str | Path], deleted: Sequence[str] = ()) -> str:
    """"code", "theme" or "content": the largest kind of change among `paths` (`deleted`: those
    of them that are gone)."""
    paths = list(paths)
    if any(_under(path, CODE_PATHS) and str(path).endswith(".py") for path in paths):
        return "code"
    if deleted or any(_under(path, THEME_PATHS) for path in paths):
        return "theme"
    return "content"


def _ignored(path: str) -> bool:
    # Editors' swap and backup files, and Python's caches, are not changes to the site.
    name = Path(path).name
    return name.startswith(".") or name.endswith(("~", ".swp", ".pyc")) or "__pycache__" in path


def start(rebuild: Callable[[str], None], content: str | Path) -> None:
    """Call rebuild(kind) after each batch of changes, in a background thread that ends with the preview. `content`:
    the settings' content folder, watched too when it is not the project's (a generated site, say)."""
    roots = sorted(set(CONTENT_PATHS + THEME_PATHS + CODE_PATHS))
    paths = [str(ROOT / p) for p in roots if (ROOT / p).exists()]
    if not _under(content, ["content"]):
        paths.append(str(content))

    def loop() -> None:
        for changes in watchfiles.watch(*paths, debounce=30, step=10, watch_filter=lambda _, path: not _ignored(path)):
            deleted = [path for change, path in changes
                       if change == watchfiles.Change.deleted and not Path(path).exists()]
            rebuild(kind_of((path for _, path in changes), deleted))

    threading.Thread(target=loop, daemon=True).start()
