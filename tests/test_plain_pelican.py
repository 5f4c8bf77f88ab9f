"""Pelican's own command builds the site in a venv made from requirements.lock alone (the project
not installed: Pelican finds plugins/keter_site through PLUGIN_PATHS), the same pages as
`invoke build`; and a plain `pelican` build that fails leaves its output folder as it was, the
clinic's photos included."""

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from keter_site import images
from keter_site.core.project import ROOT, settings_preamble
from tests.support import commands
from tests.support.photos import PHOTO, make_photo, set_clinic

LOCK = ROOT / "requirements.lock"
# The venv is made once per version of the lock and kept in the user's cache folder, outside the
# project: the libraries it holds are no part of the project's files (searches and checks over the
# project would read them as ours).
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keter-health"
VENV = CACHE / f"plain-venv-{hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]}"


def _plain_env():
    """The environment without this venv or the project on Python's path."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "COLUMNS": "500"}


@pytest.fixture(scope="module")
def plain_venv():
    if not (VENV / ".complete").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        building = VENV.with_name(VENV.name + f".building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(building)], check=True, timeout=120)
        # This venv's pip installs into the new one (--python): the lock's pins, nothing else. Not
        # compiled ahead (--no-compile): Python compiles the modules the build imports as it
        # imports them, and the rest of the lock's packages are never imported here.
        subprocess.run([sys.executable, "-m", "pip", "--python", str(building / "bin" / "python"), "install",
                        "--quiet", "--disable-pip-version-check", "--no-deps", "--no-compile", "-r", str(LOCK)],
                       check=True, timeout=600, env=_plain_env())
        (building / ".complete").write_text(LOCK.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            building.rename(VENV)
        except OSError:  # another process made it first
            shutil.rmtree(building, ignore_errors=True)
        # The venvs of earlier locks are never used again.
        for old in VENV.parent.glob("plain-venv-*"):
            if old != VENV and ".building-" not in old.name:
                shutil.rmtree(old, ignore_errors=True)
    python = VENV / "bin" / "python"
    # The project is not installed there: keter_site comes from PLUGIN_PATHS only.
    found = subprocess.run([python, "-c", "import importlib.util as u; print(u.find_spec('keter_site'))"],
                           cwd="/", capture_output=True, text=True, timeout=60, env=_plain_env())
    assert found.stdout.strip() == "None", found.stdout + found.stderr
    return VENV


def _pelican(venv, settings, output):
    # `python -m pelican`: the venv's scripts name the folder it was made in, before its rename.
    return subprocess.run([venv / "bin" / "python", "-m", "pelican", "-s", str(settings), "-o", str(output),
                           "-e", "LOAD_CONTENT_CACHE=false", "CACHE_CONTENT=false"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=_plain_env())


def _files(folder):
    """Every file under `folder`: relative path -> SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plain_pelican_builds_the_same_site_as_invoke_build(plain_venv, tmp_path):
    plain = _pelican(plain_venv, ROOT / "pelicanconf.py", tmp_path / "plain")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    ours = commands.run("keter_tools.build", ["pelicanconf.py", tmp_path / "invoke", "--no-cache"],
                        {**os.environ, "COLUMNS": "500"})
    assert ours.returncode == 0, ours.stdout + ours.stderr
    plain_files, our_files = _files(tmp_path / "plain"), _files(tmp_path / "invoke")
    assert sum(name.endswith(".html") for name in plain_files) >= 40
    assert sorted(plain_files) == sorted(our_files)
    # The same bytes too, page for page (the stylesheet, the feeds, the sitemap included).
    assert [name for name in plain_files if plain_files[name] != our_files[name]] == []


def test_a_failed_plain_pelican_build_leaves_the_output_folder_untouched(plain_venv, tmp_path):
    # The last good site, as an earlier build of other text left it.
    output = tmp_path / "output"
    (output / "en").mkdir(parents=True)
    (output / "index.html").write_text("<!doctype html><title>The last good site</title>", encoding="utf-8")
    (output / "en" / "index.html").write_text("<!doctype html><title>Its English home</title>", encoding="utf-8")
    before = _files(output)
    # The real content, with the physician's photo supplied (the photos are made while reading,
    # before the checks) and one page citing a source the registry does not have.
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    make_photo(content / PHOTO)
    set_clinic(content / "data" / "clinic.yml", physician_photo=PHOTO)
    page = content / "en" / "faq.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\nA claim [@no-such-source].\n", encoding="utf-8")
    broken = tmp_path / "broken_conf.py"
    broken.write_text(settings_preamble("pelicanconf") + textwrap.dedent(f"""\
        PATH = {str(content)!r}
        CLINIC_DATA_FILE = {str(content / "data" / "clinic.yml")!r}
        IMAGES_CACHE_PATH = {str(tmp_path / "image-cache")!r}
        """), encoding="utf-8")
    failed = _pelican(plain_venv, broken, output)
    assert failed.returncode != 0
    assert "no-such-source" in " ".join((failed.stdout + failed.stderr).split())
    # The build got as far as making the photo (every width of every format is in the images cache)...
    assert len(list((tmp_path / "image-cache").iterdir())) == len(images.FORMATS) * len(images.WIDTHS)
    # ...and wrote none of it, nor anything else, into the output.
    assert _files(output) == before
    assert not list(Path(tmp_path).glob("output?*"))  # no half-built folder left beside it
