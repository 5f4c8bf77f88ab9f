"""The live preview's incremental builds (keter_site.incremental): after an edit only the pages it
affects are rendered again, the result is the same site a full build makes, and a failed build
leaves the last good one untouched. Real builds of a copy of the project's content."""

import filecmp
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from keter_site.core.project import ROOT, settings_preamble
from keter_site.incremental import State
from keter_tools import build


@pytest.fixture
def project(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    settings = tmp_path / "incrementalconf.py"
    settings.write_text(settings_preamble("pelicanconf") + textwrap.dedent(f"""\
        PATH = {str(content)!r}
        CLINIC_DATA_FILE = {str(content / 'data' / 'clinic.yml')!r}
        CACHE_PATH = {str(tmp_path / 'cache')!r}
        """), encoding="utf-8")
    yield content, settings, tmp_path / "output", State()


def _build(settings, output, state, **options):
    result = build.build(str(settings), output, incremental=state, **options)
    assert result.ok, result.message
    return result


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _pages(rendered):
    return sum(name.endswith(".html") for name in rendered)


def _add_page(content, slug, titles):
    """A new page `slug` in each language of `titles` ({lang: title})."""
    for lang, title in titles.items():
        (content / lang / f"{slug}.md").write_text(
            f"---\ntitle: {title}\nslug: {slug}\nlang: {lang}\ndescription: {title}.\n---\n\n{title}.\n",
            encoding="utf-8")


def _same_as_a_full_build(settings, output, fresh):
    """The preview's site is the one a full build (no cache) of the same content makes."""
    assert build.build(str(settings), fresh, use_cache=False).ok
    _same_site(output, fresh)


def _same_site(one, other):
    """Every file of one folder is in the other, byte for byte, and nothing more."""
    def files(root):
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    assert files(one) == files(other)
    _, mismatch, errors = filecmp.cmpfiles(one, other, files(one), shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_an_edited_text_renders_its_page_and_translations_only_and_matches_a_full_build(project, tmp_path):
    content, settings, output, state = project
    first = _build(settings, output, state, full=True)
    assert _pages(state.rendered) == first.pages
    untouched = (output / "en" / "anxiety" / "index.html").stat().st_ino

    _edit(content / "en" / "team.md", "\n\n", "\n\nAn edit the preview must show.\n\n")
    _build(settings, output, state)
    assert sorted(state.rendered) == ["en/team/index.html", "team/index.html"]
    assert "An edit the preview must show." in (output / "en" / "team" / "index.html").read_text(encoding="utf-8")
    # Kept pages are the previous build's files, linked, not written again.
    assert (output / "en" / "anxiety" / "index.html").stat().st_ino == untouched

    _same_as_a_full_build(settings, output, tmp_path / "full-build")


def test_documents_kept_from_build_to_build_make_the_site_a_full_build_makes(project, tmp_path):
    # Plugins change documents (citations numbered, components rendered, links resolved): each
    # build must start from the documents as read (Pelican's content cache keeps each file's
    # conversion), never from the last build's changed ones.
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    edits = [(content / "en" / "team.md", "An edit of the team page."),
             (content / "en" / "anxiety.md", "An edit of a page with citations."),
             (content / "he" / "faq.md", "עריכה של עמוד השאלות."),
             (content / "en" / "articles" / "ketamine-anxiety-research.md", "An edit of an article.")]
    for path, text in edits:
        _edit(path, "\n\n", f"\n\n{text}\n\n")
        _build(settings, output, state)
    _same_as_a_full_build(settings, output, tmp_path / "full-build")


def test_a_page_added_while_the_preview_runs_is_built(project):
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    _add_page(content, "added", {"he": "עמוד חדש", "en": "A new page"})
    _build(settings, output, state)
    assert {"added/index.html", "en/added/index.html"} <= set(state.rendered)
    assert "A new page" in (output / "en" / "added" / "index.html").read_text(encoding="utf-8")


def test_a_template_edited_between_two_builds_is_compiled_again(project, tmp_path):
    # The preview keeps the templates' compiled code from build to build (a template edit makes
    # it build everything anyway): an edited template must never render with its old code.
    content, settings, output, state = project
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings.write_text(settings.read_text(encoding="utf-8") + f"THEME = {str(theme)!r}\n", encoding="utf-8")
    _build(settings, output, state, full=True)
    _edit(theme / "templates" / "base.html", "</main>", "</main><p>A template edit.</p>")
    _edit(content / "en" / "team.md", "\n\n", "\n\nA text edit.\n\n")
    _build(settings, output, state)
    assert "A template edit." in (output / "en" / "team" / "index.html").read_text(encoding="utf-8")


def test_a_changed_menu_label_renders_every_page(project):
    content, settings, output, state = project
    first = _build(settings, output, state, full=True)
    _edit(content / "en" / "anxiety.md", "menu_label: ", "menu_label: Menu-edit ")
    _build(settings, output, state)
    assert _pages(state.rendered) == first.pages
    assert "Menu-edit" in (output / "en" / "privacy" / "index.html").read_text(encoding="utf-8")


def test_a_page_made_a_draft_leaves_the_preview(project):
    content, settings, output, state = project
    _add_page(content, "extra", {"he": "עמוד נוסף", "en": "An extra page"})
    _build(settings, output, state, full=True)
    assert (output / "en" / "extra" / "index.html").exists()
    for lang in ("he", "en"):
        _edit(content / lang / "extra.md", "\n---\n\n", "\nstatus: draft\n---\n\n")
    _build(settings, output, state)
    assert not (output / "en" / "extra" / "index.html").exists()
    assert not (output / "extra" / "index.html").exists()
    assert (output / "en" / "team" / "index.html").exists()


def test_a_failed_build_leaves_the_last_good_site_and_the_next_one_is_incremental(project):
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    page = output / "en" / "team" / "index.html"
    before = page.read_bytes()
    _edit(content / "en" / "team.md", "\n\n", "\n\nA claim [@nobody2099].\n\n")
    result = build.build(str(settings), output, incremental=state)
    assert not result.ok and "nobody2099" in result.message
    assert page.read_bytes() == before
    _edit(content / "en" / "team.md", "A claim [@nobody2099].", "A corrected claim.")
    _build(settings, output, state)
    assert sorted(state.rendered) == ["en/team/index.html", "team/index.html"]
    assert "A corrected claim." in page.read_text(encoding="utf-8")
    assert not list(output.parent.glob(".output.building-*"))  # the failed build's folder is gone


def test_after_a_failed_full_build_the_next_build_renders_every_page_too(project):
    # A full build (a template's edit, say) that fails: the pages of the last good build were
    # made with what changed, so none may be kept by the next build.
    content, settings, output, state = project
    first = _build(settings, output, state, full=True)
    _edit(content / "en" / "team.md", "\n\n", "\n\nA claim [@nobody2099].\n\n")
    assert not build.build(str(settings), output, incremental=state, full=True).ok
    _edit(content / "en" / "team.md", "A claim [@nobody2099].", "A corrected claim.")
    _build(settings, output, state)
    assert _pages(state.rendered) == first.pages


def test_a_rendered_page_never_writes_through_to_the_previous_build(project, tmp_path):
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    kept = tmp_path / "kept"
    os.link(output / "en" / "team" / "index.html", kept)  # a reader still holding the old page
    before = kept.read_bytes()
    _edit(content / "en" / "team.md", "\n\n", "\n\nAnother edit.\n\n")
    _build(settings, output, state)
    assert kept.read_bytes() == before


def test_an_edited_article_renders_that_article_and_its_language_feed_only(project, tmp_path):
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    _edit(content / "en" / "articles" / "ketamine-anxiety-research.md", "\n\n", "\n\nAn article edit.\n\n")
    _build(settings, output, state)
    assert sorted(state.rendered) == ["articles/ketamine-anxiety-research/index.html", "en/articles/atom.xml",
                                      "en/articles/ketamine-anxiety-research/index.html"]
    assert "An article edit." in (output / "en" / "articles" / "ketamine-anxiety-research" / "index.html").read_text(
        encoding="utf-8")
    assert "An article edit." in (output / "en" / "articles" / "atom.xml").read_text(encoding="utf-8")
    _same_as_a_full_build(settings, output, tmp_path / "full-build")


def test_a_problem_only_pelican_reports_fails_every_build_of_the_preview_not_only_the_first(project):
    # The preview builds in one process; Pelican's loggers would log a repeated warning once.
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    _edit(content / "en" / "team.md", "\n\n", "\n\nSee [x]({nonsense}thing).\n\n")
    _edit(content / "en" / "privacy.md", "\n\n", "\n\n![](images/none.webp)\n\n")
    for run in range(2):
        if run:  # an edit elsewhere: the files with problems are not the ones that changed
            _edit(content / "en" / "anxiety.md", "\n\n", "\n\nAnother paragraph.\n\n")
        result = build.build(str(settings), output, incremental=state)
        assert not result.ok
        assert "Replacement Indicator 'nonsense' not recognized" in result.message, result.message
        assert "content/en/privacy.md" in result.message and "no alt text" in result.message, result.message


# Stats the page in a loop until the file named by its second argument exists; prints how many
# times the page was missing.
_WATCHER = """
import os, sys
page, stop, missing = sys.argv[1], sys.argv[2], 0
for _ in range(50_000_000):
    if os.path.exists(stop):
        break
    try:
        os.stat(page)
    except FileNotFoundError:
        missing += 1
print(missing)
"""


def test_the_site_never_goes_missing_while_a_build_takes_its_place(project, tmp_path):
    # Each file a build wrote takes the place of the last good one's in one step, after an edit
    # and in a full build (a template's edit) alike: the preview never answers a page with "not
    # found" because it asked in between.
    content, settings, output, state = project
    _build(settings, output, state, full=True)
    stop = tmp_path / "stop"
    watcher = subprocess.Popen([sys.executable, "-c", _WATCHER, str(output / "en" / "index.html"), str(stop)],
                               stdout=subprocess.PIPE, text=True)
    try:
        for run in range(8):
            _edit(content / "en" / "team.md", "\n\n", f"\n\nEdit {run}.\n\n")
            _build(settings, output, state, full=run % 2 == 1)
    finally:
        stop.touch()
        missing = watcher.communicate(timeout=60)[0]
    assert missing.strip() == "0"


def test_a_page_whose_document_the_content_walk_does_not_list_is_rendered_again_when_its_text_changes():
    # A document outside the content walk (one a plugin adds, say) still has a key of its own
    # details and text: without one, its page would be kept from the first build forever.
    from pelican.contents import Page
    from pelican.settings import DEFAULT_CONFIG

    from keter_site.incremental import _Keys

    def key(text):
        document = Page(text, metadata={"title": "Extra", "slug": "extra"}, settings=dict(DEFAULT_CONFIG),
                        source_path="extra.md")
        return _Keys([]).of(document)

    state, name = State(), "extra/index.html"
    for text, kept in (("<p>One.</p>", False), ("<p>Two.</p>", False), ("<p>Two.</p>", True)):
        state.begin()
        assert state.keep(name, key(text)) is kept, text
        state.settle({name})
