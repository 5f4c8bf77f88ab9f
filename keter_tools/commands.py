"""What each command of tasks.py does: build, serve, check, test, translations, new, status,
review, publish, rollback and bench. A failure raises invoke's Exit with the exit code."""

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from invoke import Exit

from keter_site.core.project import ROOT
from keter_tools import build as site_build
from keter_tools.preview import HOST, OUTPUT


def _build(settings_file: str = "pelicanconf.py", output: Path = OUTPUT, overrides: dict[str, Any] | None = None,
           use_cache: bool = True) -> None:
    """Build and report; a failed build (its report already printed) ends the command with exit code 1."""
    if not site_build.build_and_report(settings_file, output, overrides, use_cache).ok:
        raise Exit(code=1)


def build() -> None:
    """Build the development site into output/ (the last good site stays if the build fails)."""
    _build()


def rebuild() -> None:
    """Build from scratch, ignoring Pelican's content cache."""
    _build(use_cache=False)


def preview() -> None:
    """Build with the production settings (publishconf.py) into output/."""
    _build("publishconf.py", use_cache=False)


def serve(port: int = 8000) -> None:
    """Build, then serve the site at http://127.0.0.1:8000/ (and the signup form's local
    receiver, which keeps submissions in var/signups.jsonl)."""
    import threading

    from keter_tools import devserver, form_receiver

    _build()
    receiver = form_receiver.start_for_site()
    server = devserver.start(OUTPUT, HOST, port, headers=devserver.preview_headers())
    print(f"Serving the site at http://{HOST}:{server.server_address[1]}/ (Ctrl+C stops).")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        form_receiver.stop(receiver)


def check() -> None:
    """Build the site, then run the deeper checks: the Nu Html Checker on every page and a check
    that every link inside the site resolves."""
    from keter_tools import linkcheck, test_deps, validate_html

    test_deps.ensure_for_checks()  # Java and the HTML checker, on a fresh machine too
    _build(use_cache=False)
    code, errors = validate_html.validate(OUTPUT)
    pages = sum(1 for _ in OUTPUT.rglob("*.html"))
    if code != 0 or errors:
        print(f"HTML checker: {len(errors)} error(s):", *errors, sep="\n  ")
    else:
        print(f"HTML checker: 0 errors in {pages} pages.")
    broken = linkcheck.check(OUTPUT)
    if broken:
        print(f"Link check: {len(broken)} broken link(s):", *broken, sep="\n  ")
    else:
        print(f"Link check: every link inside the site resolves ({pages} pages).")
    if code != 0 or errors or broken:
        raise Exit(code=1)


def lint() -> None:
    """ruff and mypy, configured in pyproject.toml: any finding stops the command."""
    for tool in (["ruff", "check", "--quiet"], ["mypy"]):
        code = subprocess.run([sys.executable, "-m", *tool], cwd=ROOT).returncode
        if code:
            print(f"{tool[0]} found problems (above): fix them before the tests run.", file=sys.stderr)
            raise Exit(code=code)


def test(k: str = "") -> None:
    """Install what the tests need when missing (Debian's chromium, npm packages), lint, then run
    the whole test suite."""
    from keter_tools import test_deps

    test_deps.ensure()
    lint()
    args = ["-k", k] if k else []
    code = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT).returncode
    if code:
        raise Exit(code=code)


def translations(done: str = "", lang: str = "", settings: str = "pelicanconf.py") -> None:
    """Show every page by language: source, ok, stale or missing."""
    from collections import Counter

    from keter_site.translation_status import status

    site = site_build.load_settings(settings)
    languages = list(site["LANGUAGES"])
    source_lang = site.get("TRANSLATION_SOURCE_LANG", site["DEFAULT_LANG"])
    table = status.status_table(site["PATH"], languages, source_lang)
    if done or lang:
        if not (done and lang):
            raise Exit("Usage: bin/invoke translations --done PAGE --lang LANG", code=2)
        if done not in table or lang not in table[done][1] or lang == source_lang:
            raise Exit(f"No {lang} translation of page '{done}' (languages: {', '.join(languages)}; "
                       f"the source language is {source_lang}).", code=1)
        files = table[done][1]
        value = status.mark_done(files[lang], files[source_lang])
        print(f"{files[lang]}: marked up to date ({status.HASH_KEY}: {value}).")
        return
    width = max(len(s) for s in table) if table else 4
    print("page".ljust(width) + "".join(f"  {lang:<8}" for lang in languages))
    for slug, (row, _) in table.items():
        print(slug.ljust(width) + "".join(f"  {row[lang]:<8}" for lang in languages))
    counts = Counter(state for row, _ in table.values() for state in row.values())
    print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


# What `invoke new` writes: the front matter's values (written as YAML by
# keter_site.core.front_matter.render, quoted where YAML needs it) and the body.
NEW_PAGE = ({"title": "{mark} the page title in {name}", "slug": "{slug}", "lang": "{lang}",
             "description": "{mark} one sentence for search results, at most 160 characters"},
            """{mark} write the page here. Start each section with "## " and a heading.""")
NEW_ARTICLE = ({"title": "{mark} the article's title in {name}", "slug": "{slug}", "lang": "{lang}",
                "date": "{today}", "summary": "{mark} one or two sentences shown in the list of articles",
                "description": "{mark} one sentence for search results, at most 160 characters"},
               """{mark} write the article here. Start each section with "## " and a heading. If it states medical
facts, add `medical: true` to the front matter and cite every source with its marker, such as [@glue2017].""")


def new(slug: str, article: bool = False, lang: str = "", settings: str = "pelicanconf.py") -> None:
    """Create a page (or, with --article, an article) in every language, or in --lang only for
    an article, with all required front matter (never overwrites)."""
    import re
    from datetime import date

    from keter_tools.cms_api import SLUG

    if not re.fullmatch(SLUG, slug):
        raise Exit(f"'{slug}' cannot be an address: use lowercase English letters, digits and "
                   "hyphens, such as `side-effects`.", code=2)
    site = site_build.load_settings(settings)
    languages = site["LANGUAGES"]
    if lang and lang not in languages:
        raise Exit(f"Unknown language '{lang}': use one of {', '.join(languages)}.", code=2)
    if lang and not article:
        raise Exit("A page exists in every language: --lang is for articles only (--article).", code=2)
    content = Path(site["PATH"])
    folder = "articles/" if article else ""
    targets = {code: content / code / f"{folder}{slug}.md" for code in ([lang] if lang else languages)}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing:
        raise Exit(f"Not created: {', '.join(existing)} already exist(s). Choose another slug or "
                   "edit the existing one.", code=1)
    from keter_site.core import front_matter

    values, body = NEW_ARTICLE if article else NEW_PAGE
    for code, path in targets.items():
        fill = {"mark": site["PLACEHOLDER_MARK"], "slug": slug, "lang": code,
                "name": languages[code]["name"], "today": date.today().isoformat()}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter.render({key: value.format(**fill) for key, value in values.items()},
                                            body.format(**fill)), encoding="utf-8")
        print(f"Created {path}")
    print(f"Replace every {site['PLACEHOLDER_MARK']} line; a publish build refuses pages that still have one.")


def status(settings: str = "pelicanconf.py") -> None:
    """Launch readiness, page by page: translations, medical review, placeholders; the clinic facts still marked
    EXAMPLE; who may sign reviews and whether that list changed. Exits 1 while anything would stop a publish."""
    from keter_tools import readiness

    site = site_build.load_settings(settings)
    languages = list(site["LANGUAGES"])
    rows = readiness.pages(site)
    width = max(len(r.key) for r in rows)
    print("page".ljust(width) + "".join(f"  {lang:<9}" for lang in languages) + "  medical review")
    blocking = 0
    for row in rows:
        print(row.key.ljust(width) + "".join(f"  {row.translations.get(lang, '-'):<9}" for lang in languages)
              + f"  {readiness.review_label(row.review)}" + ("  PLACEHOLDER" if row.placeholders else ""))
        blocking += bool(row.problems())
    examples = readiness.example_values(site)
    print(f"\nClinic facts still EXAMPLE in content/data/clinic.yml ({len(examples)}): "
          + (", ".join(examples) or "none"))
    print("\n" + "\n".join(readiness.signers_report(site)))
    ready = not blocking and not examples
    verdict = ("Ready to publish." if ready else f"Not ready to publish: {blocking} page(s) and "
               f"{len(examples)} clinic fact(s) to finish. A staging preview is possible: "
               "bin/invoke publish --staging.")
    print("\n" + verdict)
    if not ready:
        raise Exit(code=1)


def review(pending: bool = False, out: str = "var/medical-review.html", approve: str = "", release: str = "",
           key: str = "", settings: str = "pelicanconf.py") -> None:
    """Medical review: the physician's document (--pending); the physician's signature (--approve,
    --release), made with their own SSH key (docs/editing.md, "Medical review")."""
    from keter_tools import review_document, sign_page

    site = site_build.load_settings(settings)
    document = ROOT / out
    if pending:
        try:
            text, keys = review_document.build(site)
        except review_document.Unreadable as error:
            raise Exit(str(error), code=1)
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(text, encoding="utf-8")
        print(f"{document}: {len(keys)} page(s) for the physician: {', '.join(keys) or 'none'}.")
        return
    if bool(approve) == bool(release):
        raise Exit("Usage: bin/invoke review --pending; then, by the physician, bin/invoke review --approve PAGE "
                   "(or --release PAGE) [--key PATH] (docs/editing.md, \"Medical review\").", code=2)
    page, kind = (approve, "approval") if approve else (release, "release")
    try:
        path, signer = sign_page.sign(site, page, kind, key or None, document if approve else None)
    except sign_page.Refused as error:
        raise Exit(f"Not signed: {error}", code=1)
    print(f"{path}: {kind} of '{page}' signed by {signer.principal} ({signer.fingerprint}).")


def publish(target: str = "", dry_run: bool = False, staging: bool = False, settings: str = "publishconf.py",
            from_: str = "") -> None:
    """Build with the production settings, run every check (launch readiness included), then
    deploy (docs/deploying.md). Any failure stops the publish and leaves the live site as it was."""
    from keter_tools import test_deps
    from keter_tools.deploy import pipeline
    from keter_tools.deploy.common import deploying

    if staging:
        os.environ["STAGING"] = "1"  # read by publishconf.py
    test_deps.ensure_for_checks()  # the publish runs the HTML checker: Java and npm packages
    site_build.setup_logging()
    with deploying():
        pipeline.publish(settings, target or None, dry_run, checked=from_ or None)


def rollback(to: str = "", target: str = "", settings: str = "publishconf.py", list_: bool = False) -> None:
    """Switch the live site back to the previous release (rsync target); `list_`: print the
    releases on the server, newest first, and which is live."""
    from keter_tools.deploy import pipeline
    from keter_tools.deploy.common import deploying

    with deploying():
        if list_:
            for release in pipeline.releases(settings, target or None):
                print(pipeline.release_line(release))
            return
        pipeline.rollback(settings, target or None, to or None)


def _bench(script: str, *args: object, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run bench/<script>.py from the project's folder, echoing and returning its output."""
    result = subprocess.run([sys.executable, "-m", f"bench.{script}", *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True)
    print(result.stdout, result.stderr, sep="", end="")
    if check and result.returncode:
        raise Exit(code=result.returncode)
    return result


def bench() -> None:
    """Measure build times against bare Pelican, livereload's save-to-page time, every page's weight against the
    14,600-byte budget, Lighthouse Performance and instant navigation; the tables go to docs/performance.md."""
    import tempfile

    from keter_tools import test_deps

    test_deps.ensure()
    sections = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for script, title in (("build_bench", "Build"), ("articles_bench", "Articles")):
            _bench(script, "--markdown", tmp / f"{script}.md", check=True)
            sections.append((title, (tmp / f"{script}.md").read_text(encoding="utf-8")))
        # The pages as published: production settings, minified and precompressed.
        env = {"SITEURL": os.environ.get("SITEURL", "https://www.keter-health.example"),
               "SIGNUP_ENDPOINT": os.environ.get("SIGNUP_ENDPOINT", "https://forms.keter-health.example/signup")}
        site = tmp / "publish"
        # The pages as they will be published; launch readiness (reviews, EXAMPLE details) is
        # what the publish enforces, not what the pages weigh, so it is not asked for here.
        os.environ.update(env)
        _build("publishconf.py", site, {"LAUNCH_CHECKS": False}, use_cache=False)
        weight = _bench("page_weight", site, "--site-url", env["SITEURL"])
        sections.append(("Page weight (publish build)", "```\n" + weight.stdout.strip() + "\n```"))
        lighthouse = _bench("lighthouse_perf", site)
        sections.append(("Lighthouse Performance (mobile preset)", "```\n" + lighthouse.stdout.strip() + "\n```"))
        # Click to content with and without the speculation rules (instant navigation): a
        # development build, whose links are relative, served locally.
        local = tmp / "local"
        _build("pelicanconf.py", local, use_cache=False)
        click = _bench("click_to_content", local, "--markdown", tmp / "click.md")
        sections.append(("Instant navigation: click to content, with and without the speculation rules",
                         (tmp / "click.md").read_text(encoding="utf-8") if (tmp / "click.md").exists()
                         else "```\n" + (click.stdout + click.stderr).strip() + "\n```"))
    stamp = time.strftime("%Y-%m-%d")
    report = [f"# Performance figures\n\nMeasured by `bin/invoke bench` on {stamp} (2 cores; figures vary by machine).\n"]
    report += [f"## {title}\n\n{body}\n" for title, body in sections]
    (ROOT / "docs" / "performance.md").write_text("\n".join(report), encoding="utf-8")
    print("Written: docs/performance.md")
