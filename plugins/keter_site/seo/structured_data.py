"""Structured data (schema.org JSON-LD) for search engines: the clinic, medical pages with who reviewed them and
when, the FAQ and breadcrumbs; pure functions of the values the plugin passes in, so nothing here knows Pelican."""

from typing import Any
import json
import re

from keter_site.core import html


def dumps(data: Any) -> str:
    """JSON for inside <script type="application/ld+json">, safe whatever a page's text contains."""
    # The HTML parser ends a script element at the first `</script` whatever the JSON around it
    # says, and `<!--` changes how the rest is parsed. Writing every <, > and & as a JSON \u
    # escape leaves the value the same for any JSON reader and nothing for the HTML parser to
    # act on, whatever a page's title, description or FAQ text contains.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


CITATION = re.compile(r"\u00a0?<sup class=\"cite\">.*?</sup>", re.S)


def faq_entries(text: str) -> list[tuple[str, str]]:
    """[(question, answer)] from a page's HTML, as search engines show them: each `## Question?`
    (or `### Question?` under `## Group`) and the blocks after it, one line per paragraph or item."""
    # Without the citation numbers, which point to a Sources list search engines do not show.
    # Text before the first question, and group headings, belong to none.
    text = CITATION.sub("", text or "")
    if html.faq_question_level(text) == 3:
        groups = re.split(r"(?=<h2[\s>])", text)  # a group heading ends the answer before it
        found = [entry for group in groups for entry in html.sections(group, "h3")]
    else:
        found = html.sections(text, "h2")
    return [(question, "\n".join(lines)) for question, lines in found if question and lines]


def clinic(*, clinic_id: str, url: str, name: str, telephone: str, email: str, address: str, therapy_name: str,
           contraindications: list[str], specialty: str = "") -> dict[str, Any]:
    """The clinic; `specialty` is clinic.yml's medical_specialty (left out when it has none)."""
    node = {
        "@type": "MedicalClinic",
        "@id": clinic_id,
        "name": name,
        "url": url,
        "telephone": telephone,
        "email": email,
        "address": address,
        "medicalSpecialty": specialty,
        "availableService": {
            "@type": "MedicalTherapy",
            "name": therapy_name,
            "contraindication": contraindications,
        },
    }
    return {key: value for key, value in node.items() if value}


def medical_web_page(*, url: str, name: str, description: str, lang: str, last_reviewed: str | None = None,
                     reviewer: str | None = None, reviewer_url: str | None = None) -> dict[str, Any]:
    """A medical page; `lastReviewed` and `reviewedBy` (the signer's name in the page's language)
    only while the physician's signature covers its current text: the caller passes them only then."""
    node: dict[str, Any] = {
        "@type": "MedicalWebPage",
        "url": url,
        "name": name,
        "description": description,
        "inLanguage": lang,
    }
    if last_reviewed and reviewer:
        person = {"@type": "Person", "name": reviewer}
        if reviewer_url:
            person["url"] = reviewer_url
        node["lastReviewed"] = last_reviewed
        node["reviewedBy"] = person
    return node


def blog_posting(*, url: str, headline: str, description: str, lang: str, published: str, modified: str,
                 publisher_id: str, publisher_name: str) -> dict[str, Any]:
    """An article (news or a guide) and when it was published and last updated."""
    return {
        "@type": "BlogPosting",
        "url": url,
        "mainEntityOfPage": url,
        "headline": headline,
        "description": description,
        "inLanguage": lang,
        "datePublished": published,
        "dateModified": modified,
        "author": {"@type": "Organization", "@id": publisher_id, "name": publisher_name},
        "publisher": {"@type": "Organization", "@id": publisher_id, "name": publisher_name},
    }


def faq_page(*, url: str, lang: str, entries: list[tuple[str, str]]) -> dict[str, Any]:
    """The FAQ's questions and answers as search engines read them (entries: [(question, answer)])."""
    return {
        "@type": "FAQPage",
        "url": url,
        "inLanguage": lang,
        "mainEntity": [
            {"@type": "Question", "name": question,
             "acceptedAnswer": {"@type": "Answer", "text": answer}}
            for question, answer in entries
        ],
    }


def breadcrumbs(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """trail: [(name, absolute URL)], from the home page to this page."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def graph(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's one JSON-LD block holding all its nodes (a home page's clinic, every other page's breadcrumbs)."""
    return {"@context": "https://schema.org", "@graph": nodes}
