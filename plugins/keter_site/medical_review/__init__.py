"""Medical review: a medical page (`medical: true`) says it was reviewed only while the
physician's recorded approval matches its text in every language.

Each medical document gets a `review` attribute (records.Review: state current / pending / stale
/ overdue, who, when, next review due), which the theme (partials/medical_review.html) and the
seo plugin's structured data read. Nothing else can make a page claim a review: `reviewed_by`
or `last_reviewed` typed into a page's front matter is a build error.

While editing, a page that is not current is a warning in the terminal and a banner in the
preview (MEDICAL_REVIEW_BANNER, never set for publishing). With LAUNCH_CHECKS (publishconf.py)
it stops the build, unless STAGING (a preview publish, marked as such on every page).
Settings: REVIEWS_PATH (the records' folder), MEDICAL_REVIEW_INTERVAL_MONTHS (default 12).
"""

import logging
from datetime import date
from pathlib import Path

from pelican import signals

from keter_site.core import content
from keter_site.core.data import DataError
from keter_site.core.front_matter import is_true, line_of
from keter_site.core.problems import report

from . import records

log = logging.getLogger("keter.review")  # not "pelican": the checks plugin makes those errors
TYPED_STAMPS = ("reviewed_by", "last_reviewed")
DEFAULT_INTERVAL = 12


def medical_groups(documents):
    """{review key: {lang: document}} for every medical document and its translations."""
    groups = {}
    for document in documents:
        if is_true(document.metadata.get("medical", "")) and document.status != "draft":
            groups.setdefault(content.key(document), {})[document.lang] = document  # key: the record name
    return groups


def texts_of(group):
    return {lang: records.page_text(document.source_path) for lang, document in group.items()}


def launch_checks_on(settings):
    return bool(settings.get("LAUNCH_CHECKS")) and not settings.get("STAGING")


def _message(key, review):
    if review.state == "pending":
        return f"the medical page '{key}' has not been approved by the clinic's physician."
    if review.state == "stale":
        return (f"the medical page '{key}' changed after {review.by} approved it on "
                f"{review.on.isoformat()}: the approval no longer covers its text.")
    return f"the medical review of '{key}' was due on {review.due.isoformat()}."


def _fix(key, review):
    return ("Send the physician the review document (`bin/invoke review --pending`); once they "
            f"approve it, record it with `bin/invoke review --approve {key} --by \"NAME\" "
            f"--fingerprint {review.fingerprint}`.")


def _check(generators):
    settings = generators[0].settings
    today = settings.get("REVIEW_TODAY") or date.today()
    interval = settings.get("MEDICAL_REVIEW_INTERVAL_MONTHS", DEFAULT_INTERVAL)
    reviews_dir = Path(settings["REVIEWS_PATH"])
    documents = content.documents(generators)
    for document in documents:
        for key in TYPED_STAMPS:
            if key in document.metadata:
                report(document.source_path, f"`{key}` cannot be typed into a page: a review is "
                       "shown only when the physician's approval is recorded for the page's exact text.",
                       f"Remove the `{key}` line. The physician's approval is recorded with "
                       "`bin/invoke review --approve` (docs/editing.md).", line_of(document.source_path, f"{key}:"))
        document.review = None
    enforce = launch_checks_on(settings)
    waiting = []
    for key, group in sorted(medical_groups(documents).items()):
        try:
            record = records.read_record(reviews_dir, key)
        except DataError as error:
            for line, message, fix in error.problems:
                report(error.path, message, fix, line)
            record = None
        review = records.review_of(texts_of(group), record, today, interval)
        for document in group.values():
            document.review = review
        if review.state == "current":
            continue
        if enforce:
            first = group[sorted(group)[0]]
            report(first.source_path, _message(key, review), _fix(key, review))
        else:
            waiting.append(f"{key} ({review.state})")
    if waiting:
        log.warning("%d medical page(s) show no review stamp until the physician approves them: %s. "
                    "See `bin/invoke status`; the physician's document: `bin/invoke review --pending`.",
                    len(waiting), ", ".join(waiting))


def register():
    signals.all_generators_finalized.connect(_check)
