"""What happens to bad input (issue 11, docs/bad-input.md): nothing lost, nothing destroyed,
nothing hangs.

The end-to-end checks of items 1-4 run the real console script in a subprocess with a timeout
(a hang fails the test instead of blocking the suite) and the shipped pipeline. The rest run
in this process, most with a small rule-based pipeline so that every record is spelled out.
"""
import csv
import io
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from typer.testing import CliRunner

from spacy_quotes.cli import app
from spacy_quotes.inputs import InputError, InputText, iter_jsonl_texts, output_conflict, read_inputs
from spacy_quotes.plugins.csv_exporter import export_csv
from spacy_quotes.quote import get_quotes, set_quote_groups
from spacy_quotes.runner import BATCH_CHARS, pipe_records
from spacy_quotes.textmap import LONG_RUN, model_text
from spacy_quotes.speaker_table import SpeakerRow, format_speakers, speakers_command

ROOT = Path(__file__).resolve().parent.parent
RULE = re.compile(r'(?P<content>"[^"\n]+")\s*(?P<speaker>[A-Z][a-z]+(?: [A-Z][a-z]+)?) (?P<cue>said)')
# Set by the batch-recording component: the size (docs, characters) of every batch it saw.
BATCHES: List[Dict[str, int]] = []


MAIN_PID = os.getpid()  # the process that imported this module; its forked workers are others


@Language.component("test_bad_input_rules")
def rule_quotes(doc: Doc) -> Doc:
    """'"...," Name said' is a direct quote of Name; 'BOOM' raises; a text of only
    quotation marks is one quote; the worker's pid goes into user_data."""
    if "BOOM" in doc.text:
        raise ValueError("BOOM in the text")
    if "KILLWORKER" in doc.text and os.getpid() != MAIN_PID:  # a worker killed mid-batch (out of memory, say)
        os.kill(os.getpid(), signal.SIGKILL)
    doc.user_data["pid"] = os.getpid()
    items = []
    if doc.text and set(doc.text) == {'"'}:
        items.append({"content": (0, len(doc.text)), "score": 0.5})
    for m in RULE.finditer(doc.text):
        name = m.group("speaker")
        items.append({"content": m.span("content"), "cue": m.span("cue"), "speaker": m.span("speaker"),
                      "speaker_name": name, "speaker_id": name, "score": 0.9})
    set_quote_groups(doc, items)
    return doc


class BatchRecorder:
    """A component that notes the batches nlp.pipe hands it."""

    def __call__(self, doc: Doc) -> Doc:
        BATCHES.append({"docs": 1, "chars": len(doc.text)})
        return doc

    def pipe(self, docs: Any, batch_size: int = 1000) -> Any:
        from spacy.util import minibatch

        for batch in minibatch(docs, batch_size):
            BATCHES.append({"docs": len(batch), "chars": sum(len(d.text) for d in batch)})
            yield from batch


@Language.factory("test_bad_input_batches")
def make_batch_recorder(nlp: Language, name: str) -> BatchRecorder:
    return BatchRecorder()


@pytest.fixture(scope="module")
def rule_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_bad_input_rules", name="quotes")
    return nlp


@pytest.fixture(scope="module")
def rule_model(tmp_path_factory: pytest.TempPathFactory, rule_nlp: Language) -> str:
    path = tmp_path_factory.mktemp("rule_model")
    rule_nlp.to_disk(path)
    return str(path)


def records_of(doc: Doc, doc_id: str) -> List[Dict[str, Any]]:
    return [q.to_dict(doc_id) for q in get_quotes(doc)]


def invoke(args: Sequence[str], input: Optional[bytes] = None) -> Any:
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def cli(args: Sequence[str], timeout: float = 240, **kwargs: Any) -> subprocess.CompletedProcess:
    """The console script in a subprocess: a hang fails (TimeoutExpired) instead of blocking."""
    return subprocess.run([sys.executable, "-m", "spacy_quotes", *args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def jsonl(path: Path, rows: List[Dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


# Passages of our own (a harbour strike, a library vote), not from the seeds.
HARBOUR = ('"The cranes will stay still until the port listens," union leader Maria Santos said on '
           "Tuesday.\nThe port authority said that talks would resume next week.\n")
LIBRARY = ('"We kept the doors open for ninety years," the librarian, Tom Baker, told the council.\n\n'
           "He added that the reading room would close if the budget was cut.\n")


# --- item 1: lone surrogates -------------------------------------------------------------


def test_lone_surrogate_is_one_error_and_the_batch_goes_on_with_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    # "\ud800" is valid JSON (json.dumps writes it so) but no Unicode text
    jsonl(path, [{"id": "harbour", "text": HARBOUR}, {"id": "bad", "text": "A \ud800 broken text."},
                 {"id": "library", "text": LIBRARY}])
    proc = cli(["extract", str(path), "-n", "2", "-q"])
    assert proc.returncode == 1, proc.stderr
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"error: {path}:2: ") and "surrogate" in errors[0]
    assert "Traceback" not in proc.stderr
    ids = {json.loads(line)["doc_id"] for line in proc.stdout.splitlines()}
    assert ids == {"harbour", "library"}


def test_lone_surrogate_in_id_and_text_read_as_errors(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "s.jsonl", [{"id": "\udc80x", "text": "Fine."}, {"text": "x\udfff"}, {"text": "ok"}])
    items = list(iter_jsonl_texts(path))
    assert [type(i).__name__ for i in items] == ["InputError", "InputError", "InputText"]
    assert "'id'" in items[0].reason and "'text'" in items[1].reason and "\\udfff" in items[1].reason


def test_speakers_and_render_go_on_after_a_surrogate(quotes_nlp: Language, tmp_path: Path) -> None:
    from spacy_quotes.render import render_command

    path = jsonl(tmp_path / "n.jsonl", [{"id": "bad", "text": "\ud800"}, {"id": "harbour", "text": HARBOUR}])
    errors: List[str] = []
    table, summary = speakers_command([str(path)], quotes_nlp, fmt="json", on_error=errors.append)
    assert summary.documents == 1 and len(errors) == 1 and f"{path}:1" in errors[0]
    assert any("Santos" in row["name"] for row in json.loads(table))
    page, summary = render_command([str(path)], quotes_nlp, on_error=errors.append)
    assert summary.documents == 1 and "Santos" in page


# --- item 2: -o naming an input ------------------------------------------------------------


def test_output_that_is_an_input_is_refused_end_to_end(tmp_path: Path) -> None:
    lines = jsonl(tmp_path / "docs.jsonl", [{"id": "h", "text": HARBOUR}])
    proc = cli(["extract", str(lines), "-o", str(lines), "-q"], timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: the output {lines} is the input {lines}")
    assert json.loads(lines.read_text(encoding="utf-8"))["text"] == HARBOUR  # not truncated


@pytest.mark.parametrize("command", ["extract", "speakers", "render"])
def test_output_that_is_an_input_is_refused_and_left_whole(command: str, rule_model: str, tmp_path: Path) -> None:
    article = tmp_path / "harbour.txt"
    article.write_text(HARBOUR, encoding="utf-8")
    lines = jsonl(tmp_path / "docs.jsonl", [{"id": "h", "text": HARBOUR}])
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    for inputs, output in (([article], article), ([lines], lines), ([tmp_path], article), ([article], link),
                           ([tmp_path], tmp_path / "new.txt")):
        result = invoke([command, *map(str, inputs), "-o", str(output), "-q", "--model", rule_model])
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("error: the output ") and "input" in result.stderr
    assert article.read_text(encoding="utf-8") == HARBOUR
    assert json.loads(lines.read_text(encoding="utf-8"))["text"] == HARBOUR
    assert not (tmp_path / "new.txt").exists()


def test_output_conflict_cases(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    a = tmp_path / "in" / "a.txt"
    a.write_text("x")
    assert output_conflict(a, [str(a)]) and output_conflict(tmp_path / "in" / "new.txt", [str(tmp_path / "in")])
    assert output_conflict(tmp_path / "in" / "out.jsonl", [str(tmp_path / "in")]) is None  # not read: not .txt
    assert output_conflict(tmp_path / "out.jsonl", [str(a), "-"]) is None


# --- item 3: --max-length above the pipeline's ---------------------------------------------


def test_max_length_above_the_pipelines_is_refused(tmp_path: Path) -> None:
    article = tmp_path / "harbour.txt"
    article.write_text(HARBOUR, encoding="utf-8")
    proc = cli(["extract", str(article), "--max-length", "5000000", "-q"], timeout=180)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: --max-length 5000000 is above the pipeline's max_length (1000000)")
    assert proc.stdout == ""


def test_max_length_refused_by_speakers_in_process(rule_model: str, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(HARBOUR, encoding="utf-8")
    result = invoke(["speakers", str(article), "--model", rule_model, "--max-length", "2000000"])
    assert result.exit_code == 2 and "max_length" in result.stderr


# --- item 4: doc_id is the path in the input directory --------------------------------------


def test_same_file_name_in_two_folders_gives_two_ids_end_to_end(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for folder, text in (("2019", HARBOUR), ("2020", LIBRARY)):
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / "article.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = cli(["extract", str(corpus), "-o", str(out), "-q"])
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["doc_id"] for r in records} == {"2019/article", "2020/article"}
    assert all(r["speaker_id"] is None or r["speaker_id"].startswith(r["doc_id"] + ":") for r in records)


def test_same_id_from_two_inputs_is_refused_not_skipped(rule_model: str, tmp_path: Path) -> None:
    for folder in ("2019", "2020"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "article.txt").write_text(f'"In {folder}," Ann said.', encoding="utf-8")
    result = invoke(["extract", str(tmp_path / "2019" / "article.txt"), str(tmp_path / "2020" / "article.txt"),
                     "--model", rule_model])
    assert result.exit_code == 1
    assert re.fullmatch(r"error: .*2020/article\.txt: doc_id 'article' is already the id of .*2019/article\.txt;.*\n",
                        result.stderr)
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["In 2019"]


def test_repeated_jsonl_id_is_an_error(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "d.jsonl", [{"id": "x", "text": "one"}, {"id": "x", "text": "two"}])
    items = list(read_inputs([str(path)]))
    assert isinstance(items[0], InputText) and isinstance(items[1], InputError)
    assert items[1].source == f"{path}:2" and f"{path}:1" in items[1].reason


# --- item 5 and 13: --resume checks what the output was written for --------------------------


def _folder(tmp_path: Path, name: str, n: int) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i in range(n):
        (folder / f"d{i}.txt").write_text(f'"Point {i}," Ann Lee said.', encoding="utf-8")
    return folder


def test_resume_refuses_an_output_of_other_inputs_or_model(rule_model: str, tmp_path: Path) -> None:
    first, second = _folder(tmp_path, "first", 3), _folder(tmp_path, "second", 3)
    out = tmp_path / "out.jsonl"
    assert invoke(["extract", str(first), "-o", str(out), "--model", rule_model]).exit_code == 0
    data = out.read_bytes()
    other_inputs = invoke(["extract", str(second), "-o", str(out), "--model", rule_model, "--resume"])
    assert other_inputs.exit_code == 2 and "different inputs" in other_inputs.stderr
    other_length = invoke(["extract", str(first), "-o", str(out), "--model", rule_model, "--resume",
                           "--max-length", "500"])
    assert other_length.exit_code == 2 and "--max-length" in other_length.stderr
    Path(str(out) + ".run.json").unlink()
    no_record = invoke(["extract", str(first), "-o", str(out), "--model", rule_model, "--resume"])
    assert no_record.exit_code == 2 and "no run record" in no_record.stderr
    assert out.read_bytes() == data  # nothing cut


def test_failed_resume_does_not_cut_the_output(rule_model: str, tmp_path: Path) -> None:
    first = _folder(tmp_path, "first", 3)
    out = tmp_path / "out.jsonl"
    assert invoke(["extract", str(first), "-o", str(out), "--model", rule_model]).exit_code == 0
    partial = out.read_bytes()[:-10]
    out.write_bytes(partial)
    result = invoke(["extract", str(first), "-o", str(out), "--model", str(tmp_path / "no-model"), "--resume"])
    assert result.exit_code == 2 and "cannot load" in result.stderr
    assert out.read_bytes() == partial


# --- item 6: a long text's pieces never share a batch ----------------------------------------


def test_long_text_pieces_go_through_one_at_a_time() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_bad_input_batches")
    long_text = "\n\n".join(["word " * 2000] * 30)  # 300k characters: 4 pieces of at most 100k
    texts = [InputText("s1", "short one", "s1"), InputText("long", long_text, "long"),
             InputText("s2", "short two", "s2")]
    BATCHES.clear()
    results = list(pipe_records(nlp, texts, batch_size=32, max_length=100_000, records_from_doc=records_of))
    assert [r.item.doc_id for r in results] == ["s1", "long", "s2"] and all(r.error is None for r in results)
    pieces = [b for b in BATCHES if b["chars"] > 1000]
    assert len(pieces) >= 3 and all(b["docs"] == 1 and b["chars"] <= 100_000 for b in pieces)
    assert sum(b["chars"] for b in BATCHES) == len(long_text) + 18
    # short texts: a batch holds at most BATCH_CHARS characters, whatever the batch size
    BATCHES.clear()
    mid = [InputText(f"m{i}", "x" * 60_000, f"m{i}") for i in range(8)]
    assert len(list(pipe_records(nlp, mid, batch_size=32, records_from_doc=records_of))) == 8
    assert sum(b["docs"] for b in BATCHES) == 8 and max(b["chars"] for b in BATCHES) <= BATCH_CHARS


# --- item 7: CRLF ------------------------------------------------------------------------------


def test_crlf_text_gets_the_records_of_the_lf_text(quotes_nlp: Language) -> None:
    lf = HARBOUR + "\n" + LIBRARY
    crlf = lf.replace("\n", "\r\n")
    by_lf, by_crlf = (next(pipe_records(quotes_nlp, [InputText("d", t, "d")])).records for t in (lf, crlf))
    assert by_lf, "the passage has quotes"

    def norm(rec: Dict[str, Any]) -> Any:
        roles = tuple(rec[k]["text"].replace("\r\n", "\n") if rec.get(k) else None for k in ("cue", "speaker"))
        return rec["type"], rec["text"].replace("\r\n", "\n"), roles, rec["speaker_name"], rec["score"]

    assert [norm(r) for r in by_crlf] == [norm(r) for r in by_lf]
    for rec in by_crlf:
        assert rec["text"] == crlf[rec["start"]:rec["end"]]
        for key in ("cue", "speaker"):
            if rec.get(key):
                assert rec[key]["text"] == crlf[rec[key]["start"]:rec[key]["end"]]


def test_crlf_offsets_map_back_across_line_breaks(rule_nlp: Language) -> None:
    text = 'Intro.\r\n\r\n"One," Ann said.\r\nMore.\r\n"Two," Bo said.'
    (result,) = pipe_records(rule_nlp, [InputText("t", text, "t")], max_length=20, records_from_doc=records_of)
    assert [(r["text"], text[r["start"]:r["end"]], r["speaker"]["text"]) for r in result.records] == [
        ("One", "One", "Ann"), ("Two", "Two", "Bo")]


# --- item 8: one bad document fails alone, with its reason -------------------------------------


@pytest.mark.parametrize("n_process", [1, 2])
def test_one_failing_document_fails_alone(rule_nlp: Language, n_process: int) -> None:
    texts = [InputText(f"d{i}", f'"Item {i}," Ann said.' + (" BOOM" if i == 4 else ""), f"d{i}") for i in range(10)]
    results = list(pipe_records(rule_nlp, texts, batch_size=32, n_process=n_process, skip_errors=True,
                                records_from_doc=records_of))
    assert [r.item.doc_id for r in results] == [t.doc_id for t in texts]
    failed = [r for r in results if r.error]
    assert [r.item.doc_id for r in failed] == ["d4"]
    assert "BOOM in the text" in failed[0].error and "ValueError" in failed[0].error
    assert all(len(r.records) == 1 for r in results if not r.error)


# --- item 9: CSV formula injection --------------------------------------------------------------


def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = {"doc_id": "=HYPERLINK(\"http://x\")", "index": 0, "type": "direct", "text": "+1 and -2",
              "start": 0, "end": 9, "cue": {"text": "@said", "start": 1, "end": 2}, "speaker": None,
              "speaker_name": "-Ann", "speaker_id": None, "score": 0.5}

    def rows(**kwargs: Any) -> List[Dict[str, str]]:
        out = tmp_path / "q.csv"
        export_csv([record], str(out), **kwargs)
        return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))

    (row,) = rows()
    assert (row["doc_id"], row["text"], row["cue_text"], row["speaker_name"]) == (
        "'=HYPERLINK(\"http://x\")", "'+1 and -2", "'@said", "'-Ann")
    assert row["start"] == "0" and row["score"] == "0.5"
    (raw,) = rows(escape_formulas=False)
    assert raw["text"] == "+1 and -2"
    monkeypatch.setenv("SPACY_QUOTES_CSV_FORMULAS", "keep")
    assert rows()[0]["doc_id"] == record["doc_id"]


# --- item 10: control characters in the speakers table ------------------------------------------


def test_speakers_text_table_strips_control_characters() -> None:
    row = SpeakerRow(name="Ann\x1b[2J\x1b]0;owned\x07 Lee\u202e", quotes=1, documents=1, doc_ids=["a\rb"], direct=1)
    table = format_speakers([row], fmt="text")
    assert not any(ord(c) < 32 and c != "\n" or c == "\u202e" for c in table)
    assert "Ann[2J]0;owned Lee" in table
    assert json.loads(format_speakers([row], fmt="json"))[0]["name"] == row.name  # data formats keep it


# --- item 11: workers end with a killed main process ---------------------------------------------


def _children(pid: int) -> List[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process parents from /proc (Linux)")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, time, itertools
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import spacy
        import test_bad_input  # registers the rule component
        from spacy_quotes.inputs import InputText
        from spacy_quotes.runner import pipe_records
        nlp = spacy.blank("en")
        nlp.add_pipe("test_bad_input_rules", name="quotes")
        texts = (InputText(str(i), '"Hi," Ann said.', str(i)) for i in itertools.count())
        for result in pipe_records(nlp, texts, batch_size=2, n_process=2, records_from_doc=test_bad_input.records_of):
            print("ready", flush=True)
            time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "ready"
        workers = _children(proc.pid)
        assert len(workers) >= 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() and
                                              "Z" not in Path(f"/proc/{w}/stat").read_text().split(")")[1][:3]
                                              for w in workers):
        time.sleep(0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()
             and "Z" not in Path(f"/proc/{w}/stat").read_text().split(")")[1][:3]]
    for w in alive:  # clean up before failing
        os.kill(w, signal.SIGKILL)
    assert alive == []


@pytest.mark.skipif(not hasattr(signal, "pthread_kill") or multiprocessing.get_start_method() != "fork",
                    reason="the dead-worker alarm needs POSIX signals; the killer tells a worker by a forked pid")
def test_a_killed_worker_neither_hangs_the_run_nor_loses_a_document(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import logging, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import spacy
        import test_bad_input  # registers the rule component
        from spacy_quotes.inputs import InputText
        from spacy_quotes.runner import pipe_records
        logging.basicConfig(level=logging.WARNING)
        nlp = spacy.blank("en")
        nlp.add_pipe("test_bad_input_rules", name="quotes")
        # 60 KB texts: the queue towards the killed worker holds more than a pipe's buffer,
        # so its feeder thread blocks, and the interpreter would wait for it at exit
        filler = " The weather stayed dry." * 2600
        texts = [InputText(str(i), ('KILLWORKER ' if i == 13 else '') + f'"Item {{i}}," Ann said.' + filler, str(i))
                 for i in range(60)]
        for result in pipe_records(nlp, texts, batch_size=2, n_process=2, records_from_doc=test_bad_input.records_of):
            print(result.item.doc_id, result.error is None, len(result.records), result.records[0]["text"], flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line.split(" ", 3) for line in proc.stdout.splitlines()]
    assert [line[0] for line in lines] == [str(i) for i in range(60)]  # every document, in order
    assert all(ok == "True" and n == "1" for _, ok, n, _ in lines)
    assert lines[13][3] == "Item 13"  # the killer document itself, run again in the main process
    assert "worker process" in proc.stderr and "killed by signal 9" in proc.stderr


def test_worker_processes_from_a_thread_other_than_the_main_one(rule_nlp: Language) -> None:
    """The dead-worker alarm needs the main thread for its signal; from another (a server's
    worker thread) the run goes on without it."""
    texts = [InputText(f"d{i}", f'"Item {i}," Ann said.', f"d{i}") for i in range(6)]
    out: Dict[str, Any] = {}

    def run() -> None:
        try:
            out["results"] = list(pipe_records(rule_nlp, texts, batch_size=1, n_process=2, records_from_doc=records_of))
        except BaseException as err:  # reported below
            out["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    assert not thread.is_alive() and "error" not in out, out.get("error")
    assert [r.item.doc_id for r in out["results"]] == [t.doc_id for t in texts]
    assert all(len(r.records) == 1 for r in out["results"])


# --- item 13: NUL bytes, UTF-16, broken links, quotation-mark runs ------------------------------


def test_a_nul_byte_early_in_jsonl_fails_only_its_line(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_bytes(b'{"id": "a", "text": "one"}\n{"id": "b", "text": "t\x00wo"}\n{"id": "c", "text": "three"}\n')
    items = list(iter_jsonl_texts(path))
    assert [i.doc_id if isinstance(i, InputText) else i.source for i in items] == ["a", f"{path}:2", "c"]


def test_utf16_jsonl_gets_a_hint(tmp_path: Path) -> None:
    for name, data in (("bom.jsonl", '{"text": "hi"}\n'.encode("utf-16")),
                       ("le.jsonl", '{"text": "hi"}\n'.encode("utf-16-le"))):
        path = tmp_path / name
        path.write_bytes(data)
        (item,) = iter_jsonl_texts(path)
        assert isinstance(item, InputError) and "UTF-16" in item.reason


def test_broken_symlink_in_a_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("fine")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    items = list(read_inputs([str(tmp_path)]))
    assert [type(i).__name__ for i in items] == ["InputError", "InputText"]
    assert "gone.txt" in items[0].source and "broken symbolic link" in items[0].reason


def test_a_run_of_quotation_marks_is_no_quote(rule_nlp: Language) -> None:
    (result,) = pipe_records(rule_nlp, [InputText("q", '"' * 2000, "q")], records_from_doc=records_of)
    assert result.error is None and result.records == []


def test_long_runs_without_whitespace_are_spaced_for_the_tokenizer() -> None:
    """spaCy's tokenizer is quadratic in a run of affix characters (10,000 quotation marks:
    10 s); model_text spaces such runs, keeping every offset."""
    run = '"' * (3 * LONG_RUN + 7)
    text = f"He said {run} and left.\r\nThen {'(' * (LONG_RUN - 1)} stop."
    seen, removed = model_text(text)
    assert len(seen) == len(text) - 1 and removed == [len(text.split("\r\n")[0])]
    start = seen.index('"')
    assert [i for i, c in enumerate(seen[start:start + len(run)]) if c == " "] == [
        LONG_RUN - 1, 2 * LONG_RUN - 1, 3 * LONG_RUN - 1]
    assert "(" * (LONG_RUN - 1) in seen  # a shorter run is left alone
    plain = "An ordinary sentence, with punctuation."
    assert model_text(plain) == (plain, [])
    assert make_doc_tokens(seen[start:start + len(run)]) == len(run) - 3  # each mark a token, spaces aside


def make_doc_tokens(text: str) -> int:
    return len(spacy.blank("en").make_doc(text))


def test_a_record_over_a_spaced_run_has_the_text_as_read(rule_nlp: Language) -> None:
    text = f'"Hi {"(" * (LONG_RUN + 20)} there," Ann said. "Bye," Ann said.'
    (result,) = pipe_records(rule_nlp, [InputText("r", text, "r")], records_from_doc=records_of)
    assert result.error is None and len(result.records) == 2
    for rec in result.records:
        assert rec["text"] == text[rec["start"]:rec["end"]]
    assert "(" * (LONG_RUN + 20) in result.records[0]["text"]  # not the spaced text the pipeline saw


# --- item 14: every process gets work --------------------------------------------------------------


def test_a_short_stream_is_shared_between_processes(rule_nlp: Language) -> None:
    def with_pid(doc: Doc, doc_id: str) -> List[Dict[str, Any]]:
        return [{**r, "pid": doc.user_data["pid"]} for r in records_of(doc, doc_id)]

    texts = [InputText(f"d{i}", f'"Item {i}," Ann said.', f"d{i}") for i in range(10)]
    results = list(pipe_records(rule_nlp, texts, batch_size=32, n_process=2, records_from_doc=with_pid))
    assert [r.item.doc_id for r in results] == [t.doc_id for t in texts]
    pids = [r.records[0]["pid"] for r in results]
    assert len(set(pids)) == 2 and os.getpid() not in pids
