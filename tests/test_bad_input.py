"""Mistakes an editor can make stop the build with a message naming the file and the fix."""

import pytest
import yaml

from tests.support.sites import FixtureSite, page_text


def _fixture(tmp_path):
    return FixtureSite(tmp_path)


def test_unknown_language_names_the_file_and_the_known_languages(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "fr"))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.build()
    assert build.returncode != 0
    assert "content/en/about.md:4: unknown language 'fr'" in build.log
    assert "Use one of the site's languages: he, en" in build.log
    assert not (tmp_path / "output" / "en" / "about").exists()


def test_page_without_lang_names_the_file(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", None))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.build()
    assert build.returncode != 0
    assert "content/en/about.md: this page has no `lang` line" in build.log
    assert "Add a line such as `lang: en`" in build.log


def test_translation_without_counterpart_names_the_missing_file(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "en"))
    build = site.build()
    assert build.returncode != 0
    assert "content/en/about.md: page 'about' has no עברית (he) version." in build.log
    assert "Create content/he/about.md with `slug: about` and `lang: he`" in build.log


def test_lang_that_contradicts_its_folder(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "he"))
    site.write_page("he", "about-he", page_text("about", "en"))
    build = site.build()
    assert build.returncode != 0
    assert "content/en/about.md:4: the file is in the 'en' folder but says `lang: he`" in build.log


def test_all_problems_are_reported_at_once(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "one", page_text("one", "xx"))
    site.write_page("en", "two", page_text("two", None))
    build = site.build()
    assert build.returncode != 0
    assert "2 problems to fix" in build.log
    assert build.log.index("content/en/one.md") < build.log.index("content/en/two.md")


# --- One corpus of bad inputs: each gets a message with its fix, never a traceback -------------

def _clinic_top_level_list(site):
    (site.content / "data" / "clinic.yml").write_text("- phone\n- email\n", encoding="utf-8")


def _clinic_alias_bomb(site):
    path = site.content / "data" / "clinic.yml"
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    path.write_text(path.read_text(encoding="utf-8") + bomb, encoding="utf-8")


def _clinic_value_cut_by_a_comment(site):
    """A clinic fact written unquoted with ` #` in it: YAML would keep only what comes before."""
    path = site.content / "data" / "clinic.yml"
    path.write_text(path.read_text(encoding="utf-8") + "floor: Building B #3\n", encoding="utf-8")
    return len(path.read_text(encoding="utf-8").splitlines())


def _misspelled_placeholder(site):
    path = site.strings / "en.yml"
    text = path.read_text(encoding="utf-8")
    assert "by %{name}" in text
    path.write_text(text.replace("by %{name}", "by %{nmae}", 1), encoding="utf-8")


def _write(site, relative, data):
    path = site.content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def _about(site, body="Some text.", lang="en", **meta):
    site.write_page("en", "about", page_text("about", lang, body=body, **meta))


def _unquoted(site, key, value):
    """The English about page with `key: value` written as is (page_text quotes what YAML cannot
    read back, such as a day that does not exist)."""
    text = page_text("about", "en", **{key: value})
    site.write_page("en", "about", text.replace(f'{key}: "{value}"', f"{key}: {value}"))


def _reference_with_url(site, url):
    path = site.content / "data" / "references.yml"
    path.write_text('evil:\n  title: "A page"\n  publisher: "Someone"\n  supports: "Nothing"\n'
                    f'  url: "{url}"\n', encoding="utf-8")
    site.extra_settings += f"REFERENCES_FILE = {str(path)!r}\n"


RST_INCLUDE = "Evil\n####\n\n:lang: en\n:slug: evil\n\n.. include:: /proc/self/environ\n"
HTML_PAGE = ("<html><head><title>Evil</title><meta name=\"lang\" content=\"en\"><meta name=\"slug\" content=\"evil\">"
             "</head><body>Call \u202e1201</body></html>")
SVG_SCRIPT = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
DEEP_SPANS = "<span>" * 12_000 + "x" + "</span>" * 12_000  # 156 KB: minify-html once crashed on it

BAD_INPUTS = {
    "not UTF-8": (lambda s: s.write_bytes("en", "about", page_text("about", "en", body="caf\xe9").encode("latin-1")),
                  ["content/en/about.md:8: the file is not saved as UTF-8 text", "Save it again as UTF-8"]),
    "unknown template": (lambda s: s.write_page("en", "about", page_text("about", "en", template="nope")),
                         ["content/en/about.md:5: `template: nope` names no template of the theme", "Use one of:"]),
    "a partial as the template": (lambda s: _about(s, template="partials/logo"),
                                  ["content/en/about.md:5: `template: partials/logo` names no template of the theme",
                                   "Use one of: archives, article, articles,"]),
    "clinic data of the wrong shape": (_clinic_top_level_list, ["the clinic data file must be a list of `key: value` lines"]),
    "YAML alias bomb": (_clinic_alias_bomb, ["YAML anchors and aliases (`&name`, `*name`) are not allowed"]),
    "a clinic fact cut by a comment": (_clinic_value_cut_by_a_comment,
                                       ["content/data/clinic.yml:{line}: YAML reads ` #` and the rest of the line as a "
                                        "comment, so `floor` would silently be 'Building B'.",
                                        "Put the value in double quotes"]),
    "file too large": (lambda s: s.write_page("en", "about", page_text("about", "en", body="word " * 60_000)),
                       ["content/en/about.md: the file is 300,", "a page may be at most 200,000"]),
    "conversion never ends": (lambda s: s.write_page("en", "about", page_text("about", "en", body="[" * 150_000)),
                              ["content/en/about.md:8: turning the file into a page took longer than 2 seconds"]),
    "over-long title": (lambda s: s.write_page("en", "about", page_text("about", "en", title="T" * 121)),
                        ["content/en/about.md: the title is 121 characters"]),
    "bidi override": (lambda s: s.write_page("en", "about", page_text("about", "en", body="Call \u202e1201")),
                      ["content/en/about.md:8: an invisible direction-changing character (U+202E)", "<bdi>"]),
    "bidi isolate": (lambda s: _about(s, "Max dose \u20672 mg, then 50\u2069 mg"),
                     ["content/en/about.md:8: an invisible direction-changing character (U+2067) would reorder "
                      "the text around it.", "write <bdi>...</bdi> around it"]),
    "control character": (lambda s: s.write_page("en", "about", page_text("about", "en", body="Bell \x07 here")),
                          ["content/en/about.md:8: an invisible control character (U+0007)"]),
    "misspelled UI string placeholder": (_misspelled_placeholder, ["UI string 'review.reviewed_by' in 'en' fills in %{nmae}, but in 'he' %{name}"]),
    # Content is Markdown only.
    "a reStructuredText page that includes a file": (
        lambda s: _write(s, "en/evil.rst", RST_INCLUDE),
        ["content/en/evil.rst: a reStructuredText file: the site is built from Markdown (.md) files only",
         "How to fix: Write the page in Markdown as a .md file"]),
    "an HTML page": (lambda s: _write(s, "en/evil.html", HTML_PAGE),
                     ["content/en/evil.html: an HTML file: the site is built from Markdown (.md) files only"]),
    "a Markdown page not named .md": (lambda s: _write(s, "en/evil.mkd", page_text("evil", "en")),
                                      ["content/en/evil.mkd: a page's file name must end in .md", "Rename it to evil.md."]),
    "a hidden page": (lambda s: _write(s, "en/.draft.md", page_text("draft", "en")),
                      ["content/en/.draft.md: a hidden file in content/: no one sees it in the folder",
                       "a page's name never starts with a dot"]),
    # content/images/ publishes images, checked by their content.
    "an SVG image with a script": (lambda s: _write(s, "images/logo.svg", SVG_SCRIPT),
                                   ["content/images/logo.svg: an SVG image can carry scripts that would run on the "
                                    "site's own pages", "Export it as WebP instead"]),
    "an HTML file among the images": (lambda s: _write(s, "images/page.html", "<script src=x.js></script>"),
                                      ["content/images/page.html: only images (PNG, JPEG, WebP, AVIF or GIF) are "
                                       "published from content/images/; a `.html` file could run code"]),
    "a script among the images": (lambda s: _write(s, "images/x.js", "alert(1)"),
                                  ["content/images/x.js: only images (PNG, JPEG, WebP, AVIF or GIF)"]),
    "HTML named as a PNG image": (lambda s: _write(s, "images/photo.png", "<html><script>alert(1)</script>"),
                                  ["content/images/photo.png: the file is named as a PNG image, but its content is "
                                   "no PNG, JPEG, WebP, AVIF or GIF image"]),
    "a JPEG named as a PNG image": (lambda s: _write(s, "images/photo.png", b"\xff\xd8\xff\xe0" + bytes(40)),
                                    ["content/images/photo.png: the file is named as a PNG image, but its content "
                                     "is a JPEG image"]),
    "a hidden file among the images": (lambda s: _write(s, "images/.env", "AWS_SECRET_ACCESS_KEY=x"),
                                       ["content/images/.env: a hidden file in a folder that is copied to the site"]),
    "an {attach} link to a file beside content/": (
        lambda s: (s.base.joinpath(".env").write_text("AWS_SECRET_ACCESS_KEY=x"), _about(s, "[keys]({attach}/../.env)")),
        ["content/en/about.md:8: `{attach}/../.env` names a file outside content/images/: the build would copy it "
         "into the site as it is.", "Put the image in content/images/"]),
    "a {static} link to a data file": (lambda s: _about(s, "[data]({static}/data/clinic.yml)"),
                                       ["content/en/about.md:8: `{static}/data/clinic.yml` names a file outside "
                                        "content/images/"]),
    # Limits that hold before native code runs.
    "12,000 nested spans": (lambda s: _about(s, DEEP_SPANS),
                            ["content/en/about.md:8: the page's elements nest more than 100 deep",
                             "Remove the repeated opening tags"]),
    "nesting too deep for Markdown": (lambda s: _about(s, "*" * 5000 + "x" + "*" * 5000),
                                      ["content/en/about.md:8: the page nests too deeply for Markdown",
                                       "Look for a very long run of `*`, `_` or `>`"]),
    "the components' placeholder in the text": (
        lambda s: _about(s, "See keter-component-0-end here."),
        ["content/en/about.md:8: the text `keter-component-` is reserved for the site's own use",
         "Reword it (or put a space in it)."]),
    "the components' placeholder inside a component": (
        lambda s: _about(s, "::: warning\nketer-component-0-end\n:::"),
        ["content/en/about.md:9: the text `keter-component-` is reserved for the site's own use"]),
    # Every case names the file, the line and the fix.
    "a day that does not exist": (lambda s: _unquoted(s, "date", "2026-02-30"),
                                  ["content/en/about.md:5: `date: 2026-02-30` is no day of the calendar.",
                                   "Write a real day, year-month-day, such as `date: 2026-11-27`."]),
    "a quoted day that does not exist": (lambda s: _about(s, date="2026-02-30"),
                                         ["content/en/about.md:5: `date: 2026-02-30` is no day of the calendar."]),
    "an unknown language on a page with a clinic fact": (
        lambda s: _about(s, "Call {clinic:phone} at {clinic:address}.", lang="xx"),
        ["content/en/about.md:4: unknown language 'xx'", "Use one of the site's languages: he, en"]),
    "a citation marker inside an attribute": (
        lambda s: _about(s, '<a href="https://example.org/" title="[@glue2017]">x</a>'),
        ["content/en/about.md:8: a `[@...]` citation marker inside the `title` attribute of <a>",
         "Write the marker in the text, after the statement it supports, outside any tag."]),
    "a javascript: address in cite=": (
        lambda s: _about(s, '<q cite="java\tscript:alert(1)">Quoted</q>'),
        ["content/en/about.md:8: raw HTML that could run code or break the page: a `javascript:` address."]),
    "a javascript: address in the references registry": (
        lambda s: _reference_with_url(s, "javascript:alert(1)"),
        ["content/data/references.yml:1: the `url` of `evil` 'javascript:alert(1)' is not a web address (http or https).",
         "starting with https://"]),
}


def _tree(folder):
    """{relative path: bytes} of every file under `folder`."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_site(tmp_path_factory):
    """A fixture site built once without a problem: each case changes its own copy."""
    site = _fixture(tmp_path_factory.mktemp("good"))
    site.write_page("en", "about", page_text("about", "en"))
    site.write_page("he", "about", page_text("about", "he"))
    site.extra_settings = "MARKDOWN_MAX_SECONDS = 2\n"
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    return site


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_input_gets_a_message_never_a_traceback(good_site, tmp_path, case):
    site = good_site.copy(tmp_path / "site")
    before = _tree(site.base / "output")
    make, expected = BAD_INPUTS[case]
    line = make(site)  # the line the problem is on, where the case's file is not a page
    build = site.invoke_build()
    assert build.returncode == 1, build.log
    assert "Traceback" not in build.log and "crashed" not in build.log, build.log
    # The report says why: never Pelican's bare "Could not process" (its own log line above
    # the report may say so; the report explains the file instead).
    assert "Could not process" not in build.log.split("The site was not built", 1)[-1], build.log
    for text in expected:
        text = text.replace("{line}", str(line)) if line else text
        assert text in build.log, (text, build.log)
    # The last good site stays exactly as it was, and no build folder is left behind.
    assert _tree(site.base / "output") == before
    assert not list(site.base.glob(".output.building-*"))


def test_a_clinic_fact_inside_an_attribute_is_its_plain_value(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "en", body='Call <a href="tel:{clinic:phone_international}" '
                                             'dir="ltr">{clinic:phone}</a>.'))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    link = build.html("en/about/index.html").select_one(".prose a[href^='tel:']")
    phone = yaml.safe_load((site.content / "data" / "clinic.yml").read_text(encoding="utf-8"))["phone_international"]
    assert link["href"] == f"tel:{phone}"
    # The link text is the clinic's own phone link, inside this one: the editor wrote both.
    assert "{clinic:" not in str(build.html("en/about/index.html").select_one(".prose"))


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    site = _fixture(tmp_path)
    site.write_bytes("en", "about", b"\xef\xbb\xbf" + page_text("about", "en", body="Caf\u00e9.").encode("utf-8"))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    assert "Caf\u00e9." in build.html("en/about/index.html").select_one(".prose").get_text()


def test_a_plain_text_summary_is_shown_as_typed_in_the_feed(tmp_path):
    # Atom's <summary type="html"> holds HTML: the plain-text summary goes in escaped, so a feed
    # reader shows "<b>" as typed and never runs it as markup.
    import html
    import xml.etree.ElementTree as ElementTree

    summary = "Less <b>anxiety</b> & no <script>alert(1)</script>, at last."
    site = _fixture(tmp_path)
    for lang in ("he", "en"):
        site.write_page(lang, "articles", page_text("articles", lang, title=f"Articles {lang}", template="articles"))
    site.write_page("en/articles", "news", page_text("news", "en", title="News", date="2026-01-02", summary=summary))
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    feed = ElementTree.parse(build.output / "en" / "articles" / "atom.xml").getroot()
    entry = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert entry.get("type") == "html"
    assert html.unescape(entry.text) == summary and "<" not in entry.text


def test_a_text_editors_working_files_are_neither_refused_nor_published(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "en"))
    site.write_page("he", "about", page_text("about", "he"))
    (site.content / "en" / ".about.md.swp").write_bytes(b"b0VIM 9.0\x00" + bytes(100))
    (site.content / "en" / ".#about.md").symlink_to("user@host.1234:1700000000")
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    assert not [p for p in build.output.rglob("*") if p.name.startswith(".")]
