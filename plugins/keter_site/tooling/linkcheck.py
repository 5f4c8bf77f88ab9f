"""Check every link inside the built site: each internal href/src must lead to a file of the
output, and each #anchor to an element with that id. External addresses are not fetched."""

from html.parser import HTMLParser
from pathlib import Path

from keter_site.core.urls import site_path

LINK_ATTRIBUTES = {"href", "src", "action", "poster", "srcset"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in LINK_ATTRIBUTES and value:
                urls = [part.split()[0] for part in value.split(",")] if name == "srcset" else [value]
                self.links.extend((tag, url.strip()) for url in urls if url.strip())


def _parse(path):
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def _resolve(output, page, url, siteurl):
    """The file an internal URL serves, the fragment, or None for an external address."""
    target = site_path(url, page.relative_to(output).as_posix(), siteurl)
    if target is None:
        return None
    path, fragment = target
    resolved = output / path.lstrip("/")
    if path.endswith("/") or resolved.is_dir():
        resolved = resolved / "index.html"
    return resolved, fragment


def check(output, siteurl=""):
    """A sorted list of "page: problem" lines (empty when every link resolves)."""
    output = Path(output)
    pages = {p: _parse(p) for p in sorted(output.rglob("*.html"))}
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
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    problems.append(f"{shown}: <{tag}> links to {url}, but that page has no id \"{fragment}\"")
    return problems
