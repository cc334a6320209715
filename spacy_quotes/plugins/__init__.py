"""Exporters as pluggy plugins.

Plugins implement the hooks of :mod:`spacy_quotes.plugins.hookspecs` with
``@spacy_quotes.hookimpl`` and are found through the ``spacy_quotes`` entry-point group.
The built-in ``jsonl`` and ``csv`` exporters are plugins too, registered the same way.
"""
from itertools import count
from typing import Any, Iterable, Iterator, List, Optional

from spacy.tokens import Doc

from ..quote import get_quotes
from .hookspecs import hookimpl, hookspec
from .manager import Exporter, get_exporter, get_exporters, get_plugin_manager, process_record


def records_from_doc(doc: Doc, doc_id: Optional[str] = None) -> List[dict]:
    """The records of a Doc's quotes, with every plugin's ``process_record`` applied.

    doc (Doc): a processed Doc.
    doc_id (Optional[str]): its id; default ``doc.user_data["doc_id"]``.
    RETURNS (List[dict]): one record per quote, in quote order.
    """
    if doc_id is None:
        doc_id = doc.user_data.get("doc_id")
    return [process_record(q.to_dict(doc_id), q, doc) for q in get_quotes(doc)]


def _records(items: Iterable[Any]) -> Iterator[dict]:
    numbers = count()
    for item in items:
        if isinstance(item, Doc):
            doc_id = item.user_data.get("doc_id")
            number = next(numbers)
            yield from records_from_doc(item, str(number) if doc_id is None else doc_id)
        elif isinstance(item, dict):
            yield item
        else:
            raise TypeError(f"export() takes spaCy Docs or record dicts, got {type(item).__name__}")


def export_records(records: Iterable[dict], format: str = "jsonl", path: str = "-") -> None:
    """Write records with the exporter called ``format``.

    records (Iterable[dict]): the records (consumed lazily).
    format (str): an exporter name (``spacy-quotes exporters`` lists them).
    path (str): the output path, "-" for standard output.
    """
    get_exporter(format).export(records, path)


def export(docs_or_records: Iterable[Any], format: str = "jsonl", path: str = "-") -> None:
    """Write the quotes of Docs (or ready records) with an exporter.

    docs_or_records (Iterable[Union[Doc, dict]]): processed Docs or records. A Doc without
        ``user_data["doc_id"]`` gets its position as id.
    format (str): an exporter name.
    path (str): the output path, "-" for standard output.
    """
    export_records(_records(docs_or_records), format=format, path=path)


__all__ = [
    "hookimpl", "hookspec", "Exporter", "get_plugin_manager", "get_exporters", "get_exporter",
    "export_records", "export", "records_from_doc", "process_record",
]
