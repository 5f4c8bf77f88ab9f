"""Build checks: collect every content problem of a build and stop it with one clear report.

Other plugins report problems on the named signal `content_problem` instead of raising, so an
editor sees every mistake at once, sorted by file, rather than one per build. They report on
`page_generator_finalized` or later (never on `initialized`, where this plugin clears the list:
blinker calls the receivers of one signal in no fixed order), and before `finalized`.
Any warning or error Pelican itself logs while building counts as a problem too: by default
Pelican logs and carries on, which would publish a site with silent holes in it.
"""

import logging
from pathlib import Path

from blinker import signal
from pelican import signals

from pelican.generators import PagesGenerator, StaticGenerator

from . import content_html
from .front_matter import front_matter_problems, line_of, read_front_matter
from .metadata import metadata_problems
from .problems import PELICAN_PREFIX, Problem, ProblemCollector, ContentProblems

content_problem = signal("content_problem")

_collector = ProblemCollector()


class _PelicanLogToProblems(logging.Handler):
    """Turns Pelican's own warnings and errors into problems."""

    def __init__(self, collector):
        super().__init__(level=logging.WARNING)
        self.collector = collector

    def emit(self, record):
        if record.msg.startswith("Unable to find") and "url replacement" in record.msg:
            # A {filename} link to a missing file: content_html reports it with the file and
            # line that contain the link, which Pelican's message does not name.
            return
        message = record.getMessage()
        path = ""
        if record.args and isinstance(record.args, tuple):
            # Pelican's messages name the source file as their first argument ("Could not
            # process %s"); keep it as the problem's file so the report stays sorted by file.
            first = str(record.args[0])
            if first.endswith((".md", ".markdown", ".html", ".rst")) and Path(self.collector.content or ".", first).exists():
                path = first
        self.collector.add(Problem(path, f"{PELICAN_PREFIX}{message}", ""))


_handler = _PelicanLogToProblems(_collector)


def _start(pelican):
    content = Path(pelican.settings["PATH"])
    _collector.reset(content.parent, content)
    logger = logging.getLogger("pelican")
    if _handler not in logger.handlers:
        logger.addHandler(_handler)


def _on_problem(sender, **problem):
    _collector.add(Problem(**problem))


def _all_pages(generator):
    return [*generator.pages, *generator.translations,
            *generator.hidden_pages, *generator.hidden_translations]


def _check_front_matter(generator):
    content = Path(generator.path)
    for relative in sorted(generator.get_files(generator.settings["PAGE_PATHS"],
                                               exclude=generator.settings["PAGE_EXCLUDES"])):
        if relative.endswith((".md", ".markdown")):
            form_problems = list(front_matter_problems(content / relative))
            for line, message, fix in form_problems:
                _collector.add(Problem(str(content / relative), message, fix, line))
            if not any(line == 1 for line, _, _ in form_problems):  # no front matter: said once
                for message, fix in metadata_problems(read_front_matter(content / relative)):
                    _collector.add(Problem(str(content / relative), message, fix))
            if generator.settings.get("FAIL_ON_PLACEHOLDERS"):
                mark = generator.settings["PLACEHOLDER_MARK"]
                line = line_of(content / relative, mark)
                if line:
                    _collector.add(Problem(str(content / relative),
                                           f"a placeholder ({mark}) is still in the page; it cannot be published.",
                                           f"Replace every line containing {mark} with the real text.", line))


def _check_addresses_and_html(generators):
    """Two pages at one address; links, anchors and images that lead nowhere; unsafe HTML."""
    languages = generators[0].settings["LANGUAGES"]
    # A page without a known `lang` line has no address of its own yet (`languages` reports it).
    pages = [p for g in generators if isinstance(g, PagesGenerator) for p in _all_pages(g)
             if p.metadata.get("lang") in languages]
    statics = [s for g in generators if isinstance(g, StaticGenerator) for s in g.staticfiles]
    settings = generators[0].settings
    siteurl = settings.get("SITEURL", "")

    by_address = {}
    for page in pages:
        by_address.setdefault(page.save_as, []).append(page)
    for address, claimants in by_address.items():
        if len(claimants) > 1:
            files = sorted(_collector.relative(p.source_path) for p in claimants)
            _collector.add(Problem(files[0], f"{len(claimants)} pages claim the address /{address}: {', '.join(files)}.",
                                   "Give each page its own slug (or `save_as`)."))

    parsed = {"/" + p.url: (p, content_html.parse(p.content)) for p in pages}
    targets = set(parsed) | {"/" + s.url for s in statics} | {"/" + p.save_as for p in pages}
    ids = {path: html.ids for path, (_, html) in parsed.items()}
    for _, (page, html) in sorted(parsed.items()):
        for needle, message, fix in content_html.page_html_problems(page, html, targets, ids, siteurl):
            _collector.add(Problem(page.source_path, message, fix, line_of(page.source_path, needle)))


def _stop_before_writing(generators):
    _check_addresses_and_html(generators)
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
