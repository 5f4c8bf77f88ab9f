"""The Markdown side of the components: `::: warning Optional title` ... `:::` becomes a neutral wrapper div that
the components plugin renders with its template once every page is read; this module only knows the fences."""

import re
from typing import Any, Literal

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

OPENER = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)[ \t]*(.*?)[ \t]*$")
CLOSER = re.compile(r"^:::[ \t]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
WRAPPER_CLASS = "component"
# What `scan` finds on a line: an opening fence, a closing one, one that closes nothing, or an
# opening fence still open at the end of the file.
FenceKind = Literal["open", "close", "stray", "unclosed"]
# (line number, kind, name, title) of one fence.
Fence = tuple[int, FenceKind, str, str]


def wrapper_open(name: str, title: str) -> list[str]:
    """The lines that open a wrapper: a plain div that md_in_html fills with the Markdown inside it."""
    lines = ["", f'<div class="{WRAPPER_CLASS} {WRAPPER_CLASS}--{name.lower()}" markdown="1">', ""]
    if title:
        lines += [f'<p class="{WRAPPER_CLASS}__title" markdown="span">{title}</p>', ""]
    return lines


def wrapper_close() -> list[str]:
    """The lines that close a wrapper, blank lines around it so Markdown sees a block of its own."""
    return ["", "</div>", ""]


class ComponentFences(Preprocessor):
    """`::: name title` ... `:::` (at the start of a line) into wrapper divs that md_in_html (part of `extra`) fills
    with the Markdown between them; a fence left open is closed at the end of the file (the plugin reports it)."""
    # Not pymdown-extensions' blocks: they open with `///` and take the title after `|`, which would change what
    # editors type, and they leave an unknown name as text (docs/architecture.md, "where ours stays").

    def run(self, lines: list[str]) -> list[str]:
        """Markdown hands over the page's lines here before it reads any block of them."""
        out: list[str] = []
        depth = 0
        for line in lines:
            opener = OPENER.match(line)
            if opener:
                out += wrapper_open(opener.group(1), opener.group(2))
                depth += 1
            elif CLOSER.match(line) and depth:
                out += wrapper_close()
                depth -= 1
            else:
                out.append(line)
        for _ in range(depth):
            out += wrapper_close()
        return out


class ComponentsExtension(Extension):
    """The `:::` fences as a Markdown extension, named in the MARKDOWN setting."""

    def extendMarkdown(self, md: Markdown) -> None:
        # After `meta` (27) and `fenced_code_block` (25), so a fence shown inside code stays code; before
        # `html_block` (20).
        md.preprocessors.register(ComponentFences(md), "keter_components", 22)


def makeExtension(**kwargs: Any) -> ComponentsExtension:  # noqa: N802 (Markdown's name for it)
    """Markdown finds an extension named by its module path through this function."""
    return ComponentsExtension(**kwargs)


def scan(text: str) -> list[Fence]:
    """Every fence of a source file outside code blocks, so each mistake is reported with its line;
    a fence still open at the end of the file comes last, as "unclosed"."""
    found: list[Fence] = []
    stack: list[Fence] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = FENCE.match(line)
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        opener = OPENER.match(line)
        if opener:
            entry: Fence = (number, "open", opener.group(1), opener.group(2))
            found.append(entry)
            stack.append(entry)
        elif CLOSER.match(line):
            if stack:
                stack.pop()
                found.append((number, "close", "", ""))
            else:
                found.append((number, "stray", "", ""))
    found += [(number, "unclosed", name, title) for number, _, name, title in stack]
    return found
