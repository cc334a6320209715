""":func:`resolve_speakers`: the steps of speaker resolution run in order over a Doc's quotes
(see the package docstring), reading and writing the quote span groups."""
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc, Span, SpanGroup, Token

from ..marks import Quotation
from ..quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY
from .config import SpeakerResolverConfig
from .mention_steps import (
    QuoteState, according_medium, colon_speaker, context_subject, correct_mention, gap_is_own_attribution,
    participle_agent, speaker_from_cue,
)
from .mentions import span_head
from .resolver import Resolver
from .salience import SPEAKER

logger = logging.getLogger("spacy_quotes")

# Label of the speaker mentions the resolver adds (context, previous sentence, colon, ...), as
# opposed to the mentions the tagger found ("SPEAKER"): the per-role scores count the latter.
RESOLVED_LABEL = "RESOLVED"


class SpeakerSpans:
    """The speaker mention group: the mentions the component found and those the resolver adds.

    doc (Doc): the document.
    speakers (Optional[SpanGroup]): ``doc.spans["quotes_speaker"]``, if any.
    """

    def __init__(self, doc: Doc, speakers: Optional[SpanGroup]) -> None:
        self.doc = doc
        self.old = speakers
        self.n_old = len(speakers) if speakers is not None else 0
        self.new: List[Span] = []
        self.new_scores: List[float] = []
        self.existing: Dict[Tuple[int, int], int] = {}
        if speakers is not None:
            for i, s in enumerate(speakers):
                self.existing.setdefault((s.start, s.end), i)

    def add(self, span: Span, score: float) -> int:
        """RETURNS (int): the index of the mention with span's offsets (added when new)."""
        key = (span.start, span.end)
        if key in self.existing:
            return self.existing[key]
        idx = self.n_old + len(self.new)
        self.new.append(Span(self.doc, span.start, span.end, label=RESOLVED_LABEL))
        self.new_scores.append(score)
        self.existing[key] = idx
        return idx

    def get(self, idx: int) -> Optional[Span]:
        """RETURNS (Optional[Span]): the mention at index idx (None for -1)."""
        if idx < 0:
            return None
        if idx < self.n_old:
            return self.old[idx]  # type: ignore[index]
        return self.new[idx - self.n_old]

    def write(self) -> None:
        """Re-create the speaker group with the added mentions (their ``scores`` are their
        quotes' scores; other per-span attrs are None for them)."""
        if not self.new:
            return
        old = list(self.old) if self.old is not None else []
        old_attrs = dict(self.old.attrs) if self.old is not None else {}
        attrs: Dict[str, Any] = {}
        for key, value in old_attrs.items():
            if isinstance(value, list) and len(value) == len(old):
                attrs[key] = list(value) + ([None] * len(self.new) if key != "scores" else self.new_scores)
            else:
                attrs[key] = value
        if "scores" not in attrs:
            attrs["scores"] = [1.0] * len(old) + self.new_scores
        self.doc.spans[SPEAKER_KEY] = SpanGroup(self.doc, name=SPEAKER_KEY, attrs=attrs, spans=old + self.new)


def _group_attr(group: SpanGroup, name: str, default: Any, cast: Any) -> List[Any]:
    """A per-quote attr of the quote group, padded or cut to the number of quotes."""
    values = group.attrs.get(name)
    values = list(values) if values is not None else []
    nq = len(group)
    return [cast(x) if x is not None else default for x in (values + [default] * nq)[:nq]]


class _Steps:
    """Steps 2 to 4 for the quotes of one Doc, in document order."""

    def __init__(self, res: Resolver, cues: Optional[SpanGroup], spans: SpeakerSpans) -> None:
        self.res = res
        self.cfg = res.cfg
        self.cues = cues
        self.spans = spans
        self.resolved: Dict[int, Optional[int]] = {}  # speaker mention -> referent
        self.according: List[int] = []
        lower = res.index.lower
        if lower is not None and "according" in res.index.text.lower():
            self.according = numpy.nonzero(lower == res.index.doc.vocab.strings["according"])[0].tolist()

    def run(self, order: Sequence[QuoteState]) -> None:
        prev: Optional[QuoteState] = None
        for q in order:
            self.quote(q, prev)
            if q.speaker >= 0 or q.rid is not None:
                prev = q
            elif prev is None or q.start >= prev.end:
                prev = q

    def _cue(self, q: QuoteState) -> Optional[Span]:
        return self.cues[q.cue] if self.cues is not None and q.cue >= 0 else None

    def _take(self, q: QuoteState, tok: Token) -> Span:
        mention = self.res.mentions.span(tok, (q.start, q.end))
        q.speaker = self.spans.add(mention, q.score)
        return mention

    def _continue(self, q: QuoteState, prev: QuoteState) -> None:
        q.speaker, q.via, q.rid = prev.speaker, prev.via, prev.rid

    def quote(self, q: QuoteState, prev: Optional[QuoteState]) -> None:
        """Steps 2 (a mention), 3 (its referent) and 4 (a relaying medium) for one quote."""
        res, cfg = self.res, self.cfg
        content = (q.start, q.end)
        mention, via_tok = self._mention(q)
        inherited = False
        # d. continuation right after the previous quote
        if (mention is None and q.cue < 0 and prev is not None and cfg.inherit_continuations
                and prev.speaker >= 0 and gap_is_own_attribution(res, prev, q, self.cues, self.spans.old)):
            self._continue(q, prev)
            inherited = True
        # e. the subject of this or the previous sentence
        if mention is None and not inherited and cfg.speaker_from_context:
            tok = context_subject(res, q)
            if tok is not None:
                mention = self._take(q, tok)
        # f. continuation within the window
        if (mention is None and not inherited and q.cue < 0 and prev is not None and cfg.inherit_continuations
                and prev.speaker >= 0
                and res.index.sent_of(q.start) - res.index.sent_of(max(prev.start, prev.end - 1))
                <= cfg.max_sentences_back):
            self._continue(q, prev)
            inherited = True
        if inherited:
            return
        # step 3: mention -> referent
        if mention is not None:
            if q.speaker in self.resolved:
                q.rid = self.resolved[q.speaker]
            else:
                q.rid = res.resolve(mention)
                self.resolved[q.speaker] = q.rid
            if q.rid is not None:
                res.events.add(mention.start, q.rid, SPEAKER)
        # step 4: via
        if cfg.detect_via:
            if via_tok is not None and not (q.start <= via_tok.i < q.end):
                q.via = self.spans.add(res.mentions.span(via_tok, content), q.score)
            elif q.via < 0 and self.according:
                medium, replacement = according_medium(res, q, self.spans.get(q.speaker), self.according)
                if medium is not None:
                    if replacement is not None:
                        mention = self._take(q, replacement)
                        q.rid = res.resolve(mention)
                        self.resolved[q.speaker] = q.rid
                    q.via = self.spans.add(res.mentions.span(medium, content), q.score)

    def _mention(self, q: QuoteState) -> Tuple[Optional[Span], Optional[Token]]:
        """Steps 2a-c: the linked mention (corrected), the cue's subject, the speaker before a
        colon. RETURNS (mention, relaying medium token)."""
        res, cfg = self.res, self.cfg
        content = (q.start, q.end)
        mention = self.spans.get(q.speaker)
        via_tok: Optional[Token] = None
        # a. the linked mention, corrected
        if mention is not None:
            linked = q.speaker
            fixed, via_tok = correct_mention(span_head(mention), content, self._cue(q))
            if via_tok is not None and mention.start <= via_tok.i < mention.end:
                via_tok = None
                if cfg.detect_via:
                    q.via = linked  # the linked mention is the medium itself
            if fixed is not None:
                mention = self._take(q, fixed)
        # b. the cue's subject
        cue = self._cue(q)
        if mention is None and cue is not None and cfg.speaker_from_cue:
            tok, via_tok = speaker_from_cue(res, cue, content)
            if tok is not None and not (q.start <= tok.i < q.end):
                mention = self._take(q, tok)
        # a participle cue whose verb's subject cannot speak: "a response from Y, accusing ..."
        if mention is not None and cue is not None:
            agent = participle_agent(res, span_head(mention), cue, content)
            if agent is not None:
                mention = self._take(q, agent)
        # c. before a colon
        if mention is None and cfg.speaker_before_colon:
            tok = colon_speaker(res, q)
            if tok is not None:
                mention = self._take(q, tok)
        return mention, via_tok


def _names_and_ids(res: Resolver, order: Sequence[QuoteState], nq: int) -> Tuple[List[Optional[str]], List[Optional[str]]]:
    """Step 5: each quote's speaker name, and an id unique per referent in the document."""
    ids: Dict[int, str] = {}
    used: Dict[str, int] = {}
    names_out: List[Optional[str]] = [None] * nq
    ids_out: List[Optional[str]] = [None] * nq
    for q in order:
        if q.rid is None:
            continue
        name = res.refs.display(q.rid)
        if not name:
            continue
        if q.rid not in ids:
            sid, k = name, 2
            while sid in used and used[sid] != q.rid:
                sid = f"{name}#{k}"
                k += 1
            used[sid] = q.rid
            ids[q.rid] = sid
        names_out[q.index] = name
        ids_out[q.index] = ids[q.rid]
    return names_out, ids_out


def resolve_speakers(doc: Doc, config: Optional[SpeakerResolverConfig] = None,
                     quotations: Optional[Sequence[Quotation]] = None) -> None:
    """Resolve the speaker of every quote of a Doc to a name and an id (see the package
    docstring for the rules and their order).

    doc (Doc): a parsed Doc with ``doc.spans["quotes"]`` (and optionally ``quotes_cue`` and
        ``quotes_speaker``) in the layout of :mod:`spacy_quotes.quote`.
    config (Optional[SpeakerResolverConfig]): the settings; None uses the defaults.
    quotations (Optional[Sequence[Quotation]]): ``find_quotations(doc.text)`` where the caller
        has it already (the component does); None finds them.
    """
    cfg = config if config is not None else SpeakerResolverConfig()
    if QUOTES_KEY not in doc.spans:
        return
    group = doc.spans[QUOTES_KEY]
    nq = len(group)
    cues = doc.spans[CUE_KEY] if CUE_KEY in doc.spans else None
    speakers = doc.spans[SPEAKER_KEY] if SPEAKER_KEY in doc.spans else None
    n_spk = len(speakers) if speakers is not None else 0
    n_cue = len(cues) if cues is not None else 0
    spk_attr = [i if 0 <= i < n_spk else -1 for i in _group_attr(group, "speaker", -1, int)]
    via_attr = [i if 0 <= i < n_spk else -1 for i in _group_attr(group, "via", -1, int)]
    cue_attr = [i if 0 <= i < n_cue else -1 for i in _group_attr(group, "cue", -1, int)]
    scores = _group_attr(group, "scores", 1.0, float)

    if not cfg.enabled or nq == 0:
        names = [speakers[i].text if i >= 0 and speakers is not None else None for i in spk_attr]
        group.attrs["speaker_name"] = names
        group.attrs["speaker_id"] = list(names)
        group.attrs["speaker"] = spk_attr
        group.attrs["via"] = via_attr
        return

    res = Resolver(doc, cfg, quotations)
    quotes = [
        QuoteState(index=i, start=span.start, end=span.end, cue=cue_attr[i], speaker=spk_attr[i],
                   via=via_attr[i], score=scores[i])
        for i, span in enumerate(group)
    ]
    res.build([(q.start, q.end) for q in quotes])
    spans = SpeakerSpans(doc, speakers)
    order = sorted(quotes, key=lambda q: (q.start, q.end))
    _Steps(res, cues, spans).run(order)
    names_out, ids_out = _names_and_ids(res, order, nq)
    group.attrs["speaker"] = [q.speaker for q in quotes]
    group.attrs["via"] = [q.via for q in quotes]
    group.attrs["speaker_name"] = names_out
    group.attrs["speaker_id"] = ids_out
    spans.write()
    logger.debug("speakers: %d quotes, %d referents, %d speaker spans added", nq, len(res.refs), len(spans.new))
