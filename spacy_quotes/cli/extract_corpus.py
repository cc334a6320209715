"""`spacy-quotes extract-corpus`: a whole corpus on a Dask cluster -> one record file per
partition in a directory (needs ``pip install "spacy-quotes[dask]"``)."""
from typing import Any, Dict, List, Optional

import typer

from ._util import EXIT_INPUT_ERRORS, MAX_LENGTH_HELP, MODEL_HELP, app, fail, isatty

CORPUS_INPUTS_HELP = (
    "JSONL files of {\"id\": ..., \"text\": ...} lines (also .jsonl.gz), Parquet files with id/text columns, "
    "directories of .txt files, glob patterns ('archive/*.jsonl.gz'), fsspec URLs (s3://, gs://, hdfs://)."
)
QUOTES_SECTION = "components.quotes."


def quotes_overrides(args: List[str]) -> Dict[str, Any]:
    """The ``quotes`` component's config overrides from extra arguments, spaCy style
    (``--components.quotes.link_window 2``).

    args (List[str]): the extra command-line arguments.
    RETURNS (Dict[str, Any]): setting -> value.
    RAISES (ValueError): an argument that is not a ``components.quotes.*`` setting.
    """
    from spacy.cli._util import parse_config_overrides

    overrides = parse_config_overrides(args)
    bad = [key for key in overrides if not key.startswith(QUOTES_SECTION)]
    if bad:
        raise ValueError(f"unknown option(s): {', '.join('--' + k for k in bad)} (config overrides "
                         f"must be --{QUOTES_SECTION}NAME VALUE)")
    return {key[len(QUOTES_SECTION):]: value for key, value in overrides.items()}


@app.command(
    "extract-corpus", context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def extract_corpus_cli(
    ctx: typer.Context,
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=CORPUS_INPUTS_HELP),
    output: str = typer.Option(..., "--output", "-o", help="Output directory (path or fsspec URL)."),
    format: str = typer.Option("jsonl", "--format", "-f", help="Format of the record files: jsonl, parquet, ..."),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=1, help="Start a local cluster of N single-thread workers (default: one per core)."
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", "-s", help="Address of a running Dask scheduler (tcp://host:8786) or its scheduler file."
    ),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP + " The workers load it."),
    partition_size: int = typer.Option(1000, "--partition-size", "-p", min=1, help="Documents per partition."),
    batch_size: int = typer.Option(64, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=MAX_LENGTH_HELP),
    max_doc_chars: int = typer.Option(
        2_000_000, "--max-doc-chars", min=1, help="A longer document is an error line, not processed."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Find the quotes of a whole corpus on a Dask cluster.

    Writes one record file per partition to the output directory (`part-*.jsonl` or
    `part-*.parquet`), `errors.jsonl` (one line per bad document: shard, line, reason),
    `speakers.json` (the speaker table of the corpus) and `manifest.json`. Run the same command
    again to resume an interrupted run: finished partitions are skipped. Config overrides of
    the quotes component go to every worker: `--components.quotes.NAME VALUE`. The exit
    status is 1 when some documents or partitions failed.
    """
    try:
        from ..distributed import corpus_client, extract_corpus
    except ImportError as err:
        fail(str(err))
    if workers is not None and scheduler is not None:
        fail("pass --workers (a local cluster) or --scheduler (a running one), not both")
    try:
        config = quotes_overrides(ctx.args)
    except ValueError as err:
        fail(str(err))
    stderr = typer.get_text_stream("stderr")
    try:
        with corpus_client(workers=workers, scheduler=scheduler) as client:
            typer.echo(f"Dask dashboard: {client.dashboard_link}", err=True)
            summary = extract_corpus(
                inputs, output, client, format=format, model=model, config=config, partition_size=partition_size,
                batch_size=batch_size, max_length=max_length, max_doc_chars=max_doc_chars,
                show_progress=not quiet and isatty(stderr),
            )
    except ValueError as err:
        fail(str(err))
    except OSError as err:
        fail(f"cannot run: {err}")
    except KeyboardInterrupt:
        typer.echo(f"interrupted; run the same command again to resume into {output}", err=True)
        raise typer.Exit(130)
    skipped = f" ({summary.skipped} finished before)" if summary.skipped else ""
    typer.echo(
        f"{summary.documents} documents, {summary.quotes} quotes, {summary.speakers} speakers in "
        f"{summary.partitions} partitions{skipped} -> {output} ({summary.seconds:.1f}s)", err=True,
    )
    if summary.failed:
        typer.echo(f"error: {len(summary.failed)} partitions failed; run the same command again to retry them",
                   err=True)
    if summary.errors:
        typer.echo(f"{summary.errors} errors in {output.rstrip('/')}/errors.jsonl", err=True)
        raise typer.Exit(EXIT_INPUT_ERRORS)
