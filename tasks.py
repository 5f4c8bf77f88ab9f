"""Everyday commands, run as `bin/invoke NAME` (or `invoke NAME` inside the project's venv).

Names follow pelican-quickstart's: build, rebuild, serve, livereload, preview, check, test.
"""

import gc
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from invoke import Exit, task

from keter_site.core.project import ROOT
from keter_site.tooling import build as site_build

OUTPUT = ROOT / "output"
CACHE = ROOT / ".cache"
HOST = "127.0.0.1"
GC_DELAY = 0.5  # seconds after a rebuild: the browser has its page by then


def _build(settings_file="pelicanconf.py", overrides=None, use_cache=True):
    return site_build.build_and_report(settings_file, OUTPUT, overrides, use_cache)


@task
def build(c):
    """Build the development site into output/ (the last good site stays if the build fails)."""
    if not _build().ok:
        raise Exit(code=1)


@task
def rebuild(c):
    """Build from scratch, ignoring Pelican's content cache."""
    shutil.rmtree(CACHE / "pelican", ignore_errors=True)
    if not _build(use_cache=False).ok:
        raise Exit(code=1)


@task
def preview(c):
    """Build with the production settings (publishconf.py) into output/."""
    if not _build("publishconf.py", use_cache=False).ok:
        raise Exit(code=1)


def _serve_forever(port):
    from keter_site.tooling import devserver

    server = devserver.start(OUTPUT, HOST, port, headers=devserver.preview_headers())
    print(f"Serving the site at http://{HOST}:{server.server_address[1]}/ (Ctrl+C stops).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


@task
def serve(c, port=8000):
    """Build, then serve the site at http://127.0.0.1:8000/ (and the signup form's local
    receiver, which keeps submissions in var/signups.jsonl)."""
    from keter_site.tooling import form_receiver

    if not _build().ok:
        raise Exit(code=1)
    receiver = form_receiver.start_for_site()
    try:
        _serve_forever(port)
    finally:
        form_receiver.stop(receiver)


@task(help={"port": "the preview's port (default 8000; 0: any free port, printed once it listens)",
            "settings": "settings file (default pelicanconf.py)",
            "output": "the folder to build into and serve (default output/)"})
def livereload(c, port=8000, settings="pelicanconf.py", output=""):
    """Serve the site and rebuild it, reloading the browser, whenever content, templates,
    static files, UI strings or settings change. A failed build keeps the last good site."""
    _livereload(port, settings, output,
                restart_args=lambda port: ["livereload", "--port", port, "--settings", settings, "--output", output])


def _livereload(port, settings, output, *, restart_args, admin=None, on_ready=None, on_restart=None, on_change=None):
    """The live preview. `restart_args(port)`: the invoke task and options that start this same
    preview again, when a change to the site's Python needs a fresh process."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop, PeriodicCallback

    from keter_site.incremental import State
    from keter_site.tooling import devserver, form_receiver, processes, watch

    output = Path(output).resolve() if output else OUTPUT
    # Stopped with SIGTERM too (a service manager, a test), not only Ctrl+C, the clean-up below
    # runs: the form receiver, the next build's folder, and decap-server under `invoke edit`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    incremental = State()  # after an edit, only the pages it affects are rendered again
    # Builds pause Python's garbage collector (keter_site.tooling.build); the preview keeps it
    # off between builds too and collects once the browser has been told to reload, so that a
    # collection (up to a tenth of a second: a build's documents refer to each other, and only
    # the collector frees them) never holds up the reloaded page or the next build.
    gc.disable()

    def build_now(full):
        state.begin()
        result = site_build.build_and_report(settings, output, incremental=incremental, full=full)
        state.record(result)

    state = devserver.BuildState()
    build_now(full=True)
    bound = {"port": port}
    # Our WSGI app serves the last good build (with a banner while the latest build failed);
    # livereload adds its reload script to every page and tells the browser to reload.
    class _Server(Server):
        def get_web_handlers(self, script):
            handlers = super().get_web_handlers(script)
            if admin is None:
                return handlers
            from tornado.web import FallbackHandler
            from tornado.wsgi import WSGIContainer

            editor = WSGIContainer(admin(lambda: bound["port"], state))
            return [(r"/admin(?:/.*)?", FallbackHandler, {"fallback": editor}), *handlers]

        def application(self, port, host, liveport=None, debug=None, live_css=True):
            # livereload's own, with two changes: its script is a file of the preview (the
            # pages' Content-Security-Policy, production's, refuses inline scripts), and every
            # request must name this preview in its Host (devserver.local_only says why).
            from livereload.handlers import ForceReloadHandler, LiveReloadJSHandler
            from livereload.server import LiveScriptInjector
            from tornado import web

            LiveReloadHandler.watcher = self.watcher
            LiveReloadHandler.live_css = live_css
            script = f'<script src="{devserver.RELOAD_SCRIPT_PATH}"></script>'.encode()

            class Transform(LiveScriptInjector):
                pass
            Transform.script = script

            class Starter(web.RequestHandler):
                def get(self):
                    self.set_header("Content-Type", "text/javascript; charset=utf-8")
                    self.set_header("Cache-Control", "no-store")
                    self.write(devserver.RELOAD_SCRIPT)

            class Misdirected(web.RequestHandler):
                def prepare(self):
                    self.set_status(421)
                    self.set_header("Content-Type", "text/plain; charset=utf-8")
                    self.finish("This preview answers only at 127.0.0.1 or localhost, on its own port.")

            class LocalOnly(web.Application):
                def find_handler(self, request, **kwargs):
                    from keter_site.tooling.cms_gate import local_host

                    if not local_host(request.host, bound["port"]):
                        return self.get_handler_delegate(request, Misdirected)
                    return super().find_handler(request, **kwargs)

            handlers = [(r"/livereload", LiveReloadHandler), (r"/forcereload", ForceReloadHandler),
                        (r"/livereload.js", LiveReloadJSHandler), (devserver.RELOAD_SCRIPT_PATH, Starter),
                        *self.get_web_handlers(script)]
            LocalOnly(handlers=handlers, debug=False, transforms=[Transform]).listen(port, address=host)

    server = _Server(app=devserver.make_app(output, state, devserver.preview_headers()))
    # livereload polls its own watch list every 800 ms on the server's thread, and with an empty
    # list it walks the whole working folder (node_modules too), holding up every rebuild by up
    # to a second. Our watcher (tooling.watch) does the watching: livereload gets one path that
    # never exists.
    server.watch(str(output.parent / ".livereload-watches-nothing"))
    loop = IOLoop.current()
    gc.collect()
    # Serving pages makes garbage too: collected once a minute while no one saves.
    PeriodicCallback(gc.collect, 60_000).start()

    def ready():
        # Runs once the loop has started, so the preview listens. Asked for port 0, it took
        # one the kernel chose (no race with another program for a port found free): the
        # kernel tells which; the form receiver's is the one other port this process holds.
        if not port:
            others = {receiver.server_address[1]} if receiver else set()
            ports = processes.listening_ports(os.getpid()) - others
            if len(ports) != 1:
                sys.exit(f"The live preview could not tell which port it listens on: {sorted(ports)}.")
            bound["port"] = ports.pop()
        print(f"The live preview: http://{HOST}:{bound['port']}/ (Ctrl+C stops it).", flush=True)
        if on_ready:
            on_ready(bound["port"])

    loop.add_callback(ready)

    def rebuild(kind):
        # Called from the file watcher's thread: the build runs on the server's own (main)
        # thread, where a page that takes too long to convert can be stopped (source_files).
        loop.add_callback(rebuild_now, kind)

    def rebuild_now(kind):
        if kind == "code":
            # Python keeps the modules it imported (Pelican its plugins): only a fresh process
            # runs edited code. Replace this one; the browser's livereload script reconnects.
            print("The site's Python code changed: restarting the preview to load it.", flush=True)
            form_receiver.stop(receiver)
            incremental.close()
            if on_restart:
                on_restart()
            # The same command on the same port, also one the kernel chose: the open pages'
            # livereload scripts reconnect to it.
            args = ["-m", "invoke", "-r", ROOT, *restart_args(bound["port"])]
            os.execv(sys.executable, [sys.executable, *map(str, args)])
        # Templates, UI strings, styles and data change how every page is made: every page is
        # rendered again, and every file read again.
        build_now(full=kind != "content")
        LiveReloadHandler.reload_waiters()
        loop.call_later(GC_DELAY, gc.collect)

    content = Path(site_build.load_settings(settings)["PATH"]).resolve()
    watch.start(rebuild, content=content, on_change=on_change)
    # The signup form posts to a local receiver (var/signups.jsonl), so it works end to end.
    receiver = form_receiver.start_for_site()
    try:
        # debug=False: livereload would otherwise turn on tornado's autoreload, a second watcher
        # of Python files that restarts the process with its first arguments (port 0 would
        # then be a new port). Ours (tooling.watch) restarts it on the port it has.
        server.serve(host=HOST, port=port, debug=False)
    finally:
        form_receiver.stop(receiver)
        incremental.close()


@task(help={"port": "the preview's port (default 8000; 0: any free port, printed once it listens)",
            "no_browser": "do not open the browser",
            "settings": "settings file (default pelicanconf.py)",
            "output": "the folder to build into and serve (default output/)"})
def edit(c, port=8000, no_browser=False, settings="pelicanconf.py", output=""):
    """The browser editor at http://127.0.0.1:8000/admin/ with the live preview (development only,
    never published). Installs what it needs on first use. Each save is a git commit."""
    import webbrowser

    from keter_site.tooling import cms, cms_api, cms_desk, cms_endpoints, cms_gate, cms_saves, devserver

    site_settings = _site_settings(settings)
    if not cms_saves.is_repository(ROOT):
        raise Exit("The browser editor records every save in git, and this folder is not a git repository: "
                   "work in a clone of the project (git clone ...).", code=1)
    try:
        cms.ensure_installed()
        server = cms.start_server(ROOT, log=sys.stdout)
    except cms.EditorError as error:
        raise Exit(str(error), code=1)
    # The session's key survives a restart of the preview (a change to the site's Python): the
    # open editor keeps working. The environment is readable by this user only.
    key = os.environ.setdefault("KETER_EDITOR_KEY", cms_gate.new_key())
    backend = cms_api.Backend(ROOT, server.socket, site_settings)

    def admin(port, state):
        gate = cms_gate.Gate(key, port)
        files = lambda name: cms.admin_file(name, site_settings, key)  # noqa: E731
        desk = cms_desk.Desk(ROOT, site_settings, state)
        return devserver.make_admin_app(files, cms.admin_headers(), gate, backend,
                                        cms_endpoints.Endpoints(backend, site_settings, state, desk))

    opened = []  # the files that opened the browser (they hold the key): removed when the editor stops

    def ready(preview_port):
        url = f"http://{HOST}:{preview_port}/admin/?key={key}"
        print(f"The editor: http://{HOST}:{preview_port}/admin/ (open it with {url} ; "
              "Ctrl+C stops it).", flush=True)
        if not no_browser:
            opener = cms.open_file(url)
            opened.append(opener.parent)
            webbrowser.open(opener.as_uri())

    try:
        _livereload(port, settings, output, admin=admin, on_ready=ready, on_restart=lambda: cms.stop_server(server),
                    # the same port again, and no second browser window.
                    restart_args=lambda port: ["edit", "--port", port, "--no-browser",
                                               "--settings", settings, "--output", output])
    finally:
        cms.stop_server(server)
        for folder in opened:
            shutil.rmtree(folder, ignore_errors=True)


@task
def check(c):
    """Build the site, then run the deeper checks: the Nu Html Checker on every page and a check
    that every link inside the site resolves."""
    from keter_site.tooling import linkcheck, test_deps, validate_html

    test_deps.ensure_for_checks()  # Java and the HTML checker, on a fresh machine too
    if not _build(use_cache=False).ok:
        raise Exit(code=1)
    failed = False
    code, errors = validate_html.validate(OUTPUT)
    pages = sum(1 for _ in OUTPUT.rglob("*.html"))
    if code != 0 or errors:
        failed = True
        print(f"HTML checker: {len(errors)} error(s):", *errors, sep="\n  ")
    else:
        print(f"HTML checker: 0 errors in {pages} pages.")
    broken = linkcheck.check(OUTPUT)
    if broken:
        failed = True
        print(f"Link check: {len(broken)} broken link(s):", *broken, sep="\n  ")
    else:
        print(f"Link check: every link inside the site resolves ({pages} pages).")
    if failed:
        raise Exit(code=1)


@task(help={"k": "only tests whose name matches this pytest -k expression"})
def test(c, k=""):
    """Install what the tests need when missing (Debian's chromium, npm packages), then run
    the whole test suite."""
    from keter_site.tooling import test_deps

    test_deps.ensure()
    args = ["-k", k] if k else []
    c.run(" ".join([sys.executable, "-m", "pytest", *args]), pty=False)


def _site_settings(settings_file="pelicanconf.py"):
    return site_build.load_settings(settings_file)


@task(help={"done": "PAGE: mark this page's translation as brought up to date with its source",
            "lang": "LANG: the translation's language, with --done",
            "settings": "settings file (default pelicanconf.py)"})
def translations(c, done="", lang="", settings="pelicanconf.py"):
    """Show every page by language: source, ok, stale or missing."""
    from keter_site.translation_status import status

    settings = _site_settings(settings)
    languages = list(settings["LANGUAGES"])
    source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
    table = status.status_table(settings["PATH"], languages, source_lang)
    if done or lang:
        slug = done
        if not (slug and lang):
            raise Exit("Usage: bin/invoke translations --done PAGE --lang LANG", code=2)
        if slug not in table or lang not in table[slug][1] or lang == source_lang:
            raise Exit(f"No {lang} translation of page '{slug}' (languages: {', '.join(languages)}; "
                       f"the source language is {source_lang}).", code=1)
        row, files = table[slug]
        value = status.mark_done(files[lang], files[source_lang])
        print(f"{files[lang]}: marked up to date ({status.HASH_KEY}: {value}).")
        return
    width = max(len(s) for s in table) if table else 4
    print("page".ljust(width) + "".join(f"  {lang:<8}" for lang in languages))
    for slug, (row, _) in table.items():
        print(slug.ljust(width) + "".join(f"  {row[lang]:<8}" for lang in languages))
    counts = {}
    for row, _ in table.values():
        for state in row.values():
            counts[state] = counts.get(state, 0) + 1
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


@task(help={"article": "create an article (content/<lang>/articles/) instead of a page",
            "lang": "LANG: only this language (an article may exist in one language only)",
            "settings": "settings file (default pelicanconf.py)"})
def new(c, slug, article=False, lang="", settings="pelicanconf.py"):
    """Create a page (or, with --article, an article) in every language, or in --lang only for
    an article, with all required front matter (never overwrites)."""
    import re
    from datetime import date

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise Exit(f"'{slug}' cannot be an address: use lowercase English letters, digits and "
                   "hyphens, such as `side-effects`.", code=2)
    settings = _site_settings(settings)
    languages = settings["LANGUAGES"]
    if lang and lang not in languages:
        raise Exit(f"Unknown language '{lang}': use one of {', '.join(languages)}.", code=2)
    if lang and not article:
        raise Exit("A page exists in every language: --lang is for articles only (--article).", code=2)
    content = Path(settings["PATH"])
    folder = "articles/" if article else ""
    targets = {code: content / code / f"{folder}{slug}.md" for code in ([lang] if lang else languages)}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing:
        raise Exit(f"Not created: {', '.join(existing)} already exist(s). Choose another slug or "
                   "edit the existing one.", code=1)
    from keter_site.core import front_matter

    values, body = NEW_ARTICLE if article else NEW_PAGE
    for code, path in targets.items():
        fill = {"mark": settings["PLACEHOLDER_MARK"], "slug": slug, "lang": code,
                "name": languages[code]["name"], "today": date.today().isoformat()}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter.render({key: value.format(**fill) for key, value in values.items()},
                                            body.format(**fill)), encoding="utf-8")
        print(f"Created {path}")
    print(f"Replace every {settings['PLACEHOLDER_MARK']} line; a publish build refuses pages that still have one.")


@task(help={"settings": "settings file (default pelicanconf.py)"})
def status(c, settings="pelicanconf.py"):
    """Launch readiness, page by page: translations, medical review, placeholders; the clinic
    facts still marked EXAMPLE; who may sign reviews and whether that list changed. Exits 1
    while anything would stop a publish."""
    from keter_site.tooling import readiness

    settings = _site_settings(settings)
    languages = list(settings["LANGUAGES"])
    rows = readiness.pages(settings)
    width = max(len(r.key) for r in rows)
    print("page".ljust(width) + "".join(f"  {lang:<9}" for lang in languages) + "  medical review")
    blocking = 0
    for row in rows:
        print(row.key.ljust(width) + "".join(f"  {row.translations.get(lang, '-'):<9}" for lang in languages)
              + f"  {readiness.review_label(row.review)}" + ("  PLACEHOLDER" if row.placeholders else ""))
        blocking += bool(row.problems())
    examples = readiness.example_values(settings)
    print(f"\nClinic facts still EXAMPLE in content/data/clinic.yml ({len(examples)}): "
          + (", ".join(examples) or "none"))
    print("\n" + "\n".join(readiness.signers_report(settings)))
    ready = not blocking and not examples
    verdict = ("Ready to publish." if ready else f"Not ready to publish: {blocking} page(s) and "
               f"{len(examples)} clinic fact(s) to finish. A staging preview is possible: "
               "bin/invoke publish --staging.")
    print("\n" + verdict)
    if not ready:
        raise Exit(code=1)


@task(help={"pending": "write the physician's review document of every page awaiting review",
            "out": "the review document's file (default var/medical-review.html); --approve signs only "
                   "the text this document shows",
            "approve": "PAGE: the physician signs their approval of this page's current text",
            "release": "PAGE: the physician signs this page's release from medical review "
                       "(after `medical: true` was removed)",
            "key": "the physician's private key file (default: the listed key ssh-agent holds; a .pub "
                   "file: its private half is in ssh-agent)",
            "settings": "settings file (default pelicanconf.py)"})
def review(c, pending=False, out="var/medical-review.html", approve="", release="", key="",
           settings="pelicanconf.py"):
    """Medical review: the physician's document (--pending); the physician's signature (--approve,
    --release), made with their own SSH key (docs/editing.md, "Medical review")."""
    from keter_site.medical_review import sign_page
    from keter_site.tooling import review_document

    settings = _site_settings(settings)
    document = ROOT / out
    if pending:
        text, keys = review_document.build(settings)
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(text, encoding="utf-8")
        print(f"{document}: {len(keys)} page(s) for the physician: {', '.join(keys) or 'none'}.")
        return
    if bool(approve) == bool(release):
        raise Exit("Usage: bin/invoke review --pending; then, by the physician, bin/invoke review --approve PAGE "
                   "(or --release PAGE) [--key PATH] (docs/editing.md, \"Medical review\").", code=2)
    page, kind = (approve, "approval") if approve else (release, "release")
    try:
        path, signer = sign_page.sign(settings, page, kind, key or None, document if approve else None)
    except sign_page.Refused as error:
        raise Exit(f"Not signed: {error}", code=1)
    print(f"{path}: {kind} of '{page}' signed by {signer.principal} ({signer.fingerprint}).")


@task(help={"target": "where to publish: rsync or s3 (default: DEPLOY_TARGET in publishconf.py)",
            "dry_run": "print what would be sent and removed, and change nothing",
            "staging": "a preview for the clinic before launch: builds even if not ready, marked "
                       "'preview' on every page and kept out of search engines",
            "settings": "settings file to build with (default publishconf.py)",
            "from_": "FOLDER: publish this folder, built and checked earlier by "
                     "`python -m keter_site.tooling.deploy build --out FOLDER`, without building again"})
def publish(c, target="", dry_run=False, staging=False, settings="publishconf.py", from_=""):
    """Build with the production settings, run every check (launch readiness included), then
    deploy (docs/deploying.md). Any failure stops the publish and leaves the live site as it was."""
    from keter_site.tooling.deploy import pipeline
    from keter_site.tooling.deploy.common import INTERRUPTED, DeployError

    from keter_site.tooling import test_deps

    if staging:
        os.environ["STAGING"] = "1"  # read by publishconf.py
    test_deps.ensure_for_checks()  # the publish runs the HTML checker: Java and npm packages
    site_build.setup_logging()
    try:
        pipeline.publish(settings, target or None, dry_run, checked=from_ or None)
    except DeployError as error:
        print(error, file=sys.stderr)
        raise Exit(code=1)
    except KeyboardInterrupt:
        print(f"\n{INTERRUPTED}", file=sys.stderr)
        raise Exit(code=130)


@task(help={"to": "the release to switch to (default: the one before the current one)",
            "target": "rsync (the only target with releases)",
            "settings": "settings file (default publishconf.py)",
            "list": "list the releases on the server, newest first, and which is live"})
def rollback(c, to="", target="", settings="publishconf.py", list_=False):
    """Switch the live site back to the previous release (rsync target); --list: the releases."""
    from keter_site.tooling.deploy import pipeline
    from keter_site.tooling.deploy.common import DeployError

    try:
        if list_:
            for release in pipeline.releases(settings, target or None):
                print(pipeline.release_line(release))
            return
        pipeline.rollback(settings, target or None, to or None)
    except DeployError as error:
        print(error, file=sys.stderr)
        raise Exit(code=1)


@task
def bench(c):
    """Measure: build times against bare Pelican (real and generated sites, generated articles),
    livereload's save-to-page time, every page's weight against the 14,600-byte budget, and Lighthouse
    Performance. Prints the tables and keeps them in docs/performance.md."""
    import tempfile

    from keter_site.tooling import test_deps

    test_deps.ensure()
    sections = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        c.run(f"{sys.executable} bench/build_bench.py --markdown {tmp / 'build.md'}")
        sections.append(("Build", (tmp / "build.md").read_text(encoding="utf-8")))
        c.run(f"{sys.executable} bench/articles_bench.py --markdown {tmp / 'articles.md'}")
        sections.append(("Articles", (tmp / "articles.md").read_text(encoding="utf-8")))
        # The pages as published: production settings, minified and precompressed.
        env = {"SITEURL": os.environ.get("SITEURL", "https://www.keter-health.example"),
               "SIGNUP_ENDPOINT": os.environ.get("SIGNUP_ENDPOINT", "https://forms.keter-health.example/signup")}
        site = tmp / "publish"
        # The pages as they will be published; launch readiness (reviews, EXAMPLE details) is
        # what the publish enforces, not what the pages weigh, so it is not asked for here.
        os.environ.update(env)
        if not site_build.build_and_report("publishconf.py", site, {"LAUNCH_CHECKS": False}, use_cache=False).ok:
            raise Exit(code=1)
        weight = c.run(f"{sys.executable} bench/page_weight.py {site} --site-url {env['SITEURL']}", warn=True, env=env)
        sections.append(("Page weight (publish build)", "```\n" + weight.stdout.strip() + "\n```"))
        lighthouse = c.run(f"{sys.executable} bench/lighthouse_perf.py {site}", warn=True)
        sections.append(("Lighthouse Performance (mobile preset)", "```\n" + lighthouse.stdout.strip() + "\n```"))
        # Click to content with and without the speculation rules (instant navigation): a
        # development build, whose links are relative, served locally.
        local = tmp / "local"
        if not site_build.build_and_report("pelicanconf.py", local, use_cache=False).ok:
            raise Exit(code=1)
        click = c.run(f"{sys.executable} bench/click_to_content.py {local} --markdown {tmp / 'click.md'}", warn=True)
        sections.append(("Instant navigation: click to content, with and without the speculation rules",
                         (tmp / "click.md").read_text(encoding="utf-8") if (tmp / "click.md").exists()
                         else "```\n" + (click.stdout + click.stderr).strip() + "\n```"))
    stamp = time.strftime("%Y-%m-%d")
    report = [f"# Performance figures\n\nMeasured by `bin/invoke bench` on {stamp} (2 cores; figures vary by machine).\n"]
    report += [f"## {title}\n\n{body}\n" for title, body in sections]
    (ROOT / "docs" / "performance.md").write_text("\n".join(report), encoding="utf-8")
    print("Written: docs/performance.md")
