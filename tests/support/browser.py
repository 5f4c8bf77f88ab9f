"""The tests' browser and static server are the tooling's (keter_site.tooling.browser). The
tests run Chromium's own headless browser, Debian's chromium-headless-shell (the same version as
`chromium`, and the browser Playwright runs for headless Chromium): the same engine, for about a
third less CPU a page (keter_site.tooling.browser says why)."""

from keter_site.tooling import browser as _tooling
from keter_site.tooling.browser import CHROMIUM_ARGS, serve_directory  # noqa: F401

CHROMIUM = _tooling.HEADLESS_SHELL


def browser_session():
    return _tooling.browser_session(CHROMIUM)
