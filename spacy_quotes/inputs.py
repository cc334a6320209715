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
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

logger = logging.getLogger("spacy_quotes")

STDIN = "-"
STDIN_DOC_ID = "stdin"
JSONL_SUFFIXES: Tuple[str, ...] = (".jsonl", ".ndjson")
TEXT_SUFFIX = ".txt"
BOM = "\ufeff"
# A JSONL file is called binary or UTF-16 (one error, not one per line) from its first bytes.
_SNIFF_BYTES = 8192
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A JSON string may spell half of a UTF-16 surrogate pair ("\ud800"): valid JSON, but no
# Unicode text (spaCy's string store, UTF-8 output and worker processes cannot take it).
_SURROGATE = re.compile("[\ud800-\udfff]")

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
        raise InputReadError(f"binary {what}: NUL byte at byte {nul}{_utf16_hint(data)}")
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


def doc_id_for_path(path: Union[str, Path], root: Optional[Union[str, Path]] = None) -> str:
    """The ``doc_id`` of a text file: its path relative to the input directory it was found
    in, without its suffix and with ``/`` between folders (``sub/a`` for ``texts/sub/a.txt``
    found in ``texts/``), or for a file named on its own, its name without its suffix.

    path (Union[str, Path]): the file.
    root (Optional[Union[str, Path]]): the input directory it was found in, if any.
    RETURNS (str): the id.
    """
    path = Path(path)
    if root is None:
        return path.stem
    relative = path.relative_to(root)
    return relative.with_name(relative.stem).as_posix()


def _utf16_hint(data: bytes) -> str:
    """A hint for bytes that look like UTF-16 (a byte order mark, or a NUL in every other byte)."""
    sample = data[:512]
    halves = (sample[0::2], sample[1::2])
    if data[:2] in _UTF16_BOMS or (len(sample) >= 8 and any(h.count(0) >= len(h) * 0.9 for h in halves)):
        return " (UTF-16 text? convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8)"
    return ""


def _surrogate_error(value: str, what: str) -> Optional[str]:
    match = _SURROGATE.search(value)
    if match is None:
        return None
    return (f"{what} holds a lone surrogate \\u{ord(match.group()):04x} at character {match.start()} "
            "(valid JSON, but not Unicode text: a half of a UTF-16 pair)")


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
    for entry, _root in _expand(inputs):
        yield entry


def _expand(inputs: Sequence[Union[str, Path]]) -> Iterator[Tuple[Union[Path, str, InputError], Optional[Path]]]:
    """:func:`expand_inputs` with the input directory each file was found in (or None)."""
    for given in inputs:
        if str(given) == STDIN:
            yield STDIN, None
            continue
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() == TEXT_SUFFIX)
            files = [p for p in found if p.is_file()]
            if not files:
                logger.warning("spacy_quotes: no %s files in directory %s", TEXT_SUFFIX, path)
            for p in found:
                if p.is_file():
                    yield p, path
                elif p.is_symlink() and not p.exists():
                    yield InputError(str(p), f"broken symbolic link (its target {os.readlink(p)} does not exist)"), None
        elif path.exists():
            yield path, None
        elif path.is_symlink():
            yield InputError(str(given), f"broken symbolic link (its target {os.readlink(path)} does not exist)"), None
        else:
            yield InputError(str(given), "no such file or directory"), None


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
        hint = _utf16_hint(head)
        if hint or head.count(b"\x00") > len(head) // 8:
            # UTF-16, or binary: one error for the file, not one per "line" of it. A stray NUL
            # in a text file fails only its own line (below).
            nul = head.find(b"\x00")
            yield InputError(str(path), f"binary file: NUL byte at byte {nul}{hint}")
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
                yield InputError(source, str(err).replace(", line 1)", ")"))
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
            bad = _surrogate_error(text, "'text'") or (
                _surrogate_error(doc_id, "'id'") if isinstance(doc_id, str) else None)
            if bad:
                yield InputError(source, bad)
                continue
            yield InputText(doc_id=str(lineno) if doc_id is None else str(doc_id), text=text, source=source)


def read_inputs(
    inputs: Sequence[Union[str, Path]], stdin: Optional[IO[bytes]] = None
) -> Iterator[Union[InputText, InputError]]:
    """Read every input, lazily and in order; a bad input gives one error and the rest go on.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files (any file that is not JSONL is read
        as text), directories (their ``*.txt`` files, recursively, sorted), ``.jsonl`` files,
        or ``-`` for stdin (one text, ``doc_id`` ``"stdin"``). A file's ``doc_id`` is given by
        :func:`doc_id_for_path`; a document whose ``doc_id`` an earlier one has is an error.
    stdin (Optional[IO[bytes]]): the binary stream ``-`` reads (default: ``sys.stdin.buffer``).
    YIELDS (Union[InputText, InputError]): documents and errors.
    """
    seen: Dict[str, str] = {}
    for entry, root in _expand(inputs):
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
                items = [InputText(doc_id=doc_id_for_path(entry, root), text=text, source=str(entry))]
        for item in items:
            if isinstance(item, InputText):
                if item.doc_id in seen:
                    # Two documents with one id would be one document to a reader of the
                    # records, and --resume would skip the second: refuse the second.
                    item = InputError(item.source, (
                        f"doc_id '{item.doc_id}' is already the id of {seen[item.doc_id]}; "
                        "give each document its own id (its records would mix with the other's)"))
                else:
                    seen[item.doc_id] = item.source
            yield item


def output_conflict(output: Union[str, Path], inputs: Sequence[Union[str, Path]]) -> Optional[str]:
    """Why writing ``output`` would destroy or feed back into one of the inputs, if it would.

    output (Union[str, Path]): the file a command is about to write.
    inputs (Sequence[Union[str, Path]]): the command's inputs.
    RETURNS (Optional[str]): the message naming the input (None when the output is safe):
        the output is one of the input files (or a link to one), or a ``.txt`` file inside an
        input directory (the run would read its own output).
    """
    out = Path(output)
    target = out.resolve()
    for given in inputs:
        if str(given) == STDIN:
            continue
        path = Path(given)
        if path.is_dir():
            if out.suffix.lower() == TEXT_SUFFIX and path.resolve() in target.parents:
                return f"the output {output} is inside the input directory {given}: it would be read as an input"
        elif path.exists():
            same = target == path.resolve()
            if not same and out.exists():
                try:
                    same = os.path.samefile(out, path)
                except OSError:
                    same = False
            if same:
                return f"the output {output} is the input {given}: writing it would destroy the input"
    return None


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
    "is_jsonl", "expand_inputs", "output_conflict", "iter_jsonl_texts", "read_inputs", "STDIN", "STDIN_DOC_ID", "BOM",
    "JSONL_SUFFIXES", "TEXT_SUFFIX",
]
