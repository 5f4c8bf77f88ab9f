"""`invoke publish` to a server: a real OpenSSH server and rsync on 127.0.0.1, and a real nginx
serving the server's `current` release with the configuration the publish uploaded."""

import contextlib
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.nginx import fetch, nginx_server
from tests.support.publishing import base_environment, copy_site, deploy_command, invoke_command, run, tiny_png
from tests.support.sites import ROOT
from tests.support.sshd import ssh_server

from keter_tools.deploy.common import INTERRUPTED

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUMMARY = re.compile(r"(\d+) sent, (\d+) unchanged, (\d+) removed, in [\d.]+ s\.")


@pytest.fixture
def server(tmp_path):
    with ssh_server(tmp_path / "sshd") as ssh:
        yield ssh


@pytest.fixture
def deploy(tmp_path, server):
    """A site copy, and the environment that publishes it to the test's server."""
    settings, content = copy_site(tmp_path / "site")
    remote = tmp_path / "srv"
    env = base_environment(RSYNC_RSH=server.rsync_rsh, DEPLOY_SSH_HOST="127.0.0.1", DEPLOY_SSH_USER=server.user,
                           DEPLOY_SSH_PORT=str(server.port), DEPLOY_PATH=str(remote), GIT_AUTHOR_NAME="Terminal Tess")
    return settings, content, remote, env


def summary(result):
    match = SUMMARY.search(result.stdout)
    assert match, result.log
    return tuple(int(n) for n in match.groups())


def current(remote):
    return os.readlink(remote / "current")


def test_publish_twice_rollback_and_prune(tmp_path, deploy, checked_builds):
    settings, content, remote, env = deploy
    (content / "images").mkdir(exist_ok=True)
    (content / "images" / "retired.png").write_bytes(tiny_png((1, 2, 3)))  # dropped by the next version
    # The first version is the site as launched (its pages are the checked build's, which the
    # HTML checker has read already); the next one, beta, carries a release marker.

    # The whole command once: build, check, send.
    first = run(invoke_command("publish", "--settings", settings), env)
    assert first.returncode == 0, first.log
    sent, unchanged, removed = summary(first)
    assert sent > 20 and unchanged == 0 and removed == 0, first.log
    assert f"sent {sent} of {sent} files" in first.stdout
    first_release = current(remote)
    assert first_release.startswith("releases/")
    assert (remote / "nginx" / "keter-health.conf").is_file()
    # The next version: built and checked once for every publishing test (`publish --from`).
    beta = checked_builds["beta"]

    with nginx_server(tmp_path / "nginx", remote / "nginx" / "keter-health.conf") as url:
        assert "Release marker" not in fetch(f"{url}/en/")

        dry = run(deploy_command("publish", "--settings", settings, "--from", beta, "--dry-run"), env)
        assert dry.returncode == 0, dry.log
        assert "send   en/index.html" in dry.stdout and "remove images/retired.png" in dry.stdout, dry.log
        assert current(remote) == first_release
        assert sorted(p.name for p in (remote / "releases").iterdir()) == [first_release.split("/")[1]]

        second = run(deploy_command("publish", "--settings", settings, "--from", beta), env)
        assert second.returncode == 0, second.log
        sent, unchanged, removed = summary(second)
        # The English home page and the new image (each with .gz/.br) changed, little else; the
        # old static file is gone.
        assert "send   en/index.html.gz" in dry.stdout and "send   images/new.png" in dry.stdout
        assert 4 <= sent <= 6 and unchanged > 20 and removed == 1, second.log
        second_release = current(remote)
        assert second_release != first_release
        assert "Release marker beta." in fetch(f"{url}/en/")
        assert not (remote / second_release / "images" / "retired.png").exists()
        # Unchanged files are hard links to the previous release: a release costs what changed.
        css = next((remote / second_release / "theme" / "css").glob("site.*.css"))
        assert css.stat().st_ino == (remote / first_release / "theme" / "css" / css.name).stat().st_ino

        back = run(invoke_command("rollback", "--settings", settings), env)
        assert back.returncode == 0, back.log
        assert current(remote) == first_release
        # The releases on the server, newest first, each with its date; the live one marked.
        listed = run(invoke_command("rollback", "--list", "--settings", settings), env)
        assert listed.returncode == 0, listed.log
        lines = listed.stdout.strip().splitlines()
        assert [line.split()[0] for line in lines] == [second_release.split("/")[1], first_release.split("/")[1]]
        assert lines[1].endswith("(live)") and not lines[0].endswith("(live)")
        assert re.match(r"^\S+  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", lines[0]), lines
        assert "Release marker" not in fetch(f"{url}/en/")

        again = run(deploy_command("publish", "--settings", settings, "--from", beta), env)
        assert again.returncode == 0, again.log
        assert "Release marker beta." in fetch(f"{url}/en/")
        unchanged_publish = run(invoke_command("publish", "--settings", settings, "--from", beta), env)
        assert unchanged_publish.returncode == 0, unchanged_publish.log
        assert summary(unchanged_publish)[0] == 0, unchanged_publish.log

    # Old releases beyond the last five go, never the one `current` points to.
    for stamp in ("20000101T000000Z", "20000102T000000Z", "20000103T000000Z"):
        (remote / "releases" / stamp).mkdir()
    last = run(deploy_command("publish", "--settings", settings, "--from", beta), env)
    assert last.returncode == 0, last.log
    releases = sorted(p.name for p in (remote / "releases").iterdir())
    assert len(releases) == 5 and not [r for r in releases if r.startswith("2000")], releases
    assert current(remote) == f"releases/{releases[-1]}"
    # The publish pipeline's own log: every publish and rollback made in a terminal (not the dry
    # run), who made it, what it sent where; readable by this user only.
    log = Path(settings).parent / "var" / "publishes.jsonl"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["kind"], e["ok"]) for e in entries] == [("live", True)] * 2 + [("rollback", True)] + [("live", True)] * 3
    assert {e["by"] for e in entries} == {"Terminal Tess"}
    assert [e["release"] for e in entries][:3] == [first_release.split("/")[1], second_release.split("/")[1],
                                                   first_release.split("/")[1]]
    assert entries[-1]["release"] == releases[-1] and all(str(remote) in e["target"] for e in entries)


def test_a_checked_folder_changed_after_its_checks_is_not_published(tmp_path, deploy, checked_builds):
    settings, content, remote, env = deploy
    copy = tmp_path / "copy"
    shutil.copytree(checked_builds["beta"], copy)
    page = copy / "site" / "en" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- changed -->", encoding="utf-8")
    result = run(deploy_command("publish", "--settings", settings, "--from", copy), env)
    assert result.returncode == 1
    assert "changed after it was checked" in result.log and "site/en/index.html" in result.log
    assert not remote.exists()
    (copy / "checked.json").unlink()
    result = run(deploy_command("publish", "--settings", settings, "--from", copy), env)
    assert result.returncode == 1 and "is not a checked build" in result.log
    assert not remote.exists()


def test_a_failed_build_publishes_nothing(deploy):
    settings, content, remote, env = deploy
    (content / "en" / "broken.md").write_text("---\ntitle: Broken\nslug: broken\nlang: xx\n---\n\nText.\n")
    result = run(invoke_command("publish", "--settings", settings), env)
    assert result.returncode != 0
    assert "content/en/broken.md" in result.log and "nothing was published" in result.log
    assert not remote.exists()


def test_a_theme_the_csp_would_break_is_not_published(tmp_path, deploy):
    settings, content, remote, env = deploy
    # A template change with an inline style and handler: the build allows it, the CSP would not.
    # (The signup page's template: the other pages stay as the checked builds had them, so the
    # HTML checker reads only the two changed pages again.)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    template = theme / "templates" / "signup.html"
    text = template.read_text()
    assert "{{ super() }}\n{% include" in text
    template.write_text(text.replace("{{ super() }}\n{% include", '{{ super() }}\n<div style="color: red" onclick="go()"></div>\n{% include', 1))
    settings.write_text(settings.read_text() + f"THEME = {str(theme)!r}\n")
    result = run(deploy_command("publish", "--settings", settings), env)
    assert result.returncode == 1, result.log
    assert "en/signup/index.html: inline styles" in result.log and "(onclick= on <div>)" in result.log, result.log
    assert "en/index.html: inline styles" not in result.log
    assert "nothing was published" in result.log
    assert not remote.exists()


def test_an_interrupted_upload_leaves_the_live_site_unchanged(tmp_path, deploy, checked_builds):
    settings, content, remote, env = deploy
    first = run(deploy_command("publish", "--settings", settings, "--from", checked_builds["beta"]), env)
    assert first.returncode == 0, first.log
    live = current(remote)

    with nginx_server(tmp_path / "nginx", remote / "nginx" / "keter-health.conf") as url:
        before = fetch(f"{url}/en/")
        assert "Release marker beta." in before
        # A new version with a large file, sent slowly so the test can stop it half-way: the site
        # as launched (without beta's marker), and the large file.
        (content / "images").mkdir(exist_ok=True)
        # (An image by its first bytes, as content/images/ requires: only those are checked.)
        (content / "images" / "large.png").write_bytes(PNG_SIGNATURE + os.urandom(3_000_000))
        gamma = tmp_path / "gamma"
        built = run(deploy_command("build", "--settings", settings, "--out", gamma), env)
        assert built.returncode == 0, built.log
        slow = {**env, "DEPLOY_RSYNC_OPTIONS": "--bwlimit=200"}
        process = subprocess.Popen(deploy_command("publish", "--settings", settings, "--from", gamma), cwd=ROOT,
                                   env=slow, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            incoming = []
            while time.monotonic() < deadline and process.poll() is None:
                incoming = list((remote / "releases").glob(".incoming-*/images/.large.png.*"))
                if incoming:  # rsync is writing the large file: the upload is under way
                    break
                time.sleep(0.1)
            assert incoming, "the upload never reached the large file"
            os.killpg(process.pid, signal.SIGKILL)  # half-way: the large file is being written
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, process.stdout.read()

        assert current(remote) == live
        assert fetch(f"{url}/en/") == before
        partial = list((remote / "releases").glob(".incoming-*"))
        assert partial, "the interrupted upload left no trace: it was not interrupted half-way"
        assert not (partial[0] / "images" / "large.png").exists()

        # The next publish clears the partial upload and goes live.
        done = run(deploy_command("publish", "--settings", settings, "--from", gamma), env)
        assert done.returncode == 0, done.log
        assert "Release marker" not in fetch(f"{url}/en/")
        assert not list((remote / "releases").glob(".incoming-*"))
        assert Path(remote / current(remote) / "images" / "large.png").stat().st_size == 3_000_008


def test_the_manifest_covers_the_site_only(tmp_path):
    # The build folder also holds a build's own folders beside the site (the one it builds into,
    # the replaced site while it is deleted, one a killed build left): no part of what was checked.
    from keter_tools.deploy import pipeline

    build = tmp_path / "build"
    for relative in ("site/index.html", "nginx/keter-health.conf", ".site.old-1/site/crisis/index.html",
                     ".site.building-2-x/index.html"):
        (build / relative).parent.mkdir(parents=True, exist_ok=True)
        (build / relative).write_text(relative)
    release = {"staging": False, "siteurl": "https://www.keter-health.co.il", "signup_endpoint": "https://forms.keter-health.co.il/signup"}
    pipeline._write_manifest(build, build / "site", build / "nginx" / "keter-health.conf", release)
    manifest = json.loads((build / pipeline.MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["nginx/keter-health.conf", "site/index.html"]
    shutil.rmtree(build / ".site.old-1")  # as a build's clean-up does: the folder is still the one checked
    assert pipeline.checked_folder(build).site == build / "site"


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture
def temporary():
    """A folder for the publishes' temporary folders (TMPDIR), short: ssh's socket path has a limit."""
    folder = Path(tempfile.mkdtemp(prefix="kt-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_publishes_in_a_row_and_killed_ones_leave_the_site_whole_and_nothing_behind(deploy, checked_builds, temporary):
    settings, content, remote, env = deploy
    env = {**env, "TMPDIR": str(temporary)}
    versions = {name: checked_builds[name] for name in ("base", "beta")}
    sites = {name: {path: data for path, data in _tree(folder / "site").items() if path not in ("_headers", "_redirects")}
             for name, folder in versions.items()}
    seed = int.from_bytes(os.urandom(4), "big")
    chance = random.Random(seed)

    def check_whole(after):
        live = _tree(remote / current(remote))
        assert live in sites.values(), f"{after}: the live release is no whole version of the site (seed {seed})"
        assert not list(temporary.iterdir()), f"{after}: left {list(temporary.iterdir())} (seed {seed})"

    def publish(name, command):
        return subprocess.Popen(command("publish", "--settings", settings, "--from", versions[name]),
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)

    # Several publishes in a row, each whole.
    seconds = []
    for name in ("base", "beta", "base"):
        started = time.monotonic()
        result = run(deploy_command("publish", "--settings", settings, "--from", versions[name]), env)
        seconds.append(time.monotonic() - started)
        assert result.returncode == 0, result.log
        check_whole(f"publish of {name}")
    # Stopped at a random moment of a publish, with `kill` (as a service manager or a terminal
    # closing stops it; `python -m keter_tools.deploy publish`, then `bin/invoke publish`), then
    # with SIGKILL, which no program can clean up after: the next publish removes what that one left.
    stops = ((signal.SIGTERM, deploy_command), (signal.SIGTERM, invoke_command), (signal.SIGKILL, deploy_command))
    log = Path(settings).parent / "var" / "publishes.jsonl"
    logged, stopped = len(log.read_text(encoding="utf-8").splitlines()), 0
    for number, (how, command) in enumerate(stops):
        name = ("beta", "base")[number % 2]
        process = publish(name, command)
        try:
            time.sleep(chance.uniform(0.2, max(seconds)))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, how)
            output = process.communicate(timeout=60)[0]
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        assert "Traceback" not in output, output
        stopped += INTERRUPTED in output  # the signal came once the publish had begun: it says so
        live = _tree(remote / current(remote))
        assert live in sites.values(), f"killed publish {number}: the live site is not whole (seed {seed})"
        if how == signal.SIGTERM:
            check_whole(f"publish stopped with kill (exit {process.returncode})")
    # Each publish stopped once it had begun is in the publish log, as stopped.
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()[logged:]]
    assert [(e["ok"], e["result"]) for e in entries] == [(False, " ".join(INTERRUPTED.split()))] * stopped, entries
    result = run(deploy_command("publish", "--settings", settings, "--from", versions["beta"]), env)
    assert result.returncode == 0, result.log
    check_whole("the publish after one killed with SIGKILL")
    assert not list((remote / "releases").glob(".incoming-*"))
    assert _tree(remote / current(remote)) == sites["beta"]
