"""Limits that hold before native code sees a file's text: how deep its HTML nests, and how long one step may take
on one file, so a pathological file becomes a message, not a crash or a build that never ends."""

from collections.abc import Callable
import re
import signal
import threading
import time

# Far above anything a page needs (the theme nests about 10 deep, Markdown a few more per list
# or quote), far below where any parser of the build fails (minify-html, written in Rust, overflows
# its stack on ~10,000 nested elements and takes the whole process with it).
MAX_NESTING = 100
# A tag, as browsers start one: `<` then a letter, or `</` then a letter.
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>")
# Elements that never hold anything, so never nest (the HTML standard's void elements).
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def too_deep(text: str, limit: int = MAX_NESTING) -> int | None:
    """The offset in `text` of the start tag that nests its elements more than `limit` deep, or
    None; counted from the tags alone, so no parser ever sees a text that is too deep."""
    # Each level of nesting starts with a `<` of its own: a text with no more than `limit` of them
    # cannot nest too deep, and the scan below is skipped (every page of the site is such a text).
    if not text or text.count("<") <= limit:
        return None
    # An upper bound: an element the HTML leaves for the parser to close counts until its end tag.
    depth = 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in VOID:
            continue
        if closing:
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > limit:
            return match.start()
    return None


class StepTooLong(Exception):
    """Raised inside a block that outlasted its TimeLimit."""


class TimeLimit:
    """Raise `error()` (or StepTooLong) when the block runs longer than `seconds`, so a pathological
    file becomes a message, not a build that never ends. Blocks may nest."""
    # Only on the main thread, where Unix delivers the alarm; the builds of `invoke build`,
    # `publish` and the live preview run there. The inner block puts the outer one's alarm back.

    def __init__(self, seconds: float, error: Callable[[], BaseException] | None = None) -> None:
        self.seconds = seconds
        self.error = error or (lambda: StepTooLong(f"took longer than {seconds} seconds"))
        self.active = bool(seconds) and threading.current_thread() is threading.main_thread() \
            and hasattr(signal, "setitimer")

    def _expired(self, signum: int, frame: object) -> None:
        raise self.error()

    def __enter__(self) -> "TimeLimit":
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            self.started = time.monotonic()
            self.outer = signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
            if self.outer[0]:  # an outer limit was running: it goes on (never less than a moment)
                left = self.outer[0] - (time.monotonic() - self.started)
                signal.setitimer(signal.ITIMER_REAL, max(0.001, left))
