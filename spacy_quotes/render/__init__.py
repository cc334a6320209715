"""Quotes as one self-contained HTML page (see :mod:`.page`): ``render_html``, ``render_doc``,
``write_html``; :func:`doc_from_records` draws QUOTES_JSONL records of any origin; and
:func:`render_command`, the library side of ``spacy-quotes render``. The page's style sheet is
the package file ``page.css``, inlined into every page."""
from .command import render_command
from .page import CSS, TYPE_DESCRIPTIONS, render_doc, render_html, write_html
from .records import doc_from_records

__all__ = ["render_html", "render_doc", "write_html", "doc_from_records", "render_command", "CSS", "TYPE_DESCRIPTIONS"]
