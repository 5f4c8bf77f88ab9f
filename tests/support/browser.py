"""The tests' browser and static server are the tooling's (keter_site.tooling.browser)."""

from keter_site.tooling.browser import CHROMIUM, CHROMIUM_ARGS, browser_session, serve_directory  # noqa: F401
