"""The built-in ``jsonl`` exporter: one JSON object per line, UTF-8."""
import json
from typing import Iterable

from .hookspecs import hookimpl
from .output import open_output


def export_jsonl(records: Iterable[dict], path: str) -> None:
    """Write records as JSON lines, flushing after each document so that an interrupted run
    leaves only whole lines.

    records (Iterable[dict]): the records, consumed lazily.
    path (str): the output file, or "-" for standard output.
    """
    with open_output(path) as out:
        last_doc = object()
        for record in records:
            if record.get("doc_id") != last_doc:
                out.flush()
                last_doc = record.get("doc_id")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


@hookimpl
def register_exporters(register):
    register("jsonl", export_jsonl, description="JSON lines, one quote per line (QUOTES_JSONL.md)",
             extension=".jsonl")
