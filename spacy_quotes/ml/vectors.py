"""Static word vectors owned by the ``quotes`` model (``spacy_quotes.QuoteEmbed.v3``).

A rare reporting verb (``lamented``, ``conceded``) gets an undertrained row of the hashed word
embedding; a pretrained vector puts it near the frequent ones. spaCy's ``StaticVectors`` reads
``doc.vocab.vectors``, but the component is added to a base pipeline whose vocab is the user's
(en_core_web_sm has no vectors), so the table lives in the layer instead: its keys (the hashes
of the lowercased words, sorted) in ``attrs`` and its vectors as the parameter ``V``, both
saved with the weights. The table is frozen (no gradient); the mixing layer after it learns
the projection, as with spaCy's static vectors.

:func:`set_static_vectors` fills it from a ``Vectors`` table at ``QuotePipe.initialize``
(the training config's ``[initialize] vectors``; ``training/static_vectors.py`` makes one).
"""
from typing import Tuple

import numpy
from spacy.vectors import Vectors
from thinc.api import Model
from thinc.types import Floats2d, Ints2d

NAME = "quote_vectors"


def vector_rows(model: Model, column: numpy.ndarray) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """The row of each key of ``column`` in the table and whether it is there (a word out of
    the table gets row 0 and False)."""
    keys = model.attrs["keys"]
    column = numpy.asarray(column, dtype=numpy.uint64)
    if not len(keys):
        return numpy.zeros(len(column), dtype="i"), numpy.zeros(len(column), dtype=bool)
    pos = numpy.minimum(numpy.searchsorted(keys, column), len(keys) - 1)
    return pos.astype("i"), keys[pos] == column


def lookup(model: Model, column: numpy.ndarray) -> Floats2d:
    """The vectors of the keys in ``column``, zeros for words out of the table."""
    rows, found = vector_rows(model, column)
    V = model.get_param("V")
    out = V[rows]
    out *= found[:, None]
    return out


def _forward(model: Model, X: Ints2d, is_train: bool):
    out = lookup(model, model.ops.to_numpy(X[:, model.attrs["column"]]))

    def backprop(dY: Floats2d) -> Ints2d:  # frozen: the mixer after it learns the projection
        return model.ops.xp.zeros(X.shape, dtype=X.dtype)

    return model.ops.asarray2f(out), backprop


def _init(model: Model, X=None, Y=None) -> None:
    if not model.has_param("V") or model.get_param("V") is None:
        raise ValueError(
            "quotes: the model reads static vectors (spacy_quotes.QuoteEmbed.v3) but has no table: "
            "give the training config [initialize] vectors = a pipeline with vectors "
            "(training/static_vectors.py makes one), or load saved weights"
        )


def static_vectors(width: int, column: int) -> Model[Ints2d, Floats2d]:
    """The layer: the vector of each row's ``column`` key (a ``LOWER`` hash), ``width`` wide."""
    return Model(
        NAME, _forward, init=_init, dims={"nO": width}, params={"V": None},
        attrs={"column": column, "keys": numpy.zeros(0, dtype=numpy.uint64)},
    )


def set_static_vectors(model: Model, vectors: Vectors) -> int:
    """Copy ``vectors`` (keys: hashes of lowercased words) into every static-vectors layer of
    ``model``; how many layers there were. Raises ValueError when a table's width is not the
    layer's."""
    nodes = [node for node in model.walk() if node.name == NAME]
    if not nodes:
        return 0
    if vectors is None or vectors.shape[0] == 0:
        raise ValueError(
            "quotes: the model reads static vectors (spacy_quotes.QuoteEmbed.v3) but the pipeline has none: "
            "set [initialize] vectors in the training config (training/static_vectors.py makes them)"
        )
    keys, rows = [], []
    for key, row in vectors.key2row.items():
        keys.append(key)
        rows.append(row)
    keys_arr = numpy.asarray(keys, dtype=numpy.uint64)
    order = numpy.argsort(keys_arr)
    data = numpy.asarray(vectors.data)[numpy.asarray(rows)[order]].astype("float32")
    for node in nodes:
        if data.shape[1] != node.get_dim("nO"):
            raise ValueError(
                f"quotes: the static vectors are {data.shape[1]} wide but the model's vectors_width is "
                f"{node.get_dim('nO')}"
            )
        node.attrs["keys"] = keys_arr[order]
        node.set_param("V", node.ops.asarray2f(data))
    return len(nodes)


def reads_static_vectors(model: Model) -> bool:
    """Whether ``model`` has a static-vectors layer."""
    return any(node.name == NAME for node in model.walk())


__all__ = ["NAME", "lookup", "reads_static_vectors", "set_static_vectors", "static_vectors", "vector_rows"]
