"""Reading the inputs of every command into :class:`InputText` items.

:func:`read_inputs` turns the command line's inputs (``.txt`` files, directories, JSONL files
of ``{"id": ..., "text": ...}`` lines, ``-`` for stdin) into :class:`InputText` items, and
reports what cannot be read as :class:`InputError` items (one per bad file or bad JSONL line)
without stopping. What happens to each kind of bad input is listed in ``docs/bad-input.md``.

Texts are decoded as strict UTF-8 with no newline translation (``\\r\\n`` stays two
characters), so record offsets index the text exactly as it is in the file. A UTF-8 byte
order mark is *kept* in the text (as ``U+FEFF`` at offset 0, which is what
``open(path, encoding="utf-8", newline="").read()`` gives) so that offsets stay valid
against the decoded file; the pipeline never sees it (see :mod:`spacy_quotes.runner`).
"""
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

logger = logging.getLogger("spacy_quotes")

STDIN = "-"
STDIN_DOC_ID = "stdin"
JSONL_SUFFIXES: Tuple[str, ...] = (".jsonl", ".ndjson")
TEXT_SUFFIX = ".txt"
BOM = "\ufeff"
# A JSONL file is called binary (one error, not one per line) when its first bytes hold a NUL.
_SNIFF_BYTES = 8192

@dataclass
class InputText:
    """One document to process.

    doc_id (str): the record's ``doc_id``.
    text (str): the text exactly as decoded.
    source (str): where it came from, for messages (``path``, ``path:line`` or ``<stdin>``).
    """

    doc_id: str
    text: str
    source: str


@dataclass
class InputError:
    """An input that could not be read; the rest of the batch goes on.

    source (str): the file (``path``), JSONL line (``path:line``) or ``<stdin>``.
    reason (str): what is wrong with it.
    """

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class InputReadError(Exception):
    """A text that cannot be read (unreadable, binary or not UTF-8)."""


# --- reading ---------------------------------------------------------------------------


def decode_text(data: bytes, what: str = "text") -> str:
    """Decode the bytes of a text file: strict UTF-8, no newline translation, BOM kept.

    data (bytes): the file's content.
    what (str): what the bytes are, for the message.
    RETURNS (str): the text.
    RAISES (InputReadError): for binary data (NUL bytes) or invalid UTF-8.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        hint = " (UTF-16 text? convert it to UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise InputReadError(f"binary {what}: NUL byte at byte {nul}{hint}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.end].hex(" ")
        raise InputReadError(
            f"not valid UTF-8: {err.reason} (byte 0x{bad} at byte {err.start}, line {line})"
        ) from None


def read_text_file(path: Union[str, Path]) -> str:
    """Read a text file as strict UTF-8, without newline translation.

    path (Union[str, Path]): the file.
    RETURNS (str): its text (a byte order mark stays at offset 0).
    RAISES (InputReadError): when it cannot be read, is binary or is not UTF-8.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputReadError(f"cannot read: {err.strerror or err}") from None
    return decode_text(data, "file")


def doc_id_for_path(path: Union[str, Path]) -> str:
    """The ``doc_id`` of a text file: its name without its suffix.

    path (Union[str, Path]): the file.
    RETURNS (str): the id.
    """
    return Path(path).stem


def is_jsonl(path: Union[str, Path]) -> bool:
    """RETURNS (bool): whether the path names a JSONL file (by its suffix)."""
    return Path(path).suffix.lower() in JSONL_SUFFIXES


def expand_inputs(inputs: Sequence[Union[str, Path]]) -> Iterator[Union[Path, str, InputError]]:
    """Resolve the command line's inputs to files, in order: a directory gives its ``*.txt``
    files (recursively, sorted by path), ``-`` stays ``-`` (stdin).

    inputs (Sequence[Union[str, Path]]): the inputs.
    YIELDS (Union[Path, str, InputError]): files, ``-``, or an error for an input that does
        not exist.
    """
    for given in inputs:
        if str(given) == STDIN:
            yield STDIN
            continue
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() == TEXT_SUFFIX and p.is_file())
            if not files:
                logger.warning("spacy_quotes: no %s files in directory %s", TEXT_SUFFIX, path)
            yield from files
        elif path.exists():
            yield path
        else:
            yield InputError(str(given), "no such file or directory")


def iter_jsonl_texts(path: Union[str, Path]) -> Iterator[Union[InputText, InputError]]:
    """Read a JSONL file of ``{"id": ..., "text": ...}`` lines, one document per line.

    ``doc_id`` is the ``id`` field (as a string) or, when it is missing or null, the line
    number (1-based). Blank lines are skipped; a bad line (not JSON, not an object, no string
    ``text``, not UTF-8) gives an error naming ``path:line`` and is skipped.

    path (Union[str, Path]): the file.
    YIELDS (Union[InputText, InputError]): the documents and the errors, in file order.
    """
    try:
        fh = open(path, "rb")
    except OSError as err:
        yield InputError(str(path), f"cannot read: {err.strerror or err}")
        return
    with fh:
        try:
            head = fh.read(_SNIFF_BYTES)
        except OSError as err:
            yield InputError(str(path), f"cannot read: {err.strerror or err}")
            return
        nul = head.find(b"\x00")
        if nul >= 0:
            yield InputError(str(path), f"binary file: NUL byte at byte {nul}")
            return
        fh.seek(0)
        for lineno, raw in enumerate(fh, 1):
            source = f"{path}:{lineno}"
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                line = decode_text(raw, "line")
            except InputReadError as err:
                yield InputError(source, str(err).replace(f", line 1)", ")"))
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as err:
                yield InputError(source, f"not valid JSON: {err.msg} (column {err.colno})")
                continue
            if not isinstance(value, dict):
                yield InputError(source, f"expected a JSON object with 'text', got {type(value).__name__}")
                continue
            text = value.get("text")
            if not isinstance(text, str):
                what = "missing" if text is None else f"a {type(text).__name__}, not a string"
                yield InputError(source, f"'text' is {what}")
                continue
            doc_id = value.get("id")
            if isinstance(doc_id, (dict, list)):
                yield InputError(source, f"'id' must be a string or a number, got {type(doc_id).__name__}")
                continue
            yield InputText(doc_id=str(lineno) if doc_id is None else str(doc_id), text=text, source=source)


def read_inputs(
    inputs: Sequence[Union[str, Path]], stdin: Optional[IO[bytes]] = None
) -> Iterator[Union[InputText, InputError]]:
    """Read every input, lazily and in order; a bad input gives one error and the rest go on.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files (any file that is not JSONL is read
        as text), directories (their ``*.txt`` files, recursively, sorted), ``.jsonl`` files,
        or ``-`` for stdin (one text, ``doc_id`` ``"stdin"``).
    stdin (Optional[IO[bytes]]): the binary stream ``-`` reads (default: ``sys.stdin.buffer``).
    YIELDS (Union[InputText, InputError]): documents and errors.
    """
    seen: Dict[str, str] = {}
    for entry in expand_inputs(inputs):
        if isinstance(entry, InputError):
            yield entry
            continue
        if entry == STDIN:
            items: Iterable[Union[InputText, InputError]] = [_read_stdin(stdin)]
        elif is_jsonl(entry):
            items = iter_jsonl_texts(entry)
        else:
            try:
                text = read_text_file(entry)
            except InputReadError as err:
                items = [InputError(str(entry), str(err))]
            else:
                items = [InputText(doc_id=doc_id_for_path(entry), text=text, source=str(entry))]
        for item in items:
            if isinstance(item, InputText):
                if item.doc_id in seen:
                    logger.warning(
                        "spacy_quotes: doc_id '%s' of %s was already used by %s; --resume cannot "
                        "tell the two apart", item.doc_id, item.source, seen[item.doc_id],
                    )
                else:
                    seen[item.doc_id] = item.source
            yield item


def _read_stdin(stdin: Optional[IO[bytes]]) -> Union[InputText, InputError]:
    if stdin is None:
        import sys

        stdin = sys.stdin.buffer
    try:
        text = decode_text(stdin.read(), "input")
    except InputReadError as err:
        return InputError("<stdin>", str(err))
    except OSError as err:
        return InputError("<stdin>", f"cannot read: {err.strerror or err}")
    return InputText(doc_id=STDIN_DOC_ID, text=text, source="<stdin>")


__all__ = [
    "InputText", "InputError", "InputReadError", "decode_text", "read_text_file", "doc_id_for_path",
    "is_jsonl", "expand_inputs", "iter_jsonl_texts", "read_inputs", "STDIN", "STDIN_DOC_ID", "BOM",
    "JSONL_SUFFIXES", "TEXT_SUFFIX",
]
