"""The local preview server (127.0.0.1 only), as a small WSGI app so `invoke serve` and
`invoke livereload` share it. It serves the last good build in output/ and, while the latest
build has failed, puts a banner at the top of every page so the editor cannot mistake the old
site for their change."""

import html
import mimetypes
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class BuildState:
    """What the preview shows about the latest build."""

    def __init__(self):
        self.failed = False
        self.message = ""

    def record(self, result):
        self.failed = not result.ok
        self.message = "" if result.ok else result.message


BANNER = ('<div role="alert" style="position:sticky;top:0;z-index:1000;background:#8a1c1c;color:#fff;'
          'padding:1rem;font:1rem/1.5 system-ui,sans-serif;white-space:pre-wrap">'
          '<strong>The last build failed: you are looking at the previous version.</strong>\n{}</div>')


def _file_for(root, path):
    target = (root / path.lstrip("/")).resolve()
    if root not in target.parents and target != root:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def make_app(output, state=None):
    root = Path(output).resolve()
    state = state or BuildState()

    def app(environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        target = _file_for(root, path)
        status = "200 OK"
        if target is not None and target.is_file() and (root / path.lstrip("/")).is_dir() and not path.endswith("/"):
            start_response("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        if target is None:
            status = "404 Not Found"
            # Each language's own 404 page, where the site has one.
            first = path.strip("/").split("/")[0]
            target = next((p for p in (root / first / "404.html", root / "404.html") if p.is_file()), None)
            if target is None:
                start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
                return [b"Not found"]
        body = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html" and state.failed:
            banner = BANNER.format(html.escape(state.message[:4000])).encode("utf-8")
            body = body.replace(b"<body>", b"<body>" + banner, 1)
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body]

    return app


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # keep the terminal for build reports
        pass


def start(output, host="127.0.0.1", port=8000, state=None):
    """Serve `output` in a background thread; returns the server (call .shutdown() to stop)."""
    server = make_server(host, port, make_app(output, state), server_class=_ThreadingWSGIServer,
                         handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
