"""The local preview server (127.0.0.1 only), as a small WSGI app so `invoke serve` and
`invoke livereload` share it. It serves the last good build in output/ and, while the latest
build has failed, puts a banner at the top of every page so the editor cannot mistake the old
site for their change.

Preview = production: every answer carries the security headers of deploy/policy.yml (with the
development signup endpoint in the Content-Security-Policy) and the Speculation-Rules header
that lets the browser fetch the next page before it is opened, and the files the policy names
by path (the speculation rules) get its content type, so what production would block or speed
up is seen while editing. A bad path gets a 400 or a 404, never an error page of the server; nothing
whose name starts with a dot, and nothing outside output/, is ever served."""

import html
import json
import mimetypes
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from keter_site.core.fingerprints import of_bytes
from keter_tools.serving import serve_in_background

if TYPE_CHECKING:  # for their types only: the editor's modules load only under `invoke edit`
    from keter_tools.build import BuildResult
    from keter_tools.cms_api import Backend
    from keter_tools.cms_endpoints import Endpoints
    from keter_tools.cms_gate import Gate

# Headers sent with every answer: a dict, or (name, value) pairs.
Headers = dict[str, str] | Iterable[tuple[str, str]]


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


ADMIN_PATH = "/admin/"


def local_only(app: WSGIApplication, port: Callable[[], int | None]) -> WSGIApplication:
    """`app`, answering only requests whose Host names this machine's loopback address with the
    preview's own port (`port()`): a web page whose name an attacker points at 127.0.0.1 (DNS
    rebinding) sends its own name and gets 421 (keter_tools.cms_gate)."""
    from keter_tools.cms_gate import local_host

    def checked(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not local_host(environ.get("HTTP_HOST", ""), port()):
            start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"This preview answers only at 127.0.0.1 or localhost, on its own port."]
        return app(environ, start_response)

    return checked


def make_app(output: str | Path, state: BuildState | None = None, headers: Headers = ()) -> WSGIApplication:
    """The WSGI app; `headers` are sent with every answer (the site's security headers)."""
    from keter_tools.deploy.headers import named_content_types

    named_types = named_content_types()
    root = Path(output).resolve()
    state = state or BuildState()
    headers = list(headers.items() if isinstance(headers, dict) else headers)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, own: list[tuple[str, str]]) -> None:
            start_response(status, [*own, *headers])

        # wsgiref hands the path over as latin-1 text; the site's files are named in UTF-8.
        raw = environ.get("PATH_INFO") or "/"
        try:
            path = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            path = None
        if path == BANNER_CSS_PATH:
            start("200 OK", [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "no-store")])
            return [BANNER_CSS]
        try:
            target = _file_for(root, path) if path is not None else None
            if path is None:
                raise BadPath(raw)
        except BadPath:
            start("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Bad request"]
        status = "200 OK"
        if target is not None and target.is_file() and (root / path.lstrip("/")).is_dir() and not path.endswith("/"):
            start("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        if target is None:
            status = "404 Not Found"
            # Each language's own 404 page, where the site has one.
            first = path.strip("/").split("/")[0]
            candidates = [root / "404.html"] if first.startswith(".") or not first else [root / first / "404.html", root / "404.html"]
            target = next((p for p in candidates if p.is_file()), None)
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


MAX_REQUEST_BYTES = 60 * 1024 * 1024  # an image of at most 5 MB, base64, with a page's text


def make_admin_app(files: Callable[[str], bytes | None], own_headers: Mapping[str, str], gate: "Gate",
                   backend: "Backend | None" = None, endpoints: "Endpoints | None" = None) -> WSGIApplication:
    """The browser editor at /admin/ (only `invoke edit` serves it; it is never part of a build):
    files(name) gives the bytes of /admin/<name> or None; `own_headers` are its own security
    headers; `gate` (cms_gate.Gate) checks every request; /admin/api/v1 is the back end
    (cms_api.Backend) and /admin/editor/<name> the editor's own endpoints (cms_endpoints).
    Served beside the site's app, not through livereload's, which would put its script into any
    file that contains `</head>` (Decap's bundle does)."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raw = environ.get("PATH_INFO") or "/"
        try:
            path = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Bad request"]
        if path == ADMIN_PATH and gate.host_ok(environ) and _opens_session(environ, gate):
            # The address `invoke edit` opened: the key becomes a cookie, and leaves the address bar.
            start_response("303 See Other", [("Location", ADMIN_PATH), gate.cookie_header(), *own_headers.items()])
            return [b""]
        if path + "/" == ADMIN_PATH and gate.host_ok(environ):
            start_response("301 Moved Permanently", [("Location", ADMIN_PATH)])
            return [b""]
        api = path.startswith((ADMIN_PATH + "api/", ADMIN_PATH + "editor/"))
        refusal = gate.refusal(environ, api=api)
        if refusal:
            return _answer(start_response, refusal[0], {"error": refusal[1]}, own_headers)
        if api:
            return _api(environ, path, backend, endpoints, own_headers, start_response)
        return _admin(path, files, own_headers, start_response, environ.get("HTTP_IF_NONE_MATCH", ""))

    return app


def _opens_session(environ: WSGIEnvironment, gate: "Gate") -> bool:
    from keter_tools.cms_gate import same

    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    return same((query.get("key") or [""])[0], gate.key)


def _answer(start_response: StartResponse, status: str, value: object,
            own_headers: Mapping[str, str]) -> list[bytes]:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *own_headers.items()])
    return [body]


def _api(environ: WSGIEnvironment, path: str, backend: "Backend | None", endpoints: "Endpoints | None",
         own_headers: Mapping[str, str], start_response: StartResponse) -> list[bytes]:
    from keter_tools.cms_api import Refused
    from keter_tools.cms_saves import GitError

    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 < length <= MAX_REQUEST_BYTES or not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        return _answer(start_response, "400 Bad Request", {"error": "Send one JSON request."}, own_headers)
    try:
        request = json.loads(environ["wsgi.input"].read(length))
    except ValueError:
        return _answer(start_response, "400 Bad Request", {"error": "Send one JSON request."}, own_headers)
    name = urllib.parse.unquote(environ.get("HTTP_X_KETER_NAME", ""))[:100]
    try:
        if path == ADMIN_PATH + "api/v1" and backend:
            value = backend.handle(request, name)
        elif path.startswith(ADMIN_PATH + "editor/") and endpoints:
            value = endpoints.handle(path[len(ADMIN_PATH + "editor/"):], request, name)
        else:
            return _answer(start_response, "404 Not Found", {"error": "Not found"}, own_headers)
    except Refused as refusal:
        return _answer(start_response, f"{refusal.status} Refused", {"error": str(refusal)}, own_headers)
    except GitError as error:
        return _answer(start_response, "500 Git Failed", {"error": f"Saved, but not recorded in the history: {error}"},
                       own_headers)
    return _answer(start_response, "200 OK", value, own_headers)


def _admin(path: str, files: Callable[[str], bytes | None], own_headers: Mapping[str, str],
           start_response: StartResponse, if_none_match: str = "") -> list[bytes]:
    if path + "/" == ADMIN_PATH:
        start_response("301 Moved Permanently", [("Location", ADMIN_PATH)])
        return [b""]
    name = path[len(ADMIN_PATH):]
    body = files(name) if ".." not in name and not any(ord(c) < 32 for c in name) else None
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), *own_headers.items()])
        return [b"Not found"]
    kind = ("text/yaml" if name.endswith(".yml") else
            mimetypes.guess_type(name or "index.html")[0] or "application/octet-stream")
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    if not name.startswith("decap/"):
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store"), *own_headers.items()])
        return [body]
    # Decap's bundle (5 MB, the same until the npm packages change): the browser keeps it and asks
    # each time whether it changed (no-cache with its digest), so a reload of the editor does not
    # fetch and compile it again. Private: no shared cache may keep it.
    tag = f'"{of_bytes(body, 16)}"'
    caching = [("Cache-Control", "private, no-cache"), ("ETag", tag), *own_headers.items()]
    if tag in (value.strip() for value in if_none_match.split(",")):
        start_response("304 Not Modified", caching)
        return [b""]
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body))), *caching])
    return [body]



class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep the terminal for build reports
        pass


def start(output: str | Path, host: str = "127.0.0.1", port: int = 8000, state: BuildState | None = None,
          headers: Headers = ()) -> WSGIServer:
    """Serve `output` in a background thread; returns the server (call .shutdown() to stop)."""
    bound: dict[str, int] = {}
    server = make_server(host, port, local_only(make_app(output, state, headers), lambda: bound.get("port")),
                         server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    bound["port"] = server.server_address[1]
    serve_in_background(server, name="preview-server")
    return server


def preview_headers(settings_file: str = "pelicanconf.py") -> dict[str, str]:
    """The production security headers, for the development site's own signup endpoint."""
    from keter_tools.build import load_settings
    from keter_tools.deploy.headers import security_headers

    return security_headers(load_settings(settings_file))
