"""The browser editor's back end at /admin/api/v1: each request of Decap CMS's proxy back end is checked here (pages,
articles and WebP/AVIF images only), then passed to decap-server on its Unix socket; each save is committed to git.
"""

import base64
import http.client
import json
import re
import socket
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from keter_site.checks.metadata import metadata_problems
from keter_site.core import front_matter
from keter_tools import cms_saves

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
# The formats the build accepts (checks.content_html: no old, heavy formats; no SVG from the
# editor, since an SVG file can carry a script).
IMAGE = re.compile(r"^content/images/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.(?:webp|avif)$", re.IGNORECASE)
NO_ALT = re.compile(r"!\[\s*\]\(([^)\s]*)")
MEDIA_FOLDER = "content/images"
COLLECTIONS = {"pages": "", "articles": "articles/"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Decap's plain actions (decap-server's allowlist, less the editorial workflow's, which the
# file-system back end does not have).
READS = {"info", "entriesByFolder", "entriesByFiles", "getEntry", "getMedia", "getMediaFile", "getDeployPreview"}
WRITES = {"persistEntry", "persistMedia", "deleteFile", "deleteFiles"}


class Refused(Exception):
    """A request the editor's back end does not carry out: (HTTP status, message)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class Paths:
    """The editor's names for the content files, and back."""

    # Decap's one-folder-per-language layout puts the language right under the collection's folder: pages/<lang>/ and
    # articles/<lang>/ here. Every path it sends is translated, so it can name no other file (never content/data/,
    # the settings, the theme or var/).

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = list(languages)
        langs = "|".join(map(re.escape, self.languages))
        self._virtual = re.compile(rf"^(pages|articles)/({langs})/({SLUG})\.md$")
        self._real = re.compile(rf"^content/({langs})/(articles/)?({SLUG})\.md$")

    def real(self, path: str) -> str:
        """content/... for the editor's name of a page, an article or an image; Refused otherwise."""
        path = str(path)
        match = self._virtual.match(path)
        if match:
            collection, lang, slug = match.groups()
            return f"content/{lang}/{COLLECTIONS[collection]}{slug}.md"
        if IMAGE.match(path) and ".." not in path:
            return path
        raise Refused(f"The editor may not read or write `{path[:200]}`: only pages, articles and "
                      "images (content/images/) are within its reach.")

    def virtual(self, real: str) -> str:
        """The editor's name of a content file (the path itself when it is not a page or an article)."""
        return "{}/{}/{}.md".format(*self.parts(real)) if self._real.match(real) else real

    def parts(self, real: str) -> tuple[str, str, str]:
        """(collection, lang, slug) of a content file's path."""
        match = self._real.match(real)
        assert match is not None, real  # only ever given what real() made of a page or an article
        lang, articles, slug = match.groups()
        return ("articles" if articles else "pages"), lang, slug


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket (decap-server's)."""

    def __init__(self, path: str, timeout: float = 60) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        """Connect to decap-server's socket instead of a host and port."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


class Backend:
    """One editing session's back end: decap-server at `socket_path`, for the project at `root`."""

    def __init__(self, root: str | Path, socket_path: str, settings: Mapping[str, Any]) -> None:
        self.root = Path(root)
        self.socket_path = socket_path
        self.paths = Paths(settings["LANGUAGES"])
        self.last_save = 0.0  # when the last save was written (the editor waits for a build after it)

    def decap(self, action: str, params: dict[str, Any] | None = None) -> Any:
        """decap-server's answer (parsed JSON) to one action."""
        connection = UnixConnection(self.socket_path)
        try:
            body = json.dumps({"action": action, "params": params or {}})
            connection.request("POST", "/api/v1", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read() or b"null")
        finally:
            connection.close()
        if response.status >= 400:
            raise Refused(f"decap-server: {(answer or {}).get('error', response.reason)}", status=502)
        return answer

    def handle(self, request: object, name: str = "") -> Any:
        """The answer to one request of the editor ({action, params}); `name`: the editor's name,
        for the commit. Raises Refused."""
        if not isinstance(request, dict) or not isinstance(request.get("params", {}), dict):
            raise Refused("Not a request of the editor.", status=400)
        action, params = request.get("action"), dict(request.get("params") or {})
        if action not in READS | WRITES:
            raise Refused(f"The editor's back end does not do `{str(action)[:60]}`.")
        handler = getattr(self, "_" + action, None)
        return handler(params, name) if handler else self.decap(action, params)

    def _entries(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entry in entries or []:
            if entry and entry.get("file"):
                entry["file"]["path"] = self.paths.virtual(entry["file"]["path"])
        return entries

    def _entriesByFolder(self, params: dict[str, Any], name: str) -> list[dict[str, Any]]:
        folder = params.get("folder")
        if folder not in COLLECTIONS:
            raise Refused(f"The editor may not list `{str(folder)[:200]}`.")
        entries: list[dict[str, Any]] = []
        for lang in self.paths.languages:
            real = f"content/{lang}/{COLLECTIONS[folder]}".rstrip("/")
            entries += self.decap("entriesByFolder", {**params, "folder": real, "extension": "md", "depth": 1})
        return self._entries(entries)

    def _entriesByFiles(self, params: dict[str, Any], name: str) -> list[dict[str, Any]]:
        files = [{**f, "path": self.paths.real(f.get("path", ""))} for f in params.get("files") or []]
        return self._entries(self.decap("entriesByFiles", {**params, "files": files}))

    def _getEntry(self, params: dict[str, Any], name: str) -> dict[str, Any]:
        return self._entries([self.decap("getEntry", {**params, "path": self.paths.real(params.get("path", ""))})])[0]

    def _getMedia(self, params: dict[str, Any], name: str) -> list[dict[str, Any]]:
        if params.get("mediaFolder") != MEDIA_FOLDER:
            raise Refused(f"The editor's media library is {MEDIA_FOLDER}/ only.")
        return [media for media in self.decap("getMedia", params) if IMAGE.match(media.get("path", ""))]

    def _getMediaFile(self, params: dict[str, Any], name: str) -> Any:
        if not IMAGE.match(str(params.get("path", ""))):
            raise Refused("The editor's media library is content/images/ only.")
        return self.decap("getMediaFile", params)

    def _getDeployPreview(self, params: dict[str, Any], name: str) -> None:
        return None  # the live preview is the deploy preview

    def _image(self, asset: dict[str, Any]) -> dict[str, str]:
        path = self.paths.real(asset.get("path", ""))
        if not IMAGE.match(path):
            raise Refused("Images go into content/images/, as WebP or AVIF: save the image in one of those "
                          "formats (any image program can), then upload it again.", status=422)
        if asset.get("encoding") != "base64" or len(asset.get("content", "")) > MAX_IMAGE_BYTES * 4 // 3 + 4:
            raise Refused(f"An image may have at most {MAX_IMAGE_BYTES // 1024 // 1024} MB.", status=413)
        base64.b64decode(asset.get("content", ""), validate=True)
        return {"path": path, "content": asset["content"], "encoding": "base64"}

    def _persistEntry(self, params: dict[str, Any], name: str) -> dict[str, str]:
        options = params.get("options") or {}
        if options.get("useWorkflow"):
            raise Refused("Drafts are kept with the `Draft` switch of the form, not Decap's workflow.")
        files = params.get("dataFiles") or ([params["entry"]] if params.get("entry") else [])
        if not files:
            raise Refused("A save with no file.", status=400)
        written: list[dict[str, str]] = []
        problems: list[str] = []
        for data_file in files:
            if data_file.get("newPath") and data_file["newPath"] != data_file.get("path"):
                raise Refused("A page keeps its address: renaming is not done in the editor.")
            real = self.paths.real(data_file.get("path", ""))
            if not real.endswith(".md"):
                raise Refused("Pages and articles are Markdown files.")
            collection, lang, slug = self.paths.parts(real)
            target = self.root / real
            old = target.read_text(encoding="utf-8") if target.is_file() else None
            try:
                text = cms_saves.merged(old, str(data_file.get("raw", "")), slug, lang)
            except ValueError as error:
                raise Refused(f"{real}: {error}", status=422)
            problems += check_text(real, text, collection)  # what the build would refuse, in its own words
            written.append({"slug": slug, "path": real, "raw": text})
        existing = [f["path"] for f in written if (self.root / f["path"]).exists()]
        if options.get("newEntry") and existing:
            # As `invoke new`: a new page never replaces one.
            raise Refused(f"Not created: {', '.join(existing)} already exist(s). Choose another address, or "
                          "edit the existing page.", status=409)
        if problems:
            raise Refused("\n".join(problems), status=422)
        if len({self.paths.parts(f["path"])[::2] for f in written}) != 1:
            raise Refused("One save is one page or one article, in its languages.", status=400)
        collection, _, slug = self.paths.parts(written[0]["path"])
        assets = [self._image(asset) for asset in params.get("assets") or []]
        verb = "Created" if any(not (self.root / f["path"]).exists() for f in written) else "Edited"
        if assets or any(not (self.root / f["path"]).is_file()
                         or (self.root / f["path"]).read_text(encoding="utf-8") != f["raw"] for f in written):
            self.last_save = time.time()  # before the write: the build it starts begins after this
        # decap-server writes; the commit is ours (of these files only), so its message is unused.
        self.decap("persistEntry", {"branch": "main", "dataFiles": written, "assets": assets,
                                    "options": {"commitMessage": "-", "useWorkflow": False, "status": "published",
                                                "collectionName": collection}})
        langs = ", ".join(self.paths.parts(f["path"])[1] for f in written)
        cms_saves.commit(self.root, [f["path"] for f in written] + [a["path"] for a in assets],
                         f"{verb} {collection[:-1]} {slug} ({langs}) in the browser editor", name)
        return {"message": "entry persisted"}

    def _persistMedia(self, params: dict[str, Any], name: str) -> Any:
        asset = self._image(params.get("asset") or {})
        self.last_save = time.time()
        answer = self.decap("persistMedia", {**params, "asset": asset, "options": {"commitMessage": "-"}})
        cms_saves.commit(self.root, [asset["path"]], f"Added the image {Path(asset['path']).name} in the browser editor",
                         name)
        return answer

    def _deleteFile(self, params: dict[str, Any], name: str) -> Any:
        return self._deleteFiles({**params, "paths": [params.get("path", "")]}, name)

    def _deleteFiles(self, params: dict[str, Any], name: str) -> Any:
        paths = [str(p) for p in params.get("paths") or []]
        if not paths or not all(IMAGE.match(p) for p in paths):
            raise Refused("The editor deletes images only (a page or an article is removed by the team).")
        answer = self.decap("deleteFiles", {**params, "paths": paths, "options": {"commitMessage": "-"}})
        cms_saves.commit(self.root, paths, f"Deleted {', '.join(Path(p).name for p in paths)} in the browser editor",
                         name)
        return answer


def check_text(path: str, text: str, collection: str) -> list[str]:
    """The build's front-matter problems of one file's text, as the build words them."""
    problems = [problem.at(path).one_line() for problem in front_matter.problems(text)]
    if not problems:
        meta = front_matter.split(text)[0]
        problems = [problem.at(path).one_line()
                    for problem in metadata_problems(meta, "article" if collection == "articles" else "page")]
    for match in NO_ALT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(f"{path}:{line}: the image {match.group(1)} has no alt text. Describe the image for people "
                        "who cannot see it, in this page's language: ![what the image shows](...).")
    return problems
