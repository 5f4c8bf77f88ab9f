"""What the physician's approval covers: everything medical a reader sees of one page, in every language, as text
(the review document shows it; the fingerprint is its digest); the site-wide header and footer are not part of it."""

from collections.abc import Mapping
from typing import Any
import json
import re
from pathlib import Path

from keter_site.citations import MARKER
from keter_site.clinic_facts import TOKEN, value_of
from keter_site.components import COMPONENTS
from keter_site.components.syntax import OPENER
from keter_site.core import front_matter
from keter_site.core.data import DataError
from keter_site.core.fingerprints import of_bytes, of_text
from keter_site.core.data import load as load_data
from keter_site.core.project import ROOT

FIELDS = ("title", "description", "summary", "medical")
STRING_KEY = re.compile(r"""['"]([a-z_]+(?:\.[a-z_]+)+)['"]""")


def _data(path: str | Path) -> Any:
    """A data file's values ({} when it cannot be read: the step that owns the file reports it,
    and the fingerprint just changes)."""
    try:
        return load_data(path, strings_only=True, shared=True) or {}  # only read here
    except DataError:
        return {}


def _cited(text: str) -> list[str]:
    return list(dict.fromkeys(k.strip().lstrip("@") for m in MARKER.finditer(text) for k in m.group(1).split(";")))


def _components_dir(settings: Mapping[str, Any]) -> Path:
    return Path(settings.get("THEME") or ROOT / "theme") / "components"


def _component_lines(settings: Mapping[str, Any], name: str, lang: str) -> list[str]:
    component = COMPONENTS.get(name)
    if component is None:
        return [f"{name}: (not a box)"]
    folder = _components_dir(settings) / component.folder
    templates = sorted(folder.glob("*.html")) if folder.is_dir() else []
    digest = of_bytes(b"".join(p.read_bytes() for p in templates), 16)
    strings = _data(Path(settings["UI_STRINGS_DIR"]) / f"{lang}.yml")
    keys = dict.fromkeys(k for p in templates for k in STRING_KEY.findall(p.read_text(encoding="utf-8")) if k in strings)
    return [f"{name}: template {digest}"] + [f"  {key}: {strings[key]}" for key in keys]


# Besides the page's own fields and body: the clinic facts its own text uses, the full registry entry of each source
# it cites, and each box's template digest and the UI strings that template shows.
def texts(settings: Mapping[str, Any], files: Mapping[str, Path]) -> dict[str, str]:
    """{lang: the covered text} for one page whose files are {lang: path}."""
    facts = _data(settings["CLINIC_DATA_FILE"])
    registry = _data(settings["REFERENCES_FILE"])
    found = {}
    for lang, path in files.items():
        meta, body, _ = front_matter.split(front_matter.read_text(path))
        own = "\n".join([*(meta.get(k, "") for k in FIELDS[:3]), body])
        lines = [*(f"{k}: {meta.get(k, '')}" for k in FIELDS), "", body.strip(), ""]
        used = list(dict.fromkeys(TOKEN.findall(own)))
        if used:
            lines.append("== clinic facts ==")
            lines += [f"{key}: {value_of(facts, key, lang) if key in facts else '(not a clinic fact)'}" for key in used]
        cited = _cited(own)
        if cited:
            lines.append("== sources ==")
            lines += [f"{key}: {json.dumps(registry.get(key), ensure_ascii=False, sort_keys=True)}" for key in cited]
        boxes = list(dict.fromkeys(m.group(1) for line in body.splitlines() if (m := OPENER.match(line))))
        if boxes:
            lines.append("== boxes ==")
            for name in boxes:
                lines += _component_lines(settings, name, lang)
        found[lang] = "\n".join(lines) + "\n"
    return found


def fingerprint(texts_by_lang: Mapping[str, str]) -> str:
    """One digest of every language's covered text, independent of file order."""
    return of_text((f"{lang}\n{texts_by_lang[lang]}" for lang in sorted(texts_by_lang)), "\n\x00\n")


def is_medical(files: Mapping[str, Path]) -> bool:
    """Whether any language's file is marked `medical: true`."""
    return any(front_matter.is_true(front_matter.read(path).get("medical", "")) for path in files.values())
