"""Citations: every medical claim traceable to a source of the references registry (REFERENCES_FILE). A marker
after a claim, `[@glue2017]`, becomes a numbered link; the page lists its sources in the order first cited."""

from collections.abc import Mapping
from typing import Any
import functools
import re
from pathlib import Path

from markupsafe import Markup, escape
from pelican import signals

from keter_site.core import build, content
from keter_site.core.data import DataError
from keter_site.core.data import load as load_data
from keter_site.core.front_matter import is_true, line_of
from keter_site.core.problems import Problem
from keter_site.core.urls import web_address_problem

KEY = r"[a-z0-9][a-z0-9-]*"
MARKER = re.compile(r"\[@(" + KEY + r"(?:\s*;\s*@" + KEY + r")*)\]")
# A marker with the space (or line break) before it: the number is joined to the word it follows
# by a no-break space, so a line (of a list above all) never ends before its citation.
MARKER_AFTER_WORD = re.compile(r"[ \t]*\n?[ \t]*" + MARKER.pattern)
DOI_LINK = re.compile(r"""https?://(?:dx\.)?doi\.org/(10\.[^\s"'<>)\]]+)""", re.I)
REQUIRED = ("title", "publisher", "supports")  # labels and web pages name no authors
IDENTIFIERS = ("doi", "pmid", "url")
# Medical pages the physician reviews for what they say about people and services, not for
# research claims (the crisis lines, the team): a source is not required there.
UNSOURCED_ROLES = ("crisis", "reviewers")


def load(settings: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """({key: entry} of the references registry, its problems)."""
    path = Path(settings["REFERENCES_FILE"])
    try:
        data = load_data(path, strings_only=True) or {}
    except DataError as error:
        return {}, error.problems
    problems: list[Problem] = []

    def found(message: str, fix: str, line: int = 0) -> None:
        problems.append(Problem(str(path), message, fix, line))

    if not isinstance(data, dict):
        found("the references registry must be a list of entries, each under its key.",
              "Start each entry with its key at the beginning of a line, such as `glue2017:`.")
        return {}, problems
    registry = {}
    for key, entry in data.items():
        line = line_of(path, f"{key}:")
        if not re.fullmatch(KEY, str(key)):
            found(f"`{key}` cannot be a citation key.",
                  "Use lowercase letters, digits and hyphens, such as `glue2017`.", line)
            continue
        if not isinstance(entry, dict):
            found(f"the entry `{key}` must list its fields (authors, title, ...).",
                  "Indent each field under the key: `  title: \"...\"`.", line)
            continue
        for field in REQUIRED:
            if not entry.get(field):
                found(f"the entry `{key}` has no `{field}`.", f"Add `  {field}: \"...\"` under `{key}:`.", line)
        if not any(entry.get(field) for field in IDENTIFIERS):
            found(f"the entry `{key}` has no DOI, PMID or URL: readers could not find the source.",
                  "Add `  doi: \"10....\"` (or `pmid:` / `url:`), copied from the publisher's record.", line)
        problem = web_address_problem(f"the `url` of `{key}`", entry["url"]) if entry.get("url") else None
        if problem:
            found(problem, "Copy the page's address from the browser's address bar, starting with https://.", line)
        if entry.get("doi") and not str(entry["doi"]).startswith("10."):
            found(f"the DOI of `{key}` does not start with `10.`.", "Write the bare DOI, such as `10.1177/0269881117705089`.", line)
        registry[key] = {**entry, "key": key}
    return registry, problems


def links(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """[(label, address)] for one entry: DOI, PubMed, PubMed Central, web page."""
    found = []
    if entry.get("doi"):
        found.append((f"doi:{entry['doi']}", f"https://doi.org/{entry['doi']}"))
    if entry.get("pmid"):
        found.append((f"PMID {entry['pmid']}", f"https://pubmed.ncbi.nlm.nih.gov/{entry['pmid']}/"))
    if entry.get("pmcid"):
        found.append((entry["pmcid"], f"https://pmc.ncbi.nlm.nih.gov/articles/{entry['pmcid']}/"))
    # Only a web address becomes a link (the build refuses any other; the review document,
    # made from the registry alone, leaves it out).
    if entry.get("url") and web_address_problem("url", entry["url"]) is None:
        found.append((entry["url"], entry["url"]))
    return found


def _on_init(pelican: Any) -> None:
    registry, problems = load(pelican.settings)
    build.current().references = registry
    build.report_all(problems)


def _cite(document: Any, registry: Mapping[str, dict[str, Any]], keys: tuple[str, ...], known_dois: frozenset[str]) -> None:
    """Replace the document's markers with numbered links; set its `sources`. `keys`: the
    registry's keys in order; `known_dois`: its DOIs, in lower case."""
    # `sources: all` (the research page) lists the whole registry in its order, so its list cannot drift from it.
    cite_all = str(document.metadata.get("sources", "")).strip().lower() == "all"
    html, numbered, unknown, unknown_dois = _numbered(content.html_of(document), cite_all, keys, known_dois)
    content.set_html(document, html)
    for key in unknown:
        build.report(document.source_path, f"`[@{key}]` is not in the references registry.",
                     f"Use a key from content/data/references.yml ({', '.join(keys[:4])}, ...), "
                     "or add the source there first (with its DOI or PMID, checked against the publisher's record).",
                     line_of(document.source_path, f"@{key}"))
    for doi in unknown_dois:
        build.report(document.source_path, f"the link to doi.org/{doi} is not a source in the references registry.",
                     "Add the source to content/data/references.yml and cite it with its marker, such as "
                     "`[@glue2017]`.",
                     line_of(document.source_path, doi))
    document.sources = [{**registry[key], "number": number} for key, number in numbered]  # partials/sources.html
    # Ids the theme renders beyond the content, for the checks of #anchors.
    document.template_ids = {f"source-{number}" for _, number in numbered}


@functools.lru_cache(maxsize=8192)  # pure: the live preview numbers only the documents that changed
def _numbered(text: str, cite_all: bool, keys: tuple[str, ...], known_dois: frozenset[str]
              ) -> tuple[str, tuple[tuple[str, int], ...], tuple[str, ...], tuple[str, ...]]:
    """(text with each marker a numbered link, ((key, number), ...) in number order, unknown
    keys, doi.org links to DOIs not in the registry)."""
    numbered = {key: number for number, key in enumerate(keys, start=1)} if cite_all else {}
    known = set(keys)
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        numbers: list[int] = []
        for key in (part.strip().lstrip("@") for part in match.group(1).split(";")):
            if key not in known:
                unknown.append(key)
                continue
            numbers.append(numbered.setdefault(key, len(numbered) + 1))
        if not numbers:
            return match.group(0)
        # In ascending order whatever order the keys were typed in; no break inside the brackets.
        links_html = ",\u00a0".join(f'<a href="#source-{number}">{number}</a>' for number in sorted(set(numbers)))
        return f'\u00a0<sup class="cite">[{links_html}]</sup>'

    text_out = MARKER_AFTER_WORD.sub(replace, text)
    unknown_dois = [doi for doi in dict.fromkeys(DOI_LINK.findall(text)) if doi.rstrip(".,;").lower() not in known_dois]
    by_number = tuple(sorted(numbered.items(), key=lambda item: item[1]))
    return text_out, by_number, tuple(dict.fromkeys(unknown)), tuple(unknown_dois)


def after_reading(generators: list[Any]) -> None:
    """Number every document's markers and give it its sources; a medical page must cite."""
    registry = build.current().references
    keys = tuple(registry)
    known_dois = frozenset(str(e.get("doi", "")).lower() for e in registry.values())
    for document in content.documents(generators):
        _cite(document, registry, keys, known_dois)
        if (is_true(document.metadata.get("medical", "")) and not document.sources
                and getattr(document, "role", None) not in UNSOURCED_ROLES):
            # A medical page states medical facts: each must be traceable to a checked source.
            build.report(document.source_path, "this medical page cites no source.",
                         "Cite the source of each medical statement with its marker, such as `[@glue2017]` "
                         "(keys in content/data/references.yml); or, if the page states no medical fact, "
                         "remove `medical: true`.", line_of(document.source_path, "medical:"))


def format_entry(entry: Mapping[str, Any]) -> str:
    """One source as the Sources list writes it (HTML, links not included)."""
    parts: list[str] = [escape(entry["authors"])] if entry.get("authors") else []
    parts += [escape(entry["title"]) + ".", f"<i>{escape(entry['publisher'])}</i>."]
    tail = ";".join(str(escape(entry[f])) for f in ("year", "details") if entry.get(f))
    if tail:
        parts.append(tail + ".")
    return " ".join(str(p) for p in parts)


def _add_to_jinja(generator: Any) -> None:
    generator.env.filters["source_text"] = lambda entry: Markup(format_entry(entry))
    generator.env.filters["source_links"] = links


def register() -> None:
    """Read the registry when a build starts; give templates the Sources list's filters."""
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
