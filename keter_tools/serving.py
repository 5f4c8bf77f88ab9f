"""A server's loop on a background thread that stops promptly when asked."""

import socketserver
import threading

# socketserver's loop checks for a stop request between waits for a connection; at its default
# of half a second, every stop (the end of a preview, each test's receiver) waited up to that long.
POLL_SECONDS = 0.05


def serve_in_background(server: socketserver.BaseServer, name: str | None = None) -> threading.Thread:
    """Run `server.serve_forever` on a daemon thread (stop it with `server.shutdown()`)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                              daemon=True, name=name)
    thread.start()
    return thread
