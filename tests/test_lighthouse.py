"""Lighthouse 12.2.3 (mobile, the default form factor) scores 100 for Accessibility, Best
Practices and SEO once per page type and language: the home page, a content page, the FAQ with
its folding answers, the signup form, the contact page, the list of articles and an article; run
against the real site served on 127.0.0.1 in Debian's Chromium. (Performance is a timing: the
benchmark measures it; and all four categories on every page of a launch build, both languages,
each page three times and the median taken, which takes minutes: bench/lighthouse_perf.py
--launch --every-page.)

In the light colour scheme only. The dark scheme changes colours and nothing else (the same
HTML, the same elements and attributes); of everything these three categories audit, only colour
contrast depends on colours, and axe checks contrast in the dark scheme on every page of the
site (test_accessibility_axe.py), which is more than Lighthouse's sample of page types would."""

import json
import os
import subprocess

import pytest

from tests.support.browser import HEADLESS_SHELL as CHROMIUM
from tests.support.sites import ROOT, front_matter

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
BATCH = ROOT / "tests" / "support" / "lighthouse_batch.mjs"
CATEGORIES = ["accessibility", "best-practices", "seo"]


def _an_article():
    """The address slug of one of the site's articles (the newest file name sorts last)."""
    files = sorted((ROOT / "content" / "en" / "articles").glob("*.md"))
    assert files, "the site has no article to audit"
    return front_matter(files[-1])["slug"]


# Every other page is made by one of these templates (axe checks every page, test_accessibility_axe.py).
PAGE_TYPES = {"home": "", "content page": "anxiety/", "FAQ": "faq/", "signup form": "signup/", "contact": "contact/",
              "articles list": "articles/", "article": f"articles/{_an_article()}/"}
PATHS = [prefix + path for path in PAGE_TYPES.values() for prefix in ("/", "/en/")]


@pytest.fixture(scope="module")
def reports(site_url):
    """Lighthouse's result for every path, from one Node process and one Chromium."""
    assert LIGHTHOUSE.exists(), "npm install (package.json) puts lighthouse into node_modules"
    result = subprocess.run(["node", str(BATCH), ",".join(CATEGORIES), *(site_url + path for path in PATHS)],
                            capture_output=True, text=True, timeout=900, cwd=ROOT,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout)
    assert len(found) == len(PATHS)
    return dict(zip(PATHS, found))


def failing_audits(report, category):
    """What cost points: each weighted audit of the category that did not pass, with a sample."""
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            lines.append(f"  - {audit['id']}: {audit['title']} (score {audit['score']})")
            items = (audit.get("details") or {}).get("items") or []
            for item in items[:3]:
                sample = {k: v for k, v in item.items() if isinstance(v, (str, int, float))}
                node = item.get("node") or {}
                if node:
                    sample["node"] = node.get("snippet") or node.get("selector")
                lines.append(f"      {json.dumps(sample, ensure_ascii=False)[:300]}")
    return lines


@pytest.mark.parametrize("path", PATHS)
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(reports, path):
    report = reports[path]
    assert report["lighthouseVersion"] == "12.2.3"
    assert report["configSettings"]["formFactor"] == "mobile"
    assert report["finalDisplayedUrl"].endswith(path)
    assert not report.get("runtimeError"), report.get("runtimeError")
    # 127.0.0.1 counts as a secure origin, as the published https site is.
    assert report["audits"]["is-on-https"]["score"] == 1
    scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
    problems = []
    for category, score in scores.items():
        if score != 1:
            problems.append(f"{category}: {score}")
            problems += failing_audits(report, category)
    assert not problems, f"Lighthouse on {path}:\n" + "\n".join(problems)
