"""`spacy-quotes render`: texts -> one self-contained HTML page of their quotes."""
from typing import List, Optional

import typer

from ..render import render_command
from ._util import (
    EXIT_INPUT_ERRORS, INPUTS_HELP, MAX_LENGTH_HELP, MODEL_HELP, app, check_output, run_over_inputs, write_text_output,
)


@app.command("render")
def render_cli(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=INPUTS_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="The HTML file (default: stdout)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    title: str = typer.Option("Quotes", "--title", "-t", help="The page title."),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=MAX_LENGTH_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Find the quotes in texts and show them on one self-contained HTML page: each text with
    its quotes highlighted by type, cues and speakers marked, the speaker's name on each quote,
    and a table of speakers per text and over all texts.

    The page loads nothing from the network (inline CSS, no scripts). A bad input gets one
    error line on stderr and the rest are rendered; the exit status is then 1.
    """
    check_output(output, inputs)
    page, summary = run_over_inputs(
        render_command, inputs, model, quiet,
        title=title, batch_size=batch_size, n_process=n_process, max_length=max_length,
    )
    write_text_output(page, output)
    if output not in (None, "-") and not quiet:
        typer.echo(f"{summary.documents} documents, {summary.quotes} quotes -> {output}", err=True)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT_ERRORS)
