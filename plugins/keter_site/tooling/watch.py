"""Rebuild on save, fast: watchfiles (inotify) notices a change within tens of milliseconds,
where livereload's own watcher polls every 800 ms. Content changes use Pelican's content cache;
changes to settings, templates, plugins, strings or clinic data rebuild everything."""

import threading
from pathlib import Path

import watchfiles

from keter_site.core.project import ROOT


CONTENT_PATHS = ["content", "theme/static"]
CODE_PATHS = ["pelicanconf.py", "publishconf.py", "plugins", "theme/templates", "theme/strings",
              "theme/assets", "theme/components", "content/data"]


def _is_code(path):
    path = Path(path).resolve()
    return any(path == ROOT / p or (ROOT / p) in path.parents for p in CODE_PATHS)


def _ignored(change, path):
    # Editors' swap and backup files, and Python's caches, are not changes to the site.
    name = Path(path).name
    return name.startswith(".") or name.endswith(("~", ".swp", ".pyc")) or "__pycache__" in path


def start(rebuild, stop_event=None, debounce_ms=30):
    """Call rebuild(full: bool) after each batch of changes, in a background thread."""
    stop_event = stop_event or threading.Event()
    paths = [str(ROOT / p) for p in sorted(set(CONTENT_PATHS + CODE_PATHS)) if (ROOT / p).exists()]

    def loop():
        for changes in watchfiles.watch(*paths, debounce=debounce_ms, step=10, stop_event=stop_event,
                                        watch_filter=lambda c, p: not _ignored(c, p)):
            rebuild(any(_is_code(path) for _, path in changes))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return stop_event
