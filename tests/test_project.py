"""The training workflow as a spaCy project (project.yml): its commands resolve, and `convert`
then `train` (a few steps) and `evaluate` run for real on a small brat corpus written here."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from test_corpus import polnear_sample  # noqa: F401  (the fixture; tests/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(ROOT / "project.yml", proj / "project.yml")
    shutil.copytree(ROOT / "configs", proj / "configs")
    return proj


def _run(proj: Path, *args: str) -> subprocess.CompletedProcess:
    name, *overrides = args
    cmd = [sys.executable, "-m", "spacy", "project", "run", name, str(proj), *overrides]
    return subprocess.run(cmd, cwd=proj, capture_output=True, text=True, timeout=600)


def test_project_commands_reference_existing_files():
    from weasel.util import load_project_config

    config = load_project_config(ROOT, interpolate=True)
    names = {c["name"] for c in config["commands"]}
    assert {"convert", "train", "evaluate", "ship", "train-trf", "finetune"} <= names
    for workflow in config["workflows"].values():
        assert set(workflow) <= names
    for command in config["commands"]:
        for dep in command.get("deps", []):
            if dep.startswith("configs/"):  # the rest are outputs of earlier commands or user data
                assert (ROOT / dep).exists(), f"{command['name']}: {dep} is missing"
        for line in command["script"]:
            for word in line.split():
                if word.endswith((".py", ".sh", ".cfg")) and not word.startswith("-"):
                    assert (ROOT / word).exists(), f"{command['name']}: {word} is missing"


@pytest.mark.slow
def test_project_convert_train_evaluate(tmp_path, polnear_sample):  # noqa: F811
    proj = _project(tmp_path)
    corpus, output = tmp_path / "corpus", tmp_path / "output"
    common = ["--vars.polnear", str(polnear_sample), "--vars.corpus", str(corpus), "--vars.n_process", "1"]
    result = _run(proj, "convert", *common)
    assert result.returncode == 0, result.stdout + result.stderr
    docs = list(DocBin().from_disk(corpus / "train.spacy").get_docs(__import__("spacy").blank("en").vocab))
    assert docs and len(docs[0].spans["quotes"]) >= 3
    result = _run(proj, "train", *common, "--vars.output", str(output), "--vars.train_max_steps", "3", "--vars.train_eval_frequency", "3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (output / "model-best" / "quotes").is_dir()
    result = _run(proj, "evaluate", *common, "--vars.output", str(output))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (output / "test_metrics.json").is_file() and "quotes_content_f" in (output / "test_metrics.json").read_text()
