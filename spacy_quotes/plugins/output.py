"""Opening an exporter's output: a file, or standard output for "-"."""
import contextlib
import sys
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def open_output(path: str, *, newline: str = "\n", append: bool = False) -> Iterator[IO[str]]:
    """Open ``path`` for writing UTF-8 text ("-" is standard output, left open).

    path (str): the output path.
    newline (str): newline translation ("" for csv).
    append (bool): append instead of truncating.
    """
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a" if append else "w", encoding="utf-8", newline=newline) as handle:
        yield handle
