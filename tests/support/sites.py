"""Build real sites for tests: the project's own site, or a small fixture site made in a
temporary folder that uses the project's real theme and plugins with its own content."""

import functools
import importlib.util
import json
import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from keter_site.core.front_matter import read as read_front_matter
from keter_site.core.project import ROOT, settings_preamble

from . import commands

NO_CACHE = ["-e", "LOAD_CONTENT_CACHE=false", "CACHE_CONTENT=false"]


def project_settings():
    """pelicanconf.py as a module, so tests read the languages and paths from where they are set."""
    spec = importlib.util.spec_from_file_location("pelicanconf", ROOT / "pelicanconf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without_examples(clinic_text):
    """clinic.yml's text with no value marked EXAMPLE any more and none that looks like a
    placeholder (what the clinic does at launch): brackets that say "example" say "sample",
    example addresses are on .test, runs of zeros in numbers become fives."""
    text = re.sub(r"(?m)^example_values:\s*\[[^\]]*\]", "example_values: []", clinic_text)
    text = re.sub(r"\([^)]*\)", lambda m: re.sub(r"(?i)\bexample\b", lambda w: "Sample" if w.group(0)[0] == "E"
                                                   else "sample", m.group(0)).replace("דוגמה", "נוסח"), text)
    text = re.sub(r"\.example\b", ".test", text)
    return re.sub(r"(?m)^(\w*(?:phone|whatsapp|licen[cs]e)\w*:\s*\"[^\"]*)", lambda m: re.sub(
        r"0{3,}", lambda z: "5" * len(z.group(0)), m.group(1)), text)


def front_matter(path):
    """{lowercase key: value} of a content file's front matter, read as an editor wrote it."""
    return read_front_matter(path)


@functools.lru_cache(maxsize=256)
def parsed_html(data):
    """`data` (a page's UTF-8 bytes) parsed with html.parser; the same bytes give the same parsed
    page, kept for the next test that reads them (the most recent 256 pages). Tests that use
    it never change a parsed page."""
    return BeautifulSoup(data.decode("utf-8"), "html.parser")


@dataclass
class Build:
    returncode: int
    log: str
    output: Path

    def html(self, relative):
        """The page, parsed (tests only read it: a page with the same bytes is parsed once per
        test process)."""
        return parsed_html((self.output / relative).read_bytes())

    def pages(self):
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.rglob("*.html"))


def run_pelican(settings_file, output, *extra, cwd=ROOT, env=None):
    """Pelican's own command line; the content folder is the settings' PATH. It runs in a
    process of its own, forked from one that imported Pelican and the plugins already
    (tests/support/commands.py)."""
    env = {**os.environ, **(env or {}), "COLUMNS": "500"}  # keep Rich from wrapping messages
    argv = ["-s", str(settings_file), "-o", str(output), *NO_CACHE, *extra]
    result = commands.run("pelican", argv, env, cwd)
    code, text = result.returncode, result.stdout + result.stderr
    # Rich wraps long lines to the terminal width; join them so messages can be matched whole.
    return Build(code, " ".join(text.split()), Path(output))


def page_text(slug, lang, title="Title", body="Some text.", **meta):
    """A content file's text: YAML front matter between `---` lines (as `invoke new` and the
    browser editor write it), an empty line, the body."""
    lines = [f"title: {title}", f"slug: {slug}"]
    if lang is not None:
        lines.append(f"lang: {lang}")
    meta.setdefault("description", f"{title} description.")
    lines += [f"{k}: {v}" for k, v in meta.items()]
    lines = [_yaml_line(line) for line in lines]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def _yaml_line(line):
    """`key: value` as written, unless YAML would not read the value back as that text (a `: `
    or ` #` inside it, a date that does not exist): then the value in double quotes."""
    key, _, value = line.partition(": ")
    try:
        if " #" not in value and isinstance(yaml.safe_load(line), dict) and list(yaml.safe_load(line)) == [key]:
            return line
    except (yaml.YAMLError, ValueError):  # ValueError: a date that is no day of the calendar
        pass
    return f"{key}: {json.dumps(value, ensure_ascii=False)}"


class FixtureSite:
    """A minimal site in `base`: the slugs the theme links to, in each language given."""

    REQUIRED_SLUGS = ("home", "signup", "privacy", "accessibility", "crisis", "disclaimer")

    def __init__(self, base, languages=None, default_lang="he"):
        self.base = Path(base)
        self.content = self.base / "content"
        self.strings = self.base / "strings"
        self.languages = languages or {
            "he": {"name": "עברית", "dir": "rtl", "prefix": "", "locale": "he_IL"},
            "en": {"name": "English", "dir": "ltr", "prefix": "en", "locale": "en_US"},
        }
        self.default_lang = default_lang
        self.extra_settings = ""  # more settings lines, as a test needs them
        self.strings.mkdir(parents=True, exist_ok=True)
        (self.content / "data").mkdir(parents=True, exist_ok=True)
        # The clinic's data as at launch (no EXAMPLE values left), so a publish-mode fixture build
        # tests one thing at a time; a test of the EXAMPLE rule puts one back.
        clinic = (ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8")
        (self.content / "data" / "clinic.yml").write_text(without_examples(clinic), encoding="utf-8")
        for lang in self.languages:
            source = ROOT / "theme" / "strings" / f"{lang}.yml"
            if source.exists():
                (self.strings / f"{lang}.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
            for slug in self.REQUIRED_SLUGS:
                self.write_page(lang, slug, page_text(slug, lang, title=f"{slug} {lang}"))

    def copy(self, base):
        """This site, its content, strings and built output, copied to `base` (symbolic links
        stay links): a test changes its own copy of a site that was built once."""
        shutil.copytree(self.base, base, symlinks=True)
        copy = object.__new__(FixtureSite)
        copy.__dict__.update(self.__dict__)
        copy.base = Path(base)
        copy.content, copy.strings = copy.base / "content", copy.base / "strings"
        return copy

    def add_clinic_language(self, lang, text="(value)"):
        """Give every per-language clinic fact a value in `lang` (a new language's one line
        under each of them in content/data/clinic.yml)."""
        path = self.content / "data" / "clinic.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for value in data.values():
            if isinstance(value, dict):
                value[lang] = text
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def write_bytes(self, folder, name, data):
        path = self.content / folder / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def write_page(self, folder, name, text):
        path = self.content / folder / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def settings_file(self, base="pelicanconf"):
        path = self.base / f"fixture_{base}.py"
        path.write_text(settings_preamble(base) + textwrap.dedent(f"""\
            PATH = {str(self.content)!r}
            LANGUAGES = {self.languages!r}
            DEFAULT_LANG = {self.default_lang!r}
            UI_STRINGS_DIR = {str(self.strings)!r}
            CLINIC_DATA_FILE = {str(self.content / 'data' / 'clinic.yml')!r}
            REVIEWS_PATH = {str(self.content / 'data' / 'reviews')!r}
            CACHE_PATH = {str(self.base / 'cache')!r}
            ARTICLE_PATHS = [f"{{lang}}/articles" for lang in LANGUAGES]
            PAGE_EXCLUDES = ["data", "images", *ARTICLE_PATHS]
            """) + self.extra_settings, encoding="utf-8")
        return path

    def build(self, output=None):
        return run_pelican(self.settings_file(), output or self.base / "output")

    def invoke_build(self, output=None, base="pelicanconf", env=None):
        """What `invoke build` does (atomic build + editor report), for this fixture's settings:
        `python -m keter_tools.build`, in a process of its own (commands.py)."""
        output = output or self.base / "output"
        result = commands.run("keter_tools.build", [self.settings_file(base), output, "--no-cache"],
                              {**os.environ, "COLUMNS": "500", **(env or {})})
        return Build(result.returncode, " ".join((result.stdout + result.stderr).split()), Path(output))
