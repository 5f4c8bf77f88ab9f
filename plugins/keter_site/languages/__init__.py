"""Languages: what a multilingual site needs beyond Pelican's translations, from LANGUAGES alone, so adding a language
needs no template or code change: URL prefixes, homes and 404 pages, checks, menus and the special pages."""

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from jinja2 import pass_context
from jinja2.runtime import Context
from pelican import signals
from pelican.contents import Content
from pelican.generators import Generator

from keter_site.core import build, content
from keter_site.core.front_matter import line_of
from keter_site.core.languages import ordered, prefix


class Language(TypedDict):
    """One entry of the LANGUAGES setting (pelicanconf.py says what each key means)."""
    name: str
    dir: str
    prefix: str
    locale: str


# Language code -> its entry, in the order the language switcher shows them.
Languages = dict[str, Language]


def _settings_languages(settings: Mapping[str, Any]) -> Languages:
    languages: Languages = settings.get("LANGUAGES") or {}
    default = settings["DEFAULT_LANG"]
    if default not in languages:
        build.report("pelicanconf.py", f"DEFAULT_LANG '{default}' is not one of LANGUAGES ({', '.join(languages)}).",
                     "Add the default language to LANGUAGES, or change DEFAULT_LANG.")
    return languages


def _top_folder(source_path: str | Path, content_root: str | Path) -> str:
    """The folder of content/ a file is in ("he", "en"); plain string work, as it runs for every
    document of every build."""
    root = str(content_root).rstrip(os.sep) + os.sep
    source = str(source_path)
    relative = source[len(root):] if source.startswith(root) else os.path.relpath(source, root)
    return relative.split(os.sep)[0]


def _check_page(page: Content, languages: Languages, content_root: Path) -> bool:
    lang = page.metadata.get("lang")  # as written: Pelican fills in DEFAULT_LANG when it is absent
    known = ", ".join(languages)
    folder = _top_folder(page.source_path, content_root)
    if not lang:
        suggestion = folder if folder in languages else next(iter(languages))
        build.report(page.source_path, "this page has no `lang` line in its front matter.",
                     f"Add a line such as `lang: {suggestion}` at the top (one of: {known}).")
        return False
    if lang not in languages:
        build.report(page.source_path, f"unknown language '{lang}'.",
                     f"Use one of the site's languages: {known}. A new language is first added to "
                     "LANGUAGES in pelicanconf.py (docs/editing.md).", line_of(page.source_path, "lang:"))
        return False
    if folder in languages and folder != lang:
        build.report(page.source_path, f"the file is in the '{folder}' folder but says `lang: {lang}`.",
                     f"Move it to content/{lang}/ or correct its `lang` line.", line_of(page.source_path, "lang:"))
        return False
    if "slug" not in page.metadata:
        build.report(page.source_path, "this page has no `slug` line (the page's address and translation key).",
                     "Add a line such as `slug: anxiety`, the same in every language's version.")
        return False
    return True


def special_role(settings: Mapping[str, Any], slug: str | None) -> str | None:
    """The role ("home", "signup", "not_found", ...) a slug plays in SPECIAL_PAGES, or None."""
    return next((role for role, special in settings.get("SPECIAL_PAGES", {}).items() if special == slug), None)


def _place(document: object) -> None:
    """Give the document its language's URL prefix as it is read (Pelican checks an address right after); a
    language's home page goes to its root and its 404 page to <prefix>404.html."""
    # An unknown language gets no prefix here and is reported once everything is read.
    if not isinstance(document, Content):
        return
    settings = document.settings
    lang_prefix = prefix(settings.get("LANGUAGES") or {}, document.lang)
    # Not Pelican's `{lang}`: the prefix is needed where Pelican has no setting too (homes, 404 pages, feeds, nginx),
    # so LANGUAGES declares it once. Not i18n-subsites: it builds each language as a site of its own, and the checks
    # across languages need them all in one run.
    document.metadata["lang_prefix"] = lang_prefix
    # Special roles are pages' (an article that happens to be called "faq" is just an article).
    role = special_role(settings, document.metadata.get("slug")) if content.kind(document) == "page" else None
    document.role = role
    if role == "home":
        document.override_url = lang_prefix
        document.override_save_as = f"{lang_prefix}index.html"
    elif role == "not_found":
        # Servers look for each language's 404 page by this fixed name (deploy/, devserver).
        document.override_url = document.override_save_as = f"{lang_prefix}404.html"
    if content.kind(document) in ("page", "article"):
        # Pelican works a document's address out again on every use (its own check right after
        # this signal, menus, switchers, links, the sitemap: thousands of times a build). All it
        # is made of (language, slug, date, status) is read by now: fix it with Pelican's own
        # override, as a `url:` line in front matter would. The live preview makes every
        # document again on each save; one whose inputs are the same keeps the address it had.
        key = (type(document).__name__, document.source_path, document.status, document.in_default_lang, role,
               repr(sorted(document.metadata.items())))
        addresses = _addresses(settings)
        if key not in addresses:
            addresses[key] = (document.url, document.save_as)
        document.override_url, document.override_save_as = addresses[key]


def _addresses(settings: Mapping[str, Any]) -> dict[Any, tuple[str, str]]:
    """{document's inputs: (url, save_as)}, kept between the live preview's builds while the
    settings' address patterns stay the same (looked up once per build)."""
    this_build = build.current().of("languages")
    if "addresses" not in this_build:
        memo = build.current().memo("languages")
        patterns = tuple(sorted((k, v) for k, v in settings.items() if k.endswith(("_URL", "_SAVE_AS"))
                                and isinstance(v, str)))
        if memo.get("patterns") != patterns:
            memo.clear()
            memo["patterns"], memo["addresses"] = patterns, {}
        this_build["addresses"] = memo["addresses"]
    addresses: dict[Any, tuple[str, str]] = this_build["addresses"]
    return addresses


def _check_complete(groups: Mapping[str, Sequence[Content]], languages: Languages, content_root: Path,
                    reported: set[tuple[str, str]]) -> None:
    """Every page in every language; a version that exists but could not be read, or was reported for its `lang`
    (`reported`: (slug, folder) pairs), has its own problem in the report and is not called missing too."""
    project_root = content_root.parent
    for slug, pages in sorted(groups.items()):
        present = {p.lang for p in pages}
        for lang in languages:
            if lang in present or (slug, lang) in reported or (content_root / lang / f"{slug}.md").exists():
                continue
            others = ", ".join(sorted(str(Path(p.source_path).relative_to(project_root)) for p in pages))
            build.report(pages[0].source_path, f"page '{slug}' has no {languages[lang]['name']} ({lang}) version.",
                         f"Create content/{lang}/{slug}.md with `slug: {slug}` and `lang: {lang}` "
                         f"(the existing version: {others}).")


def after_reading(generators: Sequence[Generator]) -> None:
    """The languages' checks and the context keys the theme reads (MENUS, SPECIAL, HOMES, PAGES_BY_LANG,
    PAGES_BY_URL), once every document is read (keter_site.pipeline.AFTER_READING)."""
    settings = generators[0].settings
    languages = _settings_languages(settings)
    content_root = Path(settings["PATH"])
    documents = [d for d in content.documents(generators) if d.status != "draft"]
    # Pages exist in every language; an article may exist in one language only.
    pages = [d for d in documents if content.kind(d) == "page"]

    groups: defaultdict[str, list[Content]] = defaultdict(list)
    reported: set[tuple[str, str]] = set()
    for document in documents:
        if not _check_page(document, languages, content_root):
            reported.add((document.slug, _top_folder(document.source_path, content_root)))
        elif content.kind(document) == "page":
            groups[document.slug].append(document)
    for document in documents:
        if document.lang in languages:
            # The switcher lists languages in the order LANGUAGES declares them.
            document.translations[:] = ordered(languages, document.translations, key=lambda d: d.lang)
    _check_complete({s: ps for s, ps in groups.items()
                     if all(p.status == "published" for p in ps)}, languages, content_root, reported)

    menus: dict[str, list[Content]] = {lang: [] for lang in languages}
    special: dict[str, dict[str, Content]] = {lang: {} for lang in languages}
    by_slug: dict[str, dict[str, Content]] = {lang: {} for lang in languages}
    by_url: dict[str, Content] = {}
    for page in pages:
        if page.lang not in languages:
            continue
        if page.role:
            special[page.lang].setdefault(page.role, page)
        # A position that is not a whole number is the front-matter check's to report, with its line.
        if page.status == "published" and str(page.metadata.get("menu_order", "")).strip().isdigit():
            menus[page.lang].append(page)
        by_slug[page.lang][page.slug] = page
        by_url.setdefault(page.url, page)
    for lang_menu in menus.values():
        lang_menu.sort(key=lambda p: int(p.metadata["menu_order"]))

    # Every generator shares one context dict; templates and other plugins read these keys.
    context = generators[0].context
    context["LANGUAGES"] = languages
    context["MENUS"] = menus
    context["SPECIAL"] = special
    context["HOMES"] = {lang: roles["home"] for lang, roles in special.items() if "home" in roles}
    context["PAGES_BY_LANG"] = by_slug
    # A page's breadcrumbs look up the addresses above its own, instead of going through every page.
    context["PAGES_BY_URL"] = by_url


@pass_context
def page_url(context: Context, slug: str) -> str:
    """`{{ page_url('privacy') }}`: the address of a page in the language being rendered."""
    lang = context["page"].lang
    target = context["PAGES_BY_LANG"].get(lang, {}).get(slug)
    if target is None:
        # Reported, not raised: the build stops with every problem, so when the file is there its
        # own problem (front matter the reader refused, say) is named beside this one.
        path = os.path.join(context["PATH"], lang, f"{slug}.md")
        build.report(path, f"the theme links to page '{slug}', which has no '{lang}' version.",
                     "Fix the other problem the build names in this file: until then it is no page."
                     if os.path.isfile(path) else f"Create content/{lang}/{slug}.md with `slug: {slug}` and `lang: {lang}`.")
        return "#"
    return f"{context['SITEURL']}/{target.url}"


@pass_context
def special_url(context: Context, role: str) -> str:
    """`{{ special_url('signup') }}`: the address of a special page (SPECIAL_PAGES) in the
    language being rendered."""
    return page_url(context, context["SPECIAL_PAGES"][role])


def _add_to_jinja(generator: Generator) -> None:
    generator.env.globals["page_url"] = page_url
    generator.env.globals["special_url"] = special_url


def register() -> None:
    """Connect the steps to Pelican's signals (keter_site.STEPS gives their place among the others)."""
    signals.content_object_init.connect(_place)
    signals.generator_init.connect(_add_to_jinja)
