"""Documents kept from one build to the next, for the live preview only: a Markdown file that
has not changed since the last build is not read again. Its document is a copy of the one made
when it was read, before any plugin changed it, so the build goes on exactly as if Pelican had
just read it (every plugin then does its work on the copy, as it does on a fresh document).

Pelican reads and makes every document again on every build, which at 250 articles per
language took most of the time from save to page. Its own way to keep documents (the
"generator" content-caching layer) pickles each document to disk with the whole shared context,
and keeps it after plugins have changed it. Here the generators are Pelican's own, through the
two methods Pelican's generators use for that cache: `get_cached_data` and `cache_data`. The
walk over the content folders and each kept document's links to static files are kept too.

A document is made again when its file's stamp (time, size, inode) differs from the one taken
just before it was read; when reading it reported a problem (the next build must report it
again); and on every full build, which the preview runs for a change to templates, UI strings,
data files or settings. A file changed less than RACY_SECONDS before its stamp was taken could
change again with the same stamp on a file system with coarse times: its text's digest, taken
with the stamp, is compared too, until the file is older than that.
"""

import copy
import datetime
import functools
import hashlib
import os
import time
from pathlib import Path

from pelican import Pelican
from pelican.generators import ArticlesGenerator, PagesGenerator

from keter_site.core.problems import collector

# Two seconds: the coarsest file-time step in use (FAT); ext4 and the like step by milliseconds.
RACY_SECONDS = 2


class Documents:
    """The kept documents: (generator kind, file) -> _Kept."""

    def __init__(self):
        self._kept = {}
        self._walks = {}    # (generator kind, its arguments) -> (folders' stamps, files found)
        self._reading = {}  # (generator kind, file) -> (stamp, digest, problems so far), while read
        self._copies = {}   # id(a copy handed out in this build) -> its _Kept
        self.reused = 0     # documents copied rather than read in the latest build
        self.read = 0       # documents read in the latest build

    def clear(self):
        self._kept = {}
        self._walks = {}
        self.start_build()

    def start_build(self):
        self._reading = {}
        self._copies = {}
        self.reused = self.read = 0

    def take(self, generator, filename, settings, context):
        """A copy of the document of `filename` for this build, or None: it must be read."""
        key = (type(generator).__name__, filename)
        path = os.path.join(generator.path, filename)
        stamp = _stamp(path)
        kept = self._kept.get(key)
        if kept is not None and kept.stamp == stamp and kept.settled(path):
            self.reused += 1
            document = _copy(kept.document, settings, context)
            self._copies[id(document)] = kept
            return document
        self._kept.pop(key, None)
        racy = _racy(stamp)
        digest = _digest(path) if racy else None
        if racy and digest is None:
            stamp = None  # unreadable just now: not kept (Pelican says why, if it stays so)
        self._reading[key] = (stamp, digest, len(collector().problems))
        self.read += 1
        return None

    def keep(self, generator, filename, document):
        """Keep the document just read from `filename` (before any plugin changes it)."""
        key = (type(generator).__name__, filename)
        stamp, digest, problems = self._reading.pop(key, (None, None, None))
        if stamp is None or len(collector().problems) != problems:
            return  # its problems are reported again when it is read again
        self._kept[key] = _Kept(stamp, digest, _copy(document, _SETTINGS, _CONTEXT,
                                                     document.settings, document._context))

    def static_links(self, document):
        """The files `document` links to with {static} or {attach} (Pelican finds them in its
        HTML as read): a kept document's are those its file had when it was read."""
        kept = self._copies.get(id(document))
        if kept is None:
            return document.get_static_links()
        if kept.links is None:
            kept.links = frozenset(document.get_static_links())
        return kept.links

    def files(self, generator, paths, exclude, extensions, walk):
        """What `walk()` (Pelican's list of the generator's files under `paths`, but `exclude`,
        with `extensions`) found the last time, while no folder under them changed (a file
        added, removed or renamed changes its folder's time). Pelican walks the content for each
        generator, and our checks walk it again, on every save."""
        key = (type(generator).__name__, repr((paths, exclude, extensions)))
        known = self._walks.get(key)
        if known is not None and all(_stamp(folder) == stamp and not _racy(stamp) for folder, stamp in known[0]):
            return set(known[1])
        # The folders' stamps are taken before the walk: a change during it shows next time.
        folders = [(folder, _stamp(folder)) for folder in _folders(generator.path, paths)]
        found = walk()
        self._walks[key] = (folders, frozenset(found))
        return found


def _folders(base, paths):
    for path in [paths] if isinstance(paths, str) else paths:
        root = os.path.join(base, path) if path else base
        yield root
        for folder, _, _ in os.walk(root, followlinks=True):
            if folder != root:
                yield folder


class _Kept:
    __slots__ = ("stamp", "digest", "document", "links")

    def __init__(self, stamp, digest, document):
        self.stamp, self.digest, self.document = stamp, digest, document
        self.links = None

    def settled(self, path):
        """Whether the file still has the text it was read with (its stamp is the same)."""
        if self.digest is None:
            return True
        if self.digest != _digest(path):
            return False
        if not _racy(self.stamp):
            self.digest = None  # any later change gets a later time, so a different stamp
        return True


def _stamp(path):
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns


def _racy(stamp):
    return stamp is not None and time.time_ns() - max(stamp[0], stamp[3]) < RACY_SECONDS * 1_000_000_000


def _digest(path):
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).digest()
    except OSError:
        return None


# Values a copy may share with the kept document: nothing can change them in place.
_IMMUTABLE = (str, int, float, bool, type(None), bytes, datetime.date, datetime.tzinfo)
# Stand-ins for a build's settings and shared context in a kept document (which would otherwise
# keep every document of that build alive); each copy gets its own build's.
_SETTINGS, _CONTEXT = object(), object()


def _copy(document, settings, context, settings_now=_SETTINGS, context_now=_CONTEXT):
    """A copy of `document` that shares nothing a plugin may change with it (a plugin may change
    any detail of a document, in place): what is not immutable is copied, at any depth. It
    reads `settings` and `context` where `document` read `settings_now` and `context_now`."""
    memo = {id(settings_now): settings, id(context_now): context}
    twin = object.__new__(type(document))
    memo[id(document)] = twin
    twin.__dict__.update(_copied(vars(document), memo))
    return twin


def _copied(value, memo):
    # copy.deepcopy, with a short way for what documents hold most: text, dates, dicts, lists.
    if isinstance(value, _IMMUTABLE):
        return value
    known = memo.get(id(value))
    if known is not None:
        return known
    kind = type(value)
    if kind is dict:
        new = memo[id(value)] = {}
        for key, item in value.items():
            new[key] = _copied(item, memo)
        return new
    if kind is list:
        new = memo[id(value)] = []
        new.extend(_copied(item, memo) for item in value)
        return new
    return copy.deepcopy(value, memo)


class _KeepsDocuments:
    """Pelican's own generator, with the documents of the last build kept (see above)."""

    def get_cached_data(self, filename, default=None):
        document = _documents(self).take(self, filename, self.settings, self.context)
        return default if document is None else document

    def cache_data(self, filename, data):
        _documents(self).keep(self, filename, data)

    def get_files(self, paths, exclude=None, extensions=None):
        walk = functools.partial(super().get_files, paths, exclude, extensions)
        return _documents(self).files(self, paths, exclude, extensions, walk)

    # Pelican's own two methods, with what a kept document already knows: its path relative to
    # the content (Pelican sets `relative_source_path` as it makes a document, with the method
    # its add_source_path calls) and its links to static files.
    def add_source_path(self, content, static=False):
        if static:
            return super().add_source_path(content, static)
        self.context["generated_content"][content.relative_source_path] = content
        return None

    def add_static_links(self, content):
        self.context["static_links"] |= _documents(self).static_links(content)


def _documents(generator):
    from keter_site.incremental import SETTING

    return generator.settings[SETTING].documents


class KeptArticlesGenerator(_KeepsDocuments, ArticlesGenerator):
    pass


class KeptPagesGenerator(_KeepsDocuments, PagesGenerator):
    pass


_KEPT = {ArticlesGenerator: KeptArticlesGenerator, PagesGenerator: KeptPagesGenerator}


class PreviewPelican(Pelican):
    """Pelican with the two generators above in place of its own (the live preview's builds)."""

    def _get_generator_classes(self):
        return [_KEPT.get(generator, generator) for generator in super()._get_generator_classes()]
