"""Everyday commands, run as `bin/invoke NAME` and named as pelican-quickstart's are (build, rebuild, serve, livereload,
preview, check, test); each task only names its options, and keter_tools (commands.py, preview.py) does the work.
"""

from invoke import Context, task

from keter_tools import commands
from keter_tools import preview as live_preview


@task
def build(c: Context) -> None:
    """Build the development site into output/ (the last good site stays if the build fails)."""
    commands.build()


@task
def rebuild(c: Context) -> None:
    """Build from scratch, ignoring Pelican's content cache."""
    commands.rebuild()


@task
def preview(c: Context) -> None:
    """Build with the production settings (publishconf.py) into output/."""
    commands.preview()


@task
def serve(c: Context, port: int = 8000) -> None:
    """Build, then serve the site at http://127.0.0.1:8000/ (and the signup form's local
    receiver, which keeps submissions in var/signups.jsonl)."""
    commands.serve(port)


@task(help={"port": "the preview's port (default 8000; 0: any free port, printed once it listens)",
            "settings": "settings file (default pelicanconf.py)",
            "output": "the folder to build into and serve (default output/)"})
def livereload(c: Context, port: int = 8000, settings: str = "pelicanconf.py", output: str = "") -> None:
    """Serve the site and rebuild it, reloading the browser, whenever content, templates,
    static files, UI strings or settings change. A failed build keeps the last good site."""
    live_preview.livereload(port, settings, output, restart_args=lambda port: [
        "livereload", "--port", port, "--settings", settings, "--output", output])


@task(help={"port": "the preview's port (default 8000; 0: any free port, printed once it listens)",
            "no_browser": "do not open the browser",
            "settings": "settings file (default pelicanconf.py)",
            "output": "the folder to build into and serve (default output/)"})
def edit(c: Context, port: int = 8000, no_browser: bool = False, settings: str = "pelicanconf.py",
         output: str = "") -> None:
    """The browser editor at http://127.0.0.1:8000/admin/ with the live preview (development only,
    never published). Installs what it needs on first use. Each save is a git commit."""
    live_preview.edit(port, no_browser, settings, output)


@task
def check(c: Context) -> None:
    """Build the site, then run the deeper checks: the Nu Html Checker on every page and a check
    that every link inside the site resolves."""
    commands.check()


@task(help={"k": "only tests whose name matches this pytest -k expression"})
def test(c: Context, k: str = "") -> None:
    """Install what the tests need when missing (Debian's chromium, npm packages), run ruff and
    mypy (zero findings), then the whole test suite."""
    commands.test(k)


@task
def lint(c: Context) -> None:
    """ruff and mypy over the product code and the tests, as `test` runs them first."""
    commands.lint()


@task(help={"done": "PAGE: mark this page's translation as brought up to date with its source",
            "lang": "LANG: the translation's language, with --done",
            "settings": "settings file (default pelicanconf.py)"})
def translations(c: Context, done: str = "", lang: str = "", settings: str = "pelicanconf.py") -> None:
    """Show every page by language: source, ok, stale or missing."""
    commands.translations(done, lang, settings)


@task(help={"article": "create an article (content/<lang>/articles/) instead of a page",
            "lang": "LANG: only this language (an article may exist in one language only)",
            "settings": "settings file (default pelicanconf.py)"})
def new(c: Context, slug: str, article: bool = False, lang: str = "", settings: str = "pelicanconf.py") -> None:
    """Create a page (or, with --article, an article) in every language, or in --lang only for
    an article, with all required front matter (never overwrites)."""
    commands.new(slug, article, lang, settings)


@task(help={"settings": "settings file (default pelicanconf.py)"})
def status(c: Context, settings: str = "pelicanconf.py") -> None:
    """Launch readiness, page by page: translations, medical review, placeholders; the clinic facts still marked
    EXAMPLE; who may sign reviews and whether that list changed. Exits 1 while anything would stop a publish."""
    commands.status(settings)


@task(help={"pending": "write the physician's review document of every page awaiting review",
            "out": "the review document's file (default var/medical-review.html); --approve signs only "
                   "the text this document shows",
            "approve": "PAGE: the physician signs their approval of this page's current text",
            "release": "PAGE: the physician signs this page's release from medical review "
                       "(after `medical: true` was removed)",
            "key": "the physician's private key file (default: the listed key ssh-agent holds; a .pub "
                   "file: its private half is in ssh-agent)",
            "settings": "settings file (default pelicanconf.py)"})
def review(c: Context, pending: bool = False, out: str = "var/medical-review.html", approve: str = "",
           release: str = "", key: str = "", settings: str = "pelicanconf.py") -> None:
    """Medical review: the physician's document (--pending); the physician's signature (--approve,
    --release), made with their own SSH key (docs/editing.md, "Medical review")."""
    commands.review(pending, out, approve, release, key, settings)


@task(help={"target": "where to publish: rsync or s3 (default: DEPLOY_TARGET in publishconf.py)",
            "dry_run": "print what would be sent and removed, and change nothing",
            "staging": "a preview for the clinic before launch: builds even if not ready, marked "
                       "'preview' on every page and kept out of search engines",
            "settings": "settings file to build with (default publishconf.py)",
            "from_": "FOLDER: publish this folder, built and checked earlier by "
                     "`python -m keter_tools.deploy build --out FOLDER`, without building again"})
def publish(c: Context, target: str = "", dry_run: bool = False, staging: bool = False,
            settings: str = "publishconf.py", from_: str = "") -> None:
    """Build with the production settings, run every check (launch readiness included), then
    deploy (docs/deploying.md). Any failure stops the publish and leaves the live site as it was."""
    commands.publish(target, dry_run, staging, settings, from_)


@task(help={"to": "the release to switch to (default: the one before the current one)",
            "target": "rsync (the only target with releases)",
            "settings": "settings file (default publishconf.py)",
            "list": "list the releases on the server, newest first, and which is live"})
def rollback(c: Context, to: str = "", target: str = "", settings: str = "publishconf.py", list_: bool = False) -> None:
    """Switch the live site back to the previous release (rsync target); --list: the releases."""
    commands.rollback(to, target, settings, list_)


@task
def bench(c: Context) -> None:
    """Measure build times against bare Pelican, livereload's save-to-page time, every page's weight against the
    14,600-byte budget, Lighthouse Performance and instant navigation; the tables go to docs/performance.md."""
    commands.bench()
