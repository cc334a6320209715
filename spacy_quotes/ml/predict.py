"""The token encoder called for prediction in sub-batches, its recurrent layer on more
sequences at once.

The model keeps every layer's activations until a call returns (about 17 KB a token), so the
component calls it on sub-batches of a few thousand tokens. A bidirectional LSTM, though,
steps through time: its cost is a small matrix product per time step whatever the number of
sequences side by side, so it runs faster the more sequences it gets, and it keeps far less
per token than the layers below it. :func:`encode_pieces` runs the layers below the LSTM on the
sub-batches, then the LSTM on groups of up to ``recurrent_tokens`` tokens (the same vectors:
each sequence is read on its own).
"""
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy
from thinc.api import Model, NumpyOps
from thinc.backends.ops import _split_weights
from thinc.layers.lstm import forward as _lstm_forward
from thinc.layers.chain import forward as _chain_forward
from thinc.layers.residual import forward as _residual_forward
from thinc.layers.with_padded import forward as _with_padded_forward
from thinc.types import Floats2d


def _split_recurrent(tok2vec: Model) -> Optional[Tuple[List[Model], Model]]:
    """(the layers below, the residual LSTM on top) of ``chain(embed, chain(..., residual(
    with_padded(LSTM))))`` (``spacy.Tok2Vec.v2`` over ``WindowLSTMEncoder``), else None."""
    if tok2vec._func is not _chain_forward or len(tok2vec.layers) != 2:
        return None
    embed, encode = tok2vec.layers
    if encode._func is not _chain_forward or len(encode.layers) < 2:
        return None
    top = encode.layers[-1]
    if top._func is not _residual_forward or top.layers[0]._func is not _with_padded_forward:
        return None
    return [embed] + list(encode.layers[:-1]), top


def _in_batches(apply: Callable[[List[Any]], List[Floats2d]], items: Sequence[Any], max_tokens: int) -> List[Floats2d]:
    out: List[Floats2d] = []
    batch: List[Any] = []
    n_tokens = 0
    for item in list(items) + [None]:
        if batch and (item is None or n_tokens + len(item) > max_tokens):
            out.extend(apply(batch))
            batch, n_tokens = [], 0
        if item is not None:
            batch.append(item)
            n_tokens += len(item)
    return out


def encode_pieces(tok2vec: Model, pieces: Sequence[Any], batch_tokens: int, recurrent_tokens: int) -> List[Floats2d]:
    """The token vectors of each piece (Docs or Spans), as ``tok2vec.predict`` gives them.

    tok2vec (Model): the token encoder.
    pieces (Sequence[Any]): the pieces, none empty.
    batch_tokens (int): tokens per call of the layers below the LSTM (all of them where the
        encoder has no LSTM on top).
    recurrent_tokens (int): tokens per call of the LSTM.
    RETURNS (List[Floats2d]): (len(piece), width) per piece.
    """
    split = _split_recurrent(tok2vec)
    if split is None:
        return _in_batches(tok2vec.predict, pieces, batch_tokens)
    below, recurrent = split

    def front(batch: List[Any]) -> List[Floats2d]:
        X = batch
        for layer in below:
            X = layer.predict(X)
        return X

    return _in_batches(_recurrent_predict(recurrent), _in_batches(front, pieces, batch_tokens), recurrent_tokens)


def _recurrent_predict(recurrent: Model) -> Callable[[List[Floats2d]], List[Floats2d]]:
    """``recurrent.predict`` for ``residual(with_padded(LSTM))``: :func:`lstm_predict` where
    the LSTM is thinc's on CPU arrays (else thinc's own ``predict``)."""
    lstm = recurrent.layers[0].layers[0] if recurrent.layers[0].layers else None
    if lstm is None or lstm._func is not _lstm_forward or not isinstance(lstm.ops, NumpyOps):
        return recurrent.predict

    def predict(Xs: List[Floats2d]) -> List[Floats2d]:
        return [X + Y for X, Y in zip(Xs, lstm_predict(lstm, Xs))]

    return predict


def _sigmoid_(x):
    """The logistic function, in place."""
    numpy.negative(x, out=x)
    numpy.exp(x, out=x)
    x += 1.0
    numpy.reciprocal(x, out=x)
    return x


def lstm_predict(lstm: Model, Xs: Sequence[numpy.ndarray]) -> List[numpy.ndarray]:
    """thinc's ``LSTM`` (``LSTM.v1``) for prediction on a list of sequences, as
    ``with_padded(lstm).predict(Xs)`` gives it: the same time-major layout (sequences longest
    first, the ones alive at each step a prefix), the same gates (forget, input, output, cell;
    the state starts from ``HC0``), but the input-to-gate products of every step in one matrix
    product through numpy's BLAS, and each step's few small products and activations as
    whole-array numpy operations."""
    depth, dirs, nO = lstm.get_dim("depth"), lstm.get_dim("dirs"), lstm.get_dim("nO") // lstm.get_dim("dirs")
    params = numpy.asarray(lstm.get_param("LSTM"), dtype="float32")
    HC0 = numpy.asarray(lstm.get_param("HC0"), dtype="float32")
    lengths = numpy.array([len(x) for x in Xs], dtype=numpy.int64)
    order = numpy.argsort(-lengths, kind="stable")  # longest first, as Ops.list2padded
    lens = lengths[order]
    T = int(lens[0]) if len(lens) else 0
    size_at_t = (lens[None, :] > numpy.arange(T)[:, None]).sum(axis=1)  # sequences alive at t
    offsets = numpy.concatenate([[0], numpy.cumsum(size_at_t)])  # time t: rows [offsets[t], offsets[t+1])
    seq_start = numpy.concatenate([[0], numpy.cumsum(lens)[:-1]])  # each sorted sequence in X
    t_of = numpy.concatenate([numpy.arange(n) for n in lens]) if len(lens) else numpy.zeros(0, dtype=numpy.int64)
    b_of = numpy.repeat(numpy.arange(len(lens)), lens)
    packed = numpy.lexsort((b_of, t_of))  # row r of the packed layout: token t_of, sequence b_of
    if not T:
        return [numpy.zeros((0, nO * dirs), dtype="float32") for _ in Xs]
    X = numpy.concatenate([numpy.asarray(Xs[i], dtype="float32") for i in order.tolist()])[packed]
    N = X.shape[0]
    p = 0
    for layer in range(depth):
        nI = X.shape[1]
        H = numpy.empty((N, dirs * nO), dtype="float32")
        for d in range(dirs):
            ((Wx, bx), (Wh, bh)), p = _split_weights(params, layer, nO, nI, p)  # thinc's layout
            bias = bx + bh
            G = X @ Wx.T
            G += bias
            WhT = numpy.ascontiguousarray(Wh.T)
            # the state of each sequence alive; thinc's NumpyOps starts the hidden state from
            # HC0[1] and the cell from HC0[0] (its lstm_forward_training takes c_init, h_init
            # where lstm_forward_inference passes H0, C0): the same here
            h = numpy.repeat(HC0[1, layer, d][None, :], size_at_t[0], axis=0)
            c = numpy.repeat(HC0[0, layer, d][None, :], size_at_t[0], axis=0)
            Y = H[:, d * nO:(d + 1) * nO]
            for t in (range(T) if d == 0 else range(T - 1, -1, -1)):
                a, b = int(offsets[t]), int(offsets[t + 1])
                n = b - a
                g = G[a:b]
                g += h[:n] @ WhT
                _sigmoid_(g[:, :3 * nO])
                numpy.tanh(g[:, 3 * nO:], out=g[:, 3 * nO:])
                cn = g[:, :nO] * c[:n]
                cn += g[:, nO:2 * nO] * g[:, 3 * nO:]
                c[:n] = cn
                numpy.tanh(cn, out=cn)
                cn *= g[:, 2 * nO:3 * nO]
                h[:n] = cn
                Y[a:b] = cn
        X = H
    out = numpy.empty_like(X)
    out[packed] = X  # back to each sorted sequence's own rows
    result: List[numpy.ndarray] = [None] * len(Xs)  # type: ignore[list-item]
    for k, i in enumerate(order.tolist()):
        result[i] = out[seq_start[k]:seq_start[k] + lens[k]]
    return result


__all__ = ["encode_pieces", "lstm_predict"]
