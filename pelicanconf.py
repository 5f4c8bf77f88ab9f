"""Site settings for development builds (`invoke build`, `pelican content -s pelicanconf.py`).
Editors never need to change this file. Languages are declared once, here, in LANGUAGES."""

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from markdown.extensions.toc import slugify_unicode

ROOT = Path(__file__).resolve().parent

SITENAME = "Keter Health"  # per-language names come from the UI strings (site.name)
SITEURL = ""
TIMEZONE = "Asia/Jerusalem"

# --- Languages -------------------------------------------------------------------------
# One entry per language. `prefix` is the URL folder ("" means the site root), `dir` the text
# direction, `name` the language's name in its own language (shown in the language switcher),
# `locale` the Open Graph / Babel locale. Adding a language: add an entry, a folder
# content/<code>/ with every page, and theme/strings/<code>.yml (docs/editing.md).
DEFAULT_LANG = "he"
LANGUAGES = {
    "he": {"name": "עברית", "dir": "rtl", "prefix": "", "locale": "he_IL"},
    "en": {"name": "English", "dir": "ltr", "prefix": "en", "locale": "en_US"},
}

# --- Content ---------------------------------------------------------------------------
PATH = str(ROOT / "content")
OUTPUT_PATH = str(ROOT / "output")
# Every page lives in content/<language>/, every article in content/<language>/articles/.
PAGE_PATHS = [""]
ARTICLE_PATHS = [f"{lang}/articles" for lang in LANGUAGES]
# (A settings file that changes LANGUAGES sets these two again.)
PAGE_EXCLUDES = ["data", "images", *ARTICLE_PATHS]
STATIC_PATHS = ["images"]
# Pages in different languages are translations of each other when they share a slug.
PAGE_TRANSLATION_ID = "slug"
# `lang_prefix` is filled in by the languages plugin from LANGUAGES ("" or "en/").
PAGE_URL = PAGE_LANG_URL = "{lang_prefix}{slug}/"
PAGE_SAVE_AS = PAGE_LANG_SAVE_AS = "{lang_prefix}{slug}/index.html"
# Articles (keter_site.articles): under their language's articles page, translations sharing
# the slug; each language's list newest first, in pages by Pelican's pagination settings: ten
# articles to a page of the `articles` template, page 1 at the articles page's own address and
# page n at <prefix>articles/page/<n>/. No categories, tags or author pages.
ARTICLE_TRANSLATION_ID = "slug"
ARTICLE_URL = ARTICLE_LANG_URL = "{lang_prefix}articles/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = "{lang_prefix}articles/{slug}/index.html"
PAGINATED_TEMPLATES = {"articles": 10}
PAGINATION_PATTERNS = [
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
]
# Each language's feed carries its newest articles: what a feed reader needs, at a size that
# stays small however many articles the site has.
FEED_MAX_ITEMS = 20
# A summary is plain text (the list escapes it), not Markdown turned into HTML.
FORMATTED_FIELDS: list[str] = []
# Pages the theme and plugins find by their role, declared once here: role -> slug (the same
# slug in every language). The home page is served at each language's root and the 404 page
# at <prefix>404.html, both derived from LANGUAGES (plugins/keter_site/languages).
SPECIAL_PAGES = {
    "home": "home",
    "signup": "signup",
    "signup_thanks": "signup-thanks",
    "privacy": "privacy",
    "accessibility": "accessibility",
    "faq": "faq",
    "reviewers": "team",  # the page that introduces who reviews medical pages
    # The page whose `<div class="contraindications">` list search engines are given.
    "contraindications": "is-kap-right",
    "crisis": "crisis",
    "disclaimer": "disclaimer",
    "not_found": "404",
    "articles": "articles",  # each language's list of articles (`template: articles`)
    "contact": "contact",  # how to reach the clinic: address, phone, hours, getting there
}
# Special pages that carry no "leave your details" call to action (the form itself, its
# thank-you page, and the legal pages).
NO_SIGNUP_CTA = ("signup", "signup_thanks", "privacy", "accessibility", "crisis", "disclaimer", "not_found")
CLINIC_DATA_FILE = str(ROOT / "content" / "data" / "clinic.yml")

# Pelican's own listings, feeds and archives are off: keter_site.articles writes one list and
# one feed per language instead.
DIRECT_TEMPLATES: list[str] = []
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = TAG_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
# Drafts (`status: draft`, the editor's "Draft (not published)" switch): in no list, feed, sitemap
# or language switcher. The live preview writes each under _drafts/ (an address no slug can make)
# so its author can read it there; publishconf.py writes none, and the publish checks refuse a
# _drafts/ folder (keter_tools.deploy.checks).
DRAFT_URL = DRAFT_LANG_URL = "_drafts/{lang_prefix}articles/{slug}/"
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = "_drafts/{lang_prefix}articles/{slug}/index.html"
DRAFT_PAGE_URL = DRAFT_PAGE_LANG_URL = "_drafts/{lang_prefix}{slug}/"
DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = "_drafts/{lang_prefix}{slug}/index.html"
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False

# Pages and articles are Markdown only (keter_site.source_files checks every one). Pelican's
# reStructuredText and HTML readers are off: reST's `include` directive reads any file of the
# build machine, and an HTML page would skip the Markdown reader's checks. The checks plugin
# refuses such a file in content/ rather than leave it out silently.
READERS = {"rst": None, "html": None, "htm": None}
# Hidden files and folders are never read or copied (and the checks plugin refuses them).
IGNORE_FILES = [".*"]

# A page's Markdown file is refused over this size, or when turning it into HTML takes longer
# (keter_site.source_files): a pasted-in mistake gets a message, never a build that never ends.
MARKDOWN_MAX_BYTES = 200_000
MARKDOWN_MAX_SECONDS = 10

MARKDOWN = {
    "extension_configs": {
        # extra brings attr_list ({: dir="ltr" }), tables and footnotes.
        "markdown.extensions.extra": {},
        # Stable heading ids so pages can link to #sections.
        # Unicode ids, so Hebrew headings get readable ids (#מה-זו-חרדה) rather than _1, _2.
        "markdown.extensions.toc": {"permalink": False, "slugify": slugify_unicode},
    },
    "output_format": "html5",
}

# --- Theme and plugins -----------------------------------------------------------------
THEME = str(ROOT / "theme")
THEME_STATIC_PATHS = ["static"]
UI_STRINGS_DIR = str(ROOT / "theme" / "strings")
# The project's plugins are one package, plugins/keter_site, which Pelican finds through
# PLUGIN_PATHS (no install needed: `pelican -s pelicanconf.py` works in a venv made from
# requirements.lock alone). Its register() registers every step in the order that
# keter_site.STEPS lists, with the reasons for that order. (The browser editor at /admin/ is no
# plugin and never part of a build: only `invoke edit`'s preview server serves it, keter_tools.cms.)
PLUGIN_PATHS = [str(ROOT / "plugins")]
PLUGINS = ["keter_site"]
# Components (theme/components/<name>/) keep their template beside their styles and script.
THEME_TEMPLATES_OVERRIDES = [str(ROOT / "theme" / "components")]
# Where the signup form posts (the environment variable SIGNUP_ENDPOINT overrides it): here, the
# local receiver that `invoke serve` / `invoke livereload` start (keter_tools.form_receiver).
SIGNUP_ENDPOINT = "http://127.0.0.1:8001/signup"

# Translations record the fingerprint of the source page they follow (invoke translations).
TRANSLATION_SOURCE_LANG = DEFAULT_LANG
TRANSLATIONS_STALE_IS_ERROR = False  # a warning while editing; publishconf.py makes it an error
# `invoke new` fills new pages with "TODO:" placeholders; publishconf.py refuses to publish them.
PLACEHOLDER_MARK = "TODO:"
FAIL_ON_PLACEHOLDERS = False

# Medical pages (`medical: true`) show a review only while the physician's recorded approval
# matches their text (bin/invoke review; keter_site.medical_review). The preview shows editors a
# banner on pages awaiting review; the public site never does.
REVIEWS_PATH = str(ROOT / "content" / "data" / "reviews")
MEDICAL_REVIEW_INTERVAL_MONTHS = 12
MEDICAL_REVIEW_BANNER = True
# The references registry: every source the site cites, by key ([@key] in Markdown).
REFERENCES_FILE = str(ROOT / "content" / "data" / "references.yml")
# Launch readiness (publishconf.py turns it on): pending, stale or overdue medical reviews,
# EXAMPLE clinic values, stale translations and placeholders stop a publishing build. A staging
# publish (STAGING, `bin/invoke publish --staging`) builds anyway, marked "preview" on every
# page and kept out of search engines.
LAUNCH_CHECKS = False
STAGING = False

# Content cache: livereload re-reads only the Markdown files that changed.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = str(ROOT / ".cache" / "pelican")
GZIP_CACHE = False  # the cache stays on this machine: not compressing it saves time on every save
DELETE_OUTPUT_DIRECTORY = False

# Escape everything templates print unless marked safe (page HTML is marked `|safe`). Compiled
# templates are kept in .cache/jinja (Jinja checks each template's source, so an edited template
# is compiled again): every build, above all the live preview's, skips recompiling the theme.
# (Reading this file makes no folder: keter_site.assets makes the cache's when a build starts.)
# Every build makes a new Jinja environment, so a template never changes during one: not
# checking each included template's file again on every page (auto_reload) saves a stat call
# per include, thousands a build.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "auto_reload": False,
                     "bytecode_cache": FileSystemBytecodeCache(str(ROOT / ".cache" / "jinja"))}

# --- Search and sharing (keter_site.seo) --------------------------------------------------
# Canonical, hreflang, Open Graph and sitemap addresses must be absolute. SITEURL stays "" in
# development so any local server works; these addresses point at `invoke serve` instead.
# publishconf.py sets CANONICAL_BASE = SITEURL.
CANONICAL_BASE = "http://127.0.0.1:8000"
# The site's icon, under the theme's static folder (the page head and the web manifests use it).
# The toolbar and manifest colours are read from site.css (--accent and --paper), never repeated.
SITE_FAVICON = "favicon.svg"
