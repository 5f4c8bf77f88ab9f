"""A local preview server for the built site, bound to 127.0.0.1 only."""

import functools
import http.server
import threading
from pathlib import Path


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the terminal for build reports
        pass


def start(output, host="127.0.0.1", port=8000):
    """Serve `output` in a background thread; returns the server (call .shutdown() to stop)."""
    handler = functools.partial(SiteHandler, directory=str(Path(output)))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
