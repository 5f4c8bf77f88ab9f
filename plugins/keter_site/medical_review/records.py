"""Medical review records (REVIEWS_PATH/<page>.yml): the physician's signed statement about one page, written only by
`bin/invoke review`; nothing in a record counts unless its signature verifies (approvals.py)."""

import os
from collections.abc import Mapping
from datetime import date
from typing import Any, NotRequired, TypedDict, cast
from pathlib import Path

import yaml

from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.files import replace_whole

KINDS = ("approval", "release")
REQUIRED = ("kind", "page", "reviewer", "reviewed_on", "fingerprint")


class Record(TypedDict):
    """A record as read_record has checked it: the signed fields are text; the signature is
    checked only where it is verified, and `text` is never trusted."""
    kind: str           # approval or release
    page: str
    reviewer: str       # the principal in the allowed signers
    reviewed_on: str    # YYYY-MM-DD
    fingerprint: str
    signature: NotRequired[object]
    # {lang: covered text as signed}: only shown, so the physician's next reading shows what changed
    text: NotRequired[dict[str, str] | None]


def record_path(reviews_dir: str | Path, slug: str) -> Path:
    """Where the page's review record lives: one flat file per page, an article's `/` made `--`."""
    return Path(reviews_dir) / f"{slug.replace('/', '--')}.yml"


def recorded(reviews_dir: str | Path) -> set[str]:
    """The file names of the records there are (one listing of the folder, for record_path's `.name`)."""
    try:
        return set(os.listdir(reviews_dir))
    except FileNotFoundError:
        return set()


def read_record(reviews_dir: str | Path, slug: str) -> Record | None:
    """The record as a dict, None when there is none; raises DataError for a file that is not a
    record at all (its signature is checked elsewhere)."""
    path = record_path(reviews_dir, slug)
    if not path.exists():
        return None
    record = load_data(path, strings_only=False)
    fix = ("Delete the file: a record counts only when the physician signs it with `bin/invoke review "
           "--approve` (docs/editing.md, \"Medical review\").")
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) and record.get(k) for k in REQUIRED):
        raise DataError.one(path, "this review record is incomplete.", fix, 1)
    if record["kind"] not in KINDS:
        raise DataError.one(path, f"`kind: {record['kind']}` is neither approval nor release.", fix, 1)
    try:
        date.fromisoformat(record["reviewed_on"])
    except ValueError:
        raise DataError.one(path, f"`reviewed_on: {record['reviewed_on']}` is not a date.", fix, 1)
    text = record.get("text")
    if text is not None and not (isinstance(text, dict) and all(isinstance(v, str) for v in text.values())):
        raise DataError.one(path, "`text` must hold the reviewed text of each language.", fix, 1)
    return cast(Record, record)


def write_record(reviews_dir: str | Path, slug: str, record: Record) -> Path:
    """Write the record whole (through a new file that takes the old one's place)."""
    path = record_path(reviews_dir, slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Medical review of '{slug}', signed by the physician with `bin/invoke review`. Do not edit:\n"
              "# the site shows the review only while this signature, by a key in the allowed signers,\n"
              "# covers the page's current text.\n")

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    def _map(dumper: yaml.SafeDumper, value: Mapping[Any, Any]) -> yaml.MappingNode:
        # keys plain, values quoted: a value is always read back as text
        return yaml.MappingNode("tag:yaml.org,2002:map", [(yaml.ScalarNode("tag:yaml.org,2002:str", str(k)),
                                                           dumper.represent_data(v)) for k, v in value.items()])

    _Dumper.add_representer(str, _str)
    _Dumper.add_representer(dict, _map)
    body = yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    replace_whole(path, (header + body).encode("utf-8"))
    return path

