"""Real headless Chromium (Debian's packages) through Playwright, and a local static server, for
the tests and the benchmarks. The tests run Chromium's own headless browser, Debian's
chromium-headless-shell (the same version as `chromium`, and the browser Playwright runs for
headless Chromium): the same engine, for about a third less CPU a page."""

import contextlib
import functools
import http.server

from playwright.sync_api import sync_playwright

from keter_tools.serving import serve_in_background

CHROMIUM = "/usr/bin/chromium"
# Chromium's own headless browser (Debian's chromium-headless-shell, built from the same source
# and version as `chromium`): the same Blink and V8, so the same layout, styles, colours, focus,
# script and accessibility tree, without the desktop browser's user interface layer running
# behind every tab. It is what Playwright itself runs for headless Chromium, and uses about a
# third less CPU a page than headless `chromium`; the test suite runs it.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
# Without the background-networking switches Chromium keeps trying to reach Google's hosts,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@contextlib.contextmanager
def chromium_session(executable=CHROMIUM, args=()):
    """Headless Chromium: `executable` is CHROMIUM or HEADLESS_SHELL; `args`, switches besides
    CHROMIUM_ARGS."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=[*CHROMIUM_ARGS, *args])
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve_directory(directory, handler_class=_QuietHandler):
    """Serve `directory` on 127.0.0.1 on a free port; yields the base URL."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = serve_in_background(server, name="static-server")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# Scripts run on V8's interpreter and baseline compiler only, without its optimising compilers
# (Maglev, TurboFan): what the tests run is short-lived (axe over one page, a few clicks in the
# browser editor), and optimising it costs more CPU than it saves. Every tier runs a script
# the same way; only its speed differs. Measured on this machine, alternating two browsers:
# axe and layout checks over ten pages 7.4 → 6.5 s of CPU, the browser editor opened and
# previewed 6.4 → 5.8 s. (The benchmarks, which time the site, run Chromium as it ships.)
ARGS = ["--js-flags=--max-opt=1"]


def browser_session():
    """The tests' browser: the headless shell, on the interpreter and baseline compiler."""
    return chromium_session(HEADLESS_SHELL, ARGS)
