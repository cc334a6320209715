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


def _package_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_package_import_inside_a_function():
    """An import of the package's own modules inside a function hides a cycle: only the CLI
    may import lazily (an optional extra's command starts without importing the extra)."""
    found = []
    for path, tree in _package_modules():
        if path.parent.name == "cli":
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                own = (isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("spacy_quotes"))) \
                    or (isinstance(node, ast.Import) and any(a.name.startswith("spacy_quotes") for a in node.names))
                if own:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_modules_and_classes_stay_readable():
    """No module over 600 lines and no class over 300 (a newcomer reads one in a sitting)."""
    too_long = []
    for path, tree in _package_modules():
        n_lines = len(path.read_text(encoding="utf-8").splitlines())
        if n_lines > 600:
            too_long.append(f"{path.relative_to(ROOT)}: {n_lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 300:
                too_long.append(f"{path.relative_to(ROOT)}: class {node.name}, {node.end_lineno - node.lineno + 1} lines")
    assert too_long == []
