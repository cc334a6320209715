"""Annotation JSONL: reading, validating, gold docs, the round trip, and the seed corpus."""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from spacy_quotes.annotations import (
    annotations_to_docs,
    docs_to_annotations,
    read_annotation_jsonl,
    validate_annotation,
    write_annotation_jsonl,
)
from spacy_quotes.base import load_base
from spacy_quotes.marks import quote_type
from spacy_quotes.quote import CUE_KEY, QUOTE_TYPES, SPEAKER_KEY, get_quotes, set_quote_groups

REPO = Path(__file__).resolve().parents[1]
SEEDS_JSONL = REPO / "corpus" / "seeds.jsonl"
BUILD_SCRIPT = REPO / "corpus" / "tools" / "build_seeds.py"
SHARED = REPO.parent  # record["source"] ("shared/seeds/<file>") is relative to this folder
MIN_QUOTES_PER_ARTICLE = 15

PASSAGE = (
    "“We will not back down,” the minister said. “Talks can wait,” she added, “until the "
    "guns fall silent.” Officials said that the border would stay closed. The agency called the "
    "plan “a fantasy” in a statement."
)


def _span(text: str, s: str, occurrence: int = 0) -> list:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(s, start + 1)
    return [start, start + len(s)]


def _passage_quotes() -> list:
    t = PASSAGE
    minister = {"cue": _span(t, "said"), "speaker": _span(t, "the minister"), "speaker_name": "the minister"}
    added = {"cue": _span(t, "added"), "speaker": _span(t, "she"), "speaker_name": "the minister"}
    return [
        {"type": "direct", "content": _span(t, "“We will not back down,”"), **minister, "via": None},
        {"type": "direct", "content": _span(t, "“Talks can wait,”"), **added, "via": None},
        {"type": "direct", "content": _span(t, "“until the guns fall silent.”"), **added, "via": None},
        {"type": "indirect", "content": _span(t, "the border would stay closed"),
         "cue": _span(t, "said", 1), "speaker": _span(t, "Officials"), "speaker_name": "Officials", "via": None},
        {"type": "mixed", "content": _span(t, "the plan “a fantasy”"), "cue": _span(t, "called"),
         "speaker": _span(t, "The agency"), "speaker_name": "The agency", "via": None},
    ]


@pytest.fixture(scope="module")
def nlp():
    return load_base()


@pytest.fixture(scope="module")
def seed_records():
    return list(read_annotation_jsonl(SEEDS_JSONL))


def _write_lines(path: Path, lines: list) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _good_record(doc_id: str = "a") -> dict:
    return {"id": doc_id, "text": "He said it rains.", "quotes": [
        {"type": "indirect", "content": [8, 16], "cue": [3, 7], "speaker": [0, 2], "speaker_name": "He", "via": None}]}


# ---------------------------------------------------------------- round trip


def test_docs_to_annotations_gives_the_span_offsets(nlp):
    doc = nlp(PASSAGE)
    doc.user_data["doc_id"] = "passage"
    items = [{**q, "speaker_id": q["speaker_name"]} for q in _passage_quotes()]
    set_quote_groups(doc, items)
    (record,) = list(docs_to_annotations([doc]))
    assert record["id"] == "passage"
    assert record["text"] == PASSAGE
    assert record["quotes"] == _passage_quotes()
    # the split quote shares one cue and one speaker span
    assert len(doc.spans[CUE_KEY]) == 4
    assert [PASSAGE[slice(*q["content"])] for q in record["quotes"]][2] == "“until the guns fall silent.”"


def test_round_trip_docs_annotations_docs(nlp, tmp_path):
    doc = nlp(PASSAGE)
    doc.user_data["doc_id"] = "passage"
    set_quote_groups(doc, [{**q, "speaker_id": q["speaker_name"]} for q in _passage_quotes()])
    path = tmp_path / "pred.jsonl"
    assert write_annotation_jsonl(docs_to_annotations([doc], include_scores=True), path) == 1
    (record,) = list(read_annotation_jsonl(path))
    assert all(q["score"] == 1.0 for q in record["quotes"])
    (gold,) = list(annotations_to_docs([record], nlp))
    assert gold.user_data["doc_id"] == "passage"
    assert [t.text for t in gold] == [t.text for t in doc]
    assert gold.has_annotation("DEP")  # parsed by the base pipeline
    before, after = get_quotes(doc), get_quotes(gold)
    assert len(after) == 5
    for a, b in zip(before, after):
        assert (b.content.start_char, b.content.end_char) == (a.content.start_char, a.content.end_char)
        assert b.type == a.type
        assert b.cue.text == a.cue.text and b.speaker.text == a.speaker.text
        assert b.speaker_name == a.speaker_name
        assert b.speaker_id == b.speaker_name  # gold: the id is the name
    assert [q.text for q in after][:4] == [
        "We will not back down", "Talks can wait", "until the guns fall silent.", "the border would stay closed"]
    assert after[1].speaker.text == "she" and after[2].speaker.text == "she"
    assert len(gold.spans[SPEAKER_KEY]) == 4
    # and back again: the same record
    (again,) = list(docs_to_annotations([gold]))
    assert again["quotes"] == _passage_quotes()


def test_annotations_to_docs_keeps_source_and_infers_missing_type(nlp):
    record = {"id": "x", "source": "somewhere/x.txt", "text": "“Yes,” he said.",
              "quotes": [{"content": [0, 6], "cue": [10, 14], "speaker": [7, 9], "speaker_name": "he"}]}
    (doc,) = list(annotations_to_docs([validate_annotation(record)], nlp))
    (quote,) = get_quotes(doc)
    assert quote.type == "direct"
    assert (quote.cue.text, quote.speaker.text) == ("said", "he")
    (back,) = list(docs_to_annotations([doc]))
    assert back["source"] == "somewhere/x.txt"
    assert back["quotes"][0]["via"] is None and "score" not in back["quotes"][0]


def test_docs_without_quotes_give_empty_lists(nlp):
    (record,) = list(docs_to_annotations([nlp.make_doc("Nothing to see.")]))
    assert record == {"id": "0", "text": "Nothing to see.", "quotes": []}


# ---------------------------------------------------------------- bad input


def test_bad_json_names_file_and_line(tmp_path):
    path = _write_lines(tmp_path / "bad.jsonl", [json.dumps(_good_record()), "", '{"id": "b", "text": '])
    records = read_annotation_jsonl(path)
    assert next(records)["id"] == "a"
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}:3: invalid JSON"):
        next(records)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda r: r["quotes"][0].update(content=[8, 99]), r"quote 0: 'content' offsets \[8, 99\]"),
        (lambda r: r["quotes"][0].update(cue=[5, 5]), r"quote 0: 'cue' offsets"),
        (lambda r: r["quotes"][0].update(speaker=[0]), r"quote 0: 'speaker' must be \[start, end\]"),
        (lambda r: r["quotes"][0].update(via=["0", "2"]), r"quote 0: 'via' must be"),
        (lambda r: r["quotes"][0].pop("content"), r"quote 0: 'content' is missing"),
        (lambda r: r["quotes"][0].update(type="reported"), r"quote 0: 'type' must be one of"),
        (lambda r: r["quotes"][0].update(speaker_name=3), r"quote 0: 'speaker_name' must be"),
        (lambda r: r.pop("text"), r"'text' must be a string"),
        (lambda r: r.update(id=""), r"'id' must be a non-empty string"),
        (lambda r: r.update(quotes={}), r"'quotes' must be a list"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path, change, message):
    bad = _good_record("b")
    change(bad)
    path = _write_lines(tmp_path / "bad.jsonl", [json.dumps(_good_record()), json.dumps(bad)])
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}:2: {message}"):
        list(read_annotation_jsonl(path))


def test_non_object_line_and_repeated_id(tmp_path):
    path = _write_lines(tmp_path / "list.jsonl", ["[1, 2]"])
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}:1: expected a JSON object, got list"):
        list(read_annotation_jsonl(path))
    path = _write_lines(tmp_path / "dup.jsonl", [json.dumps(_good_record()), json.dumps(_good_record())])
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}:2: id 'a' repeats the id of line 1"):
        list(read_annotation_jsonl(path))


# ---------------------------------------------------------------- the seed corpus


def test_seed_corpus_validates(seed_records):
    assert len(seed_records) == 5
    assert len({r["id"] for r in seed_records}) == 5
    for record in seed_records:
        text = record["text"]
        assert record["source"] == f"shared/seeds/{record['id']}.txt"
        assert len(record["quotes"]) >= MIN_QUOTES_PER_ARTICLE, record["id"]
        for quote in record["quotes"]:
            content = text[slice(*quote["content"])]
            assert content.strip() == content and content.strip(" \"“”,.")
            assert quote["type"] in QUOTE_TYPES
            assert quote["type"] == quote_type(text, *quote["content"]), (record["id"], content)
            if quote["speaker"] is not None:
                assert quote["speaker_name"], (record["id"], content)
            else:  # a continuation paragraph: no cue of its own, but its speaker is known
                assert quote["cue"] is None and quote["speaker_name"]
            roles = [quote[r] for r in ("content", "cue", "speaker", "via") if quote[r] is not None]
            for i, (a1, b1) in enumerate(roles):  # the parts of one quote never overlap
                for a2, b2 in roles[i + 1:]:
                    assert b1 <= a2 or b2 <= a1, (record["id"], content)
    assert sum(len(r["quotes"]) for r in seed_records) >= 100


def test_seed_corpus_spans_do_not_cross(seed_records):
    for record in seed_records:
        spans = sorted({tuple(q[r]) for q in record["quotes"] for r in ("content", "cue", "speaker", "via") if q[r]})
        for i, (a1, b1) in enumerate(spans):
            for a2, b2 in spans[i + 1:]:
                assert not (a1 < a2 < b1 < b2), (record["id"], (a1, b1), (a2, b2))


def test_seed_corpus_spot_checks(seed_records):
    by_id = {r["id"]: r for r in seed_records}
    record = by_id["001_6e71cad11a8e8717"]
    text = record["text"]

    def find(content_start: str) -> dict:
        (quote,) = [q for q in record["quotes"] if text[slice(*q["content"])].startswith(content_start)]
        return quote

    declare = find("“I hereby declare")  # the example of QUOTES_JSONL.md
    assert declare["cue"] == [2401, 2406] and declare["speaker"] == [2398, 2400]
    assert declare["speaker_name"] == "Recep Tayyip Erdogan" and declare["type"] == "direct"
    sana = find("“The head of the Turkish regime")
    assert text[slice(*sana["speaker"])] == "a source at the Foreign Ministry"
    assert text[slice(*sana["via"])] == "state news agency SANA"
    peskov = find("“all these groups")
    assert peskov["speaker_name"] == "Dmitry Peskov" and text[slice(*peskov["speaker"])] == "he"


@pytest.mark.skipif(not (SHARED / "shared" / "seeds").is_dir(), reason="shared seed articles not present")
def test_seed_texts_equal_the_shared_files(seed_records):
    for record in seed_records:
        with open(SHARED / record["source"], encoding="utf-8", newline="") as fh:
            assert record["text"] == fh.read(), record["id"]


@pytest.mark.skipif(not (SHARED / "shared" / "seeds").is_dir(), reason="shared seed articles not present")
def test_seed_corpus_is_what_the_spec_builds(seed_records):
    spec = importlib.util.spec_from_file_location("build_seeds", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(SHARED / "shared" / "seeds")
    assert module.verify(built) == []
    assert built == seed_records


def test_seed_corpus_gold_docs_round_trip(nlp, seed_records):
    docs = list(annotations_to_docs(seed_records, nlp))
    for record, doc in zip(seed_records, docs):
        assert doc.user_data["doc_id"] == record["id"]
        for quote in record["quotes"]:  # every gold span lies on token boundaries
            for role in ("content", "cue", "speaker", "via"):
                if quote[role] is not None:
                    assert doc.char_span(*quote[role]) is not None, (record["id"], role, quote[role])
    assert list(docs_to_annotations(docs)) == seed_records
