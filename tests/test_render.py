"""The HTML page of quotes (spacy_quotes.render) and the speaker table (spacy_quotes.speaker_table)."""
import csv
import html
import io
import json
import re
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from spacy_quotes.annotations import annotations_to_docs, read_annotation_jsonl
from spacy_quotes.quote import get_quotes, set_quote_groups
from spacy_quotes.render import doc_from_records, render_command, render_doc, render_html, write_html
from spacy_quotes.speaker_table import (
    SpeakerRow,
    collect_speakers,
    format_speakers,
    speakers_command,
    speakers_from_docs,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds.jsonl"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def nlp(base_nlp):
    """The shared base pipeline (conftest)."""
    return base_nlp


@pytest.fixture(scope="module")
def seed_docs(nlp) -> List[Doc]:
    """The five seed articles with their gold quotes."""
    docs = list(annotations_to_docs(read_annotation_jsonl(SEEDS), nlp))
    assert len(docs) == 5
    return docs


def _at(text: str, needle: str, occurrence: int = 0) -> Tuple[int, int]:
    """The offsets of the occurrence-th needle in text."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


TEXT_A = (
    "Turkish Foreign Minister Mevl\u00fct \u00c7avu\u015fo\u011flu said: "
    "\"Talks with <Moscow> & Damascus > nothing.\"\n\n"
    "He added that the ceasefire in Idlib would hold.\n\n"
    "The Kremlin said Turkey was \"flouting <agreements>\" in Idlib.\n\n"
    "\"We are ready,\" a statement read. kremlin officials said that talks & more talks were needed."
)

TEXT_B = (
    "The Kremlin said on Friday that it was \"concerned\" about the fighting.\n"
    "Mevl\u00fct \u00c7avu\u015fo\u011flu told reporters: \"We will not withdraw.\""
)

TEXT_EMPTY = "Nothing quoted here.\nJust two lines < and > & an ampersand."


def _doc_a(nlp: Language) -> Doc:
    text = TEXT_A
    doc = nlp(text)
    doc.user_data["doc_id"] = "a<1>&"
    name = "Mevl\u00fct \u00c7avu\u015fo\u011flu"
    set_quote_groups(doc, [
        {"content": _at(text, "\"Talks with <Moscow> & Damascus > nothing.\""),
         "cue": _at(text, "said"), "speaker": _at(text, "Turkish Foreign Minister " + name),
         "speaker_name": name, "speaker_id": name, "type": "direct"},
        {"content": _at(text, "the ceasefire in Idlib would hold"), "cue": _at(text, "added"),
         "speaker": _at(text, "He"), "speaker_name": name, "speaker_id": name, "type": "indirect"},
        {"content": _at(text, "Turkey was \"flouting <agreements>\" in Idlib"), "cue": _at(text, "said", 1),
         "speaker": _at(text, "The Kremlin"), "speaker_name": "Kremlin", "speaker_id": "Kremlin", "type": "mixed"},
        {"content": _at(text, "\"We are ready,\""), "type": "direct"},  # no speaker
        {"content": _at(text, "talks & more talks were needed"), "cue": _at(text, "said", 2),
         "speaker": _at(text, "kremlin officials"), "speaker_name": "kremlin", "speaker_id": "kremlin",
         "type": "indirect"},
    ])
    return doc


def _doc_b(nlp: Language) -> Doc:
    text = TEXT_B
    doc = nlp(text)
    doc.user_data["doc_id"] = "b"
    name = "Mevl\u00fct \u00c7avu\u015fo\u011flu"
    set_quote_groups(doc, [
        {"content": _at(text, "it was \"concerned\" about the fighting"), "cue": _at(text, "said"),
         "speaker": _at(text, "The Kremlin"), "speaker_name": "Kremlin", "type": "mixed"},
        {"content": _at(text, "\"We will not withdraw.\""), "cue": _at(text, "told"),
         "speaker": _at(text, name), "speaker_name": name, "type": "direct"},
    ])
    return doc


def _doc_empty(nlp: Language) -> Doc:
    doc = nlp(TEXT_EMPTY)
    doc.user_data["doc_id"] = "empty"
    return doc


# --- reading the page back ---------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}


class PageParser(HTMLParser):
    """Reads the rendered page: quote pieces, labels, article texts, tables, links; checks nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: List[Tuple[str, Dict[str, str]]] = []
        self.errors: List[str] = []
        self.ids: List[str] = []
        self.links: List[Tuple[str, str]] = []  # (attribute, value) of src/href/action/...
        self.quotes: Dict[Tuple[str, str], Dict[str, Any]] = {}  # (article, index) -> info
        self.labels: Dict[str, str] = {}  # quote element id -> label text
        self.texts: Dict[str, str] = {}  # article id -> text of .text without labels
        self.tables: Dict[str, List[List[str]]] = {}  # article/section id -> rows of cells
        self.title = ""
        self._cell: Optional[List[str]] = None
        self._row: Optional[List[str]] = None

    def _article(self) -> Optional[str]:
        for tag, attrs in self.stack:
            if tag in ("article", "section") and "id" in attrs:
                return attrs["id"]
        return None

    def _in(self, cls: str) -> Optional[Dict[str, str]]:
        for _, attrs in reversed(self.stack):
            if cls in attrs.get("class", "").split():
                return attrs
        return None

    def handle_starttag(self, tag: str, attr_list: List[Tuple[str, Optional[str]]]) -> None:
        attrs = {k: (v or "") for k, v in attr_list}
        for key, value in attrs.items():
            if key in ("src", "href", "action", "srcset", "poster", "data", "background"):
                self.links.append((key, value))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in VOID:
            return
        self.stack.append((tag, attrs))
        if tag == "mark" and "data-quote" in attrs:
            key = (self._article() or "", attrs["data-quote"])
            info = self.quotes.setdefault(key, {"pieces": 0, "text": "", "attrs": {}})
            info["pieces"] += 1
            if "id" in attrs:
                info["attrs"] = attrs
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {[t for t, _ in self.stack]})")
            return
        _, attrs = self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.tables.setdefault(self._article() or "", []).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "title":
            self.title += data
        if self._cell is not None:
            self._cell.append(data)
        label = self._in("who")
        if label is not None:
            target = label.get("data-for", "")
            self.labels[target] = self.labels.get(target, "") + data
            return
        if self._in("text") is not None:
            article = self._article() or ""
            self.texts[article] = self.texts.get(article, "") + data
            for tag, attrs in self.stack:
                if tag == "mark" and "data-quote" in attrs:
                    self.quotes[(article, attrs["data-quote"])]["text"] += data


def parse_page(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def _check_page(page: str, docs: List[Doc], anchors: List[str]) -> PageParser:
    """Checks that hold for every rendered page; returns the parsed page."""
    parsed = parse_page(page)
    assert parsed.errors == []
    assert [tag for tag, _ in parsed.stack] == []  # every element closed
    assert len(parsed.ids) == len(set(parsed.ids))  # ids unique
    for doc, anchor in zip(docs, anchors):
        # the text is written out exactly: same characters, newlines and spaces
        assert parsed.texts[anchor] == doc.text
        for quote in get_quotes(doc):
            record = quote.to_dict()
            info = parsed.quotes[(anchor, str(quote.index))]
            assert info["text"] == record["text"]
            assert info["attrs"]["id"] == f"{anchor}-q{quote.index}"
            assert info["attrs"]["data-type"] == quote.type
            offsets = (int(info["attrs"]["data-start"]), int(info["attrs"]["data-end"]))
            assert offsets == (record["start"], record["end"])
            assert f"q-{quote.type}" in info["attrs"]["class"].split()
            label = parsed.labels[f"{anchor}-q{quote.index}"]
            assert quote.type in label
            assert (quote.speaker_name or "unknown speaker") in label
        assert len([key for key in parsed.quotes if key[0] == anchor]) == len(get_quotes(doc))
    # nothing is loaded from anywhere: in-page anchors only, no scripts, no CSS urls
    assert all(value.startswith("#") for _, value in parsed.links), parsed.links
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower() and "url(" not in page and "@import" not in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "Content-Security-Policy" in page
    return parsed


def _summary(parsed: PageParser, anchor: str) -> Dict[str, List[int]]:
    rows = parsed.tables[anchor]
    assert rows[0][:5] == ["Speaker", "Quotes", "direct", "mixed", "indirect"]
    return {row[0]: [int(cell) for cell in row[1:5]] for row in rows[1:]}


# --- render_html -------------------------------------------------------------------------


def test_render_html_highlights_every_quote(nlp):
    docs = [_doc_a(nlp), _doc_b(nlp), _doc_empty(nlp)]
    page = render_html(docs, title="Quotes <test> & more")
    parsed = _check_page(page, docs, ["doc-1", "doc-2", "doc-3"])
    assert parsed.title == "Quotes <test> & more"
    assert "<title>Quotes &lt;test&gt; &amp; more</title>" in page
    # the same quote text is highlighted once only
    texts = [info["text"] for info in parsed.quotes.values()]
    assert len(texts) == 7 and len(set(texts)) == 7
    assert "doc-3" not in {key[0] for key in parsed.quotes}
    assert "No quotes found in this document." in page


def test_render_html_escapes_text(nlp):
    doc = _doc_a(nlp)
    page = render_html([doc])
    assert "<Moscow>" not in page and "<agreements>" not in page
    assert "&lt;Moscow&gt; &amp; Damascus &gt; nothing." in page
    assert "&lt;agreements&gt;" in page
    assert "talks &amp; more talks" in page
    # the doc id is escaped in the heading and in attributes
    assert "<h2>a&lt;1&gt;&amp;</h2>" in page
    assert 'data-doc-id="a&lt;1&gt;&amp;"' in page
    # non-ASCII is written as is in a UTF-8 page
    assert '<meta charset="utf-8">' in page
    assert "Mevl\u00fct \u00c7avu\u015fo\u011flu" in page


def test_render_html_speaker_summary(nlp):
    docs = [_doc_a(nlp), _doc_b(nlp)]
    parsed = parse_page(render_html(docs))
    name = "Mevl\u00fct \u00c7avu\u015fo\u011flu"
    # per document: quotes, direct, mixed, indirect; "kremlin" and "Kremlin" are one speaker
    assert _summary(parsed, "doc-1") == {
        name: [2, 1, 0, 1],
        "Kremlin": [2, 0, 1, 1],
        "(unknown)": [1, 1, 0, 0],
    }
    assert list(_summary(parsed, "doc-1"))[-1] == "(unknown)"  # fewest quotes last
    assert _summary(parsed, "doc-2") == {"Kremlin": [1, 0, 1, 0], name: [1, 1, 0, 0]}
    # all documents, with the number of documents and links to them
    rows = parsed.tables["speakers"]
    assert rows[0] == ["Speaker", "Quotes", "direct", "mixed", "indirect", "Docs", "Documents"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table[name] == ["3", "2", "0", "1", "2", "a<1>&, b"]
    assert table["Kremlin"] == ["3", "0", "2", "1", "2", "a<1>&, b"]
    assert table["(unknown)"] == ["1", "1", "0", "0", "1", "a<1>&"]
    assert [row[0] for row in rows[1:]] == ["Kremlin", name, "(unknown)"]


def test_render_html_marks_cue_and_speaker(nlp):
    doc = _doc_a(nlp)
    page = render_html(doc)  # a single Doc is fine too
    assert '<span class="cue" title="cue">added</span>' in page
    assert re.search(r'<span class="spk" title="speaker mention → Mevlüt Çavuşoğlu">He</span>', page)
    assert '<span class="spk" title="speaker mention → Kremlin">The Kremlin</span>' in page
    # the label follows the closing quotation mark of a direct quote
    assert re.search(r'nothing\.</mark>&quot;<span class="who who-direct" data-for="doc-1-q0">', page)
    # the legend explains the types by words as well as colours and line styles
    for qtype in ("direct", "mixed", "indirect"):
        assert f'<li><mark class="q q-{qtype}">{qtype}</mark>' in page
    assert "border-bottom-style: dashed" in page and "border-bottom-style: dotted" in page


def test_render_overlapping_spans_stay_well_formed(nlp):
    text = ("Russian President Vladimir Putin and Turkish President Recep Tayyip Erdogan expressed their "
            "desire to \"fully implement\" the agreements in Syria, according to a statement issued by the Kremlin.")
    doc = nlp(text)
    doc.user_data["doc_id"] = "nested"
    outer = (0, text.index(", according"))
    inner = (text.index("their desire"), outer[1])
    set_quote_groups(doc, [
        {"content": outer, "cue": _at(text, "according to"), "speaker": _at(text, "the Kremlin"),
         "speaker_name": "Kremlin", "type": "mixed"},
        {"content": inner, "cue": _at(text, "expressed"),
         "speaker": (0, text.index(" expressed")), "speaker_name": "Vladimir Putin and Recep Tayyip Erdogan",
         "type": "mixed"},
        # a cue that crosses the end of the outer quote
        {"content": _at(text, "a statement issued"), "cue": (text.index("Syria"), text.index(" according")),
         "speaker_name": None, "type": "indirect"},
    ])
    page = render_html([doc])
    parsed = _check_page(page, [doc], ["doc-1"])
    assert parsed.labels["doc-1-q0"].endswith("Kremlin")
    assert parsed.labels["doc-1-q1"].endswith("Vladimir Putin and Recep Tayyip Erdogan")


def test_render_doc_fragment_and_write_html(nlp, tmp_path):
    doc = _doc_b(nlp)
    fragment = render_doc(doc, anchor="x")
    assert fragment.startswith('<article class="card doc" id="x" data-doc-id="b">')
    assert 'id="x-q0"' in fragment and 'id="x-q1"' in fragment
    path = write_html([doc], tmp_path / "out" / "page.html", title="B")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>B</title>" in page
    _check_page(page, [doc], ["doc-1"])


def test_render_seed_articles(seed_docs):
    """The gold quotes of the five seed articles: nested quotes, shared cues, relaying media."""
    page = render_html(seed_docs, title="Seeds")
    parsed = _check_page(page, seed_docs, [f"doc-{i}" for i in range(1, 6)])
    assert sum(1 for key in parsed.quotes) == sum(len(get_quotes(doc)) for doc in seed_docs)
    for i, doc in enumerate(seed_docs, 1):
        expected = collect_speakers(q.to_dict() for q in get_quotes(doc))
        assert _summary(parsed, f"doc-{i}") == {
            row.name: [row.quotes, row.direct, row.mixed, row.indirect] for row in expected
        }
    articles = page[page.index("<article"):]
    assert articles.count('<span class="via"') == len({
        (q.via.start_char, q.via.end_char, doc.user_data["doc_id"])
        for doc in seed_docs for q in get_quotes(doc) if q.via is not None
    })


def test_render_no_documents():
    page = render_html([])
    assert "No documents." in page and "0 documents" in page
    assert parse_page(page).errors == []


def test_doc_from_records_round_trip(nlp):
    for doc in (_doc_a(nlp), _doc_b(nlp)):
        records = [quote.to_dict() for quote in get_quotes(doc)]
        rebuilt = doc_from_records(nlp, doc.text, records, doc_id=doc.user_data["doc_id"], source="here")
        assert rebuilt.user_data == {"doc_id": doc.user_data["doc_id"], "source": "here"}
        assert [quote.to_dict() for quote in get_quotes(rebuilt)] == records
        # the label still goes after a direct quote's closing mark
        assert [q.content.end_char for q in get_quotes(rebuilt)] == [q.content.end_char for q in get_quotes(doc)]


# --- the speaker table -------------------------------------------------------------------

RECORDS = [
    {"doc_id": "d1", "type": "direct", "speaker_name": "Kremlin"},
    {"doc_id": "d1", "type": "indirect", "speaker_name": "the Kremlin "},
    {"doc_id": "d2", "type": "mixed", "speaker_name": "kremlin"},
    {"doc_id": "d2", "type": "indirect", "speaker_name": "Kremlin"},
    {"doc_id": "d3", "type": "direct", "speaker_name": "Mevl\u00fct \u00c7avu\u015fo\u011flu"},
    {"doc_id": "d1", "type": "direct", "speaker_name": "Mevl\u00fct \u00c7avu\u015fo\u011flu"},
    {"doc_id": "d2", "type": "indirect", "speaker_name": None},
    {"doc_id": "d3", "type": "indirect", "speaker_name": ""},
    {"doc_id": "d3", "type": "mixed", "speaker_name": "Anadolu"},
    {"doc_id": "d1", "type": "direct", "speaker_name": "Ankara"},
]


def test_collect_speakers():
    rows = collect_speakers(RECORDS)
    assert [row.name for row in rows] == [
        "Kremlin", "(unknown)", "Mevl\u00fct \u00c7avu\u015fo\u011flu", "Anadolu", "Ankara", "the Kremlin",
    ]
    kremlin = rows[0]
    assert kremlin == SpeakerRow(name="Kremlin", quotes=3, documents=2, doc_ids=["d1", "d2"],
                                 direct=1, mixed=1, indirect=1)
    assert rows[1] == SpeakerRow("(unknown)", 2, 2, ["d2", "d3"], 0, 0, 2)
    assert rows[2] == SpeakerRow("Mevl\u00fct \u00c7avu\u015fo\u011flu", 2, 2, ["d3", "d1"], 2, 0, 0)
    assert sum(row.quotes for row in rows) == len(RECORDS)
    assert collect_speakers([]) == []


def _aliases_by_pairs(spellings):
    """_name_aliases as first written: every name against every other (quadratic)."""
    from spacy_quotes.speaker_table import _is_name

    names = [k for k in spellings if k and _is_name(spellings[k])]
    alias = {}
    for short in names:
        longer = [k for k in names if k != short and k.endswith(" " + short)]
        if longer:
            longest = max(longer, key=len)
            if all(longest == k or longest.endswith(" " + k) for k in longer):
                alias[short] = longest
    return alias


_NAME_WORDS = ["Ana", "Maria", "Ruiz", "da", "Silva", "Lula", "W.", "Bush", "George", "H.", "source", "the"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=5), max_size=40))
def test_name_aliases_same_as_comparing_every_pair(names):
    from collections import Counter

    from spacy_quotes.speaker_table import _name_aliases, _speaker_key

    spellings = {}
    for words in names:
        display = " ".join(words)
        spellings.setdefault(_speaker_key(display), Counter())[display] += 1
    assert _name_aliases(spellings) == _aliases_by_pairs(spellings)


def test_collect_speakers_keeps_the_most_used_spelling():
    rows = collect_speakers([
        {"doc_id": "a", "type": "direct", "speaker_name": "kremlin"},
        {"doc_id": "a", "type": "direct", "speaker_name": "KREMLIN"},
        {"doc_id": "b", "type": "direct", "speaker_name": "KREMLIN"},
    ])
    assert [(row.name, row.quotes, row.documents) for row in rows] == [("KREMLIN", 3, 2)]


def test_collect_speakers_merges_a_shorter_form_of_one_name():
    rows = collect_speakers([
        {"doc_id": "a", "type": "direct", "speaker_name": "Luiz Inacio Lula da Silva"},
        {"doc_id": "b", "type": "indirect", "speaker_name": "Lula da Silva"},
        {"doc_id": "b", "type": "mixed", "speaker_name": "Lula da Silva"},
        # two longer names end in "Bush": no merge; one word alone is never merged
        {"doc_id": "c", "type": "direct", "speaker_name": "George W. Bush"},
        {"doc_id": "c", "type": "direct", "speaker_name": "Bush"},
        {"doc_id": "d", "type": "direct", "speaker_name": "W. Bush"},
        {"doc_id": "d", "type": "direct", "speaker_name": "George H. W. Bush"},
        # a description is no name
        {"doc_id": "e", "type": "direct", "speaker_name": "a source at the ministry"},
        {"doc_id": "e", "type": "direct", "speaker_name": "source at the ministry"},
    ])
    by_name = {row.name: row for row in rows}
    assert by_name["Luiz Inacio Lula da Silva"] == SpeakerRow(
        "Luiz Inacio Lula da Silva", 3, 2, ["a", "b"], direct=1, mixed=1, indirect=1)
    assert "Lula da Silva" not in by_name
    assert {"George W. Bush", "Bush", "W. Bush", "George H. W. Bush"} <= set(by_name)  # both end in "W. Bush"
    assert {"a source at the ministry", "source at the ministry"} <= set(by_name)
    assert sum(row.quotes for row in rows) == 9


def test_format_speakers_text():
    out = format_speakers(collect_speakers(RECORDS), fmt="text")
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split() == ["SPEAKER", "QUOTES", "DIRECT", "MIXED", "INDIRECT", "DOCS", "DOC", "IDS"]
    assert lines[-1] == "6 speakers, 10 quotes, 3 documents"
    body = lines[1:-1]
    assert [line.split("  ")[0].strip() for line in body] == [
        "Kremlin", "(unknown)", "Mevl\u00fct \u00c7avu\u015fo\u011flu", "Anadolu", "Ankara", "the Kremlin",
    ]
    # aligned: the numeric columns end at the same column on every line
    header_end = lines[0].index("QUOTES") + len("QUOTES")
    for line in body:
        assert line[header_end - 1].isdigit() and line[header_end] == " "
    assert body[0].endswith("d1, d2")
    assert re.match(r"^Kremlin\s+3\s+1\s+1\s+1\s+2\s+d1, d2$", body[0])


def test_format_speakers_csv():
    out = format_speakers(collect_speakers(RECORDS), fmt="csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["speaker", "quotes", "direct", "mixed", "indirect", "documents", "doc_ids"]
    assert rows[1] == ["Kremlin", "3", "1", "1", "1", "2", "d1;d2"]
    assert rows[3] == ["Mevl\u00fct \u00c7avu\u015fo\u011flu", "2", "2", "0", "0", "2", "d3;d1"]
    assert len(rows) == 7


def test_format_speakers_json_and_errors():
    rows = collect_speakers(RECORDS)
    data = json.loads(format_speakers(reversed(rows), fmt="json"))  # sorted again
    assert [item["name"] for item in data] == [row.name for row in rows]
    assert data[0] == {"name": "Kremlin", "quotes": 3, "documents": 2, "doc_ids": ["d1", "d2"],
                       "direct": 1, "mixed": 1, "indirect": 1}
    assert "\u00c7avu\u015fo\u011flu" in format_speakers(rows, fmt="json")  # not \u-escaped
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        format_speakers(rows, fmt="xml")


def test_speakers_from_docs(nlp):
    rows = speakers_from_docs([_doc_a(nlp), _doc_b(nlp)])
    name = "Mevl\u00fct \u00c7avu\u015fo\u011flu"
    assert [(row.name, row.quotes, row.doc_ids) for row in rows] == [
        ("Kremlin", 3, ["a<1>&", "b"]), (name, 3, ["a<1>&", "b"]), ("(unknown)", 1, ["a<1>&"]),
    ]


# --- the commands, over files, directories, JSONL and stdin ------------------------------

SAID = re.compile(r"(\"[^\"\n]+\") (\w+) said")


@Language.component("test_render_said_quotes")
def said_quotes(doc: Doc) -> Doc:
    """A small rule-based quote finder: '"...", NAME said'."""
    items = []
    for match in SAID.finditer(doc.text):
        items.append({"content": match.span(1), "speaker": match.span(2), "cue": (match.end(2) + 1, match.end()),
                      "speaker_name": match.group(2), "type": "direct"})
    set_quote_groups(doc, items)
    return doc


def _records_from_doc(doc: Doc, doc_id: str) -> List[Dict[str, Any]]:
    return [quote.to_dict(doc_id=doc_id) for quote in get_quotes(doc)]


@pytest.fixture(scope="module")
def said_nlp(nlp) -> Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("test_render_said_quotes")
    return pipeline


@pytest.fixture()
def inputs(tmp_path) -> List[str]:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "one.txt").write_text("\"We <will> win,\" Ahmet said.\n\n\"Soon & fast,\" Ahmet said.", encoding="utf-8")
    (folder / "two.txt").write_text("\"No,\" \u00c7avu\u015fo\u011flu said.", encoding="utf-8")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "j1", "text": "\"Yes,\" ahmet said."}) + "\nnot json\n", encoding="utf-8")
    return [str(folder), str(jsonl), str(tmp_path / "missing.txt"), "-"]


def test_speakers_command(said_nlp, inputs):
    errors: List[str] = []
    stdin = io.BytesIO("\"Maybe,\" Ahmet said.".encode("utf-8"))
    out, summary = speakers_command(inputs, said_nlp, fmt="json", stdin=stdin,
                                    records_from_doc=_records_from_doc, on_error=errors.append)
    data = json.loads(out)
    assert [(row["name"], row["quotes"], row["doc_ids"]) for row in data] == [
        ("Ahmet", 4, ["one", "j1", "stdin"]), ("\u00c7avu\u015fo\u011flu", 1, ["two"]),
    ]
    assert summary.documents == 4 and summary.quotes == 5
    assert len(errors) == 2 and summary.errors == errors
    assert any("more.jsonl:2" in e for e in errors) and any("missing.txt" in e for e in errors)
    with pytest.raises(ValueError):
        speakers_command(inputs, said_nlp, fmt="yaml")


def test_render_command(said_nlp, inputs):
    errors: List[str] = []
    done: List[int] = []
    stdin = io.BytesIO("\"Maybe,\" Ahmet said.".encode("utf-8"))
    page, summary = render_command(inputs, said_nlp, title="Run", stdin=stdin, records_from_doc=_records_from_doc,
                                   on_error=errors.append, on_done=done.append)
    assert summary.documents == 4 and summary.quotes == 5 and len(errors) == 2
    assert done == [2, 1, 1, 1]
    parsed = parse_page(page)
    assert parsed.errors == [] and parsed.title == "Run"
    assert parsed.texts["doc-1"] == "\"We <will> win,\" Ahmet said.\n\n\"Soon & fast,\" Ahmet said."
    assert parsed.quotes[("doc-1", "0")]["text"] == "We <will> win"
    assert parsed.quotes[("doc-1", "1")]["text"] == "Soon & fast"
    assert parsed.labels["doc-2-q0"].endswith("\u00c7avu\u015fo\u011flu")
    assert parsed.tables["speakers"][1][:6] == ["Ahmet", "4", "4", "0", "0", "3"]
    assert re.findall(r"<h2>([^<]+)</h2>", page)[1:5] == ["one", "two", "j1", "stdin"]


def test_render_command_long_text_in_chunks(said_nlp, tmp_path):
    text = "\n\n".join(f"\"Point {i} <is> made,\" Ahmet said." for i in range(6))
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    page, summary = render_command([str(tmp_path / "long.txt")], said_nlp, max_length=70,
                                   records_from_doc=_records_from_doc)
    assert summary.documents == 1 and summary.quotes == 6 and summary.errors == []
    parsed = parse_page(page)
    assert parsed.texts["doc-1"] == text  # one document, whole, although it ran in chunks
    assert [parsed.quotes[("doc-1", str(i))]["text"] for i in range(6)] == [f"Point {i} <is> made" for i in range(6)]
    assert [int(parsed.quotes[("doc-1", str(i))]["attrs"]["data-start"]) for i in range(6)] == [
        text.index(f"Point {i}") for i in range(6)
    ]


# --- the page in a real browser ----------------------------------------------------------


def _chromium(*args: str, profile: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def read_png(path: Path, max_rows: Optional[int] = None) -> Tuple[int, int, List[bytes]]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG with the stdlib (chunk CRCs, zlib stream,
    size and every row's filter type are checked).

    max_rows (Optional[int]): unfilter only the first rows (pure Python takes ~3s per megapixel).
    RETURNS (Tuple[int, int, List[bytes]]): width, height and the (first) rows as RGB(A) bytes.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r} chunk"
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert header is not None, "no IHDR chunk"
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    assert len(raw) == height * (stride + 1)
    assert all(raw[y * (stride + 1)] <= 4 for y in range(height)), "bad filter type"
    rows: List[bytes] = []
    prev = bytearray(stride)
    for y in range(height if max_rows is None else min(height, max_rows)):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        else:
            assert kind == 0, f"bad filter type {kind}"
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                    "(apt-get install -y chromium) to load the page in a real browser")
def test_seed_page_in_chromium(seed_docs, tmp_path):
    docs = seed_docs
    page_path = write_html(docs, tmp_path / "page.html", title="Seed articles")
    url = page_path.resolve().as_uri()
    # the page loads and its text shows the speakers
    dump = _chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dump.returncode == 0, dump.stderr[-2000:]
    assert "<h1>Seed articles</h1>" in dump.stdout
    assert "Recep Tayyip Erdogan" in dump.stdout and "Dmitry Peskov" in dump.stdout
    assert dump.stdout.count('class="q q-') >= sum(len(get_quotes(doc)) for doc in docs)
    for doc in docs:
        assert doc.user_data["doc_id"] in dump.stdout
    # the screenshot: a PNG of the window size, not one blank colour
    png = tmp_path / "page.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1280,2000", url, profile=tmp_path / "profile-png")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.exists() and png.stat().st_size > 20_000
    width, height, rows = read_png(png, max_rows=700)  # the header, legend and first table
    assert (width, height) == (1280, 2000)
    bpp = len(rows[0]) // width
    colours = {row[i:i + 3] for row in rows[::2] for i in range(0, len(row), bpp * 2)}
    assert len(colours) > 50  # text, highlights, borders: far from a blank page

    def near(rgb: Tuple[int, int, int]) -> bool:
        return any(all(abs(c[k] - rgb[k]) <= 6 for k in range(3)) for c in colours)

    # the highlight colours of the three quote types are on screen
    assert near((0xD9, 0xEB, 0xF7)) and near((0xFD, 0xE3, 0xCF)) and near((0xEF, 0xE0, 0xF3))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                    "(apt-get install -y chromium) to lay the page out in a real browser")
def test_seed_page_fits_a_phone(seed_docs, tmp_path):
    """At 390px wide, the page does not scroll sideways (wide tables scroll in their own box)."""
    docs = seed_docs
    page = render_html(docs)
    # Headless windows are at least 500px wide, so the page goes in a 390px iframe; a script in
    # this test's outer page (not in the rendered page, which allows none) measures it.
    probe = (
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe id='phone' style='width:390px;height:844px;border:0' srcdoc=\"{html.escape(page)}\"></iframe>"
        "<script>window.addEventListener('load', function () {"
        " var d = document.getElementById('phone').contentDocument;"
        " document.body.setAttribute('data-widths', d.documentElement.scrollWidth + ' ' + d.documentElement.clientWidth"
        " + ' ' + d.querySelectorAll('mark.q').length);"
        "});</script></body></html>"
    )
    path = tmp_path / "phone.html"
    path.write_text(probe, encoding="utf-8")
    dump = _chromium("--dump-dom", "--window-size=800,900", path.resolve().as_uri(), profile=tmp_path / "profile")
    assert dump.returncode == 0, dump.stderr[-2000:]
    match = re.search(r'data-widths="(\d+) (\d+) (\d+)"', dump.stdout)
    assert match, dump.stdout[-500:]
    scroll_width, client_width, n_marks = (int(g) for g in match.groups())
    assert client_width == 390
    assert n_marks >= sum(len(get_quotes(doc)) for doc in docs)  # the page really loaded in the frame
    assert scroll_width <= client_width
