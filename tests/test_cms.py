"""The browser editor (`invoke edit`: Decap CMS with decap-server, issue 17). Real decap-server,
real Chromium and the real command, on a copy of the repository: the test never edits the
project. Every wait is bounded and waits for an event (a port, a text, a file), never a time."""

import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from tests.support import processes
from tests.support.previews import EDITOR_READY, commit_all, copy_editor_project, invoke_server, keep_editor_choices
from tests.support.publishing import SIGNUP_ENDPOINT
from tests.support.sites import ROOT

from keter_site.core import front_matter
from keter_tools import cms, cms_api, cms_saves
from keter_tools.deploy.checks import check_site


@pytest.fixture
def page(editor_page):
    """A tab of the browser editor's profile (conftest.py's editor_context), for this file's tests."""
    return editor_page


WAIT = 90  # seconds: every wait below is bounded
SETTINGS = {"LANGUAGES": {"he": {"dir": "rtl"}, "en": {"dir": "ltr"}}, "DEFAULT_LANG": "he",
            "PATH": str(ROOT / "content")}


def test_the_configuration_comes_from_the_project():
    config = cms.config(SETTINGS)
    assert config["i18n"] == {"structure": "multiple_folders", "locales": ["he", "en"], "default_locale": "he"}
    # Saved through the preview server's checked path, never straight to decap-server.
    assert config["backend"] == {"name": "proxy", "proxy_url": "/admin/api/v1", "branch": "main"}
    assert "local_backend" not in config
    assert config["media_folder"] == "content/images" and config["public_folder"] == "/images"
    pages, articles = config["collections"]
    assert (pages["folder"], articles["folder"]) == ("pages", "articles")
    for collection in (pages, articles):
        assert collection["format"] == "yaml-frontmatter" and collection["create"] is True
        assert collection["slug"] == "{{fields.slug}}"
        fields = {field["name"]: field for field in collection["fields"]}
        assert fields["body"]["widget"] == "markdown" and fields["body"]["modes"] == ["raw"]
        assert fields["description"].get("required", True) and fields["title"].get("required", True)
        assert fields["description"]["pattern"][0] == "^[^\\n]{1,160}$"
        assert fields["slug"]["i18n"] == "duplicate" and fields["slug"]["pattern"][0] == "^[a-z0-9]+(?:-[a-z0-9]+)*$"
        # The medical flag, the review records and the fingerprints are not in the form at all.
        assert not {"medical", "source_hash", "lang", "reviewed_by", "last_reviewed", "fingerprint"} & set(fields)
        assert set(fields) - {"slug", "body"} <= set(cms_saves.EDITABLE)
        assert all(field["hint"] for field in collection["fields"])
    assert {"date", "updated", "summary"} <= {f["name"] for f in articles["fields"]}
    # The interface, labels and help in Hebrew for those who choose it.
    hebrew = cms.config(SETTINGS, "he")
    assert hebrew["locale"] == "he" and hebrew["collections"][0]["label"] == "דפים"
    assert hebrew["collections"][0]["fields"][0]["label"] == "כותרת"


def test_the_editor_files_come_from_this_machine():
    index = cms.admin_file("", SETTINGS, key="k3y").decode()
    assert 'src="decap/decap-cms.js"' in index and "http" not in index.replace("http-equiv", "")
    assert '<meta name="keter-key" content="k3y">' in index
    assert cms.admin_file("decap/decap-cms.js", SETTINGS) == (cms.DECAP_DIST / "decap-cms.js").read_bytes()
    assert cms.admin_file("decap/../../package.json", SETTINGS) is None
    assert cms.admin_file("decap/decap-cms.js.map", SETTINGS) is None
    assert cms.admin_file("decap_socket.js", SETTINGS) is None
    policy = cms.admin_headers()["Content-Security-Policy"]
    assert "https:" not in policy and "*" not in policy and "http:" not in policy
    assert "connect-src 'self' blob: data:" in policy  # an image to upload is read from a blob: address


HEAD = ('---\ntitle: Understanding anxiety\nslug: anxiety\nlang: en\ndescription: What anxiety disorders are, how\n'
        '  anxiety can feel.\nmenu_order: 2\nmedical: true\nsource_hash: "0012345"\n---\n\nThe text [@glue2017].\n')


def test_a_save_writes_only_what_was_edited():
    # The editor's version: every value re-quoted and refolded, keys moved, the medical flag and
    # the fingerprint dropped or changed, a new title.
    decap = ("---\ntitle: 'Anxiety, step by step'\ndescription: >-\n  What anxiety disorders are, how anxiety can "
             "feel.\nmedical: false\nsource_hash: forged\nmenu_order: 2\nslug: other\n---\nThe text [@glue2017].\n")
    saved = cms_saves.merged(HEAD, decap, "anxiety", "en")
    assert saved == HEAD.replace("title: Understanding anxiety", "title: Anxiety, step by step")
    # A title YAML would cut at ` #`: refused with the build's words, never saved as "Anxiety".
    with pytest.raises(ValueError, match=r"^line 2: .* so `title` would silently be 'Anxiety'\. Put the value in "
                                         "double quotes"):
        cms_saves.merged(HEAD, decap.replace("'Anxiety, step by step'", "Anxiety #1 guide"), "anxiety", "en")
    # A new file: slug and lang from its path, the form's fields, one empty line, the text.
    new = cms_saves.merged(None, "---\ntitle: New\nslug: x\nlang: he\nmedical: true\ndescription: D\n---\nBody\n",
                           "new-page", "en")
    assert new == "---\ntitle: New\nslug: new-page\nlang: en\ndescription: D\n---\n\nBody\n"
    # The publication switch: a draft is `status: draft`, ready is no line at all, and a page with
    # another status (the 404 pages are hidden) keeps it.
    ready = decap.replace("medical: false", "status: published")
    assert "status" not in cms_saves.merged(HEAD, ready, "anxiety", "en")
    draft = cms_saves.merged(HEAD, decap.replace("medical: false", "status: draft"), "anxiety", "en")
    assert draft == HEAD.replace("title: Understanding anxiety", "title: Anxiety, step by step").replace(
        "---\n\n", "status: draft\n---\n\n")
    assert "status" not in cms_saves.merged(draft, ready, "anxiety", "en")
    hidden = HEAD.replace("menu_order: 2\n", "status: hidden\n")
    assert "status: hidden\n" in cms_saves.merged(hidden, decap.replace("medical: false", "status: draft"), "anxiety", "en")


def test_the_back_end_names_pages_articles_and_images_only():
    paths = cms_api.Paths(["he", "en"])
    assert paths.real("pages/he/anxiety.md") == "content/he/anxiety.md"
    assert paths.real("articles/en/a-b.md") == "content/en/articles/a-b.md"
    assert paths.real("content/images/photo.webp") == "content/images/photo.webp"
    assert paths.virtual("content/en/articles/a-b.md") == "articles/en/a-b.md"
    for bad in ("content/data/reviews/anxiety.yml", "content/data/clinic.yml", "pelicanconf.py", "var/signups.jsonl",
                "pages/he/../../pelicanconf.py", "pages/fr/x.md", "pages/he/x.yml", "content/images/../x.webp",
                "content/images/x.svg", "content/images/.x.webp", "theme/templates/base.html", "/etc/passwd"):
        with pytest.raises(cms_api.Refused):
            paths.real(bad)


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """`invoke edit` on a git copy of the repository; yields (project, base URL, the session's
    key, the process)."""
    tmp = tmp_path_factory.mktemp("cms")
    project = tmp / "project"
    copy_editor_project(project)
    (project / "var").mkdir()
    (project / "var" / "signups.jsonl").write_text('{"name": "A reader", "phone": "050-0000000"}\n')
    commit_all(project)
    # Port 0: the preview takes a port the kernel chooses, and the command prints it.
    ready = EDITOR_READY
    log_path = tmp / "edit.log"
    with invoke_server(project, ["edit", "--port", "0", "--no-browser"], log_path, ready, WAIT) as (process, port):
        url = re.search(ready, log_path.read_text(encoding="utf-8")).group(2)
        yield project, f"http://127.0.0.1:{port}", url.split("key=")[1], process



def _request(base, path, body=None, headers=None, method=None):
    """(status, parsed JSON or text) of one request to the preview."""
    import http.client
    import json

    connection = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method or ("POST" if data else "GET"), path, data,
                           {"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def _trusted(base, key):
    host = base.split("//")[1]
    return {"Host": host, "Origin": base, "Cookie": f"keter_editor={key}", "X-Keter-Key": key}


def _headers_of(base, path, headers):
    """(status, headers, body length) of one GET to the preview."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        length = len(response.read())
        return response.status, response.headers, length  # names in any case (Tornado writes "Etag")
    finally:
        connection.close()


def test_the_browser_keeps_decaps_bundle_and_asks_whether_it_changed(editor):
    _, base, key, _ = editor
    trusted = _trusted(base, key)
    status, headers, length = _headers_of(base, "/admin/decap/decap-cms.js", trusted)
    assert status == 200 and length > 1_000_000
    assert headers["Cache-Control"] == "private, no-cache" and headers["ETag"].startswith('"')
    # Asked again with the digest it holds: unchanged, nothing sent.
    status, again, length = _headers_of(base, "/admin/decap/decap-cms.js", {**trusted, "If-None-Match": headers["ETag"]})
    assert (status, length, again["ETag"]) == (304, 0, headers["ETag"])
    assert _headers_of(base, "/admin/decap/decap-cms.js", {**trusted, "If-None-Match": '"other"'})[0] == 200
    # Still the session's alone, and the page that carries the key is never kept.
    assert _headers_of(base, "/admin/decap/decap-cms.js", {"If-None-Match": headers["ETag"]})[0] == 403
    status, page, _ = _headers_of(base, "/admin/", trusted)
    assert status == 200 and page["Cache-Control"] == "no-store"


def _process_tree(pid):
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in os.listdir(f"/proc/{current}/task"):
            with open(f"/proc/{current}/task/{task}/children") as children:
                todo += [int(c) for c in children.read().split()]
    return found


def test_only_the_editor_page_can_use_the_back_end(editor):
    project, base, key, process = editor
    port = int(base.rsplit(":", 1)[1])
    trusted = _trusted(base, key)
    info = {"action": "info"}
    assert _request(base, "/admin/api/v1", info, trusted)[0] == 200
    # decap-server has no TCP port: the preview is the one port of the whole command.
    tree = _process_tree(process.pid)
    assert len(tree) >= 2 and set().union(*(processes.listening_ports(p) for p in tree)) == {port}
    # A page reached through DNS rebinding sends its own name: refused, the site's pages too.
    for path in ("/", "/en/", "/admin/", f"/admin/?key={key}"):
        assert _request(base, path, headers={"Host": "attacker.example"})[0] == 421, path
    assert _request(base, "/admin/api/v1", info, {**trusted, "Host": f"attacker.example:{port}"})[0] == 421
    assert _request(base, "/en/", headers={"Host": f"localhost:{port}"})[0] == 200
    # A local request without the session's key: no page, no back end.
    status, answer = _request(base, "/admin/")
    assert status == 403 and key not in str(answer)
    for missing in ("Cookie", "X-Keter-Key"):
        headers = {k: v for k, v in trusted.items() if k != missing}
        assert _request(base, "/admin/api/v1", info, headers)[0] == 403, missing
        assert _request(base, "/admin/editor/build", {}, headers)[0] == 403, missing
    assert _request(base, "/admin/api/v1", info, {**trusted, "X-Keter-Key": "guess"})[0] == 403
    assert _request(base, "/admin/api/v1", info, {**trusted, "Origin": "http://attacker.example"})[0] == 403
    assert _request(base, "/admin/api/v1", None, trusted, method="GET")[0] == 405
    # The key, once, at the address the command printed: a cookie for /admin only.
    status, _ = _request(base, f"/admin/?key={key}")
    assert status == 303
    # Writes and reads outside pages, articles and images: refused, and nothing changed.
    before = _changed(project)
    entry = {"slug": "x", "raw": "---\ntitle: Forged\n---\nDr. Forged Physician\n"}
    persist = {"branch": "main", "assets": [], "options": {"commitMessage": "x", "useWorkflow": False, "status": ""}}
    for path in ("content/data/reviews/anxiety.yml", "pelicanconf.py", "content/data/clinic.yml",
                 "pages/he/../../pelicanconf.py", "theme/templates/base.html", "plugins/keter_site/__init__.py"):
        status, answer = _request(base, "/admin/api/v1", {"action": "persistEntry", "params": {
            **persist, "dataFiles": [{**entry, "path": path}]}}, trusted)
        assert status == 403 and "within its reach" in answer["error"], (path, answer)
    status, _ = _request(base, "/admin/api/v1", {"action": "persistMedia", "params": {
        "branch": "main", "asset": {"path": "content/data/allowed_signers.webp", "content": "eA==", "encoding": "base64"},
        "options": {"commitMessage": "x"}}}, trusted)
    assert status in (403, 422)
    for action, params in (("getMediaFile", {"path": "var/signups.jsonl"}), ("getEntry", {"path": "var/signups.jsonl"}),
                           ("getEntry", {"path": "content/data/clinic.yml"}),
                           ("entriesByFolder", {"folder": "content/data", "extension": "yml", "depth": 1}),
                           ("getMedia", {"mediaFolder": "var"}),
                           ("deleteFile", {"path": "content/he/anxiety.md", "options": {"commitMessage": "x"}}),
                           ("unpublishedEntries", {})):
        status, answer = _request(base, "/admin/api/v1", {"action": action, "params": {"branch": "main", **params}},
                                  trusted)
        assert status == 403 and "A reader" not in str(answer), (action, answer)
    assert _changed(project) == before
    assert "Forged" not in _page(base + "/anxiety/")


def _page(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _wait_for(url, text):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if text in _page(url):
                return
        except OSError:
            pass
        time.sleep(0.2)  # polling the preview server, bounded by the deadline
    raise AssertionError(f"{text!r} never appeared at {url}")


def _login(page, base, key, ui="en", entry=None):
    """The editor opened and logged in; `entry` ((collection, slug)): that entry opened next, in
    the same fresh editor (as a click on it in the list would)."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    keep_editor_choices(page, ui, "Dana Levi")
    page.goto(f"{base}/admin/?key={key}")
    page.get_by_role("button", name=re.compile("^(Login|התחברות)$")).click(timeout=WAIT * 1000)
    if entry:
        # Once the editor shows its first collection after the login, the entry's address.
        page.wait_for_url(re.compile(r"/admin/#/collections/"), timeout=WAIT * 1000)
        collection, slug = entry
        page.goto(f"{base}/admin/#/collections/{collection}/entries/{slug}")
        _entry_ready(page)


def _open(page, base, collection, slug):
    page.goto(f"{base}/admin/#/collections/{collection}/entries/{slug}")
    page.reload()  # a fresh editor for each entry (the login is kept)
    _entry_ready(page)


def _entry_ready(page):
    page.locator('[data-keter-lang="he"] [contenteditable="true"]').wait_for(timeout=WAIT * 1000)
    if not page.locator('[data-keter-lang="en"]').count():
        page.get_by_title("Toggle i18n").click()  # the two languages side by side again
    page.locator('[data-keter-lang="en"] [contenteditable="true"]').wait_for(timeout=WAIT * 1000)


def _publish(page, expect="Saved, and the site is built"):
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Publish now").click()
    page.locator("#keter-status").get_by_text(expect).wait_for(timeout=WAIT * 1000)


def _changed(project):
    out = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True).stdout
    return sorted(line[3:] for line in out.splitlines())


def _git_out(project, *args):
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def _caret_at_end(page, locator):
    locator.click()
    # The caret at the end of that paragraph (the End key stops at the end of a wrapped line).
    locator.evaluate("""el => { const text = el.firstChild, range = document.createRange();
        range.setStart(text, text.length); range.collapse(true);
        getSelection().removeAllRanges(); getSelection().addRange(range); }""")
    # The editor (slate-react) takes up a moved caret on the next selection event it handles,
    # at most one every 100 ms, and shows nothing when it has: let two of those periods pass.
    page.wait_for_timeout(250)


def test_a_save_is_a_commit_of_the_edited_lines_and_the_medical_flag_is_out_of_reach(editor, page):
    project, base, key, process = editor
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1:", "data:", "blob:", "about:")) else None)
    _login(page, base, key, entry=("pages", "anxiety"))
    # Hebrew right to left, English left to right.
    assert page.locator('[data-keter-lang="he"] input[id^="title-field"]').evaluate(
        "el => getComputedStyle(el).direction") == "rtl"
    assert page.locator('[data-keter-lang="en"] input[id^="title-field"]').evaluate(
        "el => getComputedStyle(el).direction") == "ltr"
    # The address is chosen once, when the page is created.
    assert page.locator('[data-keter-lang="he"] input[id^="slug-field"]').evaluate("el => el.readOnly")
    # The medical flag is not in the form.
    assert not page.locator('[id^="medical-field"]').count()
    assert not page.get_by_text("Medical page").count()
    page.locator('[data-keter-lang="en"] input[id^="title-field"]').fill("Understanding anxiety, step by step")
    # The preview: the site's stylesheet and direction, clinic details and citations as on the site.
    page.get_by_title("Toggle preview").click()
    frame = page.frame_locator("iframe").first
    frame.locator("sup.cite").first.wait_for(timeout=WAIT * 1000)
    assert "/theme/css/site." in frame.locator("head").inner_html()
    preview_text = frame.locator("body").inner_text()
    assert "{clinic:" not in preview_text and "[@" not in preview_text
    page.get_by_title("Toggle preview").click()
    _publish(page)
    _wait_for(base + "/en/anxiety/", "Understanding anxiety, step by step")
    # One commit, by the editor, of the one edited line.
    assert _git_out(project, "log", "-1", "--format=%an|%s") == "Dana Levi|Edited page anxiety (he, en) in the browser editor\n"
    assert _git_out(project, "show", "--format=", "--name-only", "HEAD").split() == ["content/en/anxiety.md"]
    diff = [line for line in _git_out(project, "show", "--format=", "-U0", "HEAD").splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff == ["-title: Understanding anxiety", "+title: Understanding anxiety, step by step"]
    assert _changed(project) == []
    assert "medical: true" in (project / "content" / "en" / "anxiety.md").read_text(encoding="utf-8")
    assert not outside, outside
    assert process.poll() is None


def test_a_save_the_build_refuses_shows_its_message_in_the_editor_until_fixed(editor, page):
    project, base, key, _ = editor
    _login(page, base, key, entry=("pages", "team"))
    title = page.locator('[data-keter-lang="en"] input[id^="title-field"]')
    original = title.input_value()
    # An empty English title: required in each language, refused before anything is written.
    title.fill("")
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Publish now").click()
    page.locator('[data-keter-lang="en"]').get_by_text(re.compile("required", re.I)).first.wait_for(
        timeout=WAIT * 1000)
    assert "title: " + original in (project / "content" / "en" / "team.md").read_text(encoding="utf-8")
    title.fill(original)
    # An unknown citation: saved, the build refuses it, and the editor shows the build's own words.
    body = page.locator('[data-keter-lang="en"] [data-slate-string="true"]').first
    _caret_at_end(page, body)
    page.keyboard.insert_text(" [@nobody2099]")
    _publish(page, expect="The build refused this save")
    problem = page.locator("#keter-status [role=alert]").inner_text()
    assert "content/en/team.md:" in problem and "`[@nobody2099]` is not in the references registry." in problem
    assert "The last build failed" in _page(base + "/en/team/")
    # Fixed in the editor: the build takes it, and the message goes.
    text = page.locator('[data-keter-lang="en"] [data-slate-string="true"]', has_text="[@nobody2099]").first
    text.evaluate("""el => { const node = el.firstChild, at = node.data.indexOf(" [@nobody2099]");
        const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 14);
        getSelection().removeAllRanges(); getSelection().addRange(range); }""")
    page.wait_for_timeout(250)
    page.keyboard.press("Backspace")
    _publish(page)
    assert not page.locator("#keter-status [role=alert]").count()
    assert "The last build failed" not in _page(base + "/en/team/")
    assert "[@nobody2099]" not in (project / "content" / "en" / "team.md").read_text(encoding="utf-8")


def test_a_refused_save_is_explained_in_hebrew_around_the_builds_own_words(editor, page):
    project, base, key, _ = editor
    _login(page, base, key, ui="he")
    page.locator("#keter-bar").wait_for(timeout=WAIT * 1000)
    before = (project / "content" / "en" / "team.md").read_text(encoding="utf-8")
    # A save as the editor's page sends it (its own fetch: the session's key, the answer shown).
    raw = ('---\ntitle: ""\ndescription: Who we are.\n---\n\nText <script>alert(1)</script>.\n\n'
           '![](/images/calm.webp)\n')
    page.evaluate("""raw => fetch("/admin/api/v1", { method: "POST", body: JSON.stringify({ action: "persistEntry",
        params: { branch: "main", assets: [], options: { useWorkflow: false },
                  dataFiles: [{ slug: "team", path: "pages/en/team.md", raw: raw }] } }) })""", raw)
    alert = page.locator("#keter-status [role=alert]")
    alert.wait_for(timeout=WAIT * 1000)
    assert alert.get_attribute("dir") == "rtl"
    sentences = alert.locator("ul.keter-explained li").all_inner_texts()
    assert "בדף באנגלית: חסר השדה „כותרת”: זה שדה חובה, בכל שפה." in sentences
    assert any(s.startswith("בדף באנגלית: לתמונה /images/calm.webp אין תיאור") for s in sentences), sentences
    # The build's own message, word for word, left to right.
    english = alert.locator("pre")
    assert english.get_attribute("dir") == "ltr" and english.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    assert "content/en/team.md: missing `title` in the front matter" in english.inner_text()
    assert "באנגלית" in alert.locator(".keter-english-note").inner_text()
    assert (project / "content" / "en" / "team.md").read_text(encoding="utf-8") == before
    # The English interface: the build's message alone.
    page.evaluate("localStorage.setItem('keter-editor-ui', 'en')")
    page.reload()
    page.locator("#keter-bar").wait_for(timeout=WAIT * 1000)
    page.evaluate("""raw => fetch("/admin/api/v1", { method: "POST", body: JSON.stringify({ action: "persistEntry",
        params: { branch: "main", assets: [], options: { useWorkflow: false },
                  dataFiles: [{ slug: "team", path: "pages/en/team.md", raw: raw }] } }) })""", raw)
    alert.wait_for(timeout=WAIT * 1000)
    assert not alert.locator("ul.keter-explained").count() and "missing `title`" in alert.locator("pre").inner_text()


def test_the_editor_never_offers_a_local_backup_that_restores_nothing(editor, page):
    project, base, key, _ = editor
    _login(page, base, key, entry=("pages", "privacy"))
    title = page.locator('[data-keter-lang="en"] input[id^="title-field"]')
    saved = title.input_value()
    title.fill(saved + " (never saved)")
    # Decap keeps a copy of the unsaved form in the browser (IndexedDB) a moment after a change.
    deadline = time.monotonic() + WAIT
    while not page.evaluate("""() => new Promise(done => {
        const open = indexedDB.open("localforage");
        open.onsuccess = () => { try {
            const get = open.result.transaction("keyvaluepairs").objectStore("keyvaluepairs").get("backup.pages.privacy");
            get.onsuccess = () => done(!!get.result); get.onerror = () => done(false);
          } catch (e) { done(false); } };
        open.onerror = () => done(false); })"""):
        assert time.monotonic() < deadline, "Decap never kept its copy of the unsaved form"
        page.wait_for_timeout(200)  # polling the browser's storage, bounded by the deadline
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.reload()  # the page again, as after a closed browser
    page.locator('[data-keter-lang="he"] input[id^="title-field"]').wait_for(timeout=WAIT * 1000)
    page.locator("#keter-no-backup").wait_for(timeout=WAIT * 1000)
    assert not [m for m in asked if "backup" in m.lower()], asked
    assert page.locator('[data-keter-lang="en"] input[id^="title-field"]').input_value() == saved


def test_a_stale_translation_is_shown_and_marked_done_and_a_page_restored(editor, page):
    project, base, key, _ = editor
    he_path = project / "content" / "he" / "benefits.md"
    original = he_path.read_text(encoding="utf-8")
    _login(page, base, key, entry=("pages", "benefits"))
    assert page.locator("#keter-entry .keter-badge").inner_text() == "English: up to date"
    typed = "פסקה חדשה שנכתבה בעורך."
    last = page.locator('[data-keter-lang="he"] [data-slate-string="true"]').last
    _caret_at_end(page, last)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(typed)
    _publish(page)
    # The entry says so, with what changed in the source since the translation was marked done.
    page.locator("#keter-entry .keter-badge", has_text="English: out of date").wait_for(timeout=WAIT * 1000)
    assert "+" + typed in page.locator("#keter-entry .keter-diff").inner_text()
    # And the list.
    page.goto(f"{base}/admin/#/collections/pages")
    page.locator('a[href$="/entries/benefits"] .keter-badge', has_text="English: out of date").wait_for(
        timeout=WAIT * 1000)
    assert not page.locator('a[href$="/entries/anxiety"] .keter-badge').count()
    # Marked done from the editor: recorded in the English file, and committed.
    _open(page, base, "pages", "benefits")
    page.get_by_role("button", name="Mark the English translation done").click()
    page.locator("#keter-entry .keter-badge", has_text="English: up to date").wait_for(timeout=WAIT * 1000)
    assert _git_out(project, "log", "-1", "--format=%an|%s") == "Dana Levi|Marked the en translation of benefits as done\n"
    assert _git_out(project, "show", "--format=", "--name-only", "HEAD").split() == ["content/en/benefits.md"]
    # Restored as it was before the edit: the history lists the versions, newest first.
    page.get_by_role("button", name="History").click()
    versions = page.locator("#keter-history-list li")
    assert "Edited page benefits" in versions.nth(1).inner_text() or "Edited page benefits" in versions.nth(0).inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    versions.last.get_by_role("button", name="Restore this version").click()
    page.locator("#keter-status", has_text="Restored as it was on").wait_for(timeout=WAIT * 1000)
    assert he_path.read_text(encoding="utf-8") == original
    assert _git_out(project, "log", "-1", "--format=%s").startswith("Restored page benefits as it was on ")
    _wait_for(base + "/benefits/", "</html>")
    assert typed not in _page(base + "/benefits/")


def _webp(page, path):
    """A small WebP image, drawn by the browser itself."""
    import base64

    data = page.evaluate("""() => { const c = document.createElement("canvas"); c.width = 8; c.height = 8;
        const g = c.getContext("2d"); g.fillStyle = "#3a4a5a"; g.fillRect(0, 0, 8, 8);
        return c.toDataURL("image/webp").split(",")[1]; }""")
    path.write_bytes(base64.b64decode(data))
    return path


def _type_body(page, lang, lines):
    """The body's lines, each put in as one piece of text (as a paste or a phone's keyboard puts
    in a word), with Enter between them; the editor renders once a line, not once a letter."""
    page.locator(f'[data-keter-lang="{lang}"] [contenteditable="true"]').click()
    for number, line in enumerate(lines):
        if number:
            page.keyboard.press("Enter")
        if line:
            page.keyboard.insert_text(line)


def _new_article(page, base, slug, he, en, fresh=False):
    """A new article's form, filled in: `he` and `en` are (title, summary, description, lines of
    text); the address is chosen once, in the first language's column. `fresh`: the editor has
    just been opened and logged in, so its list is all it has shown."""
    page.goto(f"{base}/admin/#/collections/articles/new")
    if not fresh:
        page.reload()  # a fresh page, without a dialog left open
    page.locator('[data-keter-lang="he"] input[id^="title-field"]').wait_for(timeout=WAIT * 1000)
    if not page.locator('[data-keter-lang="en"]').count():
        page.get_by_title("Toggle i18n").click()
    for lang, (title, summary, description, lines) in (("he", he), ("en", en)):
        column = page.locator(f'[data-keter-lang="{lang}"]')
        column.locator('input[id^="title-field"]').fill(title)
        if lang == "he":
            column.locator('input[id^="slug-field"]').fill(slug)
        column.locator('textarea[id^="summary-field"]').fill(summary)
        column.locator('textarea[id^="description-field"]').fill(description)
        _type_body(page, lang, lines)


def test_a_new_article_in_both_languages_with_an_image_and_a_citation(editor, page, tmp_path):
    project, base, key, _ = editor
    _login(page, base, key)
    page.locator("#keter-bar").wait_for()
    # The image, into the media library (content/images/), committed.
    image = _webp(page, tmp_path / "calm-room.webp")
    page.get_by_role("button", name="Media").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Upload", exact=True).click()
    chooser.value.set_files(str(image))
    page.get_by_text("calm-room.webp").first.wait_for(timeout=WAIT * 1000)
    assert (project / "content" / "images" / "calm-room.webp").read_bytes() == image.read_bytes()
    assert _git_out(project, "log", "-1", "--format=%s") == "Added the image calm-room.webp in the browser editor\n"
    # The article: the address chosen once, both languages.
    _new_article(page, base, "a-calm-room",
                 ("חדר שקט לפני הטיפול", "איך נראה החדר שבו מתקיים הטיפול.", "החדר השקט שבו מתקיים הטיפול, ומה חשוב בו.",
                  ["החדר שקט ומואר [@glue2017].", "",
                   '![חדר טיפול שקט עם כורסה](/images/calm-room.webp){: width="8" height="8" }']),
                 ("A calm room before treatment", "What the room where treatment takes place looks like.",
                  "The quiet room where treatment takes place, and why it matters.",
                  ["The room is quiet and light [@glue2017].", "",
                   '![A quiet treatment room with an armchair](/images/calm-room.webp){: width="8" height="8" }']))
    _publish(page)
    files = {lang: project / "content" / lang / "articles" / "a-calm-room.md" for lang in ("he", "en")}
    for lang, path in files.items():
        text = path.read_text(encoding="utf-8")
        meta, body, _ = front_matter.split(text)
        assert (meta["slug"], meta["lang"]) == ("a-calm-room", lang)
        assert {"title", "date", "summary", "description"} <= set(meta) and "medical" not in meta
        assert re.search(r"\n---\n\n\S", text), text  # one empty line after the front matter
        assert not front_matter.problems(text)
    assert _git_out(project, "log", "-1", "--format=%an|%s") == "Dana Levi|Created article a-calm-room (he, en) in the browser editor\n"
    # Published to both languages' lists and feeds, with the image and the numbered citation.
    _wait_for(base + "/articles/", "חדר שקט לפני הטיפול")
    _wait_for(base + "/en/articles/", "A calm room before treatment")
    assert "חדר שקט לפני הטיפול" in _page(base + "/articles/atom.xml")
    assert "A calm room before treatment" in _page(base + "/en/articles/atom.xml")
    article = _page(base + "/en/articles/a-calm-room/")
    assert re.search(r'<img[^>]*alt="A quiet treatment room with an armchair"', article), article
    assert re.search(r'<sup class="?cite', article), article
    assert "The last build failed" not in article


def test_a_draft_article_is_in_no_list_or_feed_until_switched_to_ready(editor, page):
    project, base, key, _ = editor
    _login(page, base, key)
    page.locator("#keter-bar").wait_for()
    page.wait_for_url(re.compile(r"/admin/#/collections/"), timeout=WAIT * 1000)
    _new_article(page, base, "opening-hours-draft",
                 ("טיוטה על שעות הפעילות", "שעות הפעילות החדשות של המרפאה.", "שעות הפעילות החדשות של המרפאה, מהחודש הבא.",
                  ["המרפאה פתוחה גם בערבים."]),
                 ("Draft about opening hours", "The clinic's new opening hours.",
                  "The clinic's new opening hours, from next month.", ["The clinic is open in the evenings too."]),
                 fresh=True)
    _choose_status(page, "Draft (not published)")
    _publish(page)
    files = [project / "content" / lang / "articles" / "opening-hours-draft.md" for lang in ("he", "en")]
    assert all(front_matter.split(p.read_text(encoding="utf-8"))[0]["status"] == "draft" for p in files)
    # The preview shows the draft under /_drafts/; no list, feed or sitemap has it.
    _wait_for(base + "/_drafts/en/articles/opening-hours-draft/", "Draft about opening hours")
    _wait_for(base + "/_drafts/articles/opening-hours-draft/", "טיוטה על שעות הפעילות")
    for path in ("/articles/", "/en/articles/", "/articles/atom.xml", "/en/articles/atom.xml", "/sitemap.xml", "/en/"):
        assert "opening-hours-draft" not in _page(base + path), path
    # Switched to ready: the `status` line goes, and the article is in both lists and feeds.
    _open(page, base, "articles", "opening-hours-draft")
    _choose_status(page, "Ready (published)")
    _publish(page)
    assert all("status" not in front_matter.split(p.read_text(encoding="utf-8"))[0] for p in files)
    _wait_for(base + "/articles/", "טיוטה על שעות הפעילות")
    _wait_for(base + "/en/articles/", "Draft about opening hours")
    assert "Draft about opening hours" in _page(base + "/en/articles/atom.xml")
    assert "טיוטה על שעות הפעילות" in _page(base + "/articles/atom.xml")
    assert "opening-hours-draft" in _page(base + "/sitemap.xml")


def _choose_status(page, label):
    """The publication switch (a select, shared by both languages) set to `label`."""
    page.locator('[data-keter-lang="he"] [id^="status-field"]').first.click()
    page.get_by_text(label, exact=True).last.click()


def _save(base, key, raw, path="pages/en/benefits.md", **options):
    """The back end's answer to a save of one file, as the editor's page sends it."""
    return _request(base, "/admin/api/v1", {"action": "persistEntry", "params": {
        "branch": "main", "assets": [], "options": {"commitMessage": "x", "useWorkflow": False, "status": "x", **options},
        "dataFiles": [{"slug": path.rsplit("/", 1)[1][:-3], "path": path, "raw": raw}]}}, _trusted(base, key))


def test_an_image_without_its_description_and_a_new_page_over_an_old_one_are_refused(editor):
    project, base, key, _ = editor
    raw = ('---\ntitle: T\nslug: benefits\nlang: en\ndescription: D.\n---\n\n'
           '![](/images/calm-room.webp){: width="8" height="8" }\n')
    status, answer = _save(base, key, raw)
    # The line is the one the file would have (its own front matter kept above the text).
    assert status == 422 and re.match(r"content/en/benefits\.md:\d+: the image /images/calm-room\.webp has no alt "
                                      "text", answer["error"]), answer
    # A new page never replaces one (as `invoke new`).
    status, answer = _save(base, key, raw.replace("![]", "![x]"), newEntry=True)
    assert status == 409 and "already exist" in answer["error"], answer
    assert "calm-room" not in (project / "content" / "en" / "benefits.md").read_text(encoding="utf-8")


def test_in_hebrew_search_both_languages_and_a_preview_that_renders_the_parts(editor, page):
    project, base, key, _ = editor
    _login(page, base, key, ui="he")
    # Decap's own Hebrew interface, and the project's labels and help in Hebrew.
    page.get_by_text("דפים").first.wait_for(timeout=WAIT * 1000)
    assert page.locator("#keter-bar").get_attribute("dir") == "rtl"
    # Right to left where Decap's layout takes it: the list's cards and, below, the fields.
    page.locator('[class*="ListCardLink"]').first.wait_for(timeout=WAIT * 1000)
    assert page.locator('[class*="ListCardLink"]').first.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "he"
    # Search finds English text too (Decap's own search reads only the Hebrew titles).
    page.get_by_role("searchbox", name="חיפוש בשתי השפות").fill("first-line treatments")
    page.get_by_role("searchbox", name="חיפוש בשתי השפות").press("Enter")
    found = page.locator("#keter-results li", has_text="Understanding anxiety")
    found.wait_for(timeout=WAIT * 1000)
    assert "(אנגלית)" in found.inner_text()
    page.get_by_role("searchbox", name="חיפוש בשתי השפות").fill("הבנת החרדה")
    page.get_by_role("searchbox", name="חיפוש בשתי השפות").press("Enter")
    page.locator("#keter-results li", has_text="(עברית)").first.wait_for(timeout=WAIT * 1000)
    found.first.wait_for(state="detached")
    # The home page: its `:::` parts in the preview as on the site, not as raw text.
    page.goto(f"{base}/admin/#/collections/pages/entries/home")
    page.reload()
    page.locator('[data-keter-lang="he"] [contenteditable="true"]').wait_for(timeout=WAIT * 1000)
    assert page.get_by_text("כותרת", exact=True).count()
    for lang in ("he", "en"):  # labels and help right to left; the English text stays left to right
        column = page.locator(f'[data-keter-lang="{lang}"]')
        assert column.evaluate("el => getComputedStyle(el).direction") == "rtl"
        assert column.locator('[class*="ControlHint"]').first.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator('[data-keter-lang="en"] input[id^="title-field"]').evaluate(
        "el => getComputedStyle(el).direction") == "ltr"
    # Each line of the raw Markdown in its own direction.
    lines = page.locator('[data-keter-lang="he"] [contenteditable="true"] > *')
    assert lines.first.evaluate("el => getComputedStyle(el).unicodeBidi") == "plaintext"
    page.get_by_title("הפעלת תצוגה מקדימה").click()
    frame = page.frame_locator("iframe").first
    frame.locator(".warning-callout").first.wait_for(timeout=WAIT * 1000)
    assert frame.locator(".step-path ol").count() == 1
    assert ":::" not in frame.locator("body").inner_text()
    assert frame.locator("html").get_attribute("dir") == "rtl"


def test_the_preview_reloads_itself_after_a_save(editor, page):
    project, base, key, _ = editor
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    # livereload's script tells the page when its socket is open: a save before that would send
    # its reload to nobody.
    page.add_init_script("document.addEventListener('LiveReloadConnect', () => { window.reloadsReach = true; })")
    page.goto(base + "/en/faq/")
    # The reload script is a file of the preview, allowed by the production policy.
    page.wait_for_function("() => window.reloadsReach === true", timeout=WAIT * 1000)
    path = project / "content" / "en" / "faq.md"
    raw = path.read_text(encoding="utf-8").replace("\n---\n\n", "\n---\n\nA sentence saved just now.\n\n", 1)
    status, answer = _save(base, key, raw, "pages/en/faq.md")
    assert status == 200, answer
    page.get_by_text("A sentence saved just now.").wait_for(timeout=WAIT * 1000)  # no goto: it reloaded itself
    assert not [m for m in messages if "Content Security Policy" in m], messages


def test_the_site_desk_answers_the_editor_page_only(editor):
    """The desk's commands, from anywhere but the editor's page: refused. (The desk in the
    browser, its readiness, the review document and a refused launch: test_desk.py.)"""
    _, base, key, _ = editor
    for headers in ({"Host": "attacker.example"}, {k: v for k, v in _trusted(base, key).items() if k != "X-Keter-Key"}):
        assert _request(base, "/admin/editor/desk_run", {"kind": "staging"}, headers)[0] in (403, 421)
    assert _request(base, "/admin/editor/desk_status", {}, _trusted(base, key))[0] == 200


YAML_FORM = ('---\ntitle: "Ketamine for anxiety: what the research says"\nslug: "404"\nlang: en\n'
             'description: One sentence.\nmenu_order: 3\nmedical: true\nsource_hash: "0012345e6789"\n---\n\n'
             'The text [@glue2017].\n')


def test_requoting_or_folding_a_value_changes_no_fingerprint():
    from keter_site.translation_status.status import fingerprint

    meta, body, _ = front_matter.split(YAML_FORM)
    assert meta["source_hash"] == "0012345e6789" and meta["slug"] == "404"
    # Re-quoting or folding a value (as the browser editor does) changes no fingerprint.
    folded = YAML_FORM.replace('title: "Ketamine for anxiety: what the research says"',
                               "title: 'Ketamine for anxiety:\n  what the research says'")
    assert folded != YAML_FORM and fingerprint(folded) == fingerprint(YAML_FORM)
    assert fingerprint(YAML_FORM.replace("The text", "A text")) != fingerprint(YAML_FORM)


@pytest.mark.parametrize("head, line, words", [
    ("title: T\nsource_hash: 0012345\n", 3, '`source_hash: 0012345` is not text: YAML reads it as a number'),
    ("title: T\ndescription: a: b\n", 3, "line 3 of the front matter is not valid YAML"),
    ("title: T\ntitle: U\n", 3, "`title` is set twice (lines 2 and 3)"),
    ("title: T\nmedical: maybe\n", 3, "`medical: maybe` is neither true nor false"),
    ("title: T\nmenu_label:\n", 3, "`menu_label` is empty"),
])
def test_front_matter_problems_name_their_line(head, line, words):
    problems = front_matter.problems(f"---\n{head}---\n\nText.\n")
    assert any(problem.line == line and words in problem.message for problem in problems), problems


# Last in this file: the checked builds it reads are made once for every publishing test, and by
# now another test process has made them (it would otherwise wait here while they are made).
def test_a_publishing_build_has_no_admin_and_the_publish_checks_refuse_one(checked_builds, tmp_path):
    # The site as published (publishconf.py's build, made and checked once for every publishing
    # test): no editor in it.
    published = checked_builds["base"] / "site"
    assert (published / "index.html").is_file() and not (published / "admin").exists()
    site = tmp_path / "site"
    shutil.copytree(published, site)
    settings = {"SITEURL": "https://www.keter-health.example", "LANGUAGES": {"he": {"prefix": ""}, "en": {"prefix": "en"}},
                "SIGNUP_ENDPOINT": SIGNUP_ENDPOINT}
    assert not any("admin/" in str(p) for p in check_site(site, settings))
    (site / "admin").mkdir()
    (site / "admin" / "index.html").write_text("<!doctype html><title>x</title>")
    assert any(str(p).startswith("admin/: the browser editor's folder") for p in check_site(site, settings))
