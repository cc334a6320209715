"""The ``spacy-quotes`` command line (also ``python -m spacy_quotes``).

One function per command, each a thin layer over the library:

* ``extract``: texts -> quote records, streamed to stdout or a file in any export format
  (reading inputs, long texts and ``--resume`` live in :mod:`spacy_quotes.io`).
* ``exporters``: the output formats and the distribution each comes from.
* ``convert polnear``: the PolNeAR corpus -> ``.spacy`` training data.
* ``evaluate``: a pipeline's quote metrics on gold data.

More commands are added the same way: a function decorated with ``@app.command("name")``
(or a sub-app with ``app.add_typer``), using :func:`load_pipeline` and :func:`fail`.
Diagnostics go to stderr; stdout carries only data (records, tables).
"""
import contextlib
import json
import logging
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import IO, Any, Dict, Iterable, Iterator, List, NoReturn, Optional, Set

import typer
from spacy.language import Language

from .io import DocResult, InputError, InputText, pipe_records, prepare_resume, read_inputs

logger = logging.getLogger("spacy_quotes")

NAME = "spacy-quotes"
HELP = """Find quotations in news text (content, cue, speaker) with spaCy.

Run `spacy-quotes extract FILE...` to write one JSON record per quote."""

app = typer.Typer(
    name=NAME, help=HELP, no_args_is_help=True, add_completion=False,
    pretty_exceptions_show_locals=False, rich_markup_mode="markdown",
)
convert_app = typer.Typer(
    name="convert", help="Convert annotated corpora to spaCy training data.", no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(convert_app, name="convert")

# Exit status: 1 when some inputs failed (the rest were processed), 2 when nothing could run.
EXIT_INPUT_ERRORS = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (128 + SIGPIPE, as the shell reports it)


class CLIError(Exception):
    """A problem that stops a command before it runs (bad option, missing model...)."""


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one error line on stderr and exit.

    message (str): what went wrong.
    code (int): the exit status.
    """
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.callback()
def _main_callback(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details (INFO) on stderr."),
) -> None:
    """Find quotations in news text (content, cue, speaker) with spaCy."""
    _setup_logging(verbose)


class _StderrHandler(logging.StreamHandler):
    """A log handler that writes to whatever ``sys.stderr`` is when a record comes."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _setup_logging(verbose: bool) -> None:
    """Show the package's warnings (and with verbose, its INFO messages) on stderr."""
    handler = next((h for h in logger.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    if verbose and logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)


# --- shared helpers --------------------------------------------------------------------


def load_pipeline(model: Optional[str] = None) -> Language:
    """Load the pipeline a command runs, checking that it can find quotes.

    model (Optional[str]): a saved pipeline (name or path) with a ``quotes`` component, or
        None for the base pipeline plus the shipped ``quotes`` weights.
    RETURNS (Language): the pipeline.
    RAISES (CLIError): when it cannot be loaded, has no ``quotes`` component or is untrained.
    """
    import spacy_quotes

    what = model or "the default pipeline"
    try:
        nlp = spacy_quotes.load(model)
    except (OSError, ValueError) as err:
        raise CLIError(f"cannot load {what}: {err}") from None
    names = [name for name in nlp.pipe_names if name == "quotes" or nlp.get_pipe_meta(name).factory == "quotes"]
    if not names:
        raise CLIError(f"{what} has no 'quotes' component (pipes: {', '.join(nlp.pipe_names) or 'none'})")
    for name in names:
        if not getattr(nlp.get_pipe(name), "is_initialized", True):
            raise CLIError(
                f"the '{name}' component of {what} has no trained weights (are the shipped weights "
                "in spacy_quotes/model/quotes/?); pass --model with a trained pipeline"
            )
    return nlp


class Progress:
    """A one-line progress display on stderr: documents and quotes, and their rates.

    stream (IO[str]): where to draw (stderr).
    enabled (bool): draw at all (False: every method does nothing).
    interval (float): the least time between two redraws, in seconds.
    """

    def __init__(self, stream: IO[str], enabled: bool, interval: float = 0.1) -> None:
        self.stream = stream
        self.enabled = enabled
        self.interval = interval
        self.docs = 0
        self.quotes = 0
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._width = 0

    def line(self) -> str:
        """RETURNS (str): the current progress text."""
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        return (
            f"{self.docs} docs, {self.quotes} quotes | {self.docs / elapsed:.1f} docs/s, "
            f"{self.quotes / elapsed:.1f} quotes/s | {elapsed:.0f}s"
        )

    def advance(self, n_quotes: int) -> None:
        """Count one finished document with n_quotes quotes.

        n_quotes (int): its number of quotes.
        """
        self.docs += 1
        self.quotes += n_quotes
        now = time.perf_counter()
        if self.enabled and now - self._last_draw >= self.interval:
            self._draw()
            self._last_draw = now

    def _draw(self) -> None:
        text = self.line()
        self.stream.write("\r" + text + " " * max(self._width - len(text), 0))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line (before another message is printed on the stream)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def close(self) -> None:
        """Draw the final counts and end the line."""
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


# --- extract ---------------------------------------------------------------------------


@app.command("extract")
def extract_cli(
    inputs: List[str] = typer.Argument(
        ..., metavar="INPUT",
        help="Text files (.txt), directories (their *.txt, recursively), JSONL files of "
        '{"id": ..., "text": ...} lines, or - for one text on stdin.',
    ),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    format: str = typer.Option("jsonl", "--format", "-f", help="Output format (see `spacy-quotes exporters`)."),
    model: Optional[str] = typer.Option(
        None, "--model", "-m", help="A trained pipeline (name or path); default: base pipeline + shipped quotes."
    ),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(
        None, "--max-length", min=1,
        help="Split longer texts into chunks at paragraph boundaries (default: the pipeline's max_length).",
    ),
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
    from .plugins import export_records, get_exporters

    try:
        exporters = get_exporters()
    except ValueError as err:  # two installed plugins register the same format name
        fail(str(err))
    if format not in exporters:
        fail(f"unknown format '{format}' (available: {', '.join(sorted(exporters))})")
    to_stdout = output in (None, "-")
    skip: Set[str] = set()
    if resume:
        if to_stdout:
            fail("--resume needs an output file (-o FILE)")
        if format != "jsonl":
            fail(f"--resume works with --format jsonl only, not '{format}'")
        try:
            skip = prepare_resume(output)  # type: ignore[arg-type]
        except (ValueError, OSError) as err:
            fail(str(err))
    try:
        nlp = load_pipeline(model)
    except CLIError as err:
        fail(str(err))

    stderr = typer.get_text_stream("stderr")
    progress = Progress(stderr, enabled=not quiet and _isatty(stderr))
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


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --- exporters -------------------------------------------------------------------------


@app.command("exporters")
def exporters_cli() -> None:
    """List the output formats of `extract --format`: name, file extension, description and
    the distribution (package) that provides each."""
    from wasabi import table

    from .plugins import get_exporters

    try:
        exporters = get_exporters()
    except ValueError as err:  # two installed plugins register the same format name
        fail(str(err))
    rows = [
        (name, exp.extension or "", exp.description or "", exp.distribution or "")
        for name, exp in sorted(exporters.items())
    ]
    typer.echo(table(rows, header=("format", "extension", "description", "from"), divider=True, max_col=80))


# --- convert ---------------------------------------------------------------------------


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
    from . import load_base
    from .corpus import convert_polnear

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


# --- evaluate --------------------------------------------------------------------------

ROLES = ("content", "cue", "speaker")
QUOTE_TYPES = ("direct", "mixed", "indirect")


def quote_metrics(scores: Dict[str, Any]) -> Dict[str, Any]:
    """The quote metrics of ``nlp.evaluate`` (the ``quotes_*`` keys, plus ``speed``).

    scores (Dict[str, Any]): the scores.
    RETURNS (Dict[str, Any]): the quote metrics.
    """
    metrics = {key: value for key, value in scores.items() if key.startswith("quotes_")}
    if "speed" in scores:
        metrics["speed"] = scores["speed"]
    return metrics


def metrics_table(metrics: Dict[str, Any]) -> str:
    """A plain-text table of quote metrics: exact and overlap P/R/F per role, link and
    speaker-name accuracy, recall per quote type.

    metrics (Dict[str, Any]): the ``quotes_*`` scores.
    RETURNS (str): the table.
    """
    from wasabi import table

    def pct(value: Any) -> str:
        return "-" if value is None else f"{100 * float(value):.1f}"

    rows = []
    for role in ROLES:
        rows.append(
            (role,)
            + tuple(pct(metrics.get(f"quotes_{role}_{m}")) for m in ("p", "r", "f"))
            + tuple(pct(metrics.get(f"quotes_{role}_overlap_{m}")) for m in ("p", "r", "f"))
        )
    out = [table(rows, header=("role", "P", "R", "F", "overlap P", "overlap R", "overlap F"),
                 aligns=("l", "r", "r", "r", "r", "r", "r"), divider=True)]
    other = [
        ("link accuracy", pct(metrics.get("quotes_link_acc"))),
        ("speaker name accuracy", pct(metrics.get("quotes_speaker_name_acc"))),
    ]
    other += [(f"{t} recall (exact)", pct(metrics.get(f"quotes_{t}_content_r"))) for t in QUOTE_TYPES]
    if metrics.get("quotes_n_gold") is not None:
        other.append(("gold quotes", str(metrics["quotes_n_gold"])))
    if metrics.get("speed") is not None:
        other.append(("words per second", f"{metrics['speed']:.0f}"))
    out.append(table(other, aligns=("l", "r")))
    return "\n".join(out)


@app.command("evaluate")
def evaluate_cli(
    data: Path = typer.Argument(..., metavar="DATA", help="Gold data: a .spacy DocBin or an annotation .jsonl file."),
    model: Optional[str] = typer.Option(
        None, "--model", "-m", help="A trained pipeline (name or path); default: base pipeline + shipped quotes."
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the metrics as JSON to this file."),
) -> None:
    """Evaluate a pipeline's quotes against gold data: precision, recall and F-score of
    contents, cues and speakers (exact and overlapping), link and speaker-name accuracy."""
    from .corpus import create_quote_corpus_reader

    if not data.is_file():
        fail(f"{data}: no such file")
    if data.suffix not in (".spacy", ".jsonl"):
        fail(f"{data}: expected a .spacy or .jsonl file")
    try:
        nlp = load_pipeline(model)
    except CLIError as err:
        fail(str(err))
    try:
        examples = list(create_quote_corpus_reader(data)(nlp))
    except (ValueError, OSError, KeyError) as err:
        fail(f"cannot read gold data: {err}" if str(data) in str(err) else f"{data}: cannot read gold data: {err}")
    if not examples:
        fail(f"{data}: no documents")
    metrics = quote_metrics(nlp.evaluate(examples))
    typer.echo(f"{len(examples)} documents from {data}")
    typer.echo(metrics_table(metrics))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        typer.echo(f"metrics written to {output}", err=True)


# --- render, speakers ------------------------------------------------------------------


class SpeakerFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


def _write_text_output(content: str, output: Optional[str]) -> None:
    """Write a command's whole output to a file (UTF-8), or to stdout for None or "-"."""
    if output in (None, "-"):
        typer.echo(content, nl=False)
        return
    try:
        path = Path(output)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
    except OSError as err:
        fail(f"cannot write {output}: {err.strerror or err}")


def _run_over_inputs(command: Any, inputs: List[str], model: Optional[str], quiet: bool, **options: Any) -> Any:
    """Load the pipeline and run a library command over the inputs, with progress and error lines."""
    try:
        nlp = load_pipeline(model)
    except CLIError as err:
        fail(str(err))
    stderr = typer.get_text_stream("stderr")
    progress = Progress(stderr, enabled=not quiet and _isatty(stderr))

    def report(message: str) -> None:
        progress.clear()
        typer.echo(f"error: {message}", err=True)

    try:
        result, summary = command(
            inputs, nlp, stdin=typer.get_binary_stream("stdin"), on_error=report, on_done=progress.advance,
            **options,
        )
    except KeyboardInterrupt:
        progress.clear()
        typer.echo(f"interrupted after {progress.docs} documents", err=True)
        raise typer.Exit(130)
    progress.close()
    return result, summary


_INPUTS_HELP = ('Text files (.txt), directories (their *.txt, recursively), JSONL files of '
                '{"id": ..., "text": ...} lines, or - for one text on stdin.')
_MODEL_HELP = "A trained pipeline (name or path); default: base pipeline + shipped quotes."
_MAX_LENGTH_HELP = "Split longer texts into chunks at paragraph boundaries (default: the pipeline's max_length)."


@app.command("render")
def render_cli(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=_INPUTS_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="The HTML file (default: stdout)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=_MODEL_HELP),
    title: str = typer.Option("Quotes", "--title", "-t", help="The page title."),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=_MAX_LENGTH_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Find the quotes in texts and show them on one self-contained HTML page: each text with
    its quotes highlighted by type, cues and speakers marked, the speaker's name on each quote,
    and a table of speakers per text and over all texts.

    The page loads nothing from the network (inline CSS, no scripts). A bad input gets one
    error line on stderr and the rest are rendered; the exit status is then 1.
    """
    from .render import render_command

    page, summary = _run_over_inputs(
        render_command, inputs, model, quiet,
        title=title, batch_size=batch_size, n_process=n_process, max_length=max_length,
    )
    _write_text_output(page, output)
    if output not in (None, "-") and not quiet:
        typer.echo(f"{summary.documents} documents, {summary.quotes} quotes -> {output}", err=True)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT_ERRORS)


@app.command("speakers")
def speakers_cli(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help=_INPUTS_HELP),
    format: SpeakerFormat = typer.Option(SpeakerFormat.text, "--format", "-f", help="Table format."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=_MODEL_HELP),
    batch_size: int = typer.Option(32, "--batch-size", "-b", min=1, help="Texts per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1, help=_MAX_LENGTH_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Who is quoted in the texts: one row per speaker (resolved name, case-insensitive;
    "(unknown)" for quotes without one) with the number of quotes by type, the number of
    texts and their ids, most quoted first.

    A bad input gets one error line on stderr and the rest are counted; the exit status is then 1.
    """
    from .speaker_table import speakers_command

    table, summary = _run_over_inputs(
        speakers_command, inputs, model, quiet,
        fmt=format.value, batch_size=batch_size, n_process=n_process, max_length=max_length,
    )
    _write_text_output(table, output)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT_ERRORS)


def main() -> None:
    """Run the command line (the ``spacy-quotes`` console script)."""
    app(prog_name=NAME)


__all__ = [
    "app", "convert_app", "main", "load_pipeline", "fail", "CLIError", "Progress",
    "quote_metrics", "metrics_table", "extract_cli", "exporters_cli", "convert_polnear_cli", "evaluate_cli",
    "render_cli", "speakers_cli",
]
