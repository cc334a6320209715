"""`spacy-quotes speakers`: who is quoted in the texts, one row per speaker."""
from enum import Enum
from typing import List, Optional

import typer

from ..speaker_table import speakers_command
from ._util import (
    EXIT_INPUT_ERRORS, INPUTS_HELP, MAX_LENGTH_HELP, MODEL_HELP, app, check_output, run_over_inputs, write_text_output,
)


class SpeakerFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


@app.command("speakers")
def speakers_cli(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=INPUTS_HELP),
    format: SpeakerFormat = typer.Option(SpeakerFormat.text, "--format", "-f", help="Table format."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=MAX_LENGTH_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Who is quoted in the texts: one row per speaker (resolved name, case-insensitive;
    "(unknown)" for quotes without one) with the number of quotes by type, the number of
    texts and their ids, most quoted first.

    A bad input gets one error line on stderr and the rest are counted; the exit status is then 1.
    """
    check_output(output, inputs)
    table, summary = run_over_inputs(
        speakers_command, inputs, model, quiet,
        fmt=format.value, batch_size=batch_size, n_process=n_process, max_length=max_length,
    )
    write_text_output(table, output)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT_ERRORS)
