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


def test_pair_layer_prediction_equals_training_output():
    from spacy_quotes.ml.attribution import PairIndex, pair_maxout

    layer = pair_maxout(6, 5, 3, 12)
    layer.initialize()
    rng = numpy.random.default_rng(1)
    for name in ("Wt", "Wc", "E", "b"):
        layer.set_param(name, (layer.get_param(name) + rng.normal(0, 0.5, layer.get_param(name).shape)).astype("f"))
    H = [rng.normal(size=(9, 6)).astype("f")]
    pairs = [PairIndex([1, 4], [2, 7], list(range(9)) * 2, [0] * 9 + [1] * 9, list(range(12)) + [0] * 6)]
    trained, _ = layer((H, pairs), True)
    predicted, _ = layer((H, pairs), False)
    numpy.testing.assert_array_equal(predicted, trained)  # the maxima, however they are taken


def test_numpy_blas_ops_on_the_component_model_only(built_model, quotes_nlp):
    from thinc.api import NumpyOps

    from spacy_quotes.ml.blas import use_numpy_blas

    model, docs = built_model
    before = model.get_ref("tok2vec").predict(docs[:6])
    assert use_numpy_blas(model) > 0
    assert all(not n.ops.use_blis for n in model.walk() if type(n.ops) is NumpyOps)
    after = model.get_ref("tok2vec").predict(docs[:6])
    for a, b in zip(before, after):
        numpy.testing.assert_allclose(a, b, atol=1e-4)
    assert use_numpy_blas(model) == 0  # once is enough

    class OtherCPU(NumpyOps):  # another backend (as AppleOps) keeps its own products
        name = "other"

    other = OtherCPU()
    node = model.get_ref("tag_layer")
    node.ops = other
    use_numpy_blas(model)
    assert node.ops is other
    # the component does it when it is made; the pipes before it keep thinc's default ops
    pipe = quotes_nlp.get_pipe("quotes")
    assert all(not n.ops.use_blis for n in pipe.model.walk() if type(n.ops) is NumpyOps)
    assert any(type(n.ops) is NumpyOps and n.ops.use_blis for n in quotes_nlp.get_pipe("parser").model.walk())


@pytest.mark.parametrize("bi,depth", [(True, 1), (False, 1), (True, 2)])
def test_lstm_predict_equals_thincs_lstm(bi, depth):
    from thinc.api import LSTM, with_padded

    from spacy_quotes.ml.predict import lstm_predict

    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    lstm = LSTM(nO=12 if bi else 6, nI=8, bi=bi, depth=depth)
    layer = with_padded(lstm)
    Xs = [rng.normal(size=(n, 8)).astype("f") for n in [5, 40, 1, 17, 40, 3]]
    layer.initialize(X=Xs)
    for name in ("LSTM", "HC0"):  # trained-looking weights and a non-zero start state
        value = lstm.get_param(name)
        lstm.set_param(name, (value + rng.normal(0, 0.3, value.shape)).astype("f"))
    expected = layer.predict(Xs)
    got = lstm_predict(lstm, Xs)
    assert [g.shape for g in got] == [e.shape for e in expected]
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g, e, atol=1e-5)
