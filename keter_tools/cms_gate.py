"""The browser editor at /admin/ of the live preview and the checks every request passes first (Host, the session's
key, Origin), so that only the browser `invoke edit` opened, on the editor's own page, reaches its content.
"""

import hmac
import json
import mimetypes
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from keter_site.core.fingerprints import of_bytes
from keter_tools import cms
from keter_tools.cms_api import Backend, Refused
from keter_tools.cms_endpoints import Endpoints
from keter_tools.cms_saves import GitError
from keter_tools.devserver import local_host

COOKIE = "keter_editor"
KEY_HEADER = "HTTP_X_KETER_KEY"  # X-Keter-Key, as WSGI names it
ADMIN_PATH = "/admin/"
MAX_REQUEST_BYTES = 60 * 1024 * 1024  # an image of at most 5 MB, base64, with a page's text


def same(a: str, b: str) -> bool:
    """Whether two non-empty secrets match, compared in constant time (no timing hint to a guesser)."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


class Gate:
    """The checks for one editing session. `port()` gives the preview's port (known once it
    listens: port 0 asks the kernel for one)."""

    # Not guaranteed: a process of the same user can read that user's files (the key's open-file included) and the
    # browser's cookies; the key keeps out other users and other sites' pages, not the editor's own account.

    def __init__(self, key: str, port: Callable[[], int | None]) -> None:
        self.key = key
        self.port = port

    def host_ok(self, environ: WSGIEnvironment) -> bool:
        """Whether the request names this preview: a page on a rebound name is refused."""
        # DNS rebinding: a site whose name an attacker points at 127.0.0.1 sends its own name as the Host.
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
            # From the editor's own page, not from another site's page in the browser (the Host is checked above).
            if environ.get("HTTP_ORIGIN", "") != f"http://{environ.get('HTTP_HOST', '')}":
                return "403 Forbidden", "Only the editor's own page may use its back end (wrong Origin)."
            if not same(environ.get(KEY_HEADER, ""), self.key):
                return "403 Forbidden", "Only the editor's own page may use its back end (no session key)."
        return None


def admin_app(gate: Gate, settings: Mapping[str, Any], backend: Backend, endpoints: Endpoints) -> WSGIApplication:
    """The browser editor at /admin/, behind `gate`: its files (keter_tools.cms.admin_file), the back end at
    /admin/api/v1 and the editor's endpoints at /admin/editor/<name>."""
    # Served beside the site's app, not through livereload's, which puts its script into any file that contains
    # `</head>`, Decap's bundle too.
    own = list(cms.admin_headers().items())

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def answer(status: str, body: bytes, headers: Iterable[tuple[str, str]] = ()) -> list[bytes]:
            start_response(status, [*headers, *own])
            return [body]

        def json_answer(status: str, value: object) -> list[bytes]:
            return answer(status, json.dumps(value, ensure_ascii=False).encode("utf-8"),
                          [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")])

        try:  # wsgiref hands the path over as latin-1 text; browsers send UTF-8
            path = (environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8")
        except UnicodeError:
            return answer("400 Bad Request", b"Bad request", [("Content-Type", "text/plain; charset=utf-8")])
        if path in ("/admin", ADMIN_PATH) and gate.host_ok(environ):
            key = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("key", [""])[0]
            # The address `invoke edit` opened once, through a file only this user can read (never on a command
            # line): the key becomes a cookie, and the page sends it back as a header with each request.
            if same(key, gate.key):
                cookie = f"{COOKIE}={gate.key}; Path=/admin; HttpOnly; SameSite=Strict"
                return answer("303 See Other", b"", [("Location", ADMIN_PATH), ("Set-Cookie", cookie)])
            if path == "/admin":
                return answer("301 Moved Permanently", b"", [("Location", ADMIN_PATH)])
        api = path.startswith((ADMIN_PATH + "api/", ADMIN_PATH + "editor/"))
        refusal = gate.refusal(environ, api=api)
        if refusal:
            return json_answer(refusal[0], {"error": refusal[1]})
        if api:
            try:
                request = _request(environ)
                name = urllib.parse.unquote(environ.get("HTTP_X_KETER_NAME", ""))[:100]
                if path == ADMIN_PATH + "api/v1":
                    return json_answer("200 OK", backend.handle(request, name))
                if path.startswith(ADMIN_PATH + "editor/"):
                    return json_answer("200 OK", endpoints.handle(path[len(ADMIN_PATH + "editor/"):], request, name))
                return json_answer("404 Not Found", {"error": "Not found"})
            except Refused as refused:
                return json_answer(f"{refused.status} Refused", {"error": str(refused)})
            except GitError as error:
                return json_answer("500 Git Failed", {"error": f"Saved, but not recorded in the history: {error}"})
        name = path[len(ADMIN_PATH):]
        body = cms.admin_file(name, settings, gate.key)
        if body is None:
            return answer("404 Not Found", b"Not found", [("Content-Type", "text/plain; charset=utf-8")])
        kind = mimetypes.guess_type(name or "index.html")[0] or "application/octet-stream"
        kind += "; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json")) else ""
        if not name.startswith("decap/"):
            return answer("200 OK", body, [("Content-Type", kind), ("Cache-Control", "no-store")])
        # Decap's bundle (5 MB, the same until the npm packages change): the browser keeps it and asks
        # each time whether it changed (no-cache with its digest), so a reload of the editor does not
        # fetch and compile it again. Private: no shared cache may keep it.
        tag = f'"{of_bytes(body, 16)}"'
        caching = [("Cache-Control", "private, no-cache"), ("ETag", tag)]
        if tag in (value.strip() for value in environ.get("HTTP_IF_NONE_MATCH", "").split(",")):
            return answer("304 Not Modified", b"", caching)
        return answer("200 OK", body, [("Content-Type", kind), *caching])

    return app


def _request(environ: WSGIEnvironment) -> object:
    """The request's one JSON body; Refused when it is not one."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if 0 < length <= MAX_REQUEST_BYTES and environ.get("CONTENT_TYPE", "").startswith("application/json"):
        try:
            return json.loads(environ["wsgi.input"].read(length))
        except ValueError:
            pass
    raise Refused("Send one JSON request.", status=400)
