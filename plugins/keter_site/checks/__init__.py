"""Checks: every content problem of a build, Pelican's own warnings too, in one clear report that stops the
build before anything is written (on `get_writer`, keter_site.pipeline.BEFORE_WRITING)."""

from typing import Any
import functools
import logging

from pelican import signals
from pelican.generators import ArticlesGenerator, StaticGenerator

from keter_site.core import build, content, front_matter
from keter_site.core.html import parse_fragment
from keter_site.core.problems import PELICAN_PREFIX, Problem

from . import content_html, source_tree
from .metadata import metadata_problems


class _PelicanLogToProblems(logging.Handler):
    """Turns Pelican's own warnings and errors into problems: Pelican logs and carries on, which would publish a
    site with silent holes in it."""

    def emit(self, record: logging.LogRecord) -> None:
        """One problem per warning, under the source file it names, so the report sorts it there."""
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
            if first.endswith((".md", ".markdown", ".html", ".rst")) and (build.current().problems.content / first).exists():
                path = first
        build.current().problems.add(Problem(path, f"{PELICAN_PREFIX}{message}", ""))


_handler = _PelicanLogToProblems(logging.WARNING)  # one handler, added to Pelican's logger while a build runs


def _start(pelican: Any) -> None:
    source_tree.check(pelican.settings)
    logger = logging.getLogger("pelican")
    if _handler not in logger.handlers:
        logger.addHandler(_handler)
    _report_repeated_warnings()


def _report_repeated_warnings() -> None:
    """A file that still has a problem fails every build of the live preview's one process, not only the first."""
    # Pelican's loggers drop a warning they have logged once in this process (LimitLogger's filter): the filter is
    # taken off with LimitLogger's own method before each build.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if (name == "pelican" or name.startswith("pelican.")) and hasattr(logger, "disable_filter"):
            logger.disable_filter()


def _check_front_matter(generator: Any) -> None:
    settings = generator.settings
    kind = "article" if isinstance(generator, ArticlesGenerator) else "page"
    mark = settings["PLACEHOLDER_MARK"] if settings.get("FAIL_ON_PLACEHOLDERS") and not settings.get("STAGING") else None
    for path in content.source_files(generator):
        build.report_all(problem.at(path) for problem in _file_problems(front_matter.read_text(path), kind, mark))


@functools.lru_cache(maxsize=8192)  # pure: the live preview checks only the files that changed
def _file_problems(text: str, kind: str, placeholder_mark: str | None) -> tuple[Problem, ...]:
    """The problems of one Markdown file's text (no file named): its front matter's form and
    values, and (given `placeholder_mark`) a placeholder left in it."""
    parsed = front_matter.parse(text)
    found = list(parsed.problems)
    if parsed.values is not None:  # unreadable front matter: said once, with its line
        found += metadata_problems(front_matter.split(text)[0], kind)
    if placeholder_mark:
        line = next((n for n, content_line in enumerate(text.splitlines(), start=1) if placeholder_mark in content_line), 0)
        if line:
            found.append(Problem("", f"a placeholder ({placeholder_mark}) is still in the page; it cannot be published.",
                                 f"Replace every line containing {placeholder_mark} with the real text.", line))
    return tuple(found)


def _check_addresses_and_html(generators: list[Any]) -> None:
    """Two documents at one address; links, anchors and images that lead nowhere; unsafe HTML."""
    settings = generators[0].settings
    languages = settings["LANGUAGES"]
    # A document without a known `lang` line has no address of its own yet (`languages` reports it).
    documents = [d for d in content.documents(generators) if d.metadata.get("lang") in languages
                 and d.save_as]
    statics = [s for g in generators if isinstance(g, StaticGenerator) for s in g.staticfiles]
    siteurl = settings.get("SITEURL", "")

    by_address: dict[str, list[Any]] = {}
    for document in documents:
        by_address.setdefault(document.save_as, []).append(document)
    for address, claimants in by_address.items():
        if len(claimants) > 1:
            files = sorted(build.current().problems.relative(d.source_path) for d in claimants)
            build.report(files[0], f"{len(claimants)} pages claim the address /{address}: {', '.join(files)}.",
                         "Give each page its own slug (or `save_as`).")

    parsed = {"/" + d.url: (d, parse_fragment(d.content)) for d in documents}
    targets = set(parsed) | {"/" + s.url for s in statics} | {"/" + d.save_as for d in documents}
    # Ids the theme renders beyond the content (a plugin lists them in `template_ids`).
    ids = {path: html.ids | set(getattr(d, "template_ids", ())) for path, (d, html) in parsed.items()}
    # A page's problems depend on its own HTML and on the site's addresses and ids: while those
    # stay the same (the live preview's builds), each page is checked once.
    site = hash((frozenset(targets), frozenset((p, frozenset(i)) for p, i in ids.items()), siteurl))
    _html_problems = build.current().memo("checks")
    if _html_problems.get("site") != site:
        _html_problems.clear()
        _html_problems["site"] = site
    for _, (document, html) in sorted(parsed.items(), key=lambda item: item[0]):
        key = (document.url, document.content)
        if key not in _html_problems:
            _html_problems[key] = list(content_html.page_html_problems(document, html, targets, ids, siteurl))
        for needle, message, fix in _html_problems[key]:
            build.report(document.source_path, message, fix, front_matter.line_of(document.source_path, needle))


def _check_templates(generators: list[Any]) -> None:
    """Every `template:` a document names exists in the theme (Pelican would stop with a
    traceback while writing)."""
    env = next(g.env for g in generators if hasattr(g, "env"))  # every content generator has the theme's
    known: list[str] | None = None
    for document in content.documents(generators):
        name = document.metadata.get("template")
        if not name:
            continue
        # A page is rendered with a page template of the theme's top folder; a partial
        # (partials/logo) expects what only the whole page gives it.
        known = known or sorted(t[:-5] for t in env.list_templates(extensions=["html"]) if "/" not in t)
        if str(name) not in known:
            build.report(document.source_path, f"`template: {name}` names no template of the theme.",
                         f"Use one of: {', '.join(known)}; or remove the line (most pages need none).",
                         front_matter.line_of(document.source_path, "template:"))


def before_writing(pelican: Any) -> None:
    """Stop a build with any problem found while reading: nothing of it is written yet."""
    generators = build.current().generators
    _check_addresses_and_html(generators)
    _check_templates(generators)
    build.current().problems.raise_if_any()


def _stop_after_writing(pelican: Any) -> None:
    # Problems found while rendering (a UI string missing in a template, say).
    logging.getLogger("pelican").removeHandler(_handler)
    build.current().problems.raise_if_any()


def register() -> None:
    """Pelican's entry point for the plugin."""
    signals.initialized.connect(_start)
    signals.page_generator_finalized.connect(_check_front_matter)
    signals.article_generator_finalized.connect(_check_front_matter)
    signals.finalized.connect(_stop_after_writing)

