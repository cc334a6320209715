"""Running the pipeline over inputs: input -> pipeline -> quote records, for every command.

The stages, in the order the data goes through them (reading is :mod:`spacy_quotes.inputs`):

1. :func:`spacy_quotes.textmap.split_text` cuts a text that is longer than the pipeline's
   ``max_length`` into chunks at paragraph boundaries, so a long text is processed whole
   (:mod:`spacy_quotes.textmap` also maps CRLF text and the chunks' offsets back).
2. :func:`pipe_records` runs the pipeline over the chunks (``nlp.pipe`` with
   ``as_tuples``, so it streams) and yields one :class:`DocResult` per document, with the
   records of QUOTES_JSONL.md: offsets index the full text, ``index`` counts across chunks.
3. :func:`iter_input_results` is both together with error reporting and counting: what
   ``extract``, ``speakers`` and ``render`` run.
4. :mod:`spacy_quotes.resume` readies an interrupted JSONL output for ``--resume``.
"""
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, Generator, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from spacy.language import Language

from .inputs import InputText, read_inputs
from .workers import DeadWorkerAlarm, WorkerDied, workers_exit_with_parent
from .plugins import records_from_doc as plugin_records
from .resume import (  # re-exported: they lived here
    RUN_RECORD_SUFFIX, check_resume, prepare_resume, run_record, run_record_path, write_run_record,
)
from .textmap import (  # noqa: F401  (re-exported, as above)
    SPLIT_BOUNDARIES, map_record, check_max_length, merge_chunk_records, model_text, original_offset, shift_record,
    split_text,
)

logger = logging.getLogger("spacy_quotes")

# A text longer than this (in characters) goes through the pipeline alone, each of its pieces
# in a batch of its own, and a batch of short texts holds at most this many characters: a
# batch's memory is that of its Docs, so it must not grow with the length of the texts in it
# (a 1 MB piece alone peaks at about 3 GB in en_core_web_sm; three side by side, at 9 GB).
BATCH_CHARS = 200_000


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


@dataclass
class _Unit:
    """One document on its way through the pipeline: its pieces as the pipeline sees them."""

    seq: int
    item: InputText
    pieces: List[Tuple[int, str, List[int]]]  # (offset in the text, text for the pipeline, removed \r)
    alone: bool  # too long to share a batch

    def results(self, parts: Dict[int, List[Dict[str, Any]]]) -> DocResult:
        records = [
            map_record(rec, removed, offset, self.item.text)
            for i, (offset, _, removed) in enumerate(self.pieces) for rec in parts[i]
        ]
        # A quote says something: content without a letter or digit (a run of quotation
        # marks or dashes the model took for a quote) is no record.
        kept = [rec for rec in records if not isinstance(rec.get("text"), str) or _says_something(rec["text"])]
        if len(kept) < len(records):
            logger.info("spacy_quotes: %s: %d quotes without a letter or digit left out", self.item.source,
                        len(records) - len(kept))
            records = kept
        records.sort(key=lambda r: (r["start"], r["end"]))
        for i, rec in enumerate(records):
            rec["index"] = i
        return DocResult(self.item, records)


def _says_something(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _units(texts: Iterable[InputText], limit: int) -> Iterator[_Unit]:
    for seq, item in enumerate(texts):
        pieces = split_text(item.text, limit) or [(0, "")]
        if len(pieces) > 1:
            logger.info("spacy_quotes: %s is longer than %d characters: %d chunks", item.source, limit, len(pieces))
        prepared = [(offset, *model_text(chunk)) for offset, chunk in pieces]
        yield _Unit(seq, item, prepared, alone=len(pieces) > 1 or len(item.text) > BATCH_CHARS)


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
    it is done, in input order.

    Texts longer than ``max_length`` are split with :func:`split_text`; each chunk is a Doc
    and the records are mapped back to the full text. The pipeline sees ``\\r\\n`` as ``\\n``
    (:func:`model_text`); offsets and texts of the records are those of the text as read. A
    batch holds at most ``batch_size`` texts and about :data:`BATCH_CHARS` characters; a longer
    text goes through alone, one piece at a time, so memory does not grow with its length.
    With ``n_process > 1`` a stream shorter than ``n_process`` full batches is cut into
    ``n_process`` equal batches, so every process has work.

    With ``skip_errors``, a batch the pipeline fails on is run again document by document in
    this process, so only the bad document comes back with ``error`` set (and the reason),
    whether it failed here or in a worker process.

    nlp (Language): the pipeline (base + ``quotes``).
    texts (Iterable[InputText]): the documents.
    batch_size (Optional[int]): texts per ``nlp.pipe`` batch (None: the pipeline's default).
    n_process (int): worker processes for ``nlp.pipe``.
    max_length (Optional[int]): the longest chunk (default: ``nlp.max_length``; more than
        that is refused, see :func:`check_max_length`).
    skip_errors (bool): a document the pipeline fails on comes back with ``error`` set
        instead of stopping the run; the pipeline's error handlers are restored when the
        generator ends.
    records_from_doc (Optional[Callable]): ``(doc, doc_id) -> records`` (default:
        ``spacy_quotes.plugins.records_from_doc``).
    YIELDS (DocResult): one per document, in input order.
    RAISES (ValueError): for a max_length above the pipeline's (on the first ``next``).
    """
    if records_from_doc is None:
        records_from_doc = plugin_records
    limit = check_max_length(nlp, max_length)
    size = int(batch_size or nlp.batch_size)
    run = _Run(nlp, records_from_doc, _ErrorRecorder(), skip_errors)
    saved = _set_error_handlers(nlp, run.recorder) if skip_errors else None
    try:
        if n_process <= 1:
            for batch in _batches(_units(texts, limit), size):
                yield from run.batch(batch)
        else:
            yield from run.multiprocess(_units(texts, limit), size, n_process)
    finally:
        if saved is not None:
            _restore_error_handlers(nlp, saved)


def _batches(units: Iterable[_Unit], size: int) -> Iterator[List[_Unit]]:
    """Batches of at most size units and about BATCH_CHARS characters; a long unit alone."""
    batch: List[_Unit] = []
    chars = 0
    for unit in units:
        n = len(unit.item.text)
        if batch and (unit.alone or len(batch) >= size or chars + n > BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        if unit.alone:
            yield [unit]
            continue
        batch.append(unit)
        chars += n
    if batch:
        yield batch


class _Run:
    """The pipeline calls of one :func:`pipe_records` run, with the retry of failed batches."""

    def __init__(self, nlp: Language, records_from_doc: Callable[..., List[Dict[str, Any]]],
                 recorder: "_ErrorRecorder", skip_errors: bool) -> None:
        self.nlp = nlp
        self.records_from_doc = records_from_doc
        self.recorder = recorder
        self.skip_errors = skip_errors

    def batch(self, units: List[_Unit]) -> Iterator[DocResult]:
        """Run units in this process as one batch (a long unit: one piece at a time)."""
        parts: Dict[int, Dict[int, List[Dict[str, Any]]]] = {u.seq: {} for u in units}
        by_seq = {u.seq: u for u in units}
        pieces = [(text, (u.seq, i)) for u in units for i, (_, text, _) in enumerate(u.pieces)]
        error: Optional[str] = None
        if len(units) == 1:
            self.recorder.by_seq.pop(units[0].seq, None)
            self.recorder.last = None
        try:
            docs = self.nlp.pipe(pieces, as_tuples=True, batch_size=1 if units[0].alone else len(pieces))
            for doc, (seq, i) in docs:
                parts[seq][i] = self.records_from_doc(doc, by_seq[seq].item.doc_id)
                del doc  # a long text's pieces: one Doc at a time
        except Exception as err:  # a component without an error handler (parser, ner) raised
            if not self.skip_errors:
                raise
            error = _reason(None, err)
            logger.debug("spacy_quotes: pipeline error: %r", err)
        for unit in units:
            if len(parts[unit.seq]) == len(unit.pieces):
                yield unit.results(parts[unit.seq])
            elif len(units) > 1:
                yield from self.batch([unit])  # again alone: only the bad document fails
            else:
                why = self.recorder.by_seq.pop(unit.seq, None) or error or self.recorder.last
                yield DocResult(unit.item, error=f"the pipeline failed on it ({why})" if why
                                else "the pipeline failed on it")

    def multiprocess(self, units: Iterable[_Unit], size: int, n_process: int) -> Iterator[DocResult]:
        """Short units through ``nlp.pipe`` with worker processes; a long one alone, here."""
        stream = iter(units)
        full = size * n_process
        while True:
            head: List[_Unit] = []
            long_unit: Optional[_Unit] = None
            ended = False
            while len(head) < full:
                unit = next(stream, None)
                if unit is None:
                    ended = True
                    break
                if unit.alone:
                    long_unit = unit
                    break
                head.append(unit)
            if head:
                holder: List[_Unit] = []
                if len(head) < full:
                    # Fewer texts than the processes' batches: share them out evenly.
                    yield from self._workers(head, iter(()), -(-len(head) // n_process), n_process, holder)
                else:
                    died = yield from self._workers(head, stream, size, n_process, holder)
                    long_unit = holder[0] if holder else None
                    ended = not holder and not died
            if long_unit is not None:
                yield from self.batch([long_unit])
            elif ended:
                return

    def _workers(self, head: List[_Unit], stream: Iterator[_Unit], batch: int, n_process: int,
                 stash: List[_Unit]) -> Generator[DocResult, None, bool]:
        """head and then short units of stream through worker processes, until a long unit
        (left in stash) or the end; returns True where a worker died before (the rest of
        stream is left for the caller)."""
        pending: Dict[int, _Unit] = {}
        alarm = DeadWorkerAlarm()

        def pieces() -> Iterator[Tuple[str, int]]:
            # while spaCy pulls a unit here, no WorkerDied may land before it is in pending
            units = itertools.chain(head, stream)
            while True:
                alarm.waiting(False)
                unit = next(units, None)
                if unit is None:
                    break
                if unit.alone:
                    stash.append(unit)
                    break
                pending[unit.seq] = unit
                alarm.waiting(True)
                yield unit.pieces[0][1], unit.seq

        died = False
        with workers_exit_with_parent(), alarm:
            docs = self.nlp.pipe(pieces(), as_tuples=True, batch_size=batch, n_process=n_process)
            while True:
                alarm.waiting(True)
                try:
                    doc, seq = next(docs)
                except StopIteration:
                    break
                except (WorkerDied, EOFError, OSError):  # spaCy's pipe has ended: see workers.py
                    if not alarm.died:
                        raise
                    logger.warning("spacy_quotes: %s; its %d unfinished documents run again in the main process",
                                   alarm.died, len(pending))
                    died = True
                    alarm.drain_feeders()
                    break
                finally:
                    alarm.waiting(False)
                # Docs come out in order: one before this one that is still pending was
                # dropped by an error handler (here or in a worker): run it again alone.
                while pending and next(iter(pending)) < seq:
                    yield from self.batch([pending.pop(next(iter(pending)))])
                unit = pending.pop(seq)
                records = self.records_from_doc(doc, unit.item.doc_id)
                del doc
                yield unit.results({0: records})
        for seq in list(pending):
            yield from self.batch([pending.pop(seq)])
        return died


def _reason(proc_name: Optional[str], e: BaseException) -> str:
    message = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
    return f"'{proc_name}' raised {type(e).__name__}: {message}" if proc_name else f"{type(e).__name__}: {message}"


class _ErrorRecorder:
    """An error handler for ``nlp.pipe`` that skips the failing batch and remembers why, by
    document (a module-level class, so worker processes can pickle it)."""

    def __init__(self) -> None:
        self.by_seq: Dict[int, str] = {}
        self.last: Optional[str] = None

    def __call__(self, proc_name: Optional[str], proc: Any, docs: Optional[List[Any]], e: Exception) -> None:
        message = _reason(proc_name, e) if proc_name else (
            str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__)
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


def error_reporter(errors: List[str], on_error: Optional[Callable[[str], None]]) -> Callable[[str], None]:
    """A command's way to report one bad input and go on.

    errors (List[str]): where each message is kept (a summary's list).
    on_error (Optional[Callable[[str], None]]): gets each message; None logs it as an error.
    RETURNS (Callable[[str], None]): the reporter.
    """

    def report(message: str) -> None:
        errors.append(message)
        if on_error is not None:
            on_error(message)
        else:
            logger.error("spacy_quotes: %s", message)

    return report


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

    report = error_reporter(summary.errors, on_error)

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




__all__ = [
    "DocResult", "RunSummary", "BATCH_CHARS", "pipe_records", "iter_input_results", "error_reporter",
    # re-exported from textmap and resume, where they moved
    "SPLIT_BOUNDARIES", "split_text", "check_max_length", "model_text", "original_offset", "shift_record",
    "merge_chunk_records", "prepare_resume", "run_record", "run_record_path", "write_run_record", "check_resume",
    "RUN_RECORD_SUFFIX",
]
