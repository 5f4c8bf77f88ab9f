"""Where the project is: the folder with pelicanconf.py, content/ and theme/. The package is
installed in editable mode from plugins/, so the project is three folders above this file."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def settings_preamble(base: str = "pelicanconf") -> str:
    """The first lines of a settings file that extends the project's pelicanconf.py or
    publishconf.py, read by path as Pelican reads them (they are not a package)."""
    # Tests, benchmarks and fixture sites write such files.
    path = str(ROOT / f"{base}.py")
    return ("import runpy\n"
            f"globals().update({{k: v for k, v in runpy.run_path({path!r}).items() if k.isupper()}})\n")
