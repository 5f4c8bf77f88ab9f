"""Lighthouse 12.2.3 (mobile, the default form factor) scores 100 for Accessibility, Best
Practices and SEO once per page type and language (the home page, a content page, the FAQ with
its folding answers, the signup form), in the light and the dark colour scheme, run against the
real site served on 127.0.0.1 in Debian's Chromium. (Performance is a timing: the
benchmark measures it, bench/lighthouse_perf.py.)"""

import json
import os
import subprocess

import pytest

from tests.support.browser import CHROMIUM
from tests.support.sites import ROOT

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["accessibility", "best-practices", "seo"]
# Every other page is a content page made by the same template as /anxiety/ (axe checks them all).
PATHS = ["/", "/en/", "/anxiety/", "/en/anxiety/", "/faq/", "/en/faq/", "/signup/", "/en/signup/"]
SCHEMES = ["light", "dark"]


BATCH = ROOT / "tests" / "support" / "lighthouse_batch.mjs"


@pytest.fixture(scope="module")
def reports(site_url):
    """Lighthouse's result for every path in each colour scheme, from one Node process and one
    Chromium per scheme."""
    assert LIGHTHOUSE.exists(), "npm install (package.json) puts lighthouse into node_modules"
    found = {}
    for scheme in SCHEMES:
        result = subprocess.run(["node", str(BATCH), ",".join(CATEGORIES), *(site_url + path for path in PATHS)],
                                capture_output=True, text=True, timeout=900, cwd=ROOT,
                                env={**os.environ, "CHROME_PATH": CHROMIUM, "COLOR_SCHEME": scheme})
        assert result.returncode == 0, result.stderr[-3000:]
        found.update({(scheme, path): report for path, report in zip(PATHS, json.loads(result.stdout))})
    return found


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


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PATHS)
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(reports, path, scheme):
    report = reports[(scheme, path)]
    assert report["lighthouseVersion"] == "12.2.3"
    assert report["configSettings"]["formFactor"] == "mobile"
    assert not report.get("runtimeError"), report.get("runtimeError")
    # 127.0.0.1 counts as a secure origin, as the published https site is.
    assert report["audits"]["is-on-https"]["score"] == 1
    scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
    problems = []
    for category, score in scores.items():
        if score != 1:
            problems.append(f"{category}: {score}")
            problems += failing_audits(report, category)
    assert not problems, f"Lighthouse on {path} ({scheme}):\n" + "\n".join(problems)
