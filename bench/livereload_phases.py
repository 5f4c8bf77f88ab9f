"""Where a live-preview rebuild spends its time: the milliseconds between Pelican's signals in
one incremental build after an edit of one article, with 250 generated articles per language
(the articles benchmark's content). The same builds `invoke livereload` runs, in this process.
Prints one line per build; the last lines are the steady state.

Run: .venv/bin/python bench/livereload_phases.py [--articles N] [--runs N]
"""

import argparse
import tempfile
import time
from pathlib import Path

try:  # `python -m bench.livereload_phases`, from the project's folder
    from bench.articles_bench import generated_content
    from bench.build_bench import _project_settings as project_settings
except ModuleNotFoundError:  # `python bench/livereload_phases.py`: its folder is on the path
    from articles_bench import generated_content
    from build_bench import _project_settings as project_settings
from pelican import signals

from keter_site.incremental import State
from keter_tools import build

# In the order Pelican sends them; each one's figure is the time since the one before (so it
# includes the receivers of the previous signal).
SIGNALS = ["initialized", "article_generator_finalized", "page_generator_finalized", "all_generators_finalized",
           "get_writer", "article_writer_finalized", "page_writer_finalized", "finalized"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=250)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    marks = []
    receivers = [lambda *_a, _name=name, **_k: marks.append((_name, time.perf_counter())) for name in SIGNALS]
    for name, receiver in zip(SIGNALS, receivers):
        getattr(signals, name).connect(receiver)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        content = generated_content(folder, args.articles)
        settings, output, state = project_settings(folder, content), folder / "out", State()
        page = content / "en" / "articles" / "ketamine-anxiety-research.md"
        original = page.read_text(encoding="utf-8")
        if not build.build(str(settings), output, incremental=state, full=True).ok:
            raise SystemExit("The first build failed.")
        for run in range(args.runs):
            page.write_text(original + f"\nEdited for the benchmark, run {run}.\n", encoding="utf-8")
            marks.clear()
            started = time.perf_counter()
            result = build.build(str(settings), output, incremental=state)
            ended = time.perf_counter()
            if not result.ok:
                raise SystemExit(result.message)
            previous, parts = started, []
            for name, at in marks:
                parts.append(f"{name} {(at - previous) * 1000:.0f}")
                previous = at
            print(f"run {run}: " + ", ".join(parts) + f", rest {(ended - previous) * 1000:.0f}; "
                  f"total {(ended - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
