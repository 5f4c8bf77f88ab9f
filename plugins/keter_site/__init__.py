"""Keter Health's site: its Pelican plugins, one concern each, and their shared core (keter_site.core), loaded by
Pelican as one plugin (PLUGINS = ["keter_site"], through PLUGIN_PATHS: no install needed)."""

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
