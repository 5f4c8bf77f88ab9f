import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.sites import ROOT, run_pelican  # noqa: E402
from support.browser import browser_session, serve_directory  # noqa: E402,F401


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The real site, built once per test run with Pelican's own command line."""
    build = run_pelican(ROOT / "pelicanconf.py", tmp_path_factory.mktemp("site") / "output")
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="session")
def site_url(site):
    with serve_directory(site.output) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with browser_session() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
