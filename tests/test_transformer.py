"""The transformer variant: spacy_quotes.ConcatTok2Vec.v1 and configs/quotes_trf.cfg.

The architecture tests need thinc and spaCy only. The training test needs the extra
(``pip install -e ".[transformers]"``) and skips without it: it builds a tiny random-weight BERT
and its WordPiece tokenizer in a temporary folder (no download), writes a small gold corpus,
trains configs/quotes_trf.cfg for a few steps through training/train_trf.sh (the real
``spacy train``) and checks what comes out: model-best loads without the encoder folder,
predicts and evaluates, the transformer was fine-tuned through the listener, and the assembled
base + transformer + quotes pipeline runs on raw text.
"""
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import numpy
import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import registry
from thinc.api import Config, fix_random_seed

import spacy_quotes.ml.combine  # noqa: F401  (registers spacy_quotes.ConcatTok2Vec.v1)
from spacy_quotes.ml.combine import build_concat_tok2vec, concat_tok2vec
from spacy_quotes.ml.model import build_quote_tagger
from spacy_quotes.tags import TAGS
from spacy_quotes.quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY, set_quote_groups

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "quotes_trf.cfg"
SCRIPT = ROOT / "training" / "train_trf.sh"

TRF_MISSING = [m for m in ("torch", "transformers", "spacy_transformers") if importlib.util.find_spec(m) is None]
needs_trf = pytest.mark.skipif(
    bool(TRF_MISSING),
    reason=f"transformer extra not installed (missing {', '.join(TRF_MISSING)}): pip install -e '.[transformers]'",
)

# (text, [(content, cue, speaker)]): gold quotes by their first occurrence in the text.
CORPUS: List[Tuple[str, List[Tuple[str, str, str]]]] = [
    ("“We will not back down,” the minister said on Monday. The opposition called the plan "
     "“a fantasy.”", [("We will not back down", "said", "the minister"),
                      ("“a fantasy.”", "called", "The opposition")]),
    ("The company said that profits rose sharply in the third quarter. Shares closed higher.",
     [("profits rose sharply in the third quarter", "said", "The company")]),
    ("According to the coach, the team is ready for the final. “We have trained hard,” he added.",
     [("the team is ready for the final", "According to", "the coach"),
      ("We have trained hard", "added", "he")]),
    ("Police told reporters the road would stay closed until Friday.",
     [("the road would stay closed until Friday", "told", "Police")]),
    ("“The talks failed,” a diplomat said, adding that a new round was unlikely before March.",
     [("The talks failed", "said", "a diplomat"), ("a new round was unlikely before March", "adding", "a diplomat")]),
    ("The mayor insisted the budget was balanced. Critics disagreed.",
     [("the budget was balanced", "insisted", "The mayor")]),
]
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def gold_doc(nlp, text: str, quotes: List[Tuple[str, str, str]]) -> Doc:
    """Parse a text and write its gold quotes."""
    doc = nlp(text)
    items = []
    for content, cue, speaker in quotes:
        a, b, s = text.index(content), text.index(cue), text.index(speaker)
        items.append({"content": (a, a + len(content)), "cue": (b, b + len(cue)), "speaker": (s, s + len(speaker))})
    set_quote_groups(doc, items)
    return doc


def tok2vec_config(width: int) -> Dict:
    return {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2", "width": width, "attrs": ["NORM", "SHAPE"],
            "rows": [500, 50], "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": 1,
            "window_size": 1, "maxout_pieces": 2,
        },
    }


def concat_model(width: int = 0):
    cfg = Config({"m": {"@architectures": "spacy_quotes.ConcatTok2Vec.v1", "width": width,
                        "listener": tok2vec_config(16), "features": tok2vec_config(8)}})
    return registry.resolve(cfg)["m"]


# ---- the architecture (no transformer needed) ------------------------------------------------


def test_concat_registered_and_widths(base_nlp):
    docs = [base_nlp.make_doc("He said it would rain."), base_nlp.make_doc("No.")]
    plain = concat_model(0)
    assert plain.get_dim("nO") == 24  # both encoders know their width: known before initialise
    plain.initialize(X=docs)
    out = plain.predict(docs)
    assert [o.shape for o in out] == [(len(docs[0]), 24), (len(docs[1]), 24)]
    mixed = concat_model(32)
    mixed.initialize(X=docs)
    assert [o.shape for o in mixed.predict(docs)] == [(len(docs[0]), 32), (len(docs[1]), 32)]
    assert mixed.get_ref("listener").get_dim("nO") == 16 and mixed.get_ref("features").get_dim("nO") == 8


def test_concat_columns_are_the_two_encoders(base_nlp):
    """The output is [first encoder | second encoder], token by token."""
    docs = [base_nlp.make_doc("The minister said that taxes would rise.")]
    model = concat_model(0)
    model.initialize(X=docs)
    out = model.predict(docs)[0]
    first = model.get_ref("listener").predict(docs)[0]
    second = model.get_ref("features").predict(docs)[0]
    numpy.testing.assert_allclose(out[:, :16], first)
    numpy.testing.assert_allclose(out[:, 16:], second)


def test_concat_backprop_reaches_both_encoders(base_nlp):
    fix_random_seed(0)
    docs = [base_nlp.make_doc("“We will win,” she said."), base_nlp.make_doc("")]
    model = concat_model(0)
    model.initialize(X=docs)
    out, backprop = model.begin_update(docs)
    assert out[1].shape == (0, 24)  # an empty doc gets an empty array of the full width
    backprop([model.ops.alloc2f(*o.shape) + 1.0 for o in out])
    for ref in ("listener", "features"):
        grads = [g for node in model.get_ref(ref).walk() for name in node.param_names
                 if node.has_grad(name) for g in [node.get_grad(name)]]
        assert grads and any(float(numpy.abs(g).sum()) > 0 for g in grads), ref


def test_concat_infers_width_from_sample(base_nlp):
    """An encoder without a known width (like a listener before linking) gets it from the sample."""
    from thinc.api import Model

    inner = registry.resolve(Config({"m": tok2vec_config(8)}))["m"]
    opaque = Model("opaque", lambda model, X, is_train: inner(X, is_train), layers=[inner], dims={"nO": None},
                   init=lambda model, X=None, Y=None: inner.initialize(X=X))
    second = registry.resolve(Config({"m": tok2vec_config(4)}))["m"]
    model = concat_tok2vec(opaque, second)
    assert model.has_dim("nO") is None
    docs = [base_nlp.make_doc("Officials said the bridge was safe.")]
    model.initialize(X=docs, Y=[numpy.zeros((len(docs[0]), len(TAGS)), dtype="f")])
    assert model.get_dim("nO") == 12


def test_concat_under_the_quote_tagger(base_nlp):
    docs = [base_nlp("The company said that profits rose.")]
    tagger = build_quote_tagger(build_concat_tok2vec(
        registry.resolve(Config({"m": tok2vec_config(16)}))["m"],
        registry.resolve(Config({"m": tok2vec_config(8)}))["m"], width=12))
    tagger.initialize(X=docs, Y=[tagger.ops.alloc2f(len(docs[0]), len(TAGS))])
    probs = tagger.predict(docs)[0]
    assert probs.shape == (len(docs[0]), len(TAGS))
    numpy.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_concat_rejects_bad_width():
    with pytest.raises(ValueError, match="width"):
        concat_model(-1)


def test_trf_config_is_valid():
    """The config resolves its training sections and wires listener + QuoteEmbed features."""
    from spacy.util import load_config

    config = load_config(CONFIG, overrides={"training.max_steps": 7}, interpolate=True)
    assert config["nlp"]["pipeline"] == ["transformer", "quotes"]
    trf = config["components"]["transformer"]["model"]
    assert trf["@architectures"] == "spacy-transformers.TransformerModel.v3" and trf["name"] == "roberta-base"
    assert trf["get_spans"] == {"@span_getters": "spacy-transformers.strided_spans.v1", "window": 128, "stride": 96}
    t2v = config["components"]["quotes"]["model"]["tok2vec"]
    assert t2v["@architectures"] == "spacy_quotes.ConcatTok2Vec.v1"
    assert t2v["listener"]["@architectures"] == "spacy-transformers.TransformerListener.v1"
    assert t2v["listener"]["grad_factor"] == 1.0 and t2v["listener"]["pooling"] == {"@layers": "reduce_mean.v1"}
    assert t2v["features"]["embed"]["@architectures"] == "spacy_quotes.QuoteEmbed.v1"
    assert "DEP" in t2v["features"]["embed"]["attrs"]
    # the learning-rate schedule follows the step budget given on the command line
    assert config["training"]["optimizer"]["learn_rate"]["total_steps"] == 7
    assert config["corpora"]["train"]["@readers"] == "spacy_quotes.Corpus.v1"


# ---- training with a tiny local transformer ----------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def offline_hub():
    """No test may reach the Hugging Face hub: everything is local."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        yield


def write_tiny_bert(path: Path, texts: List[str]) -> None:
    """A random-weight 2-layer BERT and a WordPiece tokenizer over the texts' words."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    words = sorted({w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())})
    chars = sorted({c for t in texts for c in t.lower() if not c.isspace()})
    vocab = list(dict.fromkeys(SPECIAL_TOKENS + words + chars + [f"##{c}" for c in chars]))
    path.mkdir(parents=True)
    vocab_file = path / "vocab.txt"
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=37, max_position_embeddings=512)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)


@pytest.fixture(scope="module")
def trained(base_nlp, tmp_path_factory):
    """Train configs/quotes_trf.cfg for 6 steps on a tiny BERT via training/train_trf.sh."""
    tmp = tmp_path_factory.mktemp("trf")
    corpus = tmp / "corpus"
    corpus.mkdir()
    docs = [gold_doc(base_nlp, text, quotes) for text, quotes in CORPUS]
    for i, doc in enumerate(docs):
        doc.user_data["doc_id"] = f"doc{i}"
    DocBin(docs=docs[:4], store_user_data=True).to_disk(corpus / "train.spacy")
    DocBin(docs=docs[4:], store_user_data=True).to_disk(corpus / "dev.spacy")
    encoder = tmp / "tiny-bert"
    write_tiny_bert(encoder, [text for text, _ in CORPUS] + ["“We will win,” the minister said on Monday."])
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT))
    cmd = [
        "bash", str(SCRIPT), "--corpus", str(corpus), "--encoder", str(encoder), "--output", str(tmp / "out"),
        "--max-steps", "6", "--eval-frequency", "3", "--",
        # a constant, large rate so that 6 steps visibly move the transformer's weights
        "--training.optimizer.learn_rate.warmup_steps", "1",
        "--training.optimizer.learn_rate.initial_rate", "0.001",
    ]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"train_trf.sh failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return {"tmp": tmp, "encoder": encoder, "out": tmp / "out", "log": result.stdout + result.stderr,
            "dev": corpus / "dev.spacy"}


def _encoder_weights(nlp) -> Dict[str, numpy.ndarray]:
    hf = nlp.get_pipe("transformer").model.transformer
    return {k: v.detach().cpu().numpy().copy() for k, v in hf.state_dict().items()}


@needs_trf
def test_trf_training_runs_and_logs_quote_scores(trained):
    log = trained["log"]
    assert "Pipeline: ['transformer', 'quotes']" in log
    for name in ("model-best", "model-last", "model-full"):
        assert (trained["out"] / name / "config.cfg").exists(), name
    assert (trained["out"] / "model-best" / "transformer" / "model").exists()


@needs_trf
def test_trf_model_loads_without_the_encoder_folder_and_predicts(trained, base_nlp):
    from transformers import BertModel

    from spacy_quotes.corpus import create_quote_corpus_reader

    initial = BertModel.from_pretrained(trained["encoder"]).state_dict()
    moved_encoder = trained["tmp"] / "encoder-moved-away"
    if trained["encoder"].exists():
        shutil.move(str(trained["encoder"]), moved_encoder)  # the pipeline must carry its own weights
    nlp = spacy.load(trained["out"] / "model-best")
    assert nlp.pipe_names == ["transformer", "quotes"]
    assert nlp.get_pipe("quotes").is_initialized
    # the listener passed the quotes loss on to the transformer: its weights were fine-tuned
    after = _encoder_weights(nlp)
    changed = [k for k, v in initial.items() if k in after and not numpy.allclose(v.numpy(), after[k])]
    assert changed, "no transformer weight changed during training"
    # predict on parsed dev docs (the trained pipeline has no parser: docs come parsed)
    examples = list(create_quote_corpus_reader(trained["dev"])(nlp))
    docs = list(nlp.pipe([eg.predicted.copy() for eg in examples]))
    for doc in docs:
        assert doc._.trf_data is not None
        for key in (QUOTES_KEY, CUE_KEY, SPEAKER_KEY):
            assert key in doc.spans
    scores = nlp.evaluate(examples)
    for key in ("quotes_content_f", "quotes_cue_f", "quotes_speaker_f", "quotes_link_acc"):
        assert key in scores
        assert scores[key] is None or 0.0 <= scores[key] <= 1.0


@needs_trf
def test_trf_resume_goes_on_from_the_saved_weights(trained):
    """configs/quotes_trf_resume.cfg sources both components of a saved run: training goes on
    from its weights (a few small steps move them a little), not from a new model."""
    source = trained["out"] / "model-last"
    out = trained["tmp"] / "resumed"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT))
    cmd = ["python", "-m", "spacy", "train", str(ROOT / "configs" / "quotes_trf_resume.cfg"),
           "--paths.source", str(source), "--paths.train", str(trained["dev"].parent / "train.spacy"),
           "--paths.dev", str(trained["dev"]), "--output", str(out), "--training.max_steps", "3",
           "--training.eval_frequency", "3", "--training.optimizer.learn_rate.warmup_steps", "1"]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"resume failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    from transformers import BertConfig, BertModel

    torch_initial = BertModel(BertConfig.from_dict(
        spacy.load(source).get_pipe("transformer").model.transformer.config.to_dict()))
    before = _encoder_weights(spacy.load(source))
    resumed = spacy.load(out / "model-last")
    assert resumed.pipe_names == ["transformer", "quotes"]
    after = _encoder_weights(resumed)
    moved = max(float(numpy.abs(after[k] - before[k]).max()) for k in before)
    assert moved > 0.0, "the resumed run did not train"
    # a fresh model would sit as far from the saved weights as a new random initialisation
    fresh = {k: v.detach().numpy() for k, v in torch_initial.state_dict().items() if k in before}
    assert moved < 0.1 * max(float(numpy.abs(fresh[k] - before[k]).max()) for k in fresh)


@needs_trf
def test_trf_full_pipeline_runs_on_raw_text(trained):
    nlp = spacy.load(trained["out"] / "model-full")
    assert nlp.pipe_names[-2:] == ["transformer", "quotes"]
    assert "parser" in nlp.pipe_names
    assert nlp.meta["name"] == "quotes_trf"
    # training scores PolNeAR without speaker names; the assembled pipeline resolves them
    assert nlp.get_pipe("quotes").cfg["resolve_speakers"] is True
    assert spacy.load(trained["out"] / "model-best").get_pipe("quotes").cfg["resolve_speakers"] is False
    doc = nlp("“The bridge is safe,” an engineer said. The council said that repairs would start in May.")
    assert doc.has_annotation("DEP")
    group = doc.spans[QUOTES_KEY]
    assert len(group.attrs["cue"]) == len(group) == len(group.attrs["scores"])
    for quote in doc._.quotes:
        assert quote.type in ("direct", "indirect", "mixed")
        assert len(quote.content) > 0 and quote.content.doc is doc
