"""Translation status in every build: a translation whose source page changed since it was last brought up to date
is stale; a warning while editing, so editors keep working, and a problem that stops a publish build."""

from collections.abc import Iterator
from typing import Any
import logging
import os
from pathlib import Path

from keter_site.core.build import report

from keter_site.core import content
from keter_site.core.front_matter import read_text

from .status import HASH_KEY, fingerprint

# Not under the "pelican" logger: the checks plugin turns Pelican's warnings into errors, and a stale
# translation is only a warning while developing.
log = logging.getLogger("keter.translations")


def _stale(documents: list[Any], languages: list[str], source_lang: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(key, lang, {lang: path}) of every stale translation among the documents Pelican read
    (what `status_table` finds from the files, without walking the content folder again)."""
    groups: dict[str, dict[str, Any]] = {}
    for document in documents:
        if document.lang in languages:
            groups.setdefault(content.key(document), {})[document.lang] = document
    for key, group in sorted(groups.items()):
        source = group.get(source_lang)
        if source is None:
            continue
        expected = fingerprint(read_text(source.source_path))
        files = {lang: document.source_path for lang, document in group.items()}
        for lang, document in group.items():
            if lang != source_lang and str(document.metadata.get(HASH_KEY, "")) != expected:
                yield key, lang, files


def after_reading(generators: list[Any]) -> None:
    """Stale translations: a warning while editing, a problem when publishing."""
    settings = generators[0].settings
    languages = list(settings["LANGUAGES"])
    source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
    # ALLOW_STALE_TRANSLATIONS=1: the deployer accepts stale translations this time.
    is_error = (settings.get("TRANSLATIONS_STALE_IS_ERROR") and not settings.get("STAGING")
                and os.environ.get("ALLOW_STALE_TRANSLATIONS") != "1")
    project = Path(settings["PATH"]).parent
    for key, lang, files in _stale(content.documents(generators), languages, source_lang):
        message = (f"the {lang} translation of '{key}' is out of date: the {source_lang} page "
                   f"changed after it was last translated.")
        fix = (f"Update it to match {Path(files[source_lang]).relative_to(project)}, then run "
               f"`bin/invoke translations --done {key} --lang {lang}`.")
        if is_error:
            report(path=str(files[lang]), message=message, fix=fix + " (To publish anyway: ALLOW_STALE_TRANSLATIONS=1.)")
        else:
            log.warning("%s: translation out of date (the %s page changed). When it is updated: "
                        "bin/invoke translations --done %s --lang %s",
                        Path(files[lang]).relative_to(project), source_lang, key, lang)


def register() -> None:
    """Nothing to connect: keter_site.pipeline runs `after_reading`."""
