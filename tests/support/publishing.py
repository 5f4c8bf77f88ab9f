"""Publishing the real site in tests: a copy of its content that a test may change, settings
that are publishconf.py's with only the content folder moved, and the real commands."""

import atexit
import functools
import os
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

from . import commands
from .sites import ROOT, without_examples

from keter_site.core.project import settings_preamble
from keter_tools.build import load_settings

from . import reviewers

# An https endpoint on a name that never resolves: the browser test answers it itself.
SIGNUP_ENDPOINT = "https://forms.example.test/f/abc"
SIGNUP_ORIGIN = "https://forms.example.test"


def base_environment(**extra):
    return {**os.environ, "SIGNUP_ENDPOINT": SIGNUP_ENDPOINT,
            "SITEURL": "https://www.keter-health.example", "COLUMNS": "500", **extra}


def copy_site(base):
    """Copy content/ into `base`, made ready for launch (make_ready); returns (settings file,
    content folder). The publish build goes to `base`/build/site."""
    base = Path(base)
    ready = _ready_site()
    shutil.copytree(ready / "content", base / "content")
    shutil.copytree(ready / "keys", base / "keys")
    return _publish_settings(base), base / "content"


def _publish_settings(base):
    settings = base / "publishtest.py"
    content = base / "content"
    settings.write_text(settings_preamble('publishconf') + textwrap.dedent(f"""\
        PATH = {str(content)!r}
        CLINIC_DATA_FILE = {str(content / 'data' / 'clinic.yml')!r}
        REVIEWS_PATH = {str(content / 'data' / 'reviews')!r}
        CACHE_PATH = {str(base / 'cache')!r}
        DEPLOY_BUILD_PATH = {str(base / 'build')!r}
        RESERVED_NAMES_ARE_TEST_SITES = True  # the tests' sites live on names reserved for tests
        """), encoding="utf-8")
    return settings


@functools.cache
def _ready_site():
    """One launch-ready copy of content/ per test process, which copy_site copies: making one
    signs every medical page (a key, a readiness scan and an ssh-keygen signature each), and
    nothing in a copy names the folder it was made in but its settings file, written anew."""
    base = Path(tempfile.mkdtemp(prefix="keter-ready-site-"))
    atexit.register(shutil.rmtree, base, True)
    shutil.copytree(ROOT / "content", base / "content")
    make_ready(_publish_settings(base))
    return base


def make_ready(settings_file):
    """What the clinic does before launch, done to the copy: its real contact details in place
    of the EXAMPLE values, the physician's key listed in the allowed signers, and every medical
    page's current text signed with it (the real records, real signatures)."""
    settings = load_settings(settings_file)
    clinic = Path(settings["CLINIC_DATA_FILE"])
    clinic.write_text(without_examples(clinic.read_text(encoding="utf-8")), encoding="utf-8")
    key = reviewers.make_key(Path(settings_file).parent / "keys")
    allowed = Path(settings["PATH"]) / "data" / "allowed_signers"
    if not reviewers.is_listed(allowed, key):
        reviewers.list_signer(allowed, key)
    reviewers.approve_all(settings, key)


def add_marker(content, text):
    """Put `text` at the end of the English home page (it shows at /en/); the physician approves
    the change, as a real edit of a medical page needs."""
    page = content / "en" / "home.md"
    page.write_text(page.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{text}\n", encoding="utf-8")
    make_ready(content.parent / "publishtest.py")


def deploy_command(*args):
    return [sys.executable, "-m", "keter_tools.deploy", *map(str, args)]


def invoke_command(*args):
    return [sys.executable, "-m", "invoke", *map(str, args)]


def run(command, env, timeout=600):
    """A `python -m` command of the project (deploy_command, invoke_command), in a process of its
    own forked from one that imported the project already (tests/support/commands.py)."""
    assert command[:2] == [sys.executable, "-m"], command
    result = commands.run(command[2], command[3:], env, ROOT, timeout)
    result.log = result.stdout + result.stderr
    return result


def checked_build(base, name, env, change=None):
    """The real site as published, built and checked once by the real command
    (`deploy build --out`) into `base`/`name`, for tests that publish it with `--from`: a site
    copy made ready for launch, changed by `change(content)` first. Made once per test run and
    shared by the test processes (a lock file keeps two from building it at once)."""
    import fcntl

    folder = Path(base) / name
    with open(Path(base) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "build" / "checked.json").exists():
            shutil.rmtree(folder, ignore_errors=True)
            settings, content = copy_site(folder)
            if change:
                change(content)
            result = run(deploy_command("build", "--settings", settings, "--out", folder / "build"), env)
            assert result.returncode == 0, result.log
    return folder / "build"


def beta_version(content):
    """The next version: a sentence added to the English home page, and a new image."""
    add_marker(content, "Release marker beta.")
    (content / "images").mkdir(exist_ok=True)
    (content / "images" / "new.png").write_bytes(tiny_png())


def tiny_png(rgb=(0, 90, 120)):
    """A real one-pixel PNG image (what content/images/ publishes: an image by its content)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes([0, *rgb])))
            + chunk(b"IEND", b""))
