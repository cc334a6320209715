"""QUOTES_JSONL records back onto a Doc, so that the page can draw records of any origin."""
from typing import Any, Dict, Iterable, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from ..marks import QUOTE_MARKS
from ..quote import QUOTE_TYPES, set_quote_groups


def _span_offsets(value: Any) -> Optional[Tuple[int, int]]:
    if isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
        return value["start"], value["end"]
    return None


def doc_from_records(
    nlp: Language,
    text: str,
    records: Iterable[Dict[str, Any]],
    *,
    doc_id: Optional[str] = None,
    source: Optional[str] = None,
) -> Doc:
    """A Doc carrying the quotes of QUOTES_JSONL records, for :func:`render_html`.

    The text is only tokenised (``nlp.tokenizer``, so any length works, and records of a long
    text that was processed in chunks map onto one Doc). A direct quote's content is widened
    over the quotation marks (and a comma) right at its edges, as the component's spans are, so
    its label comes after the closing mark; the highlighted offsets stay the record's
    ``start``/``end`` wherever they fall on token boundaries (the record offsets always do
    for the component's output).

    nlp (Language): the pipeline whose tokenizer to use.
    text (str): the document text the records index.
    records (Iterable[Dict[str, Any]]): the document's quote records.
    doc_id (Optional[str]): stored as ``doc.user_data["doc_id"]``.
    source (Optional[str]): stored as ``doc.user_data["source"]``.
    RETURNS (Doc): the Doc with the quote span groups.
    """
    doc = nlp.tokenizer(text)
    if doc_id is not None:
        doc.user_data["doc_id"] = doc_id
    if source is not None:
        doc.user_data["source"] = source
    items = []
    for record in records:
        start, end = int(record["start"]), int(record["end"])
        qtype = record.get("type") if record.get("type") in QUOTE_TYPES else "indirect"
        if qtype == "direct":
            while start > 0 and text[start - 1] in QUOTE_MARKS:
                start -= 1
            while end < len(text) and (text[end] in QUOTE_MARKS or (text[end] in ",;:" and end + 1 < len(text)
                                                                    and text[end + 1] in QUOTE_MARKS)):
                end += 1
        name = record.get("speaker_name")
        speaker_id = record.get("speaker_id")
        prefix = f"{record.get('doc_id')}:"
        if isinstance(speaker_id, str) and speaker_id.startswith(prefix):
            speaker_id = speaker_id[len(prefix):]  # to_dict() adds the prefix again
        items.append({
            "content": (start, end),
            "type": qtype,
            "cue": _span_offsets(record.get("cue")),
            "speaker": _span_offsets(record.get("speaker")),
            "via": _span_offsets(record.get("via")),
            "speaker_name": name,
            "speaker_id": speaker_id,
            "score": float(record.get("score", 1.0)),
            "cue_kind": record.get("cue_kind"),
        })
    set_quote_groups(doc, items)
    return doc
