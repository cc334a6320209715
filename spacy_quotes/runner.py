"""Running the pipeline over inputs: input -> pipeline -> quote records, for every command.

The stages, in the order the data goes through them (reading is :mod:`spacy_quotes.inputs`):

1. :func:`split_text` cuts a text that is longer than the pipeline's ``max_length`` into
   chunks at paragraph boundaries (blank lines, then line breaks, then sentence ends, then
   spaces), so a long text is processed whole.
2. :func:`pipe_records` runs the pipeline over the chunks (``nlp.pipe`` with
   ``as_tuples``, so it streams) and yields one :class:`DocResult` per document, with the
   records of QUOTES_JSONL.md: offsets index the full text, ``index`` counts across chunks.
3. :func:`iter_input_results` is both together with error reporting and counting: what
   ``extract``, ``speakers`` and ``render`` run.
4. :func:`prepare_resume` readies an interrupted JSONL output for ``--resume``.
"""
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Pattern, Sequence, Set, Tuple, Union

from spacy.language import Language

from .inputs import BOM, InputText, read_inputs

logger = logging.getLogger("spacy_quotes")

# Where a long text may be cut, coarsest first. A cut goes *after* the match, so the
# separator stays at the end of the chunk before it and the chunks concatenate to the text.
SPLIT_BOUNDARIES: Tuple[Pattern[str], ...] = (
    re.compile(r"(?:\r\n|\r|\n)[ \t\f\v]*(?:\r\n|\r|\n)\s*"),  # blank lines (paragraphs)
    re.compile(r"(?:\r\n|\r|\n)\s*"),  # line breaks
    re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019\u00bb)\]]*\s+"),  # sentence ends
    re.compile(r"\s+"),  # any space
)


@dataclass
class DocResult:
    """The outcome of one document.

    item (InputText): the document.
    records (List[Dict[str, Any]]): its quote records, in quote order (empty on failure).
    error (Optional[str]): why the pipeline could not process it, or None.
    """

    item: InputText
    records: List[Dict[str, Any]] = field(default_factory=list)
    error: Optional[str] = None


# --- long texts ------------------------------------------------------------------------


def split_text(text: str, max_length: int) -> List[Tuple[int, str]]:
    """Cut a text into chunks of at most ``max_length`` characters, at the coarsest
    boundaries that work: blank lines, then line breaks, then sentence ends, then spaces
    (a hard cut only where a run of ``max_length`` characters has no space). Chunks are
    packed greedily, so a short text is one chunk. A leading byte order mark is left out.

    text (str): the full text.
    max_length (int): the longest chunk (the pipeline's ``nlp.max_length``).
    RETURNS (List[Tuple[int, str]]): ``(offset, chunk)`` pairs with
        ``text[offset:offset + len(chunk)] == chunk``; together the chunks cover the text
        (after the BOM). Empty for an empty text.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be >= 1, got {max_length}")
    start = 1 if text.startswith(BOM) else 0
    if start == len(text):
        return []
    chunks: List[Tuple[int, str]] = []
    for a, b in _split_range(text, start, len(text), max_length, 0):
        chunks.append((a, text[a:b]))
    return chunks


def _split_range(text: str, start: int, end: int, max_length: int, level: int) -> List[Tuple[int, int]]:
    if end - start <= max_length:
        return [(start, end)]
    if level >= len(SPLIT_BOUNDARIES):
        return [(i, min(i + max_length, end)) for i in range(start, end, max_length)]
    # Pieces end after each separator; a piece too long for max_length is cut finer.
    pieces: List[Tuple[int, int]] = []
    pos = start
    for match in SPLIT_BOUNDARIES[level].finditer(text, start, end):
        if match.end() > pos and match.end() < end:
            pieces.append((pos, match.end()))
            pos = match.end()
    pieces.append((pos, end))
    ranges: List[Tuple[int, int]] = []
    for a, b in pieces:
        if b - a > max_length:
            ranges.extend(_split_range(text, a, b, max_length, level + 1))
        else:
            ranges.append((a, b))
    # Pack neighbouring pieces greedily into chunks of at most max_length.
    packed: List[Tuple[int, int]] = []
    for a, b in ranges:
        if packed and b - packed[-1][0] <= max_length:
            packed[-1] = (packed[-1][0], b)
        else:
            packed.append((a, b))
    return packed


def shift_record(record: Dict[str, Any], offset: int) -> Dict[str, Any]:
    """A record's offsets moved by ``offset`` characters (from a chunk to the full text):
    ``start``/``end`` and those of every span object in it (``cue``, ``speaker``, ``via``).

    record (Dict[str, Any]): a QUOTES_JSONL record of a chunk.
    offset (int): where the chunk starts in the full text.
    RETURNS (Dict[str, Any]): a new record.
    """
    shifted = dict(record)
    if offset:
        for key, value in record.items():
            if key in ("start", "end") and isinstance(value, int):
                shifted[key] = value + offset
            elif isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
                shifted[key] = {**value, "start": value["start"] + offset, "end": value["end"] + offset}
    return shifted


def merge_chunk_records(parts: Iterable[Tuple[int, List[Dict[str, Any]]]]) -> List[Dict[str, Any]]:
    """The records of a document from those of its chunks: offsets shifted to the full text,
    ``index`` renumbered from 0 across the chunks, in quote order.

    parts (Iterable[Tuple[int, List[Dict[str, Any]]]]): ``(chunk offset, chunk records)``,
        in chunk order.
    RETURNS (List[Dict[str, Any]]): the document's records.
    """
    records = [shift_record(rec, offset) for offset, recs in parts for rec in recs]
    records.sort(key=lambda r: (r["start"], r["end"]))
    for i, rec in enumerate(records):
        rec["index"] = i
    return records


# --- running the pipeline --------------------------------------------------------------


def pipe_records(
    nlp: Language,
    texts: Iterable[InputText],
    *,
    batch_size: Optional[int] = None,
    n_process: int = 1,
    max_length: Optional[int] = None,
    skip_errors: bool = False,
    records_from_doc: Optional[Callable[..., List[Dict[str, Any]]]] = None,
) -> Iterator[DocResult]:
    """Run the pipeline over texts as a stream and yield each document's records as soon as
    its last chunk is done, in input order.

    Texts longer than ``max_length`` are split with :func:`split_text`; each chunk is a Doc
    and the records are mapped back to the full text (:func:`merge_chunk_records`). A
    document the pipeline drops (a component's error handler skipped it, see
    ``Language.set_error_handler``) comes back with ``error`` set and no records.

    nlp (Language): the pipeline (base + ``quotes``).
    texts (Iterable[InputText]): the documents.
    batch_size (Optional[int]): ``nlp.pipe`` batch size (None: the pipeline's default).
    n_process (int): worker processes for ``nlp.pipe``.
    max_length (Optional[int]): the longest chunk (default: ``nlp.max_length``).
    skip_errors (bool): when a component raises, skip its batch and go on (the documents of
        the batch come back with ``error`` set) instead of stopping; the pipeline's error
        handlers are restored when the generator ends.
    records_from_doc (Optional[Callable]): ``(doc, doc_id) -> records`` (default:
        ``spacy_quotes.plugins.records_from_doc``).
    YIELDS (DocResult): one per document, in input order.
    """
    if records_from_doc is None:
        from .plugins import records_from_doc as _records_from_doc

        records_from_doc = _records_from_doc
    limit = int(max_length or nlp.max_length)
    pending: Dict[int, InputText] = {}
    recorder = _ErrorRecorder()
    saved = _set_error_handlers(nlp, recorder) if skip_errors else None
    try:
        yield from _pipe_records(nlp, texts, pending, recorder, batch_size, n_process, limit, records_from_doc)
    finally:
        if saved is not None:
            _restore_error_handlers(nlp, saved)


def _pipe_records(
    nlp: Language,
    texts: Iterable[InputText],
    pending: Dict[int, InputText],
    recorder: "_ErrorRecorder",
    batch_size: Optional[int],
    n_process: int,
    limit: int,
    records_from_doc: Callable[..., List[Dict[str, Any]]],
) -> Iterator[DocResult]:

    def chunks() -> Iterator[Tuple[str, Tuple[int, int, int, int]]]:
        for seq, item in enumerate(texts):
            pieces = split_text(item.text, limit) or [(0, "")]
            if len(pieces) > 1:
                logger.info("spacy_quotes: %s is longer than %d characters: %d chunks", item.source, limit, len(pieces))
            pending[seq] = item
            for i, (offset, chunk) in enumerate(pieces):
                yield chunk, (seq, i, len(pieces), offset)

    parts: List[Tuple[int, int, List[Dict[str, Any]]]] = []  # (chunk number, offset, records)
    parts_seq = -1  # the document that parts belong to
    for doc, (seq, i, n_chunks, offset) in nlp.pipe(chunks(), as_tuples=True, batch_size=batch_size, n_process=n_process):
        # Docs come out in order: a document before this one that is still pending lost
        # chunks to an error handler (spaCy drops what a skipping handler skips).
        while pending and next(iter(pending)) < seq:
            first = next(iter(pending))
            yield DocResult(pending.pop(first), error=recorder.reason(first))
        if seq != parts_seq:
            parts, parts_seq = [], seq
        item = pending[seq]
        parts.append((i, offset, records_from_doc(doc, item.doc_id)))
        if i == n_chunks - 1:
            del pending[seq]
            if [p[0] for p in parts] == list(range(n_chunks)):
                yield DocResult(item, merge_chunk_records((off, recs) for _, off, recs in parts))
            else:
                yield DocResult(item, error=recorder.reason(seq))
            parts = []
    while pending:
        first = next(iter(pending))
        yield DocResult(pending.pop(first), error=recorder.reason(first))


class _ErrorRecorder:
    """An error handler for ``nlp.pipe`` that skips the failing batch and remembers why, by
    document (a module-level class, so worker processes can pickle it)."""

    def __init__(self) -> None:
        self.by_seq: Dict[int, str] = {}
        self.last: Optional[str] = None

    def __call__(self, proc_name: Optional[str], proc: Any, docs: Optional[List[Any]], e: Exception) -> None:
        message = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        if proc_name:
            message = f"'{proc_name}' raised {type(e).__name__}: {message}"
        logger.debug("spacy_quotes: pipeline error: %s", e)
        self.last = message
        for doc in docs or []:
            context = getattr(doc, "_context", None)
            if isinstance(context, tuple) and context:
                self.by_seq[context[0]] = message

    def reason(self, seq: int) -> str:
        why = self.by_seq.pop(seq, None) or self.last
        return f"the pipeline failed on it ({why})" if why else "the pipeline failed on it"


def _set_error_handlers(nlp: Language, handler: Callable) -> Dict[str, Any]:
    # Not nlp.set_error_handler: the Cython pipes (parser, ner) of spaCy 3.8 cannot store a
    # handler (AttributeError), so errors in those still stop the run.
    saved: Dict[str, Any] = {"": nlp.default_error_handler}
    nlp.default_error_handler = handler
    for name, proc in nlp.pipeline:
        if hasattr(proc, "set_error_handler"):
            try:
                saved[name] = proc.get_error_handler()
                proc.set_error_handler(handler)
            except AttributeError:
                saved.pop(name, None)
    return saved


def _restore_error_handlers(nlp: Language, saved: Dict[str, Any]) -> None:
    nlp.default_error_handler = saved[""]
    for name, proc in nlp.pipeline:
        if name in saved:
            proc.set_error_handler(saved[name])


# --- every command's input runner ------------------------------------------------------


@dataclass
class RunSummary:
    """What a command over inputs did.

    documents (int): documents processed.
    quotes (int): quotes found in them.
    errors (List[str]): one message per input that could not be read or processed.
    """

    documents: int = 0
    quotes: int = 0
    errors: List[str] = field(default_factory=list)


def iter_input_results(
    inputs: Sequence[Union[str, Path]],
    nlp: Language,
    *,
    stdin: Optional[IO[bytes]] = None,
    batch_size: Optional[int] = None,
    n_process: int = 1,
    max_length: Optional[int] = None,
    skip_errors: bool = True,
    records_from_doc: Optional[Callable[..., List[Dict[str, Any]]]] = None,
    on_error: Optional[Callable[[str], None]] = None,
    on_done: Optional[Callable[[int], None]] = None,
    summary: Optional[RunSummary] = None,
) -> Iterator[DocResult]:
    """Read inputs as ``spacy-quotes extract`` does and run the pipeline over them, streaming.

    Inputs that cannot be read and documents the pipeline fails on are reported to on_error
    (and counted in summary); the others come out in input order.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files, directories, JSONL files, ``-``.
    nlp (Language): the pipeline (base + ``quotes``).
    stdin (Optional[IO[bytes]]): the binary stream ``-`` reads (default: ``sys.stdin.buffer``).
    batch_size (Optional[int]): ``nlp.pipe`` batch size.
    n_process (int): worker processes for ``nlp.pipe``.
    max_length (Optional[int]): split longer texts into chunks (default: ``nlp.max_length``).
    skip_errors (bool): a document a component fails on is reported, the rest go on.
    records_from_doc (Optional[Callable]): ``(doc, doc_id) -> records``, see
        :func:`pipe_records`.
    on_error (Optional[Callable[[str], None]]): gets each error message (default: log it).
    on_done (Optional[Callable[[int], None]]): called with the number of quotes of each
        finished document (e.g. ``Progress.advance`` of the CLI).
    summary (Optional[RunSummary]): counts documents, quotes and errors as they pass.
    RETURNS (Iterator[DocResult]): the processed documents, with their QUOTES_JSONL records.
    """
    if summary is None:
        summary = RunSummary()

    def report(message: str) -> None:
        summary.errors.append(message)
        if on_error is not None:
            on_error(message)
        else:
            logger.error("spacy_quotes: %s", message)

    def texts() -> Iterator[InputText]:
        for item in read_inputs(inputs, stdin=stdin):
            if isinstance(item, InputText):
                yield item
            else:
                report(str(item))

    results = pipe_records(nlp, texts(), batch_size=batch_size, n_process=n_process, max_length=max_length,
                           skip_errors=skip_errors, records_from_doc=records_from_doc)
    for result in results:
        if result.error is not None:
            report(f"{result.item.source}: {result.error}")
            continue
        summary.documents += 1
        summary.quotes += len(result.records)
        if on_done is not None:
            on_done(len(result.records))
        yield result


# --- resuming --------------------------------------------------------------------------


def prepare_resume(path: Union[str, Path]) -> Set[str]:
    """Ready an interrupted JSONL output for ``--resume`` and find the finished documents.

    A partial last line (no newline: the run stopped while writing it) is cut off. The
    document of the last remaining line may be incomplete (it was being written when the run
    stopped), so its lines are cut off too and it is done again. Every other ``doc_id`` in
    the file is complete: records are written whole documents at a time. Documents with no
    quotes leave no line, so they are done again (and give nothing again).

    path (Union[str, Path]): the output file; it is truncated in place. A missing file is fine.
    RETURNS (Set[str]): the doc_ids to skip.
    RAISES (ValueError): when a complete line is not a JSON record with a ``doc_id``.
    """
    path = Path(path)
    if not path.exists():
        return set()
    done: Set[str] = set()
    last_id: Optional[str] = None
    last_start = 0  # byte offset where the last document's lines start
    pos = 0
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.endswith(b"\n"):
                break  # a partial line
            try:
                record = json.loads(raw.decode("utf-8"))
                doc_id = record["doc_id"]
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{lineno}: not a quote record ({err}); cannot resume this file") from None
            doc_id = str(doc_id)
            if doc_id != last_id:
                if last_id is not None:
                    done.add(last_id)
                last_id, last_start = doc_id, pos
            pos += len(raw)
    keep = last_start if last_id is not None else 0
    if last_id is not None and last_id in done:
        # The last document's lines are not contiguous with its earlier ones: a duplicate id.
        logger.warning("spacy_quotes: doc_id '%s' appears twice in %s", last_id, path)
    with open(path, "r+b") as fh:
        fh.truncate(keep)
    logger.info("spacy_quotes: resuming %s after %d documents (%d bytes kept)", path, len(done), keep)
    return done


__all__ = [
    "DocResult", "RunSummary", "SPLIT_BOUNDARIES", "split_text", "shift_record", "merge_chunk_records",
    "pipe_records", "iter_input_results", "prepare_resume",
]
