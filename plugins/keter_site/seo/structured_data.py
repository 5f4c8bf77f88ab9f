"""Structured data (schema.org JSON-LD) for search engines: the clinic, medical pages with who
reviewed them and when, the FAQ and breadcrumbs. Pure functions: the plugin passes in the
values (clinic facts, UI strings, absolute URLs), so nothing here knows about Pelican."""

import json
from html.parser import HTMLParser

# Elements whose start or end separates one line of an answer from the next.
_BLOCKS = {"p", "li", "ul", "ol", "div", "blockquote", "table", "tr", "pre", "dl", "dt", "dd",
           "h3", "h4", "h5", "h6", "br", "figure", "figcaption", "section", "aside", "details"}
_BREAK = "\x00"


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


class _FAQParser(HTMLParser):
    """Questions (each <h2>) and their answers (everything up to the next <h2>), as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []  # [question parts, answer parts]
        self._in_question = False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._in_question = True
            self.items.append(([], []))
        elif tag in _BLOCKS and self.items and not self._in_question:
            self.items[-1][1].append(_BREAK)

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_question = False
        elif tag in _BLOCKS and self.items and not self._in_question:
            self.items[-1][1].append(_BREAK)

    def handle_data(self, data):
        if self.items:
            self.items[-1][0 if self._in_question else 1].append(data)


class _ListParser(HTMLParser):
    """The text of each <li> inside the element with class `css_class`."""

    def __init__(self, css_class):
        super().__init__(convert_charrefs=True)
        self.css_class, self.depth, self.items, self._item = css_class, 0, [], None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or self.css_class in classes:
            self.depth += 1
        if self.depth and tag == "li":
            self._item = []

    def handle_endtag(self, tag):
        if self.depth and tag == "li" and self._item is not None:
            self.items.append(" ".join("".join(self._item).split()))
            self._item = None
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self._item is not None:
            self._item.append(data)


def list_items(html, css_class):
    """[text of each list item] inside `<div class="css_class">` of a page's HTML."""
    parser = _ListParser(css_class)
    parser.feed(html or "")
    parser.close()
    return [item for item in parser.items if item]


def faq_entries(html):
    """[(question, answer)] from a page's HTML: each `## Question?` heading and the paragraphs
    after it. Text before the first question (an introduction) belongs to no question."""
    parser = _FAQParser()
    parser.feed(html or "")
    parser.close()
    entries = []
    for question_parts, answer_parts in parser.items:
        question = " ".join("".join(question_parts).split())
        # Line breaks inside a paragraph are only how the Markdown source was wrapped.
        lines = (" ".join(line.split()) for line in "".join(answer_parts).split(_BREAK))
        answer = "\n".join(line for line in lines if line)
        if question and answer:
            entries.append((question, answer))
    return entries


def clinic(*, clinic_id, url, name, telephone, email, address, therapy_name, contraindications):
    node = {
        "@type": "MedicalClinic",
        "@id": clinic_id,
        "name": name,
        "url": url,
        "telephone": telephone,
        "email": email,
        "address": address,
        "medicalSpecialty": "Psychiatric",
        "availableService": {
            "@type": "MedicalTherapy",
            "name": therapy_name,
            "contraindication": contraindications,
        },
    }
    return {key: value for key, value in node.items() if value}


def medical_web_page(*, url, name, description, lang, last_reviewed=None, reviewer=None, reviewer_url=None):
    """A medical page; `lastReviewed` and `reviewedBy` only when a review really covers it."""
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
