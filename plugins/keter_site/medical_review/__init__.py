"""Medical review: a medical page (`medical: true`) says it was reviewed only while the physician's signature, checked
on every build, covers what a reader sees of it in every language; nothing else can make a page claim a review."""

from collections.abc import Mapping
from typing import Any
import functools
import logging
import re
from datetime import date
from pathlib import Path

from keter_site.core import content
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.front_matter import is_true, line_of, read_text
from keter_site.core.build import report, report_all

from . import approvals, records

log = logging.getLogger("keter.review")  # not "pelican": the checks plugin makes those errors
TYPED_STAMPS = ("reviewed_by", "last_reviewed")  # refused in front matter: only a verified signature makes a stamp
# The stamp's class names: page text may not wear them, in HTML or in Markdown's `{: .name }`.
STAMP_CLASSES = re.compile(r"""class\s*=\s*["']?[^"'>]*\b(medical-review|review-date)\b"""
                           r"""|\{:?[^}\n]*\.(medical-review|review-date)\b""", re.I)
STAMP_STRINGS = ("review.reviewed_by", "review.last_reviewed", "review.next_due")
DOCUMENT_HINT = ("The physician reads the review document (`bin/invoke review --pending`) and signs the "
                 "pages they approve with their own key (docs/editing.md, \"Medical review\").")


def groups_of(documents: list[Any]) -> dict[str, dict[str, Any]]:
    """{review key: {lang: document}} for every document that is not a draft."""
    groups: dict[str, dict[str, Any]] = {}
    for document in documents:
        if document.status != "draft":
            groups.setdefault(content.key(document), {})[document.lang] = document
    return groups


def stamp_phrases(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The fixed words of the stamp in every language (the text before its first value)."""
    phrases = set()
    for lang in settings["LANGUAGES"]:
        try:
            strings = load_data(Path(settings["UI_STRINGS_DIR"]) / f"{lang}.yml", strings_only=True) or {}
        except DataError:
            continue  # ui_strings reports it
        for key in STAMP_STRINGS:
            fixed = str(strings.get(key, "")).split("%{")[0].strip(" :·.")
            if len(fixed) >= 8:
                phrases.add(fixed)
    return tuple(sorted(phrases))


@functools.lru_cache(maxsize=4096)  # pure: the live preview checks every page's text on every build
def imitation(text: str, phrases: tuple[str, ...]) -> tuple[str, str] | None:
    """(needle, what) when the text imitates the review stamp, else None."""
    if match := STAMP_CLASSES.search(text):
        return match.group(0), f"the stamp's class `{match.group(1) or match.group(2)}`"
    folded = text.casefold()
    for phrase in phrases:
        if phrase.casefold() in folded:
            return phrase, f"the stamp's wording \"{phrase}\""
    return None


def _message(key: str, review: approvals.Review) -> str:
    if review.state == "pending":
        return f"the medical page '{key}' has not been approved by the clinic's physician."
    if review.state == "stale":
        assert review.on is not None  # a stale review comes from a signed record, which has its day
        return (f"the medical page '{key}' changed after {review.principal} approved it on "
                f"{review.on.isoformat()}: the approval no longer covers what readers see.")
    if review.state == "invalid":
        return f"this review record of '{key}' does not count: {review.problem}."
    assert review.due is not None  # overdue: the only state left, set with its due day
    return f"the medical review of '{key}' was due on {review.due.isoformat()}."


def _check_typed(documents: list[Any], phrases: tuple[str, ...]) -> None:
    for document in documents:
        for key in TYPED_STAMPS:
            if key in document.metadata:
                report(document.source_path, f"`{key}` cannot be typed into a page: a review is "
                       "shown only when the physician's signature covers the page's exact text.",
                       f"Remove the `{key}` line. {DOCUMENT_HINT}", line_of(document.source_path, f"{key}:"))
        text = read_text(document.source_path)
        found = imitation(text, phrases)
        if found:
            needle, what = found
            report(document.source_path, f"the page's text uses {what}: only the site may show a review stamp, "
                   "and only while the physician's signature covers the page.",
                   "Reword the sentence, or remove the class; the stamp appears by itself once the physician signs.",
                   line_of(document.source_path, needle))


def after_reading(generators: list[Any]) -> None:
    """Give every medical document its review; report what stops a launch."""
    settings = generators[0].settings
    today = settings.get("REVIEW_TODAY") or date.today()
    documents = content.documents(generators)
    _check_typed(documents, stamp_phrases(settings))
    for document in documents:
        document.review = None
    signers, problems = approvals.load_signers(settings)
    report_all(problems)
    enforce = settings.get("LAUNCH_CHECKS") and not settings.get("STAGING")  # a launch, not a staging preview
    # While editing, a page that is not current is a warning here and a banner in the preview (MEDICAL_REVIEW_BANNER).
    waiting: list[str] = []
    # A page with no record that no language marks medical has nothing to settle (assess says
    # None): leave it out here, so a save in the live preview does not open every page's files.
    recorded = records.recorded(settings["REVIEWS_PATH"])
    groups = {key: group for key, group in groups_of(documents).items()
              if records.record_path("", key).name in recorded or any(is_true(d.metadata.get("medical", "")) for d in group.values())}
    approvals.verify_all(settings, groups, signers)
    for key, group in sorted(groups.items()):
        files = {lang: Path(document.source_path) for lang, document in group.items()}
        first = group.get(settings.get("DEFAULT_LANG")) or group[sorted(group)[0]]
        try:
            review = approvals.assess(settings, key, files, signers, today)
        except DataError as error:
            report_all(error.problems)
            continue
        if review is None or review.state == "released":
            continue
        if review.state == "needs_release":
            report(first.source_path, f"'{key}' is no longer marked `medical: true`, but the physician's signed "
                   f"approval ({review.record}) still stands: a page leaves medical review only with the "
                   "physician's word.", "Put `medical: true` back, or have the physician sign the page's release "
                   "from review with their own key: `bin/invoke review --release PAGE` (docs/editing.md).")
            continue
        if review.state == "invalid" and not review.medical:
            (report if enforce else _warn)(str(review.record), _message(key, review),
                                           "Delete the file: a record counts only when a listed reviewer signs it.")
            continue
        for lang, document in group.items():
            # Read by the theme's stamp (partials/medical_review.html) and the seo plugin's structured data.
            document.review = review.for_language(lang)
        if review.state == "current":
            continue
        where = str(review.record) if review.state == "invalid" else first.source_path
        if enforce:
            report(where, _message(key, review), DOCUMENT_HINT)
        else:
            waiting.append(f"{key} ({review.state})")
    if waiting:
        log.warning("%d medical page(s) show no review stamp until the physician approves them: %s. "
                    "See `bin/invoke status`; the physician's document: `bin/invoke review --pending`.",
                    len(waiting), ", ".join(waiting))


def _warn(path: str, message: str, fix: str) -> None:
    log.warning("%s: %s %s", path, message, fix)


def register() -> None:
    """Nothing to connect: keter_site.pipeline runs `after_reading`."""
