"""Thinc architectures of the ``quotes`` component.

``spacy_quotes.QuoteEmbed.v1`` embeds each token from hashed lexical attributes (like spaCy's
``MultiHashEmbed``) plus features that carry the long-range structure an attribution has:
whether the token is inside quotation marks, the dependency edge to its head, the sentence
root it hangs from (``said`` + ``ccomp`` for a reported clause, ``said`` + ``nsubj`` for the
speaker) and the first two clause edges above it.

``spacy_quotes.QuoteTagger.v1`` puts a softmax over BILUO tags for the three roles
(CONTENT, CUE, SOURCE) on top of a tok2vec layer.
"""
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, POS
from spacy.tokens import Doc, Span
from spacy.util import registry
from spacy.ml.models.tok2vec import MaxoutWindowEncoder
from thinc.api import (
    LSTM, HashEmbed, Maxout, Model, Softmax, chain, concatenate, residual, with_array, with_padded, zero_init,
)
from thinc.layers.chain import forward as _chain_forward
from thinc.layers.concatenate import forward as _concatenate_forward
from thinc.types import Floats2d, Ints2d

from ..marks import quote_state
from .fused import fused_hash_mix
from .lexicon import lemma_classes
from ..tags import TAGS

N_EXTRA_FEATURES = 5
N_LEXICON_FEATURES = 4
N_LEX_NONE = 1 << 20  # the governor class of a token under no clause edge
CLAUSE_DEPS = ("ccomp", "xcomp", "advcl", "parataxis", "pcomp", "acl", "relcl", "conj", "csubj", "pobj", "dobj")

_M1 = numpy.uint64(0x9E3779B97F4A7C15)
_M2 = numpy.uint64(0xC2B2AE3D27D4EB4F)


def _mix(a: numpy.ndarray, b: numpy.ndarray) -> numpy.ndarray:
    with numpy.errstate(over="ignore"):
        return (a.astype(numpy.uint64) * _M1) ^ (b.astype(numpy.uint64) * _M2)


def doc_structure_features(
    doc: Doc, max_depth: int = 12, lex_classes: Optional[numpy.ndarray] = None,
) -> numpy.ndarray:
    """Per-token structural features of a parsed Doc, as uint64 ids.

    doc (Doc): a Doc with a dependency parse.
    max_depth (int): how many steps up the tree the features look.
    lex_classes (Optional[numpy.ndarray]): the cue-lexicon class of each token's lemma
        (:func:`spacy_quotes.ml.lexicon.lemma_classes`); given, N_LEXICON_FEATURES more columns
        follow: the token's class + POS, its dep + its head's class, the root's class + the
        top-level dep, the first clause edge's dep + its governor's class.
    RETURNS (numpy.ndarray): (len(doc), N_EXTRA_FEATURES [+ N_LEXICON_FEATURES]) uint64: quote
        state, dep + head lemma, root lemma + top-level dep, first and second clause edge (dep +
        governor lemma)[, the lexicon features].
    """
    n = len(doc)
    width = N_EXTRA_FEATURES + (N_LEXICON_FEATURES if lex_classes is not None else 0)
    out = numpy.zeros((n, width), dtype=numpy.uint64)
    if n == 0:
        return out
    out[:, 0] = quote_state(doc).astype(numpy.uint64) + numpy.uint64(1)
    arr = doc.to_array([LEMMA, DEP, HEAD]).astype(numpy.int64)
    lemma = arr[:, 0].astype(numpy.uint64)
    dep = arr[:, 1].astype(numpy.uint64)
    idx = numpy.arange(n)
    head = idx + arr[:, 2]
    head = numpy.clip(head, 0, n - 1)
    out[:, 1] = _mix(dep, lemma[head])
    # Walk up to the child of the sentence root; note the first two clause edges on the way.
    clause_ids = numpy.array([doc.vocab.strings[d] for d in CLAUSE_DEPS], dtype=numpy.uint64)
    is_clause = numpy.isin(dep, clause_ids)
    first = numpy.zeros(n, dtype=numpy.uint64)
    second = numpy.zeros(n, dtype=numpy.uint64)
    first_gov = numpy.full(n, -1, dtype=numpy.int64)
    first_dep = numpy.zeros(n, dtype=numpy.uint64)
    cur = idx.copy()
    active = numpy.ones(n, dtype=bool)
    for _ in range(max_depth):
        h = head[cur]
        edge = _mix(dep[cur], lemma[h]) | numpy.uint64(1)
        clause = active & is_clause[cur] & (h != cur)
        take2 = clause & (first != 0) & (second == 0)
        second[take2] = edge[take2]
        take1 = clause & (first == 0)
        first[take1] = edge[take1]
        first_gov[take1] = h[take1]
        first_dep[take1] = dep[cur][take1]
        stop = (head[h] == h) | (h == cur)  # cur hangs from the root, or is the root
        active &= ~stop
        cur = numpy.where(active, h, cur)
        if not active.any():
            break
    root = head[cur]
    is_root = root == cur
    top = _mix(lemma[root], numpy.where(is_root, numpy.uint64(7), dep[cur]))
    out[:, 2] = top
    out[:, 3] = first
    out[:, 4] = second
    if lex_classes is not None:
        cls = numpy.asarray(lex_classes, dtype=numpy.uint64)
        pos = doc.to_array([POS]).astype(numpy.uint64).reshape(-1)
        gov_cls = numpy.where(first_gov >= 0, cls[numpy.clip(first_gov, 0, n - 1)], numpy.uint64(N_LEX_NONE))
        out[:, 5] = _mix(cls, pos) | numpy.uint64(1)
        out[:, 6] = _mix(dep, cls[head]) | numpy.uint64(1)
        out[:, 7] = _mix(cls[root], numpy.where(is_root, numpy.uint64(7), dep[cur])) | numpy.uint64(1)
        out[:, 8] = _mix(first_dep, gov_cls) | numpy.uint64(1)
    return out


def doc_features(doc: Doc, attrs: Sequence[str], lex_classes: Optional[numpy.ndarray] = None) -> numpy.ndarray:
    """The extractor's (len(doc), len(attrs) + N_EXTRA_FEATURES [+ N_LEXICON_FEATURES]) uint64
    array for one Doc."""
    base = doc.to_array(list(attrs)).astype(numpy.uint64)
    if base.ndim == 1:
        base = base.reshape((len(doc), -1))
    return numpy.hstack([base, doc_structure_features(doc, lex_classes=lex_classes)])


def set_cue_rates(model: Model, rates: Dict[str, int]) -> bool:
    """Give every lexicon-reading feature layer in ``model`` the learned cue rates (lemma ->
    bucket, :func:`spacy_quotes.ml.lexicon.learn_cue_rates`); whether there was one."""
    found = False
    for node in model.walk():
        if node.name == "quote_features" and node.attrs.get("lexicon"):
            node.attrs["cue_rates"] = dict(rates)
            found = True
    return found


def reads_lexicon(model: Model) -> bool:
    """Whether ``model`` has a feature layer that reads the cue lexicon."""
    return any(node.name == "quote_features" and node.attrs.get("lexicon") for node in model.walk())


def quote_feature_extractor(
    attrs: Sequence[str], lexicon: bool = False,
) -> Model[List[Union[Doc, Span]], List[Ints2d]]:
    """Token attributes (``doc.to_array``) followed by the structural features.

    It also takes Spans (consecutive pieces of one long Doc, in order, as
    ``QuotePipe.predict`` passes them): their features are those of the whole Doc, sliced, so
    the parse and the quotation marks are read across the cuts and the Doc's features are
    computed once for all its pieces (the array is kept until the piece that ends the Doc).
    """
    attr_names = list(attrs)
    held: Dict[str, Any] = {"doc": None, "features": None, "rates": None, "cache": {}}

    def one_doc(model: Model, doc: Doc) -> numpy.ndarray:
        if not lexicon:
            return doc_features(doc, attr_names)
        rates = model.attrs["cue_rates"]
        if held["rates"] is not rates:  # new rates (initialize, from_bytes): new lemma cache
            held["rates"], held["cache"] = rates, {}
        return doc_features(doc, attr_names, lemma_classes(doc, rates, held["cache"]))

    def whole_doc_features(model: Model, doc: Doc) -> numpy.ndarray:
        if held["doc"] is not doc or held["features"].shape[0] != len(doc):
            held["doc"], held["features"] = doc, one_doc(model, doc)
        return held["features"]

    def forward(model: Model, docs: List[Union[Doc, Span]], is_train: bool):
        features = []
        for item in docs:
            if isinstance(item, Span):
                arr = whole_doc_features(model, item.doc)[item.start:item.end]
                if item.end >= len(item.doc):
                    held["doc"] = held["features"] = None
            else:
                arr = one_doc(model, item)
            features.append(model.ops.asarray2i(arr, dtype="uint64"))
        return features, lambda dY: []

    model_attrs: Dict[str, Any] = {"attrs": attr_names}
    if lexicon:
        model_attrs.update(lexicon=True, cue_rates={})
    return Model("quote_features", forward, attrs=model_attrs)


def takes_spans(model: Model) -> bool:
    """Whether every layer of ``model`` that reads the Docs is a :func:`quote_feature_extractor`
    (through chains and concatenations), so the model can be called on Spans of a Doc."""
    if model.name == "quote_features":
        return True
    if model._func is _chain_forward and model.layers:
        return takes_spans(model.layers[0])
    if model._func is _concatenate_forward and model.layers:
        return all(takes_spans(layer) for layer in model.layers)
    return False


@registry.architectures("spacy_quotes.QuoteEmbed.v1")
def build_quote_embed(
    width: int,
    attrs: List[str],
    rows: List[int],
    feature_rows: List[int],
    table_width: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """Embed tokens from hashed attributes and quote-structure features.

    width (int): output width.
    attrs (List[str]): token attributes to hash, e.g. NORM, PREFIX, SUFFIX, SHAPE, POS, DEP, ENT_TYPE.
    rows (List[int]): hash-table rows per attribute.
    feature_rows (List[int]): rows for the five structural features.
    table_width (Optional[int]): width of each hash table's vectors (default: ``width``). The
        mixing layer's cost grows with the number of tables times this width.
    RETURNS (Model[List[Doc], List[Floats2d]]): the embedding layer.
    """
    if len(feature_rows) != N_EXTRA_FEATURES:
        raise ValueError(f"QuoteEmbed: feature_rows needs {N_EXTRA_FEATURES} values, got {len(feature_rows)}")
    return _quote_embed(width, attrs, rows, feature_rows, table_width, lexicon=False)


@registry.architectures("spacy_quotes.QuoteEmbed.v2")
def build_quote_embed_v2(
    width: int,
    attrs: List[str],
    rows: List[int],
    feature_rows: List[int],
    lexicon_rows: List[int],
    table_width: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """``spacy_quotes.QuoteEmbed.v1`` plus the cue lexicon (:mod:`spacy_quotes.ml.lexicon`): the
    kind of cue each lemma is, by hand-made lists and by its cue rate in the training data,
    seen on the token (with its POS), its head (with its dep), the sentence root (with the
    top-level dep) and the first clause edge above it, so that a rare or unseen reporting
    verb or noun cue shares what the frequent ones of its class learned.

    lexicon_rows (List[int]): hash-table rows of the four lexicon features.
    The other arguments are those of v1.
    """
    if len(lexicon_rows) != N_LEXICON_FEATURES:
        raise ValueError(f"QuoteEmbed.v2: lexicon_rows needs {N_LEXICON_FEATURES} values, got {len(lexicon_rows)}")
    return _quote_embed(width, attrs, rows, list(feature_rows) + list(lexicon_rows), table_width, lexicon=True)


def _quote_embed(
    width: int, attrs: List[str], rows: List[int], feature_rows: List[int], table_width: Optional[int],
    lexicon: bool,
) -> Model[List[Doc], List[Floats2d]]:
    if len(rows) != len(attrs):
        raise ValueError(f"QuoteEmbed: {len(attrs)} attrs but {len(rows)} rows values")
    all_rows = list(rows) + list(feature_rows)
    tw = int(table_width or width)
    embeddings = [
        HashEmbed(tw, n_rows, column=i, seed=11 + i, dropout=0.0) for i, n_rows in enumerate(all_rows)
    ]
    mixer = Maxout(width, tw * len(all_rows), nP=3, dropout=0.0, normalize=True)
    model = chain(
        quote_feature_extractor(attrs, lexicon=lexicon),
        with_array(fused_hash_mix(concatenate(*embeddings), mixer)),
    )
    model.set_dim("nO", width)
    return model


@registry.architectures("spacy_quotes.WindowLSTMEncoder.v1")
def build_window_lstm_encoder(
    width: int, depth: int, window_size: int, maxout_pieces: int, lstm_depth: int = 1,
) -> Model[List[Floats2d], List[Floats2d]]:
    """A CNN (spaCy's ``MaxoutWindowEncoder``) for the local context, then a residual
    bidirectional LSTM over the whole document for the long range: where a reported clause
    that began twenty tokens back ends, whether a sentence is still inside an open quote.

    The LSTM is thinc's own (numpy, no torch), so the CPU install stays free of torch.

    width (int): input and output width.
    depth (int): convolutional layers.
    window_size (int): tokens on each side of the convolution window.
    maxout_pieces (int): maxout pieces of the convolution.
    lstm_depth (int): stacked BiLSTM layers (0: the CNN alone).
    RETURNS (Model[List[Floats2d], List[Floats2d]]): the encoder.
    """
    cnn = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=depth)
    if lstm_depth <= 0:
        return cnn
    if width % 2:
        raise ValueError(f"WindowLSTMEncoder: width must be even (two LSTM directions), got {width}")
    lstm = residual(with_padded(LSTM(nO=width, nI=width, bi=True, depth=lstm_depth)))
    model = chain(cnn, lstm)
    model.set_dim("nO", width)
    return model


@registry.architectures("spacy_quotes.QuoteTagger.v1")
def build_quote_tagger(
    tok2vec: Model[List[Doc], List[Floats2d]], nO: Optional[int] = None
) -> Model[List[Doc], List[Floats2d]]:
    """Per-token probabilities over the BILUO tags of the three roles.

    tok2vec (Model[List[Doc], List[Floats2d]]): the token encoder.
    nO (Optional[int]): number of tags (``len(TAGS)``).
    RETURNS (Model[List[Doc], List[Floats2d]]): the tagger.
    """
    t2v_width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    output = Softmax(nO or len(TAGS), t2v_width, init_W=zero_init)
    model = chain(tok2vec, with_array(output))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output", output)
    # QuotePipe.predict cuts a long Doc into Spans for a model that can take them
    model.attrs["takes_spans"] = takes_spans(tok2vec)
    return model
