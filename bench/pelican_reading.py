"""How long bare Pelican (no plugins, its default theme) takes, after one file changed, to read
every document again from its content cache, before it writes anything: Pelican makes every
document afresh on each build. The project's live preview reads its documents the same way
(Pelican's content cache, keter_site.incremental), so this is the floor under its save-to-page.

Run: .venv/bin/python bench/pelican_reading.py BARE_SETTINGS EDITED_FILE [--runs N]
(bench/articles_bench.py runs it in a fresh process, on the articles benchmark's content).
Prints the milliseconds of each run, then the median.
"""

import argparse
import shutil
import statistics
import tempfile
import time

from pelican import Pelican, signals
from pelican.contents import Content
from pelican.settings import read_settings


class _ReachedWriter(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("settings")
    parser.add_argument("edited")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    reached_writer = []

    def stop(_pelican):
        # Everything is read: the figure ends here, and the build need not write the site.
        reached_writer.append(time.perf_counter())
        raise _ReachedWriter

    signals.get_writer.connect(stop, weak=False)
    scratch = tempfile.mkdtemp(prefix="pelican-reading-")
    overrides = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "GZIP_CACHE": False,
                 "CACHE_PATH": f"{scratch}/cache", "OUTPUT_PATH": f"{scratch}/output"}
    with open(args.edited, encoding="utf-8") as file:
        original = file.read()
    times = []
    try:
        for run in range(args.runs + 1):  # the first run fills the content cache
            with open(args.edited, "w", encoding="utf-8") as file:
                file.write(original + f"\nEdited for the benchmark, run {run}.\n")
            started = time.perf_counter()
            try:
                Pelican(read_settings(args.settings, override=overrides)).run()
            except _ReachedWriter:
                pass
            if run:
                times.append((reached_writer[-1] - started) * 1000)
            # Pelican keeps every document it made in a per-process cache: start each run clean.
            Content.get_content.cache.clear()
            Content.get_summary.cache.clear()
    finally:
        with open(args.edited, "w", encoding="utf-8") as file:
            file.write(original)
        shutil.rmtree(scratch, ignore_errors=True)
    print(" ".join(f"{t:.0f}" for t in times))
    print(f"{statistics.median(times):.0f}")


if __name__ == "__main__":
    main()
