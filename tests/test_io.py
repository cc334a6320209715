"""Reading inputs, long-text chunking, streaming records and --resume (spacy_quotes.io).

The pipeline here is a blank English pipeline with a small rule-based component that writes
quotes with set_quote_groups, so every expected record is spelled out in the test.
"""
import io
import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from spacy_quotes.io import (
    BOM,
    DocResult,
    InputError,
    InputReadError,
    InputText,
    decode_text,
    expand_inputs,
    iter_jsonl_texts,
    merge_chunk_records,
    pipe_records,
    prepare_resume,
    read_inputs,
    read_text_file,
    shift_record,
    split_text,
)
from spacy_quotes.quote import get_quotes, set_quote_groups

# '"Content," Speaker Name said.' -> content (with its marks), speaker, cue.
RULE = re.compile(r'(?P<content>"[^"\n]+")\s*(?P<speaker>[A-Z][a-z]+(?: [A-Z][a-z]+)?) (?P<cue>said)')


@Language.component("test_io_rule_quotes")
def rule_quotes(doc: Doc) -> Doc:
    """Mark '"...," Name said' as a direct quote of Name (cue 'said'); 'BOOM' raises."""
    if "BOOM" in doc.text:
        raise ValueError("BOOM in the text")
    items = []
    for m in RULE.finditer(doc.text):
        name = m.group("speaker")
        items.append({
            "content": m.span("content"), "cue": m.span("cue"), "speaker": m.span("speaker"),
            "speaker_name": name, "speaker_id": name, "score": 0.9,
        })
    set_quote_groups(doc, items)
    return doc


def records_of(doc: Doc, doc_id: str) -> List[Dict[str, Any]]:
    return [q.to_dict(doc_id) for q in get_quotes(doc)]


@pytest.fixture(scope="module")
def rule_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_io_rule_quotes", name="quotes")
    return nlp


def check_records(records: List[Dict[str, Any]], text: str) -> None:
    for i, rec in enumerate(records):
        assert rec["index"] == i
        assert rec["text"] == text[rec["start"]:rec["end"]]
        for role in ("cue", "speaker"):
            if rec[role] is not None:
                assert rec[role]["text"] == text[rec[role]["start"]:rec[role]["end"]]


# --- reading ---------------------------------------------------------------------------


def test_read_text_file_keeps_newlines_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(BOM.encode("utf-8") + b'"Hi," Ann said.\r\nNext line.\r\n')
    text = read_text_file(path)
    assert text == BOM + '"Hi," Ann said.\r\nNext line.\r\n'
    assert text == path.open(encoding="utf-8", newline="").read()


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"abc\x00def", "binary file: NUL byte at byte 3"),
        (b"\xff\xfeh\x00i\x00", "UTF-16"),
        (b"caf\xe9 ok\n", "not valid UTF-8"),
        (b"line one\nline \xc3\x28 two", "line 2"),
    ],
)
def test_decode_text_rejects_binary_and_bad_utf8(data: bytes, reason: str) -> None:
    with pytest.raises(InputReadError, match=re.escape(reason)):
        decode_text(data, "file")


def test_expand_inputs_sorted_recursive(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "b" / "skip.md").write_text("md")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "c.TXT").write_text("c")
    got = list(expand_inputs([tmp_path, "-", tmp_path / "missing.txt"]))
    assert got[:3] == [tmp_path / "a.txt", tmp_path / "b" / "z.txt", tmp_path / "c.TXT"]
    assert got[3] == "-"
    assert isinstance(got[4], InputError) and "missing.txt" in got[4].source


def test_jsonl_ids_line_numbers_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": "first", "text": "One.\r\nTwo."}),
        json.dumps({"text": "no id here"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "x", "body": "no text"}),
        json.dumps({"id": 7, "text": "numeric id"}),
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n" + b'{"id": "bad", "text": "caf\xe9"}\n')
    items = list(iter_jsonl_texts(path))
    texts = [i for i in items if isinstance(i, InputText)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [(t.doc_id, t.text) for t in texts] == [("first", "One.\r\nTwo."), ("2", "no id here"), ("7", "numeric id")]
    assert [e.source for e in errors] == [f"{path}:4", f"{path}:5", f"{path}:6", f"{path}:8"]
    assert "not valid JSON" in errors[0].reason
    assert "'text' is missing" in errors[2].reason
    assert "UTF-8" in errors[3].reason


def test_jsonl_binary_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b"\x00\x01\x02\n" * 50)
    items = list(iter_jsonl_texts(path))
    assert len(items) == 1 and isinstance(items[0], InputError) and "binary" in items[0].reason


def test_read_inputs_reports_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text('"Yes," Ann said.', encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Café".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    stdin = io.BytesIO('"From stdin," Bo said.'.encode("utf-8"))
    items = list(read_inputs([tmp_path, "-", tmp_path / "nope.txt"], stdin=stdin))
    kinds = [(type(i).__name__, Path(i.source).name) for i in items]
    assert kinds == [
        ("InputError", "bin.txt"), ("InputText", "empty.txt"), ("InputText", "good.txt"),
        ("InputError", "latin1.txt"), ("InputText", "<stdin>"), ("InputError", "nope.txt"),
    ]
    assert items[2].doc_id == "good" and items[4].doc_id == "stdin"
    assert items[4].text == '"From stdin," Bo said.'


# --- chunking --------------------------------------------------------------------------


def test_split_text_short_text_is_one_chunk() -> None:
    assert split_text("Short.", 100) == [(0, "Short.")]
    assert split_text("", 100) == []
    assert split_text(BOM + "Hi.", 100) == [(1, "Hi.")]


def test_split_text_prefers_paragraphs() -> None:
    paras = ["First paragraph here.", "Second one, a bit longer.", "Third."]
    text = "\n\n".join(paras)
    chunks = split_text(text, 30)
    assert [c for _, c in chunks] == ["First paragraph here.\n\n", "Second one, a bit longer.\n\n", "Third."]
    for offset, chunk in chunks:
        assert text[offset:offset + len(chunk)] == chunk


@pytest.mark.parametrize("max_length", [1, 7, 20, 33, 64, 200])
def test_split_text_covers_the_text(max_length: int) -> None:
    text = (
        "A paragraph. With sentences! And more?\r\n\r\nLine one\nline two\n"
        + "x" * 50 + " tail words here.\n\n\nLast."
    )
    chunks = split_text(text, max_length)
    assert "".join(c for _, c in chunks) == text
    pos = 0
    for offset, chunk in chunks:
        assert offset == pos and 0 < len(chunk) <= max_length
        pos += len(chunk)


def test_split_text_falls_back_to_sentences_then_spaces() -> None:
    text = "One sentence here. Another sentence there. A third one."
    chunks = [c for _, c in split_text(text, 25)]
    assert chunks == ["One sentence here. ", "Another sentence there. ", "A third one."]
    words = [c for _, c in split_text("aaaa bbbb cccc dddd", 10)]
    assert words == ["aaaa bbbb ", "cccc dddd"]


def test_shift_and_merge_records() -> None:
    rec = {"doc_id": "d", "index": 0, "text": "x", "start": 1, "end": 2,
           "cue": {"text": "said", "start": 3, "end": 7}, "speaker": None, "score": 0.5}
    shifted = shift_record(rec, 10)
    assert (shifted["start"], shifted["end"], shifted["cue"]["start"], shifted["cue"]["end"]) == (11, 12, 13, 17)
    assert shifted["speaker"] is None and rec["start"] == 1  # the original is unchanged
    merged = merge_chunk_records([(0, [dict(rec)]), (20, [dict(rec), dict(rec, start=4, end=5)])])
    assert [(r["index"], r["start"]) for r in merged] == [(0, 1), (1, 21), (2, 24)]


LONG_PARAS = [
    '"We will win," Ann Lee said on Monday.',
    "Nothing was said here at all, only some filler words.",
    '"Prices will rise," Bob said. "They must," Ann Lee said.',
    "Filler again.\nAnd a line.",
    '"The end is near," Cy said.',
]


def test_pipe_records_chunked_equals_whole(rule_nlp: Language) -> None:
    text = BOM + "\n\n".join(LONG_PARAS)
    item = InputText("long", text, "long.txt")
    whole = list(pipe_records(rule_nlp, [item], records_from_doc=records_of))
    chunked = list(pipe_records(rule_nlp, [item], max_length=60, records_from_doc=records_of))
    assert len(split_text(text, 60)) >= 4
    assert len(whole) == len(chunked) == 1
    assert [r["text"] for r in chunked[0].records] == [
        "We will win", "Prices will rise", "They must", "The end is near"]
    assert chunked[0].records == whole[0].records
    check_records(chunked[0].records, text)
    assert [r["speaker"]["text"] for r in chunked[0].records] == ["Ann Lee", "Bob", "Ann Lee", "Cy"]


def test_pipe_records_order_empty_and_failures(rule_nlp: Language) -> None:
    items = [
        InputText("a", '"One," Ann said.', "a.txt"),
        InputText("empty", "", "empty.txt"),
        InputText("boom", "BOOM goes the text.", "boom.txt"),
        InputText("long-boom", "Fine paragraph.\n\nBOOM paragraph.\n\nFine again.", "lb.txt"),
        InputText("b", '"Two," Bo said. "Three," Bo said.', "b.txt"),
    ]
    results = list(pipe_records(rule_nlp, items, batch_size=1, max_length=20, skip_errors=True,
                                records_from_doc=records_of))
    assert [r.item.doc_id for r in results] == ["a", "empty", "boom", "long-boom", "b"]
    assert [r.error is None for r in results] == [True, True, False, False, True]
    assert "BOOM in the text" in results[2].error and "BOOM in the text" in results[3].error
    assert rule_nlp.default_error_handler is spacy.util.raise_error  # handlers restored
    with pytest.raises(ValueError, match="BOOM"):  # without skip_errors, errors stop the run
        list(pipe_records(rule_nlp, items, batch_size=1, records_from_doc=records_of))
    assert results[1].records == []
    assert [rec["text"] for rec in results[4].records] == ["Two", "Three"]
    assert [rec["index"] for rec in results[4].records] == [0, 1]
    assert all(isinstance(r, DocResult) for r in results)


# --- resume ----------------------------------------------------------------------------


def _lines(*records: Dict[str, Any]) -> bytes:
    return b"".join(json.dumps(r).encode("utf-8") + b"\n" for r in records)


def test_prepare_resume_drops_partial_line_and_last_doc(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = _lines({"doc_id": "a", "index": 0}, {"doc_id": "a", "index": 1}, {"doc_id": "b", "index": 0})
    out.write_bytes(done + _lines({"doc_id": "c", "index": 0}) + b'{"doc_id": "c", "ind')
    assert prepare_resume(out) == {"a", "b"}
    assert out.read_bytes() == done


def test_prepare_resume_missing_empty_and_corrupt(tmp_path: Path) -> None:
    assert prepare_resume(tmp_path / "none.jsonl") == set()
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b'{"doc_id": "a", "in')  # only a partial line
    assert prepare_resume(empty) == set() and empty.read_bytes() == b""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"not json\n" + _lines({"doc_id": "a"}))
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        prepare_resume(bad)
