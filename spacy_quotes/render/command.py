"""``spacy-quotes render`` as a library function: inputs -> records -> one HTML page."""
from pathlib import Path
from typing import Any, Sequence, Tuple, Union

from spacy.language import Language

from ..runner import RunSummary, iter_input_results
from .page import render_html
from .records import doc_from_records


def render_command(
    inputs: Sequence[Union[str, Path]],
    nlp: Language,
    *,
    title: str = "Quotes",
    **options: Any,
) -> Tuple[str, RunSummary]:
    """``spacy-quotes render``: one HTML page of the quotes found in the inputs.

    The records are those ``spacy-quotes extract`` writes (same reading, chunking of long
    texts and plugins), drawn onto each text with :func:`doc_from_records`.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files, directories, JSONL files, ``-``.
    nlp (Language): the pipeline (base + ``quotes``).
    title (str): the page title.
    options: the keyword arguments of :func:`spacy_quotes.speaker_table.iter_input_results`
        (``stdin``, ``batch_size``, ``n_process``, ``max_length``, ``skip_errors``,
        ``records_from_doc``, ``on_error``, ``on_done``).
    RETURNS (Tuple[str, RunSummary]): the HTML page and what was done.
    """
    summary = RunSummary()
    results = iter_input_results(inputs, nlp, summary=summary, **options)
    docs = (
        doc_from_records(nlp, result.item.text, result.records, doc_id=result.item.doc_id,
                         source=result.item.source)
        for result in results
    )
    page = render_html(docs, title=title)
    return page, summary
