"""The built-in ``csv`` exporter: the record's fields flattened, one row per quote.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
run as a formula by a spreadsheet that opens the file (CSV injection): such a cell gets a
``'`` in front, as OWASP recommends ("CSV Injection"), so the spreadsheet shows it as text.
Pass ``escape_formulas=False`` to :func:`export_csv`, or set the environment variable
``SPACY_QUOTES_CSV_FORMULAS=keep`` for ``spacy-quotes extract -f csv``, to write cells unchanged
(for tools that read the CSV as data, not a spreadsheet).
"""
import csv
import json
import os
from typing import Any, Dict, Iterable, Iterator, List, Optional

from .hookspecs import hookimpl
from .output import open_output

BASE_COLUMNS = [
    "doc_id", "index", "type", "text", "start", "end",
    "cue_text", "cue_start", "cue_end", "speaker_text", "speaker_start", "speaker_end",
    "speaker_name", "speaker_id", "score", "cue_kind",
]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS_ENV = "SPACY_QUOTES_CSV_FORMULAS"


def escape_formula(value: Any) -> Any:
    """A cell value a spreadsheet will not run: text beginning with one of FORMULA_STARTS
    gets a ``'`` in front; other values are returned unchanged.

    value (Any): the cell value.
    RETURNS (Any): the value to write.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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


def export_csv(records: Iterable[dict], path: str, escape_formulas: Optional[bool] = None) -> None:
    """Write records as CSV with a header row. Columns are the contract's fields; extra fields
    that plugins add appear after them, taken from the first record.

    records (Iterable[dict]): the records, consumed lazily.
    path (str): the output file, or "-" for standard output.
    escape_formulas (Optional[bool]): put ``'`` before text cells a spreadsheet would run as
        a formula (see the module docstring). None: yes, unless the environment variable
        ``SPACY_QUOTES_CSV_FORMULAS`` is ``keep``.
    """
    if escape_formulas is None:
        escape_formulas = os.environ.get(FORMULAS_ENV, "").strip().lower() != "keep"

    def flat(record: Dict[str, Any]) -> Dict[str, Any]:
        row = flatten(record)
        return {k: escape_formula(v) for k, v in row.items()} if escape_formulas else row

    it: Iterator[dict] = iter(records)
    with open_output(path, newline="") as out:
        first = next(it, None)
        rows = [] if first is None else [flat(first)]
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
            writer.writerow(flat(record))
        out.flush()


@hookimpl
def register_exporters(register):
    register("csv", export_csv, description="CSV, the record's fields flattened", extension=".csv")
