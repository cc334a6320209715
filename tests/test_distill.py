"""Teacher/student distillation: soft targets in ``QuotePipe.get_loss``, the
``distill-label`` command, and configs/quotes_distill.cfg.

The end-to-end test trains a tiny teacher (a ``quotes`` pipeline with a small hash-embedding
model) for a few steps, saves it, labels a gold DocBin with it through the real command, reads
the DocBin back through ``spacy_quotes.Corpus.v1`` and trains a student on the soft targets.
"""
import logging
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import load_config, load_model_from_config, registry
from thinc.api import fix_random_seed
from typer.testing import CliRunner

from spacy_quotes.cli import app
from spacy_quotes.corpus import create_quote_corpus_reader
from spacy_quotes.pipeline.distill import SOFT_KEY, SOFT_WEIGHT_KEY, label_docs, teacher_steps
from spacy_quotes.quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY, set_quote_groups
from spacy_quotes.tags import TAGS

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "quotes_distill.cfg"

# Our own passages (weather, sport, science, farming): (text, [(content, cue, speaker)]).
PASSAGES = [
    ("“The storm will reach the coast tonight,” the forecaster warned. Schools closed early.",
     [("The storm will reach the coast tonight", "warned", "the forecaster")]),
    ("The referee said the goal was offside. The crowd booed for a minute.",
     [("the goal was offside", "said", "The referee")]),
    ("According to the researchers, the comet will return in 2061.",
     [("the comet will return in 2061", "According to", "the researchers")]),
    ("Farmers told the council that the drought had ruined the harvest.",
     [("the drought had ruined the harvest", "told", "Farmers")]),
    ("“We need more rain,” a grower said. Prices rose again in the markets.",
     [("We need more rain", "said", "a grower")]),
    ("The coach insisted the team was fit. Fans were not so sure.",
     [("the team was fit", "insisted", "The coach")]),
]


def small_model(width: int = 16):
    return {
        "@architectures": "spacy_quotes.QuoteTagger.v1", "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                    "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width,
                              "attrs": ["NORM", "SHAPE", "POS", "DEP"], "rows": [300, 50, 50, 50],
                              "include_static_vectors": False},
                    "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": 1,
                               "window_size": 1, "maxout_pieces": 2}},
    }


def quotes_pipeline(**config) -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("quotes", config={"weights": None, "model": small_model(), "resolve_speakers": False,
                                   **config})
    return nlp


@pytest.fixture(scope="module")
def gold_docs(base_nlp):
    docs = []
    for text, quotes in PASSAGES:
        doc = base_nlp(text)
        items = []
        for content, cue, speaker in quotes:
            a, b, s = text.index(content), text.index(cue), text.index(speaker)
            items.append({"content": (a, a + len(content)), "cue": (b, b + len(cue)), "speaker": (s, s + len(speaker))})
        set_quote_groups(doc, items)
        docs.append(doc)
    return docs


def examples_for(nlp, docs):
    out = []
    for doc in docs:
        ref = Doc(nlp.vocab).from_bytes(doc.to_bytes())
        pred = ref.copy()
        for key in (QUOTES_KEY, CUE_KEY, SPEAKER_KEY):
            pred.spans.pop(key, None)
        out.append(Example(pred, ref))
    return out


def train(nlp, examples, steps: int):
    pipe = nlp.get_pipe("quotes")
    optimizer = nlp.create_optimizer()
    history = []
    for _ in range(steps):
        losses = {}
        nlp.update(examples, sgd=optimizer, losses=losses)
        history.append(losses["quotes"])
    return pipe, history


@pytest.fixture(scope="module")
def teacher_dir(gold_docs, tmp_path_factory):
    """A tiny teacher: trained for a few steps, saved as a pipeline directory."""
    fix_random_seed(0)
    nlp = quotes_pipeline()
    examples = examples_for(nlp, gold_docs)
    nlp.initialize(lambda: examples)
    train(nlp, examples, 15)
    path = tmp_path_factory.mktemp("teacher") / "model"
    nlp.to_disk(path)
    return path


def test_config_resolves():
    config = load_config(CONFIG)
    assert config["components"]["quotes"]["soft_target_weight"] == 0.5
    assert "distill" in config["paths"]["train"]
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    assert nlp.get_pipe("quotes").cfg["soft_target_weight"] == 0.5
    resolved = registry.resolve(nlp.config["training"], validate=False)
    assert resolved["max_steps"] == 5000
    reader = registry.resolve({"r": nlp.config["corpora"]["train"]})["r"]
    assert callable(reader)


def test_bad_weight_rejected():
    with pytest.raises(ValueError, match="soft_target_weight"):
        quotes_pipeline(soft_target_weight=1.5)


def _one_hot(pipe, eg):
    gold = pipe._gold_tags(eg)
    target = numpy.zeros((len(gold), len(TAGS)), dtype="f")
    target[numpy.arange(len(gold)), gold] = 1.0
    return target


def test_get_loss_blends_teacher_probabilities(gold_docs, caplog):
    fix_random_seed(1)
    rng = numpy.random.default_rng(0)
    for weight in (0.0, 0.5, 1.0):
        nlp = quotes_pipeline(soft_target_weight=weight)
        pipe = nlp.get_pipe("quotes")
        examples = examples_for(nlp, gold_docs[:3])
        teacher = []
        for eg in examples:
            t = rng.random((len(eg.reference), len(TAGS))).astype("f")
            t /= t.sum(axis=1, keepdims=True)
            eg.reference.user_data[SOFT_KEY] = t.astype("float16")
            teacher.append(eg.reference.user_data[SOFT_KEY].astype("f"))
        probs = [rng.random((len(eg.predicted), len(TAGS))).astype("f") for eg in examples]
        loss, grads = pipe.get_loss(examples, probs)
        for eg, p, t, g in zip(examples, probs, teacher, grads):
            expected = p - ((1 - weight) * _one_hot(pipe, eg) + weight * t)
            numpy.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-6)
        assert loss == pytest.approx(sum(float((g ** 2).sum()) for g in grads), rel=1e-5)
        if weight == 1.0:  # the gradient is probs - teacher
            numpy.testing.assert_allclose(grads[0], probs[0] - teacher[0], rtol=1e-5, atol=1e-6)

    # a teacher array that does not fit the doc is skipped (with a debug line): one-hot gold
    nlp = quotes_pipeline(soft_target_weight=1.0)
    pipe = nlp.get_pipe("quotes")
    eg = examples_for(nlp, gold_docs[:1])[0]
    eg.reference.user_data[SOFT_KEY] = numpy.full((len(eg.reference) - 1, len(TAGS)), 1 / len(TAGS), dtype="f")
    p = rng.random((len(eg.predicted), len(TAGS))).astype("f")
    log = logging.getLogger("spacy_quotes")  # another test's logging set-up may have disabled it
    disabled, log.disabled = log.disabled, False
    log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="spacy_quotes"):
            _, (g,) = pipe.get_loss([eg], [p])
    finally:
        log.removeHandler(caplog.handler)
        log.disabled = disabled
    numpy.testing.assert_allclose(g, p - _one_hot(pipe, eg), rtol=1e-6)
    assert "do not fit" in caplog.text

    # unlabelled text carries its own weight 1.0: the teacher is the whole target even at w = 0
    nlp = quotes_pipeline(soft_target_weight=0.0)
    pipe = nlp.get_pipe("quotes")
    eg = examples_for(nlp, gold_docs[:1])[0]
    t = numpy.full((len(eg.reference), len(TAGS)), 1 / len(TAGS), dtype="f")
    eg.reference.user_data.update({SOFT_KEY: t, SOFT_WEIGHT_KEY: 1.0})
    _, (g,) = pipe.get_loss([eg], [p])
    numpy.testing.assert_allclose(g, p - t, rtol=1e-6)


def test_distillation_end_to_end(teacher_dir, gold_docs, tmp_path, base_nlp):
    teacher = spacy.load(teacher_dir)
    assert teacher_steps(teacher, parsed=True) == []
    gold_path, out_path = tmp_path / "gold.spacy", tmp_path / "labelled.spacy"
    DocBin(docs=gold_docs, store_user_data=True).to_disk(gold_path)

    result = CliRunner().invoke(app, ["distill-label", str(teacher_dir), str(gold_path), str(out_path),
                                      "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    labelled = list(DocBin().from_disk(out_path).get_docs(teacher.vocab))
    assert len(labelled) == len(gold_docs)
    for doc, gold in zip(labelled, gold_docs):
        soft = doc.user_data[SOFT_KEY]
        assert soft.shape == (len(doc), len(TAGS)) and soft.dtype == numpy.float16
        numpy.testing.assert_allclose(soft.astype("f").sum(axis=1), 1.0, atol=1e-2)
        # the teacher's own probabilities for that doc, and the gold untouched
        expected = teacher.get_pipe("quotes").predict([Doc(teacher.vocab).from_bytes(gold.to_bytes())])[0]
        numpy.testing.assert_allclose(soft.astype("f"), expected, atol=2e-3)
        for key in (QUOTES_KEY, CUE_KEY, SPEAKER_KEY):
            assert [(s.start, s.end) for s in doc.spans[key]] == [(s.start, s.end) for s in gold.spans[key]]
        assert [t.dep_ for t in doc] == [t.dep_ for t in gold]

    # The student reads the labelled DocBin through spacy_quotes.Corpus.v1: user_data kept.
    fix_random_seed(0)
    student = quotes_pipeline(soft_target_weight=0.5)
    examples = list(create_quote_corpus_reader(out_path)(student))
    assert all(eg.reference.user_data[SOFT_KEY].shape == (len(eg.predicted), len(TAGS)) for eg in examples)
    assert all(QUOTES_KEY not in eg.predicted.spans or not len(eg.predicted.spans[QUOTES_KEY]) for eg in examples)
    student.initialize(lambda: examples)
    pipe = student.get_pipe("quotes")
    _, history = train(student, examples, 40)
    assert history[-1] < history[0] * 0.6 and min(history[-5:]) < min(history[:5])
    # the gradient uses the soft targets: it differs from the gold-only one by w * (onehot - teacher)
    eg = examples[0]
    probs = pipe.model.predict([eg.predicted])
    _, (g_soft,) = pipe.get_loss([eg], probs)
    pipe.cfg["soft_target_weight"] = 0.0
    _, (g_gold,) = pipe.get_loss([eg], probs)
    teacher_p = eg.reference.user_data[SOFT_KEY].astype("f")
    numpy.testing.assert_allclose(g_soft - g_gold, 0.5 * (_one_hot(pipe, eg) - teacher_p), atol=1e-5)


def test_label_unlabelled_text(teacher_dir, tmp_path, base_nlp):
    """Extra text is parsed (by the base pipeline, the teacher having no parser), labelled and
    marked to train on the teacher alone."""
    text_file = tmp_path / "extra.txt"
    text_file.write_text("“The bridge is safe,” an engineer said on Tuesday.", encoding="utf8")
    gold_path, out_path = tmp_path / "gold.spacy", tmp_path / "labelled.spacy"
    DocBin(docs=[base_nlp("No one said anything.")], store_user_data=True).to_disk(gold_path)
    result = CliRunner().invoke(app, ["distill-label", str(teacher_dir), str(gold_path), str(out_path),
                                      "--text", str(text_file)])
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(out_path).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 2
    extra = docs[1]
    assert extra.text.startswith("“The bridge") and extra.has_annotation("DEP")
    assert extra.user_data[SOFT_KEY].shape == (len(extra), len(TAGS)) and extra.user_data[SOFT_WEIGHT_KEY] == 1.0
    assert SOFT_WEIGHT_KEY not in docs[0].user_data


def test_label_docs_leaves_its_input_unchanged(teacher_dir, gold_docs):
    teacher = spacy.load(teacher_dir)
    docs = [Doc(teacher.vocab).from_bytes(d.to_bytes()) for d in gold_docs[:2]]
    out = list(label_docs(teacher, docs, batch_size=1))
    assert [d.user_data[SOFT_KEY].shape[0] for d in out] == [len(d) for d in gold_docs[:2]]
    assert all(len(d.spans[QUOTES_KEY]) == 1 for d in out)
