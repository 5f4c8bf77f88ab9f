"""Mistakes an editor can make stop the build with a message naming the file and the fix."""

import pytest

from tests.support.sites import FixtureSite, page_text


def _fixture(tmp_path):
    return FixtureSite(tmp_path)


def test_unknown_language_names_the_file_and_the_known_languages(tmp_path):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "fr"))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.build()
    assert build.returncode != 0
    assert "content/en/about.md: unknown language 'fr'" in build.log
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
    assert "content/en/about.md: the file is in the 'en' folder but says `lang: he`" in build.log


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


def _misspelled_placeholder(site):
    path = site.strings / "en.yml"
    text = path.read_text(encoding="utf-8")
    assert "by %{name}" in text
    path.write_text(text.replace("by %{name}", "by %{nmae}", 1), encoding="utf-8")


BAD_INPUTS = {
    "not UTF-8": (lambda s: s.write_bytes("en", "about", page_text("about", "en", body="caf\xe9").encode("latin-1")),
                  ["content/en/about.md:8: the file is not saved as UTF-8 text", "Save it again as UTF-8"]),
    "unknown template": (lambda s: s.write_page("en", "about", page_text("about", "en", template="nope")),
                         ["content/en/about.md:5: `template: nope` names no template of the theme", "Use one of:"]),
    "clinic data of the wrong shape": (_clinic_top_level_list, ["the clinic data file must be a list of `key: value` lines"]),
    "YAML alias bomb": (_clinic_alias_bomb, ["YAML anchors and aliases (`&name`, `*name`) are not allowed"]),
    "file too large": (lambda s: s.write_page("en", "about", page_text("about", "en", body="word " * 60_000)),
                       ["content/en/about.md: the file is 300,", "a page may be at most 200,000"]),
    "conversion never ends": (lambda s: s.write_page("en", "about", page_text("about", "en", body="[" * 150_000)),
                              ["content/en/about.md: turning the file into a page took longer than 2 seconds"]),
    "over-long title": (lambda s: s.write_page("en", "about", page_text("about", "en", title="T" * 121)),
                        ["content/en/about.md: the title is 121 characters"]),
    "bidi override": (lambda s: s.write_page("en", "about", page_text("about", "en", body="Call \u202e1201")),
                      ["content/en/about.md:8: an invisible direction-changing character (U+202E)", "<bdi>"]),
    "control character": (lambda s: s.write_page("en", "about", page_text("about", "en", body="Bell \x07 here")),
                          ["content/en/about.md:8: an invisible control character (U+0007)"]),
    "misspelled UI string placeholder": (_misspelled_placeholder, ["UI string 'review.reviewed_by' in 'en' fills in %{nmae}, but in 'he' %{name}"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_input_gets_a_message_never_a_traceback(tmp_path, case):
    site = _fixture(tmp_path)
    site.write_page("en", "about", page_text("about", "en"))
    site.write_page("he", "about", page_text("about", "he"))
    make, expected = BAD_INPUTS[case]
    make(site)
    site.extra_settings = "MARKDOWN_MAX_SECONDS = 2\n"
    build = site.invoke_build()
    assert build.returncode == 1, build.log
    assert "Traceback" not in build.log and "crashed" not in build.log, build.log
    for text in expected:
        assert text in build.log, (text, build.log)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    site = _fixture(tmp_path)
    site.write_bytes("en", "about", b"\xef\xbb\xbf" + page_text("about", "en", body="Caf\u00e9.").encode("utf-8"))
    site.write_page("he", "about", page_text("about", "he"))
    build = site.invoke_build()
    assert build.returncode == 0, build.log
    assert "Caf\u00e9." in build.html("en/about/index.html").select_one(".prose").get_text()
