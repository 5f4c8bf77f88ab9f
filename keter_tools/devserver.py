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
import mimetypes
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from keter_tools.serving import serve_in_background


class BuildState:
    """What the preview shows about the latest build."""

    def __init__(self):
        self.failed = False
        self.message = ""

    def record(self, result):
        self.failed = not result.ok
        self.message = "" if result.ok else result.message


# The banner's look comes from a stylesheet of the preview's own: the Content-Security-Policy
# (as in production) refuses inline styles.
BANNER_CSS_PATH = "/__preview__/banner.css"
BANNER_CSS = (b".keter-preview-banner{position:sticky;top:0;z-index:1000;background:#8a1c1c;color:#fff;"
              b"padding:1rem;font:1rem/1.5 system-ui,sans-serif;white-space:pre-wrap}")
BANNER = (f'<link rel="stylesheet" href="{BANNER_CSS_PATH}"><div role="alert" class="keter-preview-banner">'
          '<strong>The last build failed: you are looking at the previous version.</strong>\n{}</div>')


class BadPath(Exception):
    """A request path no file could have (a NUL or control character, an unreadable escape)."""


def _file_for(root, path):
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


def make_app(output, state=None, headers=()):
    """The WSGI app; `headers` are sent with every answer (the site's security headers)."""
    from keter_tools.deploy.headers import named_content_types

    named_types = named_content_types()
    root = Path(output).resolve()
    state = state or BuildState()
    headers = list(headers.items() if isinstance(headers, dict) else headers)

    def app(environ, start_response):
        def start(status, own):
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
            banner = BANNER.format(html.escape(state.message[:4000])).encode("utf-8")
            body = body.replace(b"<body>", b"<body>" + banner, 1)
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        start(status, [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    return app


def make_admin_app(files, own_headers):
    """The browser editor at /admin/ (only `invoke edit` serves it; it is never part of a build):
    files(name) gives the bytes of /admin/<name> or None; `own_headers` are its own security
    headers. Served beside the site's app, not through livereload's, which would put its script
    into any file that contains `</head>` (Decap's bundle does)."""

    def app(environ, start_response):
        raw = environ.get("PATH_INFO") or "/"
        try:
            path = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Bad request"]
        return _admin(path, files, own_headers, start_response)

    return app


def _admin(path, files, own_headers, start_response):
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
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body))),
                              ("Cache-Control", "no-store"), *own_headers.items()])
    return [body]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # keep the terminal for build reports
        pass


def start(output, host="127.0.0.1", port=8000, state=None, headers=()):
    """Serve `output` in a background thread; returns the server (call .shutdown() to stop)."""
    server = make_server(host, port, make_app(output, state, headers), server_class=_ThreadingWSGIServer,
                         handler_class=_QuietHandler)
    serve_in_background(server, name="preview-server")
    return server


def preview_headers(settings_file="pelicanconf.py"):
    """The production security headers, for the development site's own signup endpoint."""
    from keter_tools.build import load_settings
    from keter_tools.deploy.headers import security_headers

    return security_headers(load_settings(settings_file))
