"""Whole-corpus runs on Dask (spacy_quotes.distributed, ``spacy-quotes extract-corpus``).

A real LocalCluster of 2 single-thread worker processes (with nannies) on loopback, shared by
the module; the shipped pipeline on the workers; synthetic news passages written here
(council, sport, science, harbour news, made up from templates) in several shards: JSONL,
JSONL.gz, a directory of .txt files, Parquet. Every run's records are compared with those of
the single-process path of ``spacy-quotes extract`` (``runner.pipe_records``) over the same
documents. The speaker reduction and the Parquet exporter have fast unit tests of their own;
the base-install check (no dask, no pyarrow) runs in a subprocess that hides them.
"""
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

DASK_REASON = "the dask extra is not installed (pip install 'spacy-quotes[dask]')"

NAMES = [
    ("Anna Berg", "the mayor", "she"), ("Tomas Lind", "the coach", "he"),
    ("Priya Natarajan", "a marine biologist", "she"), ("Oskar Falk", "the harbour master", "he"),
    ("Lena Hoffmann", "the head teacher", "she"), ("Rafael Costa", "the club's captain", "he"),
]
SAYINGS = [
    "We will finish the new library before the winter", "The team played with real courage tonight",
    "The water in the bay is warmer than it was ten years ago", "No ship will leave the port until the storm passes",
    "Our pupils deserve a safer road to school", "We owe this win to the supporters",
]
CLAUSES = [
    "the ferry timetable would change in the spring", "the stadium roof needed urgent repairs",
    "the survey had found fewer seals than last year", "the council had approved the budget",
]
FILLERS = [
    "The market square was busy on Saturday.", "Rain is expected for the rest of the week.",
    "Tickets for the final sold out within an hour.", "The museum will reopen in June.",
]


def passage(i: int) -> str:
    """A short news passage: a direct, an indirect, a pronoun-attributed quote, or none."""
    name, role, pronoun = NAMES[i % len(NAMES)]
    saying, clause, filler = SAYINGS[(i // 2) % len(SAYINGS)], CLAUSES[(i // 3) % len(CLAUSES)], FILLERS[i % 4]
    kind = i % 5
    if kind == 0:
        return f'"{saying}," {name} said on Tuesday. {filler}'
    if kind == 1:
        return f"{name}, {role}, said that {clause}. {filler}"
    if kind == 2:
        return f'{name} spoke to reporters after the meeting. "{saying}," {pronoun} added.'
    if kind == 3:
        return f"{filler} According to {name}, {clause}."
    return f"{filler} Nobody was hurt."


def make_docs(prefix: str, n: int, offset: int = 0) -> List[Dict[str, str]]:
    return [{"id": f"{prefix}-{i:03d}", "text": passage(i + offset)} for i in range(n)]


def write_jsonl(path: Path, docs: List[Dict[str, Any]], compress: bool = False) -> None:
    data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)


CONTRACT_FIELDS = {"doc_id", "index", "type", "text", "start", "end", "cue", "speaker", "speaker_name",
                   "speaker_id", "score"}


def canonical(record: Dict[str, Any]) -> str:
    """A record as a comparable string; an optional field that is null counts as absent (a
    Parquet column has a value, maybe null, in every row)."""
    record = {k: v for k, v in record.items() if k in CONTRACT_FIELDS or v is not None}
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def read_run(out: Path) -> List[Dict[str, Any]]:
    from spacy_quotes.distributed import iter_records

    return list(iter_records(str(out)))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Dict[str, Any]:
    """200 documents in four shards: a.jsonl (80), b.jsonl.gz (70), c/ (30 .txt), d.parquet (20)."""
    root = tmp_path_factory.mktemp("corpus")
    a, b = make_docs("a", 80), make_docs("b", 70, offset=3)
    c, d = make_docs("c", 30, offset=7), make_docs("d", 20, offset=11)
    write_jsonl(root / "a.jsonl", a)
    write_jsonl(root / "b.jsonl.gz", b, compress=True)
    (root / "c").mkdir()
    for doc in c:
        (root / "c" / f"{doc['id']}.txt").write_text(doc["text"], encoding="utf-8")
    docs = {doc["id"]: doc["text"] for doc in a + b + c + d}
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        parquet = None
    else:
        parquet = root / "d.parquet"
        pq.write_table(pa.Table.from_pylist(d), parquet, row_group_size=8)
    return {"root": root, "docs": docs, "a": root / "a.jsonl", "b": root / "b.jsonl.gz", "c": root / "c",
            "d": parquet}


@pytest.fixture(scope="module")
def reference(corpus, quotes_nlp) -> Dict[str, List[Dict[str, Any]]]:
    """The single-process records (the path of ``spacy-quotes extract``), by doc_id."""
    from spacy_quotes.inputs import InputText
    from spacy_quotes.runner import pipe_records

    texts = [InputText(doc_id, text, doc_id) for doc_id, text in corpus["docs"].items()]
    return {r.item.doc_id: r.records for r in pipe_records(quotes_nlp, texts, skip_errors=True)}


def expected(reference, prefixes) -> List[str]:
    return sorted(canonical(r) for doc_id, recs in reference.items() if doc_id.split("-")[0] in prefixes
                  for r in recs)


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 single-thread worker processes on loopback, with nannies."""
    pytest.importorskip("dask.distributed", reason=DASK_REASON)
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as c:
        yield c


# --- whole runs --------------------------------------------------------------------------


def test_corpus_equals_single_process_extract(corpus, reference, client, tmp_path):
    from spacy_quotes.distributed import extract_corpus
    from spacy_quotes.speaker_table import collect_speakers, format_speakers

    inputs = [str(corpus["a"]), str(corpus["b"]), str(corpus["c"])]
    prefixes = {"a", "b", "c"}
    if corpus["d"] is not None:
        inputs.append(str(corpus["d"]))
        prefixes.add("d")
    out = tmp_path / "out"
    summary = extract_corpus(inputs, str(out), client, partition_size=16)
    assert summary.complete and summary.errors == 0 and summary.skipped == 0
    n_docs = sum(1 for doc_id in reference if doc_id.split("-")[0] in prefixes)
    assert summary.documents == n_docs
    records = read_run(out)
    assert len(records) == summary.quotes
    got = sorted(canonical(r) for r in records)
    assert got == expected(reference, prefixes)  # same records, none twice, none missing
    assert len(set(got)) == len(got)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["counts"]["documents"] == n_docs
    assert manifest["settings"]["partition_size"] == 16 and manifest["spacy_quotes_version"]
    # a.jsonl: 80 lines in 16s -> 5 partitions; b: 70 -> 5; c: 30 files -> 2; d: 20 rows -> 2
    assert len(manifest["partitions"]) == 12 + (2 if "d" in prefixes else 0)
    assert sorted(p.name for p in out.glob("part-*.jsonl")) == sorted(p["file"] for p in manifest["partitions"])
    assert (out / "errors.jsonl").read_text() == ""
    # the speaker table of the corpus (a Dask reduction) is the single-process table
    in_order = [r for doc_id, recs in reference.items() if doc_id.split("-")[0] in prefixes for r in recs]
    assert json.loads((out / "speakers.json").read_text()) == json.loads(
        format_speakers(collect_speakers(in_order), fmt="json"))
    assert "Anna Berg" in {row["name"] for row in json.loads((out / "speakers.json").read_text())}
    # a rerun of a finished run does nothing again and changes nothing
    again = extract_corpus(inputs, str(out), client, partition_size=16)
    assert again.skipped == again.partitions and again.done == 0 and again.quotes == summary.quotes
    assert sorted(canonical(r) for r in read_run(out)) == got
    with pytest.raises(ValueError, match="partition_size"):
        extract_corpus(inputs, str(out), client, partition_size=8)  # other settings: not mixed in


def test_resume_after_killing_the_run(corpus, reference, client, tmp_path):
    """The command is killed (SIGKILL, whole process group) part-way; the same run again
    finishes the partitions that were not done: complete, no record twice."""
    from spacy_quotes.distributed import extract_corpus

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "spacy_quotes", "extract-corpus", str(corpus["a"]), "-o", str(out),
           "--scheduler", client.scheduler.address, "--partition-size", "4", "-q"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while len(list(out.glob("part-*.jsonl"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = len(list(out.glob("part-*.jsonl")))
    assert 3 <= finished < 20, proc.stderr.read().decode()[-2000:]
    summary = extract_corpus([str(corpus["a"])], str(out), client, partition_size=4)
    assert summary.complete and summary.partitions == 20
    assert summary.skipped >= 3 and summary.skipped + summary.done == 20
    got = sorted(canonical(r) for r in read_run(out))
    assert got == expected(reference, {"a"})
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_killed_worker_the_run_still_completes(corpus, reference, client, tmp_path):
    """One worker process is killed (SIGKILL) while the run is going: Dask runs its tasks on
    the other worker and on the one its nanny restarts; the output is complete."""
    from spacy_quotes.distributed import extract_corpus

    out = tmp_path / "out"
    inputs = [str(corpus["a"])]
    result: Dict[str, Any] = {}

    def run() -> None:
        try:
            result["summary"] = extract_corpus(inputs, str(out), client, partition_size=4)
        except BaseException as err:  # noqa: BLE001
            result["error"] = err

    pids_before = client.run(os.getpid)
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while not list(out.glob("part-*.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.02)
    busy = [addr for addr, tasks in client.processing().items() if tasks] or list(pids_before)
    os.kill(pids_before[busy[0]], signal.SIGKILL)
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert "error" not in result, result.get("error")
    summary = result["summary"]
    assert summary.complete and summary.partitions == 20 and summary.errors == 0
    assert summary.documents == 80
    got = sorted(canonical(r) for r in read_run(out))
    assert got == expected(reference, {"a"})
    client.wait_for_workers(2, timeout=60)
    assert set(client.run(os.getpid).values()) != set(pids_before.values())  # a worker was restarted


def test_bad_documents_become_error_lines(client, tmp_path, reference, corpus):
    """Binary, mis-encoded, huge and malformed documents among good ones: each is one line of
    errors.jsonl naming shard, line and reason; the good ones are all there (the command,
    connected to the running cluster)."""
    from typer.testing import CliRunner

    from spacy_quotes.cli import app

    good = make_docs("a", 6)
    # (the first line is long: a NUL in the first 8 KiB would make the whole file binary, as
    # for `spacy-quotes extract`)
    lines = [json.dumps({**good[0], "note": "x" * 9000}).encode(), json.dumps(good[1]).encode(),
             b'{"id": "bin", "text": "a\x00b"}',  # a NUL byte: binary
             json.dumps(good[2]).encode(),
             b'{"id": "latin1", "text": "caf\xe9 au lait"}',  # not UTF-8
             b"{not json",
             json.dumps({"id": "huge", "text": "word " * 2000}).encode(),  # over --max-doc-chars
             json.dumps({"id": "notext"}).encode(),
             json.dumps(good[3]).encode(), b"", json.dumps(good[4]).encode(), json.dumps(good[5]).encode()]
    shard = tmp_path / "mixed.jsonl"
    shard.write_bytes(b"\n".join(lines) + b"\n")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "ok.txt").write_text(passage(0), encoding="utf-8")
    (texts / "bad.txt").write_bytes(b"caf\xe9 au lait")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "extract-corpus", str(shard), str(binary), str(texts), str(tmp_path / "missing.jsonl"), "-o", str(out),
        "--scheduler", client.scheduler.address, "--partition-size", "4", "--max-doc-chars", "5000", "-q",
    ])
    assert result.exit_code == 1, result.output
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    by_source = {e["source"]: e for e in errors}
    assert len(errors) == 8, errors
    assert by_source[f"{shard}:3"]["line"] == 3 and "binary line" in by_source[f"{shard}:3"]["reason"]
    assert "not valid UTF-8" in by_source[f"{shard}:5"]["reason"]
    assert "not valid JSON" in by_source[f"{shard}:6"]["reason"]
    assert "longer than max_doc_chars=5,000" in by_source[f"{shard}:7"]["reason"]
    assert by_source[f"{shard}:8"]["reason"] == "'text' is missing"
    assert all(by_source[f"{shard}:{n}"]["shard"] == str(shard) for n in (3, 5, 6, 7, 8))
    assert "binary file" in by_source[str(binary)]["reason"] and by_source[str(binary)]["shard"] == str(binary)
    assert "not valid UTF-8" in by_source[str(texts / "bad.txt")]["reason"]
    assert by_source[str(tmp_path / "missing.jsonl")]["reason"] == "no such file or directory"
    got = sorted(canonical(r) for r in read_run(out))
    want = sorted(canonical(r) for d in good for r in reference[d["id"]])
    ok = [canonical(r) for r in read_run(out) if r["doc_id"] == "ok"]
    assert len(ok) == len(reference["a-000"])
    assert sorted(set(got) - set(ok)) == want
    assert "7 documents" in result.output and "8 errors" in result.output


def test_parquet_output_read_back_with_pyarrow(corpus, reference, client, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed")
    from spacy_quotes.distributed import extract_corpus

    out = tmp_path / "out"
    summary = extract_corpus([str(corpus["c"])], str(out), client, format="parquet", partition_size=8)
    files = sorted(out.glob("part-*.parquet"))
    assert summary.complete and len(files) == 4
    tables = [pq.read_table(f) for f in files]
    assert tables[0].schema.field("cue").type.num_fields == 3
    records = [r for t in tables for r in t.to_pylist()]
    assert sorted(canonical(r) for r in records) == expected(reference, {"c"})


def test_fsspec_memory_urls(client, tmp_path, reference):
    """Inputs as ``memory://`` URLs: a JSONL shard and a directory of .txt files, put in the
    in-memory filesystem of the client and of each worker process (it is per process)."""
    fsspec = pytest.importorskip("fsspec", reason=DASK_REASON)
    from spacy_quotes.distributed import extract_corpus

    docs = make_docs("a", 12)
    files = {"memory://news/feed.jsonl": "".join(json.dumps(d) + "\n" for d in docs[:8]).encode()}
    for doc in docs[8:]:
        files[f"memory://news/txt/{doc['id']}.txt"] = doc["text"].encode()
    memory = fsspec.filesystem("memory")
    memory.pipe(files)  # here, for finding the shards; and in each worker process, for reading them
    client.run(memory.pipe, files)
    out = tmp_path / "out"
    summary = extract_corpus(["memory://news/*.jsonl", "memory://news/txt"], str(out), client, partition_size=3)
    assert summary.complete and summary.documents == 12 and summary.partitions == 3 + 2
    got = sorted(canonical(r) for r in read_run(out))
    assert got == sorted(canonical(r) for d in docs for r in reference[d["id"]])
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["url"] for s in manifest["shards"]] == ["memory:///news/feed.jsonl", "memory:///news/txt"]


# --- parts, without a cluster ---------------------------------------------------------------


def test_speaker_reduction_equals_collect_speakers():
    """Partial counts of random splits, merged in any grouping, give collect_speakers' table:
    spelling choice, the shorter form joined to the longer, documents and ids in order."""
    pytest.importorskip("fsspec", reason=DASK_REASON)
    from spacy_quotes.distributed.speakers import SpeakerCounts, merge_counts
    from spacy_quotes.speaker_table import collect_speakers

    rng = random.Random(7)
    # accent-folded and one-letter spellings join the most quoted one ("Mária", "Garsia")
    names = ["Maria Lopez Garcia", "Lopez Garcia", "the ministry", "The Ministry", None,
             "Jon Ek", "  ", "Karin Sund", "Maria Lopez Garcia", "Mária López García",
             "Sebastian Okonkwo", "Sebastian Okonkwo", "Sebastian Okonkow"]
    records = [{"doc_id": f"doc{i // 3}", "type": rng.choice(["direct", "indirect", "mixed"]),
                "speaker_name": rng.choice(names)} for i in range(300)]
    cuts = sorted(rng.sample(range(1, 300), 9))
    parts = []
    for index, (a, b) in enumerate(zip([0] + cuts, cuts + [300])):
        counts = SpeakerCounts()
        counts.add(records[a:b], index)
        parts.append(SpeakerCounts.from_dict(json.loads(json.dumps(counts.to_dict()))))  # as in the files
    rng.shuffle(parts)
    merged = merge_counts(merge_counts(*parts[:4]), merge_counts(*parts[4:7]), *parts[7:])
    assert merged.rows() == collect_speakers(records)
    names_out = {row.name for row in merged.rows()}
    assert "Lopez Garcia" not in names_out
    assert "Mária López García" not in names_out and "Sebastian Okonkow" not in names_out


def test_parquet_exporter_round_trip(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed")
    from spacy_quotes.plugins import export_records, get_exporters

    assert get_exporters()["parquet"].extension == ".parquet"
    records = [
        {"doc_id": "x", "index": 0, "type": "direct", "text": "Ça va", "start": 1, "end": 6,
         "cue": {"text": "said", "start": 9, "end": 13}, "speaker": None, "speaker_name": None,
         "speaker_id": None, "score": 0.91, "topic": "harbour"},
        {"doc_id": "x", "index": 1, "type": "indirect", "text": "it rained", "start": 20, "end": 29, "cue": None,
         "speaker": {"text": "she", "start": 15, "end": 18}, "speaker_name": "Anna Berg",
         "speaker_id": "x:Anna Berg", "score": 0.5, "via": {"text": "Berg", "start": 0, "end": 4}},
    ]
    path = tmp_path / "q.parquet"
    export_records(iter(records), format="parquet", path=str(path))
    back = pq.read_table(path).to_pylist()
    assert back[0] == {**records[0], "via": None}
    assert back[1] == {**records[1], "topic": None}
    export_records(iter([]), format="parquet", path=str(tmp_path / "empty.parquet"))
    empty = pq.read_table(tmp_path / "empty.parquet")
    assert empty.num_rows == 0 and "speaker_name" in empty.schema.names


def test_base_install_without_dask_or_pyarrow(tmp_path):
    """With dask, distributed, pyarrow and fsspec hidden, the package, its CLI and its exporters
    load; extract-corpus and the parquet format say what to install."""
    script = r"""
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("dask", "distributed", "pyarrow", "fsspec"):
            raise ImportError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Hide())
import spacy_quotes, spacy_quotes.cli
from spacy_quotes.plugins import export_records, get_exporters
assert {"jsonl", "csv", "parquet"} <= set(get_exporters())
try:
    export_records(iter([]), format="parquet", path=sys.argv[1])
except RuntimeError as err:
    print("PARQUET:", err)
from typer.testing import CliRunner
result = CliRunner().invoke(spacy_quotes.cli.app, ["extract-corpus", "x.jsonl", "-o", sys.argv[1]])
print("EXIT:", result.exit_code, result.output.strip())
assert not [m for m in sys.modules if m.split(".")[0] in ("dask", "distributed", "pyarrow")]
"""
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "PARQUET: the parquet format needs pyarrow" in proc.stdout
    assert "EXIT: 2" in proc.stdout and "pip install 'spacy-quotes[dask]'" in proc.stdout
