"""Source files: every Markdown file is checked before Markdown reads it, so a file an editor
saved wrongly gets a message (file, line, fix), never a traceback or a build that never ends.

The Markdown reader of pelican-yaml-metadata (front matter in YAML between `---` lines, the
form the browser editor reads and writes; listed before this plugin in PLUGINS, so this plugin's
`readers_init` receiver runs after its own) is replaced by a subclass that reads the front matter
with keter_site.core.front_matter (strictly; the checks plugin reports its problems with their
lines, so a broken block is never silently read as text) and first refuses, with `FileProblem`: a file that is not UTF-8 (a UTF-8 byte-order mark is fine), a
file over MARKDOWN_MAX_BYTES, and bidirectional override or control characters, which reorder
or hide text invisibly (<bdi> is the visible way). It then converts the file within
MARKDOWN_MAX_SECONDS: some inputs (a very long run of `[`) make Markdown's patterns take
practically forever. Pelican logs a file it could not read; the checks plugin reports a
FileProblem from that log record with its own message and fix.
"""

import contextlib
import copy
import re
import signal
import threading
from pathlib import Path

from markdown import Markdown
from pelican import signals
from pelican.plugins.yaml_metadata import YAMLMetadataReader
from pelican.readers import MarkdownReader

from keter_site.core import front_matter
from keter_site.core.problems import report

DEFAULT_MAX_BYTES = 200_000
DEFAULT_MAX_SECONDS = 10
# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO): invisible, and they reverse text. The
# isolates (U+2066 to U+2069, what <bdi> does) are allowed.
BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}
# C0 and C1 controls but tab, line feed and carriage return; and the direction controls above.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]")


class FileProblem(Exception):
    """A content file that cannot be read, with what is wrong, how to fix it and where."""

    def __init__(self, message, fix, line=0):
        super().__init__(message)
        self.message, self.fix, self.line = message, fix, line


def check_bytes(data, max_bytes):
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
    return text


class _TimeLimit:
    """Raise FileProblem when the block runs longer than `seconds` (main thread only: that is
    where Unix delivers the alarm; the builds of `invoke build`, `publish` and the live preview
    run there)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def _expired(self, signum, frame):
        raise FileProblem(f"turning the file into a page took longer than {self.seconds} seconds.",
                          "Look for a very long run of the same character (such as [[[[ or ****) and remove it.")

    def __enter__(self):
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


class CheckedMarkdownReader(YAMLMetadataReader):
    def __init__(self, *args, **kwargs):
        # pelican-yaml-metadata makes its Markdown converter when the reader is made: Pelican
        # makes a reader for each of its four file extensions in each generator, on every build
        # of the live preview. Here the converter is made on first use instead.
        MarkdownReader.__init__(self, *args, **kwargs)
        self._converter = None

    @property
    def _md(self):
        if self._converter is None:
            settings = copy.deepcopy(self.settings["MARKDOWN"])
            # As pelican-yaml-metadata does: the front matter is YAML, not Markdown's meta lines.
            with contextlib.suppress(KeyError, ValueError):
                settings["extensions"].remove("markdown.extensions.meta")
            self._converter = Markdown(**settings)
        return self._converter

    def read(self, source_path):
        try:
            text = check_bytes(Path(source_path).read_bytes(),
                               self.settings.get("MARKDOWN_MAX_BYTES", DEFAULT_MAX_BYTES))
            self._source_path = source_path
            # Unreadable front matter gives no details (the checks plugin reports why, with the
            # line); the text after it is still converted, so its own problems are found too.
            parsed = front_matter.parse(text)
            with _TimeLimit(self.settings.get("MARKDOWN_MAX_SECONDS", DEFAULT_MAX_SECONDS)):
                # One Markdown converter per reader, reset between files: making one per file
                # cost more than converting the file.
                content = self._md.reset().convert(parsed.body)
        except FileProblem as problem:
            # Reported here with its fix; Pelican then skips the file, and its own "could not
            # process" line about a file already explained is left out of the report.
            report(source_path, problem.message, problem.fix, problem.line)
            raise
        # pelican-yaml-metadata's own conversion of the values (dates, slug, status ...).
        return content, self._parse_yaml_metadata(parsed.values or {}, source_path)


def _use_checked_reader(readers):
    # Sent before Pelican makes its readers from these classes.
    for extension in CheckedMarkdownReader.file_extensions:
        if extension in readers.reader_classes:
            readers.reader_classes[extension] = CheckedMarkdownReader


def register():
    signals.readers_init.connect(_use_checked_reader)
