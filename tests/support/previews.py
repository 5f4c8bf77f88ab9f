"""The live preview as an editor runs it (`invoke livereload`, `invoke edit`), on a copy of the
project, so a test may edit any file without touching the repository."""

import contextlib
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
