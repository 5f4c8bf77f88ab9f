"""The editor's live preview (`invoke livereload`) picks up every kind of edit: a page, a
template, a UI string, and the site's own Python (a plugin), which needs a fresh process.
Runs the real command on a copy of the project, so the test never edits the repository."""

import time
import urllib.request

import pytest

from tests.support.previews import copy_project, invoke_server

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
