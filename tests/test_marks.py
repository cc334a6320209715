"""Tests for spacy_quotes.marks: pairing quotation marks into quotations."""
import time
from typing import List

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spacy_quotes.marks import (
    QUOTE_MARKS,
    Quotation,
    find_quotations,
    is_quote_mark,
    quote_state,
    quote_type,
)


def spans(text: str, nested: bool = False) -> List[str]:
    return [text[q.start : q.end] for q in find_quotations(text, nested=nested)]


# --- mark styles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ('He said "we will go" today.', ['"we will go"']),
        ("He said 'we will go' today.", ["'we will go'"]),
        ("He said “we will go” today.", ["“we will go”"]),
        ("He said ‘we will go’ today.", ["‘we will go’"]),
        ("Il a dit «nous irons» hier.", ["«nous irons»"]),
        ("Il a dit « nous irons » hier.", ["« nous irons »"]),
        ("Han sagde »vi går« i går.", ["»vi går«"]),
        ("Il a dit ‹nous irons› hier.", ["‹nous irons›"]),
        ("Er sagte ›wir gehen‹ heute.", ["›wir gehen‹"]),
        ("Er sagte „wir gehen“ heute.", ["„wir gehen“"]),
        ("Powiedział „pójdziemy” dziś.", ["„pójdziemy”"]),
        ("Er sagte ‚wir gehen‘ heute.", ["‚wir gehen‘"]),
        ("Han sa ”vi går” i dag.", ["”vi går”"]),
    ],
)
def test_mark_styles(text: str, expected: List[str]) -> None:
    quotations = find_quotations(text)
    assert spans(text) == expected
    assert all(q.closed for q in quotations)
    q = quotations[0]
    assert q.open_mark == text[q.start]
    assert q.close_mark == text[q.end - 1]
    assert text[q.inner_start : q.inner_end] == expected[0][1:-1]


def test_several_quotations_in_order() -> None:
    text = 'He said "yes" and then “no” and finally ‘maybe’.'
    assert spans(text) == ['"yes"', "“no”", "‘maybe’"]


def test_straight_double_quotes_pair_by_position() -> None:
    text = '"Hello," he said. "Goodbye," she said.'
    assert spans(text) == ['"Hello,"', '"Goodbye,"']
    # opening after an open bracket and after a dash
    assert spans('He (who said "never") left.') == ['"never"']
    assert spans('It was —"perhaps"— true.') == ['"perhaps"']
    # a closing mark in opening-looking position (space before and after) still closes
    assert spans('"Hello, " he said') == ['"Hello, "']


def test_misused_marks() -> None:
    # an opening curly mark used as the closing one
    text = "He called them “the best in the world“ and left. “It worked. “"
    assert spans(text) == ["“the best in the world“", "“It worked. “"]
    # mixed straight and curly marks
    assert spans('He said “yes" and "no” today.') == ["“yes\"", "\"no”"]
    # a misused ‘ as the closing single mark
    assert spans("He said ‘yes‘ today.") == ["‘yes‘"]
    # doubled straight single quotes used as double quotes
    text = "He said ''we will go,'' and left."
    assert spans(text) == ["''we will go,''"]


def test_quotation_properties() -> None:
    q = Quotation(start=3, end=10, open_mark="“", close_mark="”")
    assert (q.inner_start, q.inner_end, q.closed) == (4, 9, True)
    u = Quotation(start=3, end=10, open_mark="“", close_mark=None)
    assert (u.inner_start, u.inner_end, u.closed) == (4, 10, False)


def test_is_quote_mark() -> None:
    for ch in "\"'“”‘’«»‹›„‚":
        assert is_quote_mark(ch), ch
    for ch in "a,.-` ":
        assert not is_quote_mark(ch), ch
    assert QUOTE_MARKS >= set("\"'“”‘’«»‹›„‚")


# --- apostrophes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I don’t know.",
        "I don't know.",
        "Erdogan’s army and Syria's army moved.",
        "The ’90s were long, the '80s too.",
        "He loves rock ’n’ roll and rock 'n' roll.",
        "The students’ union met the teachers' union.",
        "O’Neill and O'Brien met.",
        "They sang ’em all, ’tis true.",
        "The U.S.'s plan.",
    ],
)
def test_apostrophes_are_not_quotes(text: str) -> None:
    assert find_quotations(text) == []
    assert find_quotations(text, nested=True) == []


def test_apostrophes_inside_quotations() -> None:
    text = "“I don’t like Erdogan’s plan for the ’90s rock ’n’ roll,” O’Neill said."
    assert spans(text) == ["“I don’t like Erdogan’s plan for the ’90s rock ’n’ roll,”"]
    text = "‘I don’t like Erdogan’s plan,’ O’Neill said."
    assert spans(text) == ["‘I don’t like Erdogan’s plan,’"]
    text = "'It's the ’90s again,' he said."
    assert spans(text) == ["'It's the ’90s again,'"]


def test_plural_possessive_inside_single_quotes() -> None:
    # the possessive ’ does not close the quotation when a real closing mark follows
    text = "‘The students’ union is strong,’ he said."
    assert spans(text) == ["‘The students’ union is strong,’"]
    # ... but closes it when nothing else does
    text = "‘We love the Beatles’ said the fans."
    assert spans(text) == ["‘We love the Beatles’"]


def test_possessive_inside_a_closed_inner_quotation_does_not_close_the_outer() -> None:
    # the ’ of "students’" lies inside the inner "..." that closes later: closing the outer
    # ‘ there would make the two cross (found by test_property_random_text)
    text = "‘\"The students’ said\" and the students’ union agreed."
    quotations = find_quotations(text, nested=True)
    for q in quotations:
        for o in quotations:
            assert q.end <= o.start or o.end <= q.start or (o.start <= q.start and q.end <= o.end) or (
                q.start <= o.start and o.end <= q.end
            ), (q, o)
    assert spans(text, nested=True) == ["‘\"The students’ said\" and the students’", "\"The students’ said\""]
    # an outer quotation left with no closing mark at all runs to the paragraph end
    text = "‘\"The students’ said\" loudly."
    assert spans(text, nested=True)[0] == text
    assert spans(text, nested=True)[1] == "\"The students’ said\""


# --- nesting -------------------------------------------------------------------------------


def test_nested_quotes() -> None:
    text = "He said: “They told me ‘go away’ and I left.” Then he went."
    assert spans(text) == ["“They told me ‘go away’ and I left.”"]
    assert spans(text, nested=True) == ["“They told me ‘go away’ and I left.”", "‘go away’"]
    text = "He said: \"They told me 'go away' and I left.\""
    assert spans(text, nested=True) == ["\"They told me 'go away' and I left.\"", "'go away'"]
    text = "Er sagte: „Sie sagten ‚geh weg‘ zu mir.“"
    assert spans(text, nested=True) == ["„Sie sagten ‚geh weg‘ zu mir.“", "‚geh weg‘"]


def test_nested_unclosed_inner_ends_before_outer_close() -> None:
    text = "“He said ‘go and left.” Later."
    outer, inner = find_quotations(text, nested=True)
    assert text[outer.start : outer.end] == "“He said ‘go and left.”"
    assert not inner.closed
    assert outer.start < inner.start < inner.end <= outer.inner_end


# --- unbalanced marks ----------------------------------------------------------------------


def test_unclosed_runs_to_paragraph_end() -> None:
    text = "He said “we will go and left.\n\nThe next paragraph.”"
    quotations = find_quotations(text)
    assert len(quotations) == 1
    q = quotations[0]
    assert not q.closed and q.close_mark is None
    assert text[q.start : q.end] == "“we will go and left."
    assert q.inner_end == q.end


def test_unclosed_runs_to_newline_and_text_end() -> None:
    text = "He said “we will go\nNext line."
    assert spans(text) == ["“we will go"]
    text = "He said “we will go   "
    assert spans(text) == ["“we will go"]


def test_stray_closing_mark_ignored() -> None:
    text = "He said we will go” and left. Then “this” happened."
    assert spans(text) == ["“this”"]
    assert find_quotations("go» away") == []
    assert find_quotations('It is 5" long') == []


def test_unclosed_straight_single_quote_is_apostrophe() -> None:
    assert find_quotations("He said 'bout time and left.") == []
    assert spans("He said “'bout time” and left.") == ["“'bout time”"]
    assert find_quotations("He said “'bout time” and left.", nested=True)[1:] == []


# --- multi-paragraph quotations --------------------------------------------------------------


def test_multi_paragraph_quotation() -> None:
    text = (
        "“The first paragraph of the quote.\n\n"
        "“The second paragraph of the quote.\n\n"
        "“The final paragraph,” he said.\n\n"
        "Then “another” one."
    )
    quotations = find_quotations(text)
    assert len(quotations) == 2
    first = quotations[0]
    assert first.closed
    assert first.start == 0
    assert text[first.start : first.end].endswith("“The final paragraph,”")
    assert text[quotations[1].start : quotations[1].end] == "“another”"


def test_multi_paragraph_after_attribution() -> None:
    # AP style: a quote that starts mid-paragraph and continues in the next paragraph
    text = "“We are ready,” he said. “We will fight.\n“We will never surrender.”"
    assert spans(text) == ["“We are ready,”", "“We will fight.\n“We will never surrender.”"]


def test_multi_paragraph_straight_quotes() -> None:
    text = '"One.\n\n"Two," he said.'
    assert spans(text) == ['"One.\n\n"Two,"']


def test_wrapped_line_inside_quotation() -> None:
    # a single line break inside a quotation that closes on the next line
    text = "He said “we will fight\non the beaches,” and left."
    assert spans(text) == ["“we will fight\non the beaches,”"]
    # ... but not when another quotation opens on the next line first
    text = "He said “we will fight\nShe said “no” today."
    assert spans(text) == ["“we will fight", "“no”"]


def test_no_continuation_when_next_paragraph_has_no_mark() -> None:
    text = "“One paragraph.\n\nAnother “quote” here."
    assert spans(text) == ["“One paragraph.", "“quote”"]


def test_multi_paragraph_never_closed() -> None:
    text = "“One.\n\n“Two.\n\nNo quote."
    quotations = find_quotations(text)
    assert len(quotations) == 1
    assert not quotations[0].closed
    assert text[quotations[0].start : quotations[0].end] == "“One.\n\n“Two."


# --- quote_type ----------------------------------------------------------------------------


def test_quote_type_news_style() -> None:
    text = "“We will strike,” he added. X called it “a fantasy” on Tuesday."
    content = "“We will strike,”"
    start = text.index(content)
    assert quote_type(text, start, start + len(content)) == "direct"
    # inner text only, or with trailing punctuation: still direct
    assert quote_type(text, 1, 15) == "direct"
    s = text.index("X called")
    e = text.index("Tuesday") + len("Tuesday")
    assert quote_type(text, s, e) == "mixed"
    s2 = text.index("he added")
    assert quote_type(text, s2, s2 + len("he added")) == "indirect"
    # the marks and punctuation around an indirect span are ignored
    assert quote_type(text, start + len(content), s) == "indirect"


def test_quote_type_with_given_quotations() -> None:
    text = 'He said that "the war is over" and that the troops would return.'
    quotations = find_quotations(text)
    start = text.index("that")
    assert quote_type(text, start, len(text), quotations) == "mixed"
    assert quote_type(text, start, len(text), []) == "indirect"
    q = quotations[0]
    assert quote_type(text, q.start, q.end, quotations) == "direct"
    assert quote_type(text, q.inner_start + 4, q.inner_end - 2, quotations) == "direct"
    # nested quotations are accepted too (overlapping intervals are merged)
    nested_text = "“He said ‘go’ now,” she added."
    nested = find_quotations(nested_text, nested=True)
    assert quote_type(nested_text, 0, 19, nested) == "direct"
    assert quote_type(nested_text, 0, len(nested_text), nested) == "mixed"


def test_quote_type_unclosed_and_empty() -> None:
    text = "He said “we will go\nand left."
    assert quote_type(text, text.index("“"), text.index("\n")) == "direct"
    assert quote_type(text, 0, len(text)) == "mixed"
    assert quote_type(text, text.index("and"), len(text)) == "indirect"
    assert quote_type(text, 2, 2) == "indirect"
    assert quote_type("“,” .", 0, 5) == "indirect"


def test_quote_type_many_calls_fast() -> None:
    text = " ".join(f"Speaker {i} said “quote number {i}” today." for i in range(2000))
    quotations = find_quotations(text)
    assert len(quotations) == 2000
    t0 = time.perf_counter()
    results = [quote_type(text, q.start, q.end + 6, quotations) for q in quotations]
    elapsed = time.perf_counter() - t0
    assert results == ["mixed"] * 2000
    assert elapsed < 2.0


# --- quote_state ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank_nlp():
    import spacy

    return spacy.blank("en")


def test_quote_state(blank_nlp) -> None:
    doc = blank_nlp("He said “we will go” and then “never again\n\nOK.")
    state = quote_state(doc)
    assert isinstance(state, numpy.ndarray) and state.dtype == numpy.int8
    assert len(state) == len(doc)
    by_token = [(t.text, int(s)) for t, s in zip(doc, state)]
    assert by_token == [
        ("He", 0),
        ("said", 0),
        ("“", 1),
        ("we", 2),
        ("will", 2),
        ("go", 2),
        ("”", 3),
        ("and", 0),
        ("then", 0),
        ("“", 1),
        ("never", 2),
        ("again", 2),
        ("\n\n", 0),
        ("OK", 0),
        (".", 0),
    ]


def test_quote_state_straight_and_empty(blank_nlp) -> None:
    doc = blank_nlp('"Yes," he said.')
    assert [int(s) for s in quote_state(doc)] == [1, 2, 2, 3, 0, 0, 0]
    assert quote_state(blank_nlp("No quotes here.")).tolist() == [0, 0, 0, 0]
    assert quote_state(blank_nlp("")).shape == (0,)


# --- linear time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "“" * 50_000,
        "”" * 50_000,
        "'" * 50_000,
        '"' * 50_000,
        "“a ‘b " * 20_000 + "’ ”" * 20_000,
        "x ‘a students’ union " * 20_000,
        "word " * 100_000,
        "“a\nb”\n" * 30_000,
        "“x\n" * 50_000,
        "“x\n\n" * 50_000,
        "\n" * 50_000 + "“",
    ],
    ids=[
        "open", "close", "single", "double", "mixed-nesting", "possessives", "no-marks",
        "wrapped", "lines", "paragraphs", "newlines",
    ],
)
def test_linear_time_on_degenerate_text(text: str) -> None:
    t0 = time.perf_counter()
    quotations = find_quotations(text)
    find_quotations(text, nested=True)
    assert time.perf_counter() - t0 < 5.0
    for a, b in zip(quotations, quotations[1:]):
        assert a.end <= b.start


# --- property test -------------------------------------------------------------------------

_WORDS = ["said", "don’t", "Erdogan’s", "the", "students’", "union", "’90s", "rock", "O’Neill", "a", "x"]
_MARKS = sorted(QUOTE_MARKS)
_PIECES = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_MARKS),
    st.sampled_from([" ", " ", " ", "\n", "\n\n", ",", ".", "—", "(", ")"]),
    st.text(alphabet="ab '\"’‘“”\n«»„", max_size=4),
)


def _check(text: str, quotations: List[Quotation]) -> None:
    previous_end = 0
    for q in quotations:
        assert 0 <= q.start < q.end <= len(text)
        assert q.start >= previous_end, "quotations overlap or are not sorted"
        previous_end = q.end
        assert is_quote_mark(text[q.start])
        assert text[q.start] == q.open_mark
        assert q.inner_start <= q.inner_end
        if q.closed:
            assert is_quote_mark(text[q.end - 1])
            assert text[q.end - 1] == q.close_mark


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60))
def test_property_random_text(pieces: List[str]) -> None:
    text = "".join(pieces)
    quotations = find_quotations(text)
    _check(text, quotations)
    nested = find_quotations(text, nested=True)
    assert set(quotations) <= set(nested)
    for q in nested:
        assert 0 <= q.start < q.end <= len(text)
        assert is_quote_mark(text[q.start])
    assert [q.start for q in nested] == sorted(q.start for q in nested)
    # nested ones lie inside an outer one
    for q in nested:
        assert any(o.start <= q.start and q.end <= o.end for o in quotations)
    assert quote_type(text, 0, len(text)) in ("direct", "mixed", "indirect")
    for q in quotations:
        if any(ch.isalnum() or ch == "_" for ch in text[q.inner_start : q.inner_end]):
            assert quote_type(text, q.start, q.end, quotations) == "direct"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_property_arbitrary_unicode(text: str) -> None:
    _check(text, find_quotations(text))
