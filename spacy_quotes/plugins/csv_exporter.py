"""The built-in ``csv`` exporter: the record's fields flattened, one row per quote."""
import csv
import json
from typing import Any, Dict, Iterable, Iterator, List

from .hookspecs import hookimpl
from .output import open_output

BASE_COLUMNS = [
    "doc_id", "index", "type", "text", "start", "end",
    "cue_text", "cue_start", "cue_end", "speaker_text", "speaker_start", "speaker_end",
    "speaker_name", "speaker_id", "score",
]


def flatten(record: Dict[str, Any]) -> Dict[str, Any]:
    """Flatten a record: nested span objects become ``<field>_text/_start/_end`` columns."""
    row: Dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) or (value is None and key in ("cue", "speaker", "via")):
            value = value or {}
            for sub in ("text", "start", "end"):
                row[f"{key}_{sub}"] = value.get(sub)
        elif isinstance(value, (list, tuple)):
            row[key] = json.dumps(value, ensure_ascii=False)
        else:
            row[key] = value
    return row


def export_csv(records: Iterable[dict], path: str) -> None:
    """Write records as CSV with a header row. Columns are the contract's fields; extra fields
    that plugins add appear after them, taken from the first record.

    records (Iterable[dict]): the records, consumed lazily.
    path (str): the output file, or "-" for standard output.
    """
    it: Iterator[dict] = iter(records)
    with open_output(path, newline="") as out:
        first = next(it, None)
        rows = [] if first is None else [flatten(first)]
        columns: List[str] = list(BASE_COLUMNS)
        for row in rows:
            columns += [k for k in row if k not in columns]
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
        last_doc = first.get("doc_id") if first else None
        for record in it:
            if record.get("doc_id") != last_doc:
                out.flush()
                last_doc = record.get("doc_id")
            writer.writerow(flatten(record))
        out.flush()


@hookimpl
def register_exporters(register):
    register("csv", export_csv, description="CSV, the record's fields flattened", extension=".csv")
