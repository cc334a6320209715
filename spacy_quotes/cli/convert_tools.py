"""`spacy-quotes convert labelstudio|brat`: an annotation tool's export -> annotation JSONL and
``train.spacy`` / ``dev.spacy`` for ``spacy train``."""
from enum import Enum
from pathlib import Path
from typing import Any, Callable

import typer

from ..annotate.convert import ConvertSummary, convert_brat, convert_labelstudio
from ..base import load_base
from ._util import EXIT_INPUT_ERRORS, convert_app, fail

_LABELS_HELP = ("Your label names for the roles, NAME=ROLE pairs separated by commas (roles: content, cue, speaker; "
                "ignore drops a default name), e.g. 'Quotation=content,Trigger=cue,Person=speaker'. Content, Quote, "
                "Quotation, Cue, Speaker and Source are known already.")
_OUT_HELP = "Output folder for annotations.jsonl, train.spacy and dev.spacy."
_DEV_HELP = "Share of the texts for dev.spacy (all annotators' versions of a text go to one side)."


class Annotators(str, Enum):
    first = "first"
    all = "all"


def _run(convert: Callable[..., ConvertSummary], src: Path, out: Path, base: str, **options: Any) -> None:
    if not src.exists():
        fail(f"{src}: no such file or directory")
    if out.exists() and not out.is_dir():
        fail(f"{out}: is a file; OUT is a folder")
    try:
        nlp = load_base(base)
    except OSError as err:
        fail(f"cannot load base pipeline {base or '(default)'}: {err}")

    def report(message: str) -> None:
        typer.echo(f"error: {message}", err=True)

    try:
        summary = convert(src, out, nlp, on_error=report, **options)
    except ValueError as err:
        fail(str(err))
    except OSError as err:
        fail(f"cannot write {out}: {err.strerror or err}")
    stats = ", ".join(f"{v} {k}" for k, v in summary.stats.items())
    typer.echo(f"{summary.documents} documents ({summary.train} train, {summary.dev} dev), {summary.quotes} quotes "
               f"-> {out} (read: {stats}; {len(summary.errors)} left out)")
    if summary.errors:
        raise typer.Exit(EXIT_INPUT_ERRORS)


@convert_app.command("labelstudio")
def convert_labelstudio_cli(
    src: Path = typer.Argument(..., metavar="SRC", help="Label Studio JSON export (Export -> JSON)."),
    out: Path = typer.Argument(..., metavar="OUT", help=_OUT_HELP),
    labels: str = typer.Option("", "--labels", "-l", help=_LABELS_HELP),
    annotators: Annotators = typer.Option(
        Annotators.first, "--annotators",
        help="first: one annotation per task (a ground-truth one, else the first); all: every annotator's."),
    text_key: str = typer.Option("text", "--text-key", help="The task data field holding the text."),
    dev_fraction: float = typer.Option(0.2, "--dev-fraction", min=0.0, max=0.95, help=_DEV_HELP),
    seed: int = typer.Option(0, "--seed", help="Seed of the train/dev split."),
    base: str = typer.Option("", "--base", help="Base pipeline that parses the texts (default: en_core_web_sm)."),
) -> None:
    """Convert a Label Studio JSON export (spans and relations) into annotation JSONL and
    spaCy DocBin files for `spacy train`. A task that cannot be mapped (a relation to a missing
    span, overlapping spans of one role, offsets outside the text, ...) gets one error line
    naming it and is left out; the exit status is then 1."""
    _run(convert_labelstudio, src, out, base, labels=labels, annotators=annotators.value, text_key=text_key,
         dev_fraction=dev_fraction, seed=seed)


@convert_app.command("brat")
def convert_brat_cli(
    src: Path = typer.Argument(..., metavar="SRC", help="A brat collection folder (searched recursively) or one .ann file."),
    out: Path = typer.Argument(..., metavar="OUT", help=_OUT_HELP),
    labels: str = typer.Option("", "--labels", "-l", help=_LABELS_HELP),
    annotators: Annotators = typer.Option(
        Annotators.first, "--annotators",
        help="Texts annotated by several people (NAME_ANNOTATOR.ann, or one folder each): first keeps one, all keeps each."),
    dev_fraction: float = typer.Option(0.2, "--dev-fraction", min=0.0, max=0.95, help=_DEV_HELP),
    seed: int = typer.Option(0, "--seed", help="Seed of the train/dev split."),
    base: str = typer.Option("", "--base", help="Base pipeline that parses the texts (default: en_core_web_sm)."),
) -> None:
    """Convert brat standoff annotations (T spans, also discontinuous; R relations or E events)
    into annotation JSONL and spaCy DocBin files for `spacy train`. A file that cannot be mapped
    gets one error line naming it and is left out; the exit status is then 1."""
    _run(convert_brat, src, out, base, labels=labels, annotators=annotators.value, dev_fraction=dev_fraction,
         seed=seed)
