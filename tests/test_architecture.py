"""The code's shape, checked: the import layers of docs/architecture.md, no import inside a
function to dodge a cycle, and modules and classes a newcomer can read."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "spacy_quotes"


def test_import_layers_hold(capsys):
    """pyproject.toml's import-linter contract: each stage imports only from the stages below it
    (lazy imports inside functions count too)."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extra")
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "1 kept, 0 broken" in out
