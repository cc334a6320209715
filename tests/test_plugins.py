"""Exporter plugins: built-ins, in-process plugins, a real installed distribution, the docs."""
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

import spacy_quotes
from spacy_quotes.plugins import export, get_exporters, get_plugin_manager, hookspecs, records_from_doc
from spacy_quotes.quote import set_quote_groups

ROOT = Path(__file__).resolve().parent.parent
TEXT = "“We will win,” the coach said.\nShe added that the team, “tired but happy”, would rest."


@pytest.fixture(scope="module")
def docs():
    nlp = spacy.blank("en")
    doc = nlp(TEXT)
    c = TEXT.index("”") + 1
    items = [
        {"content": (0, c), "cue": (TEXT.index("said"), TEXT.index("said") + 4),
         "speaker": (TEXT.index("the coach"), TEXT.index("the coach") + 9), "speaker_name": "Ana Díaz",
         "speaker_id": "Ana Díaz"},
        {"content": (TEXT.index("the team"), TEXT.index(", would") + 13), "cue": (TEXT.index("added"), TEXT.index("added") + 5),
         "speaker": (TEXT.index("She"), TEXT.index("She") + 3), "speaker_name": "Ana Díaz", "speaker_id": "Ana Díaz"},
    ]
    set_quote_groups(doc, items)
    doc.user_data["doc_id"] = "match-report"
    empty = nlp("No quotes here.")
    set_quote_groups(empty, [])
    return [doc, empty]


def test_builtin_exporters_are_plugins():
    exporters = get_exporters()
    assert {"jsonl", "csv"} <= set(exporters)
    assert exporters["jsonl"].distribution == exporters["csv"].distribution == "spacy-quotes"
    names = [get_plugin_manager().get_name(p) for p in get_plugin_manager().get_plugins()]
    assert "spacy_quotes.plugins.jsonl" in names and "spacy_quotes.plugins.csv_exporter" in names


def test_jsonl_written_and_read_back(docs, tmp_path):
    out = tmp_path / "quotes.jsonl"
    export(docs, format="jsonl", path=str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    assert records[0]["text"] == "We will win" and records[0]["type"] == "direct"
    assert records[1]["type"] == "mixed"
    for r in records:
        assert TEXT[r["start"]:r["end"]] == r["text"]
        assert r["speaker_name"] == "Ana Díaz" and r["speaker_id"] == "match-report:Ana Díaz"
    assert "Díaz" in out.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_csv_written_and_read_back(docs, tmp_path):
    out = tmp_path / "quotes.csv"
    export(docs, format="csv", path=str(out))
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    assert rows[0]["cue_text"] == "said" and rows[0]["speaker_text"] == "the coach"
    assert int(rows[1]["start"]) == TEXT.index("the team")


def test_export_streams_records_lazily(tmp_path):
    seen = []

    def records():
        for i in range(3):
            seen.append(i)
            yield {"doc_id": f"d{i}", "index": 0, "type": "indirect", "text": "x", "start": 0, "end": 1,
                   "cue": None, "speaker": None, "speaker_name": None, "speaker_id": None, "score": 0.5}

    out = tmp_path / "s.jsonl"
    export(records(), format="jsonl", path=str(out))
    assert seen == [0, 1, 2] and len(out.read_text().splitlines()) == 3


def test_unknown_format(docs):
    with pytest.raises(ValueError, match="Known formats: .*jsonl"):
        export(docs, format="nope")


class UpperPlugin:
    """An in-process plugin: an exporter and an extra record field."""

    def __init__(self, out_name="upper"):
        self.out_name = out_name

    @spacy_quotes.hookimpl
    def register_exporters(self, register):
        def export_upper(records, path):
            Path(path).write_text("\n".join(r["text"].upper() for r in records), encoding="utf-8")

        register(self.out_name, export_upper, description="upper-case texts")

    @spacy_quotes.hookimpl
    def process_record(self, record, quote, doc):
        return {"n_tokens": len(quote.content)}


def test_in_process_plugin(docs, tmp_path):
    pm = get_plugin_manager()
    plugin = UpperPlugin()
    pm.register(plugin, name="upper-test")
    try:
        assert "upper" in get_exporters()
        out = tmp_path / "u.txt"
        export(docs, format="upper", path=str(out))
        assert out.read_text(encoding="utf-8").splitlines()[0] == "WE WILL WIN"
        records = records_from_doc(docs[0])
        assert records[0]["n_tokens"] == len(docs[0].spans["quotes"][0])
    finally:
        pm.unregister(plugin)
    assert "upper" not in get_exporters()
    assert "n_tokens" not in records_from_doc(docs[0])[0]


def test_duplicate_name_is_an_error():
    pm = get_plugin_manager()
    plugin = UpperPlugin(out_name="jsonl")
    pm.register(plugin, name="dup-test")
    try:
        with pytest.raises(ValueError, match=r"'jsonl'.*spacy-quotes.*dup-test|'jsonl'.*dup-test.*spacy-quotes"):
            get_exporters()
    finally:
        pm.unregister(plugin)


@pytest.mark.parametrize("args", [["exporters"], ["extract", "-", "--format", "jsonl"]])
def test_duplicate_name_is_one_error_line_in_the_cli(args):
    from typer.testing import CliRunner

    from spacy_quotes.cli import app

    pm = get_plugin_manager()
    plugin = UpperPlugin(out_name="csv")
    pm.register(plugin, name="dup-cli-test")
    try:
        result = CliRunner().invoke(app, args, input="")
    finally:
        pm.unregister(plugin)
    assert result.exit_code == 2
    assert not isinstance(result.exception, ValueError)  # no traceback: a clean exit
    assert re.search(r"^error: Two plugins register the exporter 'csv': .*dup-cli-test", result.output, re.M)


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """The example plugin package, really installed (pip) into a directory on PYTHONPATH."""
    target = tmp_path_factory.mktemp("site")
    src = ROOT / "tests" / "fixtures" / "example_plugin"
    build = tmp_path_factory.mktemp("build")
    import shutil

    shutil.copytree(src, build / "pkg")
    # As a user installs it: pip builds the package in an isolated environment with the
    # setuptools its pyproject.toml asks for (from PyPI), so the test needs neither setuptools
    # nor wheel in this environment (a fresh venv has neither).
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
         "--target", str(target), str(build / "pkg")],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return target


def _run(code, site, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout


def test_installed_distribution_found_through_entry_point(installed_plugin, tmp_path):
    code = (
        "import json, spacy\n"
        "from spacy_quotes.plugins import get_exporters, export\n"
        "from spacy_quotes.quote import set_quote_groups\n"
        "e = get_exporters()['tsv']\n"
        "print(e.distribution, e.extension)\n"
        "doc = spacy.blank('en')('“Fine,” he said.')\n"
        "set_quote_groups(doc, [{'content': (0, 7), 'cue': (11, 15), 'speaker': (8, 10), 'speaker_name': 'Bo'}])\n"
        "doc.user_data['doc_id'] = 'd1'\n"
        "export([doc], format='tsv', path='out.tsv')\n"
        "export([doc], format='jsonl', path='out.jsonl')\n"
    )
    out = _run(code, installed_plugin, tmp_path)
    assert out.split() == ["spacy-quotes-tsv", ".tsv"]
    rows = (tmp_path / "out.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t") == ["doc_id", "index", "type", "speaker_name", "text"]
    assert rows[1].split("\t") == ["d1", "0", "direct", "Bo", "Fine"]
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["n_words"] == 1  # the plugin's process_record hook ran


def test_every_hook_documented_and_tested():
    hooks = [name for name in dir(hookspecs) if not name.startswith("_")
             and callable(getattr(hookspecs, name)) and hasattr(getattr(hookspecs, name), "spacy_quotes_spec")]
    assert set(hooks) == {"register_exporters", "process_record"}
    docs_text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\w+)", docs_text, flags=re.M)
    tests_text = Path(__file__).read_text(encoding="utf-8")
    for hook in hooks:
        assert hook in headings, f"docs/plugins.md has no heading for {hook}"
        assert getattr(hookspecs, hook).__doc__.strip()
        assert f"def {hook}(" in tests_text, f"no test plugin implements {hook}"
