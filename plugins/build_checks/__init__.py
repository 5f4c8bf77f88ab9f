"""Build checks: collect every content problem of a build and stop it with one clear report.

Other plugins report problems on the named signal `content_problem` (see `report` below) instead
of raising, so an editor sees every mistake at once, sorted by file, rather than one per build.
Any warning or error Pelican itself logs while building counts as a problem too: by default
Pelican logs and carries on, which would publish a site with silent holes in it.
"""

import logging
from pathlib import Path

from blinker import signal
from pelican import signals

from .metadata import page_problems
from .problems import Problem, ProblemCollector, ContentProblems

content_problem = signal("content_problem")

_collector = ProblemCollector()


class _PelicanLogToProblems(logging.Handler):
    """Turns Pelican's own warnings and errors into problems."""

    def __init__(self, collector):
        super().__init__(level=logging.WARNING)
        self.collector = collector

    def emit(self, record):
        message = record.getMessage()
        path = ""
        if record.args and isinstance(record.args, tuple):
            # Pelican's messages name the source file as their first argument ("Could not
            # process %s"); keep it as the problem's file so the report stays sorted by file.
            first = str(record.args[0])
            if first.endswith((".md", ".markdown", ".html", ".rst")):
                path = first
        self.collector.add(Problem(path, f"Pelican reported: {message}", ""))


_handler = _PelicanLogToProblems(_collector)


def _start(pelican):
    content = Path(pelican.settings["PATH"])
    _collector.reset(content.parent, content)
    logger = logging.getLogger("pelican")
    if _handler not in logger.handlers:
        logger.addHandler(_handler)


def _on_problem(sender, **problem):
    _collector.add(Problem(**problem))


def _check_front_matter(generator):
    pages = [*generator.pages, *generator.translations,
             *generator.hidden_pages, *generator.hidden_translations]
    for page in pages:
        for message, fix in page_problems(page):
            _collector.add(Problem(page.source_path, message, fix))


def _stop_before_writing(generators):
    # Everything read so far is known: fail now so no page of a broken build is written.
    _collector.raise_if_any()


def _stop_after_writing(pelican):
    # Problems found while rendering (a UI string missing in a template, say).
    logging.getLogger("pelican").removeHandler(_handler)
    _collector.raise_if_any()


def register():
    signals.initialized.connect(_start)
    content_problem.connect(_on_problem)
    signals.page_generator_finalized.connect(_check_front_matter)
    signals.all_generators_finalized.connect(_stop_before_writing)
    signals.finalized.connect(_stop_after_writing)


__all__ = ["ContentProblems", "register"]
