"""Incremental writing, for the live preview only: after an edit, only the pages the edit can change are rendered
again, through Pelican's public writer, so save-to-page stays short however many pages the site has."""

from collections.abc import Iterable, Mapping, Sequence
from types import NotImplementedType
from typing import Any
import io
import os
import pickle

from pelican import signals
from pelican.contents import Content
from pelican.writers import Writer

from keter_site.core import build, content, fingerprints
from keter_site.incremental.templates import CompiledTemplates

# A document's attributes that are not its own details: Pelican's settings (the same for every
# page), and objects compared through their own keys. Pelican's own (private) attributes are
# left out too: what a template reads of them it reads through public ones (`status` below).
_NOT_DETAILS = {"settings", "translations", "metadata", "content"}
# What only the document's own page shows (its review stamp, its Sources list and their ids): it
# changes with its text, and no other page shows it.
_OWN_ONLY = {"review", "sources", "template_ids"}


class State:
    """Kept by the live preview from one build to the next."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # the last good build's pages and feeds (relative path) -> their keys
        self.files: set[str] = set()    # every file of the last good build
        self.rendered: list[str] = []   # the files the latest build rendered
        self.kept: list[str] = []       # the files it kept from the last good build
        self.full = True                # whether the latest build renders every page
        self.templates = CompiledTemplates()  # Jinja's compiled templates
        self._pending: dict[str, str] = {}

    def begin(self, full: bool = False) -> None:
        """Start a build; `full` renders every page (and compiles every template) again."""
        # The caller asks for `full` after a change to templates, UI strings, styles or data files.
        self._pending, self.rendered, self.kept = {}, [], []
        self.full = full or not self.keys
        if self.full:
            # Forgotten now: should this build fail, the next one renders every page too.
            self.keys = {}
            self.templates.clear()

    def keep(self, name: str, key: str) -> bool:
        """Whether the file `name` of this build is the last good build's (written with `key`);
        either way, it is this build's file, with `key`."""
        relative = name.replace(os.sep, "/")
        self._pending[relative] = key
        if not self.full and self.keys.get(relative) == key:
            self.kept.append(relative)
            return True
        self.rendered.append(relative)
        return False

    def settle(self, files: set[str]) -> None:
        """The build is the last good one now, with `files` (a failed build never calls this: the
        next one starts again from the last good one)."""
        self.keys, self.files = self._pending, files

    def page_count(self) -> int:
        """How many pages the latest build has (rendered or kept)."""
        return sum(relative.endswith(".html") for relative in self._pending)


def _hash(parts: Iterable[str | bytes]) -> str:
    return fingerprints.of_bytes(b"\0".join(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
                                            for part in parts))


# Values pickled as they are (with their subclasses); any other object (a date, say) is
# written as its repr(), which shows all of it.
_PLAIN = (str, bytes, int, float, list, tuple, dict, set, frozenset, type)


class _DetailsPickler(pickle.Pickler):
    """Writes a document's details as bytes that are the same from one build to the next (in this process, where
    the keys are compared) for the same values."""
    # Pickle's C code does the walk, far faster than one in Python over every document on every save; it asks
    # reducer_override only about objects other than plain strings, numbers and containers.

    def reducer_override(self, value: object) -> tuple[type[str], tuple[str]] | NotImplementedType:
        if isinstance(value, Content):
            # Another document (a translation, the next article) stands for its file: pickling
            # it would take the whole site's context with it.
            return str, (f"{type(value).__name__} {value.source_path}",)
        if isinstance(value, _PLAIN):
            return NotImplemented
        return str, (repr(value),)


def _pickled(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = _DetailsPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal values give equal bytes whether or not they are one object
    pickler.dump(value)
    return buffer.getvalue()


# What other pages may show of a document: its kind, file, address, front matter and other details.
_Shared = tuple[str, str, str, str, dict[str, Any], dict[str, Any]]


def _details(document: Content) -> tuple[_Shared, dict[str, Any]]:
    """(what other pages may show of a document: everything about it but its text and what
    only its own page shows; what only its own page shows)."""
    meta = document.metadata
    # Pelican copies each front-matter value to an attribute: those are in `meta` already.
    extra = {name: value for name, value in vars(document).items()
             if not name.startswith("_") and name not in _NOT_DETAILS and meta.get(name, _NOT_DETAILS) is not value}
    extra["status"] = document.status
    own_only = {name: extra.pop(name) for name in _OWN_ONLY if name in extra}
    return (type(document).__name__, document.source_path, document.save_as, document.url, meta, extra), own_only


# A group is a document's page and its translations' (the switcher, the translation notice and the review stamp of
# one read the others). Every page's key holds every document's details (titles, menu labels, addresses: menus,
# links and the index pages show them), so a change to any details renders every page again.
class _Keys:
    """The keys of one build: one for the site's shared details (every document's, pickled at
    once), and one per document group (the shared key, and the group's own details and text)."""

    def __init__(self, generators: Iterable[Any]) -> None:
        documents = content.documents(generators)
        details = [_details(d) for d in documents]
        self.shared = _hash([_pickled(sorted((shared for shared, _ in details), key=lambda s: (s[0], s[1])))])
        own = {id(d): _own_key(d, own_only) for d, (_, own_only) in zip(documents, details)}
        self.by_document: dict[int, str] = {}  # id(document) -> its group's key
        for document in documents:
            group = [document, *getattr(document, "translations", [])]
            self.by_document[id(document)] = _hash(
                [self.shared, *sorted(own.get(id(d)) or _own_key(d, _details(d)[1]) for d in group)])

    def of(self, document: Content) -> str:
        """The key of `document`'s page. One the content walk did not list still gets a key of its
        own details and text: with none, its page would be kept from the first build forever."""
        key = self.by_document.get(id(document))
        if key is None:
            shared, own_only = _details(document)
            key = _hash([self.shared, _pickled(shared), _own_key(document, own_only)])
        return key


def _own_key(document: Content, own_only: Mapping[str, Any]) -> str:
    """What only the document's own page shows of it: its text, and `own_only` (_details)."""
    return _hash([_pickled(own_only) if own_only else b"", document.content])


class IncrementalWriter(Writer):
    """Pelican's writer, with only its public `write_file` and `write_feed` overridden, skipping any file whose key
    is the one it was last written with."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        context = build.current()
        self._state: State = context.preview
        self._keys = _Keys(context.generators)

    def write_file(self, name: str, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        """Pelican's, unless the file's key is the one it was last written with: that file is kept."""
        # Each call writes the one file `name`: the site paginates nothing (DEFAULT_PAGINATION).
        document = kwargs.get("page") or kwargs.get("article")
        key = self._keys.of(document) if document is not None else self._keys.shared
        if name and self._state.keep(name, key):
            return None
        return super().write_file(name, template, context, *args, **kwargs)

    def write_feed(self, elements: Sequence[Any], context: dict[str, Any], path: str | None = None,
                   *args: Any, **kwargs: Any) -> Any:
        """Pelican's (its feed object), unless the feed's key is the one it was last written with."""
        # A feed shows the details other pages show and the text of its newest entries: an
        # article's edit changes its own language's feed, when the feed lists it.
        shown = elements[:self.settings["FEED_MAX_ITEMS"]]
        key = _hash([self._keys.shared, repr((args, sorted(kwargs.items()))),
                     *(_hash([element.source_path, element.content]) for element in shown)])
        if path and self._state.keep(path, key):
            return None
        return super().write_feed(elements, context, path, *args, **kwargs)


def _writer(pelican: Any) -> type[IncrementalWriter] | None:
    if isinstance(build.current().preview, State):
        return IncrementalWriter
    return None


def register() -> None:
    """Pelican asks each plugin for a writer: this one, only for a build that passes a `State`."""
    signals.get_writer.connect(_writer)
