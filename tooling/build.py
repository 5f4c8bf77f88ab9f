"""Build the site atomically: Pelican writes into a fresh folder beside the output folder, and
only a build that passed every check replaces the output. A failed build leaves the last good
site exactly as it was, so a preview server keeps showing it and a deploy never sees half a site.
"""

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pelican import Pelican
from pelican.log import init as init_logging
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BuildResult:
    ok: bool
    output: Path
    seconds: float
    pages: int = 0
    message: str = ""


def load_settings(settings_file="pelicanconf.py", overrides=None):
    return read_settings(str(ROOT / settings_file), override=dict(overrides or {}))


def _swap_into_place(fresh, output):
    """Put `fresh` where `output` is. The old folder is moved aside first and removed last."""
    old = None
    if output.exists():
        old = output.with_name(f"{output.name}.old-{os.getpid()}")
        os.rename(output, old)
    os.rename(fresh, output)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def build(settings_file="pelicanconf.py", output=None, overrides=None, use_cache=True):
    """Build the site; on success it is at `output` (default: the settings' OUTPUT_PATH)."""
    started = time.perf_counter()
    settings = load_settings(settings_file, overrides)
    output = Path(output or settings["OUTPUT_PATH"]).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    settings["OUTPUT_PATH"] = str(fresh)
    settings["LOAD_CONTENT_CACHE"] = bool(use_cache and settings.get("LOAD_CONTENT_CACHE"))
    try:
        Pelican(settings).run()
        pages = sum(1 for _ in fresh.rglob("*.html"))
    except Exception as error:  # the message is the editor's report: file, problem, fix
        shutil.rmtree(fresh, ignore_errors=True)
        return BuildResult(False, output, time.perf_counter() - started, message=str(error))
    _swap_into_place(fresh, output)
    return BuildResult(True, output, time.perf_counter() - started, pages=pages)


def setup_logging(verbose=False):
    init_logging(level=logging.DEBUG if verbose else logging.WARNING)
