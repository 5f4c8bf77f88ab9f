"""Every mistake an editor can make: one clear message naming the file (and line) and the fix,
a non-zero exit, and the last good site left byte-for-byte as it was.

Each check is shown stopping a real build (`invoke build`'s own code) with its file, line and
fix. Where a check has many cases that one function decides (what the sanitizer removes, what
the front matter's reader refuses), the other cases are given to that function directly."""

import pytest

from tests.support.sites import FixtureSite, page_text

from keter_site.checks.metadata import metadata_problems
from keter_site.core import front_matter
from keter_site.core.html import srcset_addresses
from keter_site.sanitize import clean, removals

PUBLISH_ENV = {"SIGNUP_ENDPOINT": "https://forms.example.test/f/abc", "SITEURL": "https://www.example.test"}


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory):
    """A fixture site that built cleanly, with a snapshot of its output."""
    site = FixtureSite(tmp_path_factory.mktemp("editor-checks") / "site")
    site.write_page("he", "about", page_text("about", "he", body="## פרק\n\nטקסט."))
    site.write_page("en", "about", page_text("about", "en", body="## Part one\n\nText."))
    first = site.invoke_build()
    assert first.returncode == 0, first.log
    site.snapshot = _snapshot(first.output)
    assert len(site.snapshot) > 5
    return site


@pytest.fixture
def built(clean_site, tmp_path):
    """The site that built cleanly, and its output (the last good site), for this test to change."""
    return clean_site.copy(tmp_path / "site")


def _fails_cleanly(site, *expected, base="pelicanconf", env=None):
    build = site.invoke_build(base=base, env=env)
    assert build.returncode != 0, build.log
    for text in expected:
        assert text in build.log, (text, build.log)
    assert "The previous site in" in build.log and "was left unchanged" in build.log
    assert _snapshot(build.output) == site.snapshot
    return build


def test_malformed_front_matter_names_the_line(built):
    built.write_page("en", "about", "---\ntitle: About\nslug about\nlang: en\ndescription: d\n---\n\nText\n")
    _fails_cleanly(built, "content/en/about.md:3: line 3 of the front matter is not `key: value`",
                   "Write it as `key: value`")


def test_a_value_cut_by_a_comment_stops_the_build_and_quoted_shows_whole(built):
    # YAML reads ` #` as the start of a comment: unquoted, the title would silently be "Anxiety".
    built.write_page("en", "about", "---\ntitle: Anxiety #1 guide\nslug: about\nlang: en\ndescription: d\n---\n\nText\n")
    _fails_cleanly(built, "content/en/about.md:2: line 2 of the front matter: YAML reads ` #` and the rest of the "
                          "line as a comment, so `title` would silently be 'Anxiety'.",
                   "Put the value in double quotes")
    built.write_page("en", "about", '---\ntitle: "Anxiety #1 guide"\nslug: about\nlang: en\ndescription: d\n---\n\nText\n')
    build = built.invoke_build()
    assert build.returncode == 0, build.log
    page = build.html("en/about/index.html")
    assert page.select_one("h1").get_text(strip=True) == "Anxiety #1 guide"
    assert page.select_one("title").get_text().startswith("Anxiety #1 guide")


@pytest.mark.parametrize("slug, body, said", [
    # The crisis page, linked from a `:::` part rendered before the checks' report.
    ("crisis", "::: urgent-help\n:::", "content/en/crisis.md: the theme links to page 'crisis', which has no 'en' "
     "version. How to fix: Fix the other problem the build names in this file"),
    # A page linked from the text.
    ("team", "See [the team]({filename}/en/team.md).", "the link to {filename}/en/team.md names a page the build "
     "could not read (content/en/team.md). How to fix: Fix the problem the build names in that file."),
])
def test_a_page_left_out_by_its_front_matter_is_named_with_its_line_where_it_is_linked(built, slug, body, said):
    # The reason the page is missing (its front matter) is named, not only the link to it.
    built.write_page("en", "about", page_text("about", "en", body=body))
    built.write_page("en", slug, page_text(slug, "en").replace("title: Title", "title: Title #1"))
    _fails_cleanly(built, f"content/en/{slug}.md:2: line 2 of the front matter: YAML reads ` #`", said)


CUT = "YAML reads ` #` and the rest of the line as a comment, so"
COMMENT = "holds a comment (`#`), which YAML leaves out without a word."


@pytest.mark.parametrize("head, expected", [
    # A comment cuts the unquoted value before it, or the one its indented line would have continued.
    ("title: כותרת #1 מדריך\n", [(2, f"{CUT} `title` would silently be 'כותרת'.")]),
    ("title: #1 guide\n", [(2, f"{CUT} `title` would silently be empty.")]),
    ("title: Anxiety\n  guide #1\n", [(3, f"{CUT} `title` would silently be 'Anxiety guide'.")]),
    ("title: Anxiety\n  #1 guide\n", [(3, f"{CUT} `title` would silently be 'Anxiety'.")]),
    ("tags:\n  - a #b\n  - c\n", [(3, f"{CUT} `tags` would silently be 'a'.")]),
    # Any other comment: refused too (neither the browser editor nor `invoke new` writes one).
    ("# note\ntitle: T\n", [(2, COMMENT)]),
    ('title: "T" # note\n', [(2, COMMENT)]),
    ("tags:\n  - a\n  # not a continuation: at the list's own indentation\n", [(4, COMMENT)]),
    # Part of a value: in quotes, in a `|` or `>` block, or with no space before it.
    ('title: "Anxiety #1 guide"\n', []),
    ("title: 'It''s #1'\n", []),
    ("summary: |\n  Step #1 # and two\n", []),
    ("summary: >\n  Step #1\n", []),
    ("title: C# and F#\n", []),
])
def test_the_front_matter_reader_refuses_every_comment_and_names_a_cut(head, expected):
    problems = front_matter.problems(f"---\n{head}---\n\nText.\n")
    assert [problem.line for problem in problems] == [line for line, _ in expected], problems
    for problem, (line, words) in zip(problems, expected):
        assert problem.message.startswith(f"line {line} of the front matter") and words in problem.message, problem
        assert problem.fix.startswith("Put the value in double quotes" if CUT in words else "Remove the comment")


def test_file_without_front_matter():
    # The same front-matter check as above (its wiring into the build: the test above).
    assert [problem.line for problem in front_matter.problems("Just text, no front matter.\n")] == [1]
    message = front_matter.problems("Just text, no front matter.\n")[0].message
    assert message.startswith("the file does not start with front matter")


def test_missing_title_and_description(built):
    built.write_page("en", "about", "---\nslug: about\nlang: en\n---\n\nText\n")
    _fails_cleanly(built, "content/en/about.md: missing `title`", "content/en/about.md: missing `description`")


def test_a_medical_page_cannot_type_its_own_review(built):
    built.write_page("en", "about", page_text("about", "en", medical="true", reviewed_by="Dr. A",
                                                last_reviewed="2026-11-26"))
    built.write_page("he", "about", page_text("about", "he", medical="true"))
    _fails_cleanly(built, "content/en/about.md:6: `reviewed_by` cannot be typed into a page",
                   "content/en/about.md:7: `last_reviewed` cannot be typed into a page",
                   "the review document (`bin/invoke review --pending`)")


def test_unknown_language(built):
    built.write_page("en", "about", page_text("about", "de"))
    _fails_cleanly(built, "content/en/about.md:4: unknown language 'de'")


def test_page_missing_in_a_language(built):
    (built.content / "he" / "about.md").unlink()
    _fails_cleanly(built, "page 'about' has no עברית (he) version", "Create content/he/about.md")


def test_two_pages_claim_the_same_address(built):
    built.write_page("en", "about-copy", page_text("about", "en"))
    _fails_cleanly(built, "1 problem to fix", "content/en/about-copy.md: 2 pages claim the address "
                                  "/en/about/index.html: content/en/about-copy.md, content/en/about.md")


def test_two_pages_claim_the_same_address_with_save_as(built):
    built.write_page("en", "other", page_text("other", "en", save_as="en/about/index.html"))
    built.write_page("he", "other", page_text("other", "he"))
    _fails_cleanly(built, "1 problem to fix", "2 pages claim the address /en/about/index.html")


def test_link_to_a_page_that_does_not_exist(built):
    built.write_page("en", "about", page_text("about", "en", body="See [this](/en/nowhere/)."))
    _fails_cleanly(built, "content/en/about.md:8: the link to /en/nowhere/ leads to no page of the site")


def test_filename_link_to_a_missing_file(built):
    built.write_page("en", "about", page_text("about", "en", body="See [this]({filename}/en/nothing.md)."))
    _fails_cleanly(built, "content/en/about.md:8: the link to {filename}/en/nothing.md names a file that does "
                          "not exist (content/en/nothing.md)")


def test_anchor_that_leads_nowhere(built):
    built.write_page("en", "about", page_text("about", "en", body="## Part one\n\nSee [part two](#part-two)."))
    _fails_cleanly(built, "content/en/about.md:10: the link to /en/about/#part-two points to a section that does not exist")


def test_missing_image_and_image_without_alt(built):
    (built.content / "images").mkdir()
    (built.content / "images" / "room.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBP")
    size = '{: width="800" height="600" }'
    built.write_page("en", "about", page_text("about", "en", body=f"![]({{static}}/images/room.webp){size}\n\n"
                                                                    f"![A chair](/images/chair.webp){size}"))
    _fails_cleanly(built, "content/en/about.md:8: the image /images/room.webp has no alt text",
                   "content/en/about.md:10: the image /images/chair.webp does not exist")


def test_image_without_size_or_in_an_old_format(built):
    (built.content / "images").mkdir()
    (built.content / "images" / "room.jpg").write_bytes(b"\xff\xd8\xff")
    built.write_page("en", "about", page_text("about", "en", body="![The quiet room]({static}/images/room.jpg)"))
    _fails_cleanly(built, "content/en/about.md:8: the image /images/room.jpg has no width and height",
                   "content/en/about.md:8: the image /images/room.jpg is in an old, heavy format",
                   # Only what the build takes (an SVG in content/images/ is refused too).
                   "Save it as WebP or AVIF (any image program can; drawings too) and link that file instead.")


def test_a_sized_modern_image_builds(built):
    (built.content / "images").mkdir()
    (built.content / "images" / "room.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBP")
    built.write_page("en", "about", page_text("about", "en", body='![The quiet room]({static}/images/room.webp){: width="800" height="600" }'))
    build = built.invoke_build()
    assert build.returncode == 0, build.log
    image = build.html("en/about/index.html").select_one(".prose img")
    assert (image["width"], image["height"], image["alt"]) == ("800", "600", "The quiet room")


RAW_HTML = [
    ("<script>alert(1)</script>", "<script>"),
    ('<iframe src="https://example.test"></iframe>', "<iframe>"),
    ('<a href="#x" onclick="steal()">x</a>', "the `onclick` attribute on <a>"),
    ('<a href="javascript:alert(1)">x</a>', "a `javascript:` address"),
    # Read as a browser reads them: a tab inside the scheme, a refresh hidden in <noscript>.
    ('<a href="java&#x09;script:alert(1)">x</a>', "a `javascript:` address"),
    ('<noscript><meta http-equiv="refresh" content="0;url=https://evil.example/"></noscript>', "<noscript>"),
    ('<form action="https://evil.example/"><input name="q"></form>', "<form>"),
    ('<p style="position:fixed">x</p>', "the `style` attribute on <p>"),
]


def test_raw_html_that_could_run_script_stops_the_build_with_its_line(built):
    built.write_page("en", "about", page_text("about", "en", body="Text.\n\n<p>Fine</p>\n\n"
                                              '<a href="#x" onclick="steal()">x</a>\n'))
    _fails_cleanly(built, "content/en/about.md:12: raw HTML that could run code or break the page: "
                          "the `onclick` attribute on <a>", "Remove it. Pages may only contain Markdown")


@pytest.mark.parametrize("html,label", RAW_HTML)
def test_raw_html_that_could_run_script(html, label):
    # What the sanitizer removes is what the editor is told about; the needle finds the line.
    found = removals(html, clean(html))
    assert label in [what for what, _ in found], found
    assert all(needle in html for _, needle in found), found


def test_written_html_is_the_sanitized_html_and_new_tabs_get_noopener(no_script_page):
    """What the editor is told is what the site does: even in a build whose problems were not
    fixed, nothing the sanitizer removes would reach a page. Checked in real Chromium."""
    written = clean('<p>Text <a href="https://example.test/" target="_blank">out</a></p>'
                    '<noscript><meta http-equiv="refresh" content="0;url=https://evil.example/"></noscript>'
                    '<a href="java&#x09;script:alert(1)">x</a><img src=x onerror="alert(1)" alt="a">')
    tab = no_script_page
    tab.set_content(f"<!doctype html><html><body>{written}</body></html>")
    assert tab.evaluate("document.querySelectorAll('meta, noscript, [onerror]').length") == 0
    assert tab.evaluate("[...document.links].every(a => !a.href.startsWith('javascript:'))")
    assert tab.get_attribute("a[target=_blank]", "rel") == "noopener"


def test_raw_html_that_breaks_the_page(built):
    built.write_page("en", "about", page_text("about", "en", body="<div class=\"box\">\n\nText.\n"))
    _fails_cleanly(built, "content/en/about.md:8: a <div> is opened but never closed")


def test_unknown_clinic_fact(built):
    built.write_page("en", "about", page_text("about", "en", body="Call {clinic:phone} or {clinic:fax}."))
    _fails_cleanly(built, "content/en/about.md: `{clinic:fax}` is not a clinic fact",
                   "Use one of: name, phone, phone_international, email")


def test_clinic_fact_missing_a_language(built):
    path = built.content / "data" / "clinic.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('  en: "Keter Health"\n', ""), encoding="utf-8")
    _fails_cleanly(built, "content/data/clinic.yml:", "`name` has no value for language 'en'",
                   "Add a line `en: ...` under `name:`")


def test_description_over_160_characters():
    # The same check as a missing title (its wiring into the build: test_missing_title_and_description).
    assert [problem.message for problem in metadata_problems({"title": "T", "description": "x" * 160})] == []
    assert [problem.message for problem in metadata_problems({"title": "T", "description": "x" * 161})] == [
        "the description is 161 characters; search results show at most 160."]


def test_missing_ui_string(built):
    path = built.strings / "he.yml"
    path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                              if not line.startswith("nav.label:")) + "\n", encoding="utf-8")
    _fails_cleanly(built, "strings/he.yml: UI string 'nav.label' is missing in language 'he'")


def test_pelican_warning_becomes_an_error(built):
    built.write_page("en", "about", page_text("about", "en", body="See [x]({nonsense}thing)."))
    _fails_cleanly(built, "Pelican reported: Replacement Indicator 'nonsense' not recognized")


def test_problems_are_all_reported_sorted_by_file(built):
    built.write_page("he", "about", page_text("about", "he", description="y" * 200))
    built.write_page("en", "about", page_text("about", "xx"))
    build = _fails_cleanly(built, "2 problems to fix", "content/en/about.md:4: unknown language 'xx'",
                           "content/he/about.md: the description is 200 characters")
    # The English file is reported once, for its language, not again as a missing translation.
    assert "has no English (en) version" not in build.log
    assert build.log.index("content/en/about.md") < build.log.index("content/he/about.md")


def test_placeholder_blocks_a_publish_build_only(built, tmp_path):
    built.write_page("en", "about", page_text("about", "en", title="TODO: the title"))
    dev = built.invoke_build()
    assert dev.returncode == 0, dev.log
    built.snapshot = _snapshot(dev.output)
    _fails_cleanly(built, "content/en/about.md:2: a placeholder (TODO:) is still in the page",
                   base="publishconf", env=PUBLISH_ENV)


def test_symlinks_and_hidden_static_files_are_refused(built, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    images = built.content / "images"
    images.mkdir(exist_ok=True)
    (images / "chair.webp").symlink_to(secret)
    (images / ".env").write_text("TOKEN=x")
    _fails_cleanly(built, "content/images/chair.webp: this is a symbolic link",
                   "content/images/.env: a hidden file in a folder that is copied to the site")


@pytest.mark.parametrize("srcset, addresses", [
    ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
    ("a.jpg 640w,b.jpg 1280w", ["a.jpg", "b.jpg"]),
    ("a.jpg, b.jpg", ["a.jpg", "b.jpg"]),
    # An address runs to the next space, as a browser reads it: a data: address keeps its comma.
    ("data:image/png;base64,iVBORw0KGgo= 1x, b.png 2x", ["data:image/png;base64,iVBORw0KGgo=", "b.png"]),
    ("x.png 1x,https://other.example/x.png 2x", ["x.png", "https://other.example/x.png"]),
    (" , ", []),
])
def test_each_address_of_a_srcset_is_read_as_a_browser_reads_it(srcset, addresses):
    assert srcset_addresses(srcset) == addresses
