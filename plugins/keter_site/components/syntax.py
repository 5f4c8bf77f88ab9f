"""The Markdown side of the components: an editor writes

    ::: warning Optional title
    The text, in Markdown: paragraphs, lists, links, citations.
    :::

and Markdown makes a neutral wrapper of it, `<div class="component component--warning">`, whose
first child is `<p class="component__title">` when a title was given. The components plugin
then renders each wrapper with its component's template (theme/components/<folder>/), in the
page's language, once every page has been read and sanitized.

This module only knows the fences. Which names exist, and every mistake an editor can make with
them (an unknown name, a fence never closed, a title where none belongs), are the plugin's
checks, made on the source file itself so each report has its line (`scan`).
"""

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
    """`::: name title` ... `:::` (at the start of a line) into wrapper divs that Markdown's
    md_in_html (part of `extra`) fills with the Markdown between them. Runs after the fenced
    code blocks are set aside (so a fence shown inside code stays code) and before raw HTML
    blocks are read. A fence left open is closed at the end of the file (the plugin reports it)."""

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
        # After `meta` (27) and `fenced_code_block` (25), before `html_block` (20).
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
