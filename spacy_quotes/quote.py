"""Quotes on a Doc: where they live and how a user reads them.

The ``quotes`` component writes three span groups:

* ``doc.spans["quotes"]``: one span per quote (its content). The span's label is the quote
  type (``direct`` / ``mixed`` / ``indirect``). The group's attrs hold, per quote (same order):
  ``scores`` (float), ``cue`` (index into ``quotes_cue`` or -1), ``speaker`` (index into
  ``quotes_speaker`` or -1), ``speaker_name`` (str or None), ``speaker_id`` (str or None)
  and ``via`` (index into ``quotes_speaker`` of a medium that relayed the quote, or -1).
* ``doc.spans["quotes_cue"]``: the cue spans, attrs ``scores``.
* ``doc.spans["quotes_speaker"]``: the speaker mentions, attrs ``scores``.

Everything is plain span groups with JSON-serialisable attrs, so ``Doc.to_bytes`` and
``DocBin`` keep it. ``doc._.quotes`` reads the groups back as :class:`Quote` objects.
Gold documents (training and evaluation data) use the same layout.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc, Span, SpanGroup

from .cues import cue_kind
from .layout import CUE_KEY, QUOTE_TYPES, QUOTES_KEY, SPEAKER_KEY, empty_quote_attrs, get_group, write_quote_groups
from .marks import QUOTE_MARKS, find_quotations, quote_type


# Trimmed from both ends of a quote's text in its record: always space and separating
# punctuation; quotation marks only for direct quotes (a mixed quote keeps its marks paired).
_SPACE_PUNCT = set(" \t\r\n\u00a0,;:")

@dataclass
class Quote:
    """One quotation: its content, cue and speaker, read from a Doc's span groups."""

    content: Span
    type: str
    cue: Optional[Span]
    speaker: Optional[Span]
    speaker_name: Optional[str]
    speaker_id: Optional[str]
    score: float
    via: Optional[Span] = None
    index: int = 0
    # the cue kind a record gave (records drawn back onto a tokenised Doc have no lemmas to
    # read it from); None: read it off the cue
    given_cue_kind: Optional[str] = None
    doc_text: Optional[str] = field(default=None, repr=False, compare=False)

    def _text(self) -> str:
        # Doc.text joins every token: read it once per doc, not once per quote
        if self.doc_text is None:
            self.doc_text = self.content.doc.text
        return self.doc_text

    @property
    def doc(self) -> Doc:
        return self.content.doc

    @property
    def text_offsets(self) -> tuple:
        """RETURNS (Tuple[int, int]): character offsets of the quoted words: the content span
        without the quotation marks, spaces and separating punctuation at its edges."""
        text = self._text()
        start, end = self.content.start_char, self.content.end_char
        trim = _SPACE_PUNCT | QUOTE_MARKS if self.type == "direct" else _SPACE_PUNCT
        while start < end and text[start] in trim:
            start += 1
        while end > start and text[end - 1] in trim:
            end -= 1
        if start == end:  # nothing but marks: keep the span as it is
            return self.content.start_char, self.content.end_char
        return start, end

    @property
    def cue_kind(self) -> str:
        """RETURNS (str): ``"speech"``, ``"belief"`` or ``"other"``: what the cue reports
        (:func:`spacy_quotes.cues.cue_kind`); what a user filters on to keep what was said."""
        if self.given_cue_kind is not None:
            return self.given_cue_kind
        words = None if self.cue is None else [w for t in self.cue for w in (t.lemma_, t.lower_) if w]
        return cue_kind(words, self.type)

    @property
    def text(self) -> str:
        start, end = self.text_offsets
        return self._text()[start:end]

    def to_dict(self, doc_id: Optional[str] = None) -> Dict[str, Any]:
        """The record of QUOTES_JSONL.md.

        doc_id (Optional[str]): the document id; defaults to ``doc.user_data["doc_id"]``.
        RETURNS (Dict[str, Any]): the record.
        """
        if doc_id is None:
            doc_id = self.content.doc.user_data.get("doc_id")
        start, end = self.text_offsets
        record: Dict[str, Any] = {
            "doc_id": doc_id,
            "index": self.index,
            "type": self.type,
            "text": self._text()[start:end],
            "start": start,
            "end": end,
            "cue": _span_dict(self.cue),
            "speaker": _span_dict(self.speaker),
            "speaker_name": self.speaker_name,
            "speaker_id": (f"{doc_id}:{self.speaker_id}" if self.speaker_id is not None else None),
            "score": round(float(self.score), 4),
            "cue_kind": self.cue_kind,
        }
        if self.via is not None:
            record["via"] = _span_dict(self.via)
        return record


def _span_dict(span: Optional[Span]) -> Optional[Dict[str, Any]]:
    if span is None:
        return None
    return {"text": span.text, "start": span.start_char, "end": span.end_char}


def _attr(group: SpanGroup, name: str, i: int, default: Any) -> Any:
    values = group.attrs.get(name)
    if values is None or i >= len(values):
        return default
    return values[i]


def get_quotes(doc: Doc) -> List[Quote]:
    """Read the quotes of a Doc from its span groups.

    doc (Doc): a Doc processed by the ``quotes`` component (or a gold Doc).
    RETURNS (List[Quote]): the quotes in document order.
    """
    group = get_group(doc, QUOTES_KEY)
    if group is None:
        return []
    cues = get_group(doc, CUE_KEY)
    speakers = get_group(doc, SPEAKER_KEY)
    quotes = []
    doc_text = doc.text
    for i, span in enumerate(group):
        cue_i = _attr(group, "cue", i, -1)
        spk_i = _attr(group, "speaker", i, -1)
        via_i = _attr(group, "via", i, -1)
        cue = cues[cue_i] if cues is not None and 0 <= cue_i < len(cues) else None
        speaker = speakers[spk_i] if speakers is not None and 0 <= spk_i < len(speakers) else None
        via = speakers[via_i] if speakers is not None and 0 <= via_i < len(speakers) else None
        quotes.append(
            Quote(
                content=span,
                type=span.label_ if span.label_ in QUOTE_TYPES else "indirect",
                cue=cue,
                speaker=speaker,
                speaker_name=_attr(group, "speaker_name", i, None),
                speaker_id=_attr(group, "speaker_id", i, None),
                score=float(_attr(group, "scores", i, 1.0)),
                via=via,
                doc_text=doc_text,
                given_cue_kind=_attr(group, "cue_kind", i, None),
            )
        )
    quotes.sort(key=lambda q: (q.content.start_char, q.content.end_char))
    for i, q in enumerate(quotes):
        q.index = i
    return quotes


def install_extensions() -> None:
    """Register ``Doc._.quotes``. Safe to call more than once."""
    if not Doc.has_extension("quotes"):
        Doc.set_extension("quotes", getter=get_quotes)


def set_quote_groups(doc: Doc, items: List[Dict[str, Any]], *, alignment_mode: str = "expand") -> None:
    """Write quotes given by character offsets into the Doc's span groups (gold data, tests).

    doc (Doc): the document; its existing quote groups are replaced.
    items (List[Dict[str, Any]]): one dict per quote with ``content`` (start, end) and optional
        ``cue``, ``speaker``, ``via`` ((start, end) or None), ``type``, ``score``,
        ``speaker_name``, ``speaker_id``, ``cue_kind``. Quotes that share a cue or speaker span (same
        offsets) share one span in the group. Without ``type`` it follows from the marks.
    alignment_mode (str): how offsets that do not fall on token boundaries are aligned.
    """
    text = doc.text
    quotations = find_quotations(text)
    contents: List[Span] = []
    attrs = empty_quote_attrs()
    kinds: List[Optional[str]] = []  # a record's cue_kind, kept where one was given
    cue_spans: List[Span] = []
    spk_spans: List[Span] = []

    def _index(spans: List[Span], offsets: Any) -> int:
        if offsets is None:
            return -1
        span = doc.char_span(int(offsets[0]), int(offsets[1]), alignment_mode=alignment_mode)
        if span is None or len(span) == 0:
            return -1
        for i, other in enumerate(spans):
            if other.start == span.start and other.end == span.end:
                return i
        spans.append(span)
        return len(spans) - 1

    for item in items:
        start, end = item["content"]
        span = doc.char_span(int(start), int(end), alignment_mode=alignment_mode)
        if span is None or len(span) == 0:
            continue
        qtype = item.get("type") or quote_type(text, span.start_char, span.end_char, quotations)
        contents.append(Span(doc, span.start, span.end, label=qtype))
        attrs["scores"].append(float(item.get("score", 1.0)))
        attrs["cue"].append(_index(cue_spans, item.get("cue")))
        attrs["speaker"].append(_index(spk_spans, item.get("speaker")))
        attrs["via"].append(_index(spk_spans, item.get("via")))
        attrs["speaker_name"].append(item.get("speaker_name"))
        attrs["speaker_id"].append(item.get("speaker_id"))
        kinds.append(item.get("cue_kind"))
    if any(k is not None for k in kinds):
        attrs["cue_kind"] = kinds
    write_quote_groups(doc, contents, attrs, cue_spans, spk_spans)
