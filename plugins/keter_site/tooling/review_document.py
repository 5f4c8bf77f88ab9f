"""The physician's review document: one self-contained HTML file (no script, no outside
resource, readable on any device and printable) with every medical page that is pending, stale
or overdue, both languages side by side, what changed since the last approval marked, and the
sources each page cites. Each page shows the fingerprint to quote when approving it, so the
approval is recorded for exactly the text that was read."""

import difflib
import html
import re
from datetime import date

import markdown

from keter_site.citations import MARKER, links
from keter_site.core.data import load as load_data
from keter_site.medical_review import records
from keter_site.tooling import readiness

STYLE = """
body { font: 16px/1.55 system-ui, "Noto Sans Hebrew", sans-serif; margin: 1rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; }
.page { border-top: 3px solid #0b5e63; margin-top: 2.5rem; }
.langs { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1.5rem; }
.lang { border: 1px solid #ccc; padding: 0 1rem; overflow-wrap: anywhere; }
.fingerprint { font-family: monospace; font-size: 1.1rem; background: #f2f2f2; padding: 0.2rem 0.4rem; }
del { background: #fde2e2; } ins { background: #dff5e1; text-decoration: none; }
.diff { white-space: pre-wrap; font-size: 0.9rem; border: 1px dashed #999; padding: 0.5rem; }
.cite { font-size: 0.8em; color: #0b5e63; }
@media print { .page { break-before: page; } }
"""


def _render(text, facts, lang):
    def fact(match):
        value = facts.get(match.group(1), match.group(0))
        return value.get(lang, "") if isinstance(value, dict) else str(value)

    text = re.sub(r"\{clinic:([a-z_]+)\}", fact, text)
    # The components' `::: name` lines become plain wrappers (the site's boxes are not drawn
    # here): the physician reads the text, never the fences.
    body = markdown.markdown(text, extensions=["extra", "keter_site.components.syntax:ComponentsExtension"],
                             output_format="html")
    return MARKER.sub(lambda m: f'<span class="cite">[{html.escape(m.group(1))}]</span>', body)


def _diff(old, new):
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag, text = line[:2], html.escape(line[2:])
        if tag == "- ":
            lines.append(f"<del>− {text}</del>")
        elif tag == "+ ":
            lines.append(f"<ins>+ {text}</ins>")
    return "\n".join(lines) or "(no change in the text)"


def build(settings, today=None):
    """(HTML text, [review keys included])."""
    facts = load_data(settings["CLINIC_DATA_FILE"], strings_only=True) or {}
    registry = load_data(settings["REFERENCES_FILE"], strings_only=True) or {}
    languages = settings["LANGUAGES"]
    sections, keys = [], []
    for status in readiness.pages(settings, today):
        review = status.review
        if not review or review.state == "current":
            continue
        keys.append(status.key)
        texts = {lang: records.page_text(path) for lang, path in status.files.items()}
        columns = []
        for lang in languages:
            if lang not in texts:
                continue
            column = [f'<div class="lang" lang="{lang}" dir="{languages[lang].get("dir", "ltr")}">',
                      f"<h3>{html.escape(languages[lang]['name'])}</h3>", _render(texts[lang], facts, lang)]
            if review.state == "stale" and review.approved_text:
                column.append(f"<h4>Changes since the approval of {review.on}</h4>"
                              f'<div class="diff">{_diff(review.approved_text.get(lang, ""), texts[lang])}</div>')
            column.append("</div>")
            columns.append("\n".join(column))
        cited = dict.fromkeys(k.strip().lstrip("@") for text in texts.values()
                              for m in MARKER.finditer(text) for k in m.group(1).split(";"))
        sources = "".join(
            f"<li><b>{html.escape(key)}</b>: {html.escape(registry[key].get('title', ''))}. "
            f"{html.escape(registry[key].get('publisher', ''))} {html.escape(registry[key].get('year', ''))}. "
            + " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in links(registry[key]))
            + f"<br><small>Supports: {html.escape(registry[key].get('supports', ''))}</small></li>"
            for key in cited if key in registry)
        state = {"pending": "never approved", "stale": f"changed since approved on {review.on} by {html.escape(review.by)}",
                 "overdue": f"review due since {review.due}"}[review.state]
        sections.append(
            f'<section class="page" id="{html.escape(status.key)}"><h2>{html.escape(status.key)}</h2>'
            f"<p>Status: {state}. Fingerprint of this text: <span class=\"fingerprint\">{review.fingerprint}</span></p>"
            f'<div class="langs">{"".join(columns)}</div>'
            f"<h3>Sources cited</h3><ol>{sources or '<li>(none)</li>'}</ol></section>")
    stamp = (today or date.today()).isoformat()
    intro = (f"<h1>Medical review: {len(keys)} page(s)</h1><p>Prepared {stamp}. Read each page in every "
             "language. To approve a page, tell the site's editors its name and fingerprint; they record it with "
             "<code>bin/invoke review --approve PAGE --by \"YOUR NAME\" --fingerprint FINGERPRINT</code>. "
             "If the text changes after this document was made, its fingerprint changes and the approval is refused, "
             "so an approval always covers exactly the text you read.</p>"
             + "<ul>" + "".join(f'<li><a href="#{html.escape(k)}">{html.escape(k)}</a></li>' for k in keys) + "</ul>")
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>Medical review ({stamp})</title>'
            f"<style>{STYLE}</style></head><body>{intro}{''.join(sections)}</body></html>\n")
    return page, keys
