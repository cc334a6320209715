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

from thinc.api import Model
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

    return _in_batches(recurrent.predict, _in_batches(front, pieces, batch_tokens), recurrent_tokens)


__all__ = ["encode_pieces"]
