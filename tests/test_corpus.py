"""The PolNeAR brat converter and the corpus reader, on a small sample written here."""
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from spacy_quotes.corpus import convert_polnear, create_quote_corpus_reader, polnear_files, read_brat
from spacy_quotes.quote import get_quotes

TEXT = (
    "“We are not leaving,” the mayor said, “not today and not tomorrow.”\n\n"
    "It was reported that the bridge will close. Analysts believe prices will rise.\n"
)


def _offsets(text, sub, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return start, start + len(sub)


def _ann(text):
    c1 = _offsets(text, "“We are not leaving,”")
    c2 = _offsets(text, "“not today and not tomorrow.”")
    src = _offsets(text, "the mayor")
    cue = _offsets(text, "said")
    cue2 = _offsets(text, "It was reported")
    con2 = _offsets(text, "the bridge will close")
    src3 = _offsets(text, "Analysts")
    cue3 = _offsets(text, "believe")
    con3 = _offsets(text, "prices will rise")
    return "\n".join([
        f"T1\tSource {src[0]} {src[1]}\tthe mayor",
        f"T2\tCue {cue[0]} {cue[1]}\tsaid",
        f"T3\tContent {c1[0]} {c1[1]};{c2[0]} {c2[1]}\tsplit quote",
        f"T4\tAttribution {cue[0]} {cue[1]}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        f"T5\tCue {cue2[0]} {cue2[1]}\tIt was reported",
        f"T6\tContent {con2[0]} {con2[1]}\tthe bridge will close",
        f"T7\tAttribution-no-source {cue2[0]} {cue2[1]}\tIt was reported",
        "E2\tAttribution-no-source:T7 Content:T6 Cue:T5",
        f"T8\tSource {src3[0]} {src3[1]}\tAnalysts",
        f"T9\tCue {cue3[0]} {cue3[1]}\tbelieve",
        f"T10\tContent {con3[0]} {con3[1]}\tprices will rise",
        f"T11\tAttribution {cue3[0]} {cue3[1]}\tbelieve",
        "E3\tAttribution:T11 Content:T10 Cue:T9 Source:T8",
    ]) + "\n"


@pytest.fixture
def polnear_sample(tmp_path):
    root = tmp_path / "polnear"
    for split in ("train", "dev", "test"):
        (root / "data" / split / "text").mkdir(parents=True)
        (root / "data" / split / "attributions").mkdir(parents=True)
        (root / "data" / split / "text" / "art1.txt").write_text(TEXT, encoding="utf8")
        (root / "data" / split / "attributions" / "art1_aaaa.ann").write_text(_ann(TEXT), encoding="utf8")
    # a second annotator of the train article, who left out the third attribution
    second = "\n".join(_ann(TEXT).splitlines()[:9]) + "\n"
    (root / "data" / "train" / "attributions" / "art1_bbbb.ann").write_text(second, encoding="utf8")
    return root


def test_read_brat_discontinuous_and_missing_source(polnear_sample):
    rels = read_brat(polnear_sample / "data" / "train" / "attributions" / "art1_aaaa.ann")
    assert len(rels) == 3
    assert len(rels[0].content) == 2 and len(rels[0].source) == 1
    assert rels[1].source == [] and len(rels[1].cue) == 1


def test_annotator_selection(polnear_sample):
    assert [a.name for _, a in polnear_files(polnear_sample, "train")] == ["art1_aaaa.ann"]
    assert [a.name for _, a in polnear_files(polnear_sample, "train", "all")] == ["art1_aaaa.ann", "art1_bbbb.ann"]
    with pytest.raises(FileNotFoundError, match="nosuch"):
        polnear_files(polnear_sample, "nosuch")


def test_convert_polnear(polnear_sample, tmp_path, base_nlp):
    out = tmp_path / "out"
    counts = convert_polnear(polnear_sample, out, base_nlp, annotators="all")
    assert counts == {"train": 2, "dev": 1, "test": 1}
    docs = list(DocBin().from_disk(out / "dev.spacy").get_docs(base_nlp.vocab))
    doc = docs[0]
    assert doc.user_data["doc_id"] == "art1_aaaa"
    assert doc.has_annotation("DEP")  # parsed, so the component's features are there at training time
    quotes = get_quotes(doc)
    assert [(q.content.text, q.type) for q in quotes] == [
        ("“We are not leaving,”", "direct"),
        ("“not today and not tomorrow.”", "direct"),
        ("the bridge will close", "indirect"),
        ("prices will rise", "indirect"),
    ]
    # the split quote: two records, same cue and speaker
    assert quotes[0].cue.text == quotes[1].cue.text == "said"
    assert quotes[0].speaker.text == quotes[1].speaker.text == "the mayor"
    # the attribution without a source
    assert quotes[2].cue.text == "It was reported" and quotes[2].speaker is None
    assert quotes[3].speaker.text == "Analysts"
    assert sorted(s.text for s in doc.spans["quotes_cue"]) == ["It was reported", "believe", "said"]


def test_reader_strips_gold_from_predicted(polnear_sample, tmp_path, base_nlp):
    out = tmp_path / "out"
    convert_polnear(polnear_sample, out, base_nlp)
    examples = list(create_quote_corpus_reader(out / "test.spacy")(base_nlp))
    assert len(examples) == 1
    eg = examples[0]
    assert "quotes" not in eg.predicted.spans and len(eg.reference.spans["quotes"]) == 4
    assert eg.predicted.has_annotation("DEP") and eg.predicted.text == TEXT
