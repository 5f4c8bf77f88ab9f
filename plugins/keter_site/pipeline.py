"""The build's pipeline: a fresh build context when a build starts, and the order of the steps' work once every
document is read (AFTER_READING) and before anything is written (BEFORE_WRITING), whatever order plugins connect in."""

import importlib
from typing import Any

from pelican import signals

from keter_site.core import build

# What happens once every document is read, before anything is checked for writing: each
# step's `after_reading(generators)`, in this order.
AFTER_READING = (
    "sanitize",            # authors' HTML cleaned, before any step adds markup of its own
    "languages",           # each document's language, address and translations
    "components",          # `:::` parts rendered, once pages are clean and addressed
    "articles",            # each language's list, previous/next
    "clinic_facts",        # {clinic:key} markers put in (those the components wrote too)
    "citations",           # [@key] markers numbered; document.sources
    "medical_review",      # document.review: its approval covers the facts and sources cited
    "images",              # the clinic's photos encoded: their addresses and sizes for the templates
    "translation_status",  # stale translations
    "seo",                 # what search engines need; the documents for the sitemap
)


# What happens when Pelican asks for its writer, after everything is read and before any file is
# written: each step's `before_writing(pelican)`, in this order.
BEFORE_WRITING = (
    "checks",  # any problem found so far stops the build here, so nothing is written
    "assets",  # the theme's bundles, written only once the checks let the build go on
    "images",  # the clinic's photos (encoded while reading), written only then too
)


def _start(pelican: Any) -> None:
    build.start(pelican.settings)


def _after_reading(generators: list[Any]) -> None:
    build.current().generators = list(generators)
    for step in AFTER_READING:
        importlib.import_module(f"keter_site.{step}").after_reading(generators)


def _before_writing(pelican: Any) -> None:
    for step in BEFORE_WRITING:
        importlib.import_module(f"keter_site.{step}").before_writing(pelican)


def register() -> None:
    """Connected before every other step: the build's context exists before any step runs."""
    signals.initialized.connect(_start)
    signals.all_generators_finalized.connect(_after_reading)
    signals.get_writer.connect(_before_writing)
