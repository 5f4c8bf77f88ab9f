"""The site desk (issue 31): from the browser editor to a real server, with no terminal. Real
`invoke edit` on a git copy of the repository, real Chromium, a real OpenSSH server and rsync on
127.0.0.1 (tests/support/sshd.py) as the publishing target, and a real nginx serving what it
publishes (tests/support/nginx.py); the publishing credentials are in the command's environment
only. Every wait is bounded and waits for an event."""

import json
import os
import re
import stat
import subprocess
import time

import pytest

from tests.support import processes, reviewers
from tests.support.nginx import fetch, nginx_server
from tests.support.previews import copy_project, invoke_server, keep_editor_choices
from tests.support.sites import ROOT
from tests.support.sshd import ssh_server


@pytest.fixture
def page(editor_page):
    """A tab of the browser editor's profile (conftest.py's editor_context), for this file's tests."""
    return editor_page


WAIT = 90  # seconds
PUBLISH_WAIT = 600  # a whole publish: build, the HTML checker, the link check, the upload


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("desk")
    project, remote = tmp / "project", tmp / "srv"
    copy_project(project)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True)
    (project / ".gitignore").write_text("/node_modules\n/output/\n/.cache/\n/.output.*\n/var/\n/build/\n")
    # The physician: a real key, listed in the copy's allowed signers, held by a real ssh-agent
    # whose socket the editor's command is given (as on the physician's own machine).
    key = reviewers.make_key(tmp / "keys")
    reviewers.list_signer(project / "content" / "data" / "allowed_signers", key)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=project, check=True)
    agent_socket = tmp / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(agent_socket)], stdout=subprocess.DEVNULL)
    try:
        _wait_for_socket(agent_socket, agent)
        subprocess.run(["ssh-add", "-q", str(key)], env={**os.environ, "SSH_AUTH_SOCK": str(agent_socket)},
                       check=True, timeout=30, capture_output=True)
        yield from _editor(tmp, project, remote, {"SSH_AUTH_SOCK": str(agent_socket)})
    finally:
        processes.stop_process(agent)


def _wait_for_socket(path, process):
    deadline = time.monotonic() + WAIT
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("ssh-agent did not start")
        time.sleep(0.05)  # the agent's socket, bounded by the deadline


def _editor(tmp, project, remote, extra):
    with ssh_server(tmp / "sshd") as server:
        env = {"RSYNC_RSH": server.rsync_rsh, "DEPLOY_SSH_HOST": "127.0.0.1", "DEPLOY_SSH_USER": server.user,
               "DEPLOY_SSH_PORT": str(server.port), "DEPLOY_PATH": str(remote),
               "SITEURL": "https://www.keter-health.example", "SIGNUP_ENDPOINT": "https://forms.example.test/f/abc",
               **extra}
        ready = r"The editor: http://127\.0\.0\.1:(\d+)/admin/ \(open it with (\S+) ;"
        log_path = tmp / "edit.log"
        with invoke_server(project, ["edit", "--port", "0", "--no-browser"], log_path, ready, WAIT, env=env) as (
                process, port):
            url = re.search(ready, log_path.read_text(encoding="utf-8")).group(2)
            yield project, remote, f"http://127.0.0.1:{port}", url


def _open_desk(page, base, url):
    page.set_viewport_size({"width": 1400, "height": 1000})
    keep_editor_choices(page, "en", "Dana Levi")
    page.goto(url)
    page.get_by_role("button", name="Login").click(timeout=WAIT * 1000)
    page.get_by_role("button", name="Site desk").click()
    page.locator("#keter-readiness tbody tr").first.wait_for(timeout=WAIT * 1000)
    return page.locator("#keter-desk")


def _run(page, desk, button, outcome):
    """Click a desk command's button, accept its confirmation, and wait until it is in the list
    of publishes (the desk adds it when the command has ended); its output as the page shows it."""
    done = desk.locator("#keter-publishes li").count()
    page.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name=button, exact=True).click()
    desk.locator("#keter-publishes li").nth(done).wait_for(timeout=PUBLISH_WAIT * 1000)
    text = desk.locator("#keter-progress").inner_text()
    assert outcome in text, text
    return text


def _current(remote):
    return os.readlink(remote / "current")


def test_a_staging_publish_another_and_a_rollback_from_the_desk(desk, page, tmp_path):
    project, remote, base, url = desk
    panel = _open_desk(page, base, url)
    # A staging publish: the real pipeline, its progress in the page, the server's site changed.
    text = _run(page, panel, "Publish a preview (staging)", "Done.")
    assert "Uploading release" in text and "sent 1" in text and "Published to" in text
    first = _current(remote)
    assert (remote / "current" / "index.html").is_file()
    assert not (remote / "current" / "admin").exists()
    # The live site as visitors get it: a real nginx serving the server's `current` release with
    # the configuration the publish uploaded (as tests/test_deploy_rsync.py serves it).
    with nginx_server(tmp_path / "nginx", remote / "nginx" / "keter-health.conf") as live:
        team = f"{live}/en/team/"
        assert "A new line." not in fetch(team)
        assert re.search(r"(?m)^Disallow: /$", fetch(f"{live}/robots.txt"))  # a staging site: no search engines
        # A change, published again.
        page_file = project / "content" / "en" / "team.md"
        source = page_file.read_text(encoding="utf-8")
        page_file.write_text(source.replace("\n---\n\n", "\n---\n\nA new line.\n\n", 1), encoding="utf-8")
        _run(page, panel, "Publish a preview (staging)", "Done.")
        second = _current(remote)
        assert second != first and "A new line." in (remote / "current" / "en" / "team" / "index.html").read_text()
        assert "A new line." in fetch(team)
        # Rolled back, after a confirmation, to the previous release.
        _run(page, panel, "Roll back", "Done.")
        assert _current(remote) == first
        assert "A new line." not in (remote / "current" / "en" / "team" / "index.html").read_text()
        assert "A new line." not in fetch(team)
        assert re.search(r"(?m)^Disallow: /$", fetch(f"{live}/robots.txt"))
        records = panel.locator("#keter-publishes li")
        records.filter(has_text="Dana Levi · rollback · ✓ " + first.split("/")[-1]).wait_for(timeout=WAIT * 1000)
        assert records.filter(has_text="Dana Levi · staging · ✓ " + second.split("/")[-1]).count() == 1
        assert records.filter(has_text="Dana Levi · staging · ✓").count() == 2
        # The releases on the server, each with its date, the live one marked; rolled forward to
        # the chosen one, after a confirmation.
        choice = panel.locator("#keter-release")
        choice.locator("option", has_text=first.split("/")[-1] + " (live)").wait_for(state="attached",
                                                                                    timeout=WAIT * 1000)
        assert [o.split(" · ")[-1] for o in choice.locator("option").all_inner_texts()[1:]] == [
            second.split("/")[-1], first.split("/")[-1] + " (live)"]
        choice.select_option(second.split("/")[-1])
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        done = panel.locator("#keter-publishes li").count()
        panel.get_by_role("button", name="Roll back", exact=True).click()
        panel.locator("#keter-publishes li").nth(done).wait_for(timeout=PUBLISH_WAIT * 1000)
        assert second.split("/")[-1] in asked[0]
        assert _current(remote) == second
        assert "A new line." in (remote / "current" / "en" / "team" / "index.html").read_text()
        assert "A new line." in fetch(team)
    # The publish pipeline's own log (a terminal's publishes are in it too), this user's only.
    log = project / "var" / "publishes.jsonl"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["by"], e["kind"], e["release"]) for e in entries] == [
        ("Dana Levi", "staging", first.split("/")[-1]), ("Dana Levi", "staging", second.split("/")[-1]),
        ("Dana Levi", "rollback", first.split("/")[-1]), ("Dana Levi", "rollback", second.split("/")[-1])]
    assert all(e["ok"] and e["version"] and str(remote) in e["target"] for e in entries)


def test_the_physician_reads_the_review_document_and_approves_from_the_desk_and_a_launch_not_ready_is_refused(
        desk, page):
    project, remote, base, url = desk
    panel = _open_desk(page, base, url)
    # Launch readiness page by page, as `bin/invoke status` says it.
    assert panel.locator("#keter-verdict").inner_text().startswith("Not ready to publish:")
    row = panel.locator("#keter-readiness tr", has=page.locator("a", has_text=re.compile("^anxiety$")))
    assert "awaiting review" in row.inner_text()
    assert panel.locator("a", has_text="articles/ketamine-anxiety-research").count() >= 1
    # The physician's document, written where `bin/invoke review --pending` writes it.
    panel.get_by_role("button", name="Write the review document").click()
    panel.get_by_text("Written: ").wait_for(timeout=WAIT * 1000)
    assert "anxiety" in (project / "var" / "medical-review.html").read_text(encoding="utf-8")
    with page.context.expect_page() as opened:
        panel.get_by_role("link", name="Read the review document").click()
    document = opened.value
    document.wait_for_load_state()
    assert "anxiety" in document.content()
    document.close()
    # Signed with the key in ssh-agent, as `bin/invoke review --approve anxiety` signs.
    page.once("dialog", lambda dialog: dialog.accept())
    panel.locator("#keter-awaiting li", has=page.locator("a", has_text=re.compile("^anxiety$"))).get_by_role(
        "button", name="Approve (the physician)").click()
    panel.locator("#keter-progress", has_text="Done.").wait_for(timeout=WAIT * 1000)
    assert "approval of 'anxiety' signed by physician" in panel.locator("#keter-progress").inner_text()
    assert list((project / "content" / "data" / "reviews").glob("anxiety*"))
    page.get_by_role("button", name="Site desk").click()  # closed, and opened again
    page.get_by_role("button", name="Site desk").click()
    row = page.locator("#keter-desk #keter-readiness tr", has=page.locator("a", has_text=re.compile("^anxiety$")))
    row.get_by_text("approved").wait_for(timeout=WAIT * 1000)
    # Publishing for real: the command's own refusal and report, in the page (here, before
    # anything is built: this copy's addresses are names reserved for tests, which a launch
    # refuses, and pages still await review), and nothing published.
    panel = page.locator("#keter-desk")
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Publish", exact=True).click()
    panel.locator("#keter-progress", has_text="Stopped: see the report above.").wait_for(timeout=WAIT * 3000)
    report = panel.locator("#keter-progress").inner_text()
    assert "Not published:" in report or "nothing was published" in report, report
    panel.locator("#keter-publishes li", has_text="Dana Levi · live · ✗").wait_for(timeout=WAIT * 1000)
