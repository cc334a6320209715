"""The annotation round trip: the model's quotes -> Label Studio / brat -> back to gold docs.

The tool files are built here the way each tool writes them (Label Studio's JSON export with
``annotations[].result[]``; brat standoff with T, R, E and # lines), from passages written for
these tests. A real ``spacy train`` of two steps runs on the converted data.
"""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from spacy_quotes.annotate import (
    AnnotationError, Region, Relation, ToolDocument, convert_brat, convert_labelstudio, export_command,
    parse_label_map, to_annotation,
)
from spacy_quotes.annotate.finetune import assemble_pipeline, write_finetune_source
from spacy_quotes.annotate.labelstudio import LABEL_CONFIG, label_config_path
from spacy_quotes.quote import get_quotes

REPO = Path(__file__).resolve().parent.parent

TEXTS = {
    "harbour": (
        "The harbour authority will close the north pier for repairs, its director said on Tuesday.\n\n"
        "\u201cWe cannot risk another collapse,\u201d said Maria Lenz, who runs the port. \u201cThe timber is "
        "rotten,\u201d she added, \u201cand the insurers agree.\u201d\n\nAccording to the city council, the "
        "work will take six weeks."
    ),
    "orchestra": (
        "The conductor told reporters that the orchestra would tour Asia next spring. \"It is the best thing "
        "we have done,\" he said. Ticket sales, a spokeswoman said, were already strong."
    ),
    "glacier": (
        "Scientists warned on Monday that the glacier had lost a fifth of its mass since 1990. \"The melt is "
        "faster every summer,\" said Tomas Berg, a researcher at the institute. The ministry said it would "
        "fund new monitoring stations."
    ),
    "bakery": (
        "\"Flour has doubled in price,\" the baker told the local paper. She said she would raise her prices "
        "in March."
    ),
}


def _quote_tuples(doc):
    """Every quote of a doc as character offsets: (content, cue, speaker, via, type)."""
    def off(span):
        return None if span is None else (span.start_char, span.end_char)
    return sorted((off(q.content), off(q.cue), off(q.speaker), off(q.via), q.type) for q in get_quotes(doc))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    path = tmp_path_factory.mktemp("texts") / "texts.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in TEXTS.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def predicted(quotes_nlp):
    """The model's quotes per text, as the round trip must give them back."""
    return {k: _quote_tuples(doc) for k, doc in zip(TEXTS, quotes_nlp.pipe(TEXTS.values()))}


def _gold(out_dir, vocab):
    docs = {}
    for name in ("train", "dev"):
        for doc in DocBin().from_disk(out_dir / f"{name}.spacy").get_docs(vocab):
            docs[doc.user_data["doc_id"]] = doc
    return docs


def _accept_predictions(tasks):
    """The Label Studio JSON export of tasks whose predictions an annotator submitted unchanged
    (Label Studio copies the prediction's result into the annotation, adding its own fields)."""
    export = []
    for i, task in enumerate(tasks, 1):
        result = [dict(item, origin="prediction") for item in task["predictions"][0]["result"]]
        export.append({
            "id": i, "data": task["data"], "meta": {}, "project": 1, "created_at": "2026-01-05T10:00:00Z",
            "annotations": [{"id": 100 + i, "completed_by": 1, "result": result, "was_cancelled": False,
                             "ground_truth": False, "lead_time": 12.5, "prediction": {}}],
            "predictions": task["predictions"], "drafts": [],
        })
    return export


# --- round trips -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def labelstudio_round_trip(quotes_nlp, base_nlp, inputs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ls")
    paths, summary = export_command([str(inputs)], quotes_nlp, tool="labelstudio", output=tmp / "tasks.json")
    tasks = json.loads((tmp / "tasks.json").read_text(encoding="utf-8"))
    export = tmp / "export.json"
    export.write_text(json.dumps(_accept_predictions(tasks), ensure_ascii=False), encoding="utf-8")
    result = convert_labelstudio(export, tmp / "out", base_nlp, dev_fraction=0.25, seed=3)
    return tmp, paths, summary, tasks, result


def test_labelstudio_export_is_the_import_format(labelstudio_round_trip, predicted):
    tmp, paths, summary, tasks, _ = labelstudio_round_trip
    assert paths == [tmp / "tasks.json", label_config_path(tmp / "tasks.json")]
    assert summary.documents == 4 and not summary.errors
    assert [t["data"]["doc_id"] for t in tasks] == list(TEXTS)
    harbour = tasks[0]
    assert harbour["data"]["text"] == TEXTS["harbour"]
    (prediction,) = harbour["predictions"]
    assert prediction["model_version"].startswith("spacy-quotes ") and 0 < prediction["score"] <= 1
    spans = [r for r in prediction["result"] if r["type"] == "labels"]
    relations = [r for r in prediction["result"] if r["type"] == "relation"]
    for r in spans:
        assert r["from_name"] == "label" and r["to_name"] == "text" and 0 <= r["score"] <= 1
        assert harbour["data"]["text"][r["value"]["start"]:r["value"]["end"]] == r["value"]["text"]
        assert r["value"]["labels"][0] in ("Content", "Cue", "Speaker")
    ids = {r["id"] for r in spans}
    assert relations and all(r["from_id"] in ids and r["to_id"] in ids for r in relations)
    # the quote 'We cannot risk another collapse' with its cue 'said' and speaker 'Maria Lenz, ...'
    by_id = {r["id"]: r["value"] for r in spans}
    content = next(r for r in spans if "We cannot risk" in r["value"]["text"])
    linked = {by_id[rel["to_id"]]["labels"][0]: by_id[rel["to_id"]]["text"]
              for rel in relations if rel["from_id"] == content["id"]}
    assert linked["Cue"] == "said" and linked["Speaker"].startswith("Maria Lenz")
    # the split quote: two contents, one cue region ('added') and one speaker region ('she')
    added = [r["id"] for r in spans if r["value"]["text"] == "added"]
    assert len(added) == 1 and sum(rel["to_id"] == added[0] for rel in relations) == 2
    # the labelling configuration: the three span labels and the relation, on the task's text
    root = ET.fromstring(label_config_path(tmp / "tasks.json").read_text(encoding="utf-8"))
    labels = root.find("Labels")
    assert labels.get("name") == "label" and labels.get("toName") == "text"
    assert [label.get("value") for label in labels] == ["Content", "Cue", "Speaker"]
    assert root.find("Text").get("value") == "$text" and root.find("Relations/Relation").get("value") == "via"
    assert LABEL_CONFIG.strip() == label_config_path(tmp / "tasks.json").read_text(encoding="utf-8").strip()


def test_labelstudio_round_trip_gives_the_models_quotes(labelstudio_round_trip, predicted, base_nlp):
    tmp, _, _, _, result = labelstudio_round_trip
    assert not result.errors and result.documents == 4 and (result.train, result.dev) == (3, 1)
    gold = _gold(tmp / "out", base_nlp.vocab)
    assert set(gold) == set(TEXTS)
    for doc_id, doc in gold.items():
        assert doc.text == TEXTS[doc_id]
        assert _quote_tuples(doc) == predicted[doc_id], doc_id
        assert doc.has_annotation("DEP")  # parsed by the base pipeline, as training needs
    records = [json.loads(line) for line in (tmp / "out" / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == list(TEXTS)
    assert sorted(r["split"] for r in records) == ["dev", "train", "train", "train"]
    assert sum(len(r["quotes"]) for r in records) == result.quotes == sum(len(v) for v in predicted.values())


def test_brat_round_trip_gives_the_models_quotes(quotes_nlp, base_nlp, inputs, predicted, tmp_path):
    paths, summary = export_command([str(inputs)], quotes_nlp, tool="brat", output=tmp_path / "coll")
    assert paths == [tmp_path / "coll"] and summary.documents == 4
    assert (tmp_path / "coll" / "annotation.conf").read_text().count("Arg1:Content") == 3
    assert (tmp_path / "coll" / "harbour.txt").read_text(encoding="utf-8") == TEXTS["harbour"]
    ann = (tmp_path / "coll" / "harbour.ann").read_text(encoding="utf-8")
    assert "\tCue " in ann and "\tAnnotatorNotes T1\tscore=" in ann and "\nR1\t" in ann
    for line in ann.splitlines():  # every T line's text is the text at its offsets
        if line.startswith("T"):
            _, spec, shown = line.split("\t")
            _, a, b = spec.split()
            assert TEXTS["harbour"][int(a):int(b)] == shown
    result = convert_brat(tmp_path / "coll", tmp_path / "out", base_nlp, dev_fraction=0.25)
    assert not result.errors and result.documents == 4
    gold = _gold(tmp_path / "out", base_nlp.vocab)
    assert {k: _quote_tuples(d) for k, d in gold.items()} == predicted


# --- what annotators write ---------------------------------------------------------------------


ANNOTATED = "\U0001F4E3 Prices will rise, the baker said. \"Flour doubled,\" she told us. Her rival agreed."


def _span(text, piece, rid, label, nth=0, utf16=False):
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    end = start + len(piece)
    if utf16:  # what some Label Studio versions store: UTF-16 code units
        start, end = len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
            "value": {"start": start, "end": end, "text": piece, "labels": [label]}}


def _rel(a, b, labels=()):
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": list(labels)}


def test_labelstudio_annotators_edits(base_nlp, tmp_path):
    t = ANNOTATED
    alice = [
        _span(t, "Prices will rise", "Xa1", "Content", utf16=True), _span(t, "said", "Xa2", "Cue", utf16=True),
        _span(t, "the baker", "Xa3", "Speaker", utf16=True), _span(t, "\"Flour doubled,\"", "Xa4", "Content", utf16=True),
        _span(t, "told", "Xa5", "Cue", utf16=True), _span(t, "she", "Xa6", "Speaker", utf16=True),
        _span(t, "us", "Xa7", "Person", utf16=True),  # a label of another project: left out
        # the direction of a relation does not matter; cue -> speaker gives the content its speaker
        _rel("Xa2", "Xa1"), _rel("Xa1", "Xa3"), _rel("Xa4", "Xa5"), _rel("Xa5", "Xa6"),
        {"id": "c1", "type": "choices", "from_name": "ok", "to_name": "text", "value": {"choices": ["yes"]}},
    ]
    bob = [_span(t, "Prices will rise", "b1", "Quote"), _span(t, "the baker", "b2", "Source"), _rel("b1", "b2")]
    export = [
        {"id": 7, "data": {"text": t, "doc_id": "baker"}, "annotations": [
            {"id": 1, "completed_by": {"id": 1, "email": "alice@example.org"}, "result": alice, "was_cancelled": False},
            {"id": 2, "completed_by": {"id": 2, "email": "bob@example.org"}, "result": bob, "was_cancelled": False},
            {"id": 3, "completed_by": 3, "result": [], "was_cancelled": True}]},
        {"id": 8, "data": {"text": "Nobody has labelled this yet."}, "annotations": [], "predictions": []},
    ]
    src = tmp_path / "export.json"
    src.write_text(json.dumps(export), encoding="utf-8")
    first = convert_labelstudio(src, tmp_path / "first", base_nlp, dev_fraction=0)
    assert not first.errors and first.stats == {"tasks": 2, "unannotated": 1} and first.documents == 1
    (record,) = [json.loads(x) for x in (tmp_path / "first" / "annotations.jsonl").read_text().splitlines()]
    assert record["id"] == "baker"
    quotes = [(t[slice(*q["content"])], t[slice(*q["cue"])], t[slice(*q["speaker"])], q["type"]) for q in record["quotes"]]
    assert quotes == [("Prices will rise", "said", "the baker", "indirect"), ('"Flour doubled,"', "told", "she", "direct")]
    both = convert_labelstudio(src, tmp_path / "all", base_nlp, annotators="all", dev_fraction=0.5)
    assert not both.errors and both.documents == 2
    records = [json.loads(x) for x in (tmp_path / "all" / "annotations.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["baker_alice@example.org", "baker_bob@example.org"]
    assert {r["split"] for r in records} == {"train"}  # one text: one side (here the only group: train)
    assert [q["cue"] for q in records[1]["quotes"]] == [None]


BRAT_TEXT = ("The mayor said that the bridge, which opened in 1931, would be repaired. \"It is safe,\" "
             "an engineer insisted, \"for now.\" Residents in Oakdale were not convinced.\n")


def _tl(tid, label, frags, text=BRAT_TEXT):
    spec = ";".join(f"{a} {b}" for a, b in frags)
    return f"{tid}\t{label} {spec}\t{' '.join(text[a:b] for a, b in frags)}"


def _off(piece, text=BRAT_TEXT, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


def test_brat_label_names_discontinuous_spans_and_several_annotators(base_nlp, tmp_path):
    t = BRAT_TEXT
    content = _off("the bridge, which opened in 1931, would be repaired")
    c1, c2 = _off('"It is safe,"'), _off('"for now."')
    lines = [
        _tl("T1", "Person", [_off("The mayor")]), _tl("T2", "Trigger", [_off("said")]),
        _tl("T3", "Quotation", [content]),
        _tl("T4", "Person", [_off("an engineer")]), _tl("T5", "Trigger", [_off("insisted")]),
        _tl("T6", "Quotation", [c1, c2]),  # a split quote: one discontinuous span
        _tl("T7", "Location", [_off("Oakdale")]),  # not a quote label: left out
        _tl("T8", "Attribution", [_off("insisted")]),
        "R1\tCue Arg1:T3 Arg2:T2", "R2\tSaidBy Arg1:T2 Arg2:T1",  # any relation name; cue -> speaker
        "E1\tAttribution:T8 Content:T6 Cue:T5 Source:T4",  # PolNeAR's n-ary event
        "A1\tConfidence T3 High", "#1\tAnnotatorNotes T3\tchecked",
    ]
    coll = tmp_path / "coll"
    coll.mkdir()
    (coll / "bridge.txt").write_text(t, encoding="utf-8")
    (coll / "bridge_alice.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (coll / "bridge_bob.ann").write_text("\n".join(lines[1:3] + ["R1\tCue Arg1:T3 Arg2:T2"]) + "\n", encoding="utf-8")
    for who in ("carol", "dan"):  # one folder per annotator, each with the text beside its .ann
        (coll / who).mkdir()
        (coll / who / "pier.txt").write_text("\"We will reopen,\" said the owner.", encoding="utf-8")
        (coll / who / "pier.ann").write_text("T1\tQuotation 0 17\t\"We will reopen,\"\nT2\tTrigger 18 22\tsaid\n"
                                             "R1\tCue Arg1:T1 Arg2:T2\n", encoding="utf-8")
    labels = "Quotation=content,Trigger=cue,Person=speaker"
    result = convert_brat(coll, tmp_path / "out", base_nlp, labels=labels, annotators="all", dev_fraction=0.5, seed=1)
    assert not result.errors and result.stats == {"files": 4}
    records = {json.loads(x)["id"]: json.loads(x) for x in (tmp_path / "out" / "annotations.jsonl").read_text().splitlines()}
    # each text's versions go to one side: train keeps every version, dev one of its text
    assert {k: r["split"] for k, r in records.items()} == {
        "bridge_alice": "train", "bridge_bob": "train", "pier_carol": "dev"}
    assert (result.train, result.dev) == (2, 1)
    alice = [(t[slice(*q["content"])], q["cue"] and t[slice(*q["cue"])], q["speaker"] and t[slice(*q["speaker"])])
             for q in records["bridge_alice"]["quotes"]]
    assert alice == [("the bridge, which opened in 1931, would be repaired", "said", "The mayor"),
                     ('"It is safe,"', "insisted", "an engineer"), ('"for now."', "insisted", "an engineer")]
    assert [q["type"] for q in records["bridge_alice"]["quotes"]] == ["indirect", "direct", "direct"]
    assert [q["speaker"] for q in records["bridge_bob"]["quotes"]] == [None]
    first = convert_brat(coll, tmp_path / "first", base_nlp, labels=labels, dev_fraction=0)
    ids = [json.loads(x)["id"] for x in (tmp_path / "first" / "annotations.jsonl").read_text().splitlines()]
    assert not first.errors and ids == ["bridge", "pier"]


# --- what cannot be mapped ---------------------------------------------------------------------


def _doc(regions, relations=(), text="\"Rain is coming,\" the forecaster said, and the mayor agreed."):
    return ToolDocument(task="task 9", doc_id="rain", text=text, regions=[Region(*r) for r in regions],
                        relations=[Relation(*r) for r in relations])


@pytest.mark.parametrize("regions,relations,problem", [
    ([("q", "content", 0, 17), ("k", "cue", 33, 37)], [("q", "k"), ("q", "s9")],
     "points to region 's9', which does not exist"),
    ([("q", "content", 0, 17), ("q2", "content", 10, 30)], [], "content region 'q2' (10..30 'oming,\" the forecast') overlaps content region 'q' (0..17 '\"Rain is coming,\"')"),
    ([("q", "content", 0, 17), ("q2", "content", 0, 17)], [], "is the same span as"),
    ([("q", "content", 0, 17), ("k", "cue", 33, 99)], [("q", "k")], "cue region 'k' has offsets 33..99 outside the text (0..60)"),
    ([("q", "content", -1, 17)], [], "outside the text"),
    ([("q", "content", 5, 5)], [], "empty or reversed offsets 5..5"),
    ([("q", "content", 0, 17), ("k", "cue", 33, 37)], [], "cue region 'k' (33..37 'said') is linked to no content"),
    ([("q", "content", 0, 17), ("k", "cue", 33, 37), ("k2", "cue", 53, 59)], [("q", "k"), ("q", "k2")],
     "content region 'q' (") ,
    ([("q", "content", 0, 17), ("q2", "content", 39, 59)], [("q", "q2")], "a relation links two content regions"),
    ([("k", "cue", 33, 37), ("s", "speaker", 18, 32)], [("k", "s")], "cue region 'k' ('said') is linked to a speaker but to no content"),
    ([("q", "content", 0, 17), ("k", "cue", 33, 37)], [("q", "k", "via")], "a 'via' relation must link a content and a speaker"),
])
def test_unmappable_documents_are_named(regions, relations, problem):
    with pytest.raises(AnnotationError) as err:
        to_annotation(_doc(regions, relations))
    assert str(err.value).startswith("task 9: ") and problem in str(err.value)


def test_two_cues_error_names_both():
    with pytest.raises(AnnotationError, match=r"has two cues: 'k' \('said'\) and 'k2' \('agreed'\)"):
        to_annotation(_doc([("q", "content", 0, 17), ("k", "cue", 33, 37), ("k2", "cue", 53, 59)],
                           [("q", "k"), ("q", "k2")]))


def test_nested_content_and_via_are_kept():
    text = "The minister rejected the claim by the union that \"wages fell\", state radio reported."
    record = to_annotation(_doc([
        ("outer", "content", 22, 62), ("inner", "content", 50, 62), ("s", "speaker", 35, 44),
        ("k", "cue", 76, 84), ("r", "speaker", 64, 75)], [("inner", "s"), ("outer", "k"), ("outer", "r", "via")],
        text=text))
    outer, inner = record["quotes"]
    assert text[slice(*outer["content"])] == "the claim by the union that \"wages fell\""
    assert text[slice(*outer["via"])] == "state radio" and outer["speaker"] is None
    assert text[slice(*inner["speaker"])] == "the union" and inner["type"] == "direct"


def test_convert_reports_bad_tasks_and_writes_the_rest(base_nlp, tmp_path):
    good = {"id": 1, "data": {"text": "\"Yes,\" she said."}, "annotations": [{"id": 1, "result": [
        _span("\"Yes,\" she said.", "\"Yes,\"", "a", "Content"), _span("\"Yes,\" she said.", "said", "b", "Cue"),
        _rel("a", "b")]}]}
    text = "\"No,\" he said."
    missing = {"id": 2, "data": {"text": text, "doc_id": "no"}, "annotations": [{"id": 2, "result": [
        _span(text, "\"No,\"", "a", "Content"), _rel("a", "zz")]}]}
    shifted = {"id": 3, "data": {"text": text}, "annotations": [{"id": 3, "result": [
        {"id": "a", "type": "labels", "value": {"start": 1, "end": 5, "text": "\"No,\"", "labels": ["Content"]}}]}]}
    outside = {"id": 4, "data": {"text": text}, "annotations": [{"id": 4, "result": [
        {"id": "a", "type": "labels", "value": {"start": 6, "end": 40, "labels": ["Cue"]}}]}]}
    no_text = {"id": 5, "data": {"body": text}, "annotations": [{"id": 5, "result": []}]}
    src = tmp_path / "export.json"
    src.write_text(json.dumps([good, missing, shifted, outside, no_text, "junk"]), encoding="utf-8")
    messages = []
    result = convert_labelstudio(src, tmp_path / "out", base_nlp, dev_fraction=0, on_error=messages.append)
    assert result.documents == 1 and result.quotes == 1 and len(result.errors) == 5 == len(messages)
    assert messages[0] == ("export.json: task 2 (no): a relation from 'a' to 'zz' points to region 'zz', "
                           "which does not exist")
    assert messages[1].startswith("export.json: task 3 (task_3): region 'a': its text '\"No,\"' is not the text at 1..5")
    assert messages[2] == "export.json: task 4 (task_4): cue region 'a' has offsets 6..40 outside the text (0..14)"
    assert messages[3] == "export.json: task 5: data.text is not a string (use --text-key for another field)"
    assert messages[4] == "export.json: task #5: not a task object with a 'data' object"
    assert len(DocBin().from_disk(tmp_path / "out" / "train.spacy")) == 1


def test_brat_files_that_cannot_be_read_are_named(base_nlp, tmp_path):
    coll = tmp_path / "coll"
    coll.mkdir()
    (coll / "ok.txt").write_text("\"Fine,\" he said.", encoding="utf-8")
    (coll / "ok.ann").write_text("T1\tContent 0 7\t\"Fine,\"\nT2\tCue 11 15\tsaid\nR1\tCue Arg1:T1 Arg2:T2\n")
    (coll / "orphan.ann").write_text("T1\tContent 0 4\tabcd\n")
    (coll / "bad.txt").write_text("\"Fine,\" he said.", encoding="utf-8")
    (coll / "bad.ann").write_text("T1\tContent zero 7\t\"Fine,\"\n")
    (coll / "dangling.txt").write_text("\"Fine,\" he said.", encoding="utf-8")
    (coll / "dangling.ann").write_text("T1\tContent 0 7\t\"Fine,\"\nR1\tCue Arg1:T1 Arg2:T7\n")
    (coll / "latin1.txt").write_bytes("\"S\xed,\" dijo.".encode("latin-1"))
    (coll / "latin1.ann").write_text("T1\tContent 0 5\tx\n")
    messages = []
    result = convert_brat(coll, tmp_path / "out", base_nlp, dev_fraction=0, on_error=messages.append)
    assert result.documents == 1 and sorted(m.split(":")[0] for m in messages) == [
        "bad.ann", "dangling.ann", "latin1.ann", "orphan.ann"]
    text = "\n".join(messages)
    assert "bad.ann: line 1: malformed brat line 'T1\\tContent zero 7" in text
    assert "dangling.ann: R1 points to T7, which is not a span of this file" in text
    assert "latin1.ann: latin1.txt is not UTF-8" in text
    assert "orphan.ann: no text file for it" in text
    with pytest.raises(ValueError, match="no brat .ann files"):
        convert_brat(tmp_path / "out", tmp_path / "out2", base_nlp)


def test_label_map_and_bad_exports(base_nlp, tmp_path):
    mapping = parse_label_map("Quotation=content, Trigger=CUE,source=ignore")
    assert mapping["quotation"] == "content" and mapping["trigger"] == "cue" and "source" not in mapping
    for spec, problem in (("Quotation", "is not NAME=ROLE"), ("Quotation=claim", "the role must be one of")):
        with pytest.raises(ValueError, match=problem):
            parse_label_map(spec)
    for content, problem in ((b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"), (b"{\"id\": 1,", "not a Label Studio JSON export"),
                             (b"42", "a Label Studio JSON export is a list of tasks")):
        (tmp_path / "bad.json").write_bytes(content)
        with pytest.raises(ValueError, match=problem):
            convert_labelstudio(tmp_path / "bad.json", tmp_path / "out", base_nlp)


# --- the command line --------------------------------------------------------------------------


def test_cli_export_and_convert(inputs, tmp_path):
    from spacy_quotes.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["annotate", "export", str(inputs), "-o", str(tmp_path / "coll"), "--tool", "brat", "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "coll").iterdir())[:3] == ["annotation.conf", "bakery.ann", "bakery.txt"]
    res = runner.invoke(app, ["annotate", "export", str(inputs), "-o", str(tmp_path / "coll"), "--tool", "brat"])
    assert res.exit_code == 2 and "already holds .ann files" in res.output
    (tmp_path / "coll" / "glacier.ann").write_text("T1\tContent 0 10\tScientist\nR1\tCue Arg1:T1 Arg2:T9\n")
    res = runner.invoke(app, ["convert", "brat", str(tmp_path / "coll"), str(tmp_path / "out"), "--dev-fraction", "0.4"])
    assert res.exit_code == 1
    assert "error: glacier.ann: R1 points to T9, which is not a span of this file" in res.output
    assert "3 documents (2 train, 1 dev)" in res.output
    res = runner.invoke(app, ["convert", "labelstudio", str(tmp_path / "missing.json"), str(tmp_path / "o")])
    assert res.exit_code == 2 and "no such file" in res.output


# --- training on the converted data ------------------------------------------------------------


def test_spacy_train_fine_tunes_from_the_shipped_weights(labelstudio_round_trip, tmp_path):
    """A real `spacy train` of two steps with configs/quotes_finetune.cfg on converted data: it
    starts from the shipped weights (dev scores at step 0 are theirs) and saves a pipeline."""
    out = labelstudio_round_trip[0] / "out"
    source = write_finetune_source(tmp_path / "shipped")
    proc = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(REPO / "configs" / "quotes_finetune.cfg"),
         "--paths.source", str(source), "--paths.train", str(out / "train.spacy"), "--paths.dev", str(out / "dev.spacy"),
         "--training.max_steps", "2", "--training.eval_frequency", "1", "--output", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300, cwd=str(REPO))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [int(r[1]) for r in rows] == [0, 1, 2]
    # the dev data are the model's own quotes: at step 0 the shipped weights find them all
    assert float(rows[0][-1]) == pytest.approx(1.0, abs=0.005), rows
    tuned = spacy.load(tmp_path / "run" / "model-last")
    assert tuned.get_pipe("quotes").is_initialized
    # a ready pipeline for raw text: base + the fine-tuned quotes, speaker names resolved
    nlp = assemble_pipeline(tmp_path / "run" / "model-last", tmp_path / "ready")
    assert nlp.pipe_names[-1] == "quotes" and "parser" in nlp.pipe_names
    assert nlp.get_pipe("quotes").cfg["resolve_speakers"] is True
    doc = spacy.load(tmp_path / "ready")(TEXTS["glacier"])
    assert any(q.speaker is not None and q.speaker.text.startswith("Tomas Berg") for q in get_quotes(doc))


# --- a real Label Studio ---------------------------------------------------------------------------

_LABEL_STUDIO = os.environ.get("SPACY_QUOTES_LABEL_STUDIO") or shutil.which("label-studio")
_TOKEN = "0123456789abcdef0123456789abcdef01234567"
# Label Studio 1.14+ disables legacy API tokens for new organisations: switch them on for the test
_ENABLE_TOKENS = """
import os, sys, django
import label_studio
sys.path.insert(0, os.path.dirname(label_studio.__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.label_studio")
django.setup()
try:
    from jwt_auth.models import JWTSettings
except ImportError:  # before 1.14: legacy tokens are the only kind
    sys.exit(0)
from organizations.models import Organization
for org in Organization.objects.all():
    settings, _ = JWTSettings.objects.get_or_create(organization=org)
    settings.legacy_api_tokens_enabled = True
    settings.save()
"""


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(_LABEL_STUDIO is None, reason="label-studio is not installed (pip install label-studio in a "
                    "separate venv and set SPACY_QUOTES_LABEL_STUDIO to its label-studio executable)")
def test_real_label_studio_round_trip(quotes_nlp, base_nlp, inputs, predicted, tmp_path):
    """Label Studio itself on loopback: create a project with the exported labelling config,
    import the tasks through its API, submit each prediction as an annotation, export JSON and
    convert it: the model's quotes come back."""
    import time
    import urllib.error
    import urllib.request

    export_command([str(inputs)], quotes_nlp, tool="labelstudio", output=tmp_path / "tasks.json")
    port = _free_port()
    env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(tmp_path / "ls"), LABEL_STUDIO_USERNAME="test@example.com",
               LABEL_STUDIO_PASSWORD="a-test-password-1", LABEL_STUDIO_USER_TOKEN=_TOKEN,
               SENTRY_DSN="", FRONTEND_SENTRY_DSN="")
    python = str(Path(_LABEL_STUDIO).resolve().parent / "python")
    log = (tmp_path / "ls.log").open("w")
    server = subprocess.Popen([_LABEL_STUDIO, "start", "--no-browser", "--host", "127.0.0.1", "--port", str(port),
                               "--internal-host", "127.0.0.1"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              cwd=str(tmp_path))
    base = f"http://127.0.0.1:{port}"

    def call(method, path, body=None):
        req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Token {_TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read() or b"null")

    try:
        deadline = time.time() + 480
        while True:
            assert server.poll() is None, (tmp_path / "ls.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(base + "/health", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            assert time.time() < deadline, "Label Studio did not start in 8 minutes"
            time.sleep(3)
        subprocess.run([python, "-c", _ENABLE_TOKENS], env=env, check=True, capture_output=True, timeout=240,
                       cwd=str(tmp_path))
        config = label_config_path(tmp_path / "tasks.json").read_text(encoding="utf-8")
        project = call("POST", "/api/projects", {"title": "spacy-quotes test", "label_config": config})
        imported = call("POST", f"/api/projects/{project['id']}/import",
                        json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8")))
        assert imported["task_count"] == len(TEXTS) and imported["prediction_count"] == len(TEXTS)
        listed = call("GET", f"/api/tasks?project={project['id']}")
        for task in listed["tasks"] if isinstance(listed, dict) else listed:
            full = call("GET", f"/api/tasks/{task['id']}")
            call("POST", f"/api/tasks/{task['id']}/annotations",
                 {"result": full["predictions"][0]["result"], "was_cancelled": False, "ground_truth": False})
        exported = call("GET", f"/api/projects/{project['id']}/export?exportType=JSON&download_all_tasks=true")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    (tmp_path / "export.json").write_text(json.dumps(exported), encoding="utf-8")
    result = convert_labelstudio(tmp_path / "export.json", tmp_path / "out", base_nlp, dev_fraction=0)
    assert not result.errors and result.documents == len(TEXTS)
    gold = _gold(tmp_path / "out", base_nlp.vocab)
    assert {k: _quote_tuples(d) for k, d in gold.items()} == predicted
