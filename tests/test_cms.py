"""The browser editor (`invoke edit`: Decap CMS with decap-server, issue 17). Real decap-server,
real Chromium and the real command, on a copy of the repository: the test never edits the
project. Every wait is bounded and waits for an event (a port, a text, a file), never a time."""

import os
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.support import commands
from tests.support.previews import copy_project, invoke_server
from tests.support.sites import ROOT

from keter_site.core import front_matter
from keter_site.medical_review import material
from keter_site.tooling import cms
from keter_site.tooling.deploy.checks import check_site
from keter_site.translation_status.status import status_table

WAIT = 90  # seconds: every wait below is bounded
SETTINGS = {"LANGUAGES": {"he": {"dir": "rtl"}, "en": {"dir": "ltr"}}, "DEFAULT_LANG": "he",
            "PATH": str(ROOT / "content")}


def test_the_configuration_comes_from_the_project():
    config = cms.config(SETTINGS)
    assert config["i18n"] == {"structure": "multiple_folders", "locales": ["he", "en"], "default_locale": "he"}
    assert config["local_backend"]["url"].startswith("http://127.0.0.1:")
    assert config["omit_empty_optional_fields"] is True
    assert config["media_folder"] == "content/images" and config["public_folder"] == "/images"
    pages, articles = config["collections"]
    assert (pages["folder"], articles["folder"], articles["path"]) == ("content", "content", "articles/{{slug}}")
    for collection in (pages, articles):
        assert collection["format"] == "yaml-frontmatter"
        fields = {field["name"]: field for field in collection["fields"]}
        assert fields["body"]["widget"] == "markdown" and fields["body"]["modes"] == ["raw"]
        assert fields["description"].get("required", True) and fields["title"].get("required", True)
        assert fields["description"]["pattern"][0] == "^[^\\n]{1,160}$"
        # Written only by `invoke translations --done` / `invoke review`, never in the form.
        assert fields["source_hash"]["widget"] == "hidden"
        assert not {"reviewed_by", "last_reviewed", "fingerprint"} & set(fields)
    assert {"date", "updated", "summary", "medical"} <= {f["name"] for f in articles["fields"]}


def test_the_editor_files_come_from_this_machine():
    index = cms.admin_file("", SETTINGS).decode()
    assert 'src="decap/decap-cms.js"' in index and "http" not in index.replace("http-equiv", "")
    assert cms.admin_file("decap/decap-cms.js", SETTINGS) == (cms.DECAP_DIST / "decap-cms.js").read_bytes()
    assert cms.admin_file("decap/../../package.json", SETTINGS) is None
    assert cms.admin_file("decap/decap-cms.js.map", SETTINGS) is None
    headers = cms.admin_headers()
    assert "https:" not in headers["Content-Security-Policy"] and "*" not in headers["Content-Security-Policy"]


def test_a_publishing_build_has_no_admin_and_the_publish_checks_refuse_one(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "SIGNUP_ENDPOINT": "https://forms.example.org/f/x", "STAGING": "1", "COLUMNS": "500"}
    result = commands.run("keter_site.tooling.build", ["publishconf.py", site, "--no-cache"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (site / "admin").exists()
    settings = {"SITEURL": "https://www.example.org", "LANGUAGES": {"he": {"prefix": ""}, "en": {"prefix": "en"}},
                "SIGNUP_ENDPOINT": "https://forms.example.org/f/x"}
    assert not any("admin/" in p for p in check_site(site, settings))
    (site / "admin").mkdir()
    (site / "admin" / "index.html").write_text("<!doctype html><title>x</title>")
    assert any(p.startswith("admin/: the browser editor's folder") for p in check_site(site, settings))


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """`invoke edit` on a copy of the repository (a git repository, so a save shows as a diff)."""
    tmp = tmp_path_factory.mktemp("cms")
    project = tmp / "project"
    copy_project(project)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("/node_modules\n/output/\n/.cache/\n/.output.*\n/var/\n")
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=project, check=True)
    # Port 0 for both servers: each takes a port the kernel chooses, and the command prints them.
    ready = r"The editor: http://127\.0\.0\.1:(\d+)/admin/ \(saving through decap-server on 127\.0\.0\.1:(\d+)\)"
    log_path = tmp / "edit.log"
    with invoke_server(project, ["edit", "--port", "0", "--cms-port", "0", "--no-browser"], log_path, ready,
                       WAIT) as (process, port):
        cms_port = int(re.search(ready, log_path.read_text(encoding="utf-8")).group(2))
        yield project, f"http://127.0.0.1:{port}", cms_port, process


def _other_addresses():
    """Addresses of this machine other than 127.0.0.1: another loopback address and the
    machine's own network addresses."""
    found = {"127.0.0.2"}
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return found | {a for a in out if ":" not in a}


def test_decap_server_answers_on_127_0_0_1_only(editor):
    _, _, cms_port, _ = editor
    with socket.create_connection(("127.0.0.1", cms_port), timeout=5):
        pass
    for address in sorted(_other_addresses()):
        with pytest.raises(OSError):
            socket.create_connection((address, cms_port), timeout=5).close()
    with pytest.raises(OSError):
        socket.create_connection(("::1", cms_port), timeout=5).close()


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


def _open(page, base, collection, slug):
    page.goto(f"{base}/admin/#/collections/{collection}/entries/{slug}")
    page.reload()  # a fresh editor for each entry (the login is kept)
    page.locator('[data-keter-dir="rtl"] [contenteditable="true"]').wait_for(timeout=WAIT * 1000)
    if not page.locator('[data-keter-dir="ltr"]').count():
        page.get_by_title("Toggle i18n").click()  # the two languages side by side again
    page.locator('[data-keter-dir="ltr"] [contenteditable="true"]').wait_for(timeout=WAIT * 1000)


def _publish(page):
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Publish now").click()
    page.get_by_text("Entry saved").wait_for(timeout=WAIT * 1000)


def _changed(project):
    out = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True).stdout
    return sorted(line[3:] for line in out.splitlines())


def _fingerprints(project):
    table = status_table(project / "content", ["he", "en"], "he")
    data = project / "content" / "data"
    settings = {"CLINIC_DATA_FILE": data / "clinic.yml", "REFERENCES_FILE": data / "references.yml",
                "UI_STRINGS_DIR": project / "theme" / "strings", "THEME": project / "theme"}
    return {slug: (row, material.fingerprint(material.texts(settings, files))) for slug, (row, files) in table.items()}


def test_edit_in_the_browser_save_and_see_the_site(editor, page):
    project, base, _, process = editor
    he_path, en_path = project / "content" / "he" / "anxiety.md", project / "content" / "en" / "anxiety.md"
    he_before, en_before = he_path.read_text(encoding="utf-8"), en_path.read_text(encoding="utf-8")
    before = _fingerprints(project)
    typed = "שורה חדשה שנכתבה בעורך שבדפדפן."
    page.set_viewport_size({"width": 1400, "height": 1000})  # a tab of the session's Chromium
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1:", "data:", "blob:", "about:")) else None)
    page.goto(base + "/admin/")
    page.get_by_role("button", name="Login").click(timeout=WAIT * 1000)
    _open(page, base, "pages", "anxiety")
    # Hebrew right to left, English left to right.
    assert page.locator('[data-keter-dir="rtl"] input[id^="title-field"]').evaluate(
        "el => getComputedStyle(el).direction") == "rtl"
    assert page.locator('[data-keter-dir="ltr"] input[id^="title-field"]').evaluate(
        "el => getComputedStyle(el).direction") == "ltr"
    # The Hebrew body: a new paragraph after the page's last one.
    last = he_before.rstrip("\n").splitlines()[-1]
    paragraph = page.locator('[data-keter-dir="rtl"] [data-slate-string="true"]', has_text=last[:30])
    paragraph.click()
    # The caret at the end of that paragraph (the End key stops at the end of a wrapped line).
    paragraph.evaluate("""el => { const text = el.firstChild, range = document.createRange();
        range.setStart(text, text.length); range.collapse(true);
        getSelection().removeAllRanges(); getSelection().addRange(range); }""")
    # The editor (slate-react) takes up a moved caret on the next selection event it handles,
    # at most one every 100 ms, and shows nothing when it has: let two of those periods pass,
    # or the Enter below lands where the click put the caret.
    page.wait_for_timeout(250)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type(typed)
    # The English title.
    page.locator('[data-keter-dir="ltr"] input[id^="title-field"]').fill("Understanding anxiety, step by step")

    # The preview: the site's stylesheet and direction, clinic details and citations as on the site.
    page.get_by_title("Toggle preview").click()
    frame = page.frame_locator("iframe").first
    frame.locator("sup.cite").first.wait_for(timeout=WAIT * 1000)
    head = frame.locator("head").inner_html()
    assert "/theme/css/site." in head
    preview_text = frame.locator("body").inner_text()
    assert "{clinic:" not in preview_text and "[@" not in preview_text
    page.get_by_title("Toggle preview").click()

    _publish(page)
    assert _changed(project) == ["content/en/anxiety.md", "content/he/anxiety.md"]
    # Decap writes the fingerprint without quotes; `invoke edit` puts them back at once.
    deadline = time.monotonic() + WAIT
    while 'source_hash: "' not in en_path.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.05)
    he_after, en_after = he_path.read_text(encoding="utf-8"), en_path.read_text(encoding="utf-8")
    assert re.search(r'(?m)^source_hash: "[0-9a-f]+"$', en_after), en_after
    he_meta, he_body, _ = front_matter.split(he_after)
    en_meta, en_body, _ = front_matter.split(en_after)
    assert not front_matter.problems(he_after) and not front_matter.problems(en_after)
    # Every key kept, in the same order; only the typed values changed.
    old_he, old_en = front_matter.split(he_before)[0], front_matter.split(en_before)[0]
    assert list(he_meta) == list(old_he) and list(en_meta) == list(old_en)
    assert he_meta == old_he
    assert en_meta == {**old_en, "title": "Understanding anxiety, step by step"}
    assert en_body == front_matter.split(en_before)[1]
    assert he_body.rstrip("\n") == front_matter.split(he_before)[1].rstrip("\n") + "\n\n" + typed

    # The build took the save: the pages show it, with no problem reported.
    _wait_for(base + "/en/anxiety/", "Understanding anxiety, step by step")
    _wait_for(base + "/anxiety/", typed)
    assert "The last build failed" not in _page(base + "/en/anxiety/")

    # A page saved without a change in its text: no stale translation, no stale review.
    _open(page, base, "pages", "what-is-kap")
    title = page.locator('[data-keter-dir="ltr"] input[id^="title-field"]')
    original = title.input_value()
    title.fill(original + " ")
    title.fill(original)
    saved = project / "content" / "en" / "what-is-kap.md"
    stamp = saved.stat().st_mtime_ns
    _publish(page)
    deadline = time.monotonic() + WAIT
    while saved.stat().st_mtime_ns == stamp and time.monotonic() < deadline:
        time.sleep(0.1)  # the save's file, bounded by the deadline
    assert saved.stat().st_mtime_ns != stamp

    # A save the build refuses: the preview's banner says why, in the terminal's words.
    _open(page, base, "pages", "team")
    body = page.locator('[data-keter-dir="ltr"] [data-slate-string="true"]').first
    body.click()
    body.evaluate("""el => { const text = el.firstChild, range = document.createRange();
        range.setStart(text, text.length); range.collapse(true);
        getSelection().removeAllRanges(); getSelection().addRange(range); }""")
    page.keyboard.type(" [@nobody2099]")
    _publish(page)
    _wait_for(base + "/en/team/", "The last build failed")
    assert "content/en/team.md:" in _page(base + "/en/team/")
    assert "`[@nobody2099]` is not in the references registry." in _page(base + "/en/team/")
    assert not outside, outside
    after = _fingerprints(project)
    assert after["what-is-kap"] == before["what-is-kap"] and after["what-is-kap"][0]["en"] == "ok"
    # The Hebrew text changed: its translation is now stale, as it should be.
    assert after["anxiety"][0]["en"] == "stale"
    assert process.poll() is None


OLD_FORM = ("title: Ketamine for anxiety: what the research says\nslug: 404\nlang: en\n"
            "description: One sentence.\nmenu_order: 3\nmedical: true\nsource_hash: 0012345e6789\n\nThe text [@glue2017].\n")


def test_the_migration_keeps_every_value_and_the_fingerprints(tmp_path):
    from keter_site.tooling import migrate_front_matter
    from keter_site.translation_status.status import fingerprint

    new = migrate_front_matter.migrate_text(tmp_path / "a.md", OLD_FORM)
    assert new.startswith("---\ntitle: \"Ketamine for anxiety: what the research says\"\nslug: \"404\"\n")
    assert 'source_hash: "0012345e6789"' in new and "\nmedical: true\n" in new and "\nmenu_order: 3\n" in new
    assert new.endswith("---\n\nThe text [@glue2017].\n")
    meta, body, _ = front_matter.split(new)
    assert meta["source_hash"] == "0012345e6789" and meta["slug"] == "404"
    # Re-quoting or folding a value (as the browser editor does) changes no fingerprint.
    folded = new.replace('title: "Ketamine for anxiety: what the research says"',
                         "title: 'Ketamine for anxiety:\n  what the research says'")
    assert fingerprint(folded) == fingerprint(new)
    assert migrate_front_matter.migrate_text(tmp_path / "a.md", new) is None  # already YAML


@pytest.mark.parametrize("head, line, words", [
    ("title: T\nsource_hash: 0012345\n", 3, '`source_hash: 0012345` is not text: YAML reads it as a number'),
    ("title: T\ndescription: a: b\n", 3, "line 3 of the front matter is not valid YAML"),
    ("title: T\ntitle: U\n", 3, "`title` is set twice (lines 2 and 3)"),
    ("title: T\nmedical: maybe\n", 3, "`medical: maybe` is neither true nor false"),
    ("title: T\nmenu_label:\n", 3, "`menu_label` is empty"),
])
def test_front_matter_problems_name_their_line(head, line, words):
    problems = front_matter.problems(f"---\n{head}---\n\nText.\n")
    assert any(number == line and words in message for number, message, _ in problems), problems
