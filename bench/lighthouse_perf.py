"""Lighthouse 12.2.3 Performance (mobile preset: a mid-range phone on a slow 4G connection,
simulated) on the home, a content, the process and the signup page in both languages; or, with
--every-page, all four categories (Performance, Accessibility, Best Practices, SEO) on every
page of the site, both languages, from one Chromium (tests/support/lighthouse_batch.mjs), each
page --runs times (default 3, at most 5), each figure the median of its runs.

Why the median: the Performance score's timings are simulated (Lighthouse's mobile preset,
"simulate" throttling: a 4x slower CPU and a slow 4G network, applied to what was measured),
but what was measured is still this machine's: a run while other work keeps the CPU busy
shows longer script tasks, so a higher Total Blocking Time, and a page that scores 100 can
score 99. Lighthouse's own advice for that variance is several runs and their median.

    .venv/bin/python -m bench.lighthouse_perf output/            # serves the folder on 127.0.0.1
    .venv/bin/python -m bench.lighthouse_perf --base-url http://127.0.0.1:8000
    .venv/bin/python -m bench.lighthouse_perf --launch --every-page   # a launch build, every page

--launch builds the site as it will launch, into a temporary folder served on 127.0.0.1: a copy
of content/ made ready the way the tests make it (tests/support/publishing.py: the EXAMPLE marks
cleared, the physician's approval recorded for every medical page), built with publishconf.py
(its public https SITEURL, an https signup endpoint); the public address is then replaced by the
local server's in every text file. Every page is then indexable, as the launched site's are.

Given a folder, it serves it on 127.0.0.1 the way the production server does: the precompressed
.br or .gz copy beside a file when the browser accepts it (publish builds have them). Prints a
table (URL, Performance score, LCP ms, CLS, TBT ms, total byte weight) and, with --json, the same
rows as JSON. Exits 1 if any URL scores below --min-score (default 100; the one exemption: the
SEO score of the pages kept out of search on purpose, which fail only "is-crawlable" because
they carry noindex), 2 if Lighthouse fails.
"""

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import brotli

from keter_site.core.project import ROOT
from tests.support.browser import serve_directory  # the same local server the tests use

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
PATHS = ["/", "/en/", "/anxiety/", "/en/anxiety/", "/process/", "/en/process/", "/signup/", "/en/signup/"]
BATCH = ROOT / "tests" / "support" / "lighthouse_batch.mjs"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
RETRY_ROUNDS = 2  # further rounds for runs in which a page never painted (run_batch)


class PrecompressedHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, answered from `<file>.br` / `<file>.gz` when present and accepted."""

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the standard redirect to the folder's URL
            path = path / "index.html"
        accepted = {part.split(";")[0].strip() for part in self.headers.get("Accept-Encoding", "").split(",")}
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            compressed = path.with_name(path.name + suffix)
            if encoding in accepted and path.is_file() and compressed.is_file():
                data = compressed.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
                self.send_header("Content-Encoding", encoding)
                self.send_header("Vary", "Accept-Encoding")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return _Body(data)
        return super().send_head()


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self):
        pass


def serve(folder):
    return serve_directory(folder, PrecompressedHandler)


def run_lighthouse(url):
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json", "--output-path=stdout",
         "--quiet", "--disable-full-page-screenshot", f"--chrome-flags={CHROME_FLAGS}"],
        capture_output=True, text=True, timeout=240, cwd=ROOT, env={**os.environ, "CHROME_PATH": CHROMIUM})
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse could not load {url}: {report['runtimeError']}")
    return report


def row(path, report):
    audits = report["audits"]
    score = report["categories"]["performance"]["score"]
    def value(audit, digits=0):
        # (None where Lighthouse could not measure it: its error is in the audit's explanation.)
        number = audits[audit].get("numericValue")
        return None if number is None else round(number, digits or None)

    return {
        "url": path,
        "performance": None if score is None else round(score * 100),
        "lcp_ms": value("largest-contentful-paint"),
        "cls": value("cumulative-layout-shift", 3),
        "tbt_ms": value("total-blocking-time"),
        "total_bytes": value("total-byte-weight"),
        "errors": {audit: audits[audit].get("errorMessage") for audit in ("largest-contentful-paint",)
                   if audits[audit].get("errorMessage")},
    }


def every_page(folder):
    """The address of every page of a built site: each index.html's folder, and the 404 pages."""
    folder = Path(folder)
    paths = []
    for page in sorted(folder.rglob("*.html")):
        relative = page.relative_to(folder).as_posix()
        if relative.startswith("theme/"):
            continue
        paths.append("/" + relative.removesuffix("index.html"))
    return paths


def run_batch(base_url, paths, runs=1):
    """All four categories on every path, `runs` measured runs each, from one Node process and
    one Chromium a round; one row a path, each figure the median of its runs (row_of_runs).

    A run in which the page never painted (Lighthouse's NO_FCP: headless Chromium on a busy
    machine sometimes leaves a tab unpainted) measured nothing, so it is not counted: that page
    is run again in a further round, at most RETRY_ROUNDS more, after which its row shows the
    runs it has (and n/a where it has none)."""
    measured, unpainted = {path: [] for path in paths}, {}
    for _ in range(runs + RETRY_ROUNDS):
        # Round after round over every page, not one page three times in a row: a moment when
        # the machine is busy spoils one run of several pages rather than every run of one.
        wanted = [path for path in paths if len(measured[path]) < runs]
        if not wanted:
            break
        for path, found in zip(wanted, _batch(base_url, wanted)):
            if "NO_FCP" in str(found["errors"]):
                unpainted[path] = found
            else:
                measured[path].append(found)
    return [row_of_runs(measured[path] or [unpainted[path]]) for path in paths]


def _batch(base_url, paths):
    result = subprocess.run(["node", str(BATCH), ",".join(CATEGORIES), *(base_url.rstrip("/") + p for p in paths)],
                            capture_output=True, text=True, timeout=3600, cwd=ROOT,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed:\n{result.stderr[-2000:]}")
    rows = []
    for path, report in zip(paths, json.loads(result.stdout)):
        if report.get("runtimeError"):
            raise RuntimeError(f"lighthouse could not load {path}: {report['runtimeError']}")
        found = row(path, report)
        for category in CATEGORIES[1:]:
            score = report["categories"][category]["score"]
            found[category] = None if score is None else round(score * 100)
        found["failing"] = [f"{c}: {a['id']}" for c in CATEGORIES for ref in report["categories"][c]["auditRefs"]
                            if ref["weight"] > 0 for a in [report["audits"][ref["id"]]]
                            if a["score"] is not None and a["score"] < 1]
        rows.append(found)
    return rows


def row_of_runs(runs):
    """One page's runs as one row: each score and timing the median of the runs (Lighthouse's
    own advice for a score that varies with the machine's load: several runs, the median), the
    Performance scores of every run beside it, and the audits not passed in the run whose
    Performance score is the median."""
    def median(values, worse):
        # Of an even number of runs (a page that did not paint in some), the worse middle one.
        return None if any(v is None for v in values) else worse(values)

    middle = sorted(runs, key=lambda r: -1 if r["performance"] is None else r["performance"])[(len(runs) - 1) // 2]
    merged = dict(middle)
    for key in CATEGORIES:
        merged[key] = median([r[key] for r in runs], statistics.median_low)
    for key in ("lcp_ms", "cls", "tbt_ms", "total_bytes"):
        merged[key] = median([r[key] for r in runs], statistics.median_high)
    merged["runs"] = [r["performance"] for r in runs]
    return merged


def _kept_out_of_search(row, category):
    """The one exemption: the pages the site keeps out of search results on purpose (the 404
    pages and the signup's thank-you page carry `noindex`, keter_site.seo) score 63 for SEO,
    and only because of that: their SEO is not held to --min-score when the audit they do not
    pass is "is-crawlable" and no other. Every other category of theirs still must be 100."""
    return category == "seo" and [a for a in row["failing"] if a.startswith("seo:")] == ["seo: is-crawlable"]


def print_every_page_table(rows):
    header = (f"{'URL':<44} {'Perf':>5} {'A11y':>5} {'BP':>5} {'SEO':>5} {'LCP ms':>8} {'CLS':>7} {'TBT ms':>7} "
              f"{'bytes':>8}  Perf of each run")
    print(header)
    print("-" * len(header))
    for r in rows:
        scores = ["n/a" if r[c] is None else r[c] for c in CATEGORIES]
        shown = {k: "n/a" if r[k] is None else r[k] for k in ("lcp_ms", "cls", "tbt_ms", "total_bytes")}
        print(f"{r['url']:<44} {scores[0]:>5} {scores[1]:>5} {scores[2]:>5} {scores[3]:>5} {shown['lcp_ms']:>8} "
              f"{shown['cls']:>7} {shown['tbt_ms']:>7} {shown['total_bytes']:>8}  {' '.join(map(str, r['runs']))}")
        for audit in r["failing"]:
            print(f"    not passed: {audit}")
        for audit, message in r["errors"].items():
            print(f"    not measured: {audit}: {message}")


def launch_build(folder, site_url):
    """The site as it will launch (the module's docstring says how), built into `folder`; then
    its public address is replaced, in every text file, by the local server's, so the browser
    finds its stylesheet and links here."""
    sys.path.insert(0, str(ROOT))
    from tests.support.publishing import SIGNUP_ENDPOINT, base_environment, copy_site

    from keter_tools.build import build

    work = Path(tempfile.mkdtemp(prefix="launch-", dir=folder.parent))
    settings, _ = copy_site(work)
    public = base_environment()["SITEURL"]
    os.environ.update({"SITEURL": public, "SIGNUP_ENDPOINT": SIGNUP_ENDPOINT})
    result = build(str(settings), folder, use_cache=False)
    if not result.ok:
        raise RuntimeError(f"the launch build failed:\n{result.message}")
    for path in list(folder.rglob("*")):
        if path.suffix in (".html", ".xml", ".txt", ".json", ".webmanifest", ".css"):
            text = path.read_text(encoding="utf-8")
            if public in text:
                data = text.replace(public, site_url.rstrip("/")).encode("utf-8")
                path.write_bytes(data)
                # Its compressed copies too, which the server prefers (the production server's way).
                for suffix, compress in ((".gz", lambda d: gzip.compress(d, 9)), (".br", brotli.compress)):
                    copy = path.with_name(path.name + suffix)
                    if copy.exists():
                        copy.write_bytes(compress(data))


def print_table(rows):
    header = f"{'URL':<16} {'Perf':>5} {'LCP ms':>8} {'CLS':>7} {'TBT ms':>7} {'bytes':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        perf = "n/a" if r["performance"] is None else r["performance"]
        shown = {k: "n/a" if r[k] is None else r[k] for k in ("lcp_ms", "cls", "tbt_ms", "total_bytes")}
        print(f"{r['url']:<16} {perf:>5} {shown['lcp_ms']:>8} {shown['cls']:>7} {shown['tbt_ms']:>7} {shown['total_bytes']:>8}")


def measure(base_url, paths=PATHS):
    return [row(path, run_lighthouse(base_url.rstrip("/") + path)) for path in paths]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="a built site to serve on 127.0.0.1")
    parser.add_argument("--base-url", help="measure a site already served here instead")
    parser.add_argument("--min-score", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    parser.add_argument("--every-page", action="store_true", help="every page of the folder, all four categories")
    parser.add_argument("--launch", action="store_true", help="build the site as it will launch and measure that")
    parser.add_argument("--runs", type=int, default=3, choices=range(1, 6), metavar="1-5",
                        help="with --every-page: runs a page, the median reported (default 3)")
    args = parser.parse_args(argv)
    if sum(map(bool, (args.folder, args.base_url, args.launch))) != 1:
        parser.error("give a folder, --base-url or --launch")
    if args.folder and not (args.folder / "index.html").is_file():
        parser.error(f"{args.folder} has no index.html: build the site first (bin/invoke build)")
    if args.every_page and args.base_url:
        parser.error("--every-page reads the pages from a folder: give a folder or --launch")
    categories = CATEGORIES if args.every_page else CATEGORIES[:1]
    try:
        if args.base_url:
            rows = measure(args.base_url)
        else:
            with tempfile.TemporaryDirectory() as scratch:
                folder = args.folder or Path(scratch) / "site"
                folder.mkdir(exist_ok=True)
                with serve(folder) as base_url:
                    if args.launch:
                        launch_build(folder, base_url)
                    rows = (run_batch(base_url, every_page(folder), args.runs) if args.every_page
                            else measure(base_url))
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(error, file=sys.stderr)
        return 2
    (print_every_page_table if args.every_page else print_table)(rows)
    if args.json:
        print(json.dumps(rows, indent=1))
    below = list(dict.fromkeys(r["url"] for r in rows for c in categories
                               if (r.get(c) is None or r[c] < args.min_score) and not _kept_out_of_search(r, c)))
    if below:
        print(f"below {args.min_score}: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
