"""The embedding's hash tables and its mixing layer, fused for prediction.

``QuoteEmbed`` looks each token up in 17 hash tables (4 rows per table, summed), concatenates
the 17 vectors of ``table_width`` and mixes them with a Maxout layer: one matrix product of
``17 * table_width`` inputs per token, the largest single cost of the component's model. The
product is linear in each table's vector, so a table can be multiplied by its slice of the
mixing weights once (``P = E @ W_slice.T``, a row per hash bucket) and each token then only
adds its 4 * 17 rows of the products: the same pre-activations (to float rounding) for about
a tenth of the work per token. Training goes through the layers unchanged (the gradients need
them); prediction uses the products, made again whenever the weights change.

:func:`fused_hash_mix` builds the node (the same layers, names and parameters as
``chain(concatenate(*tables), mixer)``, so saved models load into it).
"""
from typing import Any, Dict, List, Optional, Tuple

import numpy
from thinc.api import Model, chain
from thinc.layers.chain import forward as _chain_forward
from thinc.layers.chain import init as _chain_init
from thinc.types import Floats2d, Ints2d

# A sub-batch of fewer tokens than this goes through the layers: making the products would
# cost more than it saves.
MIN_FUSED_TOKENS = 64


def _tables(concat: Model) -> Optional[List[Tuple[int, Model]]]:
    """(column, hashembed node) of each table of the concatenation, or None where a part is
    not a column-reading HashEmbed."""
    out = []
    for part in concat.layers:
        column = part.attrs.get("column")
        node = part.layers[-1] if part.layers else part
        if node.name != "hashembed" or column is None:
            return None
        out.append((int(column), node))
    return out


def _maxout_and_rest(mixer: Model) -> Optional[Tuple[Model, List[Model]]]:
    """The Maxout node the mixer starts with and the layers after it (layer norm, dropout),
    in order; None for another structure."""
    if mixer.name == "maxout":
        return mixer, []
    if not mixer.layers or mixer._func is not _chain_forward:
        return None
    first = _maxout_and_rest(mixer.layers[0])
    if first is None:
        return None
    return first[0], first[1] + list(mixer.layers[1:])


def _fingerprint(arrays: List[Any]) -> tuple:
    # identity and content: the optimizer may update a table in place, and an id may be reused
    return tuple((id(a), a.shape, float(a.sum()), float(a.ravel()[::97].sum())) for a in arrays)


def _products(model: Model, tables: List[Tuple[int, Model]], maxout: Model,
              held: Dict[str, Any]) -> List[Floats2d]:
    W = maxout.get_param("W")
    Es = [node.get_param("E") for _, node in tables]
    key = _fingerprint([W] + Es)
    if held.get("key") != key:
        nO, nP, nI = (maxout.get_dim(d) for d in ("nO", "nP", "nI"))
        W2 = model.ops.reshape2f(W, nO * nP, nI)
        products, offset = [], 0
        for E in Es:
            width = E.shape[1]
            products.append(model.ops.gemm(E, model.ops.as_contig(W2[:, offset:offset + width]), trans2=True))
            offset += width
        held["key"], held["products"] = key, products
    return held["products"]


def _fused_forward(model: Model, X: Ints2d, is_train: bool, held: Dict[str, Any]):
    concat, mixer = model.layers
    tables, parts = _tables(concat), _maxout_and_rest(mixer)
    if is_train or tables is None or parts is None or X.shape[0] < MIN_FUSED_TOKENS:
        return _chain_forward(model, X, is_train)
    maxout, rest = parts
    ops = model.ops
    products = _products(model, tables, maxout, held)
    nO, nP = maxout.get_dim("nO"), maxout.get_dim("nP")
    Y = ops.alloc2f(X.shape[0], nO * nP)
    Y += ops.reshape1f(maxout.get_param("b"), nO * nP)
    xp = ops.xp
    for (column, node), P in zip(tables, products):
        # each distinct value once (a column holds few: POS, DEP, the lexicon classes), then
        # one row per token
        uniq, inverse = xp.unique(X[:, column], return_inverse=True)
        keys = ops.hash(ops.as_contig(uniq, dtype="uint64"), node.attrs["seed"]) % node.get_param("E").shape[0]
        Y += ops.gather_add(P, keys)[inverse.reshape(-1)]
    out, _ = ops.maxout(ops.reshape3f(Y, Y.shape[0], nO, nP))
    for layer in rest:
        out = layer.predict(out)

    def backprop(dY: Floats2d) -> Ints2d:  # prediction only: is_train is False
        raise ValueError("the fused hash-mix layer was called for prediction; it has no gradient")

    return out, backprop


def fused_hash_mix(concat: Model, mixer: Model) -> Model[Ints2d, Floats2d]:
    """``chain(concat, mixer)`` that predicts with the fused products (module docstring).

    concat (Model): ``concatenate`` of column-reading ``HashEmbed`` tables.
    mixer (Model): the mixing ``Maxout`` (with its layer norm and dropout).
    RETURNS (Model[Ints2d, Floats2d]): the node, named and shaped as the plain chain.
    """
    plain = chain(concat, mixer)
    held: Dict[str, Any] = {}  # the products and their fingerprint: not in attrs, which are saved

    def forward(model: Model, X: Ints2d, is_train: bool):
        return _fused_forward(model, X, is_train, held)

    return Model(plain.name, forward, init=_chain_init, layers=[concat, mixer], dims=dict(plain._dims))


__all__ = ["MIN_FUSED_TOKENS", "fused_hash_mix"]
