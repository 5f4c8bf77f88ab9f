"""Launch readiness from the files alone (no build): for each page, its translation state, its
medical review state and any placeholder; and the clinic facts still marked EXAMPLE. What
`bin/invoke status` prints, with the same rules the publishing build enforces."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from keter_site.core import front_matter
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.medical_review import records
from keter_site.translation_status.status import status_table


@dataclass
class PageStatus:
    key: str                       # slug, or articles/<slug>
    translations: dict             # {lang: source / ok / stale / missing}
    files: dict                    # {lang: Path}
    medical: bool = False
    review: records.Review | None = None
    placeholders: list = field(default_factory=list)  # files that still hold the mark

    def problems(self):
        found = [f"{lang} translation {state}" for lang, state in self.translations.items()
                 if state in ("stale", "missing", "no source")]
        if self.review and self.review.state != "current":
            found.append({"pending": "awaiting the physician's review",
                          "stale": "changed since the physician approved it",
                          "overdue": f"review overdue since {self.review.due}"}[self.review.state])
        found += [f"placeholder in {path.name} ({path.parent.name})" for path in self.placeholders]
        return found


def pages(settings, today=None):
    languages = list(settings["LANGUAGES"])
    source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
    mark = settings.get("PLACEHOLDER_MARK", "TODO:")
    interval = settings.get("MEDICAL_REVIEW_INTERVAL_MONTHS", 12)
    found = []
    for key, (row, files) in status_table(settings["PATH"], languages, source_lang).items():
        status = PageStatus(key, row, files)
        metas = {lang: front_matter.read(path) for lang, path in files.items()}
        status.medical = any(front_matter.is_true(m.get("medical", "")) for m in metas.values())
        status.placeholders = [path for path in files.values() if mark in front_matter.read_text(path)]
        if status.medical:
            texts = {lang: records.page_text(path) for lang, path in files.items()}
            try:
                record = records.read_record(settings["REVIEWS_PATH"], key)
            except DataError:
                record = None
            status.review = records.review_of(texts, record, today or date.today(), interval)
        found.append(status)
    return found


def example_values(settings):
    """The clinic facts still marked EXAMPLE (content/data/clinic.yml's example_values)."""
    try:
        data = load_data(Path(settings["CLINIC_DATA_FILE"]), strings_only=True) or {}
    except DataError as error:
        return [f"(the clinic data file cannot be read: {error})"]
    examples = data.get("example_values", []) if isinstance(data, dict) else []
    return list(examples) if isinstance(examples, list) else []


def texts_for(settings, key):
    """{lang: reviewed text} and the files of one page or article, by its review key."""
    for status in pages(settings):
        if status.key == key:
            return {lang: records.page_text(path) for lang, path in status.files.items()}, status
    return None, None
