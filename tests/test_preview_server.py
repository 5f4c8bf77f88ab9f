"""The preview server: serves the last good build, each language's 404, and a banner while the
latest build has failed."""

import urllib.error
import urllib.request

from keter_tools import devserver
from keter_tools.build import BuildResult


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_banner_only_while_the_last_build_failed(tmp_path, site):
    state = devserver.BuildState()
    server = devserver.start(site.output, "127.0.0.1", 0, state)  # port 0: the kernel chooses
    port = server.server_address[1]
    try:
        base = f"http://127.0.0.1:{port}"
        status, body = _get(base + "/en/")
        assert status == 200 and 'role="alert"' not in body
        state.record(BuildResult(False, site.output, 0.1, message="content/en/x.md: unknown language 'xx'."))
        status, body = _get(base + "/en/")
        assert status == 200 and "The last build failed" in body and "content/en/x.md: unknown language" in body
        state.record(BuildResult(True, site.output, 0.1))
        assert 'role="alert"' not in _get(base + "/en/")[1]
        status, _ = _get(base + "/en/no-such-page/")
        assert status == 404
        assert _get(base + "/../../etc/passwd")[0] == 404
    finally:
        server.shutdown()


def _raw_status(port, path):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_preview_sends_productions_headers_and_never_fails_on_a_bad_path(tmp_path, site, page):
    import shutil

    from keter_tools.deploy.headers import security_headers
    from keter_tools.build import load_settings

    output = tmp_path / "output"
    shutil.copytree(site.output, output)
    (output / ".env").write_text("TOKEN=x")
    (output / "en" / ".secret.html").write_text("TOKEN=x")
    state = devserver.BuildState()
    server = devserver.start(output, "127.0.0.1", 0, state, headers=devserver.preview_headers())
    port = server.server_address[1]
    try:
        expected = security_headers(load_settings("pelicanconf.py"))
        assert "http://127.0.0.1:8001" in expected["Content-Security-Policy"]
        status, headers, _ = _raw_status(port, "/en/")
        assert status == 200
        for name, value in expected.items():
            assert headers[name] == value, name
        for path, code in (("/%00", 400), ("/%ff%fe/", 400), ("/.env", 404), ("/en/.secret.html", 404),
                           ("/%2e%2e/%2e%2e/etc/passwd", 404), ("/en/%2e%2e/.env", 404)):
            status, headers, body = _raw_status(port, path)
            assert status == code and b"TOKEN" not in body and b"Traceback" not in body, path
            assert "Content-Security-Policy" in headers, path
        # The failed-build banner shows, styled, under the production CSP, with no violation.
        state.record(BuildResult(False, output, 0.1, message="content/en/x.md: unknown language 'xx'."))
        messages = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(f"http://127.0.0.1:{port}/en/")
        banner = page.locator(".keter-preview-banner")
        assert "unknown language" in banner.inner_text()
        assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(138, 28, 28)"
        assert not [m for m in messages if "Content Security Policy" in m], messages
    finally:
        server.shutdown()


def test_a_foreign_host_is_refused_and_the_banner_speaks_the_pages_language(tmp_path, site):
    state = devserver.BuildState()
    server = devserver.start(site.output, "127.0.0.1", 0, state)
    port = server.server_address[1]
    try:
        import http.client

        for host, code in (("attacker.example", 421), (f"attacker.example:{port}", 421), (f"127.0.0.1:{port + 1}", 421),
                           (f"localhost:{port}", 200), (f"127.0.0.1:{port}", 200)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/en/", headers={"Host": host})
            assert connection.getresponse().status == code, host
            connection.close()
        state.record(BuildResult(False, site.output, 0.1, message="content/he/x.md: `title` is empty: «שלום»."))
        hebrew, english = _get(f"http://127.0.0.1:{port}/")[1], _get(f"http://127.0.0.1:{port}/en/")[1]
        assert 'lang="he" dir="rtl"><strong>הבנייה האחרונה נכשלה' in hebrew
        assert 'lang="en" dir="ltr"><strong>The last build failed' in english
        # The report itself reads left to right, each line in the direction of its own first letters.
        assert '<pre dir="ltr" lang="en">content/he/x.md: `title` is empty: «שלום».</pre>' in hebrew
        assert b"unicode-bidi:plaintext" in devserver.BANNER_CSS
    finally:
        server.shutdown()
