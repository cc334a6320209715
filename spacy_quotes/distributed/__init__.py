"""Whole-corpus runs on Dask (``pip install "spacy-quotes[dask]"``).

The same code runs on a laptop's ``LocalCluster``, an HPC cluster (dask-jobqueue), Kubernetes
(dask-kubernetes) or a managed Dask cluster: pass the ``dask.distributed.Client`` you have::

    from dask.distributed import Client
    from spacy_quotes.distributed import extract_corpus

    client = Client("tcp://scheduler:8786")          # or Client(n_workers=8, threads_per_worker=1)
    summary = extract_corpus("archive/*.jsonl.gz", "quotes/", client, format="parquet")

The output directory gets one record file per partition, ``errors.jsonl``, ``speakers.json``
and ``manifest.json`` (see :mod:`spacy_quotes.distributed.manifest`). A rerun with the same
arguments resumes.
"""
try:
    import dask.distributed  # noqa: F401
    import fsspec  # noqa: F401
except ImportError as err:  # pragma: no cover - the base install has no dask
    raise ImportError(
        f"spacy_quotes.distributed needs the dask extra ({err.name} is missing): "
        "pip install 'spacy-quotes[dask]'"
    ) from err

from .run import DEFAULT_PARTITION_SIZE, CorpusSummary, corpus_client, extract_corpus, iter_records, speaker_table
from .shards import Partition, Shard, find_shards, read_partition
from .speakers import SpeakerCounts
from .worker import DEFAULT_MAX_DOC_CHARS, RunSettings, get_pipeline, run_partition

__all__ = [
    "extract_corpus", "corpus_client", "iter_records", "speaker_table", "CorpusSummary", "Shard", "Partition", "find_shards",
    "read_partition", "SpeakerCounts", "RunSettings", "get_pipeline", "run_partition",
    "DEFAULT_PARTITION_SIZE", "DEFAULT_MAX_DOC_CHARS",
]
