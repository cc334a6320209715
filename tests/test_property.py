"""Property test: arbitrary text with random quotation marks never breaks the pipeline, and
every record's offsets are valid."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spacy_quotes.plugins import records_from_doc

WORDS = ["he", "said", "the", "minister", "told", "reporters", "that", "it", "was", "over",
         "according", "to", "Erdogan", "added", "Ça", "don’t", "’90s", "students’", "a", "fantasy",
         ".", ",", ":", "—", "\n", "\n\n", "  ", "\t"]
MARKS = ["\"", "'", "“", "”", "‘", "’", "«", "»", "„", "‹", "›", "‚"]
pieces = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS), st.text(max_size=4)), max_size=60)


@pytest.fixture(scope="module")
def nlp(quotes_nlp):
    if not quotes_nlp.get_pipe("quotes").is_initialized:
        pytest.skip("no shipped weights")
    return quotes_nlp


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=pieces)
def test_random_marks_give_valid_records(nlp, parts):
    text = " ".join(parts)
    doc = nlp(text)
    records = records_from_doc(doc, "p")
    for i, r in enumerate(records):
        assert r["index"] == i
        assert 0 <= r["start"] <= r["end"] <= len(text)
        assert text[r["start"]:r["end"]] == r["text"]
        assert r["type"] in ("direct", "mixed", "indirect")
        assert 0.0 <= r["score"] <= 1.0
        for key in ("cue", "speaker"):
            if r[key] is not None:
                assert text[r[key]["start"]:r[key]["end"]] == r[key]["text"]
        assert (r["speaker_name"] is None) == (r["speaker_id"] is None)
    starts = [r["start"] for r in records]
    assert starts == sorted(starts)
