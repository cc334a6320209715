"""Scoring quotes against gold annotations.

Per role (content, cue, speaker), precision / recall / F1 with

* **exact** match: same character offsets (``quotes_content_f``, ...), and
* **overlap** match: a predicted span counts when it shares a token with a gold span of the
  same role, a gold span is found when a predicted span shares a token with it
  (``quotes_content_overlap_f``, ...), the lenient measure of the PARC / PolNeAR literature.

Links: ``quotes_link_acc`` is the share of gold quotes (content spans) that are found (overlap)
and whose predicted cue and speaker overlap the gold cue and speaker (both absent counts as a
match). Speaker mentions that the resolver adds from the context (label ``RESOLVED``) are
left out of the speaker role's P/R/F. ``quotes_speaker_name_acc`` is the share of gold quotes with a gold ``speaker_name`` that
are found and whose predicted ``speaker_name`` names the same speaker (case, accents, a leading
"the" and the British/American "defence"/"defense" spelling aside). Per quote type,
``quotes_{type}_content_r`` is the exact-match recall of gold quotes of that type.

Not-quotes: where the gold docs mark spans that are no attribution (the ``quotes_not_quote``
group, from an annotation file's ``not_quotes``), ``quotes_not_quote_fp`` counts the predicted
quotes whose content overlaps one of them and no gold quote's content (false positives of
these classes), ``quotes_not_quote_n`` the gold not-quotes, ``quotes_not_quote_fp_rate`` the
share of them that a predicted quote falls on, and ``quotes_not_quote_per_kind`` both counts
per class (``{"scare": {"n": 4, "fp": 1}, ...}``). They are None where the gold has none.
"""
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from ..layout import NOT_QUOTE_KEY
from ..quote import CUE_KEY, QUOTE_TYPES, QUOTES_KEY, SPEAKER_KEY, get_quotes
from ..speakers import RESOLVED_LABEL
from ..text import norm_name

ROLE_KEYS = (("content", QUOTES_KEY), ("cue", CUE_KEY), ("speaker", SPEAKER_KEY))


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> Tuple[float, float, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _char_spans(doc: Doc, key: str) -> List[Tuple[int, int]]:
    if key not in doc.spans:
        return []
    # speaker mentions that the resolver found in the context are scored by link and name
    # accuracy, not as mentions the text marks as the source
    return [(s.start_char, s.end_char) for s in doc.spans[key] if s.label_ != RESOLVED_LABEL]


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _count_overlap(xs: List[Tuple[int, int]], ys: List[Tuple[int, int]]) -> int:
    """How many spans of xs overlap some span of ys (both sorted by start), in linear time."""
    ys = sorted(ys)
    xs = sorted(xs)
    count, j = 0, 0
    for x in xs:
        while j < len(ys) and ys[j][1] <= x[0]:
            j += 1
        count += j < len(ys) and _overlaps(x, ys[j])
    return count


def normalize_name(name: Optional[str]) -> str:
    """The form in which gold and predicted speaker names are compared
    (:func:`spacy_quotes.text.norm_name`: case, accents, a leading article and spelling
    variants aside).

    name (Optional[str]): a ``speaker_name`` value.
    RETURNS (str): the normalised name ("" for None).
    """
    return norm_name(name)


def _find(pred: List[Tuple[int, int]], gold: Tuple[int, int]) -> int:
    """Index of the predicted span that matches gold exactly, else of the one that overlaps it
    most, or -1. (An exact match comes first: a quote nested in another's content overlaps
    gold no more than the outer one does.)"""
    for i, p in enumerate(pred):
        if p == gold:
            return i
    best, best_ov = -1, 0
    for i, p in enumerate(pred):
        ov = min(p[1], gold[1]) - max(p[0], gold[0])
        if ov > best_ov:
            best, best_ov = i, ov
    return best


def _not_quote_hits(pred_doc: Doc, gold_doc: Doc, per_kind: Dict[str, Dict[str, int]]) -> int:
    """Count, per kind, the gold not-quotes of gold_doc and those a predicted quote falls on;
    RETURNS (int): the predicted quotes that fall on a not-quote and on no gold quote."""
    if NOT_QUOTE_KEY not in gold_doc.spans or not len(gold_doc.spans[NOT_QUOTE_KEY]):
        return 0
    not_quotes = [((s.start_char, s.end_char), s.label_) for s in gold_doc.spans[NOT_QUOTE_KEY]]
    gold = _char_spans(gold_doc, QUOTES_KEY)
    pred = [p for p in _char_spans(pred_doc, QUOTES_KEY) if not any(_overlaps(p, g) for g in gold)]
    for span, kind in not_quotes:
        c = per_kind.setdefault(kind, {"n": 0, "fp": 0})
        c["n"] += 1
        c["fp"] += any(_overlaps(span, p) for p in pred)
    return sum(1 for p in pred if any(_overlaps(span, p) for span, _ in not_quotes))


def score_quotes(examples: Iterable[Example], **kwargs: Any) -> Dict[str, Any]:
    """Score the quotes of predicted docs against the gold docs.

    examples (Iterable[Example]): examples with predictions.
    RETURNS (Dict[str, Any]): the scores (see the module docstring).
    """
    counts: Dict[str, List[int]] = {}
    link_ok = link_n = name_ok = name_n = 0
    type_found = {t: 0 for t in QUOTE_TYPES}
    type_n = {t: 0 for t in QUOTE_TYPES}
    not_quote_fp = 0
    per_kind: Dict[str, Dict[str, int]] = {}
    for eg in examples:
        pred_doc, gold_doc = eg.predicted, eg.reference
        not_quote_fp += _not_quote_hits(pred_doc, gold_doc, per_kind)
        for role, key in ROLE_KEYS:
            pred = _char_spans(pred_doc, key)
            gold = _char_spans(gold_doc, key)
            pset: Set[Tuple[int, int]] = set(pred)
            gset: Set[Tuple[int, int]] = set(gold)
            exact = len(pset & gset)
            c = counts.setdefault(role, [0, 0, 0, 0, 0, 0])
            c[0] += exact
            c[1] += len(pset)
            c[2] += len(gset)
            c[3] += _count_overlap(list(pset), list(gset))
            c[4] += _count_overlap(list(gset), list(pset))
        gold_quotes = get_quotes(gold_doc)
        pred_quotes = get_quotes(pred_doc)
        pred_content = [(q.content.start_char, q.content.end_char) for q in pred_quotes]
        pred_exact = set(pred_content)
        for gq in gold_quotes:
            g = (gq.content.start_char, gq.content.end_char)
            type_n[gq.type] += 1
            type_found[gq.type] += g in pred_exact
            i = _find(pred_content, g)
            link_n += 1
            pq = pred_quotes[i] if i >= 0 else None
            if pq is not None and _same(pq.cue, gq.cue) and _same(pq.speaker, gq.speaker):
                link_ok += 1
            if gq.speaker_name:
                name_n += 1
                if pq is not None and normalize_name(pq.speaker_name) == normalize_name(gq.speaker_name):
                    name_ok += 1
    scores: Dict[str, Any] = {}
    for role, (tp, n_pred, n_gold, ov_p, ov_g, _) in counts.items():
        p, r, f = _prf(tp, n_pred, tp, n_gold)
        scores[f"quotes_{role}_p"], scores[f"quotes_{role}_r"], scores[f"quotes_{role}_f"] = p, r, f
        p, r, f = _prf(ov_p, n_pred, ov_g, n_gold)
        scores[f"quotes_{role}_overlap_p"] = p
        scores[f"quotes_{role}_overlap_r"] = r
        scores[f"quotes_{role}_overlap_f"] = f
    for role, _ in ROLE_KEYS:
        for metric in ("p", "r", "f", "overlap_p", "overlap_r", "overlap_f"):
            scores.setdefault(f"quotes_{role}_{metric}", 0.0)
    scores["quotes_link_acc"] = link_ok / link_n if link_n else 0.0
    scores["quotes_speaker_name_acc"] = name_ok / name_n if name_n else None
    for t in QUOTE_TYPES:
        scores[f"quotes_{t}_content_r"] = type_found[t] / type_n[t] if type_n[t] else None
    scores["quotes_n_gold"] = link_n
    n_not = sum(c["n"] for c in per_kind.values())
    scores["quotes_not_quote_n"] = n_not if n_not else None
    scores["quotes_not_quote_fp"] = not_quote_fp if n_not else None
    scores["quotes_not_quote_fp_rate"] = sum(c["fp"] for c in per_kind.values()) / n_not if n_not else None
    scores["quotes_not_quote_per_kind"] = {k: dict(v) for k, v in sorted(per_kind.items())} if n_not else None
    return scores


def _same(pred_span, gold_span) -> bool:
    if pred_span is None or gold_span is None:
        return pred_span is None and gold_span is None
    return _overlaps((pred_span.start_char, pred_span.end_char), (gold_span.start_char, gold_span.end_char))


@registry.scorers("spacy_quotes.quote_scorer.v1")
def make_quote_scorer() -> Callable[..., Dict[str, Any]]:
    """RETURNS (Callable): the quotes scorer (see :func:`score_quotes`)."""
    return score_quotes
