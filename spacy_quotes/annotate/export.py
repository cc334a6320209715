"""``spacy-quotes annotate export``: the model's quotes as pre-annotations for an annotation tool.

The texts are read and run through the pipeline as ``spacy-quotes extract`` does
(:func:`spacy_quotes.speaker_table.iter_input_results`: same inputs, long texts in chunks, one
error per bad input while the rest go on). Each quote becomes a content region linked to its
cue and speaker regions, with the model's scores; the spans are the component's own (the
content with its quotation marks, as in the training data), so that a document accepted
unchanged in the tool converts back to exactly the model's quotes.
"""
import logging
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc

from ..about import __version__
from ..quote import CUE_KEY, SPEAKER_KEY, get_quotes
from ..runner import RunSummary, iter_input_results
from . import brat, labelstudio
from .regions import ToolDocument, quote_regions

logger = logging.getLogger("spacy_quotes")

TOOLS: Tuple[str, ...] = ("labelstudio", "brat")


def _span_scores(doc: Doc, key: str) -> Dict[Tuple[int, int], float]:
    if key not in doc.spans:
        return {}
    group = doc.spans[key]
    scores = group.attrs.get("scores") or []
    return {(span.start_char, span.end_char): float(scores[i]) for i, span in enumerate(group) if i < len(scores)}


def preannotation_records(doc: Doc, doc_id: Optional[str] = None) -> List[Dict[str, Any]]:
    """A processed Doc's quotes as pre-annotation dicts (a ``records_from_doc`` for
    :func:`spacy_quotes.io.pipe_records`, whose offsets it shifts for chunks of long texts).

    doc (Doc): a Doc processed by the ``quotes`` component.
    doc_id (Optional[str]): unused (the signature of ``records_from_doc``).
    RETURNS (List[Dict[str, Any]]): per quote ``start``/``end`` (the content span), ``type``,
        ``score``, ``speaker_name`` and ``cue``/``speaker``/``via`` (``{"start", "end",
        "score"}`` or None).
    """
    cue_scores = _span_scores(doc, CUE_KEY)
    speaker_scores = _span_scores(doc, SPEAKER_KEY)

    def span(s: Any, scores: Dict[Tuple[int, int], float]) -> Optional[Dict[str, Any]]:
        if s is None:
            return None
        key = (s.start_char, s.end_char)
        return {"start": key[0], "end": key[1], "score": scores.get(key)}

    return [
        {
            "start": q.content.start_char, "end": q.content.end_char, "type": q.type, "score": float(q.score),
            "speaker_name": q.speaker_name, "cue": span(q.cue, cue_scores),
            "speaker": span(q.speaker, speaker_scores), "via": span(q.via, speaker_scores),
        }
        for q in get_quotes(doc)
    ]


def preannotated_documents(
    inputs: Sequence[Union[str, Path]], nlp: Language, *, summary: Optional[RunSummary] = None, **options: Any
) -> Iterator[ToolDocument]:
    """Run the pipeline over the inputs and yield each text with the model's quotes as regions.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files, directories, JSONL files, ``-``.
    nlp (Language): the pipeline (base + ``quotes``).
    summary (Optional[RunSummary]): counts documents, quotes and errors.
    options: the keyword arguments of :func:`spacy_quotes.speaker_table.iter_input_results`.
    YIELDS (ToolDocument): one per document that could be read and processed, in input order.
    """
    for result in iter_input_results(inputs, nlp, summary=summary, records_from_doc=preannotation_records, **options):
        regions, relations = quote_regions(result.records)
        yield ToolDocument(task=result.item.source, doc_id=result.item.doc_id, text=result.item.text,
                           regions=regions, relations=relations)


def export_command(
    inputs: Sequence[Union[str, Path]], nlp: Language, *, tool: str, output: Union[str, Path], **options: Any
) -> Tuple[List[Path], RunSummary]:
    """``spacy-quotes annotate export``: write pre-annotations in a tool's import format.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files, directories, JSONL files, ``-``.
    nlp (Language): the pipeline (base + ``quotes``).
    tool (str): ``labelstudio`` (output: the tasks ``.json`` file; the labelling configuration
        goes beside it) or ``brat`` (output: the collection folder).
    output (Union[str, Path]): where to write.
    options: ``stdin``, ``batch_size``, ``n_process``, ``max_length``, ``on_error``, ``on_done``
        (see :func:`spacy_quotes.speaker_table.iter_input_results`).
    RETURNS (Tuple[List[Path], RunSummary]): the files written (the main one first) and what was done.
    RAISES (ValueError): for an unknown tool.
    """
    if tool not in TOOLS:
        raise ValueError(f"unknown annotation tool {tool!r}: use one of {', '.join(TOOLS)}")
    summary = RunSummary()
    docs = preannotated_documents(inputs, nlp, summary=summary, **options)
    output = Path(output)
    if tool == "labelstudio":
        model_version = f"spacy-quotes {__version__}"
        labelstudio.write_tasks(docs, output, model_version=model_version)
        return [output, labelstudio.label_config_path(output)], summary
    brat.write_collection(docs, output)
    return [output], summary
