"""The project's commands in processes of their own, without starting Python and importing
Pelican for each one.

Every build (and editor command) the tests run has a new process, as from the command line:
Pelican's state (its signals and connected plugins, its logging, which drops a message it has
logged before) and the plugins' state start fresh each time. Starting Python and importing
Pelican, Markdown, Jinja, invoke and the project's plugins takes most of a second, longer than
building a small fixture site; so the processes are forked from a server process that imported
them once (the standard library's forkserver, one server per test process). The child then runs
the command's own entry point, as `python -m <command>` does: `pelican.main`,
`keter_tools.build.main` (what `invoke build` runs), `keter_tools.deploy.main` or
invoke's program (tasks.py), with the environment, the folder and the arguments the command
would have had, its output and errors going to files.
"""

import multiprocessing
import os
import subprocess
import sys
import tempfile
from multiprocessing import forkserver
from pathlib import Path

from keter_site.core.project import ROOT

# Imported once by the server, before any build: Pelican, its readers and writers, the Markdown
# and Jinja it uses, every plugin in pelicanconf.py/publishconf.py, and boto3, which the s3
# target imports when it starts (a third of a second each time).
PRELOAD = ["pelican", "pelican.settings", "pelican.generators", "pelican.readers", "pelican.writers",
           "pelican.plugins._utils", "pelican.plugins.precompress",
           "markdown", "jinja2", "invoke", "invoke.main", "keter_tools.build",
           "keter_tools.deploy.__main__", "boto3", __name__]
COMMANDS = ("pelican", "keter_tools.build", "keter_tools.deploy", "invoke")


def _plugins():
    import keter_site

    return [keter_site.module_name(step) for step in keter_site.STEPS]


def _child(command, argv, environment, cwd, out, err):
    """In the forked process: output to the file `out`, errors to `err`, then the command's own
    entry point."""
    for number, path in ((1, out), (2, err)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(descriptor, number)
        os.close(descriptor)
    # The forkserver hands its start method down; the command's own process would have none,
    # and a pool it starts (pelican-precompress's) forks from it rather than starting another
    # server that imports everything again.
    multiprocessing.set_start_method(None, force=True)
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    sys.argv = [command, *argv]
    if command == "pelican":
        import pelican

        pelican.main(argv)  # exits non-zero itself when the build fails
    elif command == "invoke":
        from invoke.main import program

        program.run([command, *argv])  # exits with the task's code
    elif command == "keter_tools.deploy":
        from keter_tools.deploy.__main__ import main

        raise SystemExit(main(argv))
    else:
        from keter_tools import build

        raise SystemExit(build.main(argv))
    raise SystemExit(0)


_context = None


def _forkserver():
    global _context
    if _context is None:
        forkserver.set_forkserver_preload([*PRELOAD, *_plugins()])
        # Rich (Pelican's console) reads the terminal width when it is imported: wide enough
        # that no message is wrapped, as the tests' COLUMNS=500 does for a command.
        saved = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "500"
        try:
            forkserver.ensure_running()
        finally:
            if saved is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = saved
        _context = multiprocessing.get_context("forkserver")
    return _context


def run(command, argv, environment, cwd=ROOT, timeout=300):
    """`command` (one of COMMANDS) with `argv`, run in a process of its own with exactly
    `environment`, in the folder `cwd`: a subprocess.CompletedProcess with its exit code, output
    and errors (text)."""
    assert command in COMMANDS, command
    argv = [str(a) for a in argv]
    context = _forkserver()
    with tempfile.TemporaryDirectory(prefix="command-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        process = context.Process(target=_child, args=(command, argv, dict(environment), str(cwd), str(out), str(err)))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join(10)
            raise TimeoutError(f"{command} {' '.join(argv)} did not finish within {timeout} s")
        read = lambda path: path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""  # noqa: E731
        return subprocess.CompletedProcess([command, *argv], process.exitcode, read(out), read(err))


def invoke(*args, env=None, cwd=ROOT, timeout=300):
    """`python -m invoke -r <project> ARGS` (a task of tasks.py): exit code and output."""
    result = run("invoke", ["-r", ROOT, *args], {**os.environ, **(env or {})}, cwd, timeout)
    return result.returncode, result.stdout + result.stderr
