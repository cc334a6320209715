"""What every command shares: the typer app, exit codes, one-line errors, logging set-up,
loading the pipeline, the progress line, shared option texts and the input runner with progress."""
import contextlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO, Any, List, NoReturn, Optional, Sequence

import typer
from spacy.language import Language

from ..loading import load as load_quotes
from ..inputs import output_conflict
from ..runner import check_max_length

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
    what = model or "the default pipeline"
    try:
        nlp = load_quotes(model)
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


def isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False



def write_text_output(content: str, output: Optional[str]) -> None:
    """Write a command's whole output to a file (UTF-8), or to stdout for None or "-"."""
    if output in (None, "-"):
        typer.echo(content, nl=False)
        return
    path = Path(output)  # type: ignore[arg-type]
    partial = path.with_name(f".{path.name}.partial")
    try:
        # A temporary file renamed over the output: a failed write leaves the old file whole.
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(content, encoding="utf-8", newline="\n")
        os.replace(partial, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            partial.unlink()
        fail(f"cannot write {output}: {err.strerror or err}")


def check_output(output: Optional[str], inputs: Sequence[str]) -> None:
    """Refuse (exit 2) an output file that is one of the inputs or would be read as one."""
    if output in (None, "-"):
        return
    problem = output_conflict(output, inputs)  # type: ignore[arg-type]
    if problem:
        fail(problem)


def run_over_inputs(command: Any, inputs: List[str], model: Optional[str], quiet: bool, **options: Any) -> Any:
    """Load the pipeline and run a library command over the inputs, with progress and error lines."""
    try:
        nlp = load_pipeline(model)
        check_max_length(nlp, options.get("max_length"))
    except CLIError as err:
        fail(str(err))
    except ValueError as err:
        fail(str(err))
    stderr = typer.get_text_stream("stderr")
    progress = Progress(stderr, enabled=not quiet and isatty(stderr))

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


INPUTS_HELP = ('Text files (.txt), directories (their *.txt, recursively), JSONL files of '
                '{"id": ..., "text": ...} lines, or - for one text on stdin.')
MODEL_HELP = "A trained pipeline (name or path); default: base pipeline + shipped quotes."
MAX_LENGTH_HELP = "Split longer texts into chunks at paragraph boundaries (default: the pipeline's max_length)."


