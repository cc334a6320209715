"""`spacy-quotes extract`: texts -> one record per quote, streamed in any export format."""
import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set

import typer

from ..inputs import InputError, InputText, read_inputs
from ..plugins import export_records, get_exporters
from ..runner import (
    DocResult, check_max_length, check_resume, pipe_records, prepare_resume, run_record, write_run_record,
)
from ._util import (
    EXIT_BROKEN_PIPE, EXIT_INPUT_ERRORS, INPUTS_HELP, MAX_LENGTH_HELP, MODEL_HELP, CLIError, Progress, app,
    check_output, fail, isatty, load_pipeline,
)


@app.command("extract")
def extract_cli(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=INPUTS_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    format: str = typer.Option("jsonl", "--format", "-f", help="Output format (see `spacy-quotes exporters`)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=MAX_LENGTH_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
    resume: bool = typer.Option(
        False, "--resume", help="Continue an interrupted JSONL output file (-o): skip the documents it holds."
    ),
) -> None:
    """Find the quotes in texts and write one record per quote (QUOTES_JSONL.md).

    Records are written as documents finish, in document order then quote order. A bad input
    (missing, unreadable, binary, not UTF-8, bad JSONL line) gets one error line on stderr and
    the rest are processed; the exit status is then 1.
    """
    try:
        exporters = get_exporters()
    except ValueError as err:  # two installed plugins register the same format name
        fail(str(err))
    if format not in exporters:
        fail(f"unknown format '{format}' (available: {', '.join(sorted(exporters))})")
    to_stdout = output in (None, "-")
    check_output(output, inputs)
    if resume:
        if to_stdout:
            fail("--resume needs an output file (-o FILE)")
        if format != "jsonl":
            fail(f"--resume works with --format jsonl only, not '{format}'")
    try:
        nlp = load_pipeline(model)
        check_max_length(nlp, max_length)
    except CLIError as err:
        fail(str(err))
    except ValueError as err:
        fail(str(err))
    # What the run is over, kept beside a JSONL output so that --resume can check it. The
    # output is cut for --resume only now, once the pipeline is loaded and the check passed.
    this_run = run_record(inputs, model, max_length)
    skip: Set[str] = set()
    try:
        if resume:
            check_resume(output, this_run)  # type: ignore[arg-type]
            skip = prepare_resume(output)  # type: ignore[arg-type]
        if not to_stdout and format == "jsonl":
            Path(output).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
            write_run_record(output, this_run)  # type: ignore[arg-type]
    except ValueError as err:
        fail(str(err))
    except OSError as err:
        fail(f"cannot resume or write {output}: {err.strerror or err}")

    stderr = typer.get_text_stream("stderr")
    progress = Progress(stderr, enabled=not quiet and isatty(stderr))
    failures: List[str] = []

    def report(message: str) -> None:
        progress.clear()
        typer.echo(f"error: {message}", err=True)
        failures.append(message)

    def texts() -> Iterator[InputText]:
        stdin = typer.get_binary_stream("stdin")
        for item in read_inputs(inputs, stdin=stdin):
            if isinstance(item, InputError):
                report(str(item))
            elif item.doc_id not in skip:
                yield item

    def records(results: Iterable[DocResult]) -> Iterator[Dict[str, Any]]:
        for result in results:
            if result.error is not None:
                report(f"{result.item.source}: {result.error}")
                continue
            yield from result.records
            progress.advance(len(result.records))

    results = pipe_records(
        nlp, texts(), batch_size=batch_size, n_process=n_process, max_length=max_length, skip_errors=True
    )
    try:
        if resume:
            # Exporters write to a path or to stdout ("-"); to append to the kept part of the
            # file, the jsonl exporter writes to stdout redirected into it.
            Path(output).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
            with open(output, "a", encoding="utf-8", newline="") as fh:  # type: ignore[arg-type]
                with contextlib.redirect_stdout(fh):
                    export_records(records(results), format=format, path="-")
        else:
            export_records(records(results), format=format, path="-" if to_stdout else output)
    except BrokenPipeError:  # e.g. `spacy-quotes extract ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_BROKEN_PIPE)
    except KeyboardInterrupt:
        progress.clear()
        hint = f"; continue with --resume -o {output}" if not to_stdout and format == "jsonl" else ""
        typer.echo(f"interrupted after {progress.docs} documents{hint}", err=True)
        raise typer.Exit(130)
    except OSError as err:
        fail(f"cannot write {output or 'stdout'}: {err.strerror or err}")
    progress.close()
    if failures:
        raise typer.Exit(EXIT_INPUT_ERRORS)
