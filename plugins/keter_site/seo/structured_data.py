"""Structured data (schema.org JSON-LD) for search engines: the clinic, medical pages with who
reviewed them and when, the FAQ and breadcrumbs. Pure functions: the plugin passes in the
values (clinic facts, UI strings, absolute URLs), so nothing here knows about Pelican."""

import json
import re

from keter_site.core import html


def dumps(data):
    """JSON for inside <script type="application/ld+json">.

    The HTML parser ends a script element at the first `</script` whatever the JSON around it
    says, and `<!--` changes how the rest is parsed. Writing every <, > and & as a JSON \\u
    escape leaves the value the same for any JSON reader and nothing for the HTML parser to
    act on, whatever a page's title, description or FAQ text contains."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def list_items(text, css_class):
    """[text of each list item] inside `<div class="css_class">` of a page's HTML."""
    return html.list_items(text, css_class)


CITATION = re.compile(r"\u00a0?<sup class=\"cite\">.*?</sup>", re.S)


def faq_entries(text):
    """[(question, answer)] from a page's HTML: each `## Question?` heading (or `### Question?`
    under `## Group` headings) and the blocks after it, one line per paragraph or list item,
    without the citation numbers, which point to a Sources list search engines do not show.
    Text before the first question, and group headings, belong to none."""
    text = CITATION.sub("", text or "")
    if re.search(r"<h3[\s>]", text):
        groups = re.split(r"(?=<h2[\s>])", text)  # a group heading ends the answer before it
        found = [entry for group in groups for entry in html.sections(group, "h3")]
    else:
        found = html.sections(text, "h2")
    return [(question, "\n".join(lines)) for question, lines in found if question and lines]


def clinic(*, clinic_id, url, name, telephone, email, address, therapy_name, contraindications, specialty=""):
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


def medical_web_page(*, url, name, description, lang, last_reviewed=None, reviewer=None, reviewer_url=None):
    """A medical page; `lastReviewed` and `reviewedBy` only while the physician's signature
    covers its current text (the caller passes them only for a current review), `reviewer`
    being the signer's name in the page's language from the allowed signers."""
    node = {
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


def blog_posting(*, url, headline, description, lang, published, modified, publisher_id, publisher_name):
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


def faq_page(*, url, lang, entries):
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


def breadcrumbs(trail):
    """trail: [(name, absolute URL)], from the home page to this page."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def graph(nodes):
    return {"@context": "https://schema.org", "@graph": nodes} if nodes else None
