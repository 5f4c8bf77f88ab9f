"""The tests' browser and static server are the tooling's (keter_site.tooling.browser). The
tests run Chromium's own headless browser, Debian's chromium-headless-shell (the same version as
`chromium`, and the browser Playwright runs for headless Chromium): the same engine, for about a
third less CPU a page (keter_site.tooling.browser says why)."""

from keter_site.tooling import browser as _tooling
from keter_site.tooling.browser import CHROMIUM_ARGS, serve_directory  # noqa: F401

CHROMIUM = _tooling.HEADLESS_SHELL
# Scripts run on V8's interpreter and baseline compiler only, without its optimising compilers
# (Maglev, TurboFan): what the tests run is short-lived (axe over one page, a few clicks in the
# browser editor), and optimising it costs more CPU than it saves. Every tier runs a script
# the same way; only its speed differs. Measured on this machine, alternating two browsers:
# axe and layout checks over ten pages 7.4 → 6.5 s of CPU, the browser editor opened and
# previewed 6.4 → 5.8 s. (The benchmarks, which time the site, run Chromium as it ships.)
ARGS = ["--js-flags=--max-opt=1"]


def browser_session():
    return _tooling.browser_session(CHROMIUM, ARGS)
