"""The browser editor (Decap CMS) for the marketing team, `invoke edit`: development only, served at /admin/ by the live
preview and never part of a build (keter_tools.deploy.checks refuses a publishing build with an admin/ folder).
"""

import json
import os
from datetime import date
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from keter_site.checks.metadata import DESCRIPTION_LIMIT, TITLE_LIMIT
from keter_site.core.project import ROOT
from keter_tools.cms_api import MEDIA_FOLDER, SLUG

# Everything the editor loads comes from this machine: its page and script beside this file, Decap's bundle from
# node_modules (pinned in package.json), the configuration made here from the project's settings.
ADMIN = Path(__file__).with_name("cms_admin")
DECAP_DIST = ROOT / "node_modules" / "decap-cms" / "dist"
DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "middlewares.js"
SOCKET_LAUNCHER = ADMIN / "decap_socket.js"  # never served: admin_file names what is
API_PATH = "/admin/api/v1"
UI_LANGUAGES = ("he", "en")
# The bundle and the chunks it loads by name (no source maps).
DECAP_FILE = re.compile(r"^(decap-cms\.js|[0-9]+\.decap-cms\.js|[0-9a-f]+\.wasm)$")


class EditorError(Exception):
    """The editor cannot start: what is missing and how to get it."""


# Labels and help of the form, in the editor's language ({field: {lang: (label, hint)}}).
TEXTS = {
    "title": {"en": ("Title", f"The page's main heading, at most {TITLE_LIMIT} characters. Required in each language."),
              "he": ("כותרת", f"הכותרת הראשית של הדף, עד {TITLE_LIMIT} תווים. חובה בכל שפה.")},
    "slug": {"en": ("Address", "Chosen once, from the English title: lowercase English letters, digits and "
                               "hyphens, such as side-effects. It cannot be changed here later."),
             "he": ("כתובת", "נבחרת פעם אחת, לפי הכותרת באנגלית: אותיות אנגליות קטנות, ספרות ומקפים, "
                             "כגון side-effects. אי אפשר לשנות אותה כאן אחר כך.")},
    "description": {"en": ("Description (search results)",
                           f"One sentence, at most {DESCRIPTION_LIMIT} characters, shown in search results."),
                    "he": ("תיאור (בתוצאות החיפוש)", f"משפט אחד, עד {DESCRIPTION_LIMIT} תווים, שמופיע בתוצאות החיפוש.")},
    "date": {"en": ("Published on", "The day the article is published."),
             "he": ("תאריך פרסום", "היום שבו המאמר מתפרסם.")},
    "updated": {"en": ("Updated on", "Only when the article was changed in substance."),
                "he": ("תאריך עדכון", "רק כשהמאמר השתנה במהותו.")},
    "summary": {"en": ("Summary (list of articles)", "One or two sentences shown in the list of articles."),
                "he": ("תקציר (ברשימת המאמרים)", "משפט או שניים שמופיעים ברשימת המאמרים.")},
    "menu_order": {"en": ("Place in the menu", "A number; leave empty for a page not in the menu."),
                   "he": ("מקום בתפריט", "מספר; ריק לדף שאינו בתפריט.")},
    "menu_label": {"en": ("Name in the menu", "A short name for the menu, when the title is long."),
                   "he": ("שם בתפריט", "שם קצר לתפריט, כשהכותרת ארוכה.")},
    "home_card": {"en": ("Place among the home page's cards", "A number; leave empty for no card."),
                  "he": ("מקום בכרטיסי דף הבית", "מספר; ריק אם אין כרטיס.")},
    "status": {"en": ("Publication", "Draft (not published): the page is in no list, feed, search engine or publish "
                                     "until it is switched to ready; the live preview shows it under /_drafts/. "
                                     "For both languages at once."),
               "he": ("פרסום", "טיוטה (לא מפורסם): הדף לא מופיע באף רשימה, פיד, מנוע חיפוש או פרסום עד שמעבירים "
                               "אותו למוכן; התצוגה המקדימה מראה אותו בכתובת \u2066/_drafts/...\u2069. לשתי השפות יחד.")},
    "body": {"en": ("Text", "Markdown. {clinic:phone} and the other clinic details, citations such as "
                            "[@glue2017], and parts such as ::: warning show in the preview as on the site. Each "
                            "image needs its description in this language: ![what the image shows](/images/x.jpg)."),
             "he": ("טקסט", "Markdown. פרטי המרפאה כמו {clinic:phone}, הפניות למקורות כמו [@glue2017] "
                            "וחלקים כמו ::: warning מוצגים בתצוגה המקדימה כמו באתר. לכל תמונה צריך תיאור בשפה "
                            "הזאת: ![מה רואים בתמונה](/images/x.jpg).")},
}
DRAFT_LABEL = {"en": "Draft (not published)", "he": "טיוטה (לא מפורסם)"}
READY_LABEL = {"en": "Ready (published)", "he": "מוכן (מפורסם)"}
COLLECTION_LABELS = {"pages": {"en": ("Pages", "Page"), "he": ("דפים", "דף")},
                     "articles": {"en": ("Articles", "Article"), "he": ("מאמרים", "מאמר")}}


def _field(name: str, ui: str, **options: Any) -> dict[str, Any]:
    label, hint = TEXTS[name][ui]
    return {"name": name, "label": label, "hint": hint, "i18n": True, **options}


def _limit(limit: int, ui: str) -> list[str]:
    message = {"en": f"At most {limit} characters, on one line.", "he": f"עד {limit} תווים, בשורה אחת."}[ui]
    return [f"^[^\\n]{{1,{limit}}}$", message]


def fields(kind: str, ui: str = "en") -> list[dict[str, Any]]:
    """The form of a page or an article, in the order the keys stand in the files. Only what an
    editor may change: `cms_saves.EDITABLE`, the address of a new entry, and the text."""
    title = _field("title", ui, widget="string", pattern=_limit(TITLE_LIMIT, ui))
    slug = _field("slug", ui, widget="string", i18n="duplicate",
                  pattern=[f"^{SLUG}$", {"en": "Lowercase English letters, digits and hyphens only.",
                                         "he": "רק אותיות אנגליות קטנות, ספרות ומקפים."}[ui]])
    description = _field("description", ui, widget="text", pattern=_limit(DESCRIPTION_LIMIT, ui))
    # Raw Markdown only: the rich-text mode rewrites the whole body and escapes citation brackets.
    body = _field("body", ui, widget="markdown", modes=["raw"])
    # Pelican's own draft status (cms_saves writes "ready" as no line at all).
    status = _field("status", ui, widget="select", i18n="duplicate", default="published", required=False,
                    options=[{"value": "draft", "label": DRAFT_LABEL[ui]}, {"value": "published", "label": READY_LABEL[ui]}])
    day = {"format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False, "picker_utc": True}
    if kind == "article":
        return [title, slug, _field("date", ui, widget="datetime", default=date.today().isoformat(), **day),
                _field("updated", ui, widget="datetime", required=False, **day),
                _field("summary", ui, widget="text"), description, status, body]
    number: dict[str, Any] = {"widget": "number", "value_type": "int", "min": 1, "required": False}
    return [title, slug, description, _field("menu_order", ui, **number),
            _field("menu_label", ui, widget="string", required=False), _field("home_card", ui, **number), status, body]


def config(settings: Mapping[str, Any], ui: str = "en") -> dict[str, Any]:
    """Decap CMS's configuration for this project's settings, its interface in `ui` (he or en)."""
    languages = list(settings["LANGUAGES"])
    default = settings["DEFAULT_LANG"]
    locales = [default] + [lang for lang in languages if lang != default]
    common = {"extension": "md", "format": "yaml-frontmatter", "create": True, "delete": False, "i18n": True,
              "identifier_field": "title", "summary": "{{title}}", "slug": "{{fields.slug}}",
              "editor": {"preview": True}}
    collections = []
    for name, kind in (("pages", "page"), ("articles", "article")):
        label, singular = COLLECTION_LABELS[name][ui]
        collections.append({**common, "name": name, "label": label, "label_singular": singular, "folder": name,
                            "fields": fields(kind, ui)})
    return {
        # The preview server's path: it checks each request, then passes it to decap-server.
        "backend": {"name": "proxy", "proxy_url": API_PATH, "branch": "main"},
        "publish_mode": "simple",
        "locale": ui,
        "media_folder": MEDIA_FOLDER,
        "public_folder": "/images",
        "omit_empty_optional_fields": True,
        "i18n": {"structure": "multiple_folders", "locales": locales, "default_locale": default},
        "collections": collections,
    }


def preview_data(settings: Mapping[str, Any]) -> dict[str, Any]:
    """What the preview needs to show a page as the site will: each language's direction, the clinic's details as the
    site writes them (HTML), and the references registry's keys in order."""
    from keter_site import citations, clinic_facts, components

    languages = settings["LANGUAGES"]
    return {
        "languages": {lang: {"dir": info["dir"]} for lang, info in languages.items()},
        "clinic": clinic_facts.rendered(settings),
        # A page's markers are numbered in the order they first appear; `sources: all` numbers the whole registry.
        "references": list(citations.load(settings)[0]),
        # `::: name` -> the component's folder (its outer class), and the warning's default label.
        "components": {name: component.folder for name, component in components.COMPONENTS.items()},
        "important": {lang: _ui_string(settings, lang, "components.important") for lang in languages},
    }


def _ui_string(settings: Mapping[str, Any], lang: str, key: str) -> str:
    from keter_site.core import data

    path = Path(settings.get("THEME", ROOT / "theme")) / "strings" / f"{lang}.yml"
    return str(data.load(path, strings_only=True).get(key, "")) if path.is_file() else ""


def admin_file(name: str, settings: Mapping[str, Any], key: str = "") -> bytes | None:
    """The bytes of /admin/<name>, or None: the page (with the session's key its script sends), its script, the
    configuration per interface language, the preview's data and Decap's bundle; served only to the session's cookie."""
    if name in ("", "index.html"):
        page = (ADMIN / "index.html").read_text(encoding="utf-8")
        return page.replace('content="SESSION-KEY"', f'content="{key}"').encode("utf-8")
    if name in ("editor.js", "editor.css"):
        return (ADMIN / name).read_bytes()
    path = None
    if name == "review-document.html":  # the physician's document, as the desk last wrote it
        path = ROOT / "var" / "medical-review.html"
    elif name == "preview-data.json":
        return json.dumps(preview_data(settings), ensure_ascii=False).encode()
    elif ui := re.fullmatch(r"config-(he|en)\.json", name):
        return json.dumps(config(settings, ui[1]), ensure_ascii=False).encode()
    elif name.startswith("decap/") and DECAP_FILE.match(name[len("decap/"):]):
        path = DECAP_DIST / name[len("decap/"):]
    return path.read_bytes() if path and path.is_file() else None


def admin_headers() -> dict[str, str]:
    """The editor page's own Content-Security-Policy, looser than the site's where Decap needs it, yet nothing from
    another host: connections go to this preview only ('self')."""
    # Decap styles itself inline (CSS-in-JS) and compiles its widgets' templates (eval); an image chosen for upload
    # is read from a blob: address, and the preview pane is a frame of the page's own.
    policy = {"default-src": "'self'", "script-src": "'self' 'unsafe-eval'", "style-src": "'self' 'unsafe-inline'",
              "img-src": "'self' data: blob:", "font-src": "'self' data:", "connect-src": "'self' blob: data:",
              "worker-src": "'self' blob:", "frame-src": "'self' blob: about:", "frame-ancestors": "'none'",
              "object-src": "'none'", "base-uri": "'self'", "form-action": "'none'"}
    return {"Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in policy.items()),
            "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def ensure_installed() -> None:
    """Install what the editor needs when it is missing (npm packages, as `check` and `publish`
    do), then make sure it is there."""
    if not shutil.which("node") or not shutil.which("npm"):
        raise EditorError("Node.js is not installed: `apt-get install nodejs npm`, then `bin/invoke edit` again.")
    from keter_tools import test_deps

    test_deps.ensure_npm()
    missing = [str(p.relative_to(ROOT)) for p in (DECAP_DIST / "decap-cms.js", DECAP_SERVER) if not p.is_file()]
    if missing:
        raise EditorError(f"The browser editor is not installed ({', '.join(missing)} missing) although "
                          "`npm ci` ran: check package.json, then `bin/invoke edit` again.")


@dataclass
class DecapServer:
    """A running decap-server: its process, its socket, and the private folder that holds it."""

    process: subprocess.Popen[str]
    socket: str
    folder: str


def start_server(root: Path) -> DecapServer:
    """decap-server for `root` in its file-system mode (it writes the files it is given, never runs git), on a Unix
    socket in a new folder only this user can open; returned once it listens, EditorError when it does not start."""
    folder = tempfile.mkdtemp(prefix="keter-editor-")  # mode 0700
    socket_path = os.path.join(folder, "decap.sock")
    env = {**os.environ, "GIT_REPO_DIRECTORY": str(root.resolve()), "LOG_LEVEL": "info"}
    env.pop("PORT", None)
    # Ended by the kernel when the process that started it ends, however it ends (even killed,
    # when no clean-up of ours can run): never a decap-server left writing into content/ alone.
    own_end = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []
    process = subprocess.Popen([*own_end, "node", str(SOCKET_LAUNCHER), socket_path], cwd=str(ROOT), env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None  # stdout=PIPE
    seen = []
    for line in process.stdout:  # ends when the process exits
        seen.append(line)
        sys.stdout.write(line)
        if "listening on" in line:
            threading.Thread(target=sys.stdout.writelines, args=(process.stdout,), daemon=True).start()
            return DecapServer(process, socket_path, folder)
    process.wait()
    shutil.rmtree(folder, ignore_errors=True)
    raise EditorError(f"decap-server did not start (exit {process.returncode}): {''.join(seen)[-500:]}")


def stop_server(server: DecapServer) -> None:
    """Stop decap-server and remove its socket's folder."""
    from keter_tools import processes

    processes.stop_process(server.process)
    shutil.rmtree(server.folder, ignore_errors=True)


def open_file(url: str) -> Path:
    """A page that opens `url` (which carries the session's key) in a new file only this user can
    read: the browser is given the file's name, so the key never shows on a command line."""
    folder = tempfile.mkdtemp(prefix="keter-editor-open-")
    path = Path(folder) / "open.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={url}">'
                     f'<title>Keter Health editor</title><a href="{url}">Open the editor</a>\n')
    return path
