"""The physician's review document: one self-contained HTML file with every medical page awaiting review, each language
as the reader sees it, its escaped source (what the signature covers) and what changed since the last approval.
"""

from collections.abc import Mapping
from typing import Any
import base64
import difflib
import hashlib
import html
import re
from datetime import date
from pathlib import Path

import markdown
import nh3

from keter_site.citations import MARKER
from keter_site import clinic_facts
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.medical_review import approvals, material
from keter_site.sanitize import ATTRIBUTES, TAGS, URL_SCHEMES
from keter_tools import readiness

STYLE = """
body { font: 16px/1.55 system-ui, "Noto Sans Hebrew", sans-serif; margin: 1rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1b1b1b; background: #fff; }
section.page { border-top: 3px solid #0b5e63; margin-top: 2.5rem; }
div.langs { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1.5rem; }
div.lang { border: 1px solid #ccc; padding: 0 1rem; overflow-wrap: anywhere; }
code.fingerprint { font-size: 0.9rem; background: #f2f2f2; padding: 0.2rem 0.4rem; overflow-wrap: anywhere; }
pre.source, div.diff { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; border: 1px dashed #999;
                       padding: 0.5rem; unicode-bidi: plaintext; }
del { background: #fde2e2; } ins { background: #dff5e1; text-decoration: none; }
@media print { section.page { break-before: page; } }
"""
# The rendered text keeps what Markdown makes, never a class or id the document's own style (or a
# future one) could match, nor anything that hides or runs.
RENDER_ATTRIBUTES = {**ATTRIBUTES, "*": {"dir", "lang", "title"}}
RENDER_ATTRIBUTES["details"] = set()
IMAGE = re.compile(r"<img\b[^>]*>")
STATES = {"pending": "never approved", "needs_release": "taken out of medical review: the release awaits signing"}


def csp() -> str:
    """The review document's own Content-Security-Policy: its one style, nothing loaded."""
    digest = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode()
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; font-src 'none'; "
            "base-uri 'none'; form-action 'none'")


class Unreadable(Exception):
    """A data file the document shows (clinic facts, sources, UI strings) cannot be read."""


def _readable(settings: Mapping[str, Any]) -> Any:
    """The clinic facts, once every data file the document shows is known to be readable."""
    # The physician must read each page as readers will: a document made with a broken file would show a clinic fact
    # or a source as missing, so none is written and the file is named instead.
    files = [settings["CLINIC_DATA_FILE"], settings["REFERENCES_FILE"],
             *(Path(settings["UI_STRINGS_DIR"]) / f"{lang}.yml" for lang in settings["LANGUAGES"])]
    read: list[Any] = []
    problems: list[str] = []
    for path in files:
        try:
            read.append(load_data(path, strings_only=True))
        except DataError as error:
            problems += [problem.one_line() for problem in error.problems]
    if problems:
        raise Unreadable("The review document was not written: " + "; ".join(problems)
                         + " Fix the file (`bin/invoke build` names every problem), then make the document again.")
    return read[0] or {}


def _markdown(settings: Mapping[str, Any]) -> markdown.Markdown:
    configs = dict((settings.get("MARKDOWN") or {}).get("extension_configs") or {})
    configs.pop("keter_site.components.syntax:ComponentsExtension", None)
    return markdown.Markdown(extensions=[*configs, "keter_site.components.syntax:ComponentsExtension"],
                             extension_configs=configs, output_format="html")


def render(text: str, facts: Mapping[str, Any], lang: str, converter: markdown.Markdown) -> str:
    """One language's body as the reader sees its words: clinic facts in as escaped text,
    Markdown rendered, then only the sanitizer's safe elements and attributes kept."""
    # Whatever this rendering shows or hides, the escaped source beside it shows every character.
    converter.reset()
    body = converter.convert(clinic_facts.as_text(text, facts, lang))
    body = MARKER.sub(lambda m: f"<sup>[{html.escape(m.group(1))}]</sup>", body)
    clean = nh3.clean(body, tags=TAGS, attributes=RENDER_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                      strip_comments=True, clean_content_tags={"script", "style"})
    clean = IMAGE.sub(_image_text, clean)  # the document loads nothing: an image is its description
    return re.sub(r"<details\b", "<details open", clean)  # a folded answer is still read


def _image_text(match: re.Match[str]) -> str:
    alt = re.search(r'\balt="([^"]*)"', match.group(0))
    return f"<em>[image: {alt.group(1) if alt else 'no description'}]</em>"


def diff(old: str, new: str) -> str:
    """The lines a change removed and added, for the physician to see what their approval no longer covers."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag, text = line[:2], html.escape(line[2:])
        if tag == "- ":
            lines.append(f"<del>− {text}</del>")
        elif tag == "+ ":
            lines.append(f"<ins>+ {text}</ins>")
    return "\n".join(lines) or "(no change in the text)"


def _state(review: approvals.Review) -> str:
    if review.state == "stale":
        return f"changed since {html.escape(review.principal)} approved it on {review.on}"
    if review.state == "overdue":
        return f"review due since {review.due}"
    if review.state == "invalid":
        return f"its review record does not count ({html.escape(review.problem)})"
    return STATES[review.state]


def _column(lang: str, language: Mapping[str, Any], meta: Mapping[str, Any], body: str, covered: str,
            review: approvals.Review, facts: Mapping[str, Any], converter: markdown.Markdown) -> str:
    shown = "".join(f"<p><strong>{label}:</strong> {html.escape(meta[key])}</p>"
                    for key, label in (("description", "Description (search results, link previews)"),
                                       ("summary", "Summary (lists of articles, the feed)")) if meta.get(key))
    column = [f'<div class="lang" lang="{html.escape(lang)}" dir="{html.escape(language.get("dir", "ltr"))}">',
              f"<h3>{html.escape(language['name'])}</h3>",
              f"<h4>As the reader sees it</h4><p><strong>{html.escape(meta.get('title', ''))}</strong></p>{shown}",
              f'<div class="rendered">{render(body, facts, lang, converter)}</div>',
              "<h4>Everything signed, as written (escaped source)</h4>",
              f'<pre class="source">{html.escape(covered)}</pre>']
    if review.state in ("stale", "overdue") and review.approved_text is not None:
        column.append(f"<h4>Changes since the approval of {review.on}</h4>"
                      f'<div class="diff">{diff(review.approved_text.get(lang, ""), covered)}</div>')
    column.append("</div>")
    return "\n".join(column)


def build(settings: Mapping[str, Any], today: date | None = None) -> tuple[str, list[str]]:
    """(HTML text, [review keys included])."""
    from keter_site.core import front_matter

    facts = _readable(settings)
    languages = settings["LANGUAGES"]
    converter = _markdown(settings)
    sections: list[str] = []
    keys: list[str] = []
    for status in readiness.pages(settings, today):
        review = status.review
        if not review or review.state in ("current", "released"):
            continue
        keys.append(status.key)
        covered = material.texts(settings, status.files)
        columns: list[str] = []
        for lang in languages:
            if lang not in status.files:
                continue
            meta, body, _ = front_matter.split(front_matter.read_text(status.files[lang]))
            columns.append(_column(lang, languages[lang], meta, body, covered[lang], review, facts, converter))
        # No command to approve is printed: the physician signs with their own key, and the signing checks that the
        # page's text is still the one this file shows (its data-fingerprint).
        fingerprint = material.fingerprint(covered)
        sections.append(
            f'<section class="page" id="{html.escape(status.key)}" data-fingerprint="{fingerprint}">'
            f"<h2>{html.escape(status.key)}</h2>"
            f"<p>Status: {_state(review)}. Fingerprint of this text: <code class=\"fingerprint\">{fingerprint}</code></p>"
            f'<div class="langs">{"".join(columns)}</div></section>')
    stamp = (today or date.today()).isoformat()
    intro = (f"<h1>Medical review: {len(keys)} page(s)</h1><p>Prepared {stamp}. Read each page in every "
             "language: first as the reader sees it, then everything your signature covers as written (the clinic "
             "details and the sources it cites included). To approve a page, sign it with your own key on your "
             "computer (docs/editing.md, \"Medical review\"). The signing checks that the page's text is still the "
             "text shown here; if it changed, make this document again and read the new text.</p>"
             + "<ul>" + "".join(f'<li><a href="#{html.escape(k)}">{html.escape(k)}</a></li>' for k in keys) + "</ul>")
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp()}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>Medical review ({stamp})</title>'
            f"<style>{STYLE}</style></head><body>{intro}{''.join(sections)}</body></html>\n")
    return page, keys
