"""The build's pipeline: a fresh build context when a build starts, and the one receiver of
`all_generators_finalized` that runs each step's work on the documents read, in the order of
AFTER_READING, whatever order the plugins were connected in."""

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
    "images",              # the clinic's photos
    "translation_status",  # stale translations
    "seo",                 # what search engines need; the documents for the sitemap
)


def _start(pelican: Any) -> None:
    build.start(pelican.settings)


def _after_reading(generators: list[Any]) -> None:
    build.current().generators = list(generators)
    for step in AFTER_READING:
        importlib.import_module(f"keter_site.{step}").after_reading(generators)


def register() -> None:
    """Connected before every other step: the build's context exists before any step runs."""
    signals.initialized.connect(_start)
    signals.all_generators_finalized.connect(_after_reading)
