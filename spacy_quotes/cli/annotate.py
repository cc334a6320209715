"""`spacy-quotes annotate export`: the model's quotes as pre-annotations for Label Studio or brat."""
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..annotate.export import export_command
from ..annotate.finetune import assemble_pipeline, write_finetune_source
from ._util import EXIT_INPUT_ERRORS, INPUTS_HELP, MAX_LENGTH_HELP, MODEL_HELP, app, check_output, fail, run_over_inputs

annotate_app = typer.Typer(
    name="annotate", help="Annotate your own data: pre-annotations for an annotation tool.", no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(annotate_app, name="annotate")


class Tool(str, Enum):
    labelstudio = "labelstudio"
    brat = "brat"


def _check_brat_folder(folder: Path, inputs: List[str], overwrite: bool) -> None:
    """Refuse a collection folder that holds, is, or lies inside an input, or that already
    holds annotations (which the export would replace)."""
    out = folder.resolve()
    for entry in inputs:
        if entry == "-":
            continue
        path = Path(entry).resolve()
        if path == out or out in path.parents or (path.is_dir() and path in out.parents):
            fail(f"{folder}: the brat folder must not be an input, hold one or lie inside one ({entry})")
    if folder.is_file():
        fail(f"{folder}: is a file; --tool brat writes a folder (a brat collection)")
    if not overwrite and folder.is_dir() and any(folder.glob("*.ann")):
        fail(f"{folder} already holds .ann files (annotations would be replaced): choose an empty folder "
             "or pass --overwrite")


@annotate_app.command("export")
def export_cli(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=INPUTS_HELP),
    output: Path = typer.Option(..., "--output", "-o",
                                help="labelstudio: the tasks .json file (the labelling config goes beside it); "
                                     "brat: the collection folder."),
    tool: Tool = typer.Option(Tool.labelstudio, "--tool", "-t", help="The annotation tool."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=MAX_LENGTH_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help="brat: replace .ann files already in the folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Write the model's quotes as pre-annotations in an annotation tool's import format:
    content, cue and speaker spans with the model's scores, and the relations from each
    content to its cue and speaker.

    **labelstudio**: a JSON list of tasks (`predictions` per task) and `<name>.label_config.xml`,
    the labelling interface to paste into the project's settings. **brat**: a collection folder
    with one `.txt` and `.ann` per text and the `annotation.conf` / `visual.conf` brat needs.
    Convert the annotated export back with `spacy-quotes convert labelstudio|brat`.

    A bad input gets one error line on stderr and the rest are exported; the exit status is then 1.
    """
    if tool == Tool.labelstudio:
        if str(output) == "-" or output.is_dir():
            fail(f"{output}: --tool labelstudio writes a .json file (and its label config beside it)")
        check_output(str(output), inputs)
    else:
        _check_brat_folder(output, inputs, overwrite)
    try:
        paths, summary = run_over_inputs(
            export_command, inputs, model, quiet, tool=tool.value, output=output,
            batch_size=batch_size, n_process=n_process, max_length=max_length,
        )
    except OSError as err:
        fail(f"cannot write {output}: {err.strerror or err}")
    if not quiet:
        written = " and ".join(str(p) for p in paths)
        typer.echo(f"{summary.documents} documents, {summary.quotes} quotes -> {written}", err=True)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT_ERRORS)


@annotate_app.command("source")
def source_cli(
    out: Path = typer.Argument(..., metavar="OUT", help="Folder for the pipeline (e.g. training/shipped)."),
) -> None:
    """Save the pipeline that configs/quotes_finetune.cfg starts from (`--paths.source OUT`):
    the shipped `quotes` weights, so that `spacy train` fine-tunes them."""
    try:
        write_finetune_source(out)
    except OSError as err:
        fail(f"cannot write {out}: {err.strerror or err}")
    typer.echo(f"shipped quotes weights -> {out}; train with --paths.source {out}", err=True)


@annotate_app.command("assemble")
def assemble_cli(
    trained: Path = typer.Argument(..., metavar="TRAINED", help="A `spacy train` output, e.g. training/finetuned/model-best."),
    out: Path = typer.Argument(..., metavar="OUT", help="Folder for the ready pipeline."),
    base: str = typer.Option("", "--base", help="Base pipeline (default: en_core_web_sm)."),
) -> None:
    """Put a fine-tuned `quotes` component after the base pipeline, speaker resolution on: a
    pipeline for `spacy-quotes extract --model OUT` or `spacy.load(OUT)`."""
    if not (trained / "config.cfg").is_file():
        fail(f"{trained}: not a saved pipeline (no config.cfg)")
    try:
        nlp = assemble_pipeline(trained, out, base=base)
    except (OSError, ValueError) as err:
        fail(str(err))
    typer.echo(f"{out}: pipeline {', '.join(nlp.pipe_names)}", err=True)
