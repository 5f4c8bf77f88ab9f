"""Launch readiness from the files alone, without a build: each page's translation and medical review states and
placeholders, and the clinic facts still EXAMPLE, by the rules the publish enforces (`bin/invoke status`)."""

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from datetime import date
from pathlib import Path

from keter_site.core import front_matter
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.problems import Problem
from keter_site.medical_review import approvals, signing
from keter_site.translation_status.status import status_table


@dataclass
class PageStatus:
    """One page's row of `bin/invoke status`, read from the files without a build."""
    key: str                       # slug, or articles/<slug>
    translations: dict[str, str]   # {lang: source / ok / stale / missing}
    files: dict[str, Path]         # {lang: Path}
    medical: bool = False
    review: approvals.Review | None = None
    placeholders: list[Path] = field(default_factory=list)  # files that still hold the mark

    def problems(self) -> list[Problem]:
        """What stops this page's launch, each naming the file to open."""
        first = str(next(iter(self.files.values()), ""))
        found = [Problem(str(self.files.get(lang, first)), f"{lang} translation {state}")
                 for lang, state in self.translations.items() if state in ("stale", "missing", "no source")]
        if self.review and self.review.state not in ("current", "released"):
            found.append(Problem(first, {
                "pending": "awaiting the physician's review",
                "stale": "changed since the physician approved it",
                "overdue": f"review overdue since {self.review.due}",
                "invalid": f"review record does not count: {self.review.problem}",
                "needs_release": "no longer medical: the physician must sign its release"}[self.review.state]))
        found += [Problem(str(path), f"placeholder in {path.name} ({path.parent.name})") for path in self.placeholders]
        return found


def pages(settings: Mapping[str, Any], today: date | None = None,
          signers: signing.Signers | None = None) -> list[PageStatus]:
    """Every page's launch readiness, from the files alone."""
    languages = list(settings["LANGUAGES"])
    source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
    mark = settings.get("PLACEHOLDER_MARK", "TODO:")
    signers = signers or approvals.load_signers(settings)[0]
    found: list[PageStatus] = []
    table = status_table(settings["PATH"], languages, source_lang)
    approvals.verify_all(settings, table, signers)
    for key, (row, files) in table.items():
        status = PageStatus(key, row, files)
        metas = {lang: front_matter.read(path) for lang, path in files.items()}
        status.medical = any(front_matter.is_true(m.get("medical", "")) for m in metas.values())
        status.placeholders = [path for path in files.values() if mark in front_matter.read_text(path)]
        try:
            status.review = approvals.assess(settings, key, files, signers, today or date.today())
        except DataError as error:
            status.review = approvals.Review("invalid", "", problem=str(error), medical=status.medical)
        found.append(status)
    return found


def example_values(settings: Mapping[str, Any]) -> list[str]:
    """The clinic facts still marked EXAMPLE (content/data/clinic.yml's example_values), and
    those whose value looks like a placeholder whatever that list says."""
    from keter_site.clinic_facts import placeholders

    try:
        data = load_data(Path(settings["CLINIC_DATA_FILE"]), strings_only=True) or {}
    except DataError as error:
        return [f"(the clinic data file cannot be read: {error})"]
    examples = data.get("example_values", []) if isinstance(data, dict) else []
    examples = list(examples) if isinstance(examples, list) else []
    return examples + [k for k, _ in placeholders.found(data) if k not in examples and k.partition(".")[0] not in examples]


def review_label(review: approvals.Review | None) -> str:
    """A page's medical review in `bin/invoke status`'s table."""
    if review is None:
        return "-"
    return {"current": f"approved {review.on} by {review.principal}, next by {review.due}",
            "pending": "AWAITING REVIEW", "stale": f"CHANGED since approval {review.on}",
            "overdue": f"OVERDUE since {review.due}", "invalid": "RECORD DOES NOT COUNT (not signed by a listed key)",
            "needs_release": "NOT MEDICAL ANY MORE: release to sign", "released": "released from review"}[review.state]


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    """git's answer about the repository that holds `folder` (None without git)."""
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done


def signers_report(settings: Mapping[str, Any]) -> list[str]:
    """Lines about who may sign medical reviews, so a key added unnoticed is seen: the file that
    counts, each reviewer and key, and any change since the last commit or from the pinned file."""
    path, pinned = signing.signers_path(settings)
    signers, problems = approvals.load_signers(settings)
    lines = [f"Allowed signers of medical reviews: {path}" + (" (pinned by KETER_ALLOWED_SIGNERS)" if pinned else "")]
    lines += [f"  {p.path}:{p.line}: {p.message}" for p in problems]
    for signer in signers.by_principal.values():
        names = " / ".join(signer.names.get(lang, "?") for lang in settings["LANGUAGES"])
        lines.append(f"  {signer.principal}: {names}, key {signer.fingerprint}")
    if not signers.by_principal and not problems:
        lines.append("  (none: no page can be approved until the physician's key is added, docs/editing.md)")
    repo_path = Path(settings.get("ALLOWED_SIGNERS_FILE") or Path(settings["PATH"], *signing.DEFAULT_FILE))
    repo_bytes = repo_path.read_bytes() if repo_path.is_file() else b""
    if pinned and repo_bytes != signers.data:
        lines.append(f"  CHANGED: the repository's {repo_path.name} differs from the pinned file; only the pinned "
                     "file counts on this machine.")
    folder = repo_path.parent if repo_path.parent.is_dir() else Path(settings["PATH"])
    last = _git(folder, "log", "-1", "--format=%h %ad %an", "--date=short", "--", str(repo_path))
    if last is not None and last.returncode == 0:
        if last.stdout.strip():
            lines.append(f"  {repo_path.name} last changed in commit {last.stdout.strip()}.")
        dirty = _git(folder, "status", "--porcelain", "--", str(repo_path))
        if dirty is not None and dirty.stdout.strip():
            lines.append(f"  CHANGED: {repo_path} has changes not yet committed; check who added which key.")
    return lines
