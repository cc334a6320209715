"""From per-token tag probabilities to linked quotes.

1. :func:`viterbi_biluo` picks the best tag sequence that is a valid BILUO sequence.
2. :func:`tags_to_spans` reads the role spans off it, with a confidence per span.
3. :func:`link_spans` links each content span to a cue and each cue to a speaker, using the
   dependency tree first (the cue governs the content; the speaker is the cue's subject) and
   distance second, within a small window of sentences.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc

from ..ml.model import ROLES, TAGS

_NEG = -1e9


def _transition_mask(tags: Sequence[str]) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    n = len(tags)
    allowed = numpy.zeros((n, n), dtype=bool)
    start_ok = numpy.zeros(n, dtype=bool)
    end_ok = numpy.zeros(n, dtype=bool)
    for j, cur in enumerate(tags):
        start_ok[j] = cur == "O" or cur[0] in "BU"
        end_ok[j] = cur == "O" or cur[0] in "LU"
        for i, prev in enumerate(tags):
            if prev == "O" or prev[0] in "LU":
                allowed[i, j] = cur == "O" or cur[0] in "BU"
            else:  # B-X or I-X: must continue X
                allowed[i, j] = cur[0] in "IL" and cur[2:] == prev[2:]
    return allowed, start_ok, end_ok


_ALLOWED, _START_OK, _END_OK = _transition_mask(TAGS)
_TRANS = numpy.where(_ALLOWED, 0.0, _NEG)


def viterbi_biluo(probs: numpy.ndarray) -> numpy.ndarray:
    """The most probable valid BILUO tag sequence.

    probs (numpy.ndarray): (n_tokens, n_tags) probabilities.
    RETURNS (numpy.ndarray): (n_tokens,) tag indices.
    """
    n = probs.shape[0]
    if n == 0:
        return numpy.zeros((0,), dtype=numpy.int32)
    logp = numpy.log(numpy.clip(probs, 1e-9, 1.0))
    back = numpy.zeros((n, logp.shape[1]), dtype=numpy.int32)
    score = logp[0] + numpy.where(_START_OK, 0.0, _NEG)
    trans = _TRANS
    for t in range(1, n):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand[back[t], numpy.arange(cand.shape[1])] + logp[t]
    score = score + numpy.where(_END_OK, 0.0, _NEG)
    path = numpy.zeros(n, dtype=numpy.int32)
    path[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


@dataclass
class RoleSpan:
    role: str
    start: int  # token index
    end: int
    score: float


def tags_to_spans(path: numpy.ndarray, probs: numpy.ndarray) -> List[RoleSpan]:
    """Read role spans off a BILUO tag path.

    path (numpy.ndarray): tag indices from :func:`viterbi_biluo`.
    probs (numpy.ndarray): the tag probabilities, for the span confidences.
    RETURNS (List[RoleSpan]): the spans in order.
    """
    spans: List[RoleSpan] = []
    if len(path) == 0:
        return spans
    conf = probs[numpy.arange(len(path)), path]
    start: Optional[int] = None
    for i, t in enumerate(path):
        tag = TAGS[t]
        if tag == "O":
            start = None
            continue
        prefix, role = tag[0], tag[2:]
        if prefix == "U":
            spans.append(RoleSpan(role, i, i + 1, float(conf[i])))
            start = None
        elif prefix == "B":
            start = i
        elif prefix == "L" and start is not None:
            spans.append(RoleSpan(role, start, i + 1, float(conf[start:i + 1].mean())))
            start = None
    return spans


@dataclass
class Link:
    content: int  # index into the content spans
    cue: int  # index into cue spans or -1
    speaker: int  # index into speaker spans or -1


def _heads_array(doc: Doc) -> numpy.ndarray:
    from spacy.attrs import HEAD

    n = len(doc)
    return numpy.arange(n) + doc.to_array([HEAD]).astype(numpy.int64).reshape(-1)


def _sent_ids(doc: Doc) -> numpy.ndarray:
    ids = numpy.zeros(len(doc), dtype=numpy.int64)
    if doc.has_annotation("SENT_START"):
        starts = numpy.array([t.is_sent_start for t in doc], dtype=bool)
        starts[0] = False
        ids = numpy.cumsum(starts)
    return ids


def _span_root(heads: numpy.ndarray, start: int, end: int) -> int:
    """The token of [start, end) whose head lies outside it (the first such token)."""
    for i in range(start, end):
        h = heads[i]
        if h < start or h >= end or h == i:
            return i
    return start


def _ancestors(heads: numpy.ndarray, i: int, limit: int = 30) -> List[int]:
    out = []
    for _ in range(limit):
        h = int(heads[i])
        if h == i:
            break
        out.append(h)
        i = h
    return out


def link_spans(
    doc: Doc,
    contents: List[RoleSpan],
    cues: List[RoleSpan],
    speakers: List[RoleSpan],
    *,
    window: int = 1,
) -> List[Link]:
    """Link every content span to a cue and every cue to a speaker.

    A cue is a candidate for a content span when it lies within ``window`` sentences of it;
    one whose tokens govern the content in the dependency tree ranks first, then the nearest.
    A speaker is a candidate for a cue in the same window; one that hangs from the cue ranks
    first, then the nearest. Candidates are matched greedily in rank order, each cue taking
    one content first and each speaker mention going to one cue.

    doc (Doc): the parsed document.
    contents, cues, speakers (List[RoleSpan]): the role spans, in order.
    window (int): how many sentences away a linked span may be.
    RETURNS (List[Link]): one link per content span.
    """
    if not contents:
        return []
    heads = _heads_array(doc)
    sents = _sent_ids(doc)
    cue_roots = [_span_root(heads, c.start, c.end) for c in cues]
    cue_speaker: Dict[int, int] = {}
    # Spans are in document order, so the candidates within the window are a contiguous
    # range: find it by bisection, which keeps linking linear in the number of quotes.
    cue_sents = numpy.array([sents[c.start] for c in cues], dtype=numpy.int64)
    spk_sents = numpy.array([sents[s.start] for s in speakers], dtype=numpy.int64)

    def in_window(sent_starts: numpy.ndarray, span: RoleSpan) -> range:
        lo = int(numpy.searchsorted(sent_starts, sents[span.start] - window - 1, side="right"))
        hi = int(numpy.searchsorted(sent_starts, sents[span.end - 1] + window, side="right"))
        return range(lo, hi)

    def sent_gap(a: RoleSpan, b: RoleSpan) -> int:
        a0, a1 = sents[a.start], sents[a.end - 1]
        b0, b1 = sents[b.start], sents[b.end - 1]
        if a1 < b0:
            return int(b0 - a1)
        if b1 < a0:
            return int(a0 - b1)
        return 0

    def tok_gap(a: RoleSpan, b: RoleSpan) -> int:
        if a.end <= b.start:
            return b.start - a.end
        if b.end <= a.start:
            return a.start - b.end
        return 0

    # Content -> cue: candidate pairs ranked by (cue governs the content, sentence gap,
    # token gap), matched greedily so that each cue first takes one content; contents left
    # over (the second half of a split quote) then take their best cue even if it is taken.
    content_pairs = []
    for qi, content in enumerate(contents):
        root = _span_root(heads, content.start, content.end)
        anc = set(_ancestors(heads, root))
        for ci in in_window(cue_sents, content):
            cue = cues[ci]
            gap = sent_gap(content, cue)
            if gap > window:
                continue
            governs = cue_roots[ci] in anc or any(t in anc for t in range(cue.start, cue.end))
            # across sentences, a cue before the content (a quote that goes on after
            # "... said X.") beats one after it
            after = 1 if gap and cue.start >= content.end else 0
            content_pairs.append(((0 if governs else 1, gap, after, tok_gap(content, cue)), qi, ci))
    content_pairs.sort()
    cue_of = [-1] * len(contents)
    taken = set()
    for _, qi, ci in content_pairs:
        if cue_of[qi] < 0 and ci not in taken:
            cue_of[qi] = ci
            taken.add(ci)
    for _, qi, ci in content_pairs:
        if cue_of[qi] < 0:
            cue_of[qi] = ci
    # Cue -> speaker: ranked by (speaker hangs from the cue, sentence gap, token gap, before
    # the cue), matched one to one: a mention is the speaker of one cue (as in PolNeAR,
    # where each token has one role in one attribution).
    speaker_pairs = []
    for ci in sorted(set(c for c in cue_of if c >= 0)):
        cue = cues[ci]
        cue_toks = set(range(cue.start, cue.end))
        for si in in_window(spk_sents, cue):
            spk = speakers[si]
            gap = sent_gap(cue, spk)
            if gap > window:
                continue
            root = _span_root(heads, spk.start, spk.end)
            attached = int(heads[root]) in cue_toks or any(a in cue_toks for a in _ancestors(heads, root, 4))
            key = (0 if attached else 1, gap, tok_gap(cue, spk), 0 if spk.end <= cue.start else 1)
            speaker_pairs.append((key, ci, si))
    speaker_pairs.sort()
    used = set()
    for _, ci, si in speaker_pairs:
        if ci not in cue_speaker and si not in used:
            cue_speaker[ci] = si
            used.add(si)
    # A mention may still be shared by a cue in its own sentence that hangs from the verb the
    # mention is the subject of ("X mocked it, saying ...", "X said ... and encouraged ...").
    for _, ci, si in speaker_pairs:
        if ci in cue_speaker:
            continue
        spk_head = int(heads[_span_root(heads, speakers[si].start, speakers[si].end)])
        cue_root = cue_roots[ci]
        if sent_gap(cues[ci], speakers[si]) == 0 and (spk_head == cue_root or spk_head in _ancestors(heads, cue_root)):
            cue_speaker[ci] = si
    return [Link(qi, ci, cue_speaker.get(ci, -1) if ci >= 0 else -1) for qi, ci in enumerate(cue_of)]


__all__ = ["viterbi_biluo", "tags_to_spans", "link_spans", "RoleSpan", "Link", "ROLES"]
