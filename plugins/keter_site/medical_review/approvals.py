"""The state of one page's medical review, from its files, its record and the allowed signers: the one rule the
build, `bin/invoke status`, the review document and the publish report share."""

import shutil
from collections.abc import Iterable, Mapping
from typing import Any
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

from keter_site.core.data import DataError
from keter_site.core.problems import Problem

from . import material, records, signing

DEFAULT_INTERVAL = 12


@dataclass
class Review:
    """A medical page's review as its signed record and its current text make it: what the stamp shows."""
    state: str                  # current, pending, stale, overdue, invalid, needs_release, released
    fingerprint: str            # of the covered text as it is now
    by: str = ""                # the reviewer's name in the document's language (set per document)
    names: dict[str, str] = field(default_factory=dict)  # {lang: name} from the allowed signers
    principal: str = ""
    key: str = ""               # SHA256:... of the key that signed
    on: date | None = None
    due: date | None = None
    approved_text: dict[str, str] | None = None  # {lang: text} as signed (shown in the diff, never trusted)
    problem: str = ""           # why a record does not count
    record: Path | None = None
    medical: bool = True        # whether the page is marked medical now

    def for_language(self, lang: str) -> "Review":
        """This review as a document in `lang` shows it (the reviewer's name in that language)."""
        copy = Review(**self.__dict__)
        copy.by = self.names.get(lang) or self.principal
        return copy


def signed_by(record: records.Record, key: str, signers: signing.Signers) -> tuple[signing.Signer | None, str]:
    """(signer, "") when a listed reviewer signed exactly this record, else (None, why)."""
    if record["page"] != key:
        return None, f"it is the record of '{record['page']}', not of '{key}'"
    signature = record.get("signature")
    if not isinstance(signature, str) or not signature.strip():
        return None, "it has no signature (a record typed by hand, or cut short)"
    signer = signers.by_principal.get(record["reviewer"])
    if signer is None:
        return None, (f"its reviewer `{record['reviewer']}` is not in the allowed signers ({signers.path})")
    data = signing.message(record["kind"], key, record["fingerprint"], record["reviewer"], record["reviewed_on"])
    if not signing.verify(data, signature, record["reviewer"], signers.data):
        return None, (f"its signature is not `{record['reviewer']}`'s by the key listed in {signers.path} "
                      "(signed by another key, or the record was changed after signing)")
    return signer, ""


def verify_all(settings: Mapping[str, Any], keys: Iterable[str], signers: signing.Signers) -> None:
    """Check every page's record signature at once, ssh-keygen processes side by side, so a new
    process's build does not wait for them one by one; assess() then reads signing.verify's memory."""
    jobs = []
    for key in keys:
        try:
            record = records.read_record(settings["REVIEWS_PATH"], key)
        except DataError:
            continue  # assess() reports it
        if record and isinstance(record.get("signature"), str) and record["reviewer"] in signers.by_principal:
            data = signing.message(record["kind"], key, record["fingerprint"], record["reviewer"], record["reviewed_on"])
            jobs.append((data, record["signature"], record["reviewer"], signers.data))
    if len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
            list(pool.map(lambda job: signing.verify(*job), jobs))


def assess(settings: Mapping[str, Any], key: str, files: Mapping[str, Path], signers: signing.Signers,
           today: date | None = None) -> Review | None:
    """The page's Review (None: not medical and nothing to settle). Raises DataError for a
    record file that is not a record at all."""
    interval = settings.get("MEDICAL_REVIEW_INTERVAL_MONTHS", DEFAULT_INTERVAL)
    medical = material.is_medical(files)
    path = records.record_path(settings["REVIEWS_PATH"], key)
    record = records.read_record(settings["REVIEWS_PATH"], key)
    if record is None and not medical:
        return None  # most pages: nothing to fingerprint
    current = material.fingerprint(material.texts(settings, files))
    if record is None:
        return Review("pending", current)
    signer, why = signed_by(record, key, signers)
    on = date.fromisoformat(record["reviewed_on"])
    review = Review("invalid", current, on=on, approved_text=record.get("text") or {}, problem=why, record=path,
                    principal=record["reviewer"], medical=medical)
    if signer is None:
        return review  # invalid: a record no listed key signed counts as no review at all
    review.names, review.key = signer.names, signer.fingerprint
    if not medical:  # a signed approval stands until the physician signs the page's release from review
        review.state = "released" if record["kind"] == "release" else "needs_release"
        return review
    if record["kind"] == "release":
        review.state = "pending"
        return review
    review.due = on + relativedelta(months=interval)
    if record["fingerprint"] != current:
        review.state = "stale"
    elif (today or date.today()) > review.due:
        review.state = "overdue"
    else:
        review.state = "current"
    return review


def load_signers(settings: Mapping[str, Any]) -> tuple[signing.Signers, list[Problem]]:
    """(the allowed signers, problems): none when the file is written wrongly."""
    try:
        signers = signing.load_signers(settings, list(settings["LANGUAGES"]))
        if signers.by_principal and not shutil.which("ssh-keygen"):
            return signers, [Problem(str(signers.path), "ssh-keygen (OpenSSH) is not installed, so no review signature "
                                     "can be checked.", "Install OpenSSH's client (Debian: `apt-get install openssh-client`).")]
        return signers, []
    except DataError as error:
        path, _ = signing.signers_path(settings)
        return signing.Signers(Path(path), b"", {}, False), error.problems
