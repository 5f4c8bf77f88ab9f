"""Build the site atomically: Pelican writes into a fresh folder beside the output, and only a build that passed every
check replaces it, so a preview keeps showing the last good site and a deploy never sees half a site.
"""

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any
import glob
import logging
import os
import shutil
import subprocess
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from pelican import Pelican
from pelican.contents import Content
from pelican.log import init as init_logging
from pelican.settings import read_settings

from keter_site.core import build as build_context
from keter_site.core.files import owner_gone
from keter_site.core.project import ROOT
from keter_site.incremental import State


@dataclass
class BuildResult:
    """What a build did: the preview's banner, the editor and the commands report it."""

    ok: bool
    output: Path
    seconds: float
    pages: int = 0
    message: str = ""


def load_settings(settings_file: str | Path = "pelicanconf.py", overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Pelican's settings; a relative `settings_file` is the project's, whatever the working folder."""
    return read_settings(str(ROOT / settings_file), override=dict(overrides or {}))


def _files(folder: Path) -> set[str]:
    """Every file under `folder`, by its path relative to it."""
    return {os.path.relpath(os.path.join(parent, name), folder).replace(os.sep, "/")
            for parent, _, names in os.walk(folder) for name in names}


def _swap_into_place(fresh: Path, output: Path) -> None:
    """Put `fresh` where `output` is (two renames: a page asked for between them is missing),
    then have the replaced site removed."""
    if not output.exists():
        os.rename(fresh, output)
        return
    # Named by this process, as the build folder is: if its removal is stopped, the next build
    # removes what is left.
    aside = _owned_folder(output, "old-")
    os.rename(output, aside / "site")
    os.rename(fresh, output)
    _remove_in_background(aside)


def _remove_in_background(folder: Path) -> None:
    """Remove `folder` in a process of its own, which finishes even after this one ends: the build is done once the new
    site is in place, and deleting a site's thousands of files can take as long as writing them."""
    _removals[:] = [process for process in _removals if process.poll() is None]  # reap the finished
    _removals.append(subprocess.Popen(["rm", "-rf", "--", str(folder)], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))


_removals: list[subprocess.Popen[bytes]] = []  # the removals still running, of this process's builds


def _update_in_place(fresh: Path, output: Path, written: set[str], gone: set[str]) -> None:
    """The live preview's builds after its first: each file written takes the served one's place in one step (a rename),
    so a page asked for meanwhile is old or new, never missing or half-written; files no longer built are removed."""
    # After an edit of content a build writes a few files: swapping the whole site would make and delete every page's
    # folder on every save.
    for relative in sorted(written):
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        os.replace(fresh / relative, output / relative)
    for relative in gone:
        (output / relative).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # its folder, when nothing else is left in it
            os.removedirs((output / relative).parent)
    shutil.rmtree(fresh)


def _owned_prefix(output: Path) -> str:
    """How the folders a build makes beside `output` begin; the process id that made each follows."""
    return f".{output.name}.building-"


def _owned_folder(output: Path, kind: str = "") -> Path:
    """A new folder beside `output`, named by this process: should the process end without removing
    it (killed, or crashed in native code), the next build does."""
    return Path(tempfile.mkdtemp(prefix=f"{_owned_prefix(output)}{os.getpid()}-{kind}", dir=output.parent))


def _remove_abandoned(output: Path) -> None:
    """Remove the folders beside `output` that a build made and whose process has ended without
    removing them (killed, or crashed in native code)."""
    prefix = _owned_prefix(output)
    for folder in output.parent.glob(f"{glob.escape(prefix)}*"):
        if owner_gone(folder.name, prefix):
            shutil.rmtree(folder, ignore_errors=True)


def _discard(fresh: Path, output: Path) -> None:
    """Remove a failed build's folder, renamed first: a page still being finished in the background (the minify plugin's
    worker) then finds its path gone, and cannot write into the folder while it is being deleted."""
    if not fresh.exists():
        return
    gone = _owned_folder(output, "failed-")
    os.rename(fresh, gone / "site")
    shutil.rmtree(gone, ignore_errors=True)


def _forget_documents() -> None:
    """Empty Pelican's per-document memo (pelican.utils.memoized on Content), which keeps every build's documents alive
    for the life of the process: the live preview's one process would grow by a whole site on every save."""
    # A memoized method shows its `cache`, which Pelican's own tests clear the same way; no build needs the last one's.
    for method in (Content.get_content, Content.get_summary):
        method.cache.clear()


def build(settings_file: str | Path = "pelicanconf.py", output: str | Path | None = None,
          overrides: Mapping[str, Any] | None = None, use_cache: bool = True, incremental: State | None = None,
          full: bool = False) -> BuildResult:
    """Build the site; on success it is at `output` (default: OUTPUT_PATH). `incremental`, the live preview's State kept
    from one build to the next, renders only the pages a change affects; `full` asks it to render every page."""
    started = time.perf_counter()
    settings = load_settings(settings_file, overrides)
    output = Path(output or settings["OUTPUT_PATH"]).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(output)
    fresh = _owned_folder(output)
    settings["OUTPUT_PATH"] = str(fresh)
    settings["LOAD_CONTENT_CACHE"] = bool(use_cache and settings.get("LOAD_CONTENT_CACHE"))
    if incremental is not None:
        # Pelican's content cache keeps each unchanged file's conversion (read again on a full
        # build); the templates' compiled code stays in memory (keter_site.incremental.templates).
        settings["CACHE_CONTENT"] = True
        settings["LOAD_CONTENT_CACHE"] = use_cache and not full
        settings["JINJA_ENVIRONMENT"] = {**settings["JINJA_ENVIRONMENT"], "bytecode_cache": incremental.templates}
        incremental.begin(full=full or not output.is_dir())  # a served folder gone: every page again
    try:
        try:
            with (build_context.preview_builds(incremental) if incremental else contextlib.nullcontext()):
                Pelican(settings).run()
        finally:
            _forget_documents()
        written = _files(fresh)
        pages = sum(name.endswith(".html") for name in written) if incremental is None else incremental.page_count()
    except (KeyboardInterrupt, SystemExit):  # Ctrl+C, or stopped with `kill`: no folder left behind
        _discard(fresh, output)
        raise
    except Exception as error:
        _discard(fresh, output)
        # Our checks raise errors whose message is the editor's report (file, problem, fix) and
        # mark them with `exitcode`; anything else is a fault in the site's code, shown in full.
        message = str(error) if hasattr(error, "exitcode") else (
            f"The build crashed ({type(error).__name__}: {error}). This is a fault in the site's "
            "code, not in the content: report it to the developers with this message.\n"
            + traceback.format_exc())
        return BuildResult(False, output, time.perf_counter() - started, message=message)
    if incremental is not None and incremental.files and output.is_dir():
        _update_in_place(fresh, output, written, incremental.files - written - set(incremental.kept))
    else:
        _swap_into_place(fresh, output)
    if incremental is not None:
        incremental.settle(written | set(incremental.kept))
    return BuildResult(True, output, time.perf_counter() - started, pages=pages)


def setup_logging() -> None:
    """Pelican's log, warnings only: the build's own report is what the editor reads."""
    init_logging(level=logging.WARNING)


def build_and_report(settings_file: str | Path = "pelicanconf.py", output: str | Path | None = None,
                     overrides: Mapping[str, Any] | None = None, use_cache: bool = True, **options: Any) -> BuildResult:
    """Build, then tell the editor what happened: the problems and that the old site stayed, or
    how many pages were built."""
    import sys

    setup_logging()
    result = build(settings_file, output, overrides, use_cache, **options)
    if result.ok:
        print(f"Built {result.pages} pages into {result.output} in {result.seconds:.2f} s.")
    else:
        print(result.message, file=sys.stderr)
        print(f"The previous site in {result.output} was left unchanged.", file=sys.stderr)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m keter_tools.build [SETTINGS] [OUTPUT]`: what `invoke build` does, for any settings."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("settings", nargs="?", default="pelicanconf.py")
    parser.add_argument("output", nargs="?")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args(argv)
    return 0 if build_and_report(args.settings, args.output, use_cache=not args.no_cache).ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
