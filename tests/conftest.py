import fcntl
import json
import textwrap
from pathlib import Path

import pytest

from tests.support.browser import ARGS, CHROMIUM_ARGS, HEADLESS_SHELL, browser_session, serve_directory  # noqa: F401
from tests.support.sites import ROOT, Build, run_pelican

from keter_site.core.project import settings_preamble


# The longest test files first (pytest's --durations, setup and calls, summed per file on the whole
# suite): pytest-xdist gives each test process a whole file at a time (--dist loadfile, with its
# own reordering turned off in pyproject.toml) in the order they were collected, so a long file that
# started last would leave the other process idle at the end. A file not named here keeps its
# place after these.
LONGEST_FIRST = ["test_cms.py", "test_every_page.py", "test_deploy_rsync.py", "test_desk.py", "test_lighthouse.py",
                 "test_design.py", "test_plain_pelican.py", "test_signup_form.py", "test_livereload.py",
                 "test_incremental.py", "test_layout_browser.py", "test_trust.py", "test_headers_nginx.py",
                 "test_deploy_s3.py", "test_bad_input.py", "test_keyboard.py", "test_articles.py", "test_images.py",
                 "test_editor_tools.py", "test_seo.py", "test_editor_checks.py"]


def pytest_collection_modifyitems(config, items):
    rank = {name: number for number, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file keeps its order


def _run_folder(tmp_path_factory):
    """This test run's folder, which every test process of the run shares (pytest-xdist gives
    each process a folder inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


def shared_build(tmp_path_factory, name, make):
    """The Build `make(folder)` makes, made once per test run for all the test processes: the
    first to ask makes it while a lock keeps the others waiting; they read it after. Tests only
    read a shared build."""
    shared = _run_folder(tmp_path_factory)
    folder, record = shared / name, shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            folder.mkdir(exist_ok=True)
            build = make(folder)
            record.write_text(json.dumps({"returncode": build.returncode, "log": build.log, "output": str(build.output)}))
    made = json.loads(record.read_text())
    return Build(made["returncode"], made["log"], Path(made["output"]))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The real site, built once per test run with Pelican's own command line."""
    build = shared_build(tmp_path_factory, "site", lambda folder: run_pelican(ROOT / "pelicanconf.py", folder / "output"))
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="session")
def unminified(tmp_path_factory):
    """The real site built without the minify plugin, to compare against; once per test run."""

    def make(folder):
        settings = folder / "unminified_conf.py"
        settings.write_text(settings_preamble("pelicanconf") + textwrap.dedent("""\
            import keter_site
            PLUGINS = [keter_site.module_name(step) for step in keter_site.STEPS if step != "minify"]
            """), encoding="utf-8")
        return run_pelican(settings, folder / "output")

    build = shared_build(tmp_path_factory, "unminified", make)
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


# Each test gets a new tab; the tabs of a test process share one browser context (with script,
# or one without). Making and closing a context costs Chromium about 0.6 s of CPU, twice what a
# new tab costs, and a suite of a hundred browser tests on two cores feels every one of them. A
# tab starts with its own history, focus, session storage, viewport and media; what a context
# holds (cookies, local storage, the HTTP cache) is cleared after each test where the site could
# have set it. A test that changes the context itself (its clock, its routes, its init scripts)
# makes a context of its own.

@pytest.fixture(scope="session")
def browser_context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture(scope="session")
def no_script_context(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


def _close_tab(tab):
    context = tab.context
    if not tab.is_closed():
        if tab.url.startswith("http") and context is not None:
            try:
                tab.evaluate("localStorage.clear()")
            except Exception:  # a page without script (the no-script context) keeps none anyway
                pass
        tab.close()
    context.clear_cookies()


def _tab_in(context):
    """A new tab of `context`, for one test; closed, and what the site kept cleared, after it."""
    tab = context.new_page()
    yield tab
    _close_tab(tab)


@pytest.fixture
def page(browser_context):
    yield from _tab_in(browser_context)


# The browser editor's tests open Decap CMS (a 5 MB script) again and again, as an editor's own
# browser does: in a profile on disk, where Chromium keeps a script's compiled code from one load
# to the next (an off-the-record context, like the one above, keeps none and compiles it anew on
# every load). The same engine runs the same script; only the compiling is not repeated.
@pytest.fixture(scope="session")
def editor_context(browser, tmp_path_factory):
    context = browser.browser_type.launch_persistent_context(
        tmp_path_factory.mktemp("editor-profile"), executable_path=HEADLESS_SHELL, headless=True,
        args=[*CHROMIUM_ARGS, *ARGS])
    yield context
    context.close()


@pytest.fixture
def editor_page(editor_context):
    yield from _tab_in(editor_context)


@pytest.fixture
def no_script_page(no_script_context):
    yield from _tab_in(no_script_context)


@pytest.fixture
def new_tab(browser_context, no_script_context):
    """`new_tab(javascript=True, viewport=None, **media)`: more tabs for one test, each with its
    viewport and its media (color_scheme, forced_colors, reduced_motion, media) set; closed
    after the test."""
    tabs = []

    def make(javascript=True, viewport=None, **media):
        tab = (browser_context if javascript else no_script_context).new_page()
        tabs.append(tab)
        if viewport:
            tab.set_viewport_size(viewport)
        if media:
            tab.emulate_media(**media)
        return tab

    yield make
    for tab in tabs:
        _close_tab(tab)


@pytest.fixture(scope="session")
def checked_builds(tmp_path_factory):
    """The site as launched and its next version, each built and checked once per test run
    (`deploy build --out`), for the tests that publish to every target with `--from`."""
    from tests.support.publishing import base_environment, beta_version, checked_build

    shared = _run_folder(tmp_path_factory)
    env = base_environment()
    return {"base": checked_build(shared, "published-base", env),
            "beta": checked_build(shared, "published-beta", env, beta_version)}
