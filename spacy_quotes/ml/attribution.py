"""The cue-anchored attribution step: a second tagger that relabels the tokens around each cue.

The first tagger gives one tag per token for the whole document, so it cannot tell which cue a
content belongs to: two attributions side by side run together, a content swallows the next
one's cue, an edge of the content goes to the cue or the source. The attribution step takes
one cue at a time and tags, for that cue alone, the tokens of a window around it (the
sentences before, of and after the cue) with the content and source of *this* attribution
(BILUO over CONTENT and SOURCE, 9 tags), like a predicate-anchored semantic role labeller.

Each (cue, token) pair is scored from the token's vector, the cue's vector (the mean of its
tokens') and an embedding of how the token stands to the cue (signed distance in buckets,
whether it lies in the cue's subtree or above it, its dependency label when it hangs from the
cue, whether it is in the cue's sentence). The first layer is linear in the concatenation, so it
is computed per token, per cue and per relation and only added per pair (a pair costs a few
additions, not a matrix product), then a maxout and a softmax.

``spacy_quotes.AttributionTagger.v1`` is ``spacy_quotes.QuoteTagger.v1`` with this step beside
the tag softmax: both read the same token vectors and train together (``QuotePipe.update``).
"""
from typing import Callable, List, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, Softmax, chain, with_array, zero_init
from thinc.types import Floats2d

from ..tags import ROLES, TAGS
from .model import takes_spans

# The step's tags: BILUO over the content and source of one attribution.
HEAD_ROLES = ("CONTENT", "SOURCE")
HEAD_TAGS: List[str] = ["O"] + [f"{p}-{r}" for r in HEAD_ROLES for p in "BILU"]
# Where each of them sits among the first tagger's TAGS (for the shared BILUO search).
HEAD_TO_TAGS = numpy.array([TAGS.index(t) for t in HEAD_TAGS], dtype=numpy.int64)
assert set(HEAD_ROLES) <= set(ROLES)


class PairIndex:
    """The (cue, token) pairs of one document for the attribution step.

    cue_start, cue_end (numpy.ndarray): (k,) token offsets of the k cues.
    token (numpy.ndarray): (m,) the token of each pair.
    cue (numpy.ndarray): (m,) the cue (0..k-1) of each pair.
    relation (numpy.ndarray): (m,) the relation id of each pair (see pipeline.attribution).
    """

    __slots__ = ("cue_start", "cue_end", "token", "cue", "relation")

    def __init__(self, cue_start, cue_end, token, cue, relation) -> None:
        self.cue_start = numpy.asarray(cue_start, dtype=numpy.int64)
        self.cue_end = numpy.asarray(cue_end, dtype=numpy.int64)
        self.token = numpy.asarray(token, dtype=numpy.int64)
        self.cue = numpy.asarray(cue, dtype=numpy.int64)
        self.relation = numpy.asarray(relation, dtype=numpy.int64)

    def __len__(self) -> int:
        return int(self.token.shape[0])


def _pair_forward(model: Model, inputs: Tuple[List[Floats2d], List[PairIndex]], is_train: bool):
    """Maxout pre-activations of every pair: W_t h_token + W_c h_cue + E[relation] + b."""
    Hs, pairs = inputs
    ops = model.ops
    xp = ops.xp
    Wt, Wc, E, b = (model.get_param(name) for name in ("Wt", "Wc", "E", "b"))
    nH, nP = model.get_dim("nH"), model.get_dim("nP")
    pre_list, saved = [], []
    for H, p in zip(Hs, pairs):
        if not len(p):
            pre_list.append(ops.alloc2f(0, nH * nP))
            saved.append(None)
            continue
        csum = xp.vstack([xp.zeros((1, H.shape[1]), dtype=H.dtype), xp.cumsum(H, axis=0)])
        lengths = (p.cue_end - p.cue_start).astype(H.dtype)[:, None]
        C = (csum[p.cue_end] - csum[p.cue_start]) / lengths
        T = H @ Wt.T  # (n, nH*nP): per token, not per pair
        K = C @ Wc.T  # (k, nH*nP): per cue
        pre = T[p.token]
        pre += K[p.cue]
        pre += E[p.relation]
        pre += b
        pre_list.append(pre)
        saved.append((H, C, lengths))
    pre = xp.vstack(pre_list) if pre_list else ops.alloc2f(0, nH * nP)
    pre3 = pre.reshape((-1, nH, nP))
    if not is_train:  # prediction: the maxima alone, piece by piece (a reduction over an
        # axis of nP = 2-4 is several times slower than nP - 1 element-wise maxima)
        best = pre3[..., 0].copy()
        for piece in range(1, nP):
            xp.maximum(best, pre3[..., piece], out=best)
        return best, lambda d_out: ([xp.zeros_like(H) for H in Hs], pairs)
    which = pre3.argmax(axis=-1)
    out = xp.take_along_axis(pre3, which[..., None], axis=-1)[..., 0]

    def backprop(d_out: Floats2d):
        d_pre3 = xp.zeros(pre3.shape, dtype=pre3.dtype)
        xp.put_along_axis(d_pre3, which[..., None], d_out[..., None], axis=-1)
        d_pre = d_pre3.reshape((-1, nH * nP))
        dWt, dWc = xp.zeros_like(Wt), xp.zeros_like(Wc)
        dE = xp.zeros_like(E)
        dHs = []
        start = 0
        for (H_, p), keep in zip(zip(Hs, pairs), saved):
            if keep is None:
                dHs.append(xp.zeros_like(H_))
                continue
            H, C, lengths = keep
            d = d_pre[start:start + len(p)]
            start += len(p)
            dT = xp.zeros((H.shape[0], nH * nP), dtype=d.dtype)
            xp.add.at(dT, p.token, d)
            dK = xp.zeros((C.shape[0], nH * nP), dtype=d.dtype)
            xp.add.at(dK, p.cue, d)
            xp.add.at(dE, p.relation, d)
            dWt += dT.T @ H
            dWc += dK.T @ C
            dH = dT @ Wt
            dC = (dK @ Wc) / lengths
            # the cue vector is the mean of its tokens: spread dC over them (difference array)
            diff = xp.zeros((H.shape[0] + 1, H.shape[1]), dtype=d.dtype)
            xp.add.at(diff, p.cue_start, dC)
            xp.add.at(diff, p.cue_end, -dC)
            dH += xp.cumsum(diff, axis=0)[:-1]
            dHs.append(dH)
        model.inc_grad("Wt", dWt)
        model.inc_grad("Wc", dWc)
        model.inc_grad("E", dE)
        model.inc_grad("b", d_pre.sum(axis=0))
        return dHs, pairs

    return out, backprop


def _pair_init(model: Model, X=None, Y=None) -> None:
    nI, nH, nP, nR = (model.get_dim(d) for d in ("nI", "nH", "nP", "nR"))
    ops = model.ops
    scale = 1.0 / numpy.sqrt(2 * nI + 16)
    rng = numpy.random.default_rng(7)
    for name, shape in (("Wt", (nH * nP, nI)), ("Wc", (nH * nP, nI)), ("E", (nR, nH * nP))):
        model.set_param(name, ops.asarray2f(rng.normal(0.0, scale, shape).astype("f")))
    model.set_param("b", ops.alloc1f(nH * nP))


def pair_maxout(nI: int, nH: int, nP: int, n_relations: int) -> Model:
    """(token vectors, pairs) -> (n_pairs, nH) maxout outputs of all pairs, concatenated."""
    return Model(
        "attribution_pairs", _pair_forward, init=_pair_init,
        dims={"nI": nI, "nH": nH, "nP": nP, "nR": n_relations, "nO": nH},
        params={"Wt": None, "Wc": None, "E": None, "b": None},
    )


def _split_forward(model: Model, inputs, is_train: bool):
    """Run the pair layers, then give each document its rows of the softmax output."""
    Hs, pairs = inputs
    scores, backprop = model.layers[0]((Hs, pairs), is_train)
    sizes = numpy.cumsum([len(p) for p in pairs])[:-1]
    per_doc = model.ops.xp.split(scores, sizes) if len(pairs) else []

    def backprop_split(d_per_doc: List[Floats2d]):
        width = scores.shape[1]
        d = model.ops.xp.vstack(d_per_doc) if d_per_doc else model.ops.alloc2f(0, width)
        return backprop(d)

    return list(per_doc), backprop_split


def _step_init(model: Model, X=None, Y=None) -> None:
    model.layers[0].initialize()


@registry.architectures("spacy_quotes.AttributionStep.v1")
def build_attribution_step(
    width: int, hidden: int = 64, maxout_pieces: int = 3, n_relations: int = 2048,
) -> Model[Tuple[List[Floats2d], List[PairIndex]], List[Floats2d]]:
    """The cue-anchored step on its own: (token vectors, pairs per doc) -> per doc, (n_pairs,
    9) probabilities over :data:`HEAD_TAGS`.

    width (int): width of the token vectors.
    hidden (int): maxout units of the pair layer.
    maxout_pieces (int): its pieces.
    n_relations (int): rows of the relation table (ids are taken modulo it).
    """
    pairs = pair_maxout(width, hidden, maxout_pieces, n_relations)
    output = Softmax(len(HEAD_TAGS), hidden, init_W=zero_init)
    inner = chain(pairs, output)
    model = Model("attribution_step", _split_forward, init=_step_init, layers=[inner], dims={"nO": len(HEAD_TAGS)})
    model.set_ref("output", output)
    model.attrs["n_relations"] = n_relations
    return model


def _tagger_forward(model: Model, docs, is_train: bool):
    tok2vec, tag_layer = model.get_ref("tok2vec"), model.get_ref("tag_layer")
    H, bp_h = tok2vec(docs, is_train)
    probs, bp_tags = tag_layer(H, is_train)

    def backprop(d_probs):
        return bp_h(bp_tags(d_probs))

    return probs, backprop


def _tagger_init(model: Model, X=None, Y=None) -> None:
    tok2vec, tag_layer = model.get_ref("tok2vec"), model.get_ref("tag_layer")
    tok2vec.initialize(X=X)
    H = tok2vec.predict(X) if X is not None else None
    tag_layer.initialize(X=H, Y=Y)
    model.get_ref("attribution").initialize()


@registry.architectures("spacy_quotes.AttributionTagger.v1")
def build_attribution_tagger(
    tok2vec: Model[List[Doc], List[Floats2d]],
    attribution: Model,
    nO: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """The tag softmax of ``spacy_quotes.QuoteTagger.v1`` and the cue-anchored attribution step
    over one tok2vec layer.

    Called on docs, the model gives the tag probabilities per token, as QuoteTagger does; the
    ``quotes`` component runs the step (ref ``attribution``) on the cues it finds.

    tok2vec (Model[List[Doc], List[Floats2d]]): the token encoder.
    attribution (Model): ``spacy_quotes.AttributionStep.v1``; its ``width`` must be the
        encoder's width.
    nO (Optional[int]): number of tags (``len(TAGS)``).
    """
    width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    output = Softmax(nO or len(TAGS), width, init_W=zero_init)
    tag_layer = with_array(output)
    model = Model(
        "attribution_tagger", _tagger_forward, init=_tagger_init,
        layers=[tok2vec, tag_layer, attribution], dims={"nO": nO or len(TAGS)},
    )
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output", output)
    model.set_ref("tag_layer", tag_layer)
    model.set_ref("attribution", attribution)
    model.attrs["takes_spans"] = takes_spans(tok2vec)
    return model


def has_attribution_step(model: Model) -> bool:
    """Whether ``model`` carries the cue-anchored step (an ``AttributionTagger``)."""
    return model.has_ref("attribution") and model.has_ref("tag_layer")


__all__ = ["HEAD_TAGS", "HEAD_TO_TAGS", "PairIndex", "build_attribution_step", "build_attribution_tagger",
           "has_attribution_step"]
