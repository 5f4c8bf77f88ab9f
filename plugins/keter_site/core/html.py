"""HTML read as a browser reads it (Lexbor, a WHATWG HTML5 parser): the one parser of every check, since one that
read `<noscript>`, `<title>` or `java&#x09;script:` differently from a browser would let through what a browser runs."""

from typing import Any
import functools
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Attributes that hold an address, and the elements whose srcset lists several.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data", "xlink:href", "srcset")
_PROBE, _END = "keter-html-probe", "keter-html-end"


# Scripting is off while parsing, as for a reader without JavaScript: what `<noscript>` holds is parsed as the
# elements it would become (a `<meta http-equiv=refresh>` in it is seen).
def parse(text: str | None) -> LexborHTMLParser:
    """A whole page."""
    return LexborHTMLParser(text or "")


def elements(tree: LexborHTMLParser) -> list[tuple[str, dict[str, Any]]]:
    """Every element of the page in document order, as (tag, {attribute: value})."""
    root = tree.root
    if root is None:
        return []
    return [(node.tag, dict(node.attributes)) for node in root.traverse(include_text=False)
            if node.tag and not node.tag.startswith("-")]


# A srcset candidate's address, as the HTML standard reads one: it runs to the next space, so it may hold commas (a
# data: address does); commas right after it end the candidate, else its descriptors ("2x", "640w") run to a comma.
_CANDIDATE = re.compile(r"[\s,]*(\S+)")


def srcset_addresses(value: str) -> list[str]:
    """The addresses a srcset lists, in order."""
    found: list[str] = []
    position = 0
    while match := _CANDIDATE.match(value, position):
        address, position = match.group(1), match.end()
        if address.endswith(","):
            address = address.rstrip(",")
        else:
            comma = value.find(",", position)
            position = len(value) if comma < 0 else comma + 1
        if address:
            found.append(address)
    return found


def urls(tag: str, attributes: dict[str, Any]) -> list[tuple[str, str]]:
    """Every address the element names, srcset's several included: (attribute, address) pairs."""
    found: list[tuple[str, str]] = []
    for name in URL_ATTRIBUTES:
        value = attributes.get(name)
        if not value:
            continue
        if name == "srcset":
            found += [(name, address) for address in srcset_addresses(value)]
        else:
            found.append((name, value.strip()))
    return found


@dataclass
class Fragment:
    """What the checks need from one document's HTML (the part Markdown made)."""
    elements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # [(tag, attributes)] in document order
    ids: set[str] = field(default_factory=set)
    unclosed: list[str | None] = field(default_factory=list)  # tags opened in the fragment and never closed
    stray_end: bool = False                        # an end tag closed more than the fragment opened

    @property
    def links(self) -> list[str]:
        """Every link's href, for the checks that each one leads somewhere."""
        return [a["href"] for tag, a in self.elements if tag == "a" and a.get("href")]

    @property
    def images(self) -> list[tuple[str, Any, dict[str, Any]]]:
        """(src, alt, attributes) of every image, for the checks of its file, size and alt text."""
        return [(a.get("src") or "", a.get("alt"), a) for tag, a in self.elements if tag == "img"]


@functools.lru_cache(maxsize=4096)  # pure (its result read-only): most documents did not change since the last build
def parse_fragment(text: str) -> Fragment:
    """One document's HTML parsed inside markers, as the theme places content inside the page, so
    the checks see an element it leaves open or an end tag that closes more than it opened."""
    # An element the fragment leaves open holds the end marker; an extra end tag closes the start
    # marker before the end marker is reached.
    tree = LexborHTMLParser(f'<div id="{_PROBE}">{text or ""}<p id="{_END}"></p></div>')
    end = tree.css_first(f"#{_END}")
    fragment = Fragment()
    unclosed: list[str | None] = []
    parent = end.parent if end is not None else None
    while parent is not None and parent.attributes.get("id") != _PROBE:
        if parent.tag in ("body", "html"):
            fragment.stray_end, unclosed = True, []
            break
        unclosed.append(parent.tag)
        parent = parent.parent
    fragment.unclosed = list(reversed(unclosed))
    body = tree.body
    for node in body.traverse(include_text=False) if body is not None else []:
        if not node.tag or node.tag.startswith("-") or node.tag == "body":
            continue
        attributes = dict(node.attributes)
        if attributes.get("id") in (_PROBE, _END):
            continue
        fragment.elements.append((node.tag, attributes))
        if element_id := attributes.get("id"):
            fragment.ids.add(element_id)
    return fragment


def list_items(text: str, css_class: str) -> list[str]:
    """[text of each list item] inside the element with class `css_class`."""
    tree = LexborHTMLParser(text or "")
    return [" ".join(li.text().split()) for li in tree.css(f".{css_class} li") if li.text().strip()]


def faq_question_level(text: str) -> int:
    """The FAQ's questions are `### Question?` headings under `## Group` headings when the page
    has any `###`, and `## Question?` headings otherwise."""
    return 3 if re.search(r"<h3[\s>]", text) else 2


def sections(text: str, heading: str = "h2") -> list[tuple[str, list[str]]]:
    """[(heading text, [text of each block after it, up to the next heading])]: an FAQ's
    questions and answers. Text before the first heading belongs to no section."""
    tree = LexborHTMLParser(text or "")
    body = tree.body
    found: list[tuple[str, list[str]]] = []
    for node in (body.iter(include_text=False) if body is not None else []):
        if node.tag == heading:
            found.append((" ".join(node.text().split()), []))
        elif found:
            found[-1][1].extend(_block_lines(node))
    return found


BLOCKS = {"p", "li", "ul", "ol", "div", "blockquote", "table", "tr", "pre", "dl", "dt", "dd",
          "h3", "h4", "h5", "h6", "figure", "figcaption", "section", "aside", "details", "summary"}


def _block_lines(node: LexborNode) -> list[str]:
    """A block's text, one line per innermost block (a list gives one line per item)."""
    children = [child for child in node.iter(include_text=False) if child.tag in BLOCKS]
    if not children:
        text = " ".join((node.text() or "").split())
        return [text] if text else []
    lines: list[str] = []
    for child in children:
        lines += _block_lines(child)
    return lines
