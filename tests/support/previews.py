"""The live preview as an editor runs it (`invoke livereload`, `invoke edit`), on a copy of the
project, so a test may edit any file without touching the repository."""

import contextlib
import json
import os
import shutil
import subprocess
import sys

from keter_tools.processes import stop_process, wait_for_reported_port

from .sites import ROOT

COPIED = ("content", "theme", "plugins", "keter_tools", "deploy", "pelicanconf.py", "publishconf.py", "tasks.py", "package.json",
          "package-lock.json")


def copy_project(project):
    """What the preview reads, copied to `project` (the copy's plugins are the ones it loads)."""
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)


GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
# What `invoke edit` prints once it serves: group 1 the preview's port, group 2 the address with
# the session's key.
EDITOR_READY = r"The editor: http://127\.0\.0\.1:(\d+)/admin/ \(open it with (\S+) ;"


def copy_editor_project(project):
    """A git clone-like copy of the project, as `invoke edit` needs (each save is a commit), with
    the repository's npm packages."""
    copy_project(project)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True)
    (project / ".gitignore").write_text("/node_modules\n/output/\n/.cache/\n/.output.*\n/var/\n")


def commit_all(project, message="copy"):
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", message], cwd=project, check=True)


@contextlib.contextmanager
def invoke_server(project, args, log_path, ready, timeout, env=None):
    """`invoke ARGS` on the copy `project`, once it prints `ready` (a pattern whose first group is
    the port it listens on, port 0 having been asked for); yields (process, port). `env`: more
    environment variables."""
    # The form posts elsewhere, so no local receiver needs a port of its own.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project / "plugins"), str(project)]), "COLUMNS": "200",
           "SIGNUP_ENDPOINT": "https://forms.example.test/f/x", **(env or {})}
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, "-m", "invoke", "-r", str(project), *args],
                               cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process, wait_for_reported_port(log_path, ready, process, timeout=timeout, what=f"invoke {args[0]}")
    finally:
        stop_process(process, log)


# The browser editor's choices as its page keeps them (localStorage), in place before the page's
# own script reads them on its first load, so the editor opens once rather than being opened,
# told, and opened again. Set once in the tab (its session storage remembers that), so a test
# that changes one and reloads sees its change.
_EDITOR_CHOICES = """([ui, name]) => { if (!location.pathname.startsWith('/admin')) return;
  try { if (sessionStorage.getItem('keter-test-choices')) return;
        localStorage.setItem('keter-editor-ui', ui); localStorage.setItem('keter-editor-name', name);
        sessionStorage.setItem('keter-test-choices', '1'); } catch (e) {} }"""


def keep_editor_choices(page, ui, name):
    """The editor's interface language `ui` and the editor's `name`, chosen in the tab `page`
    before it opens the editor."""
    page.add_init_script(f"({_EDITOR_CHOICES})({json.dumps([ui, name])})")
