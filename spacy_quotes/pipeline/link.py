"""Linking role spans into attributions: each content to a cue, each cue to a speaker.

:func:`link_spans` runs three named steps over one :class:`LinkContext` (the Doc's arrays, read
once):

1. :func:`contents_to_cues`: candidate (content, cue) pairs within the sentence window, ranked
   by (the cue governs the content, sentence gap, a cue after the content across sentences,
   token gap) and matched greedily, each cue taking one content first;
2. :func:`speaker_candidates`: candidate (cue, speaker) pairs ranked by (the speaker holds the
   cue's grammatical subject, hangs from the cue, sentence gap, token gap, before the cue);
3. :func:`match_speakers`: one mention per cue, one cue per mention, except that a mention
   holding a cue's subject is shared by every cue of that subject, and a subjectless cue may
   share the mention of the verb it hangs from.
"""
from dataclasses import dataclass
from typing import Dict, List, Tuple

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.tokens import Doc

from ..docarrays import heads_array, paragraph_breaks, sent_ids
from .decode import RoleSpan

# Dependency labels of a mention that is the cue's object, not its speaker ("accusing X of").
OBJECT_DEPS = ("dobj", "dative", "iobj", "attr", "oprd")
# Edges a cue's subject is looked for across (a participle or coordinated verb: "X announced
# ..., stressing that ...", "X hit back and accused ...").
SUBJECT_CHAIN_DEPS = ("conj", "advcl", "xcomp", "pcomp", "prep", "ccomp")
SUBJECT_CHAIN_STEPS = 8  # how many such edges up
RELAY_LEMMAS = ("quote", "cite")  # cues whose object is the speaker ("quoted X as saying")


@dataclass
class Link:
    content: int  # index into the content spans
    cue: int  # index into cue spans or -1
    speaker: int  # index into speaker spans or -1


def span_root(heads: numpy.ndarray, start: int, end: int) -> int:
    """The token of [start, end) whose head lies outside it (the first such token)."""
    for i in range(start, end):
        h = heads[i]
        if h < start or h >= end or h == i:
            return i
    return start


def ancestors(heads: numpy.ndarray, i: int, limit: int = 30) -> List[int]:
    """RETURNS (List[int]): the heads above token i, nearest first (at most ``limit``)."""
    out = []
    for _ in range(limit):
        h = int(heads[i])
        if h == i:
            break
        out.append(h)
        i = h
    return out


class LinkContext:
    """What linking reads of one Doc, read once: heads, sentence ids, punctuation and space,
    paragraph breaks, and which content span each token lies in.

    doc (Doc): the parsed document.
    contents (List[RoleSpan]): the content spans, in order.
    window (int): how many sentences away a linked span may be.
    """

    def __init__(self, doc: Doc, contents: List[RoleSpan], window: int) -> None:
        self.doc = doc
        self.window = window
        self.heads = heads_array(doc)
        self.sents = sent_ids(doc)
        n = len(doc)
        flags = doc.to_array([IS_PUNCT, IS_SPACE]).reshape(n, 2) if n else numpy.zeros((0, 2), dtype=bool)
        self.marks = flags.any(axis=1)
        # the content span (index) each token lies in, for skipping verbs inside other quotes
        self.content_at = numpy.full(n, -1, dtype=numpy.int64)
        for qi, c in enumerate(contents):
            self.content_at[c.start:c.end] = qi
        # paragraph breaks, counted up to each token: no subject is found across one (a caption
        # or a dateline the parser joined to the next paragraph)
        self.breaks = numpy.cumsum(paragraph_breaks(doc))

    def first_word(self, span: RoleSpan) -> int:
        i = span.start
        while i < span.end - 1 and self.marks[i]:
            i += 1
        return i

    def last_word(self, span: RoleSpan) -> int:
        i = span.end - 1
        while i > span.start and self.marks[i]:
            i -= 1
        return i

    def s0(self, span: RoleSpan) -> int:
        """The sentence of the span's first word (not the quote marks around it)."""
        return int(self.sents[self.first_word(span)])

    def s1(self, span: RoleSpan) -> int:
        """The sentence of the span's last word."""
        return int(self.sents[self.last_word(span)])

    def sentence_starts(self, spans: List[RoleSpan]) -> numpy.ndarray:
        return numpy.array([self.s0(s) for s in spans], dtype=numpy.int64)

    def in_window(self, sent_starts: numpy.ndarray, span: RoleSpan) -> range:
        """The candidates within the window of the span: spans are in document order, so they
        are a contiguous range, found by bisection (linking stays linear in the quotes)."""
        lo = int(numpy.searchsorted(sent_starts, self.s0(span) - self.window - 1, side="right"))
        hi = int(numpy.searchsorted(sent_starts, self.s1(span) + self.window, side="right"))
        return range(lo, hi)

    def sent_gap(self, a: RoleSpan, b: RoleSpan) -> int:
        a0, a1 = self.s0(a), self.s1(a)
        b0, b1 = self.s0(b), self.s1(b)
        if a1 < b0:
            return int(b0 - a1)
        if b1 < a0:
            return int(a0 - b1)
        return 0

    @staticmethod
    def tok_gap(a: RoleSpan, b: RoleSpan) -> int:
        if a.end <= b.start:
            return b.start - a.end
        if b.end <= a.start:
            return a.start - b.end
        return 0

    def crosses_break(self, i: int, j: int) -> bool:
        i, j = min(i, j), max(i, j)
        return bool(self.breaks[j] - self.breaks[i])

    def cue_subject(self, cue_root: int) -> int:
        """The token index of the grammatical subject of the cue rooted at ``cue_root``, or -1:
        its own ``nsubj``, else that of the verb it hangs from, skipping verbs inside another
        quote's content."""
        doc, heads, sents, content_at = self.doc, self.heads, self.sents, self.content_at
        v = cue_root
        own = int(content_at[v])
        if doc[v].pos_ not in ("VERB", "AUX") or doc[v].lower_ == "according":
            return -1  # a noun ("allegations") or "according to": no verb's subject speaks
        for step in range(SUBJECT_CHAIN_STEPS):
            tok = doc[v]
            if step and tok.pos_ not in ("VERB", "AUX", "ADP", "SCONJ"):
                return -1
            if step == 0 or content_at[v] < 0 or content_at[v] == own:
                for c in tok.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        if self.crosses_break(c.i, v):
                            return -1
                        if c.lower_ in ("who", "which", "that") and tok.dep_ == "relcl":
                            return tok.head.i  # "X, who said"
                        return c.i
            h = int(heads[v])
            if (h == v or tok.dep_ not in SUBJECT_CHAIN_DEPS
                    or sents[h] != sents[v] or self.crosses_break(h, v)):
                return -1
            v = h
        return -1


def contents_to_cues(
    ctx: LinkContext, contents: List[RoleSpan], cues: List[RoleSpan], cue_roots: List[int]
) -> List[int]:
    """Step 1: the cue (index, or -1) of each content span.

    Candidate pairs are ranked by (cue governs the content, sentence gap, token gap) and matched
    greedily so that each cue first takes one content; contents left over (the second half of a
    split quote) then take their best cue even if it is taken.
    """
    heads, window = ctx.heads, ctx.window
    cue_sents = ctx.sentence_starts(cues)
    content_pairs = []
    for qi, content in enumerate(contents):
        root = span_root(heads, content.start, content.end)
        anc = set(ancestors(heads, root))
        for ci in ctx.in_window(cue_sents, content):
            cue = cues[ci]
            gap = ctx.sent_gap(content, cue)
            if gap > window:
                continue
            governs = cue_roots[ci] in anc or any(t in anc for t in range(cue.start, cue.end))
            # across sentences, a cue before the content (a quote that goes on after
            # "... said X.") beats one after it
            after = 1 if gap and cue.start >= content.end else 0
            content_pairs.append(((0 if governs else 1, gap, after, ctx.tok_gap(content, cue)), qi, ci))
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
    return cue_of


def speaker_candidates(
    ctx: LinkContext, cues: List[RoleSpan], speakers: List[RoleSpan], cue_roots: List[int], linked_cues: List[int]
) -> Tuple[List[Tuple[tuple, int, int]], Dict[int, int], Dict[int, int]]:
    """Step 2: the ranked (cue, speaker) candidate pairs of the linked cues.

    RETURNS (Tuple[list, Dict[int, int], Dict[int, int]]): the pairs ``(rank key, cue, speaker)``
        sorted best first; per cue, the mention that holds its subject; per cue, its subject
        token (or -1).
    """
    doc, heads, window = ctx.doc, ctx.heads, ctx.window
    spk_sents = ctx.sentence_starts(speakers)
    speaker_pairs = []
    subject_spk: Dict[int, int] = {}  # cue -> the mention that holds its subject
    cue_subjects: Dict[int, int] = {}
    for ci in linked_cues:
        cue = cues[ci]
        cue_toks = set(range(cue.start, cue.end))
        subj = ctx.cue_subject(cue_roots[ci])
        cue_subjects[ci] = subj
        relays = doc[cue_roots[ci]].lemma_ in RELAY_LEMMAS
        for si in ctx.in_window(spk_sents, cue):
            spk = speakers[si]
            gap = ctx.sent_gap(cue, spk)
            if gap > window:
                continue
            holds = subj >= 0 and spk.start <= subj < spk.end
            if subj >= 0 and not holds and gap > 0:
                continue  # the cue's subject is in its own sentence
            root = span_root(heads, spk.start, spk.end)
            attached = int(heads[root]) in cue_toks or any(a in cue_toks for a in ancestors(heads, root, 4))
            attached = attached and not ctx.crosses_break(root, cue_roots[ci])
            if attached and int(heads[root]) in cue_toks and doc[root].dep_ in OBJECT_DEPS and not relays:
                attached = False  # "accusing X of ...": X is the accused, not the speaker
            if holds:
                subject_spk.setdefault(ci, si)
            key = (0 if holds else (1 if attached else 2), gap, ctx.tok_gap(cue, spk), 0 if spk.end <= cue.start else 1)
            speaker_pairs.append((key, ci, si))
    speaker_pairs.sort()
    return speaker_pairs, subject_spk, cue_subjects


def match_speakers(
    ctx: LinkContext,
    cues: List[RoleSpan],
    speakers: List[RoleSpan],
    cue_roots: List[int],
    speaker_pairs: List[Tuple[tuple, int, int]],
    subject_spk: Dict[int, int],
    cue_subjects: Dict[int, int],
) -> Dict[int, int]:
    """Step 3: the speaker mention (index) of each linked cue.

    Pairs are matched one to one in rank order (a mention is the speaker of one cue, as in
    PolNeAR, where each token has one role in one attribution); a mention holding a cue's
    subject is shared by every cue of that subject ("X mocked it, saying ...", "X said ... and
    encouraged ..."); a subjectless cue in the mention's sentence that hangs from the verb the
    mention is the subject of may share it too.
    """
    heads = ctx.heads
    cue_speaker: Dict[int, int] = {}
    used = set()
    for _, ci, si in speaker_pairs:
        if ci in cue_speaker or si in used or subject_spk.get(ci, si) != si:
            continue  # a cue whose subject is a mention takes that one only (below)
        cue_speaker[ci] = si
        used.add(si)
    cue_speaker.update(subject_spk)
    for _, ci, si in speaker_pairs:
        if ci in cue_speaker or cue_subjects[ci] >= 0:
            continue
        spk_head = int(heads[span_root(heads, speakers[si].start, speakers[si].end)])
        cue_root = cue_roots[ci]
        if ctx.sent_gap(cues[ci], speakers[si]) == 0 and (spk_head == cue_root or spk_head in ancestors(heads, cue_root)):
            cue_speaker[ci] = si
    return cue_speaker


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
    ctx = LinkContext(doc, contents, window)
    cue_roots = [span_root(ctx.heads, c.start, c.end) for c in cues]
    cue_of = contents_to_cues(ctx, contents, cues, cue_roots)
    linked = sorted(set(c for c in cue_of if c >= 0))
    pairs, subject_spk, cue_subjects = speaker_candidates(ctx, cues, speakers, cue_roots, linked)
    cue_speaker = match_speakers(ctx, cues, speakers, cue_roots, pairs, subject_spk, cue_subjects)
    return [Link(qi, ci, cue_speaker.get(ci, -1) if ci >= 0 else -1) for qi, ci in enumerate(cue_of)]


__all__ = ["Link", "LinkContext", "link_spans", "contents_to_cues", "speaker_candidates", "match_speakers",
           "span_root", "ancestors"]
