"""Who may use the browser editor (`invoke edit`): the checks the preview server makes on every
request before the editor's page, its back end or its own endpoints answer.

- Host: the preview answers only to the names of this machine's loopback address with its own
  port (`127.0.0.1:PORT`, `localhost:PORT`). A web page whose name an attacker points at
  127.0.0.1 (DNS rebinding) sends its own name, and is refused: on the site's pages too.
- The session's key: `invoke edit` makes a random key and opens the editor with it once
  (`/admin/?key=...`, through a file only this user can read, never on a command line). The
  preview answers with a cookie (HttpOnly, SameSite=Strict, for /admin/ only) and every /admin/
  request needs it; the editor's page receives the key in its HTML and sends it as a header
  with each request to the back end and the editor's endpoints. A local process that does not
  have the key gets nothing: not the page, not the back end.
- Origin: a request that changes or reads content must come from the editor's own page
  (`Origin: http://127.0.0.1:PORT` or `http://localhost:PORT`, the same name as its Host).

What this does not guarantee: a process running as the same user can read that user's files,
the open-file's key included, and the browser's cookies; the key protects against other users
and other programs' web pages, not against the editor's own account.
"""

import hmac
import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie
from wsgiref.types import WSGIEnvironment

COOKIE = "keter_editor"
KEY_HEADER = "HTTP_X_KETER_KEY"  # X-Keter-Key, as WSGI names it
LOCAL_NAMES = ("127.0.0.1", "localhost")


def new_key() -> str:
    """A fresh session key, too long to guess: the one secret between the editor's page and this preview."""
    return secrets.token_urlsafe(32)


def local_host(host: str, port: int | None) -> bool:
    """Whether a Host header names this preview: a loopback name with the preview's port."""
    return bool(port) and host in {f"{name}:{port}" for name in LOCAL_NAMES}


def same(a: str, b: str) -> bool:
    """Whether two non-empty secrets match, compared in constant time (no timing hint to a guesser)."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


class Gate:
    """The checks for one editing session. `port()` gives the preview's port (known once it
    listens: port 0 asks the kernel for one)."""

    def __init__(self, key: str, port: Callable[[], int | None]) -> None:
        self.key = key
        self.port = port

    def host_ok(self, environ: WSGIEnvironment) -> bool:
        """Whether the request names this preview: a page on a rebound name is refused."""
        return local_host(environ.get("HTTP_HOST", ""), self.port())

    def cookie_ok(self, environ: WSGIEnvironment) -> bool:
        """Whether the request carries this session's cookie: only the browser that opened the editor has it."""
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE", ""))
        except Exception:  # a malformed Cookie header is no cookie
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and same(morsel.value, self.key)

    def origin_ok(self, environ: WSGIEnvironment) -> bool:
        """Whether the request comes from the editor's own page, not from another site's page in the browser."""
        host = environ.get("HTTP_HOST", "")
        return environ.get("HTTP_ORIGIN", "") == f"http://{host}" and self.host_ok(environ)

    def refusal(self, environ: WSGIEnvironment, api: bool = False) -> tuple[str, str] | None:
        """None when the request may go on, else (status, message) saying why not."""
        if not self.host_ok(environ):
            return "421 Misdirected Request", "This preview answers only at 127.0.0.1 or localhost, on its own port."
        if not self.cookie_ok(environ):
            return "403 Forbidden", ("Open the editor with the address `bin/invoke edit` printed "
                                     "(it carries this session's key).")
        if api:
            if environ.get("REQUEST_METHOD") != "POST":
                return "405 Method Not Allowed", "The editor's back end takes POST requests only."
            if not self.origin_ok(environ):
                return "403 Forbidden", "Only the editor's own page may use its back end (wrong Origin)."
            if not same(environ.get(KEY_HEADER, ""), self.key):
                return "403 Forbidden", "Only the editor's own page may use its back end (no session key)."
        return None

    def cookie_header(self) -> tuple[str, str]:
        """The cookie that lets this browser, and only it, back into /admin/ once the key left the address."""
        return ("Set-Cookie", f"{COOKIE}={self.key}; Path=/admin; HttpOnly; SameSite=Strict")
