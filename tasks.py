"""Everyday commands, run as `bin/invoke NAME` (or `invoke NAME` inside the project's venv).

Names follow pelican-quickstart's: build, rebuild, serve, livereload, preview, check, test.
"""

import os
import shutil
import sys
import time
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from tooling import build as site_build  # noqa: E402

OUTPUT = ROOT / "output"
CACHE = ROOT / ".cache"
HOST = "127.0.0.1"


def _build(settings_file="pelicanconf.py", overrides=None, use_cache=True):
    site_build.setup_logging()
    result = site_build.build(settings_file, OUTPUT, overrides, use_cache)
    if not result.ok:
        print(result.message, file=sys.stderr)
        print("The previous site in output/ was left unchanged.", file=sys.stderr)
        return result
    print(f"Built {result.pages} pages into {OUTPUT.relative_to(ROOT)}/ in {result.seconds:.2f} s.")
    return result


@task
def build(c):
    """Build the development site into output/ (the last good site stays if the build fails)."""
    if not _build().ok:
        raise Exit(code=1)


@task
def rebuild(c):
    """Build from scratch, ignoring Pelican's content cache."""
    shutil.rmtree(CACHE / "pelican", ignore_errors=True)
    if not _build(use_cache=False).ok:
        raise Exit(code=1)


@task
def preview(c):
    """Build with the production settings (publishconf.py) into output/."""
    if not _build("publishconf.py", use_cache=False).ok:
        raise Exit(code=1)


def _serve_forever(port):
    from tooling import devserver

    server = devserver.start(OUTPUT, HOST, port)
    print(f"Serving the site at http://{HOST}:{port}/ (Ctrl+C stops).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


@task
def serve(c, port=8000):
    """Build, then serve the site at http://127.0.0.1:8000/."""
    if not _build().ok:
        raise Exit(code=1)
    _serve_forever(port)


@task
def livereload(c, port=8000):
    """Serve the site and rebuild it, reloading the browser, whenever content, templates,
    static files, UI strings or settings change. A failed build keeps the last good site."""
    from livereload import Server

    _build()
    server = Server()
    code_paths = ["pelicanconf.py", "publishconf.py", "plugins", "theme/templates", "theme/strings"]

    def rebuild_content():
        _build()

    def rebuild_all():
        # Settings, templates and plugins change how every page is made: skip the content cache.
        _build(use_cache=False)

    server.watch(str(ROOT / "content"), rebuild_content)
    server.watch(str(ROOT / "theme" / "static"), rebuild_content)
    for path in code_paths:
        server.watch(str(ROOT / path), rebuild_all)
    server.serve(host=HOST, port=port, root=str(OUTPUT))


@task
def check(c):
    """Build the site and run every check on it."""
    if not _build(use_cache=False).ok:
        raise Exit(code=1)


@task(help={"k": "only tests whose name matches this pytest -k expression"})
def test(c, k=""):
    """Install what the tests need when missing (Debian's chromium, npm packages), then run
    the whole test suite."""
    from tooling import test_deps

    test_deps.ensure()
    args = ["-k", k] if k else []
    c.run(" ".join([sys.executable, "-m", "pytest", *args]), pty=False)
