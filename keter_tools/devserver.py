"""The local preview server (127.0.0.1 only) that `invoke serve` and `livereload` share: the last good build, with a
banner on every page while the latest build has failed, so the editor cannot mistake the old site for their change."""

import html
import mimetypes
import re
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from keter_tools.serving import serve_in_background

if TYPE_CHECKING:  # for its type only: the build loads with the first build
    from keter_tools.build import BuildResult

LOCAL_NAMES = ("127.0.0.1", "localhost")
MISDIRECTED = "This preview answers only at 127.0.0.1 or localhost, on its own port."


class BuildState:
    """What the preview shows about the latest build."""

    def __init__(self) -> None:
        self.failed = False
        self.message = ""
        # When the latest build started and ended (time.time()): the editor waits for the first
        # build that started after its save.
        self.started = self.finished = 0.0

    def begin(self) -> None:
        """A build starts: the editor waits for one that started after its save."""
        self.started = time.time()

    def record(self, result: "BuildResult") -> None:
        """A build ended: the preview shows its problems on every page until one succeeds."""
        self.failed = not result.ok
        self.message = "" if result.ok else result.message
        self.finished = time.time()


# The banner's look comes from a stylesheet of the preview's own: the Content-Security-Policy
# (as in production) refuses inline styles. The heading is in the page's language and follows
# its direction; the build's report (file names, code) reads left to right, each line in the
# direction of its own first letters (a Hebrew title quoted in it stays readable).
BANNER_CSS_PATH = "/__preview__/banner.css"
BANNER_CSS = (b".keter-preview-banner{position:sticky;top:0;z-index:1000;background:#8a1c1c;color:#fff;"
              b"padding:1rem;font:1rem/1.5 system-ui,sans-serif}"
              b".keter-preview-banner pre{white-space:pre-wrap;unicode-bidi:plaintext;text-align:start;"
              b"font:inherit;margin:.5rem 0 0}")
BANNER = ('<link rel="stylesheet" href="{css}"><div role="alert" class="keter-preview-banner" lang="{lang}" '
          'dir="{dir}"><strong>{heading}</strong><pre dir="ltr" lang="en">{message}</pre></div>')
BANNER_HEADINGS = {"he": "הבנייה האחרונה נכשלה: מוצגת הגרסה הקודמת של האתר.",
                   "en": "The last build failed: you are looking at the previous version."}
_PAGE_LANG = re.compile(rb'<html[^>]*\blang="?([a-zA-Z-]+)')  # minified pages drop the quotes


def banner(page: bytes, message: str) -> bytes:
    """The failed-build banner for one page (bytes of its HTML), in the page's language."""
    match = _PAGE_LANG.search(page[:2000])
    lang = match.group(1).decode() if match and match.group(1).decode() in BANNER_HEADINGS else "en"
    return BANNER.format(css=BANNER_CSS_PATH, lang=lang, dir="rtl" if lang == "he" else "ltr",
                         heading=BANNER_HEADINGS[lang], message=html.escape(message[:4000])).encode("utf-8")


# The live preview's reload script (livereload's), started by a file of the preview: the pages'
# Content-Security-Policy refuses inline scripts. It connects back to the preview that served the page.
RELOAD_SCRIPT_PATH = "/__preview__/reload.js"
RELOAD_SCRIPT = ('(function(){var s=document.createElement("script");'
                 's.src="/livereload.js?port="+(location.port||80);document.head.appendChild(s);})();\n')
# The preview's own files, served before the site's: {path: (bytes, type)}.
OWN_FILES = {BANNER_CSS_PATH: (BANNER_CSS, "text/css"), RELOAD_SCRIPT_PATH: (RELOAD_SCRIPT.encode(), "text/javascript")}


class BadPath(Exception):
    """A request path no file could have (a NUL or control character, an unreadable escape)."""


def _file_for(root: Path, path: str) -> Path | None:
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        raise BadPath(path)
    segments = [segment for segment in path.split("/") if segment]
    if any(segment.startswith(".") for segment in segments):
        return None  # .env, .git, ../: never served
    try:
        target = (root / "/".join(segments)).resolve()
    except (OSError, ValueError):
        raise BadPath(path)
    if root not in target.parents and target != root:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def local_host(host: str, port: int | None) -> bool:
    """Whether a Host header names this preview: a loopback name with the preview's own port. A web
    page whose name an attacker points at 127.0.0.1 (DNS rebinding) sends its own name."""
    return bool(port) and host in {f"{name}:{port}" for name in LOCAL_NAMES}


def local_only(app: WSGIApplication, port: Callable[[], int | None]) -> WSGIApplication:
    """`app`, answering only requests whose Host names this preview (`port()`: its port); 421 otherwise."""

    def checked(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not local_host(environ.get("HTTP_HOST", ""), port()):
            start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [MISDIRECTED.encode()]
        return app(environ, start_response)

    return checked


def make_app(output: str | Path, state: BuildState | None = None, headers: Mapping[str, str] = {}) -> WSGIApplication:
    """The WSGI app; `headers` are sent with every answer (the site's security headers)."""
    from keter_tools.deploy.headers import named_content_types

    # Preview = production: its security headers and the content types deploy/policy.yml gives files by path (the
    # speculation rules), so what production would block or speed up is seen while editing.
    named_types = named_content_types()
    root = Path(output).resolve()
    state = state or BuildState()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, own: list[tuple[str, str]]) -> None:
            start_response(status, [*own, *headers.items()])

        try:  # wsgiref hands the path over as latin-1 text; the site's files are named in UTF-8
            path = (environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8")
            target = _file_for(root, path)
        except (UnicodeError, BadPath):
            start("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Bad request"]
        if path in OWN_FILES:
            body, kind = OWN_FILES[path]
            start("200 OK", [("Content-Type", f"{kind}; charset=utf-8"), ("Cache-Control", "no-store")])
            return [body]
        status = "200 OK"
        if target is not None and (root / path.lstrip("/")).is_dir() and not path.endswith("/"):
            start("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        if target is None:
            status = "404 Not Found"
            # Each language's own 404 page, where the site has one (found by the same rules).
            first = path.strip("/").split("/")[0]
            target = _file_for(root, f"/{first}/404.html") or _file_for(root, "/404.html")
            if target is None:
                start(status, [("Content-Type", "text/plain; charset=utf-8")])
                return [b"Not found"]
        body = target.read_bytes()
        relative = "/" + target.relative_to(root).as_posix()
        kind = named_types.get(relative) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html" and state.failed:
            body = body.replace(b"<body>", b"<body>" + banner(body, state.message), 1)
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        start(status, [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    return app


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep the terminal for build reports
        pass


def start(output: str | Path, host: str = "127.0.0.1", port: int = 8000, state: BuildState | None = None,
          headers: Mapping[str, str] = {}) -> WSGIServer:
    """Serve `output` in a background thread; returns the server (call .shutdown() to stop)."""
    # The port is read when a request comes, once the server is bound (to the kernel's choice, for port 0).
    server = make_server(host, port, local_only(make_app(output, state, headers), lambda: server.server_address[1]),
                         server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    serve_in_background(server, name="preview-server")
    return server


def preview_headers(settings_file: str = "pelicanconf.py") -> dict[str, str]:
    """The production security headers, for the development site's own signup endpoint."""
    from keter_tools.build import load_settings
    from keter_tools.deploy.headers import security_headers

    return security_headers(load_settings(settings_file))
