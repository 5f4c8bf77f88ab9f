"""UI strings: the theme's words in every language (theme/strings/<lang>.yml, python-i18n, `t('key')` in templates);
a key missing in any language stops the build, so a reader never sees a raw key or another language."""

from collections.abc import Mapping
from typing import Any
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import i18n
from babel.dates import format_date
from jinja2 import pass_context
from pelican import signals

from keter_site.core import build
from keter_site.core.languages import page_lang
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.problems import Problem



class MissingUIString(Exception):
    """A template asked for a string no catalog has: Pelican stops, naming it."""

    exitcode = 1


def _catalog_path(settings: Mapping[str, Any], lang: str) -> Path:
    return Path(settings["UI_STRINGS_DIR"]) / f"{lang}.yml"


def _read_catalog(path: Path) -> tuple[dict[str, str] | None, str]:
    """(strings, problem): the catalog's {key: text}, or None and what is wrong with it."""
    try:
        data = load_data(path, strings_only=True) or {}
    except DataError as error:
        first = error.problems[0]
        if "missing" in first.message:
            return None, "the UI strings file is missing."
        return None, f"{first.message.rstrip('.')}{f' (line {first.line})' if first.line else ''}."
    if not isinstance(data, dict) or any(not isinstance(v, str) for v in data.values()):
        return None, "every line must be `key: text` (a flat list of strings, no nesting)."
    return data, ""


def load_catalogs(settings: Mapping[str, Any]) -> list[Problem]:
    """Load every language's strings into python-i18n; return the problems (files missing or
    broken, keys one language has and another lacks)."""
    i18n.set("skip_locale_root_data", True)
    i18n.set("filename_format", "{locale}.{format}")
    i18n.set("error_on_missing_translation", True)
    i18n.set("fallback", None)
    i18n.translations.container.clear()

    languages = list(settings["LANGUAGES"])
    catalogs: dict[str, dict[str, str]] = {}
    problems = []
    for lang in languages:
        path = _catalog_path(settings, lang)
        data, error = _read_catalog(path)
        if data is None:
            problems.append(Problem(str(path), error,
                                    "Copy the keys from another language's strings file and translate the text."))
            continue
        catalogs[lang] = data
        for key, text in data.items():
            i18n.add_translation(key, text, locale=lang)

    # A placeholder spelled differently in one language would be printed as typed, not filled in.
    reference = settings["DEFAULT_LANG"] if settings["DEFAULT_LANG"] in catalogs else next(iter(catalogs), None)
    for lang, data in catalogs.items():
        for key, text in data.items():
            expected = set(PLACEHOLDER.findall(catalogs[reference].get(key, ""))) if reference else set()
            found = set(PLACEHOLDER.findall(text))
            if reference and key in catalogs[reference] and found != expected:
                problems.append(Problem(
                    str(_catalog_path(settings, lang)),
                    f"UI string '{key}' in '{lang}' fills in {_names(found)}, but in '{reference}' {_names(expected)}.",
                    f"Write the placeholders exactly as in {reference}.yml: {_names(expected)}."))

    all_keys = set().union(*catalogs.values()) if catalogs else set()
    for lang, data in catalogs.items():
        for key in sorted(all_keys - set(data)):
            holder = next(other for other in catalogs if key in catalogs[other])
            problems.append(Problem(
                str(_catalog_path(settings, lang)),
                f"UI string '{key}' is missing in language '{lang}'.",
                f"Add `{key}: ...` with the {lang} text (see {holder}.yml for what it says)."))
    return problems


PLACEHOLDER = re.compile(r"%\{([^}]*)\}")


def _names(placeholders: set[str]) -> str:
    return ", ".join(f"%{{{p}}}" for p in sorted(placeholders)) or "no placeholder"


class Translate:
    """One build's translate(key, lang, **values), over the catalogs python-i18n holds."""

    def __init__(self) -> None:
        # (key, lang) -> text, for strings without values to fill in: the same few dozen strings
        # are asked for on every page, and python-i18n looks each one up and formats it again.
        self.plain: dict[tuple[str, str], str] = {}

    def __call__(self, key: str, lang: str, **values: Any) -> str:
        if not values:
            text = self.plain.get((key, lang))
            if text is not None:
                return text
        if not i18n.translations.has(key, lang):
            raise MissingUIString(
                f"UI string '{key}' is missing in language '{lang}'. How to fix: add `{key}: ...` "
                f"to theme/strings/{lang}.yml and to every other language's strings file.")
        text = str(i18n.t(key, locale=lang, **values))
        if not values:
            self.plain[(key, lang)] = text
        return text


@pass_context
def t(context: Any, key: str, **values: Any) -> str:
    """`{{ t('nav.menu') }}`: the string in the language of the page being rendered."""
    return build.current().translate(key, page_lang(context), **values)


@pass_context
def localized_date(context: Any, value: date | str, fmt: str = "long") -> str:
    """A date written the way the page's language writes it (e.g. 5 במרץ 2026, March 5, 2026)."""
    locale = context["LANGUAGES"][page_lang(context)].get("locale", page_lang(context))
    if isinstance(value, str):
        value = date.fromisoformat(value.strip())  # checked by build_checks before writing
    return _format_date(value, fmt, locale)


# Babel's locale data: no operating-system locale is needed.
@lru_cache(maxsize=4096)
def _format_date(value: date, fmt: str, locale: str) -> str:
    # Pure: Babel parses the locale's pattern on every call; an index page shows the same dates again.
    return format_date(value, format=fmt, locale=locale)


def _add_to_jinja(generator: Any) -> None:
    generator.env.globals["t"] = t
    generator.env.globals["TRANSLATE"] = build.current().translate
    generator.env.filters["localized_date"] = localized_date


def _on_init(pelican: Any) -> None:
    build.report_all(load_catalogs(pelican.settings))
    # For steps that write text outside templates (seo's structured data and manifests, the feeds' titles).
    build.current().translate = Translate()


def register() -> None:
    """Load the catalogs when a build starts; give templates `t()` and `localized_date`."""
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
