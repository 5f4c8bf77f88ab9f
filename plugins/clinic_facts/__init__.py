"""Clinic facts: one data file (CLINIC_DATA_FILE) holds the clinic's name, phone, e-mail,
address and hours, and every page and template takes them from there.

Templates call `clinic('phone')`; Markdown writes `{clinic:phone}`. Phone numbers and e-mail
addresses come out as links marked `dir="ltr"`, so inside Hebrew text their digits and symbols
keep their order. Tokens are replaced once all pages are read, not while each is read, so a
change to the data file reaches pages that Pelican's content cache did not re-read.
"""

import re
from pathlib import Path

import yaml
from blinker import signal
from jinja2 import pass_context
from markupsafe import Markup, escape
from pelican import signals

content_problem = signal("content_problem")
# libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure-Python one.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOKEN = re.compile(r"\{clinic:([a-z_]+)\}")

_facts = {}


def _load(settings):
    """(facts, problems): the data file's values, and what is wrong with it as content_problem
    keyword arguments."""
    path = Path(settings["CLINIC_DATA_FILE"])
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader) or {}
    except (OSError, yaml.YAMLError) as error:
        return {}, [dict(path=str(path), message=f"cannot read the clinic data file: {error}",
                         fix="Check the file exists and that every line is `key: value`.")]
    problems = [dict(path=str(path), message=f"`{key}` has no value for language '{lang}'.",
                     fix=f"Add a line `{lang}: ...` under `{key}:`.")
                for key, value in data.items() if isinstance(value, dict)
                for lang in settings["LANGUAGES"] if lang not in value]
    return data, problems


def fact(key, lang):
    value = _facts[key]
    return value[lang] if isinstance(value, dict) else value


def fact_html(key, lang):
    """A fact as HTML: phone and e-mail as left-to-right links, the rest as escaped text."""
    value = fact(key, lang)
    if key == "phone":
        return Markup('<a href="tel:{}" dir="ltr" class="nowrap">{}</a>').format(
            fact("phone_international", lang), value)
    if key == "email":
        return Markup('<a href="mailto:{0}" dir="ltr">{0}</a>').format(value)
    return escape(value)


@pass_context
def clinic(context, key):
    page = context.get("page")
    return fact_html(key, getattr(page, "lang", None) or context["DEFAULT_LANG"])


def expand_tokens(html, lang):
    return TOKEN.sub(lambda m: str(fact_html(m.group(1), lang)) if m.group(1) in _facts else m.group(0), html)


_load_problems = []


def _on_init(pelican):
    facts, problems = _load(pelican.settings)
    _facts.clear()
    _facts.update(facts)
    _load_problems[:] = problems


def _check_and_expand(generator):
    """Once all pages are read (cached ones included, so a changed data file reaches every page)
    and before anything renders or checks their HTML: report unknown tokens and the data file's
    problems (not on `initialized`, where build_checks clears its list and blinker gives no
    order), then put the facts in. Unknown tokens stay as written; the build stops on them."""
    for problem in _load_problems:
        content_problem.send("clinic_facts", **problem)
    pages = [*generator.pages, *generator.translations, *generator.hidden_pages, *generator.hidden_translations]
    for page in pages:
        keys = set(TOKEN.findall(page._content or ""))
        for key in sorted(keys - set(_facts)):
            content_problem.send(
                "clinic_facts", path=page.source_path,
                message=f"`{{clinic:{key}}}` is not a clinic fact.",
                fix=f"Use one of: {', '.join(k for k in _facts if k != 'example_values')}; "
                    "or add it to content/data/clinic.yml.")
        if keys:
            page._content = expand_tokens(page._content, page.lang)


def _add_to_jinja(generator):
    generator.env.globals["clinic"] = clinic


def register():
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
    signals.page_generator_finalized.connect(_check_and_expand)
