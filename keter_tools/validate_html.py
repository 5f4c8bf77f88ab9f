"""The Nu Html Checker (npm `vnu-jar`, run with the machine's Java) over every page not already passed in its exact
bytes by this checker: a republish of unchanged pages starts no Java at all."""

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from keter_site.core import fingerprints
from keter_site.core.files import replace_whole
from keter_site.core.project import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# One file per checker version, listing the SHA-256 of every page that had no error: a changed or new page is always
# checked, and a page with an error is never remembered.
CACHE_DIR = ROOT / ".cache" / "html-valid"
# A run is short: Java's quick compiler alone suits it (the optimising compiler would spend CPU
# compiling code the run uses only for a moment; the report is the same), and so does the
# one-thread garbage collector. The quick compiler's code needs deeper stacks than Java gives
# threads by default (the checker stops with a StackOverflowError at 1 MB; 2 MB is enough): 4 MB
# leaves room.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]


def _passed(cache_file: Path) -> set[str]:
    """The SHA-256 of every page this checker version passed."""
    return set(cache_file.read_text().split()) if cache_file.exists() else set()


def _remember(cache_file: Path, digests: Iterable[str]) -> None:
    """Add `digests` to the cache file, read again, written whole and swapped in (runs may overlap)."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    replace_whole(cache_file, ("\n".join(sorted(_passed(cache_file) | set(digests))) + "\n").encode())


def validate(output: str | Path) -> tuple[int, list[str]]:
    """(exit code, error lines) for every HTML file under `output`."""
    if not VNU_JAR.exists():
        raise FileNotFoundError(f"{VNU_JAR} is missing: run `npm ci` (bin/invoke test does it).")
    java = shutil.which("java")
    if not java:
        raise FileNotFoundError("Java is needed for the HTML checker: apt-get install default-jre-headless.")
    stat = VNU_JAR.stat()
    cache_file = CACHE_DIR / f"vnu-{stat.st_size}-{int(stat.st_mtime)}.txt"
    known = _passed(cache_file)
    pages = {path: fingerprints.of_bytes(path.read_bytes()) for path in sorted(Path(output).rglob("*.html"))}
    todo = [path for path, digest in pages.items() if digest not in known]
    if not todo:
        return 0, []
    result = subprocess.run([java, *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--errors-only", "--format", "gnu",
                             "--skip-non-html", *map(str, todo)], capture_output=True, text=True, timeout=600)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    failed = {path for path in todo if any(str(path) in line for line in lines)}
    if result.returncode == 0 or failed:
        _remember(cache_file, [pages[path] for path in todo if path not in failed])
    return result.returncode, lines
