"""Where quotes live on a Doc: the span-group keys, the per-quote attribute names, the quote
types and the one function that writes the three groups.

* ``doc.spans["quotes"]``: one span per quote (its content), labelled with the quote type
  (``direct`` / ``mixed`` / ``indirect``); the group's attrs hold one value per quote, in the
  same order, under the names of :data:`QUOTE_ATTRS`: ``scores`` (float), ``cue`` (index into
  ``quotes_cue`` or -1), ``speaker`` (index into ``quotes_speaker`` or -1), ``speaker_name``
  and ``speaker_id`` (str or None), ``via`` (index into ``quotes_speaker`` of a medium that
  relayed the quote, or -1). Optionally ``cue_kind`` (str or None): the cue kind a record
  gave, for records drawn back onto a Doc that has no lemmas (otherwise it is read off the cue).
* ``doc.spans["quotes_cue"]``: the cue spans (label ``CUE``), attrs ``scores``.
* ``doc.spans["quotes_speaker"]``: the speaker mentions (label ``SPEAKER``), attrs ``scores``.
* ``doc.spans["quotes_not_quote"]`` (gold documents only): spans a reader would not call an
  attribution (scare quotes, nicknames, titles, plain-object actions, cues without content),
  labelled with their kind; the scorer counts predicted quotes on them.

The component, the gold-data readers and :func:`spacy_quotes.quote.set_quote_groups` all write
through :func:`write_quote_groups`, so the layout has a single definition.
"""
from typing import Dict, List, Optional, Sequence

from spacy.tokens import Doc, Span, SpanGroup

QUOTES_KEY = "quotes"
CUE_KEY = "quotes_cue"
SPEAKER_KEY = "quotes_speaker"
NOT_QUOTE_KEY = "quotes_not_quote"  # gold only: quoted words and actions that are no attribution
QUOTE_TYPES = ("direct", "mixed", "indirect")
QUOTE_ATTRS = ("scores", "cue", "speaker", "speaker_name", "speaker_id", "via")
CUE_LABEL = "CUE"
SPEAKER_LABEL = "SPEAKER"

__all__ = [
    "QUOTES_KEY", "CUE_KEY", "SPEAKER_KEY", "NOT_QUOTE_KEY", "QUOTE_TYPES", "QUOTE_ATTRS", "CUE_LABEL", "SPEAKER_LABEL",
    "empty_quote_attrs", "get_group", "write_quote_groups",
]


def empty_quote_attrs() -> Dict[str, list]:
    """RETURNS (Dict[str, list]): the quote group's attrs, one empty list per name."""
    return {name: [] for name in QUOTE_ATTRS}


def get_group(doc: Doc, key: str) -> Optional[SpanGroup]:
    """RETURNS (Optional[SpanGroup]): the span group ``key`` of the Doc, or None."""
    return doc.spans[key] if key in doc.spans else None


def write_quote_groups(
    doc: Doc,
    quotes: Sequence[Span],
    attrs: Dict[str, list],
    cues: Sequence[Span],
    speakers: Sequence[Span],
    *,
    cue_scores: Optional[List[float]] = None,
    speaker_scores: Optional[List[float]] = None,
) -> None:
    """Replace the Doc's three quote groups.

    doc (Doc): the document.
    quotes (Sequence[Span]): the quote contents, labelled with their type.
    attrs (Dict[str, list]): the per-quote values, one list per name of :data:`QUOTE_ATTRS`.
    cues, speakers (Sequence[Span]): the cue and speaker spans the quotes' indices point into
        (written with the labels ``CUE`` and ``SPEAKER``).
    cue_scores, speaker_scores (Optional[List[float]]): their scores (default 1.0 each: gold).
    """
    doc.spans[QUOTES_KEY] = SpanGroup(doc, name=QUOTES_KEY, attrs=attrs, spans=list(quotes))
    doc.spans[CUE_KEY] = SpanGroup(
        doc, name=CUE_KEY, attrs={"scores": cue_scores if cue_scores is not None else [1.0] * len(cues)},
        spans=[Span(doc, s.start, s.end, label=CUE_LABEL) for s in cues])
    doc.spans[SPEAKER_KEY] = SpanGroup(
        doc, name=SPEAKER_KEY,
        attrs={"scores": speaker_scores if speaker_scores is not None else [1.0] * len(speakers)},
        spans=[Span(doc, s.start, s.end, label=SPEAKER_LABEL) for s in speakers])
