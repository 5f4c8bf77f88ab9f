"""Keter Health's site: the Pelican plugins and their small shared core.

- keter_site.core: what the plugins share (the build's context, problem reports, the content
  walk, languages, front matter, URLs, HTML, data files). It registers on no signal.
- keter_site.pipeline: the build's context made when a build starts, and the one list of what
  each step does once every document is read.
- keter_site.<plugin>: one concern each, registered on Pelican's signals.
Pelican loads the package as one plugin (PLUGINS = ["keter_site"], found through PLUGIN_PATHS,
no install needed); its register() registers the steps below in their order. The commands
around the build (tasks.py's) are the package keter_tools, outside plugins/.
"""

import importlib

# The steps a build goes through. What each step does to the documents once all are read is
# one list, keter_site.pipeline.AFTER_READING, run by one receiver. On Pelican's other signals
# the receivers run in the order they were connected, which is this list's:
# - pipeline first: it makes the build's context (its problem list) before any step runs;
# - checks next: its receivers turn Pelican's own warnings into problems from the start;
# - incremental last: its writer keeps unchanged pages (the live preview only).
STEPS = (
    "pipeline", "checks", "source_files", "sanitize", "languages", "components",
    "articles", "ui_strings", "clinic_facts", "citations", "medical_review", "assets", "images",
    "translation_status", "signup_form", "minify", "seo", "incremental",
)
# Publishing only (publishconf.py lists it after this package): pelican-precompress.


def module_name(step: str) -> str:
    """A step's module: ours by its short name, another package's by its full name."""
    return step if "." in step else f"{__name__}.{step}"


def register() -> None:
    """Pelican's entry point: register every step, in the order of STEPS."""
    for step in STEPS:
        importlib.import_module(module_name(step)).register()
