"""Incremental writing, for the live preview only: after an edit, only the pages the edit can
change are rendered again; every other page is the previous build's file, linked into the new
build. Save-to-page then stays short however many pages the site has.

What an edit can change:
- A document's own page and its translations' pages (the language switcher, the translation
  notice and the review stamp of one page read the others): each group has a key made of its
  documents' text and details, and a group whose key is unchanged is not rendered again.
- A language's feed, when an article it lists changes.
- Every page, when any document's details change (a title, a menu label, an address: menus,
  links, the home page and index pages show them): the build renders everything.
- Templates, UI strings, styles and data files: the caller asks for a full build.

The build stays atomic (keter_tools.build): the new build is a fresh folder, and a page
kept from the previous build is a hard link to its file. A page that is rendered again is first
unlinked, so writing it never changes the previous build, which the preview may still be
serving. Files that other code writes in place (static files, the stylesheet, the sitemap) are
copied, not linked, for the same reason.

Publishing builds never use this: it is active only when the build passes a `State` in the
INCREMENTAL setting (keter_tools.build does, for `invoke livereload`).
"""

from typing import Any
import hashlib
import io
import os
import pickle
import shutil
import tempfile
import threading
from pathlib import Path

from pelican import signals
from pelican.contents import Content
from pelican.writers import Writer

from keter_site.core import content
from keter_site.incremental.documents import Documents
from keter_site.incremental.templates import CompiledTemplates

SETTING = "INCREMENTAL"
# A document's attributes that are not its own details: Pelican's settings and context (the
# same for every page), and objects compared through their own keys.
_NOT_DETAILS = {"settings", "_context", "translations", "metadata", "_content", "_summary", "content"}
# What only the document's own page shows (its review stamp, its Sources list and their ids): it
# changes with its text, and no other page shows it.
_OWN_ONLY = {"review", "sources", "template_ids"}


class State:
    """Kept by the live preview from one build to the next."""

    def __init__(self):
        self.keys = {}         # the last good build's files (relative path) -> their keys
        self._pending = {}
        self._full = True
        self._base = None      # the last good build's folder
        self._standby = None   # (thread, folder): a copy of it for the next build, made in advance
        self._carried = set()  # the files of that copy
        self.rendered = []     # the files the latest build rendered (the others were kept)
        self.documents = Documents()  # the documents of unchanged files, not read again
        self.templates = CompiledTemplates()  # Jinja's compiled templates

    def begin(self, fresh, full=False):
        """Start a build into the empty folder `fresh`: unless `full`, it starts as a copy of
        the last good build (made in the background after that build; waited for if need be)."""
        self._pending = {}
        self.rendered = []
        self._full = full or self._base is None
        if self._full:
            self.documents.clear()
            self.templates.clear()
        self.documents.start_build()
        standby, self._standby = self._standby, None
        if standby:
            standby[0].join()
        if self._full:
            if standby:
                shutil.rmtree(standby[1], ignore_errors=True)
            return
        if standby and standby[1].is_dir():
            os.rmdir(fresh)
            os.rename(standby[1], fresh)
        else:
            self._copy(Path(self._base), Path(fresh))

    def finish(self, ok, fresh):
        """After the build, before `fresh` takes the place of the last good one: a page that
        build had and this one did not write (a page made a draft, say) is removed, and a good
        build becomes the base of the next one. A failed build left the last good one as it
        was, and the next build starts from it again."""
        if ok and not self._full:
            for relative in set(self.keys) - set(self._pending):
                Path(fresh, relative).unlink(missing_ok=True)
        if ok:
            self.keys = self._pending
        self._pending = {}

    def page_count(self):
        """How many pages the last good build has (rendered or kept)."""
        return sum(relative.endswith(".html") for relative in self.keys)

    def ready_next(self, output):
        """`output` is the last good build now: copy it for the next build, in the background
        while the editor reads the page."""
        self._base = str(output)
        # Named by this process, so a later build removes it if the preview is killed before close().
        standby = Path(tempfile.mkdtemp(prefix=f".{Path(output).name}.next-{os.getpid()}-", dir=Path(output).parent))
        thread = threading.Thread(target=self._copy, args=(Path(output), standby), daemon=True)
        thread.start()
        self._standby = (thread, standby)

    def _copy(self, source, target):
        # Links for the pages this plugin wrote (it never writes through one), copies for the
        # files other code writes in place. What was carried over is noted: a page is kept
        # only if its file is in the new build's folder.
        self._carried = carried = set()
        for folder, _, files in os.walk(source):
            target_folder = target / Path(folder).relative_to(source)
            target_folder.mkdir(parents=True, exist_ok=True)
            for name in files:
                relative = (Path(folder) / name).relative_to(source).as_posix()
                if relative in self.keys:
                    os.link(Path(folder) / name, target_folder / name)
                else:
                    shutil.copy2(Path(folder) / name, target_folder / name)
                carried.add(relative)

    def close(self):
        """Remove the copy made in advance (the preview is stopping)."""
        standby, self._standby = self._standby, None
        if standby:
            standby[0].join()
            shutil.rmtree(standby[1], ignore_errors=True)


def _hash(parts):
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


# Values pickled as they are (with their subclasses); any other object (a date, say) is
# written as its repr(), which shows all of it.
_PLAIN = (str, bytes, int, float, list, tuple, dict, set, frozenset, type)


class _DetailsPickler(pickle.Pickler):
    """Writes a document's details as bytes that are the same from one build to the next (in
    this process, where the keys are compared) for the same values: pickle's C code does the
    walk, far faster than a walk in Python over a thousand documents on every save. (Pickle
    asks this method only about objects other than plain strings, numbers and containers.)"""

    def reducer_override(self, value):
        if isinstance(value, Content):
            # Another document (a translation, the next article) stands for its file: pickling
            # it would take the whole site's context with it.
            return str, (f"{type(value).__name__} {value.source_path}",)
        if isinstance(value, _PLAIN):
            return NotImplemented
        return str, (repr(value),)


def _pickled(value):
    buffer = io.BytesIO()
    pickler = _DetailsPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal values give equal bytes whether or not they are one object
    pickler.dump(value)
    return buffer.getvalue()


def _details(document):
    """(what other pages may show of a document: everything about it but its text and what
    only its own page shows; what only its own page shows)."""
    meta = document.metadata
    # Pelican copies each front-matter value to an attribute: those are in `meta` already.
    extra = {name: value for name, value in vars(document).items()
             if name not in _NOT_DETAILS and meta.get(name, _NOT_DETAILS) is not value}
    own_only = {name: extra.pop(name) for name in _OWN_ONLY if name in extra}
    return (type(document).__name__, document.source_path, document.save_as, document.url, meta, extra), own_only


class _Keys:
    """The keys of one build: one for the site's shared details (every document's, pickled at
    once), and one per document group (the shared key, and the group's own details and text)."""

    def __init__(self, generators):
        documents = content.documents(generators)
        details = [_details(d) for d in documents]
        self.shared = _hash([_pickled(sorted((shared for shared, _ in details), key=lambda s: (s[0], s[1])))])
        own = {id(d): _own_key(d, own_only) for d, (_, own_only) in zip(documents, details)}
        self.by_document = {}
        for document in documents:
            group = [document, *getattr(document, "translations", [])]
            self.by_document[id(document)] = _hash(
                [self.shared, *sorted(own.get(id(d)) or _own_key(d, _details(d)[1]) for d in group)])


def _own_key(document, own_only):
    """What only the document's own page shows of it: its text, and `own_only` (_details)."""
    return _hash([_pickled(own_only) if own_only else b"", document.content])


_generators: list[Any] = []


def after_reading(generators):
    _generators[:] = generators


class IncrementalWriter(Writer):
    """Pelican's writer, skipping any file whose key is the one it was last written with."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self._state = settings[SETTING]
        self._keys = _Keys(_generators)

    def write_file(self, name, template, context, *args, **kwargs):
        if not name:
            return super().write_file(name, template, context, *args, **kwargs)
        document = kwargs.get("page") or kwargs.get("article")
        key = self._keys.by_document.get(id(document)) if document is not None else self._keys.shared
        if self._unchanged(name, key):
            return None
        return super().write_file(name, template, context, *args, **kwargs)

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        if not path:
            return super().write_feed(elements, context, path, *args, **kwargs)
        # A feed shows the details other pages show and the text of its newest entries: an
        # article's edit changes its own language's feed, when the feed lists it.
        shown = elements[:self.settings["FEED_MAX_ITEMS"]]
        key = _hash([self._keys.shared, repr((args, sorted(kwargs.items()))),
                     *(_hash([element.source_path, element.content]) for element in shown)])
        if self._unchanged(path, key):
            return None
        return super().write_feed(elements, context, path, *args, **kwargs)

    def _unchanged(self, name, key):
        """Whether the file `name` was last written with `key` and is in this build's folder
        (linked from the last one); either way, it is this build's file, with `key`."""
        relative = name.replace(os.sep, "/")
        state = self._state
        state._pending[relative] = key
        if not state._full and state.keys.get(relative) == key and relative in state._carried:
            return True
        state.rendered.append(relative)
        return False

    def _open_w(self, filename, encoding, override=False):
        # The file may be a link to the previous build's: replace it, never write through it.
        if os.path.lexists(filename):
            os.unlink(filename)
        return super()._open_w(filename, encoding, override)


def _writer(pelican):
    if isinstance(pelican.settings.get(SETTING), State):
        return IncrementalWriter
    return None


def register() -> None:
    signals.get_writer.connect(_writer)
