"""The published site as nginx serves it with the generated configuration: the security and
caching headers on every kind of response, each language's 404 page, the precompressed files,
the /en redirect; and real Chromium using every page, and the signup form, under that CSP."""

import gzip
import http.client
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.nginx import nginx_server
from tests.support.publishing import SIGNUP_ORIGIN, base_environment, copy_site, deploy_command, run, tiny_png
from tests.support.processes import listening_socket

EXPECTED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"form-action 'self' {SIGNUP_ORIGIN}; connect-src 'self' {SIGNUP_ORIGIN}; "
                "frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
FINGERPRINTED = re.compile(r"^theme/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
# nginx's names (Debian's mime.types), with the charset for every text type.
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                 "js": "application/javascript; charset=utf-8", "txt": "text/plain; charset=utf-8",
                 "xml": "text/xml; charset=utf-8", "svg": "image/svg+xml; charset=utf-8",
                 "webmanifest": "application/manifest+json; charset=utf-8", "json": "application/json; charset=utf-8",
                 "png": "image/png", "jpg": "image/jpeg", "ico": "image/x-icon", "woff2": "font/woff2",
                 "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "avif": "image/avif"}
# content/images/ publishes images by their first bytes (keter_site.checks.source_tree).
IMAGES = {"photo.png": tiny_png(), "photo.jpeg": b"\xff\xd8\xff\xe0" + bytes(60), "photo.gif": b"GIF89a" + bytes(30),
          "photo.webp": b"RIFF\x20\x00\x00\x00WEBPVP8 " + bytes(20), "photo.avif": b"\x00\x00\x00\x1cftypavif" + bytes(20)}
# Files whose type their extension does not tell (deploy/policy.yml, content_types): Chromium
# reads speculation rules only under their own type.
NAMED_TYPES = {"theme/speculation-rules.json": "application/speculationrules+json"}
SPECULATION_RULES = '"/theme/speculation-rules.json"'


class Published:
    def __init__(self, url, site):
        self.url, self.site = url, site
        self.files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
        self.pages = [f for f in self.files if f.endswith(".html")]

    def request(self, path, headers=None, method="GET"):
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The real site built by the publish pipeline for this nginx's address, served from a
    `current` link exactly as on the server."""
    base = tmp_path_factory.mktemp("published")
    # The site is built for nginx's address, so the port is chosen (and held) before the build.
    listener = listening_socket()
    port = listener.getsockname()[1]
    # A staging build: it may be addressed at this machine (a launch build must name a public
    # https host), and is otherwise the site as published.
    env = base_environment(SITEURL=f"http://127.0.0.1:{port}", DEPLOY_PATH=str(base / "srv"), STAGING="1")
    settings, content = copy_site(base / "site")  # launch-ready: real contact details, reviews recorded
    # Images an editor may add, each served with its own type (and nosniff, as every file).
    (content / "images").mkdir(exist_ok=True)
    for name, data in IMAGES.items():
        (content / "images" / name).write_bytes(data)
    build = run(deploy_command("build", "--settings", settings, "--out", base / "build"), env)
    assert build.returncode == 0, build.log
    (base / "srv").mkdir()
    (base / "srv" / "current").symlink_to(base / "build" / "site")
    with nginx_server(base / "nginx", base / "build" / "nginx" / "keter-health.conf", listener) as url:
        yield Published(url, base / "build" / "site")


def url_path(relative):
    return "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def assert_security_headers(headers, where):
    assert headers.get("content-security-policy") == EXPECTED_CSP, where
    assert "unsafe-inline" not in headers["content-security-policy"]
    hsts = headers.get("strict-transport-security", "")
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts) and int(hsts.split("=")[1].split(";")[0]) >= 31536000, where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    permissions = headers.get("permissions-policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions, (where, permissions)
    assert headers.get("x-content-type-options") == "nosniff", where
    # Instant navigation: the same-site rules file, on every answer (browsers read it on pages).
    assert headers.get("speculation-rules") == SPECULATION_RULES, where


def test_every_file_is_served_with_every_header(published):
    served = [f for f in published.files if not f.endswith((".gz", ".br")) and f not in ("_headers", "_redirects")]
    assert len([f for f in served if f.endswith(".html")]) >= 20
    assert {f"images/{name}" for name in IMAGES} <= set(served)
    assert [f for f in served if FINGERPRINTED.match(f) and f.endswith(".css")]
    assert [f for f in served if FINGERPRINTED.match(f) and f.endswith(".js")]
    for relative in served:
        status, headers, body = published.request(url_path(relative))
        assert status == 200, relative
        assert body == (published.site / relative).read_bytes(), relative
        assert_security_headers(headers, relative)
        expected_cache = YEAR_IMMUTABLE if FINGERPRINTED.match(relative) else REVALIDATE
        assert headers.get("cache-control") == expected_cache, relative
        expected_type = NAMED_TYPES.get(relative) or CONTENT_TYPES.get(relative.rsplit(".", 1)[-1])
        if expected_type:
            assert headers["content-type"] == expected_type, relative
        else:
            assert headers["content-type"] != "application/octet-stream", relative


def test_no_path_starting_with_a_dot_is_served(published):
    planted = [published.site / ".env", published.site / "theme" / ".hidden.css"]
    try:
        for path in planted:
            path.write_text("TOKEN=x")
        for path in ("/.env", "/theme/.hidden.css", "/.git/config", "/en/.well-hidden/"):
            status, _, body = published.request(path)
            assert status == 404 and b"TOKEN" not in body, path
    finally:
        for path in planted:
            path.unlink()


def test_anything_but_an_image_in_the_images_folder_is_sent_as_a_download(published):
    # The build refuses such files (tests/test_bad_input.py); should one reach the server anyway,
    # it is never a page, a script or an SVG document on the site's origin.
    planted = {"images/page.html": "<script>alert(1)</script>", "images/logo.svg": "<svg><script/></svg>",
               "images/x.js": "alert(1)"}
    try:
        for relative, text in planted.items():
            (published.site / relative).write_text(text)
        for relative in planted:
            status, headers, _ = published.request("/" + relative)
            assert status == 200 and headers["content-type"] == "application/octet-stream", relative
            assert_security_headers(headers, relative)
    finally:
        for relative in planted:
            (published.site / relative).unlink()


def test_each_language_has_its_own_404_page(published):
    for path, page, lang in (("/no-such-page/", "404.html", "he"), ("/en/no-such-page/", "en/404.html", "en"),
                             ("/theme/css/site.000000000000.css", "404.html", "he")):
        status, headers, body = published.request(path)
        assert status == 404, path
        assert body == (published.site / page).read_bytes(), path
        assert f'lang={lang}' in body.decode() or f'lang="{lang}"' in body.decode(), path
        assert_security_headers(headers, path)
        assert headers["content-type"] == "text/html; charset=utf-8"


def test_the_bare_language_folder_redirects(published):
    for path, location in (("/en", "/en/"), ("/en?utm=x", "/en/?utm=x"), ("/signup", "/signup/")):
        status, headers, _ = published.request(path)
        assert (status, headers.get("location")) == (301, location), path
        assert_security_headers(headers, path)


def test_precompressed_files_are_served_as_they_are(published):
    text = [f for f in published.files if f.endswith((".html", ".css", ".js"))]
    for relative in text:
        assert (published.site / f"{relative}.gz").is_file(), relative
        assert (published.site / f"{relative}.br").is_file(), relative
    for relative in ("index.html", "en/signup/index.html",
                     next(f for f in text if FINGERPRINTED.match(f) and f.endswith(".css"))):
        status, headers, body = published.request(url_path(relative), {"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", relative
        # Byte for byte the file made at build time (this nginx has on-the-fly gzip off).
        assert body == (published.site / f"{relative}.gz").read_bytes(), relative
        assert gzip.decompress(body) == (published.site / relative).read_bytes()
        assert "accept-encoding" in headers.get("vary", "").lower()
        assert_security_headers(headers, relative)
        status, headers, body = published.request(url_path(relative))
        assert "content-encoding" not in headers and body == (published.site / relative).read_bytes()


VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def open_page(new_tab, javascript=True):
    """A new tab that records every CSP violation the page reports, and every console message."""
    page = new_tab(javascript=javascript)
    if javascript:
        page.add_init_script(VIOLATIONS)
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    return page, messages


def csp_messages(messages):
    return [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


def test_chromium_reports_a_violation_when_there_is_one(published, new_tab):
    # The probe proves the watch works: an inline script and style on a page served with the CSP.
    probe = published.site / "csp-probe.html"
    probe.write_text("<!doctype html><title>probe</title><style>p{}</style><script>1</script><p>x</p>")
    try:
        page, messages = open_page(new_tab)
        page.goto(f"{published.url}/csp-probe.html")
        # The page reports its violations as events: wait for them (bounded), not for a time.
        page.wait_for_function("window.__cspViolations.length >= 2", timeout=10000)
        assert len(csp_messages(messages)) >= 2, messages
    finally:
        probe.unlink()


def test_chromium_loads_every_page_with_no_csp_violation(published, new_tab):
    page, messages = open_page(new_tab)
    visits = [(url_path(relative), 200) for relative in published.pages]
    visits += [("/no-such-page/", 404), ("/en/no-such-page/", 404)]  # the 404 pages, as visitors meet them
    for path, status in visits:
        response = page.goto(published.url + path)  # returns once the page has loaded
        assert response.status == status, path
        assert page.evaluate("window.__cspViolations") == [], path
        # The stylesheet was allowed and applied.
        assert page.evaluate("[...document.styleSheets].some(s => s.cssRules.length > 0)"), path
    assert csp_messages(messages) == [], messages


def fill_signup_form(page):
    page.fill("#signup-name", "Dana Levi")
    page.fill("#signup-phone", "050-1234567")
    page.fill("#signup-email", "dana@example.test")
    page.check("#signup-consent")


@pytest.mark.parametrize("path", ["/signup/", "/en/signup/"])
def test_the_signup_form_sends_with_script_under_the_csp(published, new_tab, path):
    page, messages = open_page(new_tab)
    posts = []

    def answer(route):
        posts.append((route.request.method, route.request.post_data or ""))
        route.fulfill(status=200, content_type="application/json", body='{"ok": true}',
                      headers={"Access-Control-Allow-Origin": published.url})

    page.route(f"{SIGNUP_ORIGIN}/**", answer)
    page.goto(published.url + path)
    fill_signup_form(page)
    page.click("#signup-form .signup-form__submit")
    page.wait_for_selector("#signup-success", state="visible", timeout=10000)
    assert [method for method, _ in posts] == ["POST"]
    assert parse_qs(posts[0][1])["email"] == ["dana@example.test"]
    assert page.evaluate("window.__cspViolations") == []
    assert csp_messages(messages) == [], messages


def test_the_signup_form_posts_without_script_under_the_csp(published, new_tab):
    page, messages = open_page(new_tab, javascript=False)
    posts = []

    def answer(route):
        fields = parse_qs(route.request.post_data or "")
        posts.append(fields)
        route.fulfill(status=303, headers={"Location": fields["_next"][0]}, body="")

    page.route(f"{SIGNUP_ORIGIN}/**", answer)
    page.goto(published.url + "/en/signup/")
    fill_signup_form(page)
    with page.expect_navigation():
        page.click("#signup-form .signup-form__submit")
    assert len(posts) == 1 and posts[0]["name"] == ["Dana Levi"]
    assert page.url.startswith(published.url) and "signup-thanks" in page.url
    assert csp_messages(messages) == [], messages


def test_generated_host_files_carry_the_same_policy(published):
    rules = (published.site / "_headers").read_text()
    assert f"  Content-Security-Policy: {EXPECTED_CSP}\n" in rules
    for name in ("Strict-Transport-Security", "Referrer-Policy", "Permissions-Policy", "X-Content-Type-Options"):
        assert f"  {name}: " in rules
    for relative in published.files:
        if FINGERPRINTED.match(relative) and not relative.endswith((".gz", ".br")):
            assert f"/{relative}\n  Cache-Control: {YEAR_IMMUTABLE}\n" in rules
    assert f"  Speculation-Rules: {SPECULATION_RULES}\n" in rules
    assert "/theme/speculation-rules.json\n  Content-Type: application/speculationrules+json\n" in rules
    redirects = (published.site / "_redirects").read_text().splitlines()
    assert "/en  /en/  301" in redirects and "/en/*  /en/404.html  404" in redirects


def test_a_mistake_in_the_header_policy_is_refused_with_its_line(tmp_path):
    from keter_tools.deploy.common import DeployError
    from keter_tools.deploy.headers import POLICY_FILE, load_policy

    text = POLICY_FILE.read_text(encoding="utf-8")
    assert load_policy(POLICY_FILE)["headers"]
    broken = tmp_path / "policy.yml"
    # The same key twice: a plain YAML reader keeps the second and says nothing.
    broken.write_text(text + "headers: {}\n", encoding="utf-8")
    with pytest.raises(DeployError) as refused:
        load_policy(broken)
    line = len(text.splitlines()) + 1
    assert f"{broken}:{line}:" in str(refused.value) and "headers" in str(refused.value), refused.value


def test_the_publish_checks_name_everything_in_a_page_the_policy_would_block(tmp_path):
    # What the Content-Security-Policy (and the site's own rules) would stop in a browser, found
    # in the built page before anything is uploaded: each kind named with its element, once.
    from keter_tools.deploy.checks import check_site
    from tests.support.publishing import SIGNUP_ENDPOINT

    site = tmp_path / "site"
    for folder in ("", "en/"):
        (site / folder).mkdir(parents=True, exist_ok=True)
        (site / folder / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
        (site / folder / "404.html").write_text("<!doctype html><title>Not found</title>", encoding="utf-8")
    (site / "img.png").write_bytes(tiny_png())
    (site / "en" / "index.html").write_text(
        '<!doctype html><title>x</title><div onclick="go()" style="color:red">a</div><style>p{}</style>'
        '<script>alert(1)</script><script type="application/ld+json">{}</script><a href="javascript:go()">b</a>'
        '<img src="https://cdn.example/x.png"><img src="/missing.png"><img srcset="data:image/png;base64,AA 1x, /img.png 2x">'
        '<form action="https://elsewhere.example/post"></form><form action="' + SIGNUP_ENDPOINT + '"></form>'
        '<base href="https://elsewhere.example/"><meta http-equiv="refresh" content="0;url=/">', encoding="utf-8")
    settings = {"SITEURL": "https://www.keter-health.example", "LANGUAGES": {"he": {"prefix": ""}, "en": {"prefix": "en"}},
                "SIGNUP_ENDPOINT": SIGNUP_ENDPOINT}
    found = [str(problem) for problem in check_site(site, settings)]
    expected = ["an inline event handler (onclick= on <div>)", "inline styles (<div style=>)", "inline styles (<style>)",
                "an inline <script>", "a javascript: URL on <a>", "<img> loads https://cdn.example/x.png from another host",
                "<img> loads /missing.png, which is not in the built site", "a form sends to https://elsewhere.example",
                "<base href=https://elsewhere.example/> points to another host", "a <meta http-equiv=refresh>"]
    assert all(problem.startswith("en/index.html: ") for problem in found), found
    for words in expected:
        assert sum(words in problem for problem in found) == 1, (words, found)
    assert len(found) == len(expected), found
