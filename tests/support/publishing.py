"""Publishing the real site in tests: a copy of its content that a test may change, settings
that are publishconf.py's with only the content folder moved, and the real commands."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from .sites import ROOT

from keter_site.core.project import settings_preamble

# An https endpoint on a name that never resolves: the browser test answers it itself.
SIGNUP_ENDPOINT = "https://forms.example.test/f/abc"
SIGNUP_ORIGIN = "https://forms.example.test"


def base_environment(**extra):
    return {**os.environ, "SIGNUP_ENDPOINT": SIGNUP_ENDPOINT,
            "SITEURL": "https://www.keter-health.example", "COLUMNS": "500", **extra}


def copy_site(base):
    """Copy content/ into `base`; returns (settings file, content folder). The publish build
    goes to `base`/build/site."""
    base = Path(base)
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    settings = base / "publishtest.py"
    settings.write_text(settings_preamble('publishconf') + textwrap.dedent(f"""\
        PATH = {str(content)!r}
        CLINIC_DATA_FILE = {str(content / 'data' / 'clinic.yml')!r}
        CACHE_PATH = {str(base / 'cache')!r}
        DEPLOY_BUILD_PATH = {str(base / 'build')!r}
        """), encoding="utf-8")
    return settings, content


def add_marker(content, text):
    """Put `text` at the end of the English home page (it shows at /en/)."""
    page = content / "en" / "home.md"
    page.write_text(page.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{text}\n", encoding="utf-8")


def deploy_command(*args):
    return [sys.executable, "-m", "keter_site.tooling.deploy", *map(str, args)]


def invoke_command(*args):
    return [sys.executable, "-m", "invoke", *map(str, args)]


def run(command, env, timeout=600):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    result.log = result.stdout + result.stderr
    return result
