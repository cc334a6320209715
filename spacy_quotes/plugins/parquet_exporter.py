"""The built-in ``parquet`` exporter: the records as an Apache Parquet table (needs pyarrow,
``pip install "spacy-quotes[dask]"``).

The columns are the record's fields with their nesting kept: ``cue``, ``speaker`` and ``via``
are structs of ``text``/``start``/``end`` (null where the record has null), so
``pyarrow.parquet.read_table(path).to_pylist()`` gives the records back. Fields that other
plugins add come after them, with the types of their values in the first rows.
pyarrow is imported when a file is written, not when the plugin is registered, so the base
install lists the format and says what to install when it is used.
"""
import sys
from itertools import islice
from typing import Any, Iterable, Iterator, List

from .hookspecs import hookimpl

ROWS_PER_GROUP = 10_000


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "the parquet format needs pyarrow, which is not installed: pip install 'spacy-quotes[dask]' "
            "(or pip install pyarrow)"
        ) from None
    return pyarrow


def record_schema(pa: Any, extra: Iterable[Any] = ()) -> Any:
    """The Arrow schema of QUOTES_JSONL records.

    pa (module): pyarrow.
    extra (Iterable[pyarrow.Field]): fields other plugins add, after the contract's.
    RETURNS (pyarrow.Schema): the schema.
    """
    span = pa.struct([("text", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
    fields = [
        ("doc_id", pa.string()), ("index", pa.int64()), ("type", pa.string()), ("text", pa.string()),
        ("start", pa.int64()), ("end", pa.int64()), ("cue", span), ("speaker", span),
        ("speaker_name", pa.string()), ("speaker_id", pa.string()), ("score", pa.float64()), ("via", span),
    ]
    return pa.schema([pa.field(name, kind) for name, kind in fields] + list(extra))


def export_parquet(records: Iterable[dict], path: str) -> None:
    """Write records as one Parquet file, in row groups of ``ROWS_PER_GROUP`` records.

    records (Iterable[dict]): the records, consumed lazily.
    path (str): the output file, or "-" for standard output (binary).
    RAISES (RuntimeError): pyarrow is not installed.
    RAISES (ValueError): a plugin's field changes type between rows.
    """
    pa = _pyarrow()
    import pyarrow.parquet as pq

    it: Iterator[dict] = iter(records)
    batch: List[dict] = list(islice(it, ROWS_PER_GROUP))
    base = record_schema(pa)
    extra_names = list(dict.fromkeys(k for record in batch for k in record if k not in base.names))
    extra = []
    if extra_names:
        inferred = pa.Table.from_pylist([{k: r.get(k) for k in extra_names} for r in batch]).schema
        extra = [inferred.field(k) for k in extra_names]
    schema = record_schema(pa, extra)
    sink = sys.stdout.buffer if str(path) == "-" else str(path)
    with pq.ParquetWriter(sink, schema) as writer:
        while True:
            try:
                table = pa.Table.from_pylist(batch, schema=schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
                raise ValueError(f"cannot write these records as Parquet: {err}") from None
            writer.write_table(table)
            batch = list(islice(it, ROWS_PER_GROUP))
            if not batch:
                break


@hookimpl
def register_exporters(register):
    register("parquet", export_parquet, description="Apache Parquet, one row per quote (needs pyarrow)",
             extension=".parquet")
