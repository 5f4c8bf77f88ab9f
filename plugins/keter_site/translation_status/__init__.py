"""Translation status in every build: a translation whose source page changed since it was last
brought up to date is stale. In development that is a warning printed after the build (editors
keep working); in a publish build (TRANSLATIONS_STALE_IS_ERROR) it stops the build, unless the
environment variable ALLOW_STALE_TRANSLATIONS=1 says the deployer accepts it this time."""

import logging
import os
from pathlib import Path

from pelican import signals

from keter_site.core.problems import report

from .status import status_table

# Not under the "pelican" logger: the checks plugin turns Pelican's warnings into errors, and a stale
# translation is only a warning while developing.
log = logging.getLogger("keter.translations")


def _check(generators):
    settings = generators[0].settings
    languages = list(settings["LANGUAGES"])
    source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
    is_error = (settings.get("TRANSLATIONS_STALE_IS_ERROR") and not settings.get("STAGING")
                and os.environ.get("ALLOW_STALE_TRANSLATIONS") != "1")
    for slug, (row, files) in status_table(settings["PATH"], languages, source_lang).items():
        for lang, state in row.items():
            if state != "stale":
                continue
            message = (f"the {lang} translation of '{slug}' is out of date: the {source_lang} page "
                       f"changed after it was last translated.")
            fix = (f"Update it to match content/{source_lang}/{Path(files[source_lang]).name}, then run "
                   f"`bin/invoke translations --done {slug} --lang {lang}`.")
            if is_error:
                report(path=str(files[lang]), message=message,
                                     fix=fix + " (To publish anyway: ALLOW_STALE_TRANSLATIONS=1.)")
            else:
                shown = Path(files[lang]).relative_to(Path(settings["PATH"]).parent)
                log.warning("%s: translation out of date (the %s page changed). When it is updated: "
                            "bin/invoke translations --done %s --lang %s", shown, source_lang, slug, lang)


def register():
    signals.all_generators_finalized.connect(_check)
