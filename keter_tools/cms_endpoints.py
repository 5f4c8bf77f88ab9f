"""The browser editor's own endpoints on the preview server (/admin/editor/<name>, POST, behind keter_tools.cms_gate):
what Decap CMS does not know, and the site desk (desk_*) that runs the terminal's commands for people who never open one.
"""

import difflib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from keter_site.translation_status import status as translation_status
from keter_tools import cms_saves
from keter_tools.cms_api import COLLECTIONS, SLUG, Backend, Refused
from keter_tools.devserver import BuildState

MAX_DIFF_LINES = 80
MAX_RESULTS = 40
MAX_OUTPUT = 60_000  # characters of a desk command's output the page is shown (its end)
RELEASE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$"
DESK_COMMANDS = {"staging": ["publish", "--staging"], "live": ["publish"], "rollback": ["rollback"],
                 "approve": ["review", "--approve"]}


class Job(NamedTuple):
    """The desk's last command: its kind, its process, and the file its output goes to."""

    kind: str
    process: subprocess.Popen[bytes]
    log: Path


class Endpoints:
    """The editor's own endpoints of one editing session, each a `do_<name>` method."""

    def __init__(self, backend: Backend, settings: Mapping[str, Any], state: BuildState) -> None:
        self.backend = backend
        self.settings = settings
        self.root = backend.root
        self.languages = list(settings["LANGUAGES"])
        self.source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
        self.state = state
        self.job: Job | None = None
        self.lock = threading.Lock()  # one desk command at a time

    def handle(self, name: str, request: object, editor_name: str = "") -> Any:
        """The answer of the endpoint `name`; Refused for an unknown one or a request that is not the editor's."""
        handler = getattr(self, "do_" + str(name), None)
        if handler is None:
            raise Refused(f"No editor endpoint `{str(name)[:40]}`.", status=404)
        if not isinstance(request, dict):
            raise Refused("Not a request of the editor.", status=400)
        return handler(request, editor_name)

    def _entry(self, request: dict[str, Any]) -> tuple[str, str]:
        collection, slug = request.get("collection"), str(request.get("slug", ""))
        if collection not in COLLECTIONS or not re.fullmatch(SLUG, slug):
            raise Refused("No such page or article.", status=404)
        return collection, slug

    def _files(self, collection: str, slug: str) -> dict[str, str]:
        return {lang: f"content/{lang}/{COLLECTIONS[collection]}{slug}.md" for lang in self.languages}

    def do_build(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The latest build and the last save's time: the editor waits for a build that began after its save."""
        return {"failed": self.state.failed, "message": self.state.message, "started": self.state.started,
                "finished": self.state.finished, "last_save": self.backend.last_save}

    def _table(self) -> dict[str, Any]:
        table = translation_status.status_table(self.settings["PATH"], self.languages, self.source_lang)
        return {key if key.startswith("articles/") else f"pages/{key}": row for key, (row, _) in table.items()}

    def do_translations(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """Every entry's state in each language, for the editor's list of what to translate."""
        return {"source": self.source_lang, "entries": self._table()}

    def do_translation(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """One entry's states, and for each stale translation what changed in the source, so the
        translator changes only that."""
        collection, slug = self._entry(request)
        row = self._table().get(f"{collection}/{slug}")
        if row is None:
            raise Refused("No such page or article.", status=404)
        files = self._files(collection, slug)
        changes = {lang: self._changes(files[self.source_lang], files[lang])
                   for lang, state in row.items() if state == "stale"}
        return {"source": self.source_lang, "states": row, "changes": changes}

    def _changes(self, source: str, translation: str) -> dict[str, Any]:
        """The source's lines changed since the version the translation was marked done against."""
        from keter_site.core.front_matter import read, read_text

        recorded = read(self.root / translation).get(translation_status.HASH_KEY)
        current = read_text(self.root / source)
        if recorded:
            for entry in cms_saves.history(self.root, [source], limit=200):
                text = cms_saves.version(self.root, entry["commit"], source)
                if text is not None and translation_status.fingerprint(text) == recorded:
                    diff = list(difflib.unified_diff(text.splitlines(), current.splitlines(), lineterm="", n=1))[2:]
                    return {"since": entry["date"], "diff": diff[:MAX_DIFF_LINES]}
        return {"since": None, "diff": []}

    def do_search(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """Pages and articles whose title or text, in any language, contains the words asked for."""
        # Decap's own search reads only the default language's titles.
        from keter_site.core.front_matter import read_text, split

        words = str(request.get("q", "")).casefold().split()[:10]
        if not words:
            return {"results": []}
        results: list[dict[str, str]] = []
        for lang in self.languages:
            for collection, folder in COLLECTIONS.items():
                for path in sorted((self.root / "content" / lang / folder).glob("*.md")):
                    meta, body, _ = split(read_text(path))
                    text = f"{meta.get('title', '')}\n{body}"
                    if all(word in text.casefold() for word in words):
                        at = text.casefold().find(words[0])
                        results.append({"collection": collection, "slug": path.stem, "lang": lang,
                                        "title": meta.get("title", path.stem),
                                        "snippet": " ".join(text[max(0, at - 60):at + 100].split())})
        return {"results": results[:MAX_RESULTS]}

    def do_mark_done(self, request: dict[str, Any], editor_name: str) -> dict[str, str]:
        """Record a translation as up to date with its source (as `invoke translations --done`), committed."""
        collection, slug = self._entry(request)
        lang = str(request.get("lang", ""))
        if lang not in self.languages or lang == self.source_lang:
            raise Refused("Only a translation can be marked done.", status=400)
        files = self._files(collection, slug)
        if not all((self.root / files[code]).is_file() for code in (lang, self.source_lang)):
            raise Refused("The translation or its source does not exist yet: save both first.", status=409)
        value = translation_status.mark_done(self.root / files[lang], self.root / files[self.source_lang])
        cms_saves.commit(self.root, [files[lang]], f"Marked the {lang} translation of {slug} as done", editor_name)
        return {"source_hash": value}

    def do_history(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The entry's earlier versions in any language, newest first, to choose one to restore."""
        collection, slug = self._entry(request)
        return {"versions": cms_saves.history(self.root, list(self._files(collection, slug).values()))}

    def do_restore(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """Write back the entry's text and form fields as they were at one commit, keeping the medical
        flag and the fingerprints as they are now; committed."""
        collection, slug = self._entry(request)
        commit = str(request.get("commit", ""))
        versions = {v["commit"]: v for v in cms_saves.history(self.root, list(self._files(collection, slug).values()))}
        if commit not in versions:
            raise Refused("That version is not in this page's history.", status=404)
        restored: list[str] = []
        self.backend.last_save = time.time()
        for lang, path in self._files(collection, slug).items():
            old = cms_saves.version(self.root, commit, path)
            target = self.root / path
            if old is None or not target.is_file():
                continue
            current = target.read_text(encoding="utf-8")
            text = cms_saves.merged(current, old, slug, lang)
            if text != current:
                target.write_text(text, encoding="utf-8")
                restored.append(path)
        when = datetime.fromisoformat(versions[commit]["date"]).strftime("%Y-%m-%d %H:%M")
        if restored:
            cms_saves.commit(self.root, restored, f"Restored {collection[:-1]} {slug} as it was on {when}", editor_name)
        return {"restored": restored, "when": when}

    def do_desk_status(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """Everything the desk's page shows at once, so an editor sees whether the site may go live."""
        # The publishes are this machine's own log (var/publishes.jsonl, a terminal's too): one made from another
        # machine is not shown.
        from keter_tools import readiness
        from keter_tools.deploy import pipeline

        rows = []
        for row in readiness.pages(self.settings):
            review = row.review and {"state": row.review.state, "on": str(row.review.on or ""),
                                     "due": str(row.review.due or "")}
            rows.append({"key": row.key, "collection": "articles" if row.key.startswith("articles/") else "pages",
                         "slug": row.key.removeprefix("articles/"), "translations": row.translations,
                         "review": review, "placeholders": [str(p.relative_to(self.root)) for p in row.placeholders],
                         "problems": [problem.message for problem in row.problems()]})
        return {"pages": rows, "examples": readiness.example_values(self.settings),
                "build": {"failed": self.state.failed, "message": self.state.message},
                "publishes": pipeline.read_log(self.root / "publishconf.py", 10), "job": self._job_state()}

    def do_desk_review_document(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """Write the physician's document afresh, so the editor opens what the physician would sign."""
        from keter_tools import review_document

        try:
            text, keys = review_document.build(self.settings)
        except review_document.Unreadable as error:
            raise Refused(str(error), status=422)
        target = self.root / "var" / "medical-review.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return {"path": str(target), "pages": keys}

    def do_desk_releases(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The releases on the publishing target, newest first, or the command's refusal."""
        result = subprocess.run([sys.executable, "-m", "keter_tools.deploy", "releases", "--json"],
                                cwd=self.root, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=180)
        if result.returncode:
            raise Refused((result.stderr or result.stdout).strip()[-1000:] or "The releases could not be read.",
                          status=502)
        return {"releases": json.loads(result.stdout)}

    def do_desk_run(self, request: dict[str, Any], editor_name: str) -> dict[str, Any] | None:
        """Start a publish (kind "staging" or "live"), a rollback or an approval as its terminal
        command, under the editor's name; one at a time."""
        # The command inherits this machine's environment (credentials) and ssh-agent (the physician's key): the desk
        # never sees a private key, and cannot sign with one that is not in ssh-agent.
        kind, release, page = (str(request.get(key, "")) for key in ("kind", "release", "page"))
        if kind not in DESK_COMMANDS:
            raise Refused("Unknown desk command.", status=400)
        args = DESK_COMMANDS[kind]
        if kind == "rollback" and release:
            if not re.match(RELEASE, release):
                raise Refused("A release is named like the ones `bin/invoke rollback` lists.", status=400)
            args = [*args, "--to", release]
        if kind == "approve":
            from keter_tools import readiness

            if page not in {row.key for row in readiness.pages(self.settings) if row.medical}:
                raise Refused("Only a medical page can be approved.", status=400)
            args = [*args, page]
        with self.lock:
            if self.job and self.job.process.poll() is None:
                raise Refused("A publish is already running: wait for it to end.", status=409)
            log = self.root / "var" / "desk" / f"{kind}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "w", encoding="utf-8") as output:  # the command keeps its own copy open
                process = subprocess.Popen([sys.executable, "-m", "invoke", "-r", str(self.root), *args],
                                           cwd=self.root, stdout=output, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL,
                                           env={**os.environ, "KETER_PUBLISHED_BY": editor_name})
            self.job = Job(kind, process, log)
        return self._job_state()

    def do_desk_job(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The running command's output so far, for the page to poll."""
        return {"job": self._job_state()}

    def _job_state(self) -> dict[str, Any] | None:
        if not self.job:
            return None
        code = self.job.process.poll()
        output = self.job.log.read_text(encoding="utf-8", errors="replace") if self.job.log.is_file() else ""
        return {"kind": self.job.kind, "running": code is None, "ok": code == 0, "output": output[-MAX_OUTPUT:]}
