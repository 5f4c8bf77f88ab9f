import pytest

from tests.support.browser import browser_session, serve_directory  # noqa: F401
from tests.support.sites import ROOT, run_pelican


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


@pytest.fixture(scope="session")
def checked_builds(tmp_path_factory):
    """The site as launched and its next version, each built and checked once per test run
    (`deploy build --out`), for the tests that publish to every target with `--from`."""
    from tests.support.publishing import base_environment, beta_version, checked_build

    base = tmp_path_factory.getbasetemp()
    # pytest-xdist gives each test process a folder in this run's folder: share that one.
    shared = base.parent if base.name.startswith("popen-gw") else base
    env = base_environment()
    return {"base": checked_build(shared, "published-base", env),
            "beta": checked_build(shared, "published-beta", env, beta_version)}
