"""The cue-anchored attribution step (spacy_quotes.AttributionStep.v1 / AttributionTagger.v1) and
the cue lexicon features (spacy_quotes.QuoteEmbed.v2)."""
from pathlib import Path

import numpy
from hypothesis import given, settings, strategies as st
import pytest
import spacy
from thinc.api import Config, fix_random_seed

import spacy_quotes
from spacy_quotes.ml.attribution import HEAD_TAGS, PairIndex, has_attribution_step, pair_maxout
from spacy_quotes.ml.lexicon import N_BUCKETS, N_CLASSES, learn_cue_rates, lemma_classes, rate_bucket
from spacy_quotes.ml.model import reads_lexicon
from spacy_quotes.pipeline.attribution import (
    FILL_SCORE, N_RELATIONS, gold_cues_and_targets, make_pairs, merge_spans, pair_targets,
)
from spacy_quotes.pipeline.decode import RoleSpan, tags_to_spans
from spacy_quotes.quote import get_quotes
from test_component import make_examples  # tests/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent

# Two attributions side by side, a noun cue, a content that must not run into the next cue.
TRAIN = [
    ("The mayor said the bridge would reopen, while the engineer warned that repairs could take months.",
     [("the bridge would reopen", "said", "The mayor"), ("repairs could take months", "warned", "the engineer")]),
    ("Farmers fear the drought will ruin the harvest, the union chairman told the assembly.",
     [("Farmers fear the drought will ruin the harvest", "told", "the union chairman")]),
    ("The airline issued a warning that flights would be delayed.",
     [("flights would be delayed", "warning", "The airline")]),
    ("Doctors insisted the clinic was safe. The inspector disagreed.",
     [("the clinic was safe", "insisted", "Doctors")]),
]

SMALL_MODEL = """
[model]
@architectures = "spacy_quotes.AttributionTagger.v1"
nO = null

[model.attribution]
@architectures = "spacy_quotes.AttributionStep.v1"
width = 32
hidden = 16
maxout_pieces = 2
n_relations = 512

[model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[model.tok2vec.embed]
@architectures = "spacy_quotes.QuoteEmbed.v2"
width = 32
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE", "POS", "DEP"]
rows = [500, 100, 200, 50, 50, 50]
feature_rows = [8, 200, 200, 200, 200]
lexicon_rows = [50, 100, 100, 100]
table_width = 16

[model.tok2vec.encode]
@architectures = "spacy_quotes.WindowLSTMEncoder.v1"
width = 32
depth = 1
window_size = 1
maxout_pieces = 2
lstm_depth = 1
"""


@pytest.fixture
def step_nlp():
    nlp = spacy_quotes.load_base()
    model = Config().from_str(SMALL_MODEL)["model"]
    nlp.add_pipe("quotes", config={"weights": None, "model": model, "resolve_speakers": False,
                                   "filter_not_quotes": False, "quote_formats": False})
    return nlp


def test_pair_layer_gradient_matches_finite_differences():
    layer = pair_maxout(5, 4, 3, 10)
    layer.initialize()
    rng = numpy.random.default_rng(0)
    for name in ("Wt", "Wc", "E", "b"):
        layer.set_param(name, layer.get_param(name).astype("float64") + rng.normal(0, 0.3, layer.get_param(name).shape))
    H = [rng.normal(size=(7, 5)), rng.normal(size=(6, 5))]
    pairs = [PairIndex([1, 3], [3, 4], [0, 1, 2, 3, 4, 5, 2, 3], [0, 0, 0, 0, 1, 1, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8]),
             PairIndex([2], [5], [0, 1, 2, 3, 4, 5], [0] * 6, [0, 1, 2, 3, 4, 9])]
    R = rng.normal(size=(14, 4))

    def f(vectors):
        out, _ = layer((vectors, pairs), False)
        return float((out * R).sum())

    _, backprop = layer((H, pairs), True)
    dH, _ = backprop(R.copy())
    eps = 1e-5
    for d in range(2):
        for i, j in [(0, 0), (1, 2), (2, 4), (3, 1), (4, 3)]:
            plus = [h.copy() for h in H]
            minus = [h.copy() for h in H]
            plus[d][i, j] += eps
            minus[d][i, j] -= eps
            assert (f(plus) - f(minus)) / (2 * eps) == pytest.approx(float(dH[d][i, j]), abs=1e-6)
    W = layer.get_param("Wc")
    w = W[2, 1]
    W[2, 1] = w + eps
    a = f(H)
    W[2, 1] = w - eps
    b = f(H)
    W[2, 1] = w
    assert (a - b) / (2 * eps) == pytest.approx(float(layer.get_grad("Wc")[2, 1]), abs=1e-6)


def test_pairs_targets_and_relations(base_nlp):
    nlp = spacy_quotes.load_base()
    (eg,) = make_examples(nlp, TRAIN[:1])
    cues, roles = gold_cues_and_targets(eg.reference)
    assert [eg.reference[a:b].text for a, b in cues] == ["said", "warned"]
    pairs, windows = make_pairs(eg.predicted, cues)
    n = len(eg.predicted)
    assert windows == [(0, n), (0, n)]  # one sentence: the whole of it for both cues
    assert len(pairs) == 2 * n and pairs.relation.min() >= 0 and pairs.relation.max() < N_RELATIONS
    target = pair_targets(pairs, windows, roles)
    assert target.shape == (2 * n, len(HEAD_TAGS)) and (target.sum(axis=1) == 1).all()
    tags = [HEAD_TAGS[i] for i in target.argmax(axis=1)]
    first = [t.text for t, tag in zip(eg.predicted, tags[:n]) if tag != "O"]
    second = [t.text for t, tag in zip(eg.predicted, tags[n:]) if tag != "O"]
    assert first == "The mayor the bridge would reopen".split()
    assert second == "the engineer repairs could take months".split()
    # the same token stands differently to the two cues
    assert (pairs.relation[:n] != pairs.relation[n:]).any()


def test_merge_takes_the_steps_sources_and_fills_its_missing_contents():
    tagger = [RoleSpan("SOURCE", 0, 3, 0.6), RoleSpan("CUE", 3, 4, 0.9), RoleSpan("CONTENT", 4, 12, 0.6),
              RoleSpan("CONTENT", 20, 24, 0.8), RoleSpan("SOURCE", 40, 42, 0.7)]
    per_cue = [[RoleSpan("SOURCE", 1, 3, 0.9), RoleSpan("CONTENT", 4, 8, 0.9)],
               [RoleSpan("CONTENT", 8, 12, 0.8), RoleSpan("CONTENT", 13, 18, 0.9),
                RoleSpan("CONTENT", 30, 34, FILL_SCORE - 0.1), RoleSpan("CONTENT", 2, 5, 0.95)]]
    merged = merge_spans(tagger, per_cue)
    assert [(s.role, s.start, s.end) for s in merged] == [
        # the step's source replaces the tagger's it overlaps; the tagger's content keeps its
        # edges; the step's confident content where the tagger has none is added, its weak one
        # and the one running into the cue are not; the tagger's spans elsewhere stay
        ("SOURCE", 1, 3), ("CUE", 3, 4), ("CONTENT", 4, 12), ("CONTENT", 13, 18), ("CONTENT", 20, 24),
        ("SOURCE", 40, 42)]


def test_cue_lexicon_buckets_and_classes(base_nlp):
    assert rate_bucket(0, 2) == 0 and rate_bucket(0, 10) == 1 and rate_bucket(9, 10) == N_BUCKETS - 1
    docs = [base_nlp("She said it rained. He said no. They said yes.")]
    said = [t.i for t in docs[0] if t.lemma_ == "say"]
    rates = learn_cue_rates([(docs[0], said)])
    assert rates == {"say": N_BUCKETS - 1, ".": 1}  # "." is seen 3 times, never in a cue
    classes = lemma_classes(base_nlp("The envoy reaffirmed the pledge and believed in calm."), rates, {})
    assert classes.max() < N_CLASSES
    by_word = dict(zip([t.text for t in base_nlp("The envoy reaffirmed the pledge and believed in calm.")], classes))
    assert by_word["envoy"] == 0 and by_word["believed"] != 0  # a belief verb of the hand lists, never seen


def test_overfitting_and_round_trip(step_nlp, tmp_path):
    fix_random_seed(0)
    nlp = step_nlp
    examples = make_examples(nlp, TRAIN)
    pipe = nlp.get_pipe("quotes")
    assert has_attribution_step(pipe.model) and reads_lexicon(pipe.model)
    pipe.initialize(lambda: examples, nlp=nlp)
    optimizer = nlp.create_optimizer()
    losses_seen = []
    for _ in range(120):
        losses = {}
        pipe.update(examples, sgd=optimizer, losses=losses)
        losses_seen.append(losses["quotes"])
    assert losses_seen[-1] < losses_seen[0] * 0.02
    texts = [t for t, _ in TRAIN]
    docs = list(nlp.pipe(texts))
    for doc, (_, gold) in zip(docs, TRAIN):
        assert [(q.content.text, q.cue.text, q.speaker.text) for q in get_quotes(doc)] == gold
    # the step's own spans: the same model with the step off reads them off the tags
    scores = pipe.predict([docs[0]])
    assert len(scores[0].per_cue) == 2
    assert [[(s.role, docs[0][s.start:s.end].text) for s in spans] for spans in scores[0].per_cue] == [
        [("SOURCE", "The mayor"), ("CONTENT", "the bridge would reopen")],
        [("SOURCE", "the engineer"), ("CONTENT", "repairs could take months")]]
    # switched off, the contents are the tag path's CONTENT spans
    pipe.cfg["attribution_step"] = False
    off = nlp(texts[0])
    path_contents = [(s.start, s.end) for s in tags_to_spans(scores[0].path, scores[0].probs) if s.role == "CONTENT"]
    assert [(q.content.start, q.content.end) for q in get_quotes(off)] == path_contents
    pipe.cfg["attribution_step"] = True
    nlp.to_disk(tmp_path / "pipeline")
    nlp2 = spacy.load(tmp_path / "pipeline")
    for d1, d2 in zip(docs, nlp2.pipe(texts)):
        assert [q.to_dict("x") for q in get_quotes(d1)] == [q.to_dict("x") for q in get_quotes(d2)]
    # the learned cue rates travel with the weights
    feats = [n for n in nlp2.get_pipe("quotes").model.walk() if n.name == "quote_features"]
    assert feats[0].attrs["cue_rates"] == [n for n in pipe.model.walk() if n.name == "quote_features"][0].attrs["cue_rates"]
    assert feats[0].attrs["cue_rates"]  # learned from the examples


def test_shipped_config_resolves():
    from spacy.util import load_config, registry

    for name in ("quotes_step.cfg",):
        config = load_config(ROOT / "configs" / name)
        model = registry.resolve({"model": config["components"]["quotes"]["model"]})["model"]
        assert has_attribution_step(model) and reads_lexicon(model)


def _relation_by_hand(doc, cs, ce, t):
    """One pair's relation id the slow way: walk the heads token by token."""
    from spacy_quotes.pipeline import attribution as A

    root = next((i for i in range(cs, ce) if not cs <= doc[i].head.i < ce or doc[i].head.i == i), cs)
    d = t - cs if t < cs else (t - (ce - 1) if t >= ce else 0)
    chain, i = [], t
    for _ in range(31):
        chain.append(i)
        if doc[i].head.i == i:
            break
        i = doc[i].head.i
    above, i = [], root
    for _ in range(30):
        if doc[i].head.i == i:
            break
        i = doc[i].head.i
        above.append(i)
    tree = 0 if cs <= t < ce else 1 if root in chain else 2 if t in above else 3
    dep = doc[t].dep_
    dep_id = (A._CHILD_DEPS.index(dep) + 1 if dep in A._CHILD_DEPS else A._N_DEP - 1) if doc[t].head.i == root else 0
    return ((int(A._dist_bucket(numpy.array([d]))[0]) * A._N_TREE + tree) * A._N_DEP + dep_id) * 2 + int(
        doc[t].sent.start == doc[cs].sent.start)


def test_pair_relations_of_all_cues_at_once_equal_each_pair_by_hand(base_nlp):
    doc = base_nlp("Officials said on Monday that the bridge, which the council had warned about, would reopen. "
                   "“It is safe,” the engineer insisted, adding that repairs could take months. "
                   "The union's warning came late. According to the mayor, nothing changed.")
    cues = [(1, 2), (15, 16), (28, 29), (32, 33), (36, 38)]
    pairs, windows = make_pairs(doc, cues)
    assert len(pairs) == sum(b - a for a, b in windows)
    for token, cue, rel in zip(pairs.token.tolist(), pairs.cue.tolist(), pairs.relation.tolist()):
        assert rel == _relation_by_hand(doc, *cues[cue], token)


def test_decode_steps_of_several_docs_equal_one_by_one():
    from spacy_quotes.pipeline.attribution import decode_step, decode_steps

    rng = numpy.random.default_rng(3)
    windows = [[(0, 7), (3, 12)], [], [(5, 9)]]
    probs = [rng.dirichlet(numpy.ones(len(HEAD_TAGS)) * 0.3, size=sum(b - a for a, b in w)).astype("f")
             for w in windows]
    together = decode_steps(probs, windows, outside_penalty=0.2)
    assert together == [decode_step(p, w, outside_penalty=0.2) for p, w in zip(probs, windows)]
    assert sum(len(s) for doc in together for s in doc) > 0


def _merge_by_pairs(spans, per_cue, fill_score=FILL_SCORE):
    """merge_spans as it was first written, every overlap tested pair by pair (quadratic)."""
    def overlaps(a, b):
        return a.start < b.end and b.start < a.end

    def best_first(candidates, blocked):
        taken = []
        for s in sorted(candidates, key=lambda s: (-s.score, s.start)):
            if not any(overlaps(s, t) for t in taken) and not any(overlaps(s, b) for b in blocked):
                taken.append(s)
        return taken

    cues = [s for s in spans if s.role == "CUE"]
    contents = [s for s in spans if s.role == "CONTENT"]
    steps = [s for spans_ in per_cue for s in spans_]
    sources = best_first((s for s in steps if s.role == "SOURCE"), [])
    sources += [s for s in spans if s.role == "SOURCE" and not any(overlaps(s, t) for t in sources)]
    filled = best_first((s for s in steps if s.role == "CONTENT" and s.score >= fill_score), contents + cues)
    out = [s for s in spans if s.role not in ("CONTENT", "SOURCE")] + contents + sources + filled
    out = [s for s in out if s.role == "CUE" or not any(
        overlaps(s, c) and not (s.start <= c.start and c.end <= s.end) for c in cues)]
    return sorted(out, key=lambda s: (s.start, s.end))


_span = st.builds(lambda role, a, n, score: RoleSpan(role, a, a + n, score),
                  st.sampled_from(["CONTENT", "CUE", "SOURCE"]), st.integers(0, 40), st.integers(0, 8),
                  st.sampled_from([0.3, 0.6, 0.7, 0.75, 0.9]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_span, max_size=12), st.lists(st.lists(_span, max_size=5), max_size=5), st.booleans())
def test_merge_by_bisection_equals_the_pairwise_merge(spans, per_cue, tagger_like):
    if tagger_like:  # as the tagger gives them: no two overlap
        kept = []
        for s in sorted(spans, key=lambda s: (s.start, s.end)):
            if s.start < s.end and all(s.start >= k.end or k.start >= s.end for k in kept):
                kept.append(s)
        spans = kept
    assert merge_spans(spans, per_cue) == _merge_by_pairs(spans, per_cue)

