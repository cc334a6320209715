"""From per-token tag probabilities to linked quotes.

1. :func:`viterbi_biluo` picks the best tag sequence that is a valid BILUO sequence.
2. :func:`tags_to_spans` reads the role spans off it, with a confidence per span.
3. :mod:`.link` then links each content span to a cue and each cue to a speaker.
"""
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy

from ..tags import ROLES, TAGS

_NEG = -1e9


@lru_cache(maxsize=8)
def _transition_mask(tags: Tuple[str, ...]) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Which tag may follow which in a valid BILUO sequence over ``tags`` (its first tag is
    ``O``), which may start one and which may end one."""
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




def viterbi_biluo(probs: numpy.ndarray, outside_penalty: float = 0.0) -> numpy.ndarray:
    """The most probable valid BILUO tag sequence.

    probs (numpy.ndarray): (n_tokens, n_tags) probabilities.
    outside_penalty (float): subtracted from the log probability of ``O`` at every token: a
        prior that trades precision for recall (0: the plain most probable sequence).
    RETURNS (numpy.ndarray): (n_tokens,) tag indices.
    """
    return viterbi_biluo_batch([probs], outside_penalty=outside_penalty)[0]


def viterbi_biluo_batch(batch: Sequence[numpy.ndarray], outside_penalty: float = 0.0,
                        tags: Sequence[str] = TAGS) -> List[numpy.ndarray]:
    """:func:`viterbi_biluo` for several documents at once.

    The documents are searched side by side (padded with certain ``O`` tokens, which any
    valid sequence may end before), so each step of the search is one set of array
    operations for the whole batch instead of one per document.

    batch (Sequence[numpy.ndarray]): (n_tokens, n_tags) probabilities per document.
    outside_penalty (float): see :func:`viterbi_biluo`.
    tags (Sequence[str]): the tags of the probabilities' columns (default: all of
        :data:`TAGS`; the attribution step searches over its 9 tags alone), ``O`` first.
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
            _viterbi_group(batch, lengths, group, out, outside_penalty, tuple(tags))
            group = []
        group.append(i)
    if group:
        _viterbi_group(batch, lengths, group, out, outside_penalty, tuple(tags))
    return out


@lru_cache(maxsize=8)
def _predecessors(tags: Tuple[str, ...]) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The structure of the BILUO transitions, for a search without an n_tags x n_tags matrix:
    a tag that opens a span or is ``O`` may follow exactly the tags that close one (``O``,
    ``L-*``, ``U-*``: ``free``); ``I-X`` and ``L-X`` exactly ``B-X`` and ``I-X`` (row X of
    ``inside``). ``choice[j]`` is 0 for the first kind and 1 + X for the second."""
    free = numpy.array([i for i, t in enumerate(tags) if t == "O" or t[0] in "LU"], dtype=numpy.int64)
    roles = sorted({t[2:] for t in tags if t != "O"}, key=lambda r: min(i for i, t in enumerate(tags) if t[2:] == r))
    inside = numpy.array([sorted([tags.index(f"B-{r}"), tags.index(f"I-{r}")]) for r in roles], dtype=numpy.int64)
    choice = numpy.array([0 if t == "O" or t[0] in "BU" else 1 + roles.index(t[2:]) for t in tags], dtype=numpy.int64)
    allowed, _, _ = _transition_mask(tags)
    for j in range(len(tags)):  # the same transitions as the mask
        prev = free if choice[j] == 0 else inside[choice[j] - 1]
        assert set(numpy.flatnonzero(allowed[:, j]).tolist()) == set(prev.tolist())
    return free, inside, choice


def _viterbi_group(batch: Sequence[numpy.ndarray], lengths: List[int], live: List[int],
                   out: List[numpy.ndarray], outside_penalty: float = 0.0, tags: Tuple[str, ...] = tuple(TAGS)) -> None:
    """Search the documents ``live`` of ``batch`` side by side; write their paths to ``out``."""
    _, start_ok, end_ok = _transition_mask(tags)
    free, inside, choice = _predecessors(tags)
    n_tags = len(tags)
    T = max(lengths[i] for i in live)
    B = len(live)
    logp = numpy.full((T, B, n_tags), _NEG, dtype=numpy.float64)
    logp[:, :, 0] = 0.0  # padding: certain O
    for j, i in enumerate(live):
        logp[: lengths[i], j] = numpy.log(numpy.clip(batch[i], 1e-9, 1.0))
        if outside_penalty:
            logp[: lengths[i], j, 0] -= outside_penalty
    back = numpy.zeros((T, B, n_tags), dtype=numpy.int8)
    score = logp[0] + numpy.where(start_ok, 0.0, _NEG)[None, :]
    rows = numpy.arange(B)
    for t in range(1, T):
        # the best predecessor of each kind (the first of equal ones, as an argmax over all)
        f = score[:, free].argmax(axis=1)
        ins = score[:, inside]  # (B, roles, 2)
        k = ins.argmax(axis=2)
        prev = numpy.concatenate([free[f][:, None], inside[numpy.arange(len(inside))[None, :], k]], axis=1)
        best = prev[:, choice]  # (B, n_tags)
        back[t] = best
        score = score[rows[:, None], best] + logp[t]
    score = score + numpy.where(end_ok, 0.0, _NEG)[None, :]
    path = numpy.zeros((T, B), dtype=numpy.int32)
    path[-1] = score.argmax(axis=1)
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, rows, path[t]]
    for j, i in enumerate(live):
        out[i] = path[: lengths[i], j].copy()


@dataclass
class RoleSpan:
    role: str
    start: int  # token index
    end: int
    score: float


class SpanIndex:
    """Token ranges [a, b) sorted by start, with the running maximum of their ends: which of
    a document's (possibly thousands of, possibly overlapping) spans share a token with
    [start, end), by bisection instead of a scan."""

    def __init__(self, ranges: Iterable[Tuple[int, int]]) -> None:
        self.ranges = sorted(ranges)
        self.starts = [a for a, _ in self.ranges]
        self.max_end: List[int] = []
        for _, b in self.ranges:
            self.max_end.append(max(b, self.max_end[-1]) if self.max_end else b)

    def overlapping(self, start: int, end: int) -> List[Tuple[int, int]]:
        """The ranges that share a token with [start, end) (``a < end and start < b``)."""
        out = []
        i = bisect_left(self.starts, end) - 1  # the ranges from here back start before ``end``
        while i >= 0 and self.max_end[i] > start:  # none before i ends after ``start``
            if self.ranges[i][1] > start:
                out.append(self.ranges[i])
            i -= 1
        return out

    def hits(self, start: int, end: int) -> bool:
        """Whether any range shares a token with [start, end)."""
        i = bisect_left(self.starts, end)
        return i > 0 and self.max_end[i - 1] > start


def tags_to_spans(path: numpy.ndarray, probs: numpy.ndarray, tags: Sequence[str] = TAGS) -> List[RoleSpan]:
    """Read role spans off a BILUO tag path.

    path (numpy.ndarray): tag indices from :func:`viterbi_biluo`.
    probs (numpy.ndarray): the tag probabilities, for the span confidences.
    tags (Sequence[str]): the tag of each index (default :data:`TAGS`).
    RETURNS (List[RoleSpan]): the spans in order.
    """
    spans: List[RoleSpan] = []
    if len(path) == 0:
        return spans
    conf = probs[numpy.arange(len(path)), path].astype(numpy.float64)
    csum = numpy.concatenate([[0.0], numpy.cumsum(conf)]).tolist()  # a span's mean confidence in O(1)
    start: Optional[int] = None
    for i, t in enumerate(path.tolist()):
        tag = tags[t]
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
            spans.append(RoleSpan(role, start, i + 1, (csum[i + 1] - csum[start]) / (i + 1 - start)))
            start = None
    return spans


__all__ = ["viterbi_biluo", "viterbi_biluo_batch", "tags_to_spans", "RoleSpan", "SpanIndex", "ROLES", "TAGS"]
