"""SEO: how the site is found and shared (search engines, links pasted into WhatsApp groups): canonical and reciprocal
hreflang links, Open Graph, JSON-LD, the sitemap, robots.txt and each language's web manifest."""

from collections.abc import Mapping
from typing import Any, NamedTuple
import functools
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from jinja2 import pass_context
from markupsafe import Markup
from PIL import Image
from pelican import signals

from keter_site import clinic_facts
from keter_site.core import build, content, html
from keter_site.core.front_matter import is_true
from keter_site.core.languages import ordered, prefix
from keter_site.core.urls import public_https_problem

from . import structured_data


# Under the theme's static folder; {lang} is the language code (1200x630, keter_tools/make_share_images.py).
SHARE_IMAGE = "images/share-{lang}.png"
CLINIC_FACTS_NEEDED = ("name", "phone_international", "address")
MANIFEST = "site.webmanifest"



@functools.lru_cache(maxsize=16384)  # pure: every page's address, asked for by the sitemap on every build
def absolute(base: str, url: str) -> str:
    """The absolute address of a page whose site-relative URL is `url` ("" is the root)."""
    return f"{base}/{quote(url, safe='/%#')}"


def versions(page: Any, languages: Mapping[str, Any]) -> list[Any]:
    """The page and its translations (one per language, as the checks let only one page have an
    address), in the order LANGUAGES declares them."""
    return ordered(languages, [v for v in (page, *page.translations) if v.lang in languages], key=lambda v: v.lang)


def alternates(page: Any, base: str, languages: Mapping[str, Any], default_lang: str) -> tuple[tuple[str, str], ...]:
    """[(hreflang, absolute URL)]: every language's version, then x-default; none for a page
    in one language only (an untranslated article): it has no alternate to point to."""
    # The same set on every version, the page itself included, so the links are reciprocal: Pelican's own templates
    # list only the other translations, with no self link and no x-default, which search engines do not accept.
    found = versions(page, languages)
    if len(found) < 2:
        return ()
    links = [(version.lang, absolute(base, version.url)) for version in found]
    default = next((href for lang, href in links if lang == default_lang), None)
    if default:
        links.append(("x-default", default))
    return tuple(links)


ShareImage = tuple[str, tuple[int, int] | None]  # (path under the site root, (width, height) or None)


def _image_size(path: Path) -> tuple[int, int] | None:
    try:
        with Image.open(path) as image:  # reads the header only
            return image.size
    except OSError:  # not an image: link previews go without its size
        return None


def _find_share_images(settings: Mapping[str, Any]) -> dict[str, ShareImage]:
    images: dict[str, ShareImage] = {}
    theme = Path(settings["THEME"])
    for lang in settings["LANGUAGES"]:
        relative = SHARE_IMAGE.format(lang=lang)
        for static in settings.get("THEME_STATIC_PATHS", []):
            source = theme / static / relative
            if source.is_file():
                images[lang] = (f"{settings['THEME_STATIC_DIR']}/{relative}", _image_size(source))
                break
    return images


def _on_init(pelican: Any) -> None:
    settings = pelican.settings
    siteurl = (settings.get("SITEURL") or "").strip()
    settings["CANONICAL_BASE"] = (settings.get("CANONICAL_BASE") or siteurl).strip().rstrip("/")
    build.current().of("seo").update(share_images=_find_share_images(settings))
    # The browser toolbar's and the manifest's colours are the stylesheet's own.
    colours = theme_colours(Path(settings["THEME"]) / "assets" / "site.css")
    settings.setdefault("SEO_THEME_COLOR", colours.get("--accent", "#000000"))
    settings.setdefault("SEO_BACKGROUND_COLOR", colours.get("--paper", "#ffffff"))


def theme_colours(stylesheet: str | Path) -> dict[str, str]:
    """{custom property: colour} of the stylesheet's `:root` block (such as --accent)."""
    try:
        text = Path(stylesheet).read_text(encoding="utf-8")
    except OSError:
        return {}
    root = re.search(r":root\s*\{([^}]*)\}", text)
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,8})", root.group(1))) if root else {}


def _share_image(settings: Any, lang: str) -> ShareImage | tuple[None, None]:
    # A language without its own image (a newly added one) shares the default language's.
    images = build.current().of("seo")["share_images"]  # found when the build started
    return images.get(lang) or images.get(settings["DEFAULT_LANG"]) or (None, None)


CONTRAINDICATIONS_CLASS = "contraindications"


def _contraindications(context: Any, lang: str) -> list[str]:
    """The list the physician reviews on the contraindications page (SPECIAL_PAGES), inside
    `<div class="contraindications" markdown="1">`: one source for the page and search engines."""
    slug = context["SPECIAL_PAGES"].get("contraindications")
    page = (context.get("PAGES_BY_LANG") or {}).get(lang, {}).get(slug)
    return html.list_items(page.content, CONTRAINDICATIONS_CLASS) if page else []


def _jsonld(page: Any, context: Any) -> Markup:
    translate = build.current().translate
    fact = clinic_facts.text
    languages, lang = context["LANGUAGES"], page.lang
    base = context["CANONICAL_BASE"]
    url = absolute(base, page.url)
    homes = context.get("HOMES") or {}
    home = homes.get(lang)
    home_url = absolute(base, home.url) if home else absolute(base, prefix(languages, lang))
    nodes: list[dict[str, Any]] = []
    if page.role == "home":
        nodes.append(structured_data.clinic(
            clinic_id=f"{base}/#clinic", url=home_url, name=fact("name", lang),
            telephone=fact("phone_international", lang), email=fact("email", lang),
            address=fact("address", lang), therapy_name=translate("seo.therapy_name", lang),
            contraindications=_contraindications(context, lang), specialty=fact("medical_specialty", lang)))
    else:
        if content.kind(page) == "article":
            modified = getattr(page, "modified", None) or page.date
            nodes.append(structured_data.blog_posting(
                url=url, headline=page.title, description=getattr(page, "description", ""), lang=lang,
                published=page.date.date().isoformat(), modified=modified.date().isoformat(),
                publisher_id=f"{base}/#clinic", publisher_name=fact("name", lang)))
        review = getattr(page, "review", None)  # set by keter_site.medical_review
        if is_true(page.metadata.get("medical", "")):
            # lastReviewed and reviewedBy only while the physician's approval matches the text.
            current = review if review is not None and review.state == "current" else None
            reviewer_page = (context.get("PAGES_BY_LANG") or {}).get(lang, {}).get(context["SPECIAL_PAGES"]["reviewers"])
            nodes.append(structured_data.medical_web_page(
                url=url, name=page.title, description=getattr(page, "description", ""), lang=lang,
                last_reviewed=current.on.isoformat() if current else None,
                reviewer=current.by if current else None,
                reviewer_url=absolute(base, reviewer_page.url) if reviewer_page and current else None))
        if page.role == "faq":
            entries = structured_data.faq_entries(page.content)
            if entries:
                nodes.append(structured_data.faq_page(url=url, lang=lang, entries=entries))
        trail = [(translate("seo.breadcrumb_home", lang), home_url)]
        index = (context.get("SPECIAL") or {}).get(lang, {}).get("articles")
        if content.kind(page) == "article" and index is not None:
            trail.append((index.title, absolute(base, index.url)))
        nodes.append(structured_data.breadcrumbs([*trail, (page.title, url)]))
    return Markup(structured_data.dumps(structured_data.graph(nodes)))


@pass_context
def seo_head(context: Any) -> SimpleNamespace:
    """What partials/seo_head.html writes for the page being rendered."""
    page = context["page"]
    languages, lang = context["LANGUAGES"], page.lang
    siteurl = context["SITEURL"]
    manifest = f"{siteurl}/{prefix(languages, lang)}{MANIFEST}" if lang in languages else None
    # Hidden pages (the 404 pages) and a staging site: noindex, and no canonical, hreflang, sharing tags or JSON-LD.
    if not content.is_published(page) or lang not in languages or context.get("STAGING"):
        return SimpleNamespace(noindex=True, manifest=manifest)
    base = context["CANONICAL_BASE"]
    links = alternates(page, base, languages, context["DEFAULT_LANG"])
    image, size = _share_image(context, lang)
    return SimpleNamespace(
        noindex=False, manifest=manifest,
        canonical=absolute(base, page.url),
        og_type="article" if content.kind(page) == "article" else "website",
        alternates=links,
        locale=languages[lang].get("locale", lang),
        locale_alternates=[languages[v.lang].get("locale", v.lang)
                           for v in versions(page, languages) if v.lang != lang],
        image=absolute(base, image) if image else None,
        image_size=size,
        jsonld=_jsonld(page, context),
    )


def _siteurl_problem(settings: Mapping[str, Any], siteurl: str) -> str | None:
    """What is wrong with a publish build's SITEURL, or None: a launch needs a public https address; a staging
    preview may live anywhere, but never with a character that would break a header or an attribute."""
    problem = public_https_problem("SITEURL", siteurl)
    if problem is None or not settings.get("STAGING"):
        return problem
    return problem if "character" in problem else None


def after_reading(generators: list[Any]) -> None:
    """Reported once everything is read, so the checks plugin stops the build before anything
    is written."""
    settings = generators[0].settings
    siteurl = (settings.get("SITEURL") or "").rstrip("/")
    published = siteurl.startswith(("http://", "https://"))
    settings_file = "publishconf.py" if published else "pelicanconf.py"
    base = settings["CANONICAL_BASE"]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        build.report(settings_file, f"CANONICAL_BASE is {base!r}, not an absolute http(s) address: search "
                     "engines and link previews need absolute addresses.",
                     "Set CANONICAL_BASE to the site's address, such as https://www.example.org "
                     "(in publishconf.py: CANONICAL_BASE = SITEURL).")
    elif published and settings.get("LAUNCH_CHECKS") and (problem := _siteurl_problem(settings, siteurl)):
        build.report(settings_file, problem, "Set the environment variable SITEURL to the site's public https "
                     "address, such as https://www.example.org, when you build with publishconf.py.")
    elif published and base != siteurl:
        build.report(settings_file, f"CANONICAL_BASE ({base}) is not SITEURL ({siteurl}): canonical and "
                     "hreflang links would send search engines to another address.",
                     "Set CANONICAL_BASE = SITEURL in publishconf.py.")

    for key in CLINIC_FACTS_NEEDED:
        if key not in build.current().facts:
            build.report(settings["CLINIC_DATA_FILE"], f"the clinic data has no `{key}`, which search "
                         "engines' description of the clinic needs.", f"Add a line `{key}: ...`.")

    default = settings["DEFAULT_LANG"]
    if default not in build.current().of("seo")["share_images"]:
        where = f"{settings['THEME']}/static/{SHARE_IMAGE.format(lang=default)}"
        build.report(where, "the share image shown in link previews is missing.",
                     "Run `.venv/bin/python -m keter_tools.make_share_images`.")

    for page in content.documents(generators):
        if not content.is_published(page):
            continue
        # The HTML as read (links not yet resolved): enough to count the questions.
        if page.role == "faq" and not structured_data.faq_entries(content.html_of(page)):
            build.report(page.source_path, "the FAQ page has no questions that search engines can read.",
                         "Write each question as a `### Question?` heading under a `## Group` heading (or as a "
                         "`## Question?` heading), with its answer below it.")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _manifest(settings: Mapping[str, Any], context: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A language's site.webmanifest: the W3C Web App Manifest fields the site uses."""
    translate = build.current().translate
    siteurl = settings["SITEURL"]
    language = settings["LANGUAGES"][lang]
    home = (context.get("HOMES") or {}).get(lang)
    name = translate("site.name", lang)
    return {
        "name": name,
        "short_name": name,
        "lang": lang,
        "dir": language.get("dir", "auto"),
        "start_url": f"{siteurl}/{home.url if home else prefix(settings['LANGUAGES'], lang)}",
        "display": "browser",
        "background_color": settings["SEO_BACKGROUND_COLOR"],
        "theme_color": settings["SEO_THEME_COLOR"],
        "icons": [{"src": f"{siteurl}/{settings['THEME_STATIC_DIR']}/{settings['SITE_FAVICON']}",
                   "sizes": "any", "type": "image/svg+xml"}],
    }


class _SitemapEntry(NamedTuple):
    loc: str
    lastmod: str | None
    alternates: tuple[tuple[str, str], ...]


def _sitemap(env: Any, entries: tuple[_SitemapEntry, ...]) -> str:
    """sitemap.xml's text. An edit seldom changes it: the live preview writes the last one again
    without rendering a thousand entries on every save."""
    key = (env.loader.get_source(env, "sitemap.xml")[0], entries)
    _last_sitemap = build.current().memo("seo.sitemap")  # {(template, entries): text}, the last one
    if key not in _last_sitemap:
        _last_sitemap.clear()
        _last_sitemap[key] = env.get_template("sitemap.xml").render(entries=entries) + "\n"
    return _last_sitemap[key]


# Not pelican-sitemap (1.2.2): it writes alternates as `ref=`, which crawlers ignore, and lists neither the page itself
# nor x-default; it stamps undated pages with the build time, so two builds of the same content differ; and with a
# development SITEURL of "" its addresses are not absolute.
def _write_site_files(generator: Any, writer: Any = None) -> None:
    """sitemap.xml, robots.txt and each language's web manifest, once every page is written."""
    settings, context = generator.settings, generator.context
    languages, base = settings["LANGUAGES"], settings["CANONICAL_BASE"]
    output = Path(generator.output_path)
    pages = [p for p in content.documents(build.current().generators) if p.lang in languages and content.is_published(p)]
    entries: list[_SitemapEntry] = []
    for page in pages:
        modified = getattr(page, "modified", None) or getattr(page, "date", None)
        entries.append(_SitemapEntry(absolute(base, page.url), modified.date().isoformat() if modified else None,
                                     alternates(page, base, languages, settings["DEFAULT_LANG"])))
    entries.sort(key=lambda entry: entry.loc)
    sitemap_url = absolute(base, "sitemap.xml")
    staging = bool(settings.get("STAGING"))
    if not staging:  # a staging site is kept out of search engines: no sitemap, robots say no
        _write(output / "sitemap.xml", _sitemap(generator.env, tuple(entries)))
    _write(output / "robots.txt", generator.env.get_template("robots.txt").render(
        sitemap_url=sitemap_url, staging=staging) + "\n")
    for lang in languages:
        manifest = json.dumps(_manifest(settings, context, lang), ensure_ascii=False, indent=1)
        _write(output / f"{prefix(languages, lang)}{MANIFEST}", manifest + "\n")


def _add_to_jinja(generator: Any) -> None:
    generator.env.globals["seo_head"] = seo_head


def register() -> None:
    """Pelican's entry point for the plugin."""
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
    signals.page_writer_finalized.connect(_write_site_files)
