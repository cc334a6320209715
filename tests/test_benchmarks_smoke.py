"""Smoke tests of the benchmark scripts (benchmarks/*.py).

Each script runs once with ``--quick`` (tiny sizes) in a subprocess; the tests check that its
tables have the expected columns and sensible numbers. The helpers of the scripts (table and
markdown writing, the power-law fit, the training-log parser) are tested directly.
"""
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
SHIPPED = REPO / "spacy_quotes" / "model" / "quotes" / "model"
CHECKPOINT = REPO / "training" / "output" / "model-best" / "quotes" / "model"
HAS_WEIGHTS = SHIPPED.exists() or CHECKPOINT.exists()
needs_weights = pytest.mark.skipif(not HAS_WEIGHTS, reason="no trained quotes weights (shipped or checkpoint)")
needs_shipped = pytest.mark.skipif(not SHIPPED.exists(), reason="the shipped quotes weights are not installed")
POLNEAR_DOCBINS = [REPO / "training" / "corpus" / f"{split}.spacy" for split in ("train", "dev", "test")]
needs_polnear_docbins = pytest.mark.skipif(
    not all(p.exists() for p in POLNEAR_DOCBINS),
    reason="training/corpus/{train,dev,test}.spacy are missing (made from PolNeAR, ../shared/data/polnear, "
           "by spacy-quotes convert polnear)")


def _load(name: str):
    """Import a benchmark script as a module (they are scripts, not a package)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(args, timeout=240, env=None):
    proc = subprocess.run([sys.executable] + [str(a) for a in args], cwd=str(REPO), capture_output=True,
                          text=True, timeout=timeout, env=None if env is None else {**os.environ, **env})
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    return proc.stdout


def _table(stdout: str, title: str):
    """The header cells and rows (cells split on 2+ spaces) of the table under '== title =='."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"== {title} ==")
    return _rows(lines, start + 1)


def _grid(stdout: str, first: str):
    """The header cells and rows of the first untitled table whose first header cell is ``first``."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines[:-1]) if re.split(r"\s{2,}", line.strip())[0] == first
                 and set(lines[i + 1].replace(" ", "")) == {"-"})
    return _rows(lines, start)


def _rows(lines, start: int):
    header = re.split(r"\s{2,}", lines[start].strip())
    assert set(lines[start + 1].replace(" ", "")) == {"-"}
    rows = []
    for line in lines[start + 2:]:
        if not line.strip() or line.startswith("=="):
            break
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(header):
            break
        rows.append(dict(zip(header, cells)))
    return header, rows


def _num(cell: str) -> float:
    return float(cell.replace(",", "").rstrip("%x"))


# ---- the scripts, end to end -----------------------------------------------------------------


@needs_weights
def test_speed_quick(tmp_path):
    md, plot, js = tmp_path / "b.md", tmp_path / "t.png", tmp_path / "r.json"
    out = _run([BENCH / "speed.py", "--quick", "--markdown", md, "--plot", plot, "--json", js])
    header, rows = _table(out, "Throughput and peak memory")
    assert header[:3] == ["pipeline", "n_process", "batch_size"] and "words/s" in header and "peak RSS MB" in header
    assert [r["pipeline"] for r in rows] == ["base", "base+quotes"]
    for r in rows:
        assert _num(r["words/s"]) > 0 and _num(r["peak RSS MB"]) > 50
    assert _num(rows[0]["quotes"]) == 0 and _num(rows[1]["quotes"]) > 0  # only base+quotes finds quotes
    header, rows = _table(out, "The quotes component alone (pre-parsed docs, one process)")
    stages = {r["stage"]: r for r in rows}
    assert {"quotes: model (predict)", "quotes: decode + link", "quotes: speaker resolution"} <= set(stages)
    share = sum(_num(stages[s]["share of base+quotes"]) for s in
                ("base pipeline (parse)", "quotes: model (predict)", "quotes: decode + link", "quotes: speaker resolution"))
    assert share == pytest.approx(1.0, abs=0.01)
    header, rows = _table(out, "Time as one document grows (PolNeAR articles concatenated)")
    assert header[0] == "words" and "quotes us/word" in header and len(rows) == 2
    assert _num(rows[1]["words"]) > _num(rows[0]["words"]) > 0
    header, rows = _table(out, "Time as the number of quotes per document grows (template documents)")
    assert [_num(r["quotes"]) for r in rows] == [4, 16] and "quotes us/quote" in header
    assert _num(rows[1]["quotes found"]) > 0
    assert re.search(r"time per word at [\d,]+ / at [\d,]+ words = [\d.]+x, fitted exponent [\d.-]+", out)
    goals = out.split("== Goals ==")[1]
    assert re.search(r"quotes adds <= 25% to the base pipeline's time: [\d.]+% .*: (PASS|FAIL)", goals)
    assert re.search(r"quotes adds <= 200 MB to peak memory: (PASS|FAIL)", goals)
    assert "linear in document length" in goals and "linear in number of quotes" in goals
    text = md.read_text(encoding="utf8")
    assert "<!-- begin speed-throughput -->" in text and "<!-- begin speed-scaling -->" in text
    assert "| pipeline | n_process |" in text and "python benchmarks/speed.py --quick" in text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = json.loads(js.read_text())
    assert len(result["length"]) == 2 and all(r["quotes"] > 0 for r in result["length"])


@needs_weights
def test_accuracy_quick(tmp_path):
    md = tmp_path / "b.md"
    out = _run([BENCH / "accuracy.py", "--quick", "--corpora", "seeds", "--markdown", md])
    header, rows = _table(out, "Seed corpus")
    assert header == ["metric", "model", "textacy", "rules"]
    metrics = {r["metric"]: r for r in rows}
    for role in ("content", "cue", "speaker"):
        for kind in ("F1 (exact)", "F1 (overlap)"):
            row = metrics[f"{role} {kind}"]
            for system in ("model", "rules"):
                assert 0.0 <= _num(row[system]) <= 1.0
    # overlap matching is more lenient than exact matching
    for system in ("model", "rules"):
        assert _num(metrics["content F1 (overlap)"][system]) >= _num(metrics["content F1 (exact)"][system])
    assert _num(metrics["content F1 (overlap)"]["rules"]) > 0.3  # the rules find quotes
    assert "direct quotes: recall" in metrics and "link accuracy" in metrics and "speaker-name accuracy" in metrics
    assert _num(metrics["words/s (extraction only)"]["model"]) > 0
    if metrics["content F1 (exact)"]["textacy"] != "-":  # textacy installed: direct quotes only
        assert _num(metrics["indirect quotes: recall"]["textacy"]) == 0.0
    assert "<!-- begin accuracy -->" in md.read_text(encoding="utf8")


def test_training_cost_quick():
    # trains on training/corpus/{train,dev}.spacy, or on corpus/seeds.jsonl where those are missing
    out = _run([BENCH / "training_cost.py", "--quick"])
    header, rows = _table(out, "Training cost")
    assert header[:6] == ["steps", "evaluations", "wall s", "CPU user s", "CPU sys s", "peak RSS MB"]
    (row,) = rows
    assert _num(row["steps"]) == 4 and _num(row["evaluations"]) >= 2
    assert _num(row["wall s"]) > 0 and _num(row["peak RSS MB"]) > 50
    assert 0.0 <= _num(row["last SCORE"]) <= 1.0



@needs_shipped
@needs_polnear_docbins
def test_finetune_quick(tmp_path):
    work, md = tmp_path / "work", tmp_path / "b.md"
    out = _run([BENCH / "finetune.py", "--quick", "--workdir", work, "--markdown", md])
    sample = re.search(r"sample: (\d+) PolNeAR train documents, (\d+) gold quotes -> Label Studio export -> "
                       r"(\d+) train \+ (\d+) dev documents, (\d+) quotes; (\d+) documents could not be mapped", out)
    assert sample, out[:2000]
    docs, gold, train, dev, quotes, unmapped = map(int, sample.groups())
    assert docs == 8 and train + dev == 8 and train > 0 and dev > 0
    assert gold > 0 and quotes == gold and unmapped == 0  # the Label Studio round trip keeps every quote
    steps = [int(line.split()[1]) for line in out.splitlines() if re.match(r"\s*\d+\s+\d+\s+[\d.]+", line)]
    assert steps and steps[-1] == 4  # --quick: 4 steps, evaluated every 2
    header, rows = _grid(out, "metric")
    assert header == ["metric"] + [f"{split} {who}" for split in ("dev", "test")
                                   for who in ("shipped", "fine-tuned", "change")]
    assert [r["metric"] for r in rows] == ["content F1 (exact)", "content P (exact)", "content R (exact)",
                                           "cue F1 (exact)", "speaker F1 (exact)", "content F1 (overlap)",
                                           "link accuracy"]
    for r in rows:
        for split in ("dev", "test"):
            before, after = _num(r[f"{split} shipped"]), _num(r[f"{split} fine-tuned"])
            assert 0.0 <= before <= 100.0 and 0.0 <= after <= 100.0
            assert _num(r[f"{split} change"]) == pytest.approx(after - before, abs=0.11)
    metrics = {r["metric"]: r for r in rows}
    assert _num(metrics["content F1 (exact)"]["dev shipped"]) > 30  # the shipped weights find quotes
    assert re.search(r"seconds: export \+ convert \(parse\) \d+, spacy train \d+, evaluation \d+", out)
    tasks = json.loads((work / "labelstudio_export.json").read_text(encoding="utf-8"))
    assert len(tasks) == 8 and all(t["data"]["text"] and t["annotations"][0]["result"] for t in tasks)
    assert (work / "data" / "train.spacy").stat().st_size > 0 and (work / "data" / "dev.spacy").stat().st_size > 0
    assert (work / "output" / "model-best" / "quotes" / "model").is_file()
    text = md.read_text(encoding="utf8")
    assert "<!-- begin finetune -->" in text and "| metric | dev shipped |" in text
    assert "python benchmarks/finetune.py --quick" in text


@needs_shipped
def test_n_process_quick():
    out = _run([BENCH / "n_process.py", "--quick"])
    intro = re.match(r"6 articles, (\d+) words, batch size 32$", out.splitlines()[0])
    assert intro, out[:500]
    words = int(intro.group(1))
    header, *lines = [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()[1:] if line.strip()]
    assert header == ["mode", "seconds", "words/s"]  # no dashes under this header
    rows = [dict(zip(header, cells)) for cells in lines]
    assert [r["mode"] for r in rows] == ["1 process", "2 processes, batch 32 (old)", "2 processes (runner)"]
    for r in rows:
        seconds, rate = _num(r["seconds"]), _num(r["words/s"])
        assert seconds > 0 and rate > 0
        # seconds are rounded to 0.1 and words/s to 1: the two agree to within that rounding
        assert abs(words / rate - seconds) <= 0.05 + 0.001 * seconds + words / rate**2


def test_speaker_table_scaling_quick():
    out = _run([BENCH / "speaker_table_scaling.py", "--quick"])
    header, *lines = [line.split() for line in out.splitlines() if line.strip()]
    assert header == ["names", "records", "rows", "seconds", "ratio", "linear"]
    rows = [dict(zip(header, cells)) for cells in lines]
    assert [int(r["names"]) for r in rows] == [300, 1200]
    for r in rows:
        names, n_rows = int(r["names"]), int(r["rows"])
        # each name once, a longer form of every tenth and an upper-case spelling of every seventh
        assert int(r["records"]) == names + len(range(0, names, 10)) + len(range(0, names, 7))
        # the spellings and the shorter forms join their names: about one row per name
        assert 0.9 * names <= n_rows <= names
        assert float(r["seconds"]) > 0
    assert float(rows[1]["linear"]) == 4.0


@needs_shipped
def test_scaling_quick(tmp_path):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed (pip install 'spacy-quotes[dask]')")
    js = tmp_path / "s.json"
    out = _run([BENCH / "scaling.py", "--quick", "--json", js], env={"TMPDIR": str(tmp_path)})
    corpus = re.search(r"# corpus: .*: 4 documents, ([\d,]+) words", out)
    assert corpus, out[:500]
    words = _num(corpus.group(1))
    header, rows = _grid(out, "workers")
    assert header[:4] == ["workers", "seconds", "words/s", "speedup"] and "RSS per worker MB" in header
    (row,) = rows  # --quick: one worker
    assert _num(row["workers"]) == 1 and _num(row["words/s"]) > 0 and _num(row["speedup"]) == 1.0
    assert _num(row["RSS per worker MB"]) > 50 and _num(row["cluster+load s"]) > 0
    header, rows = _grid(out, "command")
    assert header == ["command", "wall s", "start-up s", "processing s", "words/s"]
    assert [r["command"] for r in rows] == ["extract -n 1", "extract-corpus --workers 1"]
    for r in rows:
        assert _num(r["wall s"]) > 0 and _num(r["start-up s"]) > 0
    assert re.search(r"Dask overhead against extract -n 1: processing [+-][\d.]+%, wall [+-][\d.]+%", out)
    header, rows = _grid(out, "articles")
    assert header == ["articles", "worker-hours", "hours on 8", "hours on 64", "hours on 256", "hours on 1024"]
    assert [r["articles"] for r in rows] == ["1,000,000", "100,000,000"]
    for r in rows:
        hours = [_num(r[h]) for h in header[2:]]
        assert _num(r["worker-hours"]) > 0 and hours == sorted(hours, reverse=True) and hours[0] > 0
    result = json.loads(js.read_text())
    assert result["documents"] == 4 and result["words"] == words
    (warm,) = result["warm"]
    assert warm["documents"] == 4 and warm["quotes"] > 0 and warm["seconds"] > 0
    assert result["sizing"]["per_word_s"] > 0 and 0 < result["sizing"]["efficiency"] <= 1.0
    assert set(result["end_to_end"]["timings"]) == {"extract -n 1 corpus", "extract -n 1 start-up",
                                                    "extract-corpus --workers 1 corpus",
                                                    "extract-corpus --workers 1 start-up"}
    assert not list(tmp_path.glob("spacy-quotes-scaling-*"))  # its temporary folder is removed


@needs_shipped
def test_serve_load_quick(tmp_path):
    for module in ("fastapi", "uvicorn", "httpx"):
        pytest.importorskip(module, reason="the server extra (pip install 'spacy-quotes[server]') is not installed")
    md = tmp_path / "b.md"
    # exits 1 if any request failed or returned a record whose text is not document[start:end]
    out = _run([BENCH / "serve_load.py", "--quick", "--markdown", md], env={"TMPDIR": str(tmp_path)})
    header, rows = _grid(out, "workers")
    assert header[:4] == ["workers", "requests", "at once", "requests/s"] and header[-1].startswith("peak RSS MB")
    (row,) = rows  # --quick: one worker, 10 requests, 2 at a time
    assert (row["workers"], row["requests"], row["at once"]) == ("1", "10", "2")
    assert _num(row["errors"]) == 0 and _num(row["quotes"]) > 0
    assert _num(row["requests/s"]) > 0 and _num(row["words/s"]) > _num(row["requests/s"])
    latencies = [_num(row[h]) for h in ("p50 s", "p95 s", "p99 s", "max s")]
    assert latencies == sorted(latencies) and latencies[0] > 0
    assert _num(row["batches"]) >= 1 and 1 <= _num(row["largest batch"]) <= 2  # at most 2 requests wait together
    assert _num(row["start-up s"]) > 0 and _num(row["peak RSS MB (server + workers)"].split()[0]) > 100
    assert list(tmp_path.glob("serve_load_*.log"))  # the server's log
    text = md.read_text(encoding="utf8")
    assert "<!-- begin serve-load -->" in text and "| workers | requests | at once |" in text


# ---- helpers -------------------------------------------------------------------------------


def test_power_fit_and_tables(tmp_path):
    speed = _load("speed")
    sizes = [1000, 10000, 100000]
    assert speed.power_fit(sizes, [2e-3 * s for s in sizes]) == pytest.approx(1.0)
    assert speed.power_fit(sizes, [1e-7 * s * s for s in sizes]) == pytest.approx(2.0)
    assert math.isnan(speed.power_fit([5], [1.0]))
    common = _load("_common")
    table = common.text_table(["name", "words/s"], [["base", 12345.6], ["quotes", None]])
    assert table.splitlines()[2].endswith("12,346") and table.splitlines()[3].endswith("-")
    md = tmp_path / "b.md"
    common.write_markdown_section(md, "one", "first")
    common.write_markdown_section(md, "two", "second")
    common.write_markdown_section(md, "one", "first again")
    text = md.read_text()
    assert text.startswith("# Benchmarks") and "first again" in text and "first\n" not in text
    assert text.index("first again") < text.index("second")
    common.write_markdown_section(md, "accuracy", "accuracy table")
    common.write_markdown_section(md, "speed-throughput", "speed table")
    text = md.read_text()  # the known sections come first, in their fixed order
    assert text.index("speed table") < text.index("accuracy table") < text.index("first again")
    # text outside the sections, between them and after the last, stays where it was
    md.write_text(text.replace("<!-- end accuracy -->", "<!-- end accuracy -->\n\nA note by hand.")
                  + "\n## Written by hand\n\nKept.\n")
    common.write_markdown_section(md, "speed-throughput", "speed table again")
    common.write_markdown_section(md, "training-cost", "training table")
    text = md.read_text()
    assert "A note by hand." in text and text.rstrip().endswith("Kept.") and "speed table\n" not in text
    assert text.index("speed table again") < text.index("accuracy table") < text.index("A note by hand.")
    assert text.index("accuracy table") < text.index("training table") < text.index("first again")


def test_template_documents_and_long_text():
    speed = _load("speed")
    text = speed.quotes_text(40)
    assert text.count("\n\n") >= 39 and text == speed.quotes_text(40)  # deterministic
    assert "said" in text and "“" in text
    doc = speed.long_text(3000)
    assert abs(len(doc.split()) - 3000) <= 1


def test_parse_training_log():
    training_cost = _load("training_cost")
    log = (
        "ℹ Initial learn rate: 0.001\n"
        "E    #       LOSS QUOTES  QUOTES_CON...  QUOTES_CUE_F  QUOTES_SPE...  QUOTES_LIN...  SCORE \n"
        "---  ------  -----------  -------------  ------------  -------------  -------------  ------\n"
        "  0       0      1743.69           0.00          0.00           0.00           0.00    0.00\n"
        "  3     500       812.50           0.41          0.52           0.33           0.45    0.43\n"
    )
    parsed = training_cost.parse_log(log)
    assert parsed["step"] == 500 and parsed["epoch"] == 3 and parsed["n_evals"] == 2
    assert parsed["loss"] == pytest.approx(812.5)
    assert parsed["scores"] == {"QUOTES_CONTENT_F": 0.41, "QUOTES_CUE_F": 0.52, "QUOTES_SPEAKER_F": 0.33,
                                "QUOTES_LINK_ACC": 0.45, "SCORE": 0.43}
    assert training_cost.parse_log("no table here") == {"n_evals": 0}


def test_scaling_table_flags_superlinear_and_failed_runs(capsys):
    speed = _load("speed")

    def row(n, t_quotes):
        return {"size": n, "words": n, "tokens": n, "base": 1e-4 * n, "model": t_quotes / 2, "decode": t_quotes / 4,
                "speakers": t_quotes / 4, "quotes": t_quotes, "quotes_found": n // 50, "rss_mb": 300.0}

    linear = speed.scaling_table(speed.Report(None), "s", "linear", "words", [row(n, 2e-5 * n) for n in (1000, 10000)])
    assert linear["linear_ok"] and linear["quotes"]["exponent"] == pytest.approx(1.0)
    quadratic = speed.scaling_table(speed.Report(None), "s", "quadratic", "words",
                                    [row(n, 1e-8 * n * n) for n in (1000, 10000)])
    assert not quadratic["linear_ok"] and quadratic["quotes"]["ratio"] == pytest.approx(10.0)
    failed = speed.scaling_table(speed.Report(None), "s", "failed", "words",
                                 [row(1000, 0.02), row(5000, 0.1),
                                  {"size": 9000, "words": 9000, "error": "RecursionError: maximum recursion depth"}])
    assert not failed["linear_ok"] and failed["failed"][0]["size"] == 9000
    out = capsys.readouterr().out
    assert "FAILED: RecursionError" in out and "FAILED at 9,000 words: RecursionError" in out
