"""The browser editor's own endpoints on the preview server (/admin/editor/<name>, POST, behind
the same checks as its back end, keter_tools.cms_gate): what Decap CMS does not know.

- build: the latest build's outcome, and when it finished (the editor waits for the build after
  a save, then shows its problems where the editor looks);
- translations: every page's and article's state in each language (source, ok, stale, missing);
- translation: one entry's state, with what changed in the source since its translation was last
  marked done (found in git: the source's version whose fingerprint the translation recorded);
- mark_done: `invoke translations --done` for one translation, committed;
- search: pages and articles whose title or text contains the words, in every language (Decap's
  own search reads only the default language's titles);
- desk_*: the site desk (keter_tools.cms_desk);
- history / restore: the entry's earlier versions, and one of them written back (the medical
  flag and the fingerprints stay as they are now), committed.
"""

import difflib
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from keter_tools import cms_saves
from keter_tools.cms_api import COLLECTIONS, SLUG, Backend, Refused
from keter_tools.cms_desk import BuildState, Desk, JobState
from keter_site.translation_status import status as translation_status

MAX_DIFF_LINES = 80
MAX_RESULTS = 40


class Endpoints:
    """The editor's own endpoints of one editing session, each a `do_<name>` method."""

    def __init__(self, backend: Backend, settings: Mapping[str, Any], state: BuildState,
                 desk: Desk | None = None) -> None:
        self.backend = backend
        self.desk = desk
        self.root = backend.root
        self.languages = list(settings["LANGUAGES"])
        self.source_lang = settings.get("TRANSLATION_SOURCE_LANG", settings["DEFAULT_LANG"])
        self.content = settings["PATH"]
        self.state = state

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

    def _table(self) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
        table = translation_status.status_table(self.content, self.languages, self.source_lang)
        entries = {}
        for key, (row, _) in table.items():
            collection, slug = ("articles", key[len("articles/"):]) if key.startswith("articles/") else ("pages", key)
            entries[f"{collection}/{slug}"] = row
        return table, entries

    def do_translations(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """Every entry's state in each language, for the editor's list of what to translate."""
        return {"source": self.source_lang, "entries": self._table()[1]}

    def do_translation(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """One entry's states, and for each stale translation what changed in the source, so the
        translator changes only that."""
        collection, slug = self._entry(request)
        table, entries = self._table()
        row = entries.get(f"{collection}/{slug}")
        if row is None:
            raise Refused("No such page or article.", status=404)
        source = self._files(collection, slug)[self.source_lang]
        answer: dict[str, Any] = {"source": self.source_lang, "states": row, "changes": {}}
        for lang, state in row.items():
            if state == "stale":
                answer["changes"][lang] = self._changes(source, self._files(collection, slug)[lang])
        return answer

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

    # The site desk (keter_tools.cms_desk).
    def _desk(self) -> Desk:
        if self.desk is None:  # an editing session started without the desk
            raise Refused("The site desk is not part of this editing session.", status=404)
        return self.desk

    def do_desk_status(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The desk's page: readiness, examples left, the latest build, the last publishes."""
        return self._desk().status()

    def do_desk_review_document(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The physician's document, written afresh (as `invoke review --pending`)."""
        return self._desk().review_document()

    def do_desk_run(self, request: dict[str, Any], editor_name: str) -> JobState | None:
        """Start a publish, a rollback or an approval as its terminal command, under the editor's name."""
        return self._desk().start(str(request.get("kind", "")), editor_name, str(request.get("release", "")),
                                  str(request.get("page", "")))

    def do_desk_releases(self, request: dict[str, Any], editor_name: str) -> dict[str, Any]:
        """The releases on the server, for choosing one to roll back to."""
        return self._desk().releases()

    def do_desk_job(self, request: dict[str, Any], editor_name: str) -> dict[str, JobState | None]:
        """The running command's output so far, for the page to poll."""
        return {"job": self._desk().job_state()}

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
