"""What runs on a Dask worker: the pipeline, loaded once per worker thread, and one partition
turned into one output file.

:func:`run_partition` is the task. It reads the partition's documents
(:func:`~spacy_quotes.distributed.shards.read_partition`), runs the package's own
:func:`spacy_quotes.io.pipe_records` over them (so the records are those of
``spacy-quotes extract``, with every ``process_record`` plugin applied), writes them with the
exporter plugin of the run's format under a temporary name, and renames the file into place.
A partition whose file is already there is not done again (a rerun, or the task run a second
time after its worker died), so the output has each partition once.

A bad document (unreadable, binary, not UTF-8, longer than ``max_doc_chars``, or one the
pipeline fails on) becomes an error entry; it never fails the task.
"""
import json
import logging
import os
import posixpath
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from spacy.language import Language

from ..inputs import InputError, InputText
from ..loading import load
from ..runner import DocResult, pipe_records
from ..plugins import get_exporter
from .manifest import PARTITIONS_DIR, output_fs, read_json, write_json
from .shards import JSONL, PARQUET, Partition, read_partition
from .speakers import SpeakerCounts

logger = logging.getLogger("spacy_quotes")

# A document longer than this (in characters) is reported, not processed: a news article
# is a few thousand characters; 2 million is a long book.
DEFAULT_MAX_DOC_CHARS = 2_000_000
DEFAULT_BATCH_SIZE = 64


@dataclass
class RunSettings:
    """What every task of a run needs to know (sent with each task).

    out_dir (str): the output directory (path or fsspec URL), which every worker can write.
    format (str): the exporter's name (``jsonl``, ``parquet``, ...).
    model (Optional[str]): a saved pipeline (name or path on the workers), or None for the
        default pipeline (``spacy_quotes.load()``).
    config (Dict[str, Any]): overrides of the ``quotes`` component's config.
    batch_size (int): ``nlp.pipe`` batch size.
    max_length (Optional[int]): split longer texts into chunks (default: ``nlp.max_length``).
    max_doc_chars (int): a longer document is an error, not processed.
    """

    out_dir: str
    format: str = "jsonl"
    model: Optional[str] = None
    config: Dict[str, Any] = field(default_factory=dict)
    batch_size: int = DEFAULT_BATCH_SIZE
    max_length: Optional[int] = None
    max_doc_chars: int = DEFAULT_MAX_DOC_CHARS

    def to_dict(self) -> Dict[str, Any]:
        """RETURNS (Dict[str, Any]): the settings (for the manifest)."""
        return asdict(self)


@dataclass
class PartitionSummary:
    """What one partition task did.

    name (str): the partition.
    index (int): its position in the run.
    file (str): its record file, relative to the output directory.
    documents (int): documents processed.
    quotes (int): records written.
    errors (List[Dict[str, Any]]): one entry per bad document (``shard``, ``partition``,
        ``source``, ``line`` or ``row`` where known, ``reason``).
    skipped (bool): the file was already there (a finished partition of an earlier run).
    seconds (float): the time the partition took (when it was done).
    worker (str): the worker that did it.
    """

    name: str
    index: int
    file: str
    documents: int = 0
    quotes: int = 0
    errors: List[Dict[str, Any]] = field(default_factory=list)
    skipped: bool = False
    seconds: float = 0.0
    worker: str = ""


# --- the pipeline, once per worker thread -------------------------------------------------

_local = threading.local()


def get_pipeline(settings: RunSettings) -> Language:
    """The run's pipeline, loaded on first use in this worker thread and kept for the next
    partitions (a thread of its own, as spaCy pipelines are not shared between threads).

    settings (RunSettings): the run's model and config overrides.
    RETURNS (Language): the pipeline.
    RAISES (ValueError): when it cannot be loaded or has no trained ``quotes`` component.
    """
    key = json.dumps([settings.model, settings.config], sort_keys=True, default=str)
    cache: Dict[str, Language] = getattr(_local, "pipelines", None) or {}
    _local.pipelines = cache
    if key not in cache:
        start = time.perf_counter()
        what = settings.model or "the default pipeline"
        try:
            nlp = load(settings.model, **settings.config)
        except (OSError, ValueError, KeyError) as err:
            raise ValueError(f"cannot load {what}: {err}") from None
        quotes = [n for n in nlp.pipe_names if n == "quotes" or nlp.get_pipe_meta(n).factory == "quotes"]
        if not quotes:
            raise ValueError(f"{what} has no 'quotes' component (pipes: {', '.join(nlp.pipe_names) or 'none'})")
        if not all(getattr(nlp.get_pipe(n), "is_initialized", True) for n in quotes):
            raise ValueError(f"the 'quotes' component of {what} has no trained weights")
        cache.clear()  # one pipeline per thread: a new run's settings replace the old one
        cache[key] = nlp
        logger.info("spacy_quotes: loaded %s on %s in %.1fs", what, _worker_name(), time.perf_counter() - start)
    return cache[key]


def check_pipeline(settings: RunSettings) -> List[str]:
    """Load the pipeline on a worker before the run starts (the task behind a clear early
    error for a bad ``--model``).

    settings (RunSettings): the run's settings.
    RETURNS (List[str]): the pipeline's component names.
    """
    return list(get_pipeline(settings).pipe_names)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


# --- one partition -----------------------------------------------------------------------


def partition_file(partition: Partition, settings: RunSettings) -> str:
    """RETURNS (str): the record file's name (relative to the output directory)."""
    extension = get_exporter(settings.format).extension or f".{settings.format}"
    return partition.name + extension


def error_entry(partition: Partition, source: str, reason: str) -> Dict[str, Any]:
    """An ``errors.jsonl`` entry.

    partition (Partition): where the document is.
    source (str): ``shard:line`` (JSONL), ``shard:row`` (Parquet) or the file (text).
    reason (str): what is wrong.
    RETURNS (Dict[str, Any]): the entry.
    """
    entry: Dict[str, Any] = {"shard": partition.shard.url, "partition": partition.name, "source": source}
    unit = {JSONL: "line", PARQUET: "row"}.get(partition.shard.kind)
    head, _, tail = source.rpartition(":")
    if unit and head == partition.shard.url and tail.isdigit():
        entry[unit] = int(tail)
    entry["reason"] = reason
    return entry


def run_partition(partition: Partition, settings: RunSettings) -> PartitionSummary:
    """The task: one partition's records into one file of the output directory.

    partition (Partition): the partition.
    settings (RunSettings): the run's settings.
    RETURNS (PartitionSummary): counts and errors (no records: those are in the file).
    """
    fs, root = output_fs(settings.out_dir)
    name = partition_file(partition, settings)
    final = posixpath.join(root, name)
    meta_path = posixpath.join(root, PARTITIONS_DIR, partition.name + ".json")
    if fs.exists(final):
        meta = read_json(fs, meta_path)
        if meta is not None:
            return PartitionSummary(
                partition.name, partition.index, name, meta["documents"], meta["quotes"], meta["errors"], skipped=True
            )
    start = time.perf_counter()
    errors: List[Dict[str, Any]] = []
    texts: List[InputText] = []
    for item in read_partition(partition):
        if isinstance(item, InputError):
            errors.append(error_entry(partition, item.source, item.reason))
        elif len(item.text) > settings.max_doc_chars:
            errors.append(error_entry(
                partition, item.source,
                f"document of {len(item.text):,} characters is longer than max_doc_chars={settings.max_doc_chars:,}",
            ))
        else:
            texts.append(item)
    results = _process(get_pipeline(settings), texts, settings) if texts else []
    records: List[Dict[str, Any]] = []
    documents = 0
    for result in results:
        if result.error is not None:
            errors.append(error_entry(partition, result.item.source, result.error))
        else:
            documents += 1
            records.extend(result.records)
    errors.sort(key=lambda e: (e.get("line", e.get("row", 0)), e["source"]))
    speakers = SpeakerCounts()
    speakers.add(records, partition.index)
    seconds = time.perf_counter() - start
    worker = _worker_name()
    _write_records(fs, final, records, settings)
    write_json(fs, meta_path, {
        "name": partition.name, "file": name, "range": partition.describe(), "documents": documents,
        "quotes": len(records), "errors": errors, "seconds": round(seconds, 3), "worker": worker,
        "speakers": speakers.to_dict(),
    }, indent=None)
    _commit(fs, final)
    return PartitionSummary(partition.name, partition.index, name, documents, len(records), errors,
                            seconds=seconds, worker=worker)


def _process(nlp: Language, texts: List[InputText], settings: RunSettings) -> List[DocResult]:
    """The partition through ``pipe_records``; when a component fails in a way its error
    handler cannot catch, each document is done on its own so that only the bad ones fail."""
    options = dict(batch_size=settings.batch_size, max_length=settings.max_length, skip_errors=True)
    try:
        return list(pipe_records(nlp, texts, **options))
    except Exception as err:  # noqa: BLE001
        logger.warning("spacy_quotes: a batch failed (%s: %s); processing its documents one by one",
                       type(err).__name__, err)
    results: List[DocResult] = []
    for item in texts:
        try:
            results.extend(pipe_records(nlp, [item], **options))
        except Exception as err:  # noqa: BLE001
            results.append(DocResult(item, error=f"the pipeline failed on it ({type(err).__name__}: {err})"))
    return results


_PENDING = ".pending"


def _write_records(fs: Any, final: str, records: List[Dict[str, Any]], settings: RunSettings) -> None:
    """Write the records with the format's exporter to ``final + ".pending"``-like temporary
    name (renamed by :func:`_commit`)."""
    exporter = get_exporter(settings.format)
    tmp = _pending_path(final)
    if _is_local(fs):
        exporter.export(iter(records), tmp)
        return
    handle, local = tempfile.mkstemp(suffix=posixpath.splitext(final)[1])
    os.close(handle)
    try:
        exporter.export(iter(records), local)
        fs.put_file(local, tmp)
    finally:
        os.unlink(local)


def _pending_path(final: str) -> str:
    head, tail = posixpath.split(final)
    return posixpath.join(head, f".{tail}{_PENDING}.{threading.get_ident()}.{os.getpid()}")


def _commit(fs: Any, final: str) -> None:
    fs.mv(_pending_path(final), final)


def _is_local(fs: Any) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


def load_speaker_counts(out_dir: str, names: Tuple[str, ...]) -> SpeakerCounts:
    """A leaf of the speaker reduction: the counts of some finished partitions, from their
    ``_partitions`` entries.

    out_dir (str): the output directory.
    names (Tuple[str, ...]): partition names.
    RETURNS (SpeakerCounts): their counts merged.
    """
    fs, root = output_fs(out_dir)
    total = SpeakerCounts()
    for name in names:
        meta = read_json(fs, posixpath.join(root, PARTITIONS_DIR, name + ".json"))
        if meta is not None:
            total.merge(SpeakerCounts.from_dict(meta.get("speakers", {})))
    return total


__all__ = [
    "RunSettings", "PartitionSummary", "get_pipeline", "check_pipeline", "run_partition", "partition_file",
    "error_entry", "load_speaker_counts", "DEFAULT_MAX_DOC_CHARS", "DEFAULT_BATCH_SIZE",
]
