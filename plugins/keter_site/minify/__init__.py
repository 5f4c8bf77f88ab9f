"""Minify: every HTML page Pelican writes is minified in place with minify-html (the assets plugin does styles and
scripts), so a reader on a weak connection downloads fewer bytes before the page appears."""

from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import minify_html
from pelican import Pelican, signals

from keter_site.core.limits import too_deep

# minify-html (Rust) overflows its stack on HTML nested ~10,000 deep and ends the process, with
# no message, the live preview included. Content deeper than core.limits.MAX_NESTING is refused
# when it is read (keter_site.source_files); this is the last guard, for anything else.
MAX_PAGE_NESTING = 1000

# minify-html drops attributes whose value is the HTML default (a button's type="submit", a form's method="get"): a
# script or stylesheet must not select elements by such an attribute (a class or data- attribute instead).
OPTIONS = {
    # Closing tags and the <html>/<head> start tags cost a few bytes before gzip and almost
    # none after it; the pages stay easy to read for people and tools alike.
    "keep_closing_tags": True,
    "keep_html_and_head_opening_tags": True,
    # Keeps input[type=text] selectable by attribute.
    "keep_input_type_text_attr": True,
    # The pages carry no inline script or style (the Content-Security-Policy forbids them); the
    # only <script> content is JSON-LD data, which must pass through byte for byte.
    "minify_js": False,
    "minify_css": False,
    # Everything the Nu Html Checker accepts: `<!doctypehtml>` and attributes run together are
    # not valid HTML.
    "minify_doctype": False,
    "allow_noncompliant_unquoted_attribute_values": False,
    "allow_removing_spaces_between_attributes": False,
    "allow_optimal_entities": False,
}


class TooDeep(ValueError):
    """A page nested too deep for minify-html."""


def minify(html: str) -> str:
    """The page as the site serves it: fewer bytes, the same document (OPTIONS says what is kept)."""
    if too_deep(html, MAX_PAGE_NESTING) is not None:
        raise TooDeep(f"the page's elements nest more than {MAX_PAGE_NESTING} deep, more than the minifier can take")
    return minify_html.minify(html, **OPTIONS)


# One worker: pages are written one at a time, and one thread keeps the second core busy (minify-html, in Rust, lets
# go of Python's lock while Pelican renders the next page). Made by the first build that needs it, not on import.
# Not pelican-minify: it minifies the whole output folder at `finalized`, file after file on the main thread, with
# options that cannot be set; in the live preview every page on every save, and the bundles again after assets named
# them by their bytes (docs/architecture.md, "where ours stays").
_worker: list[ThreadPoolExecutor] = []
_pending: list[Future[None]] = []


def _minify_file(path: Path) -> None:
    try:
        path.write_text(minify(path.read_text(encoding="utf-8")), encoding="utf-8")
    except TooDeep as error:
        raise TooDeep(f"{path.name} in {path.parent}: {error}") from None


def _minify_written(path: str | Path, context: Mapping[str, Any] | None = None) -> None:
    path = Path(path)
    if path.suffix != ".html":
        return
    if not _worker:
        _worker.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="minify"))
    _pending.append(_worker[0].submit(_minify_file, path))


def _wait(*_args: object, **_kwargs: object) -> None:
    """Every page written so far is minified (a failure is raised here, in the build)."""
    done, _pending[:] = list(_pending), []
    for future in done:
        future.result()


def _start(pelican: Pelican) -> None:
    _pending.clear()  # a failed build's leftovers are not this build's


def register() -> None:
    """Connect the steps to Pelican's signals (keter_site.STEPS gives their place among the others)."""
    signals.initialized.connect(_start)
    signals.content_written.connect(_minify_written)
    # The last signals after the writers: everything written as HTML is minified by then, before pelican-precompress
    # makes the .gz/.br copies.
    signals.article_writer_finalized.connect(_wait)
    signals.page_writer_finalized.connect(_wait)
    signals.finalized.connect(_wait)
