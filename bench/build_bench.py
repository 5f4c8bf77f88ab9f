"""Build benchmark: the project's build against bare Pelican (no plugins, its default theme) on
the same content, in the same run, plus generated sites of 250 and 500 pages per language, and
livereload's save-to-page time. Prints a table; `--markdown FILE` also writes it as Markdown.

Run: bin/invoke bench   (or .venv/bin/python bench/build_bench.py)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from keter_site.core.project import ROOT, settings_preamble
from keter_tools.processes import stop_process, wait_for_reported_port
from keter_site.translation_status.status import HASH_KEY, fingerprint

PY = sys.executable
ENV = {**os.environ, "COLUMNS": "200"}
REPEATS = 3

HE_PARAGRAPH = ("חרדה היא תגובה טבעית של הגוף ללחץ, אבל כשהיא נמשכת זמן רב היא עלולה להקשות על "
                "השגרה. בעמוד הזה נסביר בשפה פשוטה מה ידוע, מה עדיין לא ידוע, ואיך אפשר לקבל עזרה.")
EN_PARAGRAPH = ("Anxiety is a natural response to stress, but when it lasts a long time it can make "
                "daily life hard. This page explains in plain words what is known, what is not yet "
                "known, and how to get help.")


def _timed(cmd, cwd=ROOT):
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV, timeout=1800)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"Benchmark build failed: {' '.join(map(str, cmd))}\n{result.stdout}\n{result.stderr}")
    return elapsed


METHOD = (f"Each build time is the median of {REPEATS} cold runs (a fresh process, no content cache), the "
          "project's and bare Pelican's taking turns; each is the time until the command returns (the project's "
          "build returns once its new site is in place, and the old one is deleted by a process of its own, "
          "which each run waits for, untimed, before it starts).")


def report(lines, markdown=None):
    """Print the benchmark's lines, and keep them in the Markdown file `markdown` when given."""
    table = "\n".join(lines)
    print(table)
    if markdown:
        Path(markdown).write_text(table + "\n", encoding="utf-8")


def _settle(folder, limit=300):
    """Wait (untimed, at most `limit` seconds) until the replaced sites a build left to its
    background removal in `folder` are gone, so the next timed command does not share the
    machine with that removal."""
    deadline = time.monotonic() + limit
    while any(folder.glob(".*.building-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.sync()  # and the files the last commands wrote are on disk, not still being written out


def _median_times(*cmds, settle=None):
    """Each command's median time over REPEATS rounds. The commands take turns within each round,
    so a slow spell of a shared machine falls on both sides of a comparison, not on one."""
    times = [[] for _ in cmds]
    for _ in range(REPEATS):
        for cmd, runs in zip(cmds, times):
            if settle is not None:
                _settle(settle)
            runs.append(_timed(cmd))
    return [statistics.median(runs) for runs in times]


def _project_settings(folder, content):
    path = folder / "bench_projectconf.py"
    path.write_text(settings_preamble('pelicanconf') + textwrap.dedent(f"""\
        PATH = {str(content)!r}
        CLINIC_DATA_FILE = {str(content / 'data' / 'clinic.yml')!r}
        CACHE_PATH = {str(folder / 'cache')!r}
        """), encoding="utf-8")
    return path


def bare_settings(folder, content, articles=False):
    """Settings for bare Pelican: its defaults, its default theme, no plugins; only where the
    content is (with `articles`, each language's articles/ folder as articles)."""
    path = folder / ("bench_bare_articlesconf.py" if articles else "bench_bareconf.py")
    articles_lines = (['ARTICLE_PATHS = ["he/articles", "en/articles"]', "PAGE_EXCLUDES = ARTICLE_PATHS",
                       'ARTICLE_TRANSLATION_ID = "slug"'] if articles else ["ARTICLE_PATHS = []"])
    lines = ["# Bare Pelican: its defaults, its default theme, no plugins; only where the content is.",
             # Without it Pelican loads every plugin installed in its namespace (pelican-precompress among them).
             "PLUGINS = []",
             f"PATH = {str(content)!r}", 'PAGE_PATHS = ["he", "en"]', *articles_lines, 'DEFAULT_LANG = "he"',
             "CACHE_CONTENT = False", "LOAD_CONTENT_CACHE = False"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _generated_content(folder, pages_per_language):
    """The real content plus generated pages, so every page the theme links to exists."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    for i in range(pages_per_language - len(list((ROOT / "content" / "he").glob("*.md")))):
        slug = f"generated-{i:04d}"
        he = (f"---\ntitle: עמוד לדוגמה {i}\nslug: {slug}\nlang: he\ndescription: עמוד שנוצר למדידת זמני בנייה.\n---\n\n"
              + "\n\n".join(f"## פרק {k}\n\n{HE_PARAGRAPH}" for k in range(4)) + "\n")
        (content / "he" / f"{slug}.md").write_text(he, encoding="utf-8")
        en = (f"---\ntitle: Sample page {i}\nslug: {slug}\nlang: en\ndescription: A page generated to measure build times.\n"
              f'{HASH_KEY}: "{fingerprint(he)}"\n---\n\n'
              + "\n\n".join(f"## Part {k}\n\n{EN_PARAGRAPH}" for k in range(4)) + "\n")
        (content / "en" / f"{slug}.md").write_text(en, encoding="utf-8")
    return content


def bare_content(content, folder, pattern="*/*.md"):
    """The same documents (those `pattern` finds) for bare Pelican, less the `template:` lines
    naming our theme's templates."""
    bare = folder / "content-bare"
    for source in sorted(content.glob(pattern)):
        target = bare / source.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        target.write_text("".join(line for line in lines if not line.startswith("template:")), encoding="utf-8")
    return bare


def compare_builds(label, content, folder):
    project, bare = _median_times(
        [PY, "-m", "keter_tools.build", str(_project_settings(folder, content)), str(folder / "out-project"),
         "--no-cache"],
        [PY, "-m", "pelican", "-s", str(bare_settings(folder, bare_content(content, folder))),
         "-o", str(folder / "out-bare")], settle=folder)
    pages = sum(1 for _ in (folder / "out-project").rglob("*.html"))
    return {"label": label, "pages": pages, "project_s": project, "bare_s": bare,
            "ms_per_page": project * 1000 / pages, "ratio": project / bare}


def livereload_times(settings="pelicanconf.py", content=ROOT / "content", output=ROOT / "output", runs=5,
                     page=Path("en") / "team.md", built=Path("en") / "team" / "index.html"):
    """Milliseconds from saving a Markdown file (`page`, an English page's text) to its rebuilt
    page (`built`) being on disk, with the real `invoke livereload` running on `settings`."""
    page = Path(content) / page
    built = Path(output) / built
    original = page.read_text(encoding="utf-8")
    scratch = tempfile.TemporaryDirectory()
    log_path = Path(scratch.name) / "livereload.log"
    log = open(log_path, "w")
    # Port 0: the preview takes a port the kernel chooses, and prints it once its first (full)
    # build is in place.
    server = subprocess.Popen([PY, "-m", "invoke", "-r", str(ROOT), "livereload", "--port", "0",
                               "--settings", str(settings), "--output", str(output)],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=ENV)
    times = []
    try:
        wait_for_reported_port(log_path, r"The live preview: http://127\.0\.0\.1:(\d+)/", server, timeout=120,
                               what="live preview")
        time.sleep(1.5)
        for run in range(runs):
            before = built.stat().st_ino
            started = time.perf_counter()
            page.write_text(original + f"\nEdited for the benchmark, run {run}.\n", encoding="utf-8")
            while built.stat().st_ino == before and time.perf_counter() - started < 10:
                time.sleep(0.002)
            times.append((time.perf_counter() - started) * 1000)
            if f"run {run}." not in built.read_text(encoding="utf-8"):
                raise SystemExit(f"Benchmark: {built} does not show the edit of run {run}.")
            time.sleep(0.6)
    finally:
        page.write_text(original, encoding="utf-8")
        stop_process(server, log)
        scratch.cleanup()
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", help="also write the tables to this Markdown file")
    args = parser.parse_args()

    rows = []
    live = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "site").mkdir()
        rows.append(compare_builds("the site", ROOT / "content", tmp / "site"))
        for n in (250, 500):
            folder = tmp / f"gen{n}"
            folder.mkdir()
            rows.append(compare_builds(f"{n} pages/language", _generated_content(folder, n), folder))
        for folder in tmp.iterdir():  # no removal of a replaced site left running beside the preview
            _settle(folder)
        live["the site"] = livereload_times()
        gen = tmp / "gen250"
        live["250 pages/language"] = livereload_times(_project_settings(gen, gen / "content"), gen / "content",
                                                      gen / "out-livereload")

    lines = ["| content | pages written | project build (s) | bare Pelican (s) | ms per page | ratio to bare |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['pages']} | {r['project_s']:.2f} | {r['bare_s']:.2f} | "
                     f"{r['ms_per_page']:.2f} | {r['ratio']:.2f} |")
    growth = rows[2]["project_s"] / rows[1]["project_s"]
    lines += ["", f"Growth, 500 vs 250 pages per language: {growth:.2f}x (goal at most 2.1x).",
              f"Ratio to bare Pelican, goal at most 1.2: site {rows[0]['ratio']:.2f}, "
              f"250 {rows[1]['ratio']:.2f}, 500 {rows[2]['ratio']:.2f}.",
              *(f"Livereload at {label}, save to rebuilt page on disk (ms, {len(times)} runs): "
                + ", ".join(f"{t:.0f}" for t in times) + f"; median {statistics.median(times):.0f} (goal at most 300)."
                for label, times in live.items()),
              METHOD]
    report(lines, args.markdown)


if __name__ == "__main__":
    main()
