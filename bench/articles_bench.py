"""Articles benchmark: the project's build with 250 and 1,000 generated articles per language
(besides the real pages) against bare Pelican (no plugins, its default theme) on the same
content, the growth from 250 to 1,000, livereload's save-to-page time with 250 articles per
language, and the floor under it: bare Pelican reading the same content again after one edit
(bench/pelican_reading.py). Prints a table; `--markdown FILE` also writes it as Markdown.

Run: bin/invoke bench   (or .venv/bin/python bench/articles_bench.py)
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

try:  # `python -m bench.articles_bench` (bin/invoke bench runs it so, from the project's folder)
    from bench.build_bench import (EN_PARAGRAPH, HE_PARAGRAPH, METHOD, PY, _median_times, _settle, bare_content,
                                   bare_settings, livereload_times, report)
    from bench.build_bench import _project_settings as project_settings
except ModuleNotFoundError:  # `python bench/articles_bench.py`: its folder is on the path
    from build_bench import (EN_PARAGRAPH, HE_PARAGRAPH, METHOD, PY, _median_times, _settle, bare_content, bare_settings,
                             livereload_times, report)
    from build_bench import _project_settings as project_settings

from keter_site.core.project import ROOT
from keter_site.translation_status.status import HASH_KEY, fingerprint

SIZES = (250, 1000)
FIRST_DAY = date(2020, 1, 1)


def generated_content(folder, per_language):
    """The real content plus `per_language` articles in each language (translations of each
    other, one a day)."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    for i in range(per_language):
        slug = f"bench-article-{i:04d}"
        day = (FIRST_DAY + timedelta(days=i)).isoformat()
        he = (f"---\ntitle: מאמר לדוגמה {i}\nslug: {slug}\nlang: he\ndate: {day}\n"
              f"summary: מאמר שנוצר למדידת זמני בנייה.\ndescription: מאמר שנוצר למדידת זמני בנייה.\n---\n\n"
              + "\n\n".join(f"## פרק {k}\n\n{HE_PARAGRAPH}" for k in range(4)) + "\n")
        (content / "he" / "articles" / f"{slug}.md").write_text(he, encoding="utf-8")
        en = (f"---\ntitle: Sample article {i}\nslug: {slug}\nlang: en\ndate: {day}\n"
              f"summary: An article generated to measure build times.\n"
              f'description: An article generated to measure build times.\n{HASH_KEY}: "{fingerprint(he)}"\n---\n\n'
              + "\n\n".join(f"## Part {k}\n\n{EN_PARAGRAPH}" for k in range(4)) + "\n")
        (content / "en" / "articles" / f"{slug}.md").write_text(en, encoding="utf-8")
    return content


def compare(per_language, folder):
    content = generated_content(folder, per_language)
    project, bare = _median_times(
        [PY, "-m", "keter_tools.build", str(project_settings(folder, content)), str(folder / "out-project"),
         "--no-cache"],
        [PY, "-m", "pelican", "-s", str(bare_settings(folder, bare_content(content, folder, "*/**/*.md"), articles=True)),
         "-o", str(folder / "out-bare")], settle=folder)
    pages = sum(1 for _ in (folder / "out-project").rglob("*.html"))
    return {"label": f"{per_language} articles/language", "pages": pages, "project_s": project, "bare_s": bare,
            "ratio": project / bare, "content": content}


def pelican_reading_times(folder):
    """bench/pelican_reading.py on the bare copy `compare` made in `folder`, in a fresh process."""
    bare = folder / "content-bare"
    out = subprocess.run([PY, str(Path(__file__).parent / "pelican_reading.py"), str(folder / "bench_bare_articlesconf.py"),
                          str(bare / "en" / "articles" / "ketamine-anxiety-research.md")],
                         capture_output=True, text=True, check=True)
    return [float(t) for t in out.stdout.splitlines()[0].split()]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in SIZES:
            folder = tmp / f"articles{size}"
            folder.mkdir()
            rows.append(compare(size, folder))
        for size in SIZES:  # no removal of a replaced site left running beside the preview
            _settle(tmp / f"articles{size}")
        small = tmp / f"articles{SIZES[0]}"
        live = livereload_times(project_settings(small, small / "content"), small / "content",
                                small / "out-livereload", page=Path("en") / "articles" / "ketamine-anxiety-research.md",
                                built=Path("en") / "articles" / "ketamine-anxiety-research" / "index.html")
        floor = pelican_reading_times(small)
    lines = ["| content | pages written | project build (s) | bare Pelican (s) | ratio to bare |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['pages']} | {r['project_s']:.2f} | {r['bare_s']:.2f} | {r['ratio']:.2f} |")
    growth = rows[1]["project_s"] / rows[0]["project_s"]
    lines += ["", f"Growth, {SIZES[1]} vs {SIZES[0]} articles per language: {growth:.2f}x (goal at most 4.4x).",
              "Ratio to bare Pelican, goal at most 1.0: " + ", ".join(f"{r['label']} {r['ratio']:.2f}" for r in rows) + ".",
              f"Livereload with {SIZES[0]} articles per language, save to rebuilt article on disk (ms, {len(live)} runs): "
              + ", ".join(f"{t:.0f}" for t in live) + f"; median {statistics.median(live):.0f} (goal at most 300).",
              f"Bare Pelican (no plugins) on the same content, after one edit, reading every document again from its "
              f"content cache before it writes anything (ms, {len(floor)} runs): " + ", ".join(f"{t:.0f}" for t in floor)
              + f"; median {statistics.median(floor):.0f}. The live preview reads its documents the same way "
              "(Pelican's content cache): this is the floor under its save-to-page.",
              METHOD]
    report(lines, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
