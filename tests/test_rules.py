"""The attribution rules (spacy_quotes.pipeline.rules): each on passages written for the tests,
on other topics than the seed articles, both on the rule functions (given role spans) and
through the shipped pipeline."""
from typing import List, Tuple

from hypothesis import given, settings, strategies as st
import pytest

import spacy_quotes
from spacy_quotes.pipeline.decode import RoleSpan
from spacy_quotes.pipeline.rules import (
    according_to, extend_coordinated_sources, nested_attributions, quoted_commitments,
)
from spacy_quotes.pipeline.scorer import _find, normalize_name


@pytest.fixture(scope="module")
def parser(base_nlp):
    """The shared base pipeline (conftest)."""
    return base_nlp


def tokens(doc, text: str, after: int = 0) -> Tuple[int, int]:
    """The token range of the first occurrence of `text` at or after character `after`."""
    i = doc.text.index(text, after)
    span = doc.char_span(i, i + len(text))
    assert span is not None, text
    return span.start, span.end


def texts(doc, spans: List[RoleSpan]) -> List[Tuple[str, str]]:
    return [(s.role, doc[s.start:s.end].text) for s in spans]


def test_speech_noun_nested_in_a_content(parser):
    # the parser hangs the clause on "executive" as a relative clause: the rule takes it back
    doc = parser("The union rejected an allegation by the chief executive that wages had doubled since 2019.")
    outer = RoleSpan("CONTENT", *tokens(doc, "an allegation by the chief executive that wages had doubled since 2019"), 0.9)
    added = nested_attributions(doc, [outer])
    assert texts(doc, added) == [("CONTENT", "that wages had doubled since 2019"), ("CUE", "allegation"),
                                 ("SOURCE", "the chief executive")]


def test_speech_noun_with_a_possessive_agent_and_a_quotation(parser):
    doc = parser('The coach dismissed the striker\'s claim that the team "never trained properly" last season.')
    outer = RoleSpan("CONTENT", *tokens(doc, 'the striker\'s claim that the team "never trained properly" last season'), 0.9)
    added = nested_attributions(doc, [outer])
    roles = dict(texts(doc, added))
    assert roles["CUE"] == "claim"
    assert roles["SOURCE"] == "the striker's"  # with the possessive marker, as PolNeAR marks it
    assert roles["CONTENT"].startswith('that the team "never trained properly"')


def test_speech_noun_without_an_agent_or_outside_contents_adds_nothing(parser):
    doc = parser("The union rejected the claim that wages had doubled since 2019.")
    outer = RoleSpan("CONTENT", *tokens(doc, "the claim that wages had doubled since 2019"), 0.9)
    assert nested_attributions(doc, [outer]) == []  # no agent: whose claim is unknown
    doc = parser("An allegation by the chief executive that wages had doubled was news to everyone.")
    assert nested_attributions(doc, []) == []  # no content at all: nothing to nest in


def test_quoted_commitment_needs_quotation_marks(parser):
    doc = parser('The mayor vowed to make the city "the greenest in Europe" by 2030.')
    assert texts(doc, quoted_commitments(doc, [])) == [
        ("CONTENT", 'to make the city "the greenest in Europe" by 2030'), ("CUE", "vowed"), ("SOURCE", "The mayor")]
    plain = parser("The company pledged to invest two billion dollars in the plant.")
    assert quoted_commitments(plain, []) == []  # no quoted words: left to the tagger


def test_quoted_commitment_leaves_the_models_own_content(parser):
    doc = parser('The mayor vowed to make the city "the greenest in Europe" by 2030.')
    model = RoleSpan("CONTENT", *tokens(doc, 'to make the city "the greenest in Europe"'), 0.9)
    assert quoted_commitments(doc, [model]) == []


def test_according_to_left_without_a_content(parser):
    doc = parser("The museum will close for two years, according to a letter sent by the city council.")
    cue = RoleSpan("CUE", *tokens(doc, "according to"), 0.9)
    source = RoleSpan("SOURCE", *tokens(doc, "a letter sent by the city council"), 0.9)
    added = according_to(doc, [cue, source])
    assert texts(doc, added) == [("CONTENT", "The museum will close for two years")]  # the model's cue and source stay
    bare = according_to(doc, [])
    assert texts(doc, bare) == [("CONTENT", "The museum will close for two years"), ("CUE", "according to"),
                                ("SOURCE", "a letter sent by the city council")]


def test_according_to_nests_over_the_sides_own_attribution(parser):
    doc = parser("The two coaches said they would meet in May, according to the league's statement.")
    inner = RoleSpan("CONTENT", *tokens(doc, "they would meet in May"), 0.9)
    said = RoleSpan("CUE", *tokens(doc, "said"), 0.9)
    added = according_to(doc, [said, inner])
    assert ("CONTENT", "The two coaches said they would meet in May") in texts(doc, added)
    # a content on the side that no cue there governs is the tagger's reading: leave it
    other = RoleSpan("CONTENT", *tokens(doc, "they would meet in May"), 0.9)
    assert according_to(doc, [other]) == []


def test_coordinated_speakers_are_one_source(parser):
    doc = parser("Prices rose by four percent, according to the central bank and a group of analysts.")
    source = RoleSpan("SOURCE", *tokens(doc, "the central bank"), 0.9)
    stray = RoleSpan("CONTENT", *tokens(doc, "a group of analysts"), 0.6)
    content = RoleSpan("CONTENT", *tokens(doc, "Prices rose by four percent"), 0.9)
    out = extend_coordinated_sources(doc, [content, source, stray])
    assert texts(doc, out) == [("CONTENT", "Prices rose by four percent"),
                               ("SOURCE", "the central bank and a group of analysts")]
    cue = RoleSpan("CUE", *tokens(doc, "a group"), 0.9)  # another role there: leave the source
    assert extend_coordinated_sources(doc, [source, cue]) == [source, cue]


def test_rules_through_the_pipeline():
    nlp = spacy_quotes.load()
    text = ("The museum will close for two years, according to a letter released by the city council. "
            "The senator dismissed a claim by the governor that she had \"misled voters\" about the budget.")
    doc = nlp(text)
    found = {(q.content.text, q.cue.text if q.cue is not None else None, q.speaker_name) for q in doc._.quotes}
    names = {(content, cue): normalize_name(name) for content, cue, name in found}
    assert names[("The museum will close for two years", "according to")] == "city council"
    assert names[('that she had "misled voters" about the budget', "claim")] == "governor"
    off = spacy_quotes.load(attribution_rules=False)
    assert not any(q.cue is not None and q.cue.text == "claim" for q in off(text)._.quotes)


def test_scorer_prefers_the_exact_span_over_a_larger_overlap():
    outer, inner = (0, 100), (40, 100)
    assert _find([outer, inner], inner) == 1
    assert _find([outer, inner], (45, 100)) == 0  # otherwise the largest overlap, first on a tie


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)).map(lambda t: (t[0], t[0] + t[1])), max_size=15),
       st.integers(0, 36), st.integers(0, 8))
def test_range_index_finds_what_a_scan_finds(ranges, start, length):
    from spacy_quotes.pipeline.decode import SpanIndex

    end = start + length
    index = SpanIndex(ranges)
    scan = [(a, b) for a, b in ranges if a < end and start < b]
    assert sorted(index.overlapping(start, end)) == sorted(scan)
    assert index.hits(start, end) == bool(scan)
