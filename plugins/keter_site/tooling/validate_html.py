"""The Nu Html Checker (npm `vnu-jar`, run with the machine's Java) over every page."""

import shutil
import subprocess
from pathlib import Path

from keter_site.core.project import ROOT


VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def validate(output):
    """(exit code, error lines) for every HTML file under `output`."""
    if not VNU_JAR.exists():
        raise FileNotFoundError(f"{VNU_JAR} is missing: run `npm ci` (bin/invoke test does it).")
    java = shutil.which("java")
    if not java:
        raise FileNotFoundError("Java is needed for the HTML checker: apt-get install default-jre-headless.")
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "gnu",
                             "--skip-non-html", str(output)], capture_output=True, text=True, timeout=600)
    lines = [l for l in (result.stdout + result.stderr).splitlines() if l.strip()]
    return result.returncode, lines
