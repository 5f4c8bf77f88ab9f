"""Components: the theme's building blocks (theme/components/<folder>/), written in Markdown as `::: name` ... `:::`
(docs/editing.md); each is rendered by its own template, so it looks the same from a page or a template."""

import functools
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pelican import Pelican, signals
from pelican.contents import Content
from pelican.generators import Generator
from selectolax.lexbor import LexborHTMLParser, LexborNode

from keter_site.core import content
from keter_site.core.front_matter import read_text
from keter_site.core.html import faq_question_level
from keter_site.core.limits import StepTooLong, TimeLimit
from keter_site.core.build import report

from .syntax import WRAPPER_CLASS, scan

EXTENSION = "keter_site.components.syntax:ComponentsExtension"
DEFAULT_CONTENTS_MIN_SECTIONS = 4  # CONTENTS_MIN_SECTIONS: from this many `##` sections a page gets a contents list
GUIDE = "docs/editing.md, \"Boxes, steps and questions\""
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Component:
    """What a `:::` name stands for: the template that renders it and what it may hold."""
    folder: str    # theme/components/<folder>/<folder>.html renders it
    title: Literal["optional", "required", "none"]
    body: bool     # whether it holds text of its own


# The names editors write after `:::`, and what each one is.
COMPONENTS = {
    "warning": Component("warning-callout", "optional", True),
    "inset": Component("inset-text", "none", True),
    "steps": Component("step-path", "none", True),
    "details": Component("details", "required", True),
    "urgent-help": Component("urgent-help", "none", False),
}
NAMES = ", ".join(f"`{name}`" for name in COMPONENTS)
# A rendered part stands in its parent's HTML as a placeholder until the parent is rendered:
# `keter-component-<random>-<n>-end`, new for every page, so no text can be taken for one (and
# keter_site.source_files refuses text that starts like one).
MARKER_PREFIX = "keter-component-"


def _on_init(pelican: Pelican) -> None:
    settings = pelican.settings
    markdown = settings["MARKDOWN"]  # pelicanconf.py's, copied here: another build may read it again
    # Pelican's Markdown reader loads every extension named here.
    settings["MARKDOWN"] = {**markdown, "extension_configs": {**markdown["extension_configs"], EXTENSION: {}}}
    settings.setdefault("CONTENTS_MIN_SECTIONS", DEFAULT_CONTENTS_MIN_SECTIONS)


# --- Checks on the source file (each problem with its line) ---------------------------------

def _check_fences(path: str, text: str) -> list[int]:
    """Report what is wrong with the fences of one source file; return the openers' lines, in order."""
    openers: list[int] = []
    for line, kind, name, title in scan(text):
        if kind == "stray":
            report(path, "a line with only `:::` closes nothing: no `::: name` line is open above it.",
                   "Remove it, or add the `::: name` line where that part starts.", line)
        elif kind == "unclosed":
            report(path, f"`::: {name}` is opened here and never closed: everything after it would be inside it.",
                   "Add a line with only `:::` where it ends.", line)
        elif kind == "open":
            openers.append(line)
            component = COMPONENTS.get(name.lower())
            if component is None:
                report(path, f"`::: {name}` is not one of the site's components.",
                       f"Use one of {NAMES} ({GUIDE}), or check the spelling.", line)
            elif component.title == "none" and title:
                report(path, f"`::: {name}` takes no title, but this line gives it one: \"{title}\".",
                       f"Write only `::: {name}` on this line and put the text on the lines below.", line)
            elif component.title == "required" and not title:
                report(path, f"`::: {name}` needs the words that are shown while it is closed, on the same line.",
                       f"Write them after the name, such as `::: {name} What happens at the assessment?`.", line)
    return openers


# --- Rendering --------------------------------------------------------------------------------

def _body(html: str) -> LexborNode:
    """The <body> of an HTML fragment, the node every walk here starts from."""
    body = LexborHTMLParser(f"<body>{html}</body>").body
    assert body is not None  # the parser always makes a <body>, even of an empty string
    return body


def _classes(node: LexborNode) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _is_wrapper(node: LexborNode) -> bool:
    return node.tag == "div" and WRAPPER_CLASS in _classes(node)


def _name(node: LexborNode) -> str:
    prefix = f"{WRAPPER_CLASS}--"
    return next((c[len(prefix):] for c in _classes(node) if c.startswith(prefix)), "")


def _levels(body: LexborNode, wrappers: Sequence[LexborNode]) -> dict[int, int]:
    """{wrapper: heading level for its own title}: one below the section it sits in (the last
    heading before it; the page's h1 before any), one below its parent component when nested."""
    by_id: dict[int, int] = {}
    last = 1
    for node in body.iter(include_text=False):
        if node.tag in HEADINGS:
            last = int(node.tag[1])
        elif _is_wrapper(node):
            by_id[node.mem_id] = min(last + 1, 6)
    for node in wrappers:  # document order: a parent comes before what it holds
        parent = node.parent
        while parent is not None and parent.tag != "body":
            if _is_wrapper(parent) and parent.mem_id in by_id:
                by_id[node.mem_id] = min(by_id[parent.mem_id] + 1, 6)
                break
            parent = parent.parent
    return by_id


def render_components(document: Content, env: Environment, context: Mapping[str, Any],
                      openers: Sequence[int] = ()) -> str:
    """The document's HTML with every component wrapper rendered by its template; reports what
    is wrong with a component's content (the fences themselves are checked on the source)."""
    text = content.html_of(document)
    body = _body(text)
    wrappers = body.css(f"div.{WRAPPER_CLASS}")
    if not wrappers:
        return text
    levels = _levels(body, wrappers)
    lines = list(openers) if len(openers) == len(wrappers) else [0] * len(wrappers)
    rendered: list[str] = []
    nonce = secrets.token_hex(8)
    marker = re.compile(re.escape(f"{MARKER_PREFIX}{nonce}-") + r"(\d+)-end")

    def put_back(html: str) -> str:
        # Each placeholder is replaced once, by HTML whose own placeholders are already
        # replaced: one pass, whatever the text holds.
        return marker.sub(lambda match: rendered[int(match.group(1))], html)

    for index in range(len(wrappers) - 1, -1, -1):  # innermost first: a parent renders its children's markers
        node = wrappers[index]
        name = _name(node)
        component = COMPONENTS.get(name)
        first = next((child for child in node.iter(include_text=False)), None)
        title = ""
        if first is not None and first.tag == "p" and f"{WRAPPER_CLASS}__title" in _classes(first):
            title = (first.inner_html or "").strip()
            first.decompose()
        inner = put_back((node.inner_html or "").strip())
        line = lines[index]
        if component is None:
            html = inner  # reported from the source: the build stops before anything is written
        else:
            _content_problems(document, name, component, inner, line)
            template = env.get_template(f"{component.folder}/{component.folder}.html")
            html = template.render({**context, "page": document, "content": Markup(inner),
                                    "title": Markup(title), "level": levels.get(node.mem_id, 2),
                                    "from_markdown": True}).strip()
        rendered.append(html)
        node.replace_with(f"{MARKER_PREFIX}{nonce}-{len(rendered) - 1}-end")
    return put_back(body.inner_html or "")


def _content_problems(document: Content, name: str, component: Component, inner: str, line: int) -> None:
    where = document.source_path
    tree = _body(inner)
    has_text = bool(tree.text(strip=True))
    if component.body and not has_text:
        report(where, f"`::: {name}` has nothing inside it.",
               "Put its text between this line and the closing `:::`, or remove both lines.", line)
    elif not component.body and has_text:
        report(where, f"`::: {name}` shows its own text (the crisis lines) and takes none between its lines.",
               f"Leave nothing between `::: {name}` and `:::`; move that text above or below them.", line)
    if name == "steps" and has_text:
        top = [node.tag for node in tree.iter(include_text=False)]
        if top != ["ol"]:
            report(where, "`::: steps` must hold one numbered list and nothing else: each step is one item.",
                   "Write the steps as `1. `, `2. `, ... between `::: steps` and `:::`.", line)


# The home page's cards: pages with `home_card: N` (their position, as `menu_order` is for the menu), the same in
# every language; HOME_CARDS is {lang: [page]}.
def _collect_cards(generators: Sequence[Generator], context: dict[str, Any]) -> None:
    cards: dict[str, list[Content]] = {lang: [] for lang in context["LANGUAGES"]}  # set by `languages`, run before
    by_slug: dict[str, dict[str, tuple[Content, str]]] = {}
    for page in content.documents(generators):
        if content.kind(page) != "page" or not content.is_published(page) or page.lang not in cards:
            continue
        position = str(page.metadata.get("home_card", "")).strip()
        by_slug.setdefault(page.slug, {})[page.lang] = (page, position)
        if position.isdigit():  # one that is not a whole number is the front-matter check's to report
            cards[page.lang].append(page)
    for slug, versions in sorted(by_slug.items()):
        marked = {lang for lang, (_, position) in versions.items() if position}
        if marked and marked != set(versions):
            for lang in sorted(set(versions) - marked):
                page = versions[lang][0]
                report(page.source_path, f"the page '{slug}' is a card on the home page in "
                       f"{', '.join(sorted(marked))} but not in {lang}.",
                       "Add the same `home_card:` line as in the other language, or remove it there.", 1)
    for pages in cards.values():
        pages.sort(key=lambda page: int(page.metadata["home_card"]))
    context["HOME_CARDS"] = cards


def after_reading(generators: Sequence[Generator]) -> None:
    """The home page's cards and every page's `:::` parts rendered, once pages are clean and addressed
    (keter_site.pipeline.AFTER_READING)."""
    generator = next(g for g in generators if hasattr(g, "env"))  # every content generator has the theme's
    _collect_cards(generators, generator.context)
    seconds = generator.settings["MARKDOWN_MAX_SECONDS"]
    for document in content.documents(generators):
        text = content.html_of(document)
        if ":::" not in text and f'class="{WRAPPER_CLASS}' not in text:
            continue  # no fence in the page (a stray `:::` would stay in the text: checked below)
        openers = _check_fences(document.source_path, read_text(document.source_path))
        if f'class="{WRAPPER_CLASS}' in text:
            try:
                with TimeLimit(seconds):
                    content.set_html(document, render_components(document, generator.env, generator.context, openers))
            except StepTooLong:
                report(document.source_path, f"rendering the page's boxes, steps and questions took longer than "
                       f"{seconds} seconds.", "Look for a very long run of `:::` lines or of tags, and remove it.")


# --- Jinja helpers ----------------------------------------------------------------------------
# They read the HTML at render time, so page.content itself keeps the shape the seo plugin reads for search engines.

@functools.lru_cache(maxsize=1024)
def sections(html: str) -> tuple[tuple[str, str], ...]:
    """[(id, text)] of the top-level `h2` headings that have an id, in order. (Remembered for
    the same HTML: the live preview renders most pages again unchanged.)"""
    body = _body(html or "")
    return tuple((node.attributes["id"] or "", " ".join(node.text().split()))
                 for node in body.iter(include_text=False) if node.tag == "h2" and node.attributes.get("id"))


def page_sections(page: Content) -> tuple[tuple[str, str], ...]:
    """The contents list's entries for a page: its `##` sections, read from the HTML as rendered."""
    return sections(str(getattr(page, "content", "") or ""))


@pass_context
def faq_details(context: Context, html: str) -> Markup:
    """Each FAQ question and its answer as the details component, so a reader opens the answers
    they need, without JavaScript; group headings and the text before the first question stay."""
    # An answer is everything after its question heading up to the next heading of its level or above.
    body = _body(html or "")
    template = context.environment.get_template("details/details.html")
    level = faq_question_level(html or "")
    question, group = f"h{level}", "h2" if level == 3 else None
    parts: list[str] = []
    answer: list[str] = []
    heading: LexborNode | None = None

    def close() -> None:
        if heading is not None:
            parts.append(template.render({**context.get_all(), "title": Markup(heading.inner_html),
                                          "heading_id": heading.attributes.get("id"), "level": level,
                                          "content": Markup("".join(answer).strip()), "from_markdown": False}).strip())

    for node in body.iter(include_text=True):
        if node.tag in (question, group):
            close()
            heading, answer = (node, []) if node.tag == question else (None, [])
            if node.tag == group:
                parts.append(node.html or "")
        elif heading is not None:
            answer.append(node.html or "")
        else:
            parts.append(node.html or "")
    close()
    return Markup("".join(parts))


def _add_to_jinja(generator: Generator) -> None:
    generator.env.globals["page_sections"] = page_sections
    generator.env.filters["faq_details"] = faq_details


def register() -> None:
    """Connect the steps to Pelican's signals (keter_site.STEPS gives their place among the others)."""
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
