"""The development signup receiver never says "ok" for details it did not keep: chunked bodies
are read, a burst of posts is answered and kept once each, malformed posts get a 400, and a
plain post is only ever sent back to a page of the site. A real receiver on 127.0.0.1."""

import concurrent.futures
import http.client
import socket
import urllib.parse

import pytest

from keter_tools import form_receiver


@pytest.fixture
def receiver(tmp_path):
    server = form_receiver.SignupReceiver(("127.0.0.1", 0), store=tmp_path / "signups.jsonl", echo=lambda line: None)
    form_receiver.start(server)
    yield server
    form_receiver.stop(server)


def _post(server, body, headers, path="/signup"):
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=20)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _raw(server, request):
    with socket.create_connection(server.server_address[:2], timeout=20) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


FORM = {"name": "דנה כהן", "phone": "050-123-4567", "_next": "/en/signup-thanks/"}
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def test_a_chunked_post_is_read_whole_and_kept(receiver):
    body = urllib.parse.urlencode(FORM).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
    status = _raw(receiver, b"POST /signup HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                            b"Connection: close\r\n\r\n" + chunks + b"0\r\n\r\n")
    assert status == 200
    assert [r["fields"] for r in receiver.records()] == [FORM]


def test_a_post_without_length_is_refused_not_lost(receiver):
    status = _raw(receiver, b"POST /signup HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nname=x")
    assert status == 411 and receiver.records() == []


def test_a_burst_of_100_posts_is_answered_and_kept_once_each(receiver):
    def send(i):
        return _post(receiver, urllib.parse.urlencode({"name": f"person {i}", "phone": "050"}), URLENCODED)[0]

    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(send, range(100)))
    assert statuses == [200] * 100
    names = sorted(r["fields"]["name"] for r in receiver.records())
    assert names == sorted(f"person {i}" for i in range(100))


@pytest.mark.parametrize("body, content_type", [
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end boundary", "multipart/form-data; boundary=XyZ"),
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n"
     b"--Q\r\n\r\nx\r\n--Q--\r\n--XyZ--\r\n", "multipart/form-data; boundary=XyZ"),
    (b"name=x", "multipart/form-data"),
    (b"\xff\xfe", "application/x-www-form-urlencoded"),
])
def test_malformed_posts_get_a_400_and_nothing_is_kept(receiver, body, content_type):
    status, _, _ = _post(receiver, body, {"Content-Type": content_type})
    assert status == 400 and receiver.records() == []


def test_a_body_over_the_limit_is_refused_unread(receiver):
    # Only the headers are sent: the receiver answers from Content-Length, before reading a byte.
    with socket.create_connection(receiver.server_address[:2], timeout=20) as sock:
        sock.sendall(b"POST /signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n\r\nname=")
        answer = sock.recv(65536)
    assert answer.split(b" ", 2)[1] == b"413" and receiver.records() == []


@pytest.mark.parametrize("next_field, expected", [
    ("/en/signup-thanks/", "http://127.0.0.1:8000/en/signup-thanks/"),
    ("http://evil.example\\@127.0.0.1/", "http://127.0.0.1:8000/signup-thanks/"),
    ("//evil.example/", "http://127.0.0.1:8000/signup-thanks/"),
    ("/\\evil.example/", "http://127.0.0.1:8000/signup-thanks/"),
    ("javascript:alert(1)", "http://127.0.0.1:8000/signup-thanks/"),
    # The Location header cannot carry it (not Latin-1, or not ASCII): the thank-you page.
    ("/\u05ea\u05d5\u05d3\u05d4/", "http://127.0.0.1:8000/signup-thanks/"),
    ("/caf\u00e9/", "http://127.0.0.1:8000/signup-thanks/"),
    ("/en/\u2028/", "http://127.0.0.1:8000/signup-thanks/"),
])
def test_a_plain_post_returns_only_to_a_page_of_the_site(receiver, next_field, expected):
    status, headers, _ = _post(receiver, urllib.parse.urlencode({**FORM, "_next": next_field}),
                               {"Content-Type": "application/x-www-form-urlencoded",
                                "Origin": "http://127.0.0.1:8000"})
    assert status == 303 and headers["Location"] == expected
    assert len(receiver.records()) == 1


@pytest.mark.parametrize("size", [b"-1", b"-10000000", b"+10", b"0x10", b" ", b"1" * 9])
def test_an_invalid_chunk_size_gets_a_400_within_the_limit(receiver, size):
    # A negative size once slipped past the limit (int("-1", 16) is -1): the receiver then read
    # without end. Every size that is not hex digits is answered 400, and nothing is kept.
    status = _raw(receiver, b"POST /signup HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                            b"Connection: close\r\n\r\n" + size + b"\r\nname=x\r\n0\r\n\r\n")
    assert status == 400 and receiver.records() == []


def test_every_kept_record_reads_back_and_only_its_owner_may_read_the_store(receiver, tmp_path):
    # Characters some readers take for the end of a line: each record is still one line.
    fields = {"name": "a\u2028b\u2029c\u0085d\x0be", "phone": "050"}
    status, _, _ = _post(receiver, urllib.parse.urlencode(fields), URLENCODED)
    assert status == 200
    status, _, _ = _post(receiver, urllib.parse.urlencode(FORM), URLENCODED)
    assert status == 200
    assert [r["fields"] for r in form_receiver.read_records(tmp_path / "signups.jsonl")] == [fields, FORM]
    assert (tmp_path / "signups.jsonl").stat().st_mode & 0o777 == 0o600


def test_a_store_made_readable_to_all_is_made_private_on_the_next_record(receiver, tmp_path):
    store = tmp_path / "signups.jsonl"
    store.write_text("")
    store.chmod(0o644)
    status, _, _ = _post(receiver, urllib.parse.urlencode(FORM), URLENCODED)
    assert status == 200 and store.stat().st_mode & 0o777 == 0o600

