"""Source files: every Markdown file is checked before and after Markdown reads it, so a file an editor saved wrongly
gets a message (file, line, fix), never a traceback or a build that never ends."""

from collections.abc import Mapping
from typing import Any
import contextlib
import copy
import datetime
import os
import re
from pathlib import Path
from urllib.parse import unquote

from markdown import Markdown
from pelican import signals
from pelican.readers import METADATA_PROCESSORS, BaseReader, MarkdownReader

from keter_site.components import MARKER_PREFIX
from keter_site.core import front_matter
from keter_site.core.limits import MAX_NESTING, TimeLimit, too_deep
from keter_site.core.build import report, report_all
from keter_site.core.problems import Problem

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI):
# invisible, and they reorder text ("Max dose \u20672 mg, then 50\u2069 mg" reads "50 mg" first).
# <bdi> does what an isolate does, visibly in the source.
BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}
# C0 and C1 controls but tab, line feed and carriage return; and the direction controls above.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class FileProblem(Exception):
    """Stops reading a content file that cannot be read: its Problem (no file named yet)."""

    def __init__(self, message: str, fix: str, line: int = 0) -> None:
        super().__init__(message)
        self.problem = Problem("", message, fix, line)


def check_bytes(data: bytes, max_bytes: int) -> str:
    """The file's text; raises FileProblem for what must not reach Markdown."""
    if len(data) > max_bytes:
        raise FileProblem(f"the file is {len(data):,} bytes; a page may be at most {max_bytes:,}.",
                          "Split it into several pages, or remove what was pasted in by mistake.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise FileProblem("the file is not saved as UTF-8 text, so Hebrew and other letters would be garbled.",
                          "Save it again as UTF-8 (in most editors: Save As, Encoding: UTF-8).", line)
    # One search over the whole text (a loop over every character cost more than Markdown).
    found = _FORBIDDEN.search(text)
    if found:
        char, number = found.group(), text.count("\n", 0, found.start()) + 1
        if char in BIDI_CONTROLS:
            raise FileProblem(f"an invisible direction-changing character (U+{ord(char):04X}) would "
                              "reorder the text around it.",
                              "Delete it (retype the line); to keep an English word or a number in order "
                              "inside Hebrew, write <bdi>...</bdi> around it.", number)
        raise FileProblem(f"an invisible control character (U+{ord(char):04X}) is in the text.",
                          "Delete it (retype the line).", number)
    # The components' placeholders for rendered parts: text that looks like one would be taken for one.
    reserved = text.find(MARKER_PREFIX)
    if reserved >= 0:
        raise FileProblem(f"the text `{MARKER_PREFIX}` is reserved for the site's own use (its components).",
                          "Reword it (or put a space in it).", text.count("\n", 0, reserved) + 1)
    return text


# Pelican's links to files it copies as they are: `{static}path`, `{attach}path` (or |static|).
_COPY_LINK = re.compile(r"[{|](static|attach)[}|]([^\s)\"'<>\]]*)")


def check_copy_links(text: str, source_path: str, settings: Mapping[str, Any]) -> None:
    """Refuse a `{static}`/`{attach}` link to a file outside the static folders (content/images/):
    Pelican copies whatever such a link names into the site, .env or a data file included."""
    content_path = os.path.normpath(settings["PATH"])
    folders = [os.path.join(content_path, folder) for folder in settings.get("STATIC_PATHS", [])]
    for match in _COPY_LINK.finditer(text):
        target = unquote(match.group(2).split("#", 1)[0].split("?", 1)[0])
        base = content_path if target.startswith("/") else os.path.dirname(source_path)
        path = os.path.normpath(os.path.join(base, target.lstrip("/")))
        inside = any(path.startswith(folder + os.sep) for folder in folders)
        if not inside or "/." in path[len(content_path):].replace(os.sep, "/"):
            raise FileProblem(f"`{match.group(0)}` names a file outside content/images/: the build would copy it "
                              "into the site as it is.",
                              "Put the image in content/images/ and link it as `{static}/images/name.webp`; "
                              "link a page with `{filename}/<lang>/<page>.md`.",
                              text.count("\n", 0, match.start()) + 1)


def check_html(html: str | None, body: str, first_line: int) -> None:
    """Refuse `html` (what Markdown made of `body`; None: `body` itself, before Markdown reads it)
    when it nests deeper than MAX_NESTING, before a parser overflows its stack on it."""
    # The line is that of the tag in `body` (which starts on `first_line` of the file) that goes
    # too deep, where its own HTML does.
    if too_deep(body if html is None else html) is None:
        return
    offset = too_deep(body)
    line = first_line + body.count("\n", 0, offset) if offset is not None else 0
    raise FileProblem(f"the page's elements nest more than {MAX_NESTING} deep (tags inside tags, quotes or "
                      "lists inside each other): no page needs this, and the site's tools cannot handle it.",
                      "Remove the repeated opening tags (such as <span><span><span>...), or the long run "
                      "of `>` or list indents.", line)


# What makes Markdown's patterns take forever, or nest without end: a long run of one mark.
_RUN = re.compile(r"([^\w\s])\1{49,}")


def likely_line(body: str, first_line: int) -> int:
    """The line of the longest run of one punctuation mark (50 or more) in `body`, which starts
    on `first_line` of the file; 0 when it has none."""
    longest = max(_RUN.finditer(body), key=lambda match: len(match.group()), default=None)
    return first_line + body.count("\n", 0, longest.start()) if longest else 0


def _time_limit(seconds: float, body: str, first_line: int) -> TimeLimit:
    return TimeLimit(seconds, lambda: FileProblem(
        f"turning the file into a page took longer than {seconds} seconds.",
        "Look for a very long run of the same character (such as [[[[ or ****) and remove it.",
        likely_line(body, first_line)))


_TOO_NESTED = ("the page nests too deeply for Markdown (formatting, quotes, lists or "
               "<div markdown=\"1\"> inside each other, thousands of times).",
               "Look for a very long run of `*`, `_` or `>`, or of opening tags, and remove it.")


class CheckedMarkdownReader(BaseReader):
    """Markdown with YAML front matter, with every check before and after Markdown."""
    # On Pelican's public reader API (BaseReader, process_metadata, readers_init) in place of its Markdown reader: the
    # front matter is YAML between `---` lines, as the browser editor writes it, read strictly (core.front_matter).

    enabled = True
    file_extensions = MarkdownReader.file_extensions

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        # Pelican makes a reader for each file extension in each generator, on every build of
        # the live preview: the Markdown converter is made on first use, and reset between files
        # (making one per file cost more than converting the file).
        self._converter: Markdown | None = None

    def _markdown(self) -> Markdown:
        if self._converter is None:
            settings = copy.deepcopy(self.settings["MARKDOWN"])
            # As Pelican's Markdown reader: every extension configured is used. The front matter
            # is YAML, read before Markdown: not Markdown's own meta lines.
            configured = settings.setdefault("extension_configs", {})
            extensions = settings.setdefault("extensions", [])
            extensions += [name for name in configured if name not in extensions]
            with contextlib.suppress(ValueError):
                extensions.remove("markdown.extensions.meta")
            self._converter = Markdown(**settings)
        return self._converter.reset()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """The page's HTML and details, once the file passed every check before and after Markdown."""
        try:
            text = check_bytes(Path(source_path).read_bytes(), self.settings["MARKDOWN_MAX_BYTES"])
            check_copy_links(text, source_path, self.settings)
            # Unreadable front matter gives no details (the checks plugin reports why, with the
            # line); the text after it is still converted, so its own problems are found too.
            parsed = front_matter.parse(text)
            check_html(None, parsed.body, parsed.head_lines + 1)  # the author's own tags: before Markdown
            with _time_limit(self.settings["MARKDOWN_MAX_SECONDS"], parsed.body, parsed.head_lines + 1):
                try:
                    content = self._markdown().convert(parsed.body)
                except RecursionError:
                    raise FileProblem(*_TOO_NESTED, likely_line(parsed.body, parsed.head_lines + 1)) from None
            check_html(content, parsed.body, parsed.head_lines + 1)
        except FileProblem as stop:
            # Reported here with its fix; Pelican then skips the file, and its own "could not
            # process" line about a file already explained is left out of the report.
            report_all([stop.problem.at(source_path)])
            raise
        # The front-matter check names a value Pelican cannot convert, with its line; anything
        # else it refuses is said here, never as Pelican's bare "Could not process".
        try:
            return content, self._details(parsed.values or {})
        except (ValueError, TypeError, OverflowError) as error:
            if not parsed.problems:  # else the front-matter check says which value, on which line
                report(source_path, f"a value of the front matter could not be read ({error}).",
                       "Check the values between the `---` lines against docs/editing.md.")
            raise

    def _details(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The front matter's values as Pelican keeps a document's details: a formatted field as HTML, date, slug,
        status ... by Pelican's own processors, the rest as YAML read them; an empty value left out."""
        details = {}
        for name, value in values.items():
            if value is None:
                continue
            if name in self.settings["FORMATTED_FIELDS"]:
                value = self._markdown().convert(str(value))
            elif name in METADATA_PROCESSORS:
                # YAML reads `2026-11-27` as a date; Pelican's processors read text.
                text = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
                value = self.process_metadata(name, text)
            details[name] = value
        return details


def _use_checked_reader(readers: Any) -> None:
    # Sent before Pelican makes its readers from these classes.
    for extension in CheckedMarkdownReader.file_extensions:
        if extension in readers.reader_classes:
            readers.reader_classes[extension] = CheckedMarkdownReader


def register() -> None:
    """Pelican's entry point for the plugin."""
    signals.readers_init.connect(_use_checked_reader)
