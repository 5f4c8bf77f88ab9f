"""The live preview (`invoke livereload`) and the browser editor around it (`invoke edit`):
serve the last good build, rebuild on save, reload the browser."""

import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.types import WSGIApplication

from invoke import Exit

from keter_site.core.project import ROOT
from keter_tools import build as site_build

if TYPE_CHECKING:  # for its type only: the preview's server loads when the preview starts
    from keter_tools.devserver import BuildState

OUTPUT = ROOT / "output"
HOST = "127.0.0.1"


def livereload(port: int, settings: str | Path, output: str | Path, *,
               restart_args: Callable[[int], Sequence[str | int]],
               admin: Callable[[Callable[[], int], "BuildState"], WSGIApplication] | None = None,
               on_ready: Callable[[int], None] | None = None, on_restart: Callable[[], None] | None = None) -> None:
    """The live preview. `restart_args(port)`: the invoke task and options that start this same
    preview again, when a change to the site's Python needs a fresh process."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from livereload.server import LiveScriptContainer
    from livereload.watcher import Watcher
    from tornado import web
    from tornado.httpserver import HTTPServer
    from tornado.httputil import HTTPServerRequest
    from tornado.ioloop import IOLoop
    from tornado.netutil import bind_sockets
    from tornado.routing import Matcher, Rule
    from tornado.wsgi import WSGIContainer

    from keter_site.incremental import State
    from keter_tools import devserver, form_receiver, watch

    output = Path(output).resolve() if output else OUTPUT
    # Stopped with SIGTERM too (a service manager, a test), not only Ctrl+C, the clean-up below
    # runs: the form receiver, and decap-server under `invoke edit`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    incremental = State()  # after an edit, only the pages it affects are rendered again

    def build_now(full: bool) -> None:
        state.begin()
        result = site_build.build_and_report(settings, output, incremental=incremental, full=full)
        state.record(result)

    state = devserver.BuildState()
    build_now(full=True)
    bound = {"port": port}

    # livereload's browser script and its socket, on an application of our own rather than
    # livereload's Server: the pages load the script through a file of the preview (their
    # Content-Security-Policy, production's, refuses inline scripts), every request must name
    # this preview in its Host (devserver.local_host says why), and keter_tools.watch watches.
    class Misdirected(web.RequestHandler):
        def prepare(self) -> None:
            self.set_status(421)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(devserver.MISDIRECTED)

    class LocalHost(Matcher):
        """Tornado's routing rule for a request whose Host names this preview."""

        def match(self, request: HTTPServerRequest) -> dict[str, Any] | None:
            return {} if devserver.local_host(request.host, bound["port"]) else None

    site = devserver.make_app(output, state, devserver.preview_headers())
    script = f'<script src="{devserver.RELOAD_SCRIPT_PATH}"></script>'.encode()
    handlers: list[Any] = [(r"/livereload", LiveReloadHandler), (r"/livereload.js", LiveReloadJSHandler)]
    if admin:
        editor = WSGIContainer(admin(lambda: bound["port"], state))
        handlers.append((r"/admin(?:/.*)?", web.FallbackHandler, {"fallback": editor}))
    handlers.append((r".*", web.FallbackHandler, {"fallback": LiveScriptContainer(site, script)}))
    LiveReloadHandler.watcher = Watcher()  # never started: its reload message names its last file (none)
    loop = IOLoop.current()

    def ready() -> None:
        # Runs once the loop has started, so the preview answers.
        print(f"The live preview: http://{HOST}:{bound['port']}/ (Ctrl+C stops it).", flush=True)
        if on_ready:
            on_ready(bound["port"])

    loop.add_callback(ready)

    def rebuild(kind: str) -> None:
        # Called from the file watcher's thread: the build runs on the server's own (main)
        # thread, where a page that takes too long to convert can be stopped (source_files).
        loop.add_callback(rebuild_now, kind)

    def rebuild_now(kind: str) -> None:
        if kind == "code":
            # Python keeps the modules it imported (Pelican its plugins): only a fresh process
            # runs edited code. Replace this one; the browser's livereload script reconnects.
            print("The site's Python code changed: restarting the preview to load it.", flush=True)
            form_receiver.stop(receiver)
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

    content = Path(site_build.load_settings(settings)["PATH"]).resolve()
    watch.start(rebuild, content=content)
    # The signup form posts to a local receiver (var/signups.jsonl), so it works end to end.
    receiver = form_receiver.start_for_site()
    try:
        # Asked for port 0, the kernel chooses one (no race with another program for a port
        # found free); the bound socket tells which.
        sockets = bind_sockets(port, address=HOST)
        bound["port"] = sockets[0].getsockname()[1]
        HTTPServer(web.Application([Rule(LocalHost(), handlers), (r".*", Misdirected)])).add_sockets(sockets)
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        form_receiver.stop(receiver)


def edit(port: int = 8000, no_browser: bool = False, settings: str = "pelicanconf.py", output: str = "") -> None:
    """The browser editor at http://127.0.0.1:8000/admin/ with the live preview (development only,
    never published). Installs what it needs on first use. Each save is a git commit."""
    import secrets
    import webbrowser

    from keter_tools import cms, cms_api, cms_endpoints, cms_gate, cms_saves, devserver

    site_settings = site_build.load_settings(settings)
    if not cms_saves.is_repository(ROOT):
        raise Exit("The browser editor records every save in git, and this folder is not a git repository: "
                   "work in a clone of the project (git clone ...).", code=1)
    try:
        cms.ensure_installed()
        server = cms.start_server(ROOT)
    except cms.EditorError as error:
        raise Exit(str(error), code=1)
    # The session's key survives a restart of the preview (a change to the site's Python): the
    # open editor keeps working. The environment is readable by this user only.
    key = os.environ.setdefault("KETER_EDITOR_KEY", secrets.token_urlsafe(32))
    backend = cms_api.Backend(ROOT, server.socket, site_settings)

    def admin(port: Callable[[], int | None], state: devserver.BuildState) -> WSGIApplication:
        endpoints = cms_endpoints.Endpoints(backend, site_settings, state)
        return cms_gate.admin_app(cms_gate.Gate(key, port), site_settings, backend, endpoints)

    opened: list[Path] = []  # the files that opened the browser (they hold the key): removed when the editor stops

    def ready(preview_port: int) -> None:
        url = f"http://{HOST}:{preview_port}/admin/?key={key}"
        print(f"The editor: http://{HOST}:{preview_port}/admin/ (open it with {url} ; "
              "Ctrl+C stops it).", flush=True)
        if not no_browser:
            opener = cms.open_file(url)
            opened.append(opener.parent)
            webbrowser.open(opener.as_uri())

    try:
        livereload(port, settings, output, admin=admin, on_ready=ready, on_restart=lambda: cms.stop_server(server),
                    # the same port again, and no second browser window.
                    restart_args=lambda port: ["edit", "--port", port, "--no-browser",
                                               "--settings", settings, "--output", output])
    finally:
        cms.stop_server(server)
        for folder in opened:
            shutil.rmtree(folder, ignore_errors=True)
