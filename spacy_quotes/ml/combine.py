"""Combine two token encoders into one tok2vec layer.

``spacy_quotes.ConcatTok2Vec.v1`` runs two ``Model[List[Doc], List[Floats2d]]`` layers on the
same docs and concatenates their vectors token by token, optionally followed by a Maxout layer
that mixes them. The transformer config (``configs/quotes_trf.cfg``) uses it to put a
``spacy-transformers.TransformerListener.v1`` (contextual wordpiece vectors pooled per token)
next to the quote-structure features of ``spacy_quotes.QuoteEmbed.v1`` (quotation-mark state,
dependency edges, the sentence root and clause edges above each token): the transformer only
sees the text, so the parse reaches the tagger through the second encoder.

Both encoders receive the gradient of their own slice of the output, so the listener passes
its share on to the upstream ``transformer`` component, which fine-tunes it.

The module depends on thinc and spaCy only (not on spacy-transformers): either side can be any
tok2vec layer.
"""
from typing import Callable, List, Optional, Tuple

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Maxout, Model, chain, with_array
from thinc.types import Floats2d


@registry.architectures("spacy_quotes.ConcatTok2Vec.v1")
def build_concat_tok2vec(
    listener: Model[List[Doc], List[Floats2d]],
    features: Model[List[Doc], List[Floats2d]],
    width: int = 0,
    maxout_pieces: int = 3,
    dropout: Optional[float] = 0.0,
) -> Model[List[Doc], List[Floats2d]]:
    """Concatenate the token vectors of two encoders, optionally mixed by a Maxout layer.

    listener (Model[List[Doc], List[Floats2d]]): the first encoder, usually a
        ``spacy-transformers.TransformerListener.v1`` (any tok2vec layer works).
    features (Model[List[Doc], List[Floats2d]]): the second encoder, usually a
        ``spacy.Tok2Vec.v2`` over ``spacy_quotes.QuoteEmbed.v1``.
    width (int): width of the Maxout layer over the concatenation; 0 leaves the
        concatenation as the output (its width is the sum of the two encoders' widths).
    maxout_pieces (int): pieces of the Maxout layer.
    dropout (Optional[float]): dropout of the Maxout layer.
    RETURNS (Model[List[Doc], List[Floats2d]]): one vector per token.
    """
    if width < 0:
        raise ValueError(f"ConcatTok2Vec: width must be >= 0, got {width}")
    concat = concat_tok2vec(listener, features)
    if width == 0:
        model = concat
    else:
        mixer = Maxout(width, nP=maxout_pieces, dropout=dropout, normalize=True)
        model = chain(concat, with_array(mixer))
        model.set_dim("nO", width)
    model.set_ref("listener", listener)
    model.set_ref("features", features)
    return model


def concat_tok2vec(*layers: Model[List[Doc], List[Floats2d]]) -> Model[List[Doc], List[Floats2d]]:
    """Run tok2vec layers on the same docs and stack their outputs column-wise.

    Unlike thinc's ``concatenate``, this copes with empty docs (an encoder may give them a
    zero-width array) and never tries to read a width from the Doc inputs.

    layers (Model[List[Doc], List[Floats2d]]): two or more encoders.
    RETURNS (Model[List[Doc], List[Floats2d]]): the combined encoder.
    """
    if len(layers) < 2:
        raise ValueError("concat_tok2vec needs at least two layers")
    model: Model[List[Doc], List[Floats2d]] = Model(
        "concat_tok2vec",
        _concat_forward,
        init=_concat_init,
        layers=list(layers),
        dims={"nO": None},
    )
    if all(layer.has_dim("nO") is True for layer in layers):
        model.set_dim("nO", sum(layer.get_dim("nO") for layer in layers))
    return model


def _layer_width(layer: Model, outputs: List[Floats2d]) -> int:
    for out in outputs:
        if out.shape[0]:
            return int(out.shape[1])
    return int(layer.get_dim("nO")) if layer.has_dim("nO") is True else 0


def _concat_forward(
    model: Model[List[Doc], List[Floats2d]], docs: List[Doc], is_train: bool
) -> Tuple[List[Floats2d], Callable[[List[Floats2d]], List[Doc]]]:
    results = [layer(docs, is_train) for layer in model.layers]
    widths = [_layer_width(layer, outs) for layer, (outs, _) in zip(model.layers, results)]
    total = sum(widths)
    ops = model.ops
    outputs: List[Floats2d] = []
    for i, doc in enumerate(docs):
        if len(doc) == 0:
            outputs.append(ops.alloc2f(0, total))
        else:
            outputs.append(ops.xp.hstack([outs[i] for outs, _ in results]))

    def backprop(d_outputs: List[Floats2d]) -> List[Doc]:
        start = 0
        for (outs, layer_backprop), width in zip(results, widths):
            d_layer = []
            for out, d_out in zip(outs, d_outputs):
                if d_out.shape[0] == 0:
                    d_layer.append(ops.alloc2f(*out.shape))
                else:
                    d_layer.append(ops.as_contig(d_out[:, start:start + width]))
            layer_backprop(d_layer)
            start += width
        return []

    return outputs, backprop


def _concat_init(
    model: Model[List[Doc], List[Floats2d]],
    X: Optional[List[Doc]] = None,
    Y: Optional[List[Floats2d]] = None,
) -> None:
    # Y is the caller's target (e.g. the tag scores): it says nothing about our sublayers.
    for layer in model.layers:
        layer.initialize(X=X)
    if all(layer.has_dim("nO") is True for layer in model.layers):
        model.set_dim("nO", sum(layer.get_dim("nO") for layer in model.layers))
    elif X is not None and any(len(doc) for doc in X):
        widths = [_layer_width(layer, layer.predict(X)) for layer in model.layers]
        model.set_dim("nO", sum(widths))
