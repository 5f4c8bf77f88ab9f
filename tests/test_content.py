"""The clinic's pages: all of them in every language, honest to the sources, and rendered as
promised (medical review line, five-step process, FAQ questions, clinic facts from one file)."""

import re

import pytest
import yaml

from tests.support.sites import ROOT, front_matter

SHARED = ROOT.parent / "shared"
LANGS = ("he", "en")
PAGES = ("home", "anxiety", "what-is-kap", "how-it-works", "research", "treatment-setting", "benefits",
         "is-kap-right", "process", "team", "faq", "signup", "privacy", "accessibility", "disclaimer")
MEDICAL = ("anxiety", "what-is-kap", "how-it-works", "research", "treatment-setting", "benefits",
           "is-kap-right", "process", "faq")


def _url(slug, lang):
    return ("en/" if lang == "en" else "") + ("" if slug == "home" else f"{slug}/") + "index.html"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", PAGES)
def test_page_exists_with_its_metadata(slug, lang, site):
    meta = front_matter(ROOT / "content" / lang / f"{slug}.md")
    assert meta["slug"] == slug and meta["lang"] == lang and meta["title"]
    assert 0 < len(meta["description"]) <= 160
    if slug in MEDICAL:
        assert meta["medical"] == "true" and meta["reviewed_by"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["last_reviewed"])
        review = site.html(_url(slug, lang)).select_one(".medical-review").get_text()
        assert meta["reviewed_by"].replace('"', "") in review.replace('"', "")
    assert (site.output / _url(slug, lang)).is_file()


def _words(text):
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def test_no_ten_word_run_of_the_seed_in_any_page():
    seed = _words((SHARED / "seeds" / "000_1678597f44d69cb3.txt").read_text(encoding="utf-8"))
    runs = {tuple(seed[i:i + 10]) for i in range(len(seed) - 9)}
    assert len(runs) > 500
    for path in sorted((ROOT / "content").glob("*/*.md")):
        words = _words(path.read_text(encoding="utf-8"))
        copied = [" ".join(words[i:i + 10]) for i in range(len(words) - 9) if tuple(words[i:i + 10]) in runs]
        assert not copied, (path.name, copied[:3])


def test_every_doi_cited_is_in_the_verified_references():
    references = (SHARED / "references.md").read_text(encoding="utf-8")
    known = {d.rstrip(".").lower() for d in re.findall(r"doi:(10\.\S+)", references)}
    assert len(known) >= 12
    cited = set()
    for path in (ROOT / "content").glob("*/*.md"):
        cited |= {d.rstrip(".").lower() for d in re.findall(r"doi\.org/(10\.[^\s)\]\"'>]+)", path.read_text(encoding="utf-8"))}
    assert len(cited) >= 5
    assert cited <= known, sorted(cited - known)


@pytest.mark.parametrize("lang", LANGS)
def test_research_page_lists_its_references_with_doi_links(site, lang):
    doc = site.html(_url("research", lang))
    links = [a["href"] for a in doc.select(".prose ol a[href^='https://doi.org/']")]
    assert len(links) >= 5


@pytest.mark.parametrize("lang", LANGS)
def test_process_has_exactly_five_steps_in_an_ordered_list(site, lang):
    lists = site.html(_url("process", lang)).select(".prose ol")
    assert len(lists) == 1
    assert len(lists[0].find_all("li", recursive=False)) == 5


@pytest.mark.parametrize("lang", LANGS)
def test_faq_has_at_least_ten_questions(site, lang):
    questions = [h.get_text(strip=True) for h in site.html(_url("faq", lang)).select(".prose h2")]
    assert len(questions) >= 10 and all(q.endswith("?") for q in questions), questions


def test_clinic_facts_come_from_the_one_data_file(site):
    clinic = yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))
    for relative in site.pages():
        doc = site.html(relative)
        assert "{clinic:" not in str(doc), relative
        assert doc.select_one(f'footer a[href="tel:{clinic["phone_international"]}"]'), relative
    for path in (ROOT / "content").glob("*/*.md"):
        body = path.read_text(encoding="utf-8")
        assert clinic["phone"] not in body and clinic["email"] not in body, path.name


def test_no_testimonials_or_promises():
    banned = re.compile(r"\b(testimonial|success rate|guarantee[ds]?|cures?|cured)\b|\d+\s?%", re.I)
    for path in (ROOT / "content").glob("en/*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = banned.search(line)
            # "not a one-time cure" is the one honest use of the word.
            if match and not re.search(r"\bnot (a|an) [\w-]* ?cure\b", line, re.I):
                pytest.fail(f"{path.name}: {line.strip()}")
