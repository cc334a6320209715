"""The command line: extract (inputs, errors, chunking, --resume, formats), exporters,
convert polnear, evaluate; the real console script once, in a subprocess.

Most tests run a small rule-based pipeline (saved to disk and loaded with --model) so the
expected records are spelled out here. A pipeline with the real ``quotes`` component,
trained in a few seconds on three sentences, checks the console script and ``evaluate``;
with the shipped weights installed, the default model is checked on the seed articles
(structure and validity only).
"""
import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from typer.testing import CliRunner

from spacy_quotes.cli import Progress, app, metrics_table
from spacy_quotes.quote import set_quote_groups

SEEDS = Path("/work/shared/seeds")
SHIPPED = Path(__file__).resolve().parent.parent / "spacy_quotes" / "model" / "quotes" / "model"
RECORD_FIELDS = {"doc_id", "index", "type", "text", "start", "end", "cue", "speaker", "speaker_name", "speaker_id", "score"}

# '"Content," Speaker Name said.' -> a direct quote of Speaker Name, cue 'said'.
RULE = re.compile(r'(?P<content>"[^"\n]+")\s*(?P<speaker>[A-Z][a-z]+(?: [A-Z][a-z]+)?) (?P<cue>said)')


@Language.component("test_cli_rule_quotes")
def rule_quotes(doc: Doc) -> Doc:
    """Mark '"...," Name said' as a direct quote of Name; a text with 'BOOM' makes it fail."""
    if "BOOM" in doc.text:
        raise ValueError("BOOM in the text")
    items = []
    for m in RULE.finditer(doc.text):
        name = m.group("speaker")
        items.append({"content": m.span("content"), "cue": m.span("cue"), "speaker": m.span("speaker"),
                      "speaker_name": name, "speaker_id": name, "score": 0.9})
    set_quote_groups(doc, items)
    return doc


@pytest.fixture(scope="module")
def rule_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved pipeline: blank English + the rule component, named 'quotes'."""
    nlp = spacy.blank("en")
    nlp.add_pipe("test_cli_rule_quotes", name="quotes")
    path = tmp_path_factory.mktemp("rule_model")
    nlp.to_disk(path)
    return str(path)


TRAIN = [
    ('"We will not back down," the minister said on Monday.', [('"We will not back down,"', "said", "the minister")]),
    ("The company said that profits rose sharply in the third quarter.",
     [("profits rose sharply in the third quarter", "said", "The company")]),
    ("According to the coach, the team is ready.", [("the team is ready", "According to", "the coach")]),
]


def _gold_items(text: str, quotes: Sequence[Any]) -> List[Dict[str, Any]]:
    items = []
    for content, cue, speaker in quotes:
        a, b, s = text.index(content), text.index(cue), text.index(speaker)
        items.append({"content": (a, a + len(content)), "cue": (b, b + len(cue)), "speaker": (s, s + len(speaker))})
    return items


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved pipeline: the base pipeline + a ``quotes`` component trained on TRAIN."""
    from spacy_quotes import load_base
    from spacy_quotes.pipeline import component  # noqa: F401  (the factory)

    spacy.util.fix_random_seed(0)
    nlp = load_base()
    examples = []
    for text, quotes in TRAIN:
        gold = nlp(text)
        set_quote_groups(gold, _gold_items(text, quotes))
        examples.append(Example(nlp(text), gold))
    pipe = nlp.add_pipe("quotes", config={"weights": None})
    pipe.initialize(lambda: examples, nlp=nlp)
    optimizer = nlp.create_optimizer()
    for _ in range(60):
        pipe.update(examples, sgd=optimizer, losses={})
    path = tmp_path_factory.mktemp("trained_model")
    nlp.to_disk(path)
    return str(path)


def invoke(args: Sequence[str], input: Optional[bytes] = None) -> Any:
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def parse_jsonl(data: str) -> List[Dict[str, Any]]:
    assert data == "" or data.endswith("\n")
    return [json.loads(line) for line in data.splitlines()]


def check_contract(records: List[Dict[str, Any]], texts: Dict[str, str]) -> None:
    """Every record has the fields and types of QUOTES_JSONL.md, and valid offsets."""
    last: Dict[str, int] = {}
    for rec in records:
        assert RECORD_FIELDS <= set(rec) <= RECORD_FIELDS | {"via", "cue_kind"}, rec
        assert rec.get("cue_kind", "speech") in ("speech", "belief", "other")
        doc_text = texts[rec["doc_id"]]
        assert isinstance(rec["index"], int) and rec["index"] == last.get(rec["doc_id"], -1) + 1
        last[rec["doc_id"]] = rec["index"]
        assert rec["type"] in ("direct", "indirect", "mixed")
        assert isinstance(rec["start"], int) and isinstance(rec["end"], int) and 0 <= rec["start"] < rec["end"]
        assert rec["text"] == doc_text[rec["start"]:rec["end"]]
        for role in ("cue", "speaker", "via"):
            span = rec.get(role)
            if span is not None:
                assert set(span) == {"text", "start", "end"}
                assert span["text"] == doc_text[span["start"]:span["end"]]
        for name in ("speaker_name", "speaker_id"):
            assert rec[name] is None or isinstance(rec[name], str)
        if rec["speaker"] is None:
            assert rec["speaker_name"] is None and rec["speaker_id"] is None
        if rec["speaker_id"] is not None:
            assert rec["speaker_id"].startswith(rec["doc_id"] + ":")
        assert isinstance(rec["score"], float) and 0.0 <= rec["score"] <= 1.0
    # document order, then quote order
    order = [rec["doc_id"] for rec in records]
    assert order == sorted(order, key=list(dict.fromkeys(order)).index)


DOC_A = '"We will win," Ann Lee said on Monday. Then "Prices will rise," Bob said.'
DOC_B = 'No quotes here.\r\n\r\n"Line two,"\r\nCy said.\r\n'


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_bytes(DOC_B.encode("utf-8"))
    (folder / "sub" / "a.txt").write_bytes(DOC_A.encode("utf-8"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.md").write_text('"Ignored," Dee said.')
    return folder


# --- extract ---------------------------------------------------------------------------


def test_extract_txt_file_exact_records(rule_model: str, corpus: Path) -> None:
    result = invoke(["extract", str(corpus / "sub" / "a.txt"), "--model", rule_model])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no progress display when stderr is not a terminal
    records = parse_jsonl(result.stdout)
    check_contract(records, {"a": DOC_A})
    assert [(r["doc_id"], r["index"], r["type"], r["text"], r["speaker_name"], r["score"]) for r in records] == [
        ("a", 0, "direct", "We will win", "Ann Lee", 0.9),
        ("a", 1, "direct", "Prices will rise", "Bob", 0.9),
    ]
    assert records[0]["cue"] == {"text": "said", "start": 23, "end": 27}
    assert records[0]["speaker"] == {"text": "Ann Lee", "start": 15, "end": 22}
    assert records[0]["speaker_id"] == "a:Ann Lee"


def test_extract_directory_sorted_recursive_crlf(rule_model: str, corpus: Path) -> None:
    result = invoke(["extract", str(corpus), "--model", rule_model, "--batch-size", "1"])
    assert result.exit_code == 0, result.stderr
    records = parse_jsonl(result.stdout)
    check_contract(records, {"sub/a": DOC_A, "b": DOC_B})
    # b.txt < empty.txt (no records) < sub/a.txt (doc_id: the path in the directory);
    # notes.md is not a .txt file
    assert [(r["doc_id"], r["text"]) for r in records] == [
        ("b", "Line two"), ("sub/a", "We will win"), ("sub/a", "Prices will rise")]
    assert records[0]["start"] == DOC_B.index("Line two")  # \r\n counts as two characters


def test_extract_jsonl_input(rule_model: str, tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [{"id": "x1", "text": DOC_A}, {"text": '"Untitled," Eve said.'}, {"id": 3, "text": "No quote."}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = invoke(["extract", str(path), "--model", rule_model])
    assert result.exit_code == 0, result.stderr
    records = parse_jsonl(result.stdout)
    check_contract(records, {"x1": DOC_A, "2": '"Untitled," Eve said.'})
    assert [(r["doc_id"], r["index"], r["text"]) for r in records] == [
        ("x1", 0, "We will win"), ("x1", 1, "Prices will rise"), ("2", 0, "Untitled")]


def test_extract_stdin(rule_model: str) -> None:
    text = '\ufeff"From the pipe," Fay said.\n'
    result = invoke(["extract", "-", "--model", rule_model], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    records = parse_jsonl(result.stdout)
    check_contract(records, {"stdin": text})  # the BOM is kept: offsets count it
    assert [(r["doc_id"], r["text"], r["start"]) for r in records] == [("stdin", "From the pipe", 2)]


def test_extract_output_file(rule_model: str, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "quotes.jsonl"
    out.parent.mkdir()
    result = invoke(["extract", str(corpus), "-o", str(out), "--model", rule_model, "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    records = parse_jsonl(out.read_text(encoding="utf-8"))
    assert len(records) == 3
    check_contract(records, {"sub/a": DOC_A, "b": DOC_B})


def test_extract_bad_inputs_reported_and_batch_goes_on(rule_model: str, corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (bad / "latin1.txt").write_bytes("Le caf\xe9 \"est bon,\" Ann said.".encode("latin-1"))
    (bad / "boom.txt").write_text('"Fine," Gus said. BOOM.', encoding="utf-8")
    jsonl = tmp_path / "lines.jsonl"
    jsonl.write_text(json.dumps({"id": "ok", "text": '"Fine," Hal said.'}) + "\n{broken\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    result = invoke(["extract", str(bad), str(missing), str(corpus), str(jsonl), "--model", rule_model, "-b", "1"])
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 5, result.stderr
    assert all(line.startswith("error: ") for line in errors)
    by_file = {name: [e for e in errors if name in e] for name in
               ("boom.txt", "image.txt", "latin1.txt", "missing.txt", "lines.jsonl:2")}
    assert all(len(lines) == 1 for lines in by_file.values()), errors
    assert "binary" in by_file["image.txt"][0]
    assert "UTF-8" in by_file["latin1.txt"][0]
    assert "no such file" in by_file["missing.txt"][0]
    assert "JSON" in by_file["lines.jsonl:2"][0]
    assert "failed" in by_file["boom.txt"][0]
    records = parse_jsonl(result.stdout)
    assert [(r["doc_id"], r["text"]) for r in records] == [
        ("b", "Line two"), ("sub/a", "We will win"), ("sub/a", "Prices will rise"), ("ok", "Fine")]


def test_extract_empty_file_gives_no_records(rule_model: str, corpus: Path) -> None:
    result = invoke(["extract", str(corpus / "empty.txt"), "--model", rule_model])
    assert result.exit_code == 0 and result.stdout == ""


PARAS = ['"We will win," Ann Lee said on Monday.', "Filler words and nothing more to see here.",
         '"Prices will rise," Bob said. "They must," Ann Lee said.', "Filler\nagain.", '"The end," Cy said.']


def test_extract_long_text_is_chunked(rule_model: str, tmp_path: Path) -> None:
    text = "\n\n".join(PARAS)
    path = tmp_path / "long.txt"
    path.write_bytes(text.encode("utf-8"))
    whole = invoke(["extract", str(path), "--model", rule_model])
    chunked = invoke(["extract", str(path), "--model", rule_model, "--max-length", "50"])
    assert whole.exit_code == chunked.exit_code == 0
    records = parse_jsonl(chunked.stdout)
    check_contract(records, {"long": text})
    assert [r["text"] for r in records] == ["We will win", "Prices will rise", "They must", "The end"]
    assert [r["index"] for r in records] == [0, 1, 2, 3]
    assert records == parse_jsonl(whole.stdout)


def _resume_inputs(tmp_path: Path) -> List[str]:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(8):
        body = " ".join(f'"Point {i}.{j}," Ann Lee said.' for j in range(i % 3 + 1))
        (folder / f"doc{i}.txt").write_text(body if i != 5 else "No quote in this one.", encoding="utf-8")
    return [str(folder)]


@pytest.mark.parametrize("cut", [0.0, 0.35, 0.6, 0.999])
def test_extract_resume_after_interruption(rule_model: str, tmp_path: Path, cut: float) -> None:
    inputs = _resume_inputs(tmp_path)
    full = tmp_path / "full.jsonl"
    assert invoke(["extract", *inputs, "-o", str(full), "--model", rule_model]).exit_code == 0
    data = full.read_bytes()
    assert data.count(b"\n") == 12
    partial = tmp_path / "partial.jsonl"
    partial.write_bytes(data[: int(len(data) * cut)])  # interrupted mid-line
    # the run record that the interrupted run wrote beside its output when it started
    shutil.copy(tmp_path / "full.jsonl.run.json", tmp_path / "partial.jsonl.run.json")
    result = invoke(["extract", *inputs, "-o", str(partial), "--model", rule_model, "--resume"])
    assert result.exit_code == 0, result.stderr
    assert partial.read_bytes() == data  # no duplicates, no gaps


def test_extract_resume_missing_output_and_misuse(rule_model: str, tmp_path: Path) -> None:
    inputs = _resume_inputs(tmp_path)
    fresh = tmp_path / "fresh.jsonl"
    assert invoke(["extract", *inputs, "-o", str(fresh), "--model", rule_model, "--resume"]).exit_code == 0
    assert len(parse_jsonl(fresh.read_text(encoding="utf-8"))) == 12
    no_file = invoke(["extract", *inputs, "--model", rule_model, "--resume"])
    assert no_file.exit_code == 2 and "--resume" in no_file.stderr
    csv_resume = invoke(["extract", *inputs, "-o", str(fresh), "-f", "csv", "--model", rule_model, "--resume"])
    assert csv_resume.exit_code == 2 and "jsonl" in csv_resume.stderr


def test_extract_csv(rule_model: str, corpus: Path) -> None:
    result = invoke(["extract", str(corpus), "--format", "csv", "--model", rule_model])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    texts = {"sub/a": DOC_A, "b": DOC_B}
    assert [(r["doc_id"], r["text"]) for r in rows] == [
        ("b", "Line two"), ("sub/a", "We will win"), ("sub/a", "Prices will rise")]
    for row in rows:
        doc_text = texts[row["doc_id"]]
        assert row["text"] == doc_text[int(row["start"]):int(row["end"])]
        assert row["cue_text"] == doc_text[int(row["cue_start"]):int(row["cue_end"])] == "said"
        assert row["speaker_text"] == doc_text[int(row["speaker_start"]):int(row["speaker_end"])]
        assert float(row["score"]) == 0.9


def test_extract_unknown_format_and_bad_model(rule_model: str, corpus: Path, tmp_path: Path) -> None:
    result = invoke(["extract", str(corpus), "--format", "nope", "--model", rule_model])
    assert result.exit_code == 2 and "unknown format 'nope'" in result.stderr and "jsonl" in result.stderr
    blank = tmp_path / "blank"
    spacy.blank("en").to_disk(blank)
    result = invoke(["extract", str(corpus), "--model", str(blank)])
    assert result.exit_code == 2 and "no 'quotes' component" in result.stderr
    result = invoke(["extract", str(corpus), "--model", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "cannot load" in result.stderr


def test_extract_untrained_default_model_is_refused(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    from spacy_quotes.pipeline import component

    monkeypatch.setattr(component, "SHIPPED_WEIGHTS", corpus / "no-weights-here")
    result = invoke(["extract", str(corpus)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "has no trained weights" in result.stderr and "--model" in result.stderr


def test_extract_stdin_not_utf8(rule_model: str) -> None:
    result = invoke(["extract", "-", "--model", rule_model], input="Caf\xe9".encode("latin-1"))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: <stdin>: not valid UTF-8")


def test_progress_display() -> None:
    stream = io.StringIO()
    progress = Progress(stream, enabled=True, interval=0.0)
    progress.advance(3)
    progress.advance(0)
    progress.close()
    shown = stream.getvalue()
    assert "2 docs, 3 quotes" in shown and "docs/s" in shown and "quotes/s" in shown
    assert shown.startswith("\r") and shown.endswith("\n")
    silent = io.StringIO()
    quiet = Progress(silent, enabled=False)
    quiet.advance(5)
    quiet.close()
    assert silent.getvalue() == "" and quiet.docs == 1 and quiet.quotes == 5


# --- exporters -------------------------------------------------------------------------


def test_exporters_lists_formats() -> None:
    from spacy_quotes.plugins import get_exporters

    result = invoke(["exporters"])
    assert result.exit_code == 0
    for name, exporter in get_exporters().items():
        line = next(line for line in result.stdout.splitlines() if line.split() and line.split()[0] == name)
        assert exporter.distribution in line
    assert {"jsonl", "csv"} <= set(get_exporters())


# --- evaluate --------------------------------------------------------------------------


def _gold_jsonl(path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, (text, quotes) in enumerate(TRAIN):
            items = _gold_items(text, quotes)
            quotes_json = [{"type": None, "content": list(it["content"]), "cue": list(it["cue"]),
                            "speaker": list(it["speaker"]), "speaker_name": None, "via": None} for it in items]
            fh.write(json.dumps({"id": f"t{i}", "text": text, "quotes": quotes_json}) + "\n")


def test_evaluate_jsonl_and_docbin(trained_model: str, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    _gold_jsonl(gold)
    out = tmp_path / "metrics" / "m.json"
    result = invoke(["evaluate", str(gold), "--model", trained_model, "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "3 documents" in result.stdout
    for label in ("content", "cue", "speaker", "overlap F", "link accuracy", "indirect recall"):
        assert label in result.stdout
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert metrics["quotes_n_gold"] == 3
    assert metrics["quotes_content_f"] == 1.0 and metrics["quotes_link_acc"] == 1.0
    assert all(key.startswith("quotes_") or key == "speed" for key in metrics)

    # the same gold documents as a DocBin give the same scores
    nlp = spacy.load(trained_model)
    db = DocBin(store_user_data=True)
    from spacy_quotes.corpus import read_gold_docs

    for doc in read_gold_docs(gold, nlp):
        db.add(doc)
    db.to_disk(tmp_path / "gold.spacy")
    out2 = tmp_path / "m2.json"
    result = invoke(["evaluate", str(tmp_path / "gold.spacy"), "--model", trained_model, "-o", str(out2)])
    assert result.exit_code == 0, result.stderr
    metrics2 = json.loads(out2.read_text(encoding="utf-8"))
    assert {k: v for k, v in metrics2.items() if k != "speed"} == {k: v for k, v in metrics.items() if k != "speed"}


def test_evaluate_bad_data(trained_model: str, tmp_path: Path) -> None:
    result = invoke(["evaluate", str(tmp_path / "none.jsonl"), "--model", trained_model])
    assert result.exit_code == 2 and "no such file" in result.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "abc", "quotes": [{"content": [0, 99]}]}\n', encoding="utf-8")
    result = invoke(["evaluate", str(bad), "--model", trained_model])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.stderr


def test_metrics_table_shows_missing_values() -> None:
    table = metrics_table({"quotes_content_p": 0.5, "quotes_speaker_name_acc": None})
    assert "50.0" in table and "speaker name accuracy" in table and "-" in table


# --- convert ---------------------------------------------------------------------------


def test_convert_polnear(tmp_path: Path) -> None:
    text = '"We are ready," the general said. Officials said talks would resume.\n'
    root = tmp_path / "polnear"
    for split in ("train", "dev", "test"):
        (root / "data" / split / "text").mkdir(parents=True)
        (root / "data" / split / "attributions").mkdir(parents=True)
        (root / "data" / split / "text" / f"{split}1.txt").write_text(text, encoding="utf-8")
        c, s, q = text.index("said"), text.index("the general"), text.index('"We are ready,"')
        ann = (f"T1\tSource {s} {s + 11}\tthe general\nT2\tCue {c} {c + 4}\tsaid\n"
               f"T3\tContent {q} {q + 15}\t\"We are ready,\"\nT4\tAttribution {c} {c + 4}\tsaid\n"
               "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n")
        for annotator in ("a1", "a2"):
            (root / "data" / split / "attributions" / f"{split}1_{annotator}.ann").write_text(ann, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["convert", "polnear", str(root), str(out), "--annotators", "all"])
    assert result.exit_code == 0, result.stderr
    assert "train: 2 documents" in result.stdout and "dev: 1 documents" in result.stdout
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 2 and [s.text for s in docs[0].spans["quotes"]] == ['"We are ready,"']
    bad = invoke(["convert", "polnear", str(tmp_path / "nowhere"), str(out)])
    assert bad.exit_code == 2 and "nowhere" in bad.stderr
    assert invoke(["convert", "polnear", str(root), str(out), "--annotators", "some"]).exit_code == 2


# --- the real console script -----------------------------------------------------------


def _console_script() -> List[str]:
    script = shutil.which("spacy-quotes")
    return [script] if script else [sys.executable, "-m", "spacy_quotes"]


@pytest.mark.slow
def test_console_script_with_trained_model(trained_model: str, tmp_path: Path) -> None:
    texts = {f"t{i}": text for i, (text, _) in enumerate(TRAIN)}
    for doc_id, text in texts.items():
        (tmp_path / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01")
    proc = subprocess.run(
        [*_console_script(), "extract", str(tmp_path), "--model", trained_model, "-n", "2", "-b", "1"],
        capture_output=True, timeout=300,
    )
    assert proc.returncode == 1
    assert proc.stderr.decode().count("error: ") == 1 and "junk.txt" in proc.stderr.decode()
    records = parse_jsonl(proc.stdout.decode("utf-8"))
    check_contract(records, texts)
    assert [r["text"] for r in records] == [
        "We will not back down", "profits rose sharply in the third quarter", "the team is ready"]
    assert [r["speaker"]["text"] for r in records] == ["the minister", "The company", "the coach"]
    module = subprocess.run([sys.executable, "-m", "spacy_quotes", "exporters"], capture_output=True, timeout=120)
    assert module.returncode == 0 and b"jsonl" in module.stdout


@pytest.mark.slow
@pytest.mark.skipif(not SHIPPED.exists(), reason="the shipped quotes weights are not installed yet")
def test_extract_seeds_with_shipped_model(tmp_path: Path) -> None:
    out = tmp_path / "seeds.jsonl"
    result = invoke(["extract", str(SEEDS), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    texts = {p.stem: p.read_bytes().decode("utf-8") for p in SEEDS.glob("*.txt")}
    records = parse_jsonl(out.read_text(encoding="utf-8"))
    assert records and {r["doc_id"] for r in records} <= set(texts)
    check_contract(records, texts)
