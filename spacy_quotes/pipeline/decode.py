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

from ..docarrays import heads_array, paragraph_breaks, sent_ids
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


def viterbi_biluo(probs: numpy.ndarray, outside_penalty: float = 0.0) -> numpy.ndarray:
    """The most probable valid BILUO tag sequence.

    probs (numpy.ndarray): (n_tokens, n_tags) probabilities.
    outside_penalty (float): subtracted from the log probability of ``O`` at every token: a
        prior that trades precision for recall (0: the plain most probable sequence).
    RETURNS (numpy.ndarray): (n_tokens,) tag indices.
    """
    return viterbi_biluo_batch([probs], outside_penalty=outside_penalty)[0]


def viterbi_biluo_batch(batch: Sequence[numpy.ndarray], outside_penalty: float = 0.0) -> List[numpy.ndarray]:
    """:func:`viterbi_biluo` for several documents at once.

    The documents are searched side by side (padded with certain ``O`` tokens, which any
    valid sequence may end before), so each step of the search is one set of array
    operations for the whole batch instead of one per document.

    batch (Sequence[numpy.ndarray]): (n_tokens, n_tags) probabilities per document.
    outside_penalty (float): see :func:`viterbi_biluo`.
    RETURNS (List[numpy.ndarray]): (n_tokens,) tag indices per document.
    """
    lengths = [int(p.shape[0]) for p in batch]
    out = [numpy.zeros((n,), dtype=numpy.int32) for n in lengths]
    # Documents of similar length go together (longest first), so padding at most doubles
    # the work and memory of the search, however the batch's lengths are spread.
    order = sorted((i for i, n in enumerate(lengths) if n > 0), key=lambda i: -lengths[i])
    group: List[int] = []
    for i in order:
        if group and (lengths[i] * 2 < lengths[group[0]] and lengths[group[0]] > 256 or len(group) >= 256):
            _viterbi_group(batch, lengths, group, out, outside_penalty)
            group = []
        group.append(i)
    if group:
        _viterbi_group(batch, lengths, group, out, outside_penalty)
    return out


def _viterbi_group(batch: Sequence[numpy.ndarray], lengths: List[int], live: List[int],
                   out: List[numpy.ndarray], outside_penalty: float = 0.0) -> None:
    """Search the documents ``live`` of ``batch`` side by side; write their paths to ``out``."""
    n_tags = len(TAGS)
    T = max(lengths[i] for i in live)
    B = len(live)
    logp = numpy.full((T, B, n_tags), _NEG, dtype=numpy.float64)
    logp[:, :, 0] = 0.0  # padding: certain O
    for j, i in enumerate(live):
        logp[: lengths[i], j] = numpy.log(numpy.clip(batch[i], 1e-9, 1.0))
        if outside_penalty:
            logp[: lengths[i], j, 0] -= outside_penalty
    back = numpy.zeros((T, B, n_tags), dtype=numpy.int8)
    score = logp[0] + numpy.where(_START_OK, 0.0, _NEG)[None, :]
    trans = _TRANS[None, :, :]
    cols = numpy.arange(n_tags)[None, :]
    rows = numpy.arange(B)[:, None]
    for t in range(1, T):
        cand = score[:, :, None] + trans  # (B, prev, cur)
        best = cand.argmax(axis=1)
        back[t] = best
        score = cand[rows, best, cols] + logp[t]
    score = score + numpy.where(_END_OK, 0.0, _NEG)[None, :]
    path = numpy.zeros((T, B), dtype=numpy.int32)
    path[-1] = score.argmax(axis=1)
    brange = numpy.arange(B)
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, brange, path[t]]
    for j, i in enumerate(live):
        out[i] = path[: lengths[i], j].copy()


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
    A speaker is a candidate for a cue in the same window; the one that holds the cue's
    grammatical subject ranks first, then one that hangs from the cue (not as its object:
    ``accusing X of``), then the nearest. Candidates are matched greedily in rank order, each
    cue taking one content first and each speaker mention going to one cue.

    The cue's subject is its own ``nsubj``, else that of the verb it hangs from (a participle
    or a coordinated verb: ``X announced ..., stressing that ...``, ``X hit back and accused
    ...``), skipping verbs inside another quote's content. A mention holding it is shared by
    every such cue; a cue whose subject is no mention takes no mention from another sentence.
    Sentences are counted from a span's first and last word, not the quote marks around it.

    doc (Doc): the parsed document.
    contents, cues, speakers (List[RoleSpan]): the role spans, in order.
    window (int): how many sentences away a linked span may be.
    RETURNS (List[Link]): one link per content span.
    """
    if not contents:
        return []
    from spacy.attrs import IS_PUNCT, IS_SPACE

    heads = heads_array(doc)
    sents = sent_ids(doc)
    n = len(doc)
    flags = doc.to_array([IS_PUNCT, IS_SPACE]).reshape(n, 2) if n else numpy.zeros((0, 2), dtype=bool)
    marks = flags.any(axis=1)

    def first_word(span: RoleSpan) -> int:
        i = span.start
        while i < span.end - 1 and marks[i]:
            i += 1
        return i

    def last_word(span: RoleSpan) -> int:
        i = span.end - 1
        while i > span.start and marks[i]:
            i -= 1
        return i

    def s0(span: RoleSpan) -> int:
        return int(sents[first_word(span)])

    def s1(span: RoleSpan) -> int:
        return int(sents[last_word(span)])

    cue_roots = [_span_root(heads, c.start, c.end) for c in cues]
    cue_speaker: Dict[int, int] = {}
    # Spans are in document order, so the candidates within the window are a contiguous
    # range: find it by bisection, which keeps linking linear in the number of quotes.
    cue_sents = numpy.array([s0(c) for c in cues], dtype=numpy.int64)
    spk_sents = numpy.array([s0(s) for s in speakers], dtype=numpy.int64)

    def in_window(sent_starts: numpy.ndarray, span: RoleSpan) -> range:
        lo = int(numpy.searchsorted(sent_starts, s0(span) - window - 1, side="right"))
        hi = int(numpy.searchsorted(sent_starts, s1(span) + window, side="right"))
        return range(lo, hi)

    def sent_gap(a: RoleSpan, b: RoleSpan) -> int:
        a0, a1 = s0(a), s1(a)
        b0, b1 = s0(b), s1(b)
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

    # The content span (index) each token lies in, for skipping verbs inside other quotes.
    content_at = numpy.full(n, -1, dtype=numpy.int64)
    for qi, c in enumerate(contents):
        content_at[c.start:c.end] = qi

    # paragraph breaks, counted up to each token: no subject is found across one (a caption
    # or a dateline the parser joined to the next paragraph)
    breaks = numpy.cumsum(paragraph_breaks(doc))

    def crosses_break(i: int, j: int) -> bool:
        i, j = min(i, j), max(i, j)
        return bool(breaks[j] - breaks[i])

    def cue_subject(ci: int) -> int:
        """The token index of the cue's grammatical subject, or -1."""
        v = cue_roots[ci]
        own = int(content_at[v])
        if doc[v].pos_ not in ("VERB", "AUX") or doc[v].lower_ == "according":
            return -1  # a noun ("allegations") or "according to": no verb's subject speaks
        for step in range(8):
            tok = doc[v]
            if step and tok.pos_ not in ("VERB", "AUX", "ADP", "SCONJ"):
                return -1
            if step == 0 or content_at[v] < 0 or content_at[v] == own:
                for c in tok.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        if crosses_break(c.i, v):
                            return -1
                        if c.lower_ in ("who", "which", "that") and tok.dep_ == "relcl":
                            return tok.head.i  # "X, who said"
                        return c.i
            h = int(heads[v])
            if (h == v or tok.dep_ not in ("conj", "advcl", "xcomp", "pcomp", "prep", "ccomp")
                    or sents[h] != sents[v] or crosses_break(h, v)):
                return -1
            v = h
        return -1

    # Cue -> speaker: ranked by (speaker holds the cue's subject, hangs from the cue,
    # sentence gap, token gap, before the cue), matched one to one: a mention is the speaker
    # of one cue (as in PolNeAR, where each token has one role in one attribution).
    speaker_pairs = []
    subject_spk: Dict[int, int] = {}  # cue -> the mention that holds its subject
    cue_subjects: Dict[int, int] = {}
    objects = ("dobj", "dative", "iobj", "attr", "oprd")
    for ci in sorted(set(c for c in cue_of if c >= 0)):
        cue = cues[ci]
        cue_toks = set(range(cue.start, cue.end))
        subj = cue_subject(ci)
        cue_subjects[ci] = subj
        relays = doc[cue_roots[ci]].lemma_ in ("quote", "cite")
        for si in in_window(spk_sents, cue):
            spk = speakers[si]
            gap = sent_gap(cue, spk)
            if gap > window:
                continue
            holds = subj >= 0 and spk.start <= subj < spk.end
            if subj >= 0 and not holds and gap > 0:
                continue  # the cue's subject is in its own sentence
            root = _span_root(heads, spk.start, spk.end)
            attached = int(heads[root]) in cue_toks or any(a in cue_toks for a in _ancestors(heads, root, 4))
            attached = attached and not crosses_break(root, cue_roots[ci])
            if attached and int(heads[root]) in cue_toks and doc[root].dep_ in objects and not relays:
                attached = False  # "accusing X of ...": X is the accused, not the speaker
            if holds:
                subject_spk.setdefault(ci, si)
            key = (0 if holds else (1 if attached else 2), gap, tok_gap(cue, spk), 0 if spk.end <= cue.start else 1)
            speaker_pairs.append((key, ci, si))
    speaker_pairs.sort()
    used = set()
    for _, ci, si in speaker_pairs:
        if ci in cue_speaker or si in used or subject_spk.get(ci, si) != si:
            continue  # a cue whose subject is a mention takes that one only (below)
        cue_speaker[ci] = si
        used.add(si)
    # A mention holding a cue's subject is shared by every cue of that subject ("X mocked it,
    # saying ...", "X said ... and encouraged ...", "X announced ..., stressing that ...").
    cue_speaker.update(subject_spk)
    # Else a mention may still be shared by a subjectless cue in its own sentence that hangs
    # from the verb the mention is the subject of.
    for _, ci, si in speaker_pairs:
        if ci in cue_speaker or cue_subjects[ci] >= 0:
            continue
        spk_head = int(heads[_span_root(heads, speakers[si].start, speakers[si].end)])
        cue_root = cue_roots[ci]
        if sent_gap(cues[ci], speakers[si]) == 0 and (spk_head == cue_root or spk_head in _ancestors(heads, cue_root)):
            cue_speaker[ci] = si
    return [Link(qi, ci, cue_speaker.get(ci, -1) if ci >= 0 else -1) for qi, ci in enumerate(cue_of)]


__all__ = ["viterbi_biluo", "viterbi_biluo_batch", "tags_to_spans", "link_spans", "RoleSpan", "Link", "ROLES"]
