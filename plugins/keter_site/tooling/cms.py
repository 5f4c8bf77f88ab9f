"""The browser editor (Decap CMS) for the marketing team: `invoke edit`.

Development only. The preview server (`tooling.devserver`) serves it at /admin/ when started by
`invoke edit`; it is never part of a build, and a publishing build that has an admin/ folder is
refused (tooling.deploy.checks). Everything comes from this machine: Decap's bundle from
node_modules/decap-cms (pinned in package.json), the page and its script from cms_admin/ beside
this file, the configuration generated here from the project's settings, and the saving done by
decap-server (node_modules/decap-server) bound to 127.0.0.1, in its default mode, which writes
the files of the working tree and never runs git.

The configuration (`config()`), from the project: one collection of pages (content/<lang>/*.md)
and one of articles (content/<lang>/articles/*.md), a folder per language (LANGUAGES, the
default language first), the fields the build requires with their limits (checks.metadata),
raw Markdown only (the rich-text mode rewrites the whole body and escapes citation brackets),
no empty values written for unused fields, images into content/images/. `lang`, `slug`, the
translation fingerprint (`source_hash`, written by `invoke translations --done`) and the page's
technical keys are kept as they are but cannot be edited there; review records live in
content/data/reviews/, which the editor never opens.
"""

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from keter_site.checks.metadata import DESCRIPTION_LIMIT, TITLE_LIMIT
from keter_site.core.project import ROOT
from keter_site.tooling import processes

HOST = "127.0.0.1"
SERVER_PORT = 8081
ADMIN = Path(__file__).with_name("cms_admin")
DECAP_DIST = ROOT / "node_modules" / "decap-cms" / "dist"
DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
# The bundle and the chunks it loads by name (no source maps).
DECAP_FILE = re.compile(r"^(decap-cms\.js|[0-9]+\.decap-cms\.js|[0-9a-f]+\.wasm)$")


class EditorError(Exception):
    """The editor cannot start: what is missing and how to get it."""


def _limit(pattern_limit, what):
    return [f"^[^\\n]{{1,{pattern_limit}}}$", f"{what}: at most {pattern_limit} characters, on one line."]


def _hidden(name):
    return {"name": name, "label": name, "widget": "hidden", "required": False, "i18n": True}


def fields(kind):
    """The form of a page or an article, in the order the keys stand in the files."""
    title = {"name": "title", "label": "Title", "widget": "string", "i18n": True,
             "hint": "The page's main heading.", "pattern": _limit(TITLE_LIMIT, "The title")}
    description = {"name": "description", "label": "Description (search results)", "widget": "text",
                   "i18n": True, "pattern": _limit(DESCRIPTION_LIMIT, "The description"),
                   "hint": f"One sentence, at most {DESCRIPTION_LIMIT} characters, shown in search results."}
    medical = {"name": "medical", "label": "Medical page (needs the physician's review)", "widget": "boolean",
               "required": False, "i18n": True}
    body = {"name": "body", "label": "Text", "widget": "markdown", "modes": ["raw"], "i18n": True,
            "hint": "Markdown. {clinic:phone} and the other clinic details, and citations such as [@glue2017], "
                    "show in the preview as on the site."}
    if kind == "article":
        return [title, _hidden("slug"), _hidden("lang"),
                {"name": "date", "label": "Published on", "widget": "datetime", "i18n": True,
                 "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False, "picker_utc": True},
                {"name": "updated", "label": "Updated on", "widget": "datetime", "i18n": True, "required": False,
                 "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False, "picker_utc": True},
                {"name": "summary", "label": "Summary (list of articles)", "widget": "text", "i18n": True},
                description, medical, _hidden("source_hash"), body]
    return [title, _hidden("slug"), _hidden("lang"), description,
            {"name": "menu_order", "label": "Place in the menu", "widget": "number", "value_type": "int",
             "min": 1, "required": False, "i18n": True},
            {"name": "menu_label", "label": "Name in the menu", "widget": "string", "required": False, "i18n": True},
            {"name": "home_card", "label": "Place among the home page's cards", "widget": "number", "value_type": "int",
             "min": 1, "required": False, "i18n": True},
            medical, _hidden("sources"), _hidden("status"), _hidden("template"), _hidden("source_hash"), body]


def config(settings, server_port=SERVER_PORT):
    """Decap CMS's configuration for this project's settings."""
    languages = list(settings["LANGUAGES"])
    default = settings["DEFAULT_LANG"]
    locales = [default] + [lang for lang in languages if lang != default]
    content = Path(settings["PATH"]).resolve().relative_to(ROOT).as_posix()
    common = {"folder": content, "extension": "md", "format": "yaml-frontmatter", "create": False,
              "delete": False, "i18n": True, "identifier_field": "title", "summary": "{{title}}",
              "editor": {"preview": True}}
    return {
        "backend": {"name": "git-gateway"},  # replaced by the local backend below (no account, no network)
        "local_backend": {"url": f"http://{HOST}:{server_port}/api/v1", "allowed_hosts": [HOST]},
        "publish_mode": "simple",
        "locale": "en",
        "media_folder": f"{content}/images",
        "public_folder": "/images",
        "omit_empty_optional_fields": True,
        "i18n": {"structure": "multiple_folders", "locales": locales, "default_locale": default},
        "collections": [
            {**common, "name": "pages", "label": "Pages", "label_singular": "Page", "fields": fields("page")},
            {**common, "name": "articles", "label": "Articles", "label_singular": "Article",
             "path": "articles/{{slug}}", "fields": fields("article")},
        ],
    }


def preview_data(settings):
    """What the preview needs to show a page as the site will: each language's direction, the
    clinic's details as the site writes them (HTML), and the references registry's keys in order
    (a page's markers are numbered in the order they first appear; `sources: all` numbers the
    whole registry)."""
    from keter_site import citations, clinic_facts

    facts, problems = clinic_facts._load(settings)
    clinic_facts._facts.clear()
    clinic_facts._facts.update({k: v for k, v in facts.items() if k != clinic_facts.EXAMPLES_KEY})
    languages = settings["LANGUAGES"]
    return {
        "languages": {lang: {"dir": info["dir"]} for lang, info in languages.items()},
        "clinic": {lang: {key: str(clinic_facts.fact_html(key, lang)) for key in clinic_facts._facts}
                   for lang in languages},
        "references": list(citations._load(settings)),
    }


def admin_files(settings, server_port=SERVER_PORT):
    """{name: bytes} of the generated files of /admin/ (the rest are cms_admin/ and Decap's bundle)."""
    return {
        "config.yml": yaml.safe_dump(config(settings, server_port), allow_unicode=True, sort_keys=False).encode(),
        "preview-data.json": json.dumps(preview_data(settings), ensure_ascii=False).encode(),
    }


def admin_file(name, settings, server_port=SERVER_PORT):
    """The bytes of /admin/<name>, or None: the page and its script, the generated files, and
    Decap's bundle from node_modules."""
    if name in ("", "index.html"):
        return (ADMIN / "index.html").read_bytes()
    if name in ("editor.js", "editor.css"):
        return (ADMIN / name).read_bytes()
    if name in ("config.yml", "preview-data.json"):
        return admin_files(settings, server_port)[name]
    if name.startswith("decap/") and DECAP_FILE.match(name[len("decap/"):]):
        path = DECAP_DIST / name[len("decap/"):]
        return path.read_bytes() if path.is_file() else None
    return None


# The editor page's own Content-Security-Policy: Decap's bundle styles itself with inline styles
# (CSS-in-JS) and saves through decap-server; still nothing from another host.
def admin_headers(server_port=SERVER_PORT):
    policy = {"default-src": "'self'", "script-src": "'self' 'unsafe-eval'", "style-src": "'self' 'unsafe-inline'",
              "img-src": "'self' data: blob:", "font-src": "'self' data:",
              "connect-src": f"'self' http://{HOST}:{server_port}", "worker-src": "'self' blob:",
              "frame-src": "'self' blob: about:", "frame-ancestors": "'none'", "object-src": "'none'",
              "base-uri": "'self'"}
    return {"Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in policy.items()),
            "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def check_installed():
    missing = [str(p.relative_to(ROOT)) for p in (DECAP_DIST / "decap-cms.js", DECAP_SERVER) if not p.is_file()]
    if missing:
        raise EditorError(f"The browser editor is not installed ({', '.join(missing)} missing). "
                          "Run `npm ci` in the project folder, then `bin/invoke edit` again.")
    if not shutil.which("node"):
        raise EditorError("Node.js is not installed: `apt-get install nodejs npm`, then `npm ci`.")


_UNQUOTED_HASH = re.compile(r"""(?m)^(source_hash): *([^"'\s#][^\s#]*) *$""")


def quote_hashes(paths):
    """Decap writes a fingerprint without quotes when YAML would read it as text anyway; the
    project always quotes them (one of digits only, or digits with an `e`, would be read as a
    number). After each save, put the quotes back, changing nothing else in the file."""
    for path in paths:
        path = Path(path)
        if path.suffix != ".md" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        head_end = text.find("\n---", 3)
        if not text.startswith("---") or head_end < 0:
            continue
        head = _UNQUOTED_HASH.sub(r'\1: "\2"', text[:head_end])
        if head != text[:head_end]:
            path.write_text(head + text[head_end:], encoding="utf-8")


@dataclass
class DecapServer:
    process: subprocess.Popen
    port: int


def start_server(root=ROOT, port=SERVER_PORT, log=None):
    """decap-server for the folder `root`, on 127.0.0.1 only, in its file-system mode (it writes
    the working tree; the git mode would `git add .` and commit unrelated files). Returns it
    once it listens, with its port (port 0: one the kernel chose); raises EditorError when it
    does not start."""
    check_installed()
    env = {**os.environ, "BIND_HOST": HOST, "PORT": str(port), "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(Path(root).resolve()), "LOG_LEVEL": "info"}
    # Ended by the kernel when the process that started it ends, however it ends (even killed,
    # when no clean-up of ours can run): never a decap-server left writing into content/ alone.
    own_end = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []
    process = subprocess.Popen([*own_end, "node", str(DECAP_SERVER)], cwd=str(root), env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    for line in process.stdout:  # ends when the process exits
        seen.append(line)
        if log:
            log.write(line)
        if "listening on" in line:
            _drain(process, log)
            # Its message repeats the port it was given; the kernel knows the one it got.
            return DecapServer(process, port or processes.wait_for_listening_port(process, what="decap-server"))
    process.wait()
    raise EditorError(f"decap-server did not start (exit {process.returncode}): {''.join(seen)[-500:]}"
                      f"Is port {port} in use? Stop what uses it, or choose another with --cms-port.")


def _drain(process, log):
    import threading

    def run():
        for line in process.stdout:
            if log:
                log.write(line)
    threading.Thread(target=run, daemon=True).start()


def stop_server(server):
    if server:
        processes.stop_process(server.process)
