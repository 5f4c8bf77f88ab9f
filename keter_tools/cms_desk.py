"""The site desk: what comes after a save, in the browser editor (`invoke edit`), for people who
never open a terminal. Served by the editor's own endpoints (/admin/editor/desk_*, behind the
editor's checks: keter_tools.cms_gate), it shows and runs what the terminal commands do,
with their own code and words:

- status: launch readiness page by page (`bin/invoke status`: keter_tools.readiness), the clinic facts
  still EXAMPLE, the latest build's problems, and the last publishes and rollbacks of this
  machine, from the publish pipeline's own log (var/publishes.jsonl: those made in a terminal too);
- review_document: `bin/invoke review --pending` (the physician's document, var/medical-review.html);
- approve: the physician's `bin/invoke review --approve PAGE`, where their key is in this
  machine's ssh-agent (the same signature the command makes; the desk never sees a private key);
- releases: the releases on the server (`bin/invoke rollback --list`: their names, when each was
  published, which one is live), read over the same SSH settings the publish uses;
- publish / rollback: `bin/invoke publish [--staging]` and `bin/invoke rollback [--to RELEASE]`,
  run as the commands themselves (the same checks, the same refusal when the site is not ready,
  the same report), one at a time, their output shown as it comes (`job`). Credentials stay in
  this machine's environment, which the command inherits; the page sees only the command's output.
  The editor's name goes with the command (KETER_PUBLISHED_BY) into the publish log.

What it does not do: show publishes made from another machine (each machine keeps its own log),
or sign with a key that is not in ssh-agent.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Protocol, TypedDict

from keter_tools.cms_api import Refused

MAX_OUTPUT = 60_000  # characters of a command's output the page is shown (its end)
RELEASE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$"


class BuildState(Protocol):
    """What the desk and the editor read of the preview's latest build (keter_tools.devserver)."""

    failed: bool
    message: str
    started: float
    finished: float


class Job(TypedDict):
    """The command the desk started last: what it is, who started it, and where its output goes."""

    kind: str
    by: str
    started: float
    process: subprocess.Popen[bytes]
    log: Path


class JobState(TypedDict):
    """A job as the desk's page shows it: its end of output, and whether it ended well."""

    kind: str
    running: bool
    ok: bool
    output: str


class Desk:
    """The site desk of one editing session: one command at a time, its output kept in var/desk/."""

    def __init__(self, root: str | Path, settings: Mapping[str, Any], state: BuildState) -> None:
        self.root = Path(root)
        self.settings = settings
        self.state = state
        self.folder = self.root / "var" / "desk"
        self.job: Job | None = None
        self.lock = threading.Lock()

    def status(self) -> dict[str, Any]:
        """Everything the desk's page shows at once, so an editor sees whether the site may go live."""
        from keter_tools import readiness

        rows = []
        for row in readiness.pages(self.settings):
            collection, slug = ("articles", row.key[len("articles/"):]) if row.key.startswith("articles/") \
                else ("pages", row.key)
            review = None
            if row.review:
                review = {"state": row.review.state, "on": str(row.review.on or ""), "due": str(row.review.due or "")}
            rows.append({"key": row.key, "collection": collection, "slug": slug, "translations": row.translations,
                         "review": review, "placeholders": [str(p.relative_to(self.root)) for p in row.placeholders],
                         "problems": [problem.message for problem in row.problems()]})
        return {"pages": rows, "examples": readiness.example_values(self.settings),
                "build": {"failed": self.state.failed, "message": self.state.message},
                "publishes": self.publishes(), "job": self.job_state()}

    def publishes(self, limit: int = 10) -> list[dict[str, Any]]:
        """This machine's last publishes and rollbacks, newest first, from the pipeline's own log."""
        from keter_tools.deploy import pipeline

        return pipeline.read_log(self.root / "publishconf.py", limit)

    def releases(self) -> dict[str, Any]:
        """The releases on the publishing target, newest first, or the command's refusal."""
        result = subprocess.run([sys.executable, "-m", "keter_tools.deploy", "releases", "--json"],
                                cwd=self.root, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=180)
        if result.returncode:
            raise Refused((result.stderr or result.stdout).strip()[-1000:] or "The releases could not be read.",
                          status=502)
        return {"releases": json.loads(result.stdout)}

    def review_document(self) -> dict[str, Any]:
        """Write the physician's document afresh, so the editor opens what the physician would sign."""
        from keter_tools import review_document

        text, keys = review_document.build(self.settings)
        target = self.root / "var" / "medical-review.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return {"path": str(target), "pages": keys}

    def start(self, kind: str, name: str, release: str = "", page: str = "") -> JobState | None:
        """Run `invoke publish` (kind "staging" or "live"), `invoke rollback`, or the physician's
        `invoke review --approve PAGE` (kind "approve": signed with the key in this machine's
        ssh-agent, for the text of the review document as written); one at a time."""
        args = {"staging": ["publish", "--staging"], "live": ["publish"], "rollback": ["rollback"],
                "approve": ["review", "--approve"]}.get(kind)
        if args is None:
            raise Refused("Unknown desk command.", status=400)
        if kind == "rollback" and release:
            if not re.match(RELEASE, release):
                raise Refused("A release is named like the ones `bin/invoke rollback` lists.", status=400)
            args += ["--to", release]
        if kind == "approve":
            from keter_tools import readiness

            if page not in {row.key for row in readiness.pages(self.settings) if row.medical}:
                raise Refused("Only a medical page can be approved.", status=400)
            args += [page]
        with self.lock:
            if self.job and self.job["process"].poll() is None:
                raise Refused("A publish is already running: wait for it to end.", status=409)
            self.folder.mkdir(parents=True, exist_ok=True)
            log_path = self.folder / f"{kind}.log"
            log = open(log_path, "w", encoding="utf-8")
            process = subprocess.Popen([sys.executable, "-m", "invoke", "-r", str(self.root), *args], cwd=self.root,
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env={**os.environ, "KETER_PUBLISHED_BY": name or ""})
            self.job = {"kind": kind, "by": name, "started": time.time(), "process": process, "log": log_path}
        threading.Thread(target=self._finish, args=(self.job, log), daemon=True).start()
        return self.job_state()

    def _finish(self, job: Job, log: IO[str]) -> None:
        job["process"].wait()
        log.close()  # the publish pipeline itself records each publish and rollback in its log

    def job_state(self) -> JobState | None:
        """The running or last command's state and output, for the page to poll."""
        job = self.job
        if not job:
            return None
        code = job["process"].poll()
        output = job["log"].read_text(encoding="utf-8", errors="replace") if job["log"].is_file() else ""
        return {"kind": job["kind"], "running": code is None, "ok": code == 0, "output": output[-MAX_OUTPUT:]}
