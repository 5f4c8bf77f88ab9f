"""The clinic's pages: all of them in every language, honest to the sources, and rendered as
promised (medical review line, five-step process, FAQ questions, clinic facts from one file)."""

import hashlib
import re

import pytest
import yaml

from tests.support.sites import ROOT, front_matter

LANGS = ("he", "en")
PAGES = ("home", "anxiety", "what-is-kap", "how-it-works", "research", "treatment-setting", "benefits",
         "is-kap-right", "process", "team", "faq", "signup", "privacy", "accessibility", "disclaimer",
         "side-effects", "crisis")
MEDICAL = ("home", "anxiety", "what-is-kap", "how-it-works", "research", "treatment-setting", "benefits",
           "is-kap-right", "process", "faq", "side-effects")
REGISTRY = yaml.safe_load((ROOT / "content" / "data" / "references.yml").read_text(encoding="utf-8"))


def _url(slug, lang):
    return ("en/" if lang == "en" else "") + ("" if slug == "home" else f"{slug}/") + "index.html"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", PAGES)
def test_page_exists_with_its_metadata(slug, lang, site):
    meta = front_matter(ROOT / "content" / lang / f"{slug}.md")
    assert meta["slug"] == slug and meta["lang"] == lang and meta["title"]
    assert 0 < len(meta["description"]) <= 160
    html = site.html(_url(slug, lang))
    if slug in MEDICAL:
        # Nobody has reviewed today's text: no page may say it was reviewed.
        assert meta["medical"] == "true" and "reviewed_by" not in meta and "last_reviewed" not in meta
        assert html.select_one(".medical-review") is None
        assert html.select_one(".review-pending") is not None  # the editors' note in the preview
    assert (site.output / _url(slug, lang)).is_file()


def _words(text):
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def test_no_ten_word_run_of_the_seed_in_any_page():
    # The source document stays outside the project; tests/data keeps only hashes of its runs.
    lines = (ROOT / "tests" / "data" / "seed_runs.txt").read_text(encoding="utf-8").splitlines()
    runs = {line for line in lines if line and not line.startswith("#")}
    assert len(runs) > 500
    for path in sorted((ROOT / "content").rglob("*.md")):
        words = _words(path.read_text(encoding="utf-8"))
        copied = [" ".join(words[i:i + 10]) for i in range(len(words) - 9)
                  if hashlib.sha256(" ".join(words[i:i + 10]).encode()).hexdigest()[:16] in runs]
        assert not copied, (path.name, copied[:3])


def test_the_registry_holds_every_verified_source_with_identifiers():
    assert len(REGISTRY) == 17
    for key, entry in REGISTRY.items():
        assert entry["title"] and entry["publisher"] and entry["supports"], key
        assert entry.get("doi") or entry.get("pmid") or entry.get("url"), key
    assert REGISTRY["glue2017"]["doi"] == "10.1177/0269881117705089" and REGISTRY["glue2017"]["pmid"] == "28441895"
    assert REGISTRY["taylor2018"]["pmcid"] == "PMC5729569"
    assert REGISTRY["mcintyre2021"]["pmid"] == "33726522" and "doi" not in REGISTRY["mcintyre2021"]
    # Source 17: liver and bile-duct problems with repeated, medically supervised ketamine.
    cotter = REGISTRY["cotter2021"]
    assert (cotter["doi"], cotter["pmid"], cotter["pmcid"]) == ("10.1007/s40264-021-01120-9", "34699023", "PMC8546385")
    assert cotter["publisher"] == "Drug Saf" and cotter["year"] == "2021" and cotter["details"] == "44(12):1365-1374"
    assert list(REGISTRY)[-1] == "cotter2021"  # the research page numbers it 17


def test_no_doi_link_is_typed_by_hand():
    for path in (ROOT / "content").rglob("*.md"):
        assert "doi.org/" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("lang", LANGS)
def test_research_page_lists_the_whole_registry_in_order(site, lang):
    items = site.html(_url("research", lang)).select(".sources ol > li")
    assert [li["id"] for li in items] == [f"source-{n}" for n in range(1, len(REGISTRY) + 1)]
    for li, entry in zip(items, REGISTRY.values()):
        assert entry["title"] in li.get_text()
        if entry.get("doi"):
            assert li.select_one(f'a[href="https://doi.org/{entry["doi"]}"]'), entry["title"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", MEDICAL)
def test_each_pages_sources_follow_its_markers_in_order(site, lang, slug):
    html = site.html(_url(slug, lang))
    cited = []
    for sup in html.select(".prose sup.cite a"):
        number = int(sup["href"].removeprefix("#source-"))
        if number not in cited:
            cited.append(number)
    listed = [int(li["id"].removeprefix("source-")) for li in html.select(".sources ol > li")]
    if slug == "research":
        assert set(cited) <= set(listed)
    else:
        assert cited == listed == list(range(1, len(listed) + 1))
    body = (ROOT / "content" / lang / f"{slug}.md").read_text(encoding="utf-8")
    assert "[@" in body, slug
    assert "[@" not in html.select_one(".prose").get_text()  # every marker became a link


@pytest.mark.parametrize("lang", LANGS)
def test_process_has_exactly_five_steps_in_an_ordered_list(site, lang):
    lists = site.html(_url("process", lang)).select(".prose ol")
    assert len(lists) == 1
    assert len(lists[0].find_all("li", recursive=False)) == 5


@pytest.mark.parametrize("lang", LANGS)
def test_faq_has_at_least_ten_questions_under_group_headings(site, lang):
    prose = site.html(_url("faq", lang)).select_one(".prose")
    groups = [h.get_text(strip=True) for h in prose.select("h2")]
    questions = [h.get_text(strip=True) for h in prose.select("details summary h3")]
    assert len(groups) >= 4 and not any(g.endswith("?") for g in groups), groups
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


# --- What a patient needs before saying yes (risks, off-label, consent, crisis, legal pages) ------

def _text(site, slug, lang):
    return " ".join(site.html(_url(slug, lang)).select_one(".prose").get_text().split())


def _source(slug, lang):
    return (ROOT / "content" / lang / f"{slug}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", ("home", "is-kap-right", "process", "treatment-setting", "faq"))
@pytest.mark.parametrize("lang", LANGS)
def test_the_risks_page_is_linked_from_where_decisions_are_made(site, lang, slug):
    target = ("/en" if lang == "en" else "") + "/side-effects/"
    assert site.html(_url(slug, lang)).select(f".prose a[href^='{target}']"), slug


def test_the_risks_page_has_the_same_sections_in_both_languages_and_cites_every_one(site):
    sections = {}
    for lang in LANGS:
        prose = site.html(_url("side-effects", lang)).select_one(".prose")
        headings = prose.find_all("h2")
        sections[lang] = len(headings)
        for heading in headings[:-1]:  # the last section only points onwards
            cited = []
            for sibling in heading.find_next_siblings():
                if sibling.name == "h2":
                    break
                cited += sibling.select("sup.cite")
            assert cited, (lang, heading.get_text())
    assert sections["he"] == sections["en"] >= 7
    en = _text(site, "side-effects", "en")
    for fact in ("dream", "dizziness", "nausea", "vomiting", "blood pressure", "pulse", "double vision",
                 "sleepiness", "For 24 hours", "take you home", "alcohol", "Every medicine",
                 "101", "bladder", "dependence", "esketamine", "liver"):
        assert fact in en, fact


@pytest.mark.parametrize("slug", ("home", "is-kap-right", "process", "signup"))
def test_off_label_use_and_written_consent_are_said_plainly(site, slug):
    en, he = _text(site, slug, "en"), _text(site, slug, "he")
    assert "off-label" in en and "not approved" in en and "not yet approved" not in en, slug
    assert "מחוץ להתוויה" in he and not re.search(r"עדיין (לא|אינו) מאושר", he), slug
    if slug != "signup":
        assert re.search(r"written (informed )?consent", en, re.I) and "הסכמה מדעת" in he, slug


def test_corrected_claims_are_gone():
    en = {slug: _source(slug, "en") for slug in PAGES}
    assert "low risk of dependency" not in en["benefits"].lower() + en["faq"].lower()
    assert "known for acting quickly" not in en["faq"]
    assert "always" not in en["treatment-setting"].lower().split("intramuscular")[0][-80:]
    # Benzodiazepines are "also used", never a first-line treatment.
    for slug in ("home", "anxiety", "is-kap-right"):
        for sentence in re.split(r"(?<=[.:])\s", en[slug]):
            if "enzodiazepine" in sentence and "Benzodiazepines, opioids" not in sentence:
                assert "also used" in sentence, (slug, sentence)
    # The second S of SSRI is serotonin.
    assert re.search(r"selective serotonin reuptake inhibitor", en["how-it-works"], re.I)
    # Panic disorder is named among anxiety disorders, never as what the studies targeted.
    for slug in ("what-is-kap", "research", "is-kap-right", "benefits"):
        assert "panic" not in en[slug].lower(), slug


def test_crisis_page_names_every_line_and_asks_nothing_of_the_reader(site):
    en, he = _text(site, "crisis", "en"), _text(site, "crisis", "he")
    assert en.count("suicide") == 1 and "התאבדות" in he
    for number in ("101", "1201", "1-800-363-363"):
        assert number in en and number in he
    assert "SAHAR" in en and 'סה"ר' in he and "NATAL" in en and 'נט"ל' in he
    for slug in ("crisis", "disclaimer", "privacy", "accessibility"):
        for lang in LANGS:
            html = site.html(_url(slug, lang))
            assert not html.select("aside.cta"), (slug, lang)
            assert not html.select_one(".prose").select("a[href$='/signup/']"), (slug, lang)


def test_legal_pages_name_what_the_law_asks_for(site):
    privacy = _text(site, "privacy", "en")
    for fact in ("voluntary", "special sensitivity", "Privacy Protection Authority", "right to see",
                 "correct", "delet", "outside Israel", "optional"):
        assert fact in privacy, fact
    accessibility = _text(site, "accessibility", "en")
    for fact in ("5568", "WCAG 2.1", "AA", "axe-core", "keyboard", "Nu Html Checker", "coordinator"):
        assert fact in accessibility, fact


def test_credentials_and_legal_details_are_clinic_data_marked_example_until_supplied(site):
    clinic = yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))
    needed = {"physician_specialty", "physician_licence", "facilitator_profession", "facilitator_licence",
              "accessibility_coordinator", "accessibility_phone", "accessibility_email", "controller_name",
              "controller_address", "form_processor", "form_processor_location", "retention"}
    assert needed <= set(clinic) and needed <= set(clinic["example_values"])
    team = _source("team", "en") + _source("team", "he")
    assert "{clinic:facilitator_profession}" in team
    # The physician's licence and specialty come from the physician block, on both team pages.
    for lang in ("he", "en"):
        block = site.html(_url("team", lang)).select_one(".physician").get_text(" ")
        assert clinic["physician_licence"] in block and clinic["physician_specialty"][lang] in block
    for path in (ROOT / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bcertified\b|\bCKF\b|מוסמכ", text, re.I), path


def test_hebrew_wording_is_consistent():
    he = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "content" / "he").glob("*.md"))
    he += (ROOT / "theme" / "strings" / "he.yml").read_text(encoding="utf-8")
    for wrong in ("הריון", "מספקטרום", "אינה פסק דין", "נבדק רפואית", "אימייל", "יום-יום"):
        assert wrong not in he, wrong
    assert "התוויות נגד" in he and "היריון" in he


# --- Issue 32: what the evidence says, before the physician reads the pages -------------------

CLINIC = yaml.safe_load((ROOT / "content" / "data" / "clinic.yml").read_text(encoding="utf-8"))
ARTICLE = "articles/ketamine-anxiety-research"


def _both(slug):
    """Both languages' Markdown, with its line breaks as spaces."""
    return " ".join(_source(slug, "en").split()), " ".join(_source(slug, "he").split())


@pytest.mark.parametrize("slug", ("side-effects", "treatment-setting", "process", "is-kap-right", "faq", "home"))
def test_driving_after_ketamine_is_the_24_hour_rule_from_ketamines_own_source(site, slug):
    en, he = _text(site, slug, "en"), _text(site, slug, "he")
    assert "24 hours" in en and "24 שעות" in he, slug
    # The esketamine rule ("until the next day after a night's sleep") is not given for ketamine.
    assert "next day" not in en and "למחרת" not in he, slug
    for lang in LANGS:
        source = _source(slug, lang)
        if slug != "home":
            assert "@mayo-precautions" in source, (slug, lang)


def test_the_medicines_labelling_and_drug_information_are_named_for_what_they_are():
    for slug in PAGES:
        en, he = _both(slug)
        assert "official" not in en.lower() and "הרשמי" not in he, slug
    en, he = _both("side-effects")
    assert "Mayo Clinic" in en and "Micromedex" in en and "Mayo Clinic" in he and "Micromedex" in he
    # Wherever esketamine's label is cited, the sentence says it is a related medicine's.
    for slug in PAGES:
        for lang, word in (("en", "related"), ("he", "קרובה")):
            text = _source(slug, lang)
            for paragraph in re.split(r"\n\s*\n", text):
                for sentence in re.split(r"(?<=[.:;])\s", paragraph):
                    if "@spravato-label" in sentence:
                        assert word in paragraph, (slug, lang, sentence)


def test_home_page_says_the_topic_once_without_comparisons_or_repeated_links(site):
    for lang, topic, temporary, brand in (("en", "Ketamine-assisted psychotherapy", "temporary", "Keter Health"),
                                          ("he", "פסיכותרפיה בסיוע קטמין", "זמנית", "כתר הלת'")):
        doc = site.html(_url("home", lang))
        assert topic in doc.select_one("main h1").get_text()
        prose = doc.select_one(".prose")
        text = " ".join(prose.get_text().split())
        assert temporary in text
        assert brand not in doc.select_one("main").get_text(), lang  # the brand once: the header's
        assert not re.search(r"by contrast|SSRIs can take|לעומת זאת|כמה שבועות", text, re.I)
        assert not any(re.search(r"welcome|ברוכים הבאים|learn more|לקריאה נוספת", h.get_text(), re.I)
                       for h in prose.select("h2")), lang
        # The cards and the menu link the pages: the page text repeats no list of them.
        assert all(len(ul.select("a")) < 4 for ul in prose.select("ul")), lang
        assert len(doc.select(".hero__lead")) == 1


def test_research_page_and_article_give_each_studys_size_design_and_route(site):
    for slug in ("research", ARTICLE):
        en, he = _text(site, slug, "en"), _text(site, slug, "he")
        for fact in ("12 patients", "20 patients", "18 adults", "open-label", "under the skin", "intravenous",
                     "double-blind", "one research group's trial programme", "235", "16 people", "muscle"):
            assert fact in en, (slug, fact)
        for fact in ("12 מטופלים", "20 מטופלים", "18 מבוגרים", "מחקר פתוח", "מתחת לעור", "לווריד",
                     "בסמיות כפולה", "קבוצת חוקרים אחת", "235", "16 משתתפים", "בהזרקה לשריר"):
            assert fact in he, (slug, fact)
        # Taylor 2018: the clinician-rated scale improved, self-rated anxiety did not differ.
        assert "did not differ significantly" in en and "לא הייתה שונה באופן מובהק" in he, slug
        assert re.search(r"None of the (four|anxiety)( studies)?.{0,40}combined ketamine with psychotherapy", en), slug
        assert re.search(r"אף אחד מ(ארבעת|מחקרי).{0,40}לא שילב קטמין עם פסיכותרפיה", he), slug


def test_every_citation_marker_lists_its_numbers_in_ascending_order_and_stays_on_its_line(site):
    for relative in site.pages():
        for sup in site.html(relative).select("sup.cite"):
            numbers = [int(a.get_text()) for a in sup.select("a")]
            assert numbers == sorted(set(numbers)), (relative, numbers)
            before = sup.previous_sibling
            assert isinstance(before, str) and before.endswith("\u00a0"), (relative, str(before)[-20:])
    # The research page numbers the registry in its order, so its citations run in order too.
    for lang in LANGS:
        first = [int(a.get_text()) for a in site.html(_url("research", lang)).select(".prose sup.cite a")][:5]
        assert first == [1, 2, 4, 5, 6], (lang, first)


def test_cbt_in_depression_is_one_small_uncontrolled_study_never_a_coming_proof():
    for slug in ("process", "what-is-kap", "faq", "benefits", "research"):
        en, he = _both(slug)
        assert "16 people" in en and "open-label" in en, slug
        assert "16 משתתפים" in he and "פתוח" in he, slug
    for path in (ROOT / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"עדיין לא הוכח|עוד לא הודגמ|not been shown .{0,20}so far|not yet in anxiety", text), path


def test_liver_and_bile_duct_problems_are_reported_without_a_rate(site):
    for lang, liver in (("en", "liver"), ("he", "כבד")):
        html = site.html(_url("side-effects", lang)).select_one(".prose")
        long_term = html.find_all("h2")[-2]  # the section on repeated and long-term use
        section = []
        for sibling in long_term.find_next_siblings():
            if sibling.name == "h2":
                break
            section.append(sibling.get_text())
        text = " ".join(section)
        assert liver in text and "14" in text and not re.search(r"\d+\s?%|\d+ (in|מכל) \d+", text), (lang, text)
        assert liver in _text(site, "is-kap-right", lang) and liver in _text(site, "treatment-setting", lang)
        assert "@cotter2021" in _source("side-effects", lang) and "@cotter2021" in _source("is-kap-right", lang)


def test_side_effects_page_reads_as_a_medicine_page_does(site):
    for lang, common, serious, often, suicide in (
            ("en", "Common side effects", "Serious side effects", "More than 1 in 10", "suicide"),
            ("he", "תופעות לוואי שכיחות", "תופעות לוואי חמורות", "יותר מאחד מכל 10", "התאבדות")):
        doc = site.html(_url("side-effects", lang))
        prose = doc.select_one(".prose")
        headings = [h.get_text() for h in prose.select("h2")]
        assert any(common in h for h in headings) and any(serious in h for h in headings), headings
        assert often in prose.get_text()
        # Urgent actions: the urgent-help card inside the serious section, suicide named with what to do.
        card = prose.select_one(".urgent-help")
        assert card is not None and card.select_one('a[href="tel:1201"]') and card.select_one('a[href="tel:101"]')
        assert suicide in prose.get_text()
        # No citation inside a list line: the sentence before each list carries the sources.
        assert not prose.select("li sup.cite"), lang


def test_after_session_guidance_names_thoughts_of_suicide_and_the_crisis_page_links_every_service(site):
    for slug in ("side-effects", "faq", "signup-thanks", "is-kap-right", "anxiety"):
        assert "suicide" in _text(site, slug, "en") and "התאבדות" in _text(site, slug, "he"), slug
    for lang in LANGS:
        prose = site.html(_url("crisis", lang)).select_one(".prose")
        hrefs = {a["href"] for a in prose.select("a[href]")}
        assert {"tel:101", "tel:1201", "tel:1800363363", "https://www.eran.org.il/", "https://sahar.org.il/"} <= hrefs


def test_uncited_claims_and_mechanism_hype_are_gone():
    gone = ("talk and reflect more freely", "biological processes", "several weeks", "rewire",
            "Support for a more flexible brain", "more open psychotherapy", "מוח שיכול להתחדש", "כמה שבועות",
            "תהליכים ביולוגיים", "בחופשיות רבה יותר", "תמיכה במוח גמיש")
    for path in (ROOT / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        for claim in gone:
            assert claim.lower() not in text.lower(), (path.name, claim)
    en, he = _both("how-it-works")
    assert "Researchers think" in en and "חוקרים סבורים" in he


def test_the_clinics_own_practice_and_patient_facts_are_clinic_data_marked_example():
    new = {"assessment_cost", "sessions_usual", "callback_time", "hosting_provider", "email_forwarding",
           "access_log_retention", "privacy_updated", "accessibility_checked", "practice_blood_pressure",
           "practice_staff_present", "practice_leaving", "practice_consent"}
    assert new <= set(CLINIC) and new <= set(CLINIC["example_values"])
    for key in new:
        assert set(CLINIC[key]) == set(LANGS), key
    uses = {"signup": ("callback_time", "assessment_cost"), "signup-thanks": ("callback_time",),
            "process": ("callback_time", "sessions_usual", "practice_consent", "practice_leaving"),
            "faq": ("callback_time", "sessions_usual", "assessment_cost"),
            "side-effects": ("practice_blood_pressure", "practice_staff_present", "practice_leaving"),
            "privacy": ("hosting_provider", "email_forwarding", "access_log_retention", "privacy_updated"),
            "accessibility": ("accessibility_checked",)}
    for slug, keys in uses.items():
        for lang in LANGS:
            for key in keys:
                assert f"{{clinic:{key}}}" in _source(slug, lang), (slug, lang, key)


def test_integration_sessions_are_not_called_psychotherapy_and_the_hebrew_is_gender_neutral():
    he = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "content" / "he").rglob("*.md"))
    assert "המלווה הטיפולי" not in he and "מלווה טיפולי" not in he
    for phrase in ("המלווה בטיפול יעזור", "המלווה בטיפול הוא", "המלווה ייפגש"):
        assert phrase not in he, phrase
    en = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "content" / "en").rglob("*.md"))
    assert not re.search(r"Integration\*\*: therapy|a therapy meeting|psychotherapy sessions before and after", en)


def test_faq_structured_data_answers_carry_no_citation_numbers(site):
    import json

    for lang in LANGS:
        doc = site.html(_url("faq", lang))
        graph = json.loads(doc.select_one('script[type="application/ld+json"]').string)["@graph"]
        faq = next(node for node in graph if node["@type"] == "FAQPage")
        assert len(faq["mainEntity"]) >= 10
        for question in faq["mainEntity"]:
            assert not re.search(r"\[\d", question["acceptedAnswer"]["text"]), question["name"]


def test_the_articles_list_speaks_in_patient_words(site):
    for lang in LANGS:
        doc = site.html(_url("articles", lang))
        assert "Atom" not in doc.select_one("main").get_text(), lang
    assert "פסיכותרפיה בסיוע קטמין" in _source("articles", "he")


def test_privacy_notice_names_server_logs_hosting_and_rights_and_links_the_authority_in_hebrew(site):
    en, he = _text(site, "privacy", "en"), _text(site, "privacy", "he")
    for fact in ("access log", "IP address", "hosts this website", "e-mail service", "Last updated", "right of access"):
        assert fact in en, fact
    for fact in ("יומן גישה", "מאחסנת את האתר", "שירות הדוא\"ל", "עדכון אחרון", "זכות העיון"):
        assert fact in he, fact
    he_links = {a["href"] for a in site.html(_url("privacy", "he")).select(".prose a[href]")}
    assert "https://www.gov.il/he/departments/the_privacy_protection_authority" in he_links
    strings = {lang: yaml.safe_load((ROOT / "theme" / "strings" / f"{lang}.yml").read_text(encoding="utf-8"))
               for lang in LANGS}
    assert "outside Israel" in strings["en"]["signup.privacy_notice"] and "correct" in strings["en"]["signup.privacy_notice"]
    assert "מחוץ לישראל" in strings["he"]["signup.privacy_notice"] and "לעיין" in strings["he"]["signup.privacy_notice"]


def test_accessibility_statement_names_its_target_the_date_of_the_checks_and_who_is_bound(site):
    en, he = _text(site, "accessibility", "en"), _text(site, "accessibility", "he")
    assert "service providers" in en and "websites in Israel" not in en
    assert "נותני שירות" in he and "אתרים בישראל" not in he
    assert "No outside body has audited or approved" in en and "שום גוף חיצוני" in he
    for lang in LANGS:
        assert "{clinic:accessibility_checked}" in _source("accessibility", lang)
        assert CLINIC["accessibility_checked"][lang].split(" (")[0] in _text(site, "accessibility", lang)


def test_hebrew_uses_one_term_each_and_isolates_latin(site):
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for term in ("פסיכותרפיה בסיוע קטמין", "טשטוש (סדציה)", "בסמיות כפולה", "מצב התודעה", "הפרעת חרדה חברתית"):
        assert term in glossary, term
    he = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "content" / "he").rglob("*.md"))
    for wrong in ("כפול-סמיות", "כפולת סמיות", "מצב ההכרה", "טיפול בחרדה בסיוע קטמין", "בליווי פסיכותרפיה",
                  "שלפני ואחרי", "פסיכוזה כרגע", "צמוד", "שזה מבלבל", "אושר לטיפול בדיכאון", "מרמזים"):
        assert wrong not in he, wrong
    assert re.search(r"(?<!הפרעת )חרדה חברתית", he.replace("החרדה החברתית", "")) is None
    for slug in ("home", "articles"):
        assert "פסיכותרפיה בסיוע קטמין" in site.html(_url(slug, "he")).select_one("main").get_text(), slug
    # Every Latin word in a Hebrew page's text sits in an element that sets its direction.
    for relative in site.pages():
        if relative.startswith("en/") or "/admin/" in relative:
            continue
        prose = site.html(relative).select_one(".prose")
        if prose is None:
            continue
        for text in prose.find_all(string=re.compile(r"[A-Za-z]")):
            isolated = any(parent.name == "bdi" or parent.get("dir") == "ltr"
                           for parent in text.parents if parent is not prose and parent.name != "[document]")
            assert isolated or text.find_parent("sup") is not None, (relative, str(text)[:80])
