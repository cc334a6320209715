"""`spacy-quotes convert polnear`: the PolNeAR corpus (brat) -> ``.spacy`` training data."""
from enum import Enum
from pathlib import Path

import typer

from ..base import load_base
from ..corpus import convert_polnear
from ._util import convert_app, fail


class Annotators(str, Enum):
    first = "first"
    all = "all"


@convert_app.command("polnear")
def convert_polnear_cli(
    src: Path = typer.Argument(..., metavar="SRC", help="The PolNeAR root (the folder holding data/) or its data/ folder."),
    out: Path = typer.Argument(..., metavar="OUT", help="Output folder for train.spacy, dev.spacy and test.spacy."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes for parsing."),
    annotators: Annotators = typer.Option(
        Annotators.first, "--annotators", help="Training documents: one annotation per article, or every annotator's."
    ),
    base: str = typer.Option("", "--base", help="Base pipeline that parses the texts (default: en_core_web_sm)."),
) -> None:
    """Convert the PolNeAR corpus (brat) into spaCy DocBin files with gold quote spans."""
    if not src.exists():
        fail(f"{src}: no such file or directory")
    try:
        nlp = load_base(base)
    except OSError as err:
        fail(f"cannot load base pipeline {base or '(default)'}: {err}")
    try:
        counts = convert_polnear(src, out, nlp, annotators=annotators.value, n_process=n_process)
    except FileNotFoundError as err:
        fail(str(err))
    for split, n in counts.items():
        typer.echo(f"{split}: {n} documents -> {out / (split + '.spacy')}")
