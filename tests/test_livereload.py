"""The editor's live preview (`invoke livereload`) picks up every kind of edit: a page, a
template, a UI string, and the site's own Python (a plugin), which needs a fresh process.
Runs the real command on a copy of the project, so the test never edits the repository."""

import os
import signal
import time
import urllib.request

import pytest

from tests.support.previews import EDITOR_READY, commit_all, copy_editor_project, copy_project, invoke_server
from tests.support.publishing import tiny_png

WAIT = 60  # seconds: every wait below is bounded


@pytest.fixture
def preview(tmp_path):
    project = tmp_path / "project"
    copy_project(project)
    # Port 0: the preview takes a port the kernel chooses, and prints it.
    with invoke_server(project, ["livereload", "--port", "0"], tmp_path / "livereload.log",
                       r"The live preview: http://127\.0\.0\.1:(\d+)/", WAIT) as (_, port):
        yield project, f"http://127.0.0.1:{port}"


def _page(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return response.read().decode("utf-8")


def _wait_for(url, path, text):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if text in _page(url, path):
                return
        except OSError:
            pass  # the preview is restarting
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in {path}")


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_pages_templates_strings_and_plugins_all_reach_the_preview(preview):
    project, url = preview
    _wait_for(url, "/en/", "Keter Health")
    _edit(project / "content" / "en" / "team.md", "\n\n", "\n\nPage-edit-marker.\n\n")
    _wait_for(url, "/en/team/", "Page-edit-marker.")
    _edit(project / "theme" / "templates" / "partials" / "footer.html", '<p class="disclaimer">',
          '<p class="disclaimer">Template-edit-marker ')
    _wait_for(url, "/en/", "Template-edit-marker")
    _edit(project / "theme" / "strings" / "en.yml", 'footer.privacy: "Privacy policy"',
          'footer.privacy: "Privacy policy (string-edit-marker)"')
    _wait_for(url, "/en/", "string-edit-marker")
    # A plugin edit: Python keeps imported modules, so the preview restarts to run it.
    plugin = project / "plugins" / "keter_site" / "minify" / "__init__.py"
    plugin.write_text(plugin.read_text(encoding="utf-8") + '\n\n_minify = minify\n\n\ndef minify(html):\n'
                      '    return _minify(html) + "<!--plugin-edit-marker-->"\n', encoding="utf-8")
    _wait_for(url, "/en/", "plugin-edit-marker")


def _headers(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return dict(response.headers)


def _wait_for_failure(url, path, message, last_good):
    """The preview answers with the last good page under the failed build's banner, which
    gives `message`."""
    deadline = time.monotonic() + WAIT
    page = ""
    while time.monotonic() < deadline:
        page = _page(url, path)
        if "The last build failed" in page and message in page:
            assert last_good in page, page[:2000]
            return
        time.sleep(0.1)
    raise AssertionError(f"the preview never reported {message!r} on {path}: {page[:2000]}")


# Inputs that once crashed the preview (a segfault in minify-html), hung it (an endless loop in
# the components), or ended with a traceback: (how the page changes, a file to add, message).
def _body(text):
    return lambda page: page + f"\n{text}\n"


def _front(line):
    return lambda page: page.replace("\nlang: en\n", f"\nlang: en\n{line}\n", 1)


BAD_EDITS = [
    (_body("<span>" * 12_000 + "x" + "</span>" * 12_000), None, "nest more than 100 deep"),
    (_body("::: warning\nketer-component-0-end\n:::"), None, "is reserved for the site"),
    (_body("*" * 5000 + "x" + "*" * 5000), None, "nests too deeply for Markdown"),
    (_front("template: partials/logo"), None, "names no template of the theme"),
    (_front("date: 2026-02-30"), None, "is no day of the calendar"),
    (lambda page: page.replace("\nlang: en\n", "\nlang: xx\n", 1), None, "unknown language"),
    (None, ("en/evil.rst", "Evil\n####\n\n.. include:: /proc/self/environ\n"), "a reStructuredText file"),
    (None, ("images/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
     "an SVG image can carry scripts"),
]


def test_the_preview_survives_every_bad_input_and_keeps_the_last_good_site(preview):
    project, url = preview
    page = project / "content" / "en" / "team.md"
    original = page.read_text(encoding="utf-8")
    _wait_for(url, "/en/team/", "Keter Health")
    for number, (change, extra_file, message) in enumerate(BAD_EDITS):
        last_good = f"Good-version-{number}."
        good = original.rstrip("\n") + f"\n\n{last_good}\n"
        page.write_text(good, encoding="utf-8")
        _wait_for(url, "/en/team/", last_good)
        if extra_file:
            path = project / "content" / extra_file[0]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(extra_file[1], encoding="utf-8")
        else:
            page.write_text(change(good), encoding="utf-8")
        _wait_for_failure(url, "/en/team/", message, last_good)
        # Fixed: the next build goes through, and the banner is gone.
        if extra_file:
            path.unlink()
        page.write_text(original.rstrip("\n") + f"\n\nFixed-version-{number}.\n", encoding="utf-8")
        _wait_for(url, "/en/team/", f"Fixed-version-{number}.")
        assert "The last build failed" not in _page(url, "/en/team/")
    assert not list(project.glob(".output.building-*"))
    # An image an editor adds is served with its type, and the browser told not to guess another.
    images = project / "content" / "images"
    images.mkdir(exist_ok=True)
    (images / "room.png").write_bytes(tiny_png())
    _wait_for(url, "/en/team/", "Fixed-version")
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            headers = _headers(url, "/images/room.png")
            break
        except OSError:
            time.sleep(0.1)
    assert headers["Content-Type"] == "image/png" and headers["X-Content-Type-Options"] == "nosniff"


def _children(pid):
    """The processes whose parent is `pid`: {pid: command line}."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
            cmdline = open(f"/proc/{entry}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry)] = cmdline
    return found


def _running(pid):
    """Whether `pid` runs (a zombie no reaper has collected yet has ended)."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_decap_server_ends_with_the_editor_preview_even_when_it_is_killed(tmp_path):
    # A preview killed outright (as a crash in native code once did) runs no clean-up of its
    # own: the browser editor's decap-server must not go on running alone.
    project = tmp_path / "project"
    copy_editor_project(project)
    commit_all(project)
    with invoke_server(project, ["edit", "--port", "0", "--no-browser"],
                       tmp_path / "edit.log", EDITOR_READY, WAIT) as (process, _):
        decap = [pid for pid, command in _children(process.pid).items() if "decap_socket.js" in command]
        assert len(decap) == 1, _children(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT)
        try:
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline and _running(decap[0]):
                time.sleep(0.1)
            assert not _running(decap[0]), "decap-server outlived the preview"
        finally:
            if _running(decap[0]):  # the test failed: it does not leave the server behind either
                os.kill(decap[0], signal.SIGTERM)
