"""Check every link inside the built site: each internal href/src must lead to a file of the
output, and each #anchor to an element with that id. External addresses are not fetched."""

from pathlib import Path

from keter_site.core import html
from keter_site.core.urls import site_path

LINK_ATTRIBUTES = {"href", "src", "action", "poster", "srcset"}


class _Page:
    """A page's links and ids, read by the one HTML5 parser (keter_site.core.html)."""

    def __init__(self, path: Path) -> None:
        tree = html.parse(path.read_text(encoding="utf-8"))
        elements = html.elements(tree)
        self.ids = {a["id"] for _, a in elements if a.get("id")}
        self.links = [(tag, url) for tag, a in elements for name, url in html.urls(tag, a)
                      if name in LINK_ATTRIBUTES and url]


def _resolve(output: Path, page: Path, url: str, siteurl: str) -> tuple[Path, str] | None:
    """The file an internal URL serves, the fragment, or None for an external address."""
    target = site_path(url, page.relative_to(output).as_posix(), siteurl)
    if target is None:
        return None
    path, fragment = target
    resolved = output / path.lstrip("/")
    if path.endswith("/") or resolved.is_dir():
        resolved = resolved / "index.html"
    return resolved, fragment


def check(output: str | Path, siteurl: str = "") -> list[str]:
    """A sorted list of "page: problem" lines (empty when every link resolves)."""
    output = Path(output)
    pages = {p: _Page(p) for p in sorted(output.rglob("*.html"))}
    problems = []
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            resolved = _resolve(output, page, url, siteurl)
            if resolved is None:
                continue
            target, fragment = resolved
            shown = page.relative_to(output).as_posix()
            if not target.is_file():
                problems.append(f"{shown}: <{tag}> links to {url}, which is not in the built site")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _Page(target).ids
                if fragment not in ids:
                    problems.append(f"{shown}: <{tag}> links to {url}, but that page has no id \"{fragment}\"")
    return problems
