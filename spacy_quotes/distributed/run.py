"""A whole-corpus run on a Dask cluster: shards -> partitions -> one task each -> files.

The client finds the shards (:func:`~spacy_quotes.distributed.shards.find_shards`); the
workers count their documents (one task per shard) and load the pipeline; the partitions go
out as one task each (:func:`~spacy_quotes.distributed.worker.run_partition`, retried on
another worker when one dies); the speaker table is a tree reduction over the partitions'
counts; the client writes ``errors.jsonl``, ``speakers.json`` and ``manifest.json``.
"""
import contextlib
import datetime
import logging
import os
import posixpath
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import spacy
from dask.distributed import Client, as_completed, get_client
from dask.distributed import progress as dask_progress

from ..about import __version__
from ..inputs import InputError
from ..plugins import get_exporter
from ..speaker_table import format_speakers
from . import manifest as M
from .shards import Partition, ShardPlan, find_shards, partitions_of, plan_shard
from .speakers import SpeakerCounts, merge_counts
from .worker import (
    DEFAULT_BATCH_SIZE, DEFAULT_MAX_DOC_CHARS, PartitionSummary, RunSettings, check_pipeline,
    load_speaker_counts, run_partition,
)

logger = logging.getLogger("spacy_quotes")

DEFAULT_PARTITION_SIZE = 1000
# How many partial speaker counts one reduction task merges.
REDUCTION_FAN_IN = 16


@dataclass
class CorpusSummary:
    """What a corpus run did.

    out_dir (str): the output directory.
    partitions (int): partitions of the corpus.
    done (int): partitions done in this run.
    skipped (int): partitions an earlier run had finished.
    failed (List[str]): partitions that could not be done (in ``errors.jsonl``; a rerun tries them again).
    documents (int): documents processed (all partitions, earlier runs included).
    quotes (int): records written.
    errors (int): lines of ``errors.jsonl``.
    speakers (int): rows of the speaker table.
    seconds (float): the run's wall time.
    dashboard (Optional[str]): the cluster's dashboard address.
    """

    out_dir: str
    partitions: int = 0
    done: int = 0
    skipped: int = 0
    failed: List[str] = field(default_factory=list)
    documents: int = 0
    quotes: int = 0
    errors: int = 0
    speakers: int = 0
    seconds: float = 0.0
    dashboard: Optional[str] = None

    @property
    def complete(self) -> bool:
        """RETURNS (bool): every partition is finished."""
        return not self.failed


def extract_corpus(
    inputs: Union[str, Sequence[str]],
    out_dir: str,
    client: Optional[Client] = None,
    *,
    format: str = "jsonl",
    model: Optional[str] = None,
    config: Optional[Dict[str, Any]] = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_length: Optional[int] = None,
    max_doc_chars: int = DEFAULT_MAX_DOC_CHARS,
    retries: int = 1,
    show_progress: bool = False,
    speakers: bool = True,
) -> CorpusSummary:
    """Find the quotes of a corpus on a Dask cluster: one record file per partition in out_dir.

    A rerun with the same inputs and settings resumes: finished partitions are skipped, the
    others done, so the directory ends with each partition once. A worker that dies has its
    tasks done again on the others; a bad document is a line of ``errors.jsonl``.

    inputs (Union[str, Sequence[str]]): JSONL files (``.gz`` too), Parquet files with
        ``id``/``text`` columns, directories of ``.txt`` files, glob patterns, fsspec URLs.
    out_dir (str): the output directory (path or fsspec URL), written by the workers.
    client (Optional[Client]): the Dask client (default: the current one, ``get_client()``).
    format (str): the exporter plugin of the record files (``jsonl``, ``parquet``, ...).
    model (Optional[str]): a saved pipeline, as the workers see it; None: the default one.
    config (Optional[Dict[str, Any]]): overrides of the ``quotes`` component's config.
    partition_size (int): the most documents (JSONL lines, Parquet rows, files) of a partition.
    batch_size (int): ``nlp.pipe`` batch size on the workers.
    max_length (Optional[int]): split longer texts into chunks (default: ``nlp.max_length``).
    max_doc_chars (int): a longer document is reported in ``errors.jsonl``, not processed.
    retries (int): times a partition that raised is tried again (a dead worker's tasks are
        re-run by Dask anyway, up to ``distributed.scheduler.allowed-failures``).
    show_progress (bool): Dask's progress bar on stderr.
    speakers (bool): write the corpus's speaker table (``speakers.json``).
    RETURNS (CorpusSummary): what was done.
    RAISES (ValueError): for bad settings, no inputs, a pipeline the workers cannot load, or
        an output directory that holds a run with other settings.
    """
    started = time.perf_counter()
    inputs = [inputs] if isinstance(inputs, str) else [str(i) for i in inputs]
    if not inputs:
        raise ValueError("no inputs")
    if partition_size < 1:
        raise ValueError(f"partition_size must be >= 1, got {partition_size}")
    get_exporter(format)  # ValueError naming the known formats
    if client is None:
        try:
            client = get_client()
        except ValueError:
            raise ValueError("no Dask client: pass client=, or start one (dask.distributed.Client())") from None
    settings = RunSettings(
        out_dir=str(out_dir), format=format, model=model, config=dict(config or {}), batch_size=batch_size,
        max_length=max_length, max_doc_chars=max_doc_chars,
    )
    fs, root = M.output_fs(settings.out_dir)
    previous = M.read_json(fs, posixpath.join(root, M.MANIFEST))
    manifest_settings = {**settings.to_dict(), "partition_size": partition_size}
    del manifest_settings["out_dir"]
    M.check_resumable(previous, manifest_settings, settings.out_dir)
    summary = CorpusSummary(out_dir=settings.out_dir, dashboard=_dashboard(client))
    if summary.dashboard:
        logger.info("spacy_quotes: Dask dashboard at %s", summary.dashboard)

    shards, input_errors = find_shards(inputs)
    if not shards:
        raise ValueError("no inputs to read: " + "; ".join(str(e) for e in input_errors))
    # Load the pipeline on every worker first, side by side: a bad model is one clear error,
    # not one per task, and no partition waits behind a load (workers that join later load
    # it with their first partition).
    workers = list(client.scheduler_info().get("workers", {})) or [None]
    # (no worker known yet, e.g. one restarting: one check anywhere; Dask refuses
    # allow_other_workers without workers)
    checks = [client.submit(check_pipeline, settings, pure=False, key=f"spacy-quotes-load-{i}-{_token()}",
                            **({"workers": [w], "allow_other_workers": True} if w else {}))
              for i, w in enumerate(workers)]
    pipes = client.gather(checks)[0]
    logger.info("spacy_quotes: pipeline %s", ", ".join(pipes))
    plans: List[ShardPlan] = client.gather(client.map(plan_shard, shards, pure=False))
    partitions = partitions_of(shards, plans, partition_size)
    planning_errors = [_entry(e) for e in input_errors] + [
        {"shard": shard.url, **_entry(e)} for shard, plan in zip(shards, plans) for e in plan.errors
    ]
    summary.partitions = len(partitions)
    manifest = _manifest(inputs, manifest_settings, shards, plans, partitions, previous)
    M.write_json(fs, posixpath.join(root, M.MANIFEST), manifest)
    logger.info("spacy_quotes: %d shards, %d partitions of up to %d documents", len(shards), len(partitions),
                partition_size)

    futures = client.map(run_partition, partitions, settings=settings, retries=retries, pure=False,
                         key=[f"spacy-quotes-partition-{p.index}-{_token()}" for p in partitions])
    by_key = {f.key: p for f, p in zip(futures, partitions)}
    if show_progress and futures:
        dask_progress(futures, notebook=False)
        sys.stderr.write("\n")
    results: Dict[int, PartitionSummary] = {}
    failures: List[Dict[str, Any]] = []
    for future in as_completed(futures):
        partition = by_key[future.key]
        try:
            result: PartitionSummary = future.result()
        except Exception as err:  # noqa: BLE001  (KilledWorker, an error after the retries)
            logger.error("spacy_quotes: partition %s failed: %s: %s", partition.name, type(err).__name__, err)
            summary.failed.append(partition.name)
            failures.append({
                "shard": partition.shard.url, "partition": partition.name, "source": partition.describe(),
                "reason": f"the partition failed: {type(err).__name__}: {err}",
            })
            continue
        results[partition.index] = result
        if result.skipped:
            summary.skipped += 1
        else:
            summary.done += 1
        done = len(results) + len(failures)
        if done % max(1, len(partitions) // 20) == 0 or done == len(partitions):
            logger.info("spacy_quotes: %d/%d partitions", done, len(partitions))
    ordered = [results[i] for i in sorted(results)]
    summary.documents = sum(r.documents for r in ordered)
    summary.quotes = sum(r.quotes for r in ordered)
    errors = planning_errors + [e for r in ordered for e in r.errors] + failures
    summary.errors = len(errors)
    M.write_atomic(fs, posixpath.join(root, M.ERRORS), "".join(_json_line(e) for e in errors).encode("utf-8"))

    if speakers:
        table = speaker_table(client, settings.out_dir, [r.name for r in ordered])
        rows = table.rows()
        summary.speakers = len(rows)
        M.write_atomic(fs, posixpath.join(root, M.SPEAKERS), format_speakers(rows, fmt="json").encode("utf-8"))
    summary.seconds = time.perf_counter() - started
    manifest.update({
        "complete": summary.complete,
        "finished": _now(),
        "counts": {
            "shards": len(shards), "partitions": len(partitions), "done": summary.done,
            "skipped": summary.skipped, "failed": len(summary.failed), "documents": summary.documents,
            "quotes": summary.quotes, "errors": summary.errors, "speakers": summary.speakers,
        },
        "partitions": [
            {"name": p.name, "range": p.describe(),
             **({"file": results[p.index].file, "documents": results[p.index].documents,
                 "quotes": results[p.index].quotes, "errors": len(results[p.index].errors)}
                if p.index in results else {"failed": True})}
            for p in partitions
        ],
    })
    M.write_json(fs, posixpath.join(root, M.MANIFEST), manifest)
    if summary.complete:
        _remove_temporary_files(fs, root)
    return summary


@contextlib.contextmanager
def corpus_client(workers: Optional[int] = None, scheduler: Optional[str] = None) -> Iterator[Client]:
    """A Dask client for a corpus run: connected to a running scheduler, or to a local
    cluster of single-thread worker processes (each with a nanny, which restarts a worker
    that dies) closed on exit.

    workers (Optional[int]): the local cluster's workers (default: one per CPU core).
    scheduler (Optional[str]): a scheduler address (``tcp://host:8786``) or a scheduler file
        (``scheduler.json``, as dask-jobqueue and ``dask scheduler --scheduler-file`` write).
    YIELDS (Client): the client.
    RAISES (ValueError): both or neither usable.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("pass either workers (a local cluster) or scheduler (a running one), not both")
    if scheduler is not None:
        if scheduler.endswith(".json"):
            client = Client(scheduler_file=scheduler)
        else:
            client = Client(scheduler)
        with client:
            yield client
        return
    from dask.distributed import LocalCluster

    n = workers or os.cpu_count() or 1
    if n < 1:
        raise ValueError(f"workers must be >= 1, got {n}")
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        yield client


def speaker_table(client: Client, out_dir: str, names: Sequence[str]) -> SpeakerCounts:
    """The speaker counts of finished partitions as a tree reduction on the cluster: leaves
    read groups of partitions' counts, each level merges groups of the one below.

    client (Client): the Dask client.
    out_dir (str): the output directory.
    names (Sequence[str]): the partitions, in run order.
    RETURNS (SpeakerCounts): the counts of the whole corpus.
    """
    if not names:
        return SpeakerCounts()
    level = [
        client.submit(load_speaker_counts, out_dir, tuple(names[i : i + REDUCTION_FAN_IN]), pure=False)
        for i in range(0, len(names), REDUCTION_FAN_IN)
    ]
    while len(level) > 1:
        level = [client.submit(merge_counts, *level[i : i + REDUCTION_FAN_IN], pure=False)
                 for i in range(0, len(level), REDUCTION_FAN_IN)]
    return level[0].result()


def _manifest(inputs: List[str], settings: Dict[str, Any], shards: list, plans: List[ShardPlan],
              partitions: List[Partition], previous: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    runs = (previous or {}).get("runs", 0) + 1
    return {
        "spacy_quotes_version": __version__,
        "spacy_version": spacy.__version__,
        "model": settings["model"] or "default (spacy_quotes.load())",
        "inputs": inputs,
        "settings": settings,
        "started": (previous or {}).get("started") or _now(),
        "runs": runs,
        "complete": False,
        "shards": [{"url": s.url, "kind": s.kind, "units": p.units, "errors": len(p.errors)}
                   for s, p in zip(shards, plans)],
        "partitions": [{"name": p.name, "range": p.describe()} for p in partitions],
    }


def _remove_temporary_files(fs: Any, root: str) -> None:
    """Remove the hidden temporary files that killed runs left behind."""
    for directory in (root, posixpath.join(root, M.PARTITIONS_DIR)):
        try:
            names = fs.ls(directory, detail=False)
        except FileNotFoundError:
            continue
        for path in names:
            base = posixpath.basename(path)
            if base.startswith(".part-") or (base.startswith(".") and base.endswith(".tmp")):
                try:
                    fs.rm(path)
                except (FileNotFoundError, OSError):
                    pass


def _entry(error: InputError) -> Dict[str, Any]:
    return {"source": error.source, "reason": error.reason}


def _json_line(value: Dict[str, Any]) -> str:
    import json

    return json.dumps(value, ensure_ascii=False) + "\n"


def _dashboard(client: Client) -> Optional[str]:
    try:
        return client.dashboard_link
    except Exception:  # noqa: BLE001  (no dashboard: bokeh not installed)
        return None


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _token() -> str:
    import uuid

    return uuid.uuid4().hex[:8]


def iter_records(out_dir: str) -> Iterator[Dict[str, Any]]:
    """Read back the records of a finished run, in partition order (JSONL and Parquet).

    out_dir (str): the output directory.
    YIELDS (Dict[str, Any]): the records.
    """
    import json

    fs, root = M.output_fs(out_dir)
    manifest = M.read_json(fs, posixpath.join(root, M.MANIFEST)) or {}
    for entry in manifest.get("partitions", []):
        if "file" not in entry:
            continue
        path = posixpath.join(root, entry["file"])
        if path.endswith(".parquet"):
            import pyarrow.parquet as pq

            with fs.open(path, "rb") as fh:
                yield from pq.read_table(fh).to_pylist()
        else:
            with fs.open(path, "rb") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)


__all__ = ["extract_corpus", "corpus_client", "speaker_table", "iter_records", "CorpusSummary", "DEFAULT_PARTITION_SIZE"]
