"""The `quotes` component: factory, config, training, serialisation."""
import numpy
import pytest
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from thinc.api import fix_random_seed

import spacy_quotes
from spacy_quotes.ml.attribution import has_attribution_step
from spacy_quotes.pipeline.component import DEFAULT_MODEL, QuotePipe
from spacy_quotes.quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY, get_quotes, set_quote_groups

TRAIN = [
    ("“We will not back down,” the minister said on Monday.", [("“We will not back down,”", "said", "the minister")]),
    ("The company said that profits rose sharply in the third quarter.",
     [("profits rose sharply in the third quarter", "said", "The company")]),
    ("According to the coach, the team is ready for the final.", [("the team is ready for the final", "According to", "the coach")]),
    ("Police told reporters the road would stay closed until Friday.",
     [("the road would stay closed until Friday", "told", "Police")]),
]


def make_examples(nlp, data):
    examples = []
    disabled = nlp.select_pipes(disable=[n for n in nlp.pipe_names if n == "quotes"])
    for text, quotes in data:
        gold = nlp(text)
        items = []
        for content, cue, speaker in quotes:
            a, b, s = text.index(content), text.index(cue), text.index(speaker)
            items.append({"content": (a, a + len(content)), "cue": (b, b + len(cue)),
                          "speaker": (s, s + len(speaker))})
        set_quote_groups(gold, items)
        examples.append(Example(nlp(text), gold))
    disabled.restore()
    return examples


@pytest.fixture
def fresh_nlp(base_nlp):
    """A copy of the base pipeline with an untrained quotes component."""
    from spacy_quotes.base import load_base

    nlp = load_base()
    nlp.add_pipe("quotes", config={"weights": None})
    return nlp


def test_add_pipe(base_nlp):
    nlp = spacy_quotes.load_base()
    pipe = nlp.add_pipe("quotes")
    assert isinstance(pipe, QuotePipe)
    assert nlp.pipe_names[-1] == "quotes"
    assert "doc.spans" in nlp.get_pipe_meta("quotes").assigns


def test_default_config_resolves():
    from thinc.api import Config
    from spacy.util import registry

    model = registry.resolve(Config({"model": DEFAULT_MODEL}))["model"]
    assert model.name.startswith("quote_features") or model.has_ref("tok2vec")


def test_window_lstm_encoder():
    from spacy_quotes.ml.model import build_window_lstm_encoder

    rng = numpy.random.default_rng(0)
    X = [rng.normal(size=(n, 16)).astype("f") for n in (7, 1, 30)]
    for lstm_depth in (0, 1, 2):
        enc = build_window_lstm_encoder(width=16, depth=2, window_size=1, maxout_pieces=2, lstm_depth=lstm_depth)
        enc.initialize(X=X[:1], Y=X[:1])
        Y, backprop = enc.begin_update(X)
        assert [y.shape for y in Y] == [x.shape for x in X]
        dX = backprop([numpy.ones_like(y) for y in Y])
        assert [d.shape for d in dX] == [x.shape for x in X]
        assert all(numpy.isfinite(y).all() for y in Y)
    # the LSTM sees beyond the convolution's window: changing the last of six tokens changes
    # the first one's output, which the CNN alone (window 1, depth 1) does not
    seq = X[2][:6]
    changed = seq.copy()
    changed[-1] += 5.0
    for lstm_depth, reaches in ((0, False), (1, True)):
        enc = build_window_lstm_encoder(width=16, depth=1, window_size=1, maxout_pieces=2, lstm_depth=lstm_depth)
        enc.initialize(X=[seq], Y=[seq])
        a, b = enc.predict([seq])[0], enc.predict([changed])[0]
        assert (float(numpy.abs(a[0] - b[0]).max()) > 1e-6) == reaches
    with pytest.raises(ValueError, match="even"):
        build_window_lstm_encoder(width=15, depth=1, window_size=1, maxout_pieces=2, lstm_depth=1)


def test_not_initialised_error(fresh_nlp):
    with pytest.raises(ValueError, match="not initialised"):
        fresh_nlp("He said it would rain.")


def test_missing_annotations_error():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("quotes")
    if not nlp.get_pipe("quotes").is_initialized:
        pytest.skip("no shipped weights")
    with pytest.raises(ValueError, match="dependency parses"):
        nlp("“Yes,” she said.")


def test_bad_config_rejected(base_nlp):
    import spacy

    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="link_window"):
        nlp.add_pipe("quotes", config={"weights": None, "link_window": -1})


def test_overfitting_IO(fresh_nlp, tmp_path):
    fix_random_seed(0)
    nlp = fresh_nlp
    examples = make_examples(nlp, TRAIN)
    pipe = nlp.get_pipe("quotes")
    pipe.initialize(lambda: examples, nlp=nlp)
    optimizer = nlp.create_optimizer()
    first = None
    for i in range(50):
        losses = {}
        pipe.update(examples, sgd=optimizer, losses=losses)
        first = losses["quotes"] if first is None else first
    assert losses["quotes"] < first * 0.01

    texts = [t for t, _ in TRAIN]
    docs = list(nlp.pipe(texts))
    for doc, (text, gold) in zip(docs, TRAIN):
        quotes = get_quotes(doc)
        assert [(q.content.text, q.cue.text, q.speaker.text) for q in quotes] == gold
        for q in quotes:
            assert 0.0 <= q.score <= 1.0
    assert get_quotes(docs[0])[0].type == "direct"
    assert get_quotes(docs[1])[0].type == "indirect"

    scores = nlp.evaluate(examples)
    for key in ("quotes_content_f", "quotes_cue_f", "quotes_speaker_f", "quotes_link_acc",
                "quotes_content_overlap_f"):
        assert scores[key] == 1.0, key

    nlp.to_disk(tmp_path / "pipeline")
    import spacy

    nlp2 = spacy.load(tmp_path / "pipeline")
    docs2 = list(nlp2.pipe(texts))
    for d1, d2 in zip(docs, docs2):
        assert [q.to_dict("x") for q in get_quotes(d1)] == [q.to_dict("x") for q in get_quotes(d2)]

    # the component directory alone can be loaded as weights, the way the package ships them
    pipe.to_disk(tmp_path / "component", exclude=["vocab"])
    nlp3 = spacy_quotes.load_base()
    nlp3.add_pipe("quotes", config={"weights": str(tmp_path / "component")})
    assert [q.to_dict("x") for q in get_quotes(nlp3(texts[0]))] == [q.to_dict("x") for q in get_quotes(docs[0])]


def test_quotes_survive_docbin(base_nlp):
    text = "“It is over,” she said."
    doc = base_nlp(text)
    c, s, k = text.index("”") + 1, text.index("she"), text.index("said")
    set_quote_groups(doc, [{"content": (0, c), "cue": (k, k + 4), "speaker": (s, s + 3), "speaker_name": "Ann Lee"}])
    db = DocBin(store_user_data=True)
    db.add(doc)
    doc2 = list(DocBin().from_bytes(db.to_bytes()).get_docs(base_nlp.vocab))[0]
    doc3 = Doc(base_nlp.vocab).from_bytes(doc.to_bytes())
    for other in (doc2, doc3):
        q = get_quotes(other)[0]
        assert (q.content.text, q.cue.text, q.speaker.text, q.speaker_name) == ("“It is over,”", "said", "she", "Ann Lee")
        assert q.type == "direct"
        assert q.text == "It is over"


def test_weights_that_do_not_fit(tmp_path, fresh_nlp):
    fix_random_seed(0)
    examples = make_examples(fresh_nlp, TRAIN[:1])
    pipe = fresh_nlp.get_pipe("quotes")
    pipe.initialize(lambda: examples, nlp=fresh_nlp)
    pipe.to_disk(tmp_path / "c", exclude=["vocab"])
    nlp = spacy_quotes.load_base()
    cfg = {"weights": str(tmp_path / "c"), "model": {"tok2vec": {"encode": {"depth": 2}}}}
    with pytest.raises(ValueError, match="do not fit"):
        nlp.add_pipe("quotes", config=cfg)


def test_empty_and_whitespace_docs(quotes_nlp):
    if not quotes_nlp.get_pipe("quotes").is_initialized:
        pytest.skip("no shipped weights")
    for text in ("", " ", "\n\n", "“", "”"):
        doc = quotes_nlp(text)
        for q in get_quotes(doc):
            assert text[q.text_offsets[0]:q.text_offsets[1]] == q.text


def test_predict_in_sub_batches_gives_the_same_scores(quotes_nlp, monkeypatch):
    from spacy_quotes.pipeline import component

    texts = ["“We will not back down,” the minister said on Monday.", "",
             "The company said that profits rose sharply. Analysts told reporters they expected more."] * 3
    with quotes_nlp.select_pipes(disable=["quotes"]):
        docs = list(quotes_nlp.pipe(texts))
    pipe = quotes_nlp.get_pipe("quotes")
    # the tags alone first (the model called as a whole); the shipped model's step below
    monkeypatch.setitem(pipe.cfg, "attribution_step", False)
    whole = pipe.predict(docs)
    monkeypatch.setitem(pipe.cfg, "attribution_step", True)
    with_step = pipe.predict(docs)
    monkeypatch.setitem(pipe.cfg, "attribution_step", False)
    monkeypatch.setattr(component, "PREDICT_BATCH_TOKENS", 12)  # a model call per doc or two
    calls = []
    model_class = type(pipe.model)
    original = model_class.predict

    def counted(self, X):
        if self is pipe.model:
            calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(model_class, "predict", counted)
    parts = pipe.predict(docs)
    assert len(calls) > 3 and sum(calls) == sum(1 for d in docs if len(d))
    assert [p.shape for p in parts] == [w.shape for w in whole]
    assert all(numpy.allclose(p, w, atol=1e-6) for p, w in zip(parts, whole))
    if has_attribution_step(pipe.model):  # in sub-batches, the step sees the same vectors and cues
        monkeypatch.setitem(pipe.cfg, "attribution_step", True)
        step_parts = pipe.predict(docs)
        assert all(numpy.allclose(p.probs, w, atol=1e-6) for p, w in zip(step_parts, whole))
        assert [[[(r.role, r.start, r.end) for r in spans] for spans in p.per_cue] for p in step_parts] == [
            [[(r.role, r.start, r.end) for r in spans] for spans in p.per_cue] for p in with_step]
        assert any(p.per_cue for p in step_parts)


def test_long_document_goes_through_the_model_in_pieces(quotes_nlp, monkeypatch):
    from spacy_quotes.pipeline import component

    paragraph = ("“We will not back down,” the minister said on Monday. The company said that profits "
                 "rose sharply in the third quarter.")
    text = "\n\n".join([paragraph] * 12)
    with quotes_nlp.select_pipes(disable=["quotes"]):
        doc = quotes_nlp(text)
    pipe = quotes_nlp.get_pipe("quotes")
    monkeypatch.setitem(pipe.cfg, "attribution_step", False)  # the tags first; the step at the end
    whole = pipe.predict([doc])[0]
    monkeypatch.setattr(component, "LONG_DOC_TOKENS", 100)
    monkeypatch.setattr(component, "_PIECE_TOKENS", 60)
    cuts = component._long_doc_cuts(doc)
    assert len(cuts) > 3 and cuts[0][0] == 0 and cuts[-1][1] == len(doc)
    assert all(b == c for (_, b), (c, _) in zip(cuts, cuts[1:]))  # contiguous, no overlap
    assert all(doc[a].is_sent_start and doc[a - 1].is_space for a, _ in cuts[1:])  # paragraph starts
    pieces = pipe.predict([doc])[0]
    assert pieces.shape == whole.shape
    pipe.set_annotations([doc], [pieces])
    found = {(q.text, q.speaker.text if q.speaker is not None else None) for q in doc._.quotes}
    assert found == {("We will not back down", "the minister"),
                     ("that profits rose sharply in the third quarter", "The company")}
    assert len(doc._.quotes) == 24  # every paragraph's two quotes, across the pieces
    # the shipped step runs on the joined vectors of the pieces: the same quotes
    monkeypatch.setitem(pipe.cfg, "attribution_step", True)
    stepped = pipe.predict([doc])[0]
    assert numpy.allclose(stepped.probs, pieces, atol=1e-6) and len(stepped.per_cue) == 24
    pipe.set_annotations([doc], [stepped])
    assert {(q.text, q.speaker.text if q.speaker is not None else None) for q in doc._.quotes} == found
    assert len(doc._.quotes) == 24


def test_long_document_pieces_are_spans_with_the_whole_docs_features(quotes_nlp, monkeypatch):
    """The shipped model takes Spans: a long Doc's features are computed once from the whole
    Doc (parse and quotation marks read across the cuts) and sliced for each piece."""
    from spacy_quotes.ml import model as model_module
    from spacy_quotes.pipeline import component

    pipe = quotes_nlp.get_pipe("quotes")
    monkeypatch.setitem(pipe.cfg, "attribution_step", False)  # the model called as a whole
    assert pipe.model.attrs["takes_spans"] is True
    paragraph = ("\u201cWe will not back down,\u201d the minister said on Monday. The company said that "
                 "profits rose sharply in the third quarter.")
    with quotes_nlp.select_pipes(disable=["quotes"]):
        doc = quotes_nlp("\n\n".join([paragraph] * 12))
    extractor = next(node for node in pipe.model.walk() if node.name == "quote_features")
    whole_features = extractor.predict([doc])[0]
    structure_calls = []
    real = model_module.doc_structure_features
    monkeypatch.setattr(model_module, "doc_structure_features",
                        lambda d, *a, **k: structure_calls.append(len(d)) or real(d, *a, **k))
    seen = []
    real_predict = type(pipe.model).predict
    monkeypatch.setattr(type(pipe.model), "predict",
                        lambda self, X: (seen.extend(X) if self is pipe.model else None) or real_predict(self, X))
    monkeypatch.setattr(component, "LONG_DOC_TOKENS", 100)
    monkeypatch.setattr(component, "_PIECE_TOKENS", 60)
    monkeypatch.setattr(component, "PREDICT_BATCH_TOKENS", 130)  # several model calls
    pipe.predict([doc])
    assert len(seen) > 3 and all(isinstance(p, Span) and p.doc is doc for p in seen)
    assert structure_calls == [len(doc)]  # once for the whole Doc, not once per piece or call
    # nothing is held once the piece that ends the Doc has been read
    held = [c.cell_contents for c in extractor._func.__closure__ if isinstance(c.cell_contents, dict)]
    assert held and held[0]["doc"] is None and held[0]["features"] is None
    pieces = [p for p in seen]
    sliced = extractor.predict(pieces)
    assert numpy.array_equal(numpy.concatenate(sliced), whole_features)
    assert structure_calls == [len(doc)] * 2


def test_models_reading_docs_otherwise_get_whole_documents(base_nlp):
    """takes_spans is false where a layer other than the quote features reads the Docs (a
    transformer listener, spaCy's own feature extractor): such a Doc goes to the model whole."""
    from thinc.api import Config
    from spacy.util import registry

    from spacy_quotes.ml.model import takes_spans

    shipped = registry.resolve(Config({"m": DEFAULT_MODEL}))["m"]
    assert shipped.attrs["takes_spans"] is True and takes_spans(shipped.get_ref("tok2vec"))
    multihash = registry.resolve(Config({"m": {
        "@architectures": "spacy_quotes.QuoteTagger.v1", "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                    "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 16, "attrs": ["NORM"],
                              "rows": [100], "include_static_vectors": False},
                    "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 16, "depth": 1,
                               "window_size": 1, "maxout_pieces": 2}},
    }}))["m"]
    assert multihash.attrs["takes_spans"] is False


def test_config_overrides_survive_loading_a_saved_pipeline(tmp_path):
    """The settings saved beside the weights do not undo the loaded pipeline's config: a
    pipeline saved with resolve_speakers = false (as training saves it) loads with names when
    the config says so."""
    import spacy

    nlp = spacy_quotes.load(resolve_speakers=False, link_window=2)
    assert nlp.get_pipe("quotes").cfg["resolve_speakers"] is False
    nlp.to_disk(tmp_path / "pipe")
    text = "\u201cWe will win,\u201d the minister said on Monday."
    saved = spacy.load(tmp_path / "pipe")
    assert saved.get_pipe("quotes").cfg["link_window"] == 2
    assert [q.speaker_name for q in saved(text)._.quotes] == [None]  # as saved: no names
    on = spacy_quotes.load(model=str(tmp_path / "pipe"), resolve_speakers=True)
    assert on.get_pipe("quotes").cfg["resolve_speakers"] is True
    assert on.get_pipe("quotes").cfg["link_window"] == 2
    assert [q.speaker_name for q in on(text)._.quotes] == ["the minister"]
