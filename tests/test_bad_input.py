"""Mistakes an editor can make stop the build with a message naming the file and the fix."""

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
