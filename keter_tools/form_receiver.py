"""The signup form's local receiver (`invoke serve`, `livereload`): it answers as a Formspree-style form service does, so
the whole form can be tried on one machine with no account anywhere; posts are kept in var/signups.jsonl.
"""

import io
import json
import os
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from keter_site.core.project import ROOT
from keter_tools.serving import serve_in_background


DEFAULT_STORE = ROOT / "var" / "signups.jsonl"
HONEYPOT = "_gotcha"
MAX_BODY = 64_000  # a signup is a few hundred bytes; refuse anything absurd, before reading it
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The posted fields: {name: value}, or {name: [values]} for a repeated name.
Fields = dict[str, str | list[str]]


def _is_local(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS


def _multipart_pairs(content_type: str, body: bytes) -> list[tuple[str, str]]:
    """[(name, value)] of a multipart/form-data body, read by the standard library's MIME parser. A
    body not framed by its boundary, a part without a name, or a part itself multipart is refused."""
    message = BytesParser().parsebytes(b"Content-Type: %s\r\n\r\n%s" % (content_type.encode("latin-1"), body))
    if not message.is_multipart() or message.defects:
        raise ValueError("a multipart post not framed by its boundary")
    pairs = []
    for part in list(message.walk())[1:]:
        name = part.get_param("name", header="content-disposition")
        if part.is_multipart() or part.defects or not isinstance(name, str):
            raise ValueError("a multipart part without a name, or itself multipart")
        # The parser keeps a header's bytes as surrogates: the name is UTF-8, as the value is.
        pairs.append((name.encode("ascii", "surrogateescape").decode("utf-8"),
                      cast(bytes, part.get_payload(decode=True)).decode("utf-8")))
    return pairs


def parse_form(content_type: str | None, body: bytes) -> Fields:
    """The posted fields, in order: {name: value}, or {name: [values]} for a repeated name."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        pairs = _multipart_pairs(content_type or "", body)
    elif kind in ("application/x-www-form-urlencoded", ""):
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    else:
        raise ValueError(f"cannot read a post of type {kind}")
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")


def _read_chunked(stream: io.BufferedIOBase, limit: int) -> bytes | None:
    """A chunked body (Transfer-Encoding: chunked), at most `limit` bytes; None when longer."""
    body = bytearray()
    while True:
        size_line = stream.readline(100).split(b";")[0].strip()
        # Hex digits only (int() would also take "-1", " +1" or "0x1"): a size that is not one
        # is refused, never counted against the limit.
        if not _CHUNK_SIZE.fullmatch(size_line):
            raise ValueError("a chunked body with a broken chunk size")
        size = int(size_line, 16)
        if size == 0:
            while stream.readline(1000).strip():  # trailers, then the closing empty line
                pass
            return bytes(body)
        if len(body) + size > limit:
            return None
        body += stream.read(size)
        stream.readline(10)  # the CRLF after each chunk


def same_site_path(next_field: object) -> str:
    """`_next` when it is a path on this site (one leading /, no backslash, so no scheme or host;
    printable ASCII only, as the Location header carries it), else "" (the thank-you page)."""
    if isinstance(next_field, str) and next_field.startswith("/") and not next_field.startswith("//") \
            and "\\" not in next_field and all(" " < char < "\x7f" for char in next_field):
        return next_field
    return ""


class ReceiverHandler(BaseHTTPRequestHandler):
    """One post to the receiver, answered as a form service answers it."""

    server_version = "SignupReceiver"
    server: "SignupReceiver"

    def log_message(self, format: str, *args: Any) -> None:  # each submission is printed in full instead
        pass

    def answer(self, status: int, body: bytes = b"", content_type: str = "application/json",
               headers: Iterable[tuple[str, str]] = ()) -> None:
        """Send one whole answer, with the CORS headers every answer needs for the site's script to read it."""
        self.send_response(status)
        # Let a page of this machine read the answer: the development site is served from another port.
        origin = self.headers.get("Origin", "")
        if _is_local(origin):
            self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")
        for name, value in headers:
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def answer_json(self, status: int, data: object) -> None:
        """Answer the page's script, which reads JSON."""
        self.answer(status, json.dumps(data).encode("utf-8"))

    def do_GET(self) -> None:
        """Refuse: the receiver takes posts only, as a form service does."""
        self.answer_json(HTTPStatus.METHOD_NOT_ALLOWED, {"ok": False, "error": "post the signup form here"})

    def do_POST(self) -> None:
        """Read, check and keep one post (a bot's quietly dropped), then answer it as a form service would."""
        if urlsplit(self.path).path != self.server.path:
            self.answer_json(HTTPStatus.NOT_FOUND, {"ok": False, "error": f"the form posts to {self.server.path}"})
            return
        body = self.read_body()
        if body is None:
            return
        try:
            fields = parse_form(self.headers.get("Content-Type", ""), body)
        except (ValueError, UnicodeDecodeError) as error:
            self.answer_json(HTTPStatus.BAD_REQUEST, {"ok": False, "error": f"not a form post: {error}"})
            return
        if self.server.answer_fault(self):
            return
        if str(fields.get(HONEYPOT) or "").strip():
            self.server.echo(f"Signup form: dropped a post whose honeypot field {HONEYPOT} was filled (a bot).")
        else:
            self.server.keep(fields)
        self.answer_success(fields)

    def read_body(self) -> bytes | None:
        """The request's body, or None once the post has been answered with why it was not read:
        never "ok" for data that was not all read and kept."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            try:
                body = _read_chunked(self.rfile, MAX_BODY)
            except ValueError as error:
                self.answer_json(HTTPStatus.BAD_REQUEST, {"ok": False, "error": str(error)})
                return None
            if body is None:
                self.answer_json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"ok": False, "error": "body too large"})
                self.close_connection = True
            return body
        if self.headers.get("Content-Length") is None:
            self.answer_json(HTTPStatus.LENGTH_REQUIRED, {"ok": False, "error": "send Content-Length"})
            return None
        try:
            length = int(self.headers["Content-Length"])
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.answer_json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"ok": False, "error": "body too large"})
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def answer_success(self, fields: Fields) -> None:
        """The answer a kept (or quietly dropped) post gets: JSON for the page's script, a redirect for a plain form."""
        if "application/json" in self.headers.get("Accept", ""):
            self.answer_json(HTTPStatus.OK, {"ok": True})
            return
        target = self.thank_you_address(fields.get("_next"))
        if target:
            self.answer(HTTPStatus.SEE_OTHER, headers=[("Location", target)])
        else:
            self.answer(HTTPStatus.OK, "<!doctype html><title>Received</title><p>Received.</p>".encode(),
                        content_type="text/html")

    def thank_you_address(self, next_field: object) -> str:
        """Where a plain post sends the browser: `_next` when it is a path on the sending site, else the thank-you page,
        made absolute against the sending page's origin on this machine (the site's pages do not know their port)."""
        for header in ("Origin", "Referer"):
            url = self.headers.get(header, "")
            if _is_local(url):
                base = urlsplit(url)
                target = f"{base.scheme}://{base.netloc}{same_site_path(next_field) or self.server.thank_you}"
                return target if target.isascii() else ""
        return ""


class SignupReceiver(ThreadingHTTPServer):
    """The receiver's server: where the form posts, where posts are kept, and how each is shown."""

    daemon_threads = True
    # A burst of posts waits in the queue instead of being refused (the default queue holds 5).
    request_queue_size = 128
    thank_you = "/signup-thanks/"

    def __init__(self, address: tuple[str, int], store: str | Path, echo: Callable[[str], object] = print,
                 path: str = "/signup") -> None:
        super().__init__(address, ReceiverHandler)
        self.store = Path(store)
        self.echo = echo
        self.path = path
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The address to post to, with the port the kernel chose when asked for port 0."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """Report a failed request, except a page that gave up waiting and closed the connection."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def answer_fault(self, handler: ReceiverHandler) -> bool:
        """Tests override this to make a post fail on purpose; True when it answered the post."""
        return False

    def keep(self, fields: Fields) -> None:
        """Append one post to the store as it came, readable by its owner only, and show it."""
        record = {"received": datetime.now(timezone.utc).isoformat(timespec="seconds"), "fields": fields}
        # Hebrew kept readable; characters some readers take for a line break escaped (JSON leaves them).
        line = json.dumps(record, ensure_ascii=False)
        for char in "\u0085\u2028\u2029":
            line = line.replace(char, f"\\u{ord(char):04x}")
        with self._lock:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            # People's names and addresses: readable by the store's owner only.
            descriptor = os.open(self.store, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(descriptor, 0o600)  # a store made before this rule, too
            with os.fdopen(descriptor, "a", encoding="utf-8") as out:
                out.write(line + "\n")
        try:
            self.echo(f"Signup form: received {line}")
        except UnicodeEncodeError:  # a terminal that cannot show Hebrew: print it escaped
            self.echo(f"Signup form: received {json.dumps(record)}")

    def records(self) -> list[dict[str, Any]]:
        """What the store holds now, read while no post is being written."""
        with self._lock:
            return read_records(self.store)


def read_records(store: str | Path) -> list[dict[str, Any]]:
    """Every submission kept in `store` so far, oldest first."""
    path = Path(store)
    if not path.exists():
        return []
    # Split at line feeds only: str.splitlines() also splits at U+2028 and U+0085, which a field
    # of a store written before `keep` escaped them may hold as they are.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def start(server: SignupReceiver) -> SignupReceiver:
    """Serve on a background thread, so a preview or a test goes on while posts come in."""
    serve_in_background(server, name="signup-receiver")
    return server


def stop(server: SignupReceiver | None) -> None:
    """Stop serving and free the port; nothing when no receiver was started."""
    if server is not None:
        server.shutdown()
        server.server_close()


def start_for_site(settings_file: str = "pelicanconf.py", store: Path = DEFAULT_STORE) -> SignupReceiver | None:
    """Start a receiver at the address the site's SIGNUP_ENDPOINT names, when that address is on
    this machine (the development default); None when the form posts elsewhere."""
    from keter_site.signup_form import resolve
    from keter_tools.build import load_settings

    endpoint, _ = resolve(load_settings(settings_file))
    parts = urlsplit(endpoint)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        print(f"The signup form posts to {endpoint or '(nowhere)'}; no local receiver started.")
        return None
    try:
        server = start(SignupReceiver((parts.hostname or "", parts.port or 80), store, path=parts.path or "/"))
    except OSError as error:
        print(f"The signup form's local receiver could not start on {endpoint}: {error}. "
              "Is another `invoke serve` running?", file=sys.stderr)
        return None
    shown = store.relative_to(ROOT) if store.is_relative_to(ROOT) else store
    print(f"Signup form submissions go to {endpoint} and are kept in {shown}.")
    return server

