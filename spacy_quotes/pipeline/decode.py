"""From per-token tag probabilities to linked quotes.

1. :func:`viterbi_biluo` picks the best tag sequence that is a valid BILUO sequence.
2. :func:`tags_to_spans` reads the role spans off it, with a confidence per span.
3. :mod:`.link` then links each content span to a cue and each cue to a speaker.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy

from ..tags import ROLES, TAGS

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


__all__ = ["viterbi_biluo", "viterbi_biluo_batch", "tags_to_spans", "RoleSpan", "ROLES", "TAGS"]
