"""Compressed copies kept from one publish to the next.

pelican-precompress writes a .br and a .gz copy beside every text file, at brotli's and zlib's
highest levels: about two seconds of CPU for this site on every publish (a publish build took
3.45 s of CPU without kept copies, 1.33 s with them), though most files are byte for byte what
they were the last time. This plugin keeps each copy it made, named by
the digest of the file it was made from, in COMPRESSED_COPIES_CACHE (publishconf.py), and
before precompress runs gives every file whose exact bytes were compressed before its copies
back; precompress leaves a copy that is already there alone (PRECOMPRESS_OVERWRITE is off).

- A kept copy is used only after it has been decompressed and found equal to the file, so a
  damaged one is thrown away and made again, never published.
- The cache's folder is named by the precompress and brotli versions and the formats turned on
  (gzip or zopfli for .gz): an upgrade or a setting that compresses differently starts a new one.
- Copies not used for CACHE_DAYS are deleted; writes are atomic, so two builds at once (a
  publish and a check) can share the folder.

Signals: pelican-granular-signals' `compress`, which precompress receives too (this plugin is
listed before it, and receivers run in the order they connected), and `deploy`, sent after
`compress`.
"""

from typing import Any
import gzip
import hashlib
import importlib.metadata
import logging
import os
import time
from pathlib import Path

import blinker
import brotli
import pelican.plugins.granular_signals
from pelican.plugins import precompress

from keter_site.core.files import replace_whole

log = logging.getLogger(__name__)

CACHE_DAYS = 30
# Copy extension → what reads a copy back (it raises, whatever the error, on a damaged one).
_DECOMPRESS = {".br": brotli.decompress, ".gz": gzip.decompress}
# The formats precompress can make, and the copy each writes.
_FORMATS = {"PRECOMPRESS_BROTLI": ".br", "PRECOMPRESS_GZIP": ".gz", "PRECOMPRESS_ZOPFLI": ".gz"}
# This build's cache folder, and its files: path → (digest, extensions of the copies it gets).
_build: dict[str, Any] = {"folder": None, "files": {}}


def _folder(settings, options):
    versions = [importlib.metadata.version(name) for name in ("pelican-precompress", "brotli")]
    formats = [name.removeprefix("PRECOMPRESS_").lower() for name in _FORMATS if options[name]]
    return Path(settings["COMPRESSED_COPIES_CACHE"]) / "-".join(versions + formats)


def _extensions(options):
    """The copies precompress makes with these options (zopfli writes .gz too)."""
    if options["PRECOMPRESS_ZSTANDARD"] or options["PRECOMPRESS_OVERWRITE"]:
        return None  # a setting this cache does not cover: precompress does all the work
    return sorted({extension for name, extension in _FORMATS.items() if options[name]})


def _same(copy, data, extension):
    """Whether a kept copy (its bytes) reads back as exactly `data`."""
    try:
        return _DECOMPRESS[extension](copy) == data
    except Exception:  # noqa: BLE001 (truncated or not a copy at all: either way, damaged)
        return False


def _restore(instance):
    """Before precompress: each file's kept copies back beside it, where they are still right."""
    _build["files"] = files = {}
    if not instance.settings.get("COMPRESSED_COPIES_CACHE"):
        return
    options = precompress.get_settings(instance)
    extensions = _extensions(options)
    if not extensions:
        return
    _build["folder"] = folder = _folder(instance.settings, options)
    for path in precompress.get_paths_to_compress(options):
        data = path.read_bytes()
        if len(data) < options["PRECOMPRESS_MIN_SIZE"]:
            continue
        digest = hashlib.blake2b(data, digest_size=20).hexdigest()
        files[path] = (digest, extensions)
        for extension in extensions:
            kept = folder / (digest + extension)
            if not kept.is_file():
                continue
            copy = kept.read_bytes()
            if not _same(copy, data, extension):
                log.warning("Compressed copy %s is damaged: made again.", kept)
                kept.unlink(missing_ok=True)
                continue
            path.with_name(path.name + extension).write_bytes(copy)
            os.utime(kept)  # used: kept for another CACHE_DAYS


def _remember(instance):
    """After precompress: every copy not kept yet is added; copies unused for long, removed."""
    folder, files = _build["folder"], _build["files"]
    if not files:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path, (digest, extensions) in files.items():
        for extension in extensions:
            made, kept = path.with_name(path.name + extension), folder / (digest + extension)
            if made.is_file() and not kept.is_file():
                replace_whole(kept, made.read_bytes())
    _build["files"] = {}
    oldest = time.time() - CACHE_DAYS * 86400
    for kept in folder.iterdir():
        try:
            if kept.stat().st_mtime < oldest:
                kept.unlink()
        except FileNotFoundError:
            pass  # another build removed it first


def register() -> None:
    pelican.plugins.granular_signals.register()
    blinker.signal("compress").connect(_restore)
    blinker.signal("deploy").connect(_remember)
