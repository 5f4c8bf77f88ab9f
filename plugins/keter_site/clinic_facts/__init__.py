"""Clinic facts: one data file (CLINIC_DATA_FILE) holds the clinic's name, phone, e-mail,
address and hours, and every page and template takes them from there.

Templates call `clinic('phone')`; Markdown writes `{clinic:phone}`. Phone numbers and e-mail
addresses come out as links marked `dir="ltr"`, so inside Hebrew text their digits and symbols
keep their order. Tokens are replaced once all pages are read, not while each is read, so a
change to the data file reaches pages that were not read again (Pelican's content cache, the
live preview's kept documents).

Context key it writes: CLINIC, the data file's values ({key: value or {lang: value}}), for
templates and other plugins (seo).
"""

from typing import Any
import functools
import html
import re
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup, escape
from pelican import signals

from keter_site.core import content
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.problems import report

from . import placeholders

TOKEN = re.compile(r"\{clinic:([a-z_]+)\}")
# The list of values that are still placeholders (the clinic has not supplied them yet).
EXAMPLES_KEY = "example_values"

_facts: dict[Any, Any] = {}


def load(settings):
    """(facts, problems): the data file's values, and what is wrong with it as `report()`
    keyword arguments. The file's schema: every value is text in quotes, or one line of text
    per language (`he:`, `en:` ...) for every language of the site; `example_values` lists the
    keys whose values are still placeholders."""
    path = Path(settings["CLINIC_DATA_FILE"])
    try:
        data = load_data(path, strings_only=True)
    except DataError as error:
        return {}, [dict(path=str(path), line=line, message=message, fix=fix)
                    for line, message, fix in error.problems]
    if not isinstance(data, dict):
        return {}, [dict(path=str(path), message="the clinic data file must be a list of `key: value` lines.",
                         fix="Start each fact at the beginning of a line: `phone: \"03-000-0000\"`.")]
    problems = []
    languages = list(settings["LANGUAGES"])
    for key, value in data.items():
        if key == EXAMPLES_KEY:
            continue
        line = key_line(path, key)
        if not TOKEN.fullmatch(f"{{clinic:{key}}}"):
            problems.append(dict(path=str(path), line=line, message=f"`{key}` is not a usable name for a clinic fact.",
                                 fix="Use lowercase English letters and underscores, such as `opening_hours`."))
        if isinstance(value, dict):
            for lang in languages:
                if lang not in value:
                    problems.append(dict(path=str(path), line=line, message=f"`{key}` has no value for language '{lang}'.",
                                         fix=f"Add a line `{lang}: ...` under `{key}:`."))
            if any(not isinstance(v, str) for v in value.values()):
                problems.append(dict(path=str(path), line=line, message=f"`{key}` must hold one line of text per language.",
                                     fix=f"Write `{key}:` then one line per language, such as `  en: \"...\"`."))
        elif not isinstance(value, str):
            problems.append(dict(path=str(path), line=line, message=f"`{key}` must be text (in quotes) or one line per language.",
                                 fix=f'Write `{key}: "..."`.'))
    examples = data.get(EXAMPLES_KEY, [])
    if not isinstance(examples, list) or not all(_names_a_value(data, k) for k in examples):
        problems.append(dict(path=str(path), line=key_line(path, EXAMPLES_KEY),
                             message=f"`{EXAMPLES_KEY}` must list keys of this file.",
                             fix=f"Write it as `{EXAMPLES_KEY}: [phone, email, name.he]`, naming only keys above "
                                 "it (KEY.LANG: only that language's value)."))
    return data, problems


def _names_a_value(data, entry):
    """An `example_values` entry is a key of the file, or KEY.LANG for one language's value."""
    key, _, lang = str(entry).partition(".")
    return key in data and key != EXAMPLES_KEY and (not lang or (isinstance(data[key], dict) and lang in data[key]))


def key_line(path, key):
    """The line where a top-level key starts (comments may mention the key before it)."""
    return _key_lines(Path(path).read_text(encoding="utf-8")).get(key.partition(".")[0], 0)


@functools.lru_cache(maxsize=4)  # asked for every key of the file, on every build
def _key_lines(text):
    lines = {}
    for number, line in enumerate(text.splitlines(), start=1):
        key, colon, _ = line.partition(":")
        if colon:
            lines.setdefault(key, number)
    return lines


def example_keys(settings):
    """The clinic facts still marked as placeholders (for launch readiness)."""
    examples = (settings.get("CLINIC") or {}).get(EXAMPLES_KEY, [])
    return list(examples) if isinstance(examples, list) else []


def value_of(facts, key, lang):
    """A fact's text in `lang` (a fact is one text, or one text per language)."""
    value = facts[key]
    return value[lang] if isinstance(value, dict) else value


def html_of(facts, key, lang):
    """A fact as HTML: phone and e-mail as left-to-right links, the rest as escaped text."""
    value = value_of(facts, key, lang)
    if key == "phone":
        return Markup('<a href="tel:{}" dir="ltr" class="nowrap">{}</a>').format(
            value_of(facts, "phone_international", lang), value)
    if key == "email":
        return Markup('<a href="mailto:{0}" dir="ltr">{0}</a>').format(value)
    return escape(value)


def as_text(text, facts, lang):
    """`text` with each {clinic:key} marker replaced by the fact's text, escaped (safe inside an
    attribute too); a marker of no known fact, or of none in `lang`, is left as written. For
    attributes (keter_site.sanitize) and the physician's review document; page text gets
    `expand_tokens`, with links."""
    def value(match):
        fact = facts.get(match.group(1))
        fact = fact.get(lang) if isinstance(fact, dict) else fact
        return html.escape(fact) if isinstance(fact, str) else match.group(0)

    return TOKEN.sub(value, text)


def rendered(settings):
    """{lang: {key: HTML}} of every fact, read from the data file now (the browser editor's
    preview shows facts as pages do)."""
    facts, _ = load(settings)
    facts = {key: value for key, value in facts.items() if key != EXAMPLES_KEY}
    return {lang: {key: str(html_of(facts, key, lang)) for key in facts} for lang in settings["LANGUAGES"]}


def fact(key, lang):
    return value_of(_facts, key, lang)


def fact_html(key, lang):
    return html_of(_facts, key, lang)


@pass_context
def clinic(context, key):
    page = context.get("page")
    return fact_html(key, getattr(page, "lang", None) or context["DEFAULT_LANG"])


def expand_tokens(html, lang):
    return TOKEN.sub(lambda m: str(fact_html(m.group(1), lang)) if m.group(1) in _facts else m.group(0), html)


def _on_init(pelican):
    facts, problems = load(pelican.settings)
    _facts.clear()
    _facts.update(facts)
    pelican.settings["CLINIC"] = dict(facts)
    for problem in problems:
        report(**problem)
    settings = pelican.settings
    if settings.get("LAUNCH_CHECKS") and not settings.get("STAGING"):
        # Launch readiness: the live site must never show made-up contact details.
        path = settings["CLINIC_DATA_FILE"]
        examples = example_keys(settings)
        for key in examples:
            report(path, f"`{key}` is still an EXAMPLE value, not the clinic's real one.",
                   f"Replace the value of `{key}` with the clinic's real one (or confirm it is right), then "
                   f"remove `{key}` from `{EXAMPLES_KEY}` at the bottom of the file.", key_line(path, key))
        for key, reason in placeholders.found(facts):
            if key not in examples and key.partition(".")[0] not in examples:
                report(path, f"`{key}` looks like a placeholder: {reason}.",
                       f"Put the clinic's real value in `{key}`. (A launch refuses such values even when "
                       f"`{EXAMPLES_KEY}` does not list them.)", key_line(path, key))


def _check_and_expand(generators):
    """Once everything is read (cached documents included, so a changed data file reaches every
    page) and before anything renders or checks their HTML: report unknown tokens, then put the
    facts in. Unknown tokens stay as written; the build stops on them."""
    for document in content.documents(generators):
        keys = set(TOKEN.findall(document._content or ""))
        for key in sorted(keys - set(_facts)):
            report(document.source_path, f"`{{clinic:{key}}}` is not a clinic fact.",
                   f"Use one of: {', '.join(k for k in _facts if k != 'example_values')}; "
                   "or add it to content/data/clinic.yml.")
        if keys and document.lang in generators[0].settings["LANGUAGES"]:  # else `languages` reports it
            document._content = expand_tokens(document._content, document.lang)


def _add_to_jinja(generator):
    generator.env.globals["clinic"] = clinic


def register() -> None:
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
    signals.all_generators_finalized.connect(_check_and_expand)
