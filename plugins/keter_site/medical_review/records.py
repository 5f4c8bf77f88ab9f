"""Medical review records: who approved a medical page, when, and for exactly which text.

A record is content/data/reviews/<slug>.yml (REVIEWS_PATH), written only by
`invoke review --approve`. It keeps the fingerprint of the page's text in every language (title,
description and body, as written in the Markdown files) and a copy of that text, so the
physician's next reading shows what changed. A record whose fingerprint no longer matches the
files is stale: the stamp disappears until the physician approves the new text.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from dateutil.relativedelta import relativedelta

from keter_site.core import front_matter
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data

FINGERPRINTED_KEYS = ("title", "description")


@dataclass
class Review:
    state: str                 # current, pending (never approved), stale (text changed), overdue
    fingerprint: str           # of the text as it is now
    by: str = ""
    on: date | None = None
    due: date | None = None
    approved_text: dict | None = None  # {lang: text} as approved


def page_text(path):
    """The part of one language's file the physician reviews: title, description and body."""
    meta, body, _ = front_matter.split(front_matter.read_text(path))
    return "\n".join([*(f"{k}: {meta.get(k, '')}" for k in FINGERPRINTED_KEYS), "", body.strip(), ""])


def fingerprint(texts):
    """One fingerprint for every language's text ({lang: text}), independent of file order."""
    material = "\n\x00\n".join(f"{lang}\n{texts[lang]}" for lang in sorted(texts))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def record_path(reviews_dir, slug):
    return Path(reviews_dir) / f"{slug.replace('/', '--')}.yml"


def read_record(reviews_dir, slug):
    """The record as a dict, None when there is none; raises DataError for a broken file."""
    path = record_path(reviews_dir, slug)
    if not path.exists():
        return None
    record = load_data(path, strings_only=True)
    if not isinstance(record, dict) or not all(record.get(k) for k in ("reviewed_by", "reviewed_on", "fingerprint")):
        raise DataError(path, [(1, "this review record is incomplete.",
                                "Restore it from the project's history, or delete it and approve the page again "
                                "with `bin/invoke review --approve`.")])
    try:
        date.fromisoformat(record["reviewed_on"])
    except ValueError:
        raise DataError(path, [(1, f"`reviewed_on: {record['reviewed_on']}` is not a date.",
                                "Restore the file from the project's history.")])
    return record


def review_of(texts, record, today, interval_months):
    current = fingerprint(texts)
    if record is None:
        return Review("pending", current)
    on = date.fromisoformat(record["reviewed_on"])
    due = on + relativedelta(months=interval_months)
    state = "stale" if record["fingerprint"] != current else "overdue" if today > due else "current"
    return Review(state, current, record["reviewed_by"], on, due, record.get("text") or {})


def write_record(reviews_dir, slug, texts, by, on):
    path = record_path(reviews_dir, slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"reviewed_by": by, "reviewed_on": on.isoformat(), "fingerprint": fingerprint(texts),
              "text": dict(sorted(texts.items()))}
    header = (f"# Medical review of '{slug}', written by `bin/invoke review --approve`. Do not edit by\n"
              "# hand: the site shows the review only while this fingerprint matches the page's text.\n")

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper, value):
        style = "|" if "\n" in value else '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    body = yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(path)
    return path
