"""The cue-anchored attribution step in the pipe: its pairs, its gold, its decoding and how its
spans join the first tagger's (the model is :mod:`spacy_quotes.ml.attribution`).

For each cue the step looks at a window: from the start of the sentence before the cue's to the
end of the sentence after it, at most WINDOW_TOKENS tokens on either side. Each token of the
window gets a relation id to the cue (:func:`pair_relations`). The step's tags for a cue are
decoded with the BILUO search of the first tagger, and give that cue's content and source
spans (:func:`decode_step`). :func:`merge_spans` puts its sources in place of the first
tagger's where they overlap, and adds its confident contents where the first tagger found none;
the first tagger's contents stay (their edges are better) and so do its spans elsewhere (quotes
with no cue found: continuation paragraphs, dash-signed quotes); the linking then runs as before.
"""
from bisect import bisect_left
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy
from spacy.attrs import DEP
from spacy.tokens import Doc

from ..docarrays import heads_array, sent_ids
from ..layout import CUE_KEY, QUOTES_KEY, SPEAKER_KEY
from ..ml.attribution import HEAD_TAGS, PairIndex
from .decode import RoleSpan, SpanIndex, tags_to_spans, viterbi_biluo_batch
from .link import span_root

WINDOW_TOKENS = 80
FILL_SCORE = 0.7  # the least score of a step content kept where the first tagger has none (tuned on PolNeAR dev)
_DIST_EDGES = (1, 2, 3, 4, 5, 8, 12, 20, 40)  # |distance| buckets: 1,2,3,4,5-7,8-11,12-19,20-39,40+
_CHILD_DEPS = ("nsubj", "nsubjpass", "ccomp", "dobj", "xcomp", "prep", "advcl", "parataxis", "agent", "pobj",
               "mark", "punct", "conj", "acl", "relcl", "poss", "amod", "compound")
_N_DIST = 2 * len(_DIST_EDGES) + 1
_N_TREE = 4  # in the cue, in its subtree, above it, elsewhere
_N_DEP = len(_CHILD_DEPS) + 2  # not a child of the cue's root, one of the deps, another dep
N_RELATIONS = _N_DIST * _N_TREE * _N_DEP * 2
_HEAD_INDEX = {t: i for i, t in enumerate(HEAD_TAGS)}


def _dist_bucket(d: numpy.ndarray) -> numpy.ndarray:
    mag = numpy.searchsorted(numpy.array(_DIST_EDGES), numpy.abs(d), side="right")  # 0 only for d == 0
    return numpy.where(d < 0, len(_DIST_EDGES) + mag, mag)


def cue_windows(doc: Doc, cues: Sequence[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """The [start, end) window of each cue: the sentences before, of and after it, cut at
    WINDOW_TOKENS tokens from the cue."""
    if not len(doc):
        return []
    sid = sent_ids(doc)
    starts = numpy.searchsorted(sid, numpy.arange(sid[-1] + 2), side="left")  # sentence s: [starts[s], starts[s+1])
    out = []
    for cs, ce in cues:
        s0 = max(int(sid[cs]) - 1, 0)
        s1 = min(int(sid[ce - 1]) + 1, int(sid[-1]))
        a = max(int(starts[s0]), cs - WINDOW_TOKENS)
        b = min(int(starts[s1 + 1]), ce + WINDOW_TOKENS)
        out.append((a, b))
    return out


def dep_codes(doc: Doc) -> numpy.ndarray:
    """Per token, 1 + the index of its dependency label in _CHILD_DEPS, or _N_DEP - 1 for
    another label (the dep part of :func:`pair_relations`)."""
    labels = doc.to_array(DEP).astype(numpy.uint64)
    uniq, inverse = numpy.unique(labels, return_inverse=True)
    strings = doc.vocab.strings
    codes = numpy.array([_CHILD_DEPS.index(strings[int(h)]) + 1 if strings[int(h)] in _CHILD_DEPS else _N_DEP - 1
                         for h in uniq.tolist()], dtype=numpy.int64)
    return codes[inverse.reshape(-1)] if len(uniq) else numpy.zeros(len(doc), dtype=numpy.int64)


def pair_relations(heads: numpy.ndarray, deps: numpy.ndarray, cue_start: numpy.ndarray, cue_end: numpy.ndarray,
                   tokens: numpy.ndarray, cue: numpy.ndarray, sid: numpy.ndarray) -> numpy.ndarray:
    """The relation id (0..N_RELATIONS-1) of every (cue, token) pair of a document, all at
    once: ``cue[i]`` is the index, in ``cue_start``/``cue_end``, of the cue of the pair with
    token ``tokens[i]``; ``deps`` is :func:`dep_codes` of the doc."""
    roots = numpy.array([span_root(heads, int(a), int(b)) for a, b in zip(cue_start, cue_end)], dtype=numpy.int64)
    cs, ce, root = cue_start[cue], cue_end[cue], roots[cue]
    d = numpy.where(tokens < cs, tokens - cs, numpy.where(tokens >= ce, tokens - (ce - 1), 0))
    dist = _dist_bucket(d)
    # in the cue's subtree: the root is among the token's ancestors; above it: the token is
    # among the root's (each walk stops at a sentence root, and after 30 heads as
    # link.ancestors does)
    cur = tokens.copy()
    below = cur == root
    for _ in range(30):
        nxt = heads[cur]
        below |= nxt == root
        if (nxt == cur).all():
            break
        cur = nxt
    above = numpy.zeros(len(tokens), dtype=bool)
    cur, done = root.copy(), numpy.zeros(len(tokens), dtype=bool)
    for _ in range(30):
        nxt = heads[cur]
        done |= nxt == cur
        if done.all():
            break
        above |= (nxt == tokens) & ~done
        cur = nxt
    in_cue = (tokens >= cs) & (tokens < ce)
    tree = numpy.where(in_cue, 0, numpy.where(below, 1, numpy.where(above, 2, 3)))
    child = heads[tokens] == root
    dep_ids = numpy.where(child, deps[tokens], 0)
    same = (sid[tokens] == sid[cs]).astype(numpy.int64)
    return ((dist * _N_TREE + tree) * _N_DEP + dep_ids) * 2 + same


def make_pairs(doc: Doc, cues: Sequence[Tuple[int, int]]) -> Tuple[PairIndex, List[Tuple[int, int]]]:
    """The step's pairs for the cues [start, end) of ``doc``, and each cue's window."""
    windows = cue_windows(doc, cues)
    if not cues:
        empty = numpy.zeros((0,), dtype=numpy.int64)
        return PairIndex(empty, empty, empty, empty, empty), windows
    heads = heads_array(doc)
    starts = numpy.array([c[0] for c in cues], dtype=numpy.int64)
    ends = numpy.array([c[1] for c in cues], dtype=numpy.int64)
    sizes = numpy.array([b - a for a, b in windows], dtype=numpy.int64)
    cue = numpy.repeat(numpy.arange(len(cues), dtype=numpy.int64), sizes)
    offsets = numpy.concatenate([[0], numpy.cumsum(sizes)[:-1]])
    tok = numpy.arange(len(cue), dtype=numpy.int64) - offsets[cue] + numpy.array([a for a, _ in windows])[cue]
    rel = pair_relations(heads, dep_codes(doc), starts, ends, tok, cue, sent_ids(doc))
    return PairIndex(starts, ends, tok, cue, rel), windows


def gold_cues_and_targets(ref: Doc) -> Tuple[List[Tuple[int, int]], Dict[int, List[Tuple[str, int, int]]]]:
    """The gold cues of a reference Doc and, per cue, its (role, start, end) content and source
    spans (from the quote group's ``cue`` and ``speaker`` indices)."""
    if CUE_KEY not in ref.spans or QUOTES_KEY not in ref.spans:
        return [], {}
    cue_group = ref.spans[CUE_KEY]
    cues = [(s.start, s.end) for s in cue_group]
    speakers = [(s.start, s.end) for s in ref.spans[SPEAKER_KEY]] if SPEAKER_KEY in ref.spans else []
    quotes = ref.spans[QUOTES_KEY]
    cue_idx = quotes.attrs.get("cue", [-1] * len(quotes))
    spk_idx = quotes.attrs.get("speaker", [-1] * len(quotes))
    roles: Dict[int, List[Tuple[str, int, int]]] = {j: [] for j in range(len(cues))}
    for q, c, s in zip(quotes, cue_idx, spk_idx):
        if c is None or c < 0 or c >= len(cues):
            continue
        roles[c].append(("CONTENT", q.start, q.end))
        if s is not None and 0 <= s < len(speakers):
            roles[c].append(("SOURCE", speakers[s][0], speakers[s][1]))
    return cues, roles


def pair_targets(pairs: PairIndex, windows: List[Tuple[int, int]],
                 roles: Dict[int, List[Tuple[str, int, int]]]) -> numpy.ndarray:
    """Gold HEAD_TAGS index of each pair (one-hot rows)."""
    target = numpy.zeros((len(pairs), len(HEAD_TAGS)), dtype="f")
    tags = numpy.zeros(len(pairs), dtype=numpy.int64)
    offset = 0
    for j, (a, b) in enumerate(windows):
        local = numpy.zeros(b - a, dtype=numpy.int64)
        for role, s, e in sorted(roles.get(j, []), key=lambda r: r[0] == "CONTENT"):  # contents win
            s, e = max(s, a), min(e, b)
            if s >= e:
                continue
            if e - s == 1:
                local[s - a] = _HEAD_INDEX[f"U-{role}"]
            else:
                local[s - a] = _HEAD_INDEX[f"B-{role}"]
                local[s - a + 1:e - a - 1] = _HEAD_INDEX[f"I-{role}"]
                local[e - a - 1] = _HEAD_INDEX[f"L-{role}"]
        tags[offset:offset + b - a] = local
        offset += b - a
    target[numpy.arange(len(pairs)), tags] = 1.0
    return target


def decode_step(probs: numpy.ndarray, windows: List[Tuple[int, int]],
                outside_penalty: float = 0.0) -> List[List[RoleSpan]]:
    """Per cue, its content and source spans (document offsets) from the step's probabilities
    (the BILUO search over the step's 9 tags)."""
    return decode_steps([probs], [windows], outside_penalty)[0]


def decode_steps(probs: Sequence[numpy.ndarray], windows: Sequence[List[Tuple[int, int]]],
                 outside_penalty: float = 0.0) -> List[List[List[RoleSpan]]]:
    """:func:`decode_step` of several documents, their cues' windows searched side by side in
    one batch (a document's few cues alone would each take a short batch's every step)."""
    pieces, owners = [], []
    for i, (p, wins) in enumerate(zip(probs, windows)):
        offset = 0
        for a, b in wins:
            pieces.append(p[offset:offset + b - a])
            owners.append((i, a))
            offset += b - a
    paths = viterbi_biluo_batch(pieces, outside_penalty=outside_penalty, tags=HEAD_TAGS) if pieces else []
    out: List[List[List[RoleSpan]]] = [[] for _ in probs]
    for (i, a), piece, path in zip(owners, pieces, paths):
        spans = tags_to_spans(path, piece, tags=HEAD_TAGS)
        out[i].append([RoleSpan(s.role, s.start + a, s.end + a, s.score) for s in spans])
    return out


def _best_first(candidates: Iterable[RoleSpan], blocked: Iterable[RoleSpan]) -> List[RoleSpan]:
    """Candidates best score first, each unless it overlaps one taken or one of ``blocked``."""
    block = SpanIndex((b.start, b.end) for b in blocked)
    taken: List[RoleSpan] = []
    starts: List[Tuple[int, int]] = []  # the taken, sorted: (start, end); they overlap no other,
    ends: List[int] = []  # so their ends are sorted too
    for s in sorted(candidates, key=lambda s: (-s.score, s.start)):
        i = bisect_left(starts, (s.end, -1))  # the taken that start before s ends
        if (i > 0 and ends[i - 1] > s.start) or block.hits(s.start, s.end):
            continue
        taken.append(s)
        j = bisect_left(starts, (s.start, s.end))
        starts.insert(j, (s.start, s.end))
        ends.insert(j, s.end)
    return taken


def _runs_into_a_cue(spans: List[RoleSpan], cues: List[RoleSpan]) -> List[bool]:
    """Per span, whether it overlaps a cue without holding all of it."""
    index = SpanIndex((c.start, c.end) for c in cues)
    return [any(not (s.start <= a and b <= s.end) for a, b in index.overlapping(s.start, s.end)) for s in spans]


def merge_spans(spans: List[RoleSpan], per_cue: List[List[RoleSpan]],
                fill_score: float = FILL_SCORE) -> List[RoleSpan]:
    """The first tagger's spans with the step's sources in place of theirs, and the step's
    contents where the first tagger has none.

    Sources: the step's of all cues, best first, each unless it overlaps one already taken;
    then the first tagger's that overlap none of them. Contents: the first tagger's, then the
    step's of at least ``fill_score`` that overlap no content or cue already there. (Putting
    the step's contents in place of the tagger's too lost 4 points of exact content F on
    PolNeAR dev for 1.5 of link accuracy; filling only gains the link accuracy and the
    indirect recall: docs/benchmarks.md.) Each overlap test is a bisection, so a document
    of thousands of quotes merges in about linear time.
    """
    cues = [s for s in spans if s.role == "CUE"]
    contents = [s for s in spans if s.role == "CONTENT"]
    steps = [s for spans_ in per_cue for s in spans_]
    sources = _best_first((s for s in steps if s.role == "SOURCE"), [])
    taken = SpanIndex((s.start, s.end) for s in sources)
    sources += [s for s in spans if s.role == "SOURCE" and not taken.hits(s.start, s.end)]
    filled = _best_first((s for s in steps if s.role == "CONTENT" and s.score >= fill_score), contents + cues)
    out = [s for s in spans if s.role not in ("CONTENT", "SOURCE")] + contents + sources + filled
    # a step span that runs into a cue of the first tagger, without holding all of it (a
    # nested attribution), gives way to the cue
    into = _runs_into_a_cue(out, cues)
    out = [s for s, bad in zip(out, into) if s.role == "CUE" or not bad]
    return sorted(out, key=lambda s: (s.start, s.end))


class StepScores:
    """What ``QuotePipe.predict`` gives for one document when the model has the step: the tag
    probabilities, their BILUO path, the path's spans (read once: the step's cues come from
    them and ``set_annotations`` merges into them) and the step's spans for each cue found."""

    __slots__ = ("probs", "path", "spans", "per_cue")

    def __init__(self, probs: numpy.ndarray, path: numpy.ndarray, spans: List[RoleSpan],
                 per_cue: List[List[RoleSpan]]) -> None:
        self.probs = probs
        self.path = path
        self.spans = spans
        self.per_cue = per_cue


def _mod_relations(pairs: PairIndex, n_relations: int) -> PairIndex:
    pairs.relation = pairs.relation % n_relations
    return pairs


def run_step(step, docs: Sequence[Doc], vectors: Sequence[numpy.ndarray], paths: Sequence[numpy.ndarray],
             probs: Sequence[numpy.ndarray], outside_penalty: float = 0.0, max_pairs: int = 200_000) -> List[StepScores]:
    """Run the step on the cues of each document's path; the step's model is called on groups
    of documents of at most about ``max_pairs`` pairs."""
    n_rel = int(step.attrs.get("n_relations", N_RELATIONS))
    made, path_spans = [], []
    for doc, path, p in zip(docs, paths, probs):
        path_spans.append(tags_to_spans(path, p))
        pairs, windows = make_pairs(doc, [(s.start, s.end) for s in path_spans[-1] if s.role == "CUE"])
        made.append((_mod_relations(pairs, n_rel), windows))
    head_probs: List[numpy.ndarray] = []
    group: List[int] = []
    n_pairs = 0

    def flush() -> None:
        if group:
            out = step.predict(([step.ops.asarray2f(vectors[i]) for i in group], [made[i][0] for i in group]))
            head_probs.extend(step.ops.to_numpy(o) for o in out)
            group.clear()

    for i, (pairs, _) in enumerate(made):
        if group and n_pairs + len(pairs) > max_pairs:
            flush()
            n_pairs = 0
        group.append(i)
        n_pairs += len(pairs)
    flush()
    per_cue = decode_steps(head_probs, [windows for _, windows in made], outside_penalty)
    return [StepScores(p, path, spans, cues) for p, path, spans, cues in zip(probs, paths, path_spans, per_cue)]


def step_loss(step, examples, vectors) -> Tuple[float, List[numpy.ndarray]]:
    """The step's loss on the gold cues of a batch (sum of squared gradients, as ``get_loss``)
    and the gradient of its input token vectors per example: (loss, d_vectors)."""
    n_rel = int(step.attrs.get("n_relations", N_RELATIONS))
    pairs_list, targets = [], []
    for eg in examples:
        pred, ref = eg.predicted, eg.reference
        if len(pred) != len(ref):  # a different tokenisation: no gold cues for the step
            cues, roles = [], {}
        else:
            cues, roles = gold_cues_and_targets(ref)
        pairs, windows = make_pairs(pred, cues)
        pairs_list.append(_mod_relations(pairs, n_rel))
        targets.append(pair_targets(pairs, windows, roles))
    out, backprop = step.begin_update((list(vectors), pairs_list))
    grads = [o - step.ops.asarray2f(t) for o, t in zip(out, targets)]
    loss = float(sum(float((g ** 2).sum()) for g in grads))
    d_vectors, _ = backprop(grads)
    return loss, d_vectors


__all__ = ["FILL_SCORE", "N_RELATIONS", "WINDOW_TOKENS", "StepScores", "cue_windows", "decode_step", "decode_steps", "dep_codes",
           "gold_cues_and_targets", "make_pairs", "merge_spans", "pair_relations", "pair_targets", "run_step", "step_loss"]
