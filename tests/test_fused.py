"""The prediction-time paths of the model: the hash tables fused into the mixing layer
(ml/fused.py) and the LSTM on larger groups of pieces (ml/predict.py) give the outputs of the
plain layers."""
import numpy
import pytest
from thinc.api import Config, fix_random_seed
from spacy.util import registry

import spacy_quotes.ml.fused as fused
from spacy_quotes.ml.predict import encode_pieces
from spacy_quotes.pipeline.component import default_model_config


@pytest.fixture(scope="module")
def built_model(base_nlp):
    """The factory's default architecture, initialised on a few parsed docs."""
    fix_random_seed(0)
    model = registry.resolve(Config().from_str(default_model_config))["model"]
    docs = list(base_nlp.pipe([
        "“We will appeal,” the union's lawyer said after the hearing on Tuesday.",
        "The ministry said exports fell. Growers warned that prices would rise further.",
        "Nothing was said.",
    ] * 30))
    model.initialize(X=docs[:5])
    return model, docs


def _mix_node(model):
    return next(n for n in model.walk() if n.name.endswith(">>dropout") and n.layers
                and n.layers[0].name.startswith("ints-getitem"))


def test_fused_mixing_equals_the_layers(built_model):
    model, docs = built_model
    node = _mix_node(model)
    extractor = next(n for n in model.walk() if n.name == "quote_features")
    X = numpy.vstack(extractor.predict(docs))
    assert X.shape[0] >= fused.MIN_FUSED_TOKENS
    plain, _ = node.begin_update(X)  # training goes through the layers (dropout 0)
    fast = node.predict(X)
    assert fast.shape == plain.shape
    numpy.testing.assert_allclose(fast, plain, atol=1e-5)
    # the products follow the weights: a changed table is used at the next call
    table = next(n for n in node.walk() if n.name == "hashembed")
    E = table.get_param("E")
    E *= 2.0  # in place, as an optimizer may
    numpy.testing.assert_allclose(node.predict(X), node.begin_update(X)[0], atol=1e-5)
    assert not numpy.allclose(node.predict(X), fast, atol=1e-5)
    E /= 2.0
    # a short input goes through the layers
    few = X[: fused.MIN_FUSED_TOKENS - 1]
    numpy.testing.assert_allclose(node.predict(few), node.begin_update(few)[0], atol=1e-6)


def test_encode_pieces_equals_one_call(built_model):
    model, docs = built_model
    tok2vec = model.get_ref("tok2vec")
    whole = tok2vec.predict(docs)
    parts = encode_pieces(tok2vec, docs, batch_tokens=60, recurrent_tokens=200)
    assert [p.shape for p in parts] == [w.shape for w in whole]
    for p, w in zip(parts, whole):
        numpy.testing.assert_allclose(p, w, atol=1e-5)
