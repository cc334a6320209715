"""Static word vectors in the component's own table (spacy_quotes.QuoteEmbed.v3, ml/vectors.py).

The table comes from the training config's ``[initialize] vectors`` (a pipeline directory whose
vocab has vectors, as spaCy reads any vectors) and is saved with the weights, so a pipeline the
component is added to keeps its own (empty) vectors. The training test runs the real
``spacy train`` on configs/quotes_vectors.cfg with a small hand-written table; the builder
script (training/static_vectors.py) runs on a tiny local BERT when the transformer extra is
installed.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import DocBin
from spacy.vectors import Vectors
from thinc.api import Config

from spacy_quotes.base import load_base
from spacy_quotes.ml.model import build_quote_embed_v3
from spacy_quotes.ml.vectors import NAME, lookup, set_static_vectors
from test_transformer import CORPUS, gold_doc, needs_trf, write_tiny_bert

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "quotes_vectors.cfg"
WIDTH = 8
WORDS = ["said", "told", "insisted", "minister", "mayor", "budget", "according"]


def vectors_pipeline(path: Path) -> Vectors:
    """A blank pipeline whose vocab holds a WIDTH-wide table of WORDS, written to path."""
    nlp = spacy.blank("en")
    data = numpy.random.default_rng(0).normal(0, 0.1, (len(WORDS), WIDTH)).astype("float32")
    nlp.vocab.vectors = Vectors(data=data, keys=[nlp.vocab.strings.add(w) for w in WORDS])
    nlp.to_disk(path)
    return nlp.vocab.vectors


def embed_v3(width: int = 16, vectors_width: int = WIDTH):
    return build_quote_embed_v3(
        width=width, attrs=["NORM", "POS", "DEP"], rows=[100, 20, 20], feature_rows=[8, 50, 50, 50, 50],
        lexicon_rows=[20, 20, 20, 20], vectors_width=vectors_width, table_width=8,
    )


def vector_node(model):
    return next(node for node in model.walk() if node.name == NAME)


def test_lookup_by_lowercased_word_and_zero_out_of_table(tmp_path, base_nlp):
    vectors = vectors_pipeline(tmp_path / "vecs")
    model = embed_v3()
    assert set_static_vectors(model, vectors) == 1
    node = vector_node(model)
    doc = base_nlp("The MAYOR Said nothing.")
    rows = lookup(node, doc.to_array(["LOWER"]).astype("uint64"))
    assert numpy.allclose(rows[1], vectors[base_nlp.vocab.strings["mayor"]])
    assert numpy.allclose(rows[2], vectors[base_nlp.vocab.strings["said"]])
    assert not rows[0].any() and not rows[3].any() and not rows[4].any()  # "the", "nothing", "."


def test_no_table_or_wrong_width_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"\[initialize\] vectors"):
        set_static_vectors(embed_v3(), spacy.blank("en").vocab.vectors)
    with pytest.raises(ValueError, match="vectors_width"):
        set_static_vectors(embed_v3(vectors_width=WIDTH + 1), vectors_pipeline(tmp_path / "vecs"))
    with pytest.raises(ValueError, match="has no table"):
        vector_node(embed_v3()).initialize()


def test_table_is_frozen_and_prediction_equals_training_output(tmp_path, base_nlp):
    model = embed_v3()
    set_static_vectors(model, vectors_pipeline(tmp_path / "vecs"))
    docs = [base_nlp(" ".join([text for text, _ in CORPUS] * 3))]  # enough tokens for the fused path
    model.initialize(X=docs)
    V0 = vector_node(model).get_param("V").copy()
    Y, backprop = model.begin_update(docs)
    backprop([numpy.ones_like(y) for y in Y])
    assert not vector_node(model).has_grad("V")  # frozen
    assert numpy.array_equal(V0, vector_node(model).get_param("V"))
    predicted = model.predict(docs)
    assert numpy.abs(predicted[0] - Y[0]).max() < 1e-4
    # the vectors reach the output: another table gives other vectors
    set_static_vectors(model, Vectors(data=numpy.zeros((1, WIDTH), "f"), keys=[base_nlp.vocab.strings["said"]]))
    assert numpy.abs(model.predict(docs)[0] - predicted[0]).max() > 1e-4


@pytest.fixture(scope="module")
def trained(base_nlp, tmp_path_factory):
    """configs/quotes_vectors.cfg through the real spacy train, 6 steps, with a small table."""
    tmp = tmp_path_factory.mktemp("vectors")
    vectors_pipeline(tmp / "vecs")
    docs = [gold_doc(base_nlp, text, quotes) for text, quotes in CORPUS]
    DocBin(docs=docs[:4], store_user_data=True).to_disk(tmp / "train.spacy")
    DocBin(docs=docs[4:], store_user_data=True).to_disk(tmp / "dev.spacy")
    cmd = [sys.executable, "-m", "spacy", "train", str(CONFIG), "--output", str(tmp / "out"),
           "--paths.train", str(tmp / "train.spacy"), "--paths.dev", str(tmp / "dev.spacy"),
           "--paths.vectors", str(tmp / "vecs"), "--training.max_steps", "6", "--training.eval_frequency", "3",
           "--components.quotes.model.tok2vec.embed.vectors_width", str(WIDTH)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"spacy train failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return {"out": tmp / "out", "vecs": tmp / "vecs"}


@pytest.mark.slow
def test_trained_table_travels_with_the_weights(trained, base_nlp, tmp_path):
    nlp = spacy.load(trained["out"] / "model-last")
    pipe = nlp.get_pipe("quotes")
    node = vector_node(pipe.model)
    source = spacy.load(trained["vecs"]).vocab.vectors
    assert node.get_param("V").shape == (len(WORDS), WIDTH)
    for word in WORDS:  # the table is the config's vectors, unchanged by training
        row = int(numpy.searchsorted(node.attrs["keys"], nlp.vocab.strings[word]))
        assert numpy.allclose(node.get_param("V")[row], source[nlp.vocab.strings[word]])
    # the component alone, without the vocab, added to a base pipeline with no vectors
    pipe.to_disk(tmp_path / "quotes", exclude=["vocab"])
    config = Config().from_disk(trained["out"] / "model-last" / "config.cfg")["components"]["quotes"]
    config.pop("factory")
    base = load_base()
    assert base.vocab.vectors.shape[0] == 0
    moved = base.add_pipe("quotes", name="quotes_moved", config=config)
    moved.from_disk(tmp_path / "quotes", exclude=["vocab"])
    text = CORPUS[0][0]
    original = pipe.model.predict([base_nlp(text)])
    again = moved.model.predict([base_nlp(text)])
    assert numpy.allclose(original[0], again[0], atol=1e-5)
    assert base.vocab.vectors.shape[0] == 0  # the user's vocab keeps no vectors


@needs_trf
@pytest.mark.slow
def test_static_vectors_script_on_a_tiny_encoder(tmp_path):
    encoder = tmp_path / "tiny-bert"
    write_tiny_bert(encoder, [text for text, _ in CORPUS])
    out = tmp_path / "vecs"
    result = subprocess.run(
        [sys.executable, str(ROOT / "training" / "static_vectors.py"), str(out), "--encoder", str(encoder),
         "--dims", "6", "--corpus", ""],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    vectors = spacy.load(out).vocab.vectors
    strings = vectors.strings
    assert vectors.shape[1] == 6
    words = {strings[key] for key in vectors.key2row}
    assert {"minister", "said", "according"} <= words  # the encoder's whole words
    assert "reiterate" in words  # the cue lists, though the tiny vocabulary lacks it
    assert numpy.isfinite(vectors.data).all() and float(numpy.asarray(vectors.data).std()) > 0
