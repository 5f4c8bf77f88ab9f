"""Languages: one Pelican run builds every language declared in the LANGUAGES setting.

Pelican already pairs translations that share a slug (PAGE_TRANSLATION_ID). This plugin adds
what a multilingual site needs on top, from settings alone, so that adding a language never
needs a template or code change:
- each page's URL prefix (the default language at the site root, others under /<prefix>/),
  and each language's home page at its root;
- a check that every page has a known `lang` and exists in every language;
- per-language menus (top-level pages with `menu_order`) and language-switcher links.
"""

from collections import defaultdict
from pathlib import Path

from blinker import signal
from jinja2 import pass_context
from pelican import signals
from pelican.contents import Page

content_problem = signal("content_problem")


def _report(page, message, fix):
    content_problem.send("languages", path=page.source_path, message=message, fix=fix)


def _settings_languages(settings):
    languages = settings.get("LANGUAGES") or {}
    default = settings["DEFAULT_LANG"]
    if default not in languages:
        content_problem.send(
            "languages",
            path="pelicanconf.py",
            message=f"DEFAULT_LANG '{default}' is not one of LANGUAGES ({', '.join(languages)}).",
            fix="Add the default language to LANGUAGES, or change DEFAULT_LANG.",
        )
    return languages


def _lang_from_file(page):
    """The `lang` line as written in the file (Pelican fills in DEFAULT_LANG when it is absent)."""
    return page.metadata.get("lang")


def _check_page(page, languages, content_root):
    lang = _lang_from_file(page)
    known = ", ".join(languages)
    folder = Path(page.source_path).relative_to(content_root).parts[0]
    if not lang:
        suggestion = folder if folder in languages else next(iter(languages))
        _report(page, "this page has no `lang` line in its front matter.",
                f"Add a line such as `lang: {suggestion}` at the top (one of: {known}).")
        return False
    if lang not in languages:
        _report(page, f"unknown language '{lang}'.",
                f"Use one of the site's languages: {known}. A new language is first added to "
                "LANGUAGES in pelicanconf.py (docs/editing.md).")
        return False
    if folder in languages and folder != lang:
        _report(page, f"the file is in the '{folder}' folder but says `lang: {lang}`.",
                f"Move it to content/{lang}/ or correct its `lang` line.")
        return False
    if "slug" not in page.metadata:
        _report(page, "this page has no `slug` line (the page's address and translation key).",
                "Add a line such as `slug: anxiety`, the same in every language's version.")
        return False
    return True


def _place_page(page):
    """Give the page its language's URL prefix; the home page goes to the language's root.

    Runs as each page is read (Pelican checks a page's address right after reading it); an
    unknown language gets no prefix here and is reported once all pages are read."""
    if not isinstance(page, Page):
        return
    settings = page.settings
    language = (settings.get("LANGUAGES") or {}).get(page.lang, {})
    prefix = language.get("prefix", "").strip("/")
    prefix = f"{prefix}/" if prefix else ""
    page.metadata["lang_prefix"] = prefix
    if page.metadata.get("slug") == settings.get("HOME_SLUG", "home"):
        page.override_url = prefix
        page.override_save_as = f"{prefix}index.html"


def _check_complete(groups, languages, content_root, reported):
    """Every page in every language. A version that exists as a file but could not be read, or
    was reported for a wrong or missing `lang` (`reported`: (slug, folder) pairs), has its own
    problem in the report and is not called missing too. (Two pages at one address are reported
    by build_checks.)"""
    project_root = content_root.parent
    for slug, pages in sorted(groups.items()):
        present = {p.lang for p in pages}
        source = next((p for p in pages), None)
        for lang in languages:
            if lang in present or (slug, lang) in reported or (content_root / lang / f"{slug}.md").exists():
                continue
            others = ", ".join(sorted(str(Path(p.source_path).relative_to(project_root)) for p in pages))
            _report(source, f"page '{slug}' has no {languages[lang]['name']} ({lang}) version.",
                    f"Create content/{lang}/{slug}.md with `slug: {slug}` and `lang: {lang}` "
                    f"(the existing version: {others}).")


def _on_pages_finalized(generator):
    settings = generator.settings
    languages = _settings_languages(settings)
    content_root = Path(settings["PATH"])
    home_slug = settings.get("HOME_SLUG", "home")
    pages = [*generator.pages, *generator.translations,
             *generator.hidden_pages, *generator.hidden_translations]

    groups = defaultdict(list)
    reported = set()
    for page in pages:
        if _check_page(page, languages, content_root):
            groups[page.slug].append(page)
        else:
            reported.add((page.slug, Path(page.source_path).relative_to(content_root).parts[0]))
    _check_complete({s: ps for s, ps in groups.items()
                     if all(p.status == "published" for p in ps)}, languages, content_root, reported)

    order = {code: i for i, code in enumerate(languages)}
    menus = {lang: [] for lang in languages}
    homes = {}
    for page in pages:
        if page.lang not in languages:
            continue
        # The switcher lists languages in the order LANGUAGES declares them.
        page.translations.sort(key=lambda p: order.get(p.lang, len(order)))
        if page.slug == home_slug:
            homes[page.lang] = page
        if page.status == "published" and "menu_order" in page.metadata:
            if str(page.metadata["menu_order"]).strip().isdigit():
                menus[page.lang].append(page)
            else:
                _report(page, f"`menu_order: {page.metadata['menu_order']}` is not a whole number.",
                        "Write the menu position as a number, such as `menu_order: 3`.")
    for lang_menu in menus.values():
        lang_menu.sort(key=lambda p: int(p.metadata["menu_order"]))

    by_slug = {lang: {} for lang in languages}
    for page in pages:
        if page.lang in by_slug:
            by_slug[page.lang][page.slug] = page

    generator.context["LANGUAGES"] = languages
    generator.context["MENUS"] = menus
    generator.context["HOMES"] = homes
    generator.context["PAGES_BY_LANG"] = by_slug


class MissingPage(Exception):
    exitcode = 1


@pass_context
def page_url(context, slug):
    """`{{ page_url('privacy') }}`: the address of a page in the language being rendered."""
    lang = context["page"].lang
    target = context["PAGES_BY_LANG"].get(lang, {}).get(slug)
    if target is None:
        raise MissingPage(
            f"the theme links to page '{slug}', which has no '{lang}' version. How to fix: create "
            f"content/{lang}/{slug}.md with `slug: {slug}` and `lang: {lang}`.")
    return f"{context['SITEURL']}/{target.url}"


def _add_to_jinja(generator):
    generator.env.globals["page_url"] = page_url


def register():
    signals.content_object_init.connect(_place_page)
    signals.page_generator_finalized.connect(_on_pages_finalized)
    signals.generator_init.connect(_add_to_jinja)
