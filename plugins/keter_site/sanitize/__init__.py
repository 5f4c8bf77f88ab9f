"""Sanitize: every document's HTML through nh3 (ammonia, which parses as browsers do) with an allowlist of exactly
what content needs; each removal is reported with its line, so a page never silently says less than its editor wrote."""

from collections.abc import Iterator, Mapping
from typing import Any
import functools
import re

import nh3
from keter_site import clinic_facts
from keter_site.core import build, content, html
from keter_site.core.front_matter import line_of
from keter_site.core.limits import StepTooLong, TimeLimit
from keter_site.core.urls import scheme_of

TAGS = {"a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "code", "dd", "del", "details",
        "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
GENERIC_ATTRIBUTES = {"id", "class", "dir", "lang", "title"}
ATTRIBUTES = {"a": {"href", "hreflang", "target", "rel"}, "img": {"src", "alt", "width", "height", "loading"},
              "ol": {"start", "reversed"}, "li": {"value"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan", "scope"}, "details": {"open"}, "q": {"cite"}, "blockquote": {"cite"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Attributes that hold an address nh3 does not check itself (it checks href and src).
CITE = "cite"
FIX = "Remove it. Pages may only contain Markdown and simple HTML (links, <bdi>, <span dir>)."
# A start tag with its attributes (values in quotes may hold `>`), and a clinic fact's marker
# (keter_site.clinic_facts: its values are on the build's context).
START_TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*/?>""")
CITATION = "[@"


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    # An address is relative or uses one of URL_SCHEMES, as a browser reads it.
    if attribute == CITE and scheme_of(value) not in ("", *URL_SCHEMES):
        return None
    return value


def clean(text: str) -> str:
    """`text` as nh3 leaves it with the content allowlist; new-tab links get rel="noopener"."""
    cleaned = nh3.clean(text or "", tags=TAGS, attributes={**ATTRIBUTES, "*": GENERIC_ATTRIBUTES},
                        url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True,
                        clean_content_tags={"script", "style"}, attribute_filter=_filter_attribute)
    if 'target="' in cleaned:
        cleaned = _noopener(cleaned)
    return cleaned


def _noopener(text: str) -> str:
    """rel="noopener" on every link that opens another tab or window, so the opened page cannot reach back into ours."""
    tree = html.parse(f"<body>{text}</body>")
    for link in tree.css("a[target]"):
        rel = set((link.attributes.get("rel") or "").split()) | {"noopener"}
        link.attrs["rel"] = " ".join(sorted(rel))
    body = tree.body
    return "".join(node.html or "" for node in body.iter(include_text=True)) if body is not None else text


def removals(original: str, cleaned: str) -> tuple[tuple[str, str], ...]:
    """[(what, needle)] the sanitizer removed: elements, attributes and unsafe addresses."""
    before = html.parse_fragment(original).elements
    after = html.parse_fragment(cleaned).elements
    found, position = [], 0
    for tag, attributes in before:
        if position < len(after) and after[position][0] == tag:
            kept = after[position][1]
            for name, value in attributes.items():
                if name in kept or (name == "rel" and tag == "a"):
                    continue
                if name.startswith("on"):
                    found.append((f"the `{name}` attribute on <{tag}>", name))
                elif (name in html.URL_ATTRIBUTES or name == CITE) and value:
                    scheme = "".join(value.split()).split(":", 1)[0].lower()
                    found.append((f"a `{scheme}:` address", value.strip()[:4]))
                else:
                    found.append((f"the `{name}` attribute on <{tag}>", f"{name}="))
            position += 1
        else:
            found.append((f"<{tag}>", f"<{tag}"))
    return tuple(dict.fromkeys(found))


def _balance_problems(original: str) -> Iterator[tuple[str, str, str]]:
    """(message, fix, needle): an element the author opened and never closed swallows the rest
    of the page; an extra end tag closes the theme's own elements."""
    fragment = html.parse_fragment(original)
    for tag in fragment.unclosed[:1]:
        yield (f"a <{tag}> is opened but never closed: it would swallow the rest of the page.",
               f"Add the missing </{tag}>.", f"<{tag}")
    if fragment.stray_end:
        yield ("an end tag closes something that was never opened, and would break the page around it.",
               "Remove the extra end tag (such as </div>).", "</")


def expand_in_attributes(text: str, facts: Mapping[str, Any], lang: str | None) -> str:
    """`text` with each clinic fact marker inside a start tag replaced by the fact's value, as
    attribute text; markers in the text itself are left to keter_site.clinic_facts."""
    # Before sanitizing: clinic_facts puts in markup later, a tag inside a tag in an attribute; and the sanitizer sees
    # the address as it will be published. (A citation marker in an attribute is refused: _marker_problems.)
    if "{clinic:" not in text:
        return text
    return START_TAG.sub(lambda tag: clinic_facts.as_text(tag.group(0), facts, lang), text)


def _marker_problems(original: str) -> Iterator[tuple[str, str, str]]:
    """(message, fix, needle) for each attribute that holds a citation marker."""
    if CITATION not in original:
        return
    for tag, attributes in html.parse_fragment(original).elements:
        for name, value in attributes.items():
            if CITATION in (value or ""):
                yield (f"a `[@...]` citation marker inside the `{name}` attribute of <{tag}>: it would be replaced "
                       "by a numbered link, a tag inside a tag, and break the page.",
                       "Write the marker in the text, after the statement it supports, outside any tag.", CITATION)


@functools.lru_cache(maxsize=4096)  # pure: most documents did not change since the live preview's last build
def _sanitized(original: str, seconds: float) -> tuple[tuple[tuple[str, str, str], ...], str, Any]:
    """(problems, the cleaned HTML, what cleaning removed) of one document's HTML."""
    with TimeLimit(seconds):
        cleaned = clean(original)
        return (*_balance_problems(original), *_marker_problems(original)), cleaned, removals(original, cleaned)


def after_reading(generators: list[Any]) -> None:
    """Every document's HTML cleaned, and each removal reported."""
    seconds = generators[0].settings["MARKDOWN_MAX_SECONDS"]
    facts = build.current().facts
    for document in content.documents(generators):
        original = expand_in_attributes(content.html_of(document), facts, document.metadata.get("lang"))
        try:
            problems, cleaned, removed = _sanitized(original, seconds)
        except StepTooLong:
            build.report(document.source_path, f"checking the page's HTML took longer than {seconds} seconds.",
                         "Look for a very long run of tags or of the same character, and remove it.")
            continue
        for message, fix, needle in problems:
            build.report(document.source_path, message, fix, line_of(document.source_path, needle))
        for what, needle in removed:
            build.report(document.source_path, f"raw HTML that could run code or break the page: {what}.", FIX,
                         line_of(document.source_path, needle))
        content.set_html(document, cleaned)


def register() -> None:
    """Nothing to connect: keter_site.pipeline runs `after_reading`."""
