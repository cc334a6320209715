"""Shards and partitions: what a corpus run reads, cut into pieces of work.

A **shard** is one input unit as the user has it: a JSONL file (also compressed:
``.jsonl.gz``, ``.jsonl.bz2``, ... as fsspec infers from the suffix), a Parquet file with
``id``/``text`` columns, or a directory's ``*.txt`` files. Inputs are local paths, glob
patterns or fsspec URLs (``s3://``, ``gs://``, ``hdfs://``, ``memory://`` ...: any backend the
user has installed).

A **partition** is a range of a shard, at most ``partition_size`` documents (JSONL: physical
lines, blank ones included; Parquet: rows; text: files): the unit of work of one task and of
one output file. Its name is made from the shard's URL and its number, so the same inputs and
partition size give the same names in every run: that is what a rerun resumes by.

Documents are read with the package's input checks (:func:`spacy_quotes.io.decode_text`:
strict UTF-8, binary data refused, the text kept exactly as decoded), and a bad document
comes out as an :class:`spacy_quotes.io.InputError` naming ``shard:line`` (Parquet:
``shard:row``), so the run goes on.
"""
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

import fsspec
from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

from ..inputs import InputError, InputReadError, InputText, decode_text, doc_id_for_path

logger = logging.getLogger("spacy_quotes")

JSONL = "jsonl"
PARQUET = "parquet"
TEXT = "txt"
SHARD_KINDS = (JSONL, PARQUET, TEXT)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIX = ".txt"
# Compression suffixes fsspec infers (``compression="infer"``).
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip")
# A shard is called binary (one error, no partitions) when its first bytes hold a NUL.
SNIFF_BYTES = 8192
_READ_BLOCK = 1 << 20
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Shard:
    """One input unit.

    url (str): the file or directory (a plain path for local files, else an fsspec URL).
    kind (str): ``"jsonl"``, ``"parquet"`` or ``"txt"``.
    files (Tuple[str, ...]): a ``txt`` shard's files, sorted (empty for the other kinds).
    """

    url: str
    kind: str
    files: Tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        """RETURNS (str): a file-name-safe name of the shard, unique by its URL."""
        name = PurePosixPath(self.url.rstrip("/")).name or "root"
        for suffix in COMPRESSION_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES:
            if name.lower().endswith(suffix):
                name = name[: -len(suffix)]
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")[:40] or "shard"
        digest = hashlib.sha1(self.url.encode("utf-8")).hexdigest()[:8]
        return f"{name}-{digest}"


@dataclass(frozen=True)
class ShardPlan:
    """What :func:`plan_shard` found in a shard.

    units (int): documents to cut into partitions (JSONL: lines; Parquet: rows; text: files).
    errors (Tuple[InputError, ...]): what cannot be read (a binary shard, a missing column, a
        read error after some lines).
    """

    units: int
    errors: Tuple[InputError, ...] = ()


@dataclass(frozen=True)
class Partition:
    """A range of a shard: one task, one output file.

    name (str): the output's name without suffix (``part-<shard slug>-<number>``).
    index (int): its position in the run (partitions are numbered in input order).
    shard (Shard): the shard.
    start (int): the first unit (0-based: JSONL line ``start + 1``, Parquet row, file).
    stop (int): one past the last unit.
    """

    name: str
    index: int
    shard: Shard
    start: int
    stop: int

    def describe(self) -> str:
        """RETURNS (str): the range in words, for messages and the manifest."""
        unit = {JSONL: "lines", PARQUET: "rows", TEXT: "files"}[self.shard.kind]
        return f"{self.shard.url} {unit} {self.start + 1}-{self.stop}"


def _strip_compression(name: str) -> str:
    lower = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def shard_kind(path: str) -> str:
    """The kind of a shard file, by its suffix (a compression suffix is looked through).

    path (str): the file.
    RETURNS (str): ``"jsonl"``, ``"parquet"``, or ``"txt"`` (any other file is read as text,
        as ``spacy-quotes extract`` does).
    """
    name = _strip_compression(PurePosixPath(path).name).lower()
    if name.endswith(JSONL_SUFFIXES):
        return JSONL
    if name.endswith(PARQUET_SUFFIXES):
        return PARQUET
    return TEXT


def _url(fs: Any, path: str) -> str:
    """RETURNS (str): a plain path for a local file, else the full fsspec URL."""
    if isinstance(fs, LocalFileSystem):
        return path
    return fs.unstrip_protocol(path)


def find_shards(inputs: Sequence[str]) -> Tuple[List[Shard], List[InputError]]:
    """Resolve inputs to shards, in input order (a glob's matches sorted).

    A file is a shard of the kind its suffix says (:func:`shard_kind`). A directory gives
    each JSONL and Parquet file under it as a shard and its ``*.txt`` files (recursively)
    as one ``txt`` shard per directory that holds them. A shard found twice is kept once.

    inputs (Sequence[str]): paths, glob patterns or fsspec URLs.
    RETURNS (Tuple[List[Shard], List[InputError]]): the shards, and an error for each input
        that matches nothing.
    """
    shards: List[Shard] = []
    errors: List[InputError] = []
    seen = set()

    def add(shard: Shard) -> None:
        if shard.url not in seen:
            seen.add(shard.url)
            shards.append(shard)

    for given in inputs:
        given = str(given)
        try:
            fs, path = url_to_fs(given)
        except (ImportError, ValueError) as err:  # unknown protocol, backend not installed
            errors.append(InputError(given, f"cannot open: {err}"))
            continue
        if _GLOB_CHARS.search(path):
            matches = sorted(fs.glob(path))
            if not matches:
                errors.append(InputError(given, "no files match this pattern"))
                continue
        elif fs.exists(path):
            matches = [path]
        else:
            errors.append(InputError(given, "no such file or directory"))
            continue
        for match in matches:
            if fs.isdir(match):
                found = _directory_shards(fs, match)
                if not found:
                    errors.append(InputError(_url(fs, match), "no .txt, .jsonl or .parquet files in this directory"))
                for shard in found:
                    add(shard)
            else:
                kind = shard_kind(match)
                url = _url(fs, match)
                add(Shard(url, kind, (url,) if kind == TEXT else ()))
    return shards, errors


def _directory_shards(fs: Any, root: str) -> List[Shard]:
    by_dir: dict = {}
    shards: List[Shard] = []
    for path in sorted(fs.find(root)):
        name = PurePosixPath(path).name
        if name.startswith("."):
            continue
        kind = shard_kind(path)
        if kind == TEXT:
            if name.lower().endswith(TEXT_SUFFIX):
                by_dir.setdefault(str(PurePosixPath(path).parent), []).append(_url(fs, path))
        else:
            shards.append(Shard(_url(fs, path), kind))
    for directory, files in sorted(by_dir.items()):
        shards.append(Shard(_url(fs, directory), TEXT, tuple(sorted(files))))
    return shards


# --- planning (runs on a worker: it reads the shard) -------------------------------------


def plan_shard(shard: Shard) -> ShardPlan:
    """Count a shard's documents, so that it can be cut into partitions.

    JSONL: its lines (a shard whose first bytes hold a NUL is binary: one error, no lines; a
    read error part-way keeps the lines before it). Parquet: its rows (no ``text`` column:
    one error). Text: its files (not read here).

    shard (Shard): the shard.
    RETURNS (ShardPlan): the count and the errors.
    """
    if shard.kind == TEXT:
        return ShardPlan(len(shard.files))
    if shard.kind == PARQUET:
        return _plan_parquet(shard)
    lines = 0
    last = b"\n"
    try:
        with fsspec.open(shard.url, "rb", compression="infer") as fh:
            head = fh.read(SNIFF_BYTES)
            nul = head.find(b"\x00")
            if nul >= 0:
                return ShardPlan(0, (InputError(shard.url, f"binary file: NUL byte at byte {nul}"),))
            block = head
            while block:
                lines += block.count(b"\n")
                last = block[-1:]
                block = fh.read(_READ_BLOCK)
    except Exception as err:  # noqa: BLE001  (any backend's read error: OSError, EOFError, gzip...)
        if last != b"\n":
            lines += 1
        return ShardPlan(lines, (InputError(shard.url, f"cannot read after line {lines}: {_reason(err)}"),))
    if last != b"\n":
        lines += 1
    return ShardPlan(lines)


def _plan_parquet(shard: Shard) -> ShardPlan:
    pq = _pyarrow_parquet()
    try:
        with fsspec.open(shard.url, "rb") as fh:
            parquet = pq.ParquetFile(fh)
            names = parquet.schema_arrow.names
            rows = parquet.metadata.num_rows
    except Exception as err:  # noqa: BLE001
        return ShardPlan(0, (InputError(shard.url, f"not a readable Parquet file: {_reason(err)}"),))
    if "text" not in names:
        return ShardPlan(0, (InputError(shard.url, f"no 'text' column (columns: {', '.join(names)})"),))
    return ShardPlan(rows)


def partitions_of(shards: Sequence[Shard], plans: Sequence[ShardPlan], partition_size: int) -> List[Partition]:
    """Cut the shards into partitions of at most ``partition_size`` units, in order.

    shards (Sequence[Shard]): the shards.
    plans (Sequence[ShardPlan]): their plans, in the same order.
    partition_size (int): the most units of a partition.
    RETURNS (List[Partition]): the partitions, numbered in order.
    """
    if partition_size < 1:
        raise ValueError(f"partition_size must be >= 1, got {partition_size}")
    partitions: List[Partition] = []
    for shard, plan in zip(shards, plans):
        for k, start in enumerate(range(0, plan.units, partition_size)):
            stop = min(start + partition_size, plan.units)
            partitions.append(Partition(f"part-{shard.slug}-{k:05d}", len(partitions), shard, start, stop))
    return partitions


# --- reading a partition (runs on a worker) ----------------------------------------------


def read_partition(partition: Partition) -> Iterator[Union[InputText, InputError]]:
    """The documents of a partition, in order, and an error for each one that cannot be read.

    partition (Partition): the partition.
    YIELDS (Union[InputText, InputError]): documents and errors (``source`` is
        ``shard:line`` for JSONL, ``shard:row`` for Parquet (1-based), the file for text).
    """
    kind = partition.shard.kind
    if kind == JSONL:
        yield from _read_jsonl(partition)
    elif kind == PARQUET:
        yield from _read_parquet(partition)
    else:
        yield from _read_texts(partition)


def _reason(err: BaseException) -> str:
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def _read_texts(partition: Partition) -> Iterator[Union[InputText, InputError]]:
    for url in partition.shard.files[partition.start : partition.stop]:
        try:
            with fsspec.open(url, "rb") as fh:
                data = fh.read()
        except Exception as err:  # noqa: BLE001
            yield InputError(url, f"cannot read: {_reason(err)}")
            continue
        try:
            text = decode_text(data, "file")
        except InputReadError as err:
            yield InputError(url, str(err))
            continue
        yield InputText(doc_id=doc_id_for_path(PurePosixPath(url).name), text=text, source=url)


def _read_jsonl(partition: Partition) -> Iterator[Union[InputText, InputError]]:
    url = partition.shard.url
    lineno = 0
    try:
        with fsspec.open(url, "rb", compression="infer") as fh:
            for lineno, raw in enumerate(fh, 1):
                if lineno <= partition.start:
                    continue
                if lineno > partition.stop:
                    return
                if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if raw.strip():
                    yield jsonl_item(raw, f"{url}:{lineno}", lineno)
    except Exception as err:  # noqa: BLE001
        yield InputError(f"{url}:{lineno + 1}", f"cannot read: {_reason(err)}")


def jsonl_item(raw: bytes, source: str, lineno: int) -> Union[InputText, InputError]:
    """One JSONL line as a document, with the checks of :func:`spacy_quotes.io.iter_jsonl_texts`
    (same messages): strict UTF-8, a JSON object, a string ``text``, a scalar ``id``
    (default: the line number).

    raw (bytes): the line.
    source (str): ``shard:line``, for messages.
    lineno (int): the line number (1-based).
    RETURNS (Union[InputText, InputError]): the document or why it is bad.
    """
    try:
        line = decode_text(raw, "line")
    except InputReadError as err:
        return InputError(source, str(err).replace(", line 1)", ")"))
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        return InputError(source, f"not valid JSON: {err.msg} (column {err.colno})")
    if not isinstance(value, dict):
        return InputError(source, f"expected a JSON object with 'text', got {type(value).__name__}")
    text = value.get("text")
    if not isinstance(text, str):
        what = "missing" if text is None else f"a {type(text).__name__}, not a string"
        return InputError(source, f"'text' is {what}")
    doc_id = value.get("id")
    if isinstance(doc_id, (dict, list)):
        return InputError(source, f"'id' must be a string or a number, got {type(doc_id).__name__}")
    return InputText(doc_id=str(lineno) if doc_id is None else str(doc_id), text=text, source=source)


def _read_parquet(partition: Partition) -> Iterator[Union[InputText, InputError]]:
    pq = _pyarrow_parquet()
    url = partition.shard.url
    row = partition.start
    try:
        with fsspec.open(url, "rb") as fh:
            pf = pq.ParquetFile(fh)
            columns = [c for c in ("id", "text") if c in pf.schema_arrow.names]
            # only the row groups that overlap the partition
            groups: List[int] = []
            first_row: Optional[int] = None
            offset = 0
            for g in range(pf.metadata.num_row_groups):
                n = pf.metadata.row_group(g).num_rows
                if offset + n > partition.start and offset < partition.stop:
                    groups.append(g)
                    first_row = offset if first_row is None else first_row
                offset += n
            row = first_row or 0
            for batch in pf.iter_batches(row_groups=groups, columns=columns):
                data = batch.to_pydict()
                ids = data.get("id") or [None] * batch.num_rows
                for doc_id, text in zip(ids, data["text"]):
                    row += 1
                    if row <= partition.start:
                        continue
                    if row > partition.stop:
                        return
                    yield _parquet_item(doc_id, text, f"{url}:{row}", row)
    except Exception as err:  # noqa: BLE001
        yield InputError(f"{url}:{row + 1}", f"cannot read: {_reason(err)}")


def _parquet_item(doc_id: Any, text: Any, source: str, row: int) -> Union[InputText, InputError]:
    if isinstance(text, bytes):  # a binary column: the bytes must be UTF-8 text
        try:
            text = decode_text(text, "value")
        except InputReadError as err:
            return InputError(source, str(err))
    if not isinstance(text, str):
        what = "missing" if text is None else f"a {type(text).__name__}, not a string"
        return InputError(source, f"'text' is {what}")
    if isinstance(doc_id, bytes):
        doc_id = doc_id.decode("utf-8", "replace")
    return InputText(doc_id=str(row) if doc_id is None else str(doc_id), text=text, source=source)


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is in the dask extra
        raise ImportError("reading Parquet shards needs pyarrow: pip install 'spacy-quotes[dask]'") from None
    return pq


__all__ = [
    "Shard", "ShardPlan", "Partition", "find_shards", "plan_shard", "partitions_of", "read_partition",
    "jsonl_item", "shard_kind", "SHARD_KINDS",
]
