"""Decoding tag probabilities into spans, and linking contents, cues and speakers."""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spacy_quotes.tags import TAGS
import itertools

from spacy_quotes.pipeline.decode import RoleSpan, tags_to_spans, viterbi_biluo, viterbi_biluo_batch
from spacy_quotes.pipeline.link import link_spans


def _valid(path):
    prev = "O"
    for t in path:
        tag = TAGS[t]
        if prev[0] in "BI":
            assert tag[0] in "IL" and tag[2:] == prev[2:], (prev, tag)
        else:
            assert tag == "O" or tag[0] in "BU", (prev, tag)
        prev = tag
    assert prev == "O" or prev[0] in "LU"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=10_000))
def test_viterbi_always_gives_a_valid_sequence(n, seed):
    rng = numpy.random.default_rng(seed)
    probs = rng.dirichlet(numpy.ones(len(TAGS)) * 0.3, size=n).astype("f")
    path = viterbi_biluo(probs)
    assert path.shape == (n,)
    _valid(path)
    for span in tags_to_spans(path, probs):
        assert 0 <= span.start < span.end <= n and 0.0 <= span.score <= 1.0


def _is_valid(path) -> bool:
    try:
        _valid(path)
    except AssertionError:
        return False
    return True


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=10_000))
def test_viterbi_finds_the_best_valid_sequence(n, seed):
    # brute force over every tag sequence of a short document
    rng = numpy.random.default_rng(seed)
    probs = rng.dirichlet(numpy.ones(len(TAGS)) * 0.3, size=n).astype("f")
    logp = numpy.log(numpy.clip(probs, 1e-9, 1.0))
    best = max((p for p in itertools.product(range(len(TAGS)), repeat=n) if _is_valid(p)),
               key=lambda p: sum(logp[i, t] for i, t in enumerate(p)))
    path = viterbi_biluo(probs)
    assert sum(logp[i, t] for i, t in enumerate(path)) == pytest.approx(sum(logp[i, t] for i, t in enumerate(best)))


def test_batch_search_equals_one_document_at_a_time():
    # lengths far apart (grouped), empty documents and a long one: each path as if alone
    rng = numpy.random.default_rng(7)
    lengths = [0, 5, 700, 1, 0, 40, 300, 2, 1200, 17] + list(rng.integers(1, 60, size=300))
    batch = [rng.dirichlet(numpy.ones(len(TAGS)) * 0.3, size=n).astype("f") for n in lengths]
    paths = viterbi_biluo_batch(batch)
    assert [len(p) for p in paths] == lengths
    for probs, path in zip(batch, paths):
        assert (path == viterbi_biluo(probs)).all()
        _valid(path)


def test_viterbi_repairs_an_invalid_argmax():
    idx = {t: i for i, t in enumerate(TAGS)}
    probs = numpy.full((3, len(TAGS)), 0.01, dtype="f")
    probs[0, idx["B-CONTENT"]] = 0.9  # B then O then I: not valid as it stands
    probs[1, idx["O"]] = 0.5
    probs[1, idx["I-CONTENT"]] = 0.45
    probs[2, idx["L-CONTENT"]] = 0.9
    path = viterbi_biluo(probs)
    assert [TAGS[t] for t in path] == ["B-CONTENT", "I-CONTENT", "L-CONTENT"]
    spans = tags_to_spans(path, probs)
    assert [(s.role, s.start, s.end) for s in spans] == [("CONTENT", 0, 3)]


def _spans(doc, role, texts):
    out = []
    for text in texts:
        start = doc.text.index(text)
        span = doc.char_span(start, start + len(text))
        out.append(RoleSpan(role, span.start, span.end, 1.0))
    return sorted(out, key=lambda s: s.start)


def test_linking_follows_the_tree(base_nlp):
    text = ("The mayor said that the bridge would reopen in May, while critics argued that the repairs were "
            "rushed. “We will keep checking it,” the engineer added.")
    doc = base_nlp(text)
    contents = _spans(doc, "CONTENT", ["that the bridge would reopen in May", "that the repairs were rushed",
                                        "“We will keep checking it,”"])
    cues = _spans(doc, "CUE", ["said", "argued", "added"])
    speakers = _spans(doc, "SOURCE", ["The mayor", "critics", "the engineer"])
    links = link_spans(doc, contents, cues, speakers)
    got = [(doc[contents[l.content].start:contents[l.content].end].text[:12],
            doc[cues[l.cue].start:cues[l.cue].end].text,
            doc[speakers[l.speaker].start:speakers[l.speaker].end].text) for l in links]
    assert got == [("that the bri", "said", "The mayor"), ("that the rep", "argued", "critics"),
                   ("“We will kee", "added", "the engineer")]


def test_split_quote_shares_cue_and_speaker(base_nlp):
    text = "“We tried,” the coach said, “but it was not enough.”"
    doc = base_nlp(text)
    contents = _spans(doc, "CONTENT", ["“We tried,”", "“but it was not enough.”"])
    cues = _spans(doc, "CUE", ["said"])
    speakers = _spans(doc, "SOURCE", ["the coach"])
    links = link_spans(doc, contents, cues, speakers)
    assert [(l.cue, l.speaker) for l in links] == [(0, 0), (0, 0)]


def test_nothing_to_link(base_nlp):
    doc = base_nlp("No one spoke.")
    assert link_spans(doc, [], [], []) == []
    contents = [RoleSpan("CONTENT", 0, 3, 0.9)]
    assert [(l.cue, l.speaker) for l in link_spans(doc, contents, [], [])] == [(-1, -1)]


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=10_000))
def test_outside_penalty_tags_fewer_tokens_outside(n, seed):
    # the prior against O is a knob from precision to recall: never more O tokens as it grows
    rng = numpy.random.default_rng(seed)
    probs = rng.dirichlet(numpy.ones(len(TAGS)) * 0.3, size=n).astype("f")
    probs[:, 0] += 2.0  # mostly outside, as in news text
    probs /= probs.sum(axis=1, keepdims=True)
    n_out = [int((viterbi_biluo(probs, outside_penalty=p) == 0).sum()) for p in (0.0, 0.5, 1.0, 2.0, 4.0)]
    assert n_out == sorted(n_out, reverse=True)
    _valid(viterbi_biluo(probs, outside_penalty=4.0))


def _masked_viterbi(probs, tags):
    """The search over the full tag-by-tag transition matrix (the reference for the fast one)."""
    from spacy_quotes.pipeline.decode import _transition_mask
    allowed, start_ok, end_ok = _transition_mask(tuple(tags))
    logp = numpy.log(numpy.clip(probs, 1e-9, 1.0)).astype(numpy.float64)
    trans = numpy.where(allowed, 0.0, -1e9)
    score = logp[0] + numpy.where(start_ok, 0.0, -1e9)
    back = []
    for t in range(1, len(probs)):
        cand = score[:, None] + trans
        back.append(cand.argmax(axis=0))
        score = cand.max(axis=0) + logp[t]
    path = [int((score + numpy.where(end_ok, 0.0, -1e9)).argmax())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    return path[::-1]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=10_000), st.booleans())
def test_structured_search_equals_the_full_transition_matrix(n, seed, head_tags):
    """The search that uses the BILUO structure (the best closing tag, the best B-X/I-X) gives
    the path of the n_tags x n_tags search, for the 17 tags and for the step's 9; ties too
    (probabilities rounded to a few values)."""
    from spacy_quotes.ml.attribution import HEAD_TAGS
    tags = HEAD_TAGS if head_tags else TAGS
    rng = numpy.random.default_rng(seed)
    probs = rng.dirichlet(numpy.ones(len(tags)) * 0.3, size=n).astype("f")
    if seed % 3 == 0:
        probs = numpy.round(probs * 4) / 4  # equal scores: the first of them, as an argmax
    got = viterbi_biluo_batch([probs], tags=tags)[0].tolist()
    assert got == _masked_viterbi(probs, tags)
