"""Clinic facts: the clinic's name, phone, e-mail, address and hours, written once in CLINIC_DATA_FILE and taken
from there by every page (`{clinic:phone}` in Markdown) and template (`clinic('phone')`)."""

from collections.abc import Mapping
from typing import Any
import functools
import html
import re
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup, escape
from pelican import signals

from keter_site.core import build, content
from keter_site.core.languages import page_lang
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.problems import Problem

from . import placeholders

TOKEN = re.compile(r"\{clinic:([a-z_]+)\}")
# The list of values that are still placeholders (the clinic has not supplied them yet).
EXAMPLES_KEY = "example_values"


def load(settings: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """(facts, problems): the data file's values, and what is wrong with it, so one build reads it once."""
    # The file's schema: every value is text in quotes, or one line of text per language (`he:`,
    # `en:` ...) for every language of the site; `example_values` lists the keys whose values
    # are still placeholders.
    path = Path(settings["CLINIC_DATA_FILE"])
    try:
        data = load_data(path, strings_only=True)
    except DataError as error:
        return {}, error.problems
    if not isinstance(data, dict):
        return {}, [Problem(str(path), "the clinic data file must be a list of `key: value` lines.",
                            "Start each fact at the beginning of a line: `phone: \"03-000-0000\"`.")]
    problems = []
    languages = list(settings["LANGUAGES"])
    for key, value in data.items():
        if key == EXAMPLES_KEY:
            continue
        line = key_line(path, key)
        if not TOKEN.fullmatch(f"{{clinic:{key}}}"):
            problems.append(Problem(str(path), f"`{key}` is not a usable name for a clinic fact.",
                                    "Use lowercase English letters and underscores, such as `opening_hours`.", line))
        if isinstance(value, dict):
            for lang in languages:
                if lang not in value:
                    problems.append(Problem(str(path), f"`{key}` has no value for language '{lang}'.",
                                            f"Add a line `{lang}: ...` under `{key}:`.", line))
            if any(not isinstance(v, str) for v in value.values()):
                problems.append(Problem(str(path), f"`{key}` must hold one line of text per language.",
                                        f"Write `{key}:` then one line per language, such as `  en: \"...\"`.", line))
        elif not isinstance(value, str):
            problems.append(Problem(str(path), f"`{key}` must be text (in quotes) or one line per language.",
                                    f'Write `{key}: "..."`.', line))
    examples = data.get(EXAMPLES_KEY, [])
    if not isinstance(examples, list) or not all(_names_a_value(data, k) for k in examples):
        problems.append(Problem(str(path), f"`{EXAMPLES_KEY}` must list keys of this file.",
                                f"Write it as `{EXAMPLES_KEY}: [phone, email, name.he]`, naming only keys above "
                                "it (KEY.LANG: only that language's value).", key_line(path, EXAMPLES_KEY)))
    return data, problems


def _names_a_value(data: dict[str, Any], entry: object) -> bool:
    """An `example_values` entry is a key of the file, or KEY.LANG for one language's value."""
    key, _, lang = str(entry).partition(".")
    return key in data and key != EXAMPLES_KEY and (not lang or (isinstance(data[key], dict) and lang in data[key]))


def key_line(path: str | Path, key: str) -> int:
    """The line where a top-level key starts (comments may mention the key before it)."""
    return _key_lines(Path(path).read_text(encoding="utf-8")).get(key.partition(".")[0], 0)


@functools.lru_cache(maxsize=4)  # pure: asked for every key of the file, on every build
def _key_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        key, colon, _ = line.partition(":")
        if colon:
            lines.setdefault(key, number)
    return lines


def value_of(facts: Mapping[str, Any], key: str, lang: str | None) -> str:
    """A fact's text in `lang` (a fact is one text, or one text per language; "" when it has
    none in `lang`, which the data file's check reports)."""
    value = facts[key]
    return value.get(lang, "") if isinstance(value, dict) else value


def html_of(facts: Mapping[str, Any], key: str, lang: str | None) -> Markup:
    """A fact as HTML: phone and e-mail as left-to-right links, the rest as escaped text."""
    value = value_of(facts, key, lang)
    # dir="ltr": inside Hebrew text a number's or an address's digits and symbols keep their order.
    if key == "phone":
        return Markup('<a href="tel:{}" dir="ltr" class="nowrap">{}</a>').format(
            value_of(facts, "phone_international", lang), value)
    if key == "email":
        return Markup('<a href="mailto:{0}" dir="ltr">{0}</a>').format(value)
    return escape(value)


def as_text(text: str, facts: Mapping[str, Any], lang: str | None) -> str:
    """`text` with each {clinic:key} marker replaced by the fact's text, escaped (safe inside an
    attribute too): for attributes and the physician's review document; page text gets `expand_tokens`."""
    # A marker of no known fact, or of none in `lang`, is left as written.
    def value(match: re.Match[str]) -> str:
        fact = facts.get(match.group(1))
        fact = fact.get(lang) if isinstance(fact, dict) else fact
        return html.escape(fact) if isinstance(fact, str) else match.group(0)

    return TOKEN.sub(value, text)


def rendered(settings: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """{lang: {key: HTML}} of every fact, read from the data file now (the browser editor's
    preview shows facts as pages do)."""
    facts, _ = load(settings)
    facts = {key: value for key, value in facts.items() if key != EXAMPLES_KEY}
    return {lang: {key: str(html_of(facts, key, lang)) for key in facts} for lang in settings["LANGUAGES"]}


def text(key: str, lang: str | None) -> str:
    """A fact's text in `lang` in this build; "" when the data file has no such fact."""
    facts = build.current().facts
    return value_of(facts, key, lang) if key in facts else ""


@pass_context
def clinic(context: Any, key: str) -> Markup:
    """`{{ clinic('phone') }}`: the fact as HTML in the language of the page being rendered."""
    return html_of(build.current().facts, key, page_lang(context))


def expand_tokens(html: str, facts: Mapping[str, Any], lang: str) -> str:
    """`html` with each {clinic:key} marker of a known fact replaced by the fact as HTML."""
    return TOKEN.sub(lambda m: str(html_of(facts, m.group(1), lang)) if m.group(1) in facts else m.group(0), html)


def _on_init(pelican: Any) -> None:
    facts, problems = load(pelican.settings)
    build.current().facts = facts
    build.report_all(problems)
    settings = pelican.settings
    if settings.get("LAUNCH_CHECKS") and not settings.get("STAGING"):
        # Launch readiness: the live site must never show made-up contact details.
        path = settings["CLINIC_DATA_FILE"]
        examples = facts.get(EXAMPLES_KEY, [])
        examples = examples if isinstance(examples, list) else []  # else load() reported it
        for key in examples:
            build.report(path, f"`{key}` is still an EXAMPLE value, not the clinic's real one.",
                         f"Replace the value of `{key}` with the clinic's real one (or confirm it is right), then "
                         f"remove `{key}` from `{EXAMPLES_KEY}` at the bottom of the file.", key_line(path, key))
        for key, reason in placeholders.found(facts):
            if key not in examples and key.partition(".")[0] not in examples:
                build.report(path, f"`{key}` looks like a placeholder: {reason}.",
                             f"Put the clinic's real value in `{key}`. (A launch refuses such values even when "
                             f"`{EXAMPLES_KEY}` does not list them.)", key_line(path, key))


def after_reading(generators: list[Any]) -> None:
    """Put the facts into every page read (cached ones too, so a changed data file reaches them all)
    before anything renders or checks the HTML; an unknown token is reported and stops the build."""
    facts = build.current().facts
    for document in content.documents(generators):
        keys = set(TOKEN.findall(content.html_of(document)))
        for key in sorted(keys - set(facts)):
            build.report(document.source_path, f"`{{clinic:{key}}}` is not a clinic fact.",
                         f"Use one of: {', '.join(k for k in facts if k != EXAMPLES_KEY)}; "
                         "or add it to content/data/clinic.yml.")
        if keys and document.lang in generators[0].settings["LANGUAGES"]:  # else `languages` reports it
            content.set_html(document, expand_tokens(content.html_of(document), facts, document.lang))


def _add_to_jinja(generator: Any) -> None:
    generator.env.globals["clinic"] = clinic
    generator.env.globals["CLINIC"] = build.current().facts  # {key: value or {lang: value}}


def register() -> None:
    """Load the facts when a build starts; give templates `clinic()` and CLINIC."""
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
