"""Issue 14: the not-quote filter, the quote formats, cue_kind, the not-quote corpus and the
scorer's not-quote count. Passages are our own (none from PolNeAR or the seeds)."""
import json
from pathlib import Path

import pytest
from spacy.training import Example

import spacy_quotes
from spacy_quotes.annotations import NOT_QUOTE_KINDS, annotations_to_docs, read_annotation_jsonl
from spacy_quotes.cues import cue_kind
from spacy_quotes.layout import NOT_QUOTE_KEY
from spacy_quotes.pipeline.filters import FILTER_KINDS, filter_kinds
from spacy_quotes.pipeline.formats import FORMAT_RULES, format_rules
from spacy_quotes.pipeline.scorer import score_quotes

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "notquotes.jsonl"


def _quotes(nlp, text):
    return [q.to_dict() for q in nlp(text)._.quotes]



def _texts(nlp, text):
    return [q["text"] for q in _quotes(nlp, text)]


@pytest.fixture(scope="module")
def unfiltered_nlp():
    return spacy_quotes.load(filter_not_quotes=False, quote_formats=False)


@pytest.fixture(scope="module")
def filtered_nlp(quotes_nlp):
    return quotes_nlp  # the shipped default: every filter class and format rule on


# ---- the corpus and the annotation format ---------------------------------------------------

def test_notquote_corpus_loads_and_offsets_match():
    records = list(read_annotation_jsonl(CORPUS))
    assert len(records) >= 15
    assert sum(len(r["quotes"]) for r in records) >= 60
    not_quotes = [x for r in records for x in r["not_quotes"]]
    assert len(not_quotes) >= 20
    assert {x["kind"] for x in not_quotes} == set(NOT_QUOTE_KINDS)
    for r in records:
        for x in r["not_quotes"]:
            span = r["text"][x["content"][0]:x["content"][1]]
            assert span == span.strip() and span
        for q in r["quotes"]:
            assert r["text"][q["content"][0]:q["content"][1]].strip()


def test_not_quotes_validated():
    from spacy_quotes.annotations import validate_annotation

    with pytest.raises(ValueError, match="kind"):
        validate_annotation({"id": "x", "text": "abc def", "not_quotes": [{"content": [0, 3], "kind": "joke"}]})
    with pytest.raises(ValueError, match="not_quote 0"):
        validate_annotation({"id": "x", "text": "abc", "not_quotes": [{"content": [0, 9], "kind": "scare"}]})


def test_scorer_counts_predicted_quotes_on_not_quotes(base_nlp):
    text = 'The firm\'s so-called "green plan" was dropped. "We will try again," the founder, Ada Moss, said.'
    nq = [text.index('"green plan"'), text.index('"green plan"') + len('"green plan"')]
    real = [text.index('"We will'), text.index('again,"') + len('again,"')]
    record = {"id": "t", "text": text, "quotes": [{"content": real, "speaker_name": "Ada Moss"}],
              "not_quotes": [{"content": nq, "kind": "scare"}]}
    gold = next(annotations_to_docs([record], base_nlp))
    assert [s.label_ for s in gold.spans[NOT_QUOTE_KEY]] == ["scare"]
    pred_record = dict(record, quotes=[{"content": nq}, {"content": real}], not_quotes=[])
    pred = next(annotations_to_docs([pred_record], base_nlp))
    scores = score_quotes([Example(pred, gold)])
    assert scores["quotes_not_quote_fp"] == 1 and scores["quotes_not_quote_n"] == 1
    assert scores["quotes_not_quote_fp_rate"] == 1.0
    assert scores["quotes_not_quote_per_kind"] == {"scare": {"n": 1, "fp": 1}}
    clean = score_quotes([Example(next(annotations_to_docs([dict(record, not_quotes=[])], base_nlp)), gold)])
    assert clean["quotes_not_quote_fp"] == 0
    assert score_quotes([Example(gold, next(annotations_to_docs([dict(record, not_quotes=[])], base_nlp)))])[
        "quotes_not_quote_n"] is None


# ---- cue_kind ---------------------------------------------------------------------------------

def test_cue_kind_values():
    assert cue_kind(["say", "said"], "indirect") == "speech"
    assert cue_kind(["believe", "believes"], "indirect") == "belief"
    assert cue_kind(["show", "showed"], "indirect") == "other"
    assert cue_kind(None, "direct") == "speech"
    assert cue_kind(None, "indirect") == "other"


def test_cue_kind_of_quotes(filtered_nlp):
    text = ("The county engineer, Mona Reyes, said the bridge would reopen in May. "
            "The residents' group believes the repairs will take longer.")
    kinds = {q.text: q.cue_kind for q in filtered_nlp(text)._.quotes}
    assert kinds.get("the bridge would reopen in May") == "speech"
    assert kinds.get("the repairs will take longer") == "belief"


# ---- not-quote classes ------------------------------------------------------------------------

SCARE = ('The council\'s so-called "green corridor" has lost forty trees this year. '
         '"We will plant twice as many next spring," said parks officer Ivan Dvorak.')
NICKNAME = ('The striker Lena Sorensen, nicknamed "the Hammer" by her team-mates, scored twice. '
            '"I just hit it as hard as I could," Sorensen said.')
TITLE = ('The orchestra will premiere the symphony "Northern Tides" in June. '
         '"It took me four winters to write," said the composer, Pieter Vos.')
PLAIN = ('The school board approved the new timetable on Monday. '
         'Board member Carla Quint said the change would give pupils an extra hour of sleep.')
NO_CONTENT = ('The airline declined to comment on the delays. '
              'Passenger Omar Said told reporters that he had waited nine hours.')


@pytest.mark.parametrize("text,gone,kept", [
    (SCARE, '"green corridor"', "We will plant twice as many next spring"),
    (NICKNAME, '"the Hammer"', "I just hit it as hard as I could"),
    (TITLE, '"Northern Tides"', "It took me four winters to write"),
    (PLAIN, "the new timetable", "the change would give pupils an extra hour of sleep"),
    (NO_CONTENT, "to comment on the delays", "that he had waited nine hours"),
], ids=["scare", "nickname", "title", "plain_object", "no_content"])
def test_not_quote_classes_dropped(filtered_nlp, text, gone, kept):
    texts = _texts(filtered_nlp, text)
    assert kept in texts
    assert not any(gone.strip('"') in t and len(t) < len(gone) + 12 for t in texts), texts


def test_filter_off_gives_the_old_behaviour(filtered_nlp, unfiltered_nlp):
    assert unfiltered_nlp.get_pipe("quotes").cfg["filter_not_quotes"] is False
    on, off = _texts(filtered_nlp, NICKNAME), _texts(unfiltered_nlp, NICKNAME)
    assert len(off) > len(on)
    assert set(on) <= set(off)


def test_defaults_switch_every_class_and_rule_on(filtered_nlp):
    cfg = filtered_nlp.get_pipe("quotes").cfg
    assert cfg["filter_not_quotes"] == list(FILTER_KINDS)
    assert cfg["quote_formats"] == list(FORMAT_RULES)
    defaults = filtered_nlp.get_factory_meta("quotes").default_config
    assert defaults["filter_not_quotes"] is True and defaults["quote_formats"] is True


@pytest.mark.parametrize("path", ["configs/quotes_cpu.cfg", "configs/quotes_trf.cfg"])
def test_configs_switch_them_on(path):
    from thinc.api import Config

    cfg = Config().from_disk(Path(__file__).resolve().parent.parent / path, interpolate=False)
    assert cfg["components"]["quotes"]["filter_not_quotes"] is True
    assert cfg["components"]["quotes"]["quote_formats"] is True


def test_one_filter_class_at_a_time(unfiltered_nlp):
    only_nicknames = spacy_quotes.load(filter_not_quotes=["nickname"], quote_formats=False)
    only_no_content = spacy_quotes.load(filter_not_quotes=["no_content"], quote_formats=False)
    assert only_nicknames.get_pipe("quotes").cfg["filter_not_quotes"] == ["nickname"]
    off = _texts(unfiltered_nlp, NO_CONTENT)
    assert any(t.startswith("to comment") for t in off), off
    assert _texts(only_nicknames, NO_CONTENT) == off  # the no_content class is off: it stays
    kept = _texts(only_no_content, NO_CONTENT)
    assert not any(t.startswith("to comment") for t in kept), kept
    assert "that he had waited nine hours" in kept


def test_kinds_setting_is_validated():
    assert filter_kinds(False) == () and filter_kinds(None) == ()
    assert filter_kinds(True) == FILTER_KINDS
    assert filter_kinds(["plain_object", "scare"]) == ("scare", "plain_object")  # in the order tried
    assert format_rules(["signed"]) == ("signed",)
    with pytest.raises(ValueError, match="unknown name.*'jokes'"):
        filter_kinds(["jokes"])
    with pytest.raises(ValueError, match="quote_formats"):
        format_rules("signed")
    with pytest.raises(ValueError, match="unknown"):
        spacy_quotes.load(quote_formats=["signed", "smoke signals"])


def test_plain_object_of_a_stance_verb_stays(filtered_nlp):
    text = ("The tenants' union criticised the new rent formula on Tuesday. "
            "The council adopted the formula anyway.")
    texts = _texts(filtered_nlp, text)
    assert not any(t == "the formula anyway" or t == "the formula" for t in texts), texts


# ---- formats ----------------------------------------------------------------------------------

def _one(quotes, text):
    found = [q for q in quotes if q["text"] == text]
    assert len(found) == 1, [q["text"] for q in quotes]
    return found[0]


def test_dash_signed_quote(filtered_nlp):
    text = ("The museum reopened its east wing after two years of repairs.\n\n"
            "“Visitors will finally see the whole collection again.” — Curator Selma Hadzic")
    q = _one(_quotes(filtered_nlp, text), "Visitors will finally see the whole collection again.")
    assert q["type"] == "direct" and q["speaker"]["text"] == "Curator Selma Hadzic"
    assert q["speaker_name"] in ("Selma Hadzic", "Curator Selma Hadzic")
    assert q["cue"] is None


def test_speaker_introduced_before_with_statement(filtered_nlp):
    text = ("The rail operator cancelled all trains north of the river on Friday.\n\n"
            "The operator, in a statement:\n\n"
            "“Services will resume once the signals have been inspected and repaired.”")
    q = _one(_quotes(filtered_nlp, text), "Services will resume once the signals have been inspected and repaired.")
    assert q["speaker"]["text"] == "The operator" and q["cue"]["text"] == "statement"


def test_qa_answers_go_to_the_interviewee(filtered_nlp):
    text = ("We spoke to the chef Marco Santini about his new restaurant.\n\n"
            "Q: Why open a third restaurant now?\n\n"
            "A: The rent was finally affordable, and my team was ready.\n\n"
            "Q: What will be on the menu?\n\n"
            "A: Fish from the harbour, and nothing frozen.")
    quotes = _quotes(filtered_nlp, text)
    for answer in ("The rent was finally affordable, and my team was ready.", "Fish from the harbour, and nothing frozen."):
        q = _one(quotes, answer)
        assert q["speaker_name"] == "Marco Santini"
    assert not any("Why open" in q["text"] for q in quotes)


def test_transcript_turns(filtered_nlp):
    text = ("The panel on the city's housing plan, as broadcast.\n\n"
            "HOST: Welcome to our guests, Councillor Ruth Aldana and the developer Sam Okoro.\n\n"
            "ALDANA: We need five thousand homes, and we need them near the tram lines.\n\n"
            "OKORO: Then the council must sell us the land at a fair price.")
    quotes = _quotes(filtered_nlp, text)
    assert "Aldana" in _one(quotes, "We need five thousand homes, and we need them near the tram lines.")["speaker_name"]
    assert "Okoro" in _one(quotes, "Then the council must sell us the land at a fair price.")["speaker_name"]
    assert not any(q["text"].startswith("Welcome") for q in quotes)


def test_inverted_dialogue_keeps_the_models_longer_speaker(filtered_nlp, unfiltered_nlp):
    text = ("The harbour will close for dredging in March.\n\n"
            "\u201cShips will have to anchor outside for a week,\u201d said Tomas Varga, the port's operations "
            "director, on Monday.")
    on = [q for q in _quotes(filtered_nlp, text) if q["text"].startswith("Ships will")]
    off = [q for q in _quotes(unfiltered_nlp, text) if q["text"].startswith("Ships will")]
    assert on and off
    assert on[0]["speaker"]["text"] == off[0]["speaker"]["text"]
    assert "Tomas Varga" in on[0]["speaker"]["text"]


def test_inverted_dialogue_verb_with_modifier(filtered_nlp):
    text = ("The bus finally arrived forty minutes late.\n\n"
            "“Not again,” groaned a soaked Hugo Lindgren, shaking out his umbrella.")
    q = _one(_quotes(filtered_nlp, text), "Not again")
    assert q["cue"]["text"] == "groaned" and q["speaker_name"] == "Hugo Lindgren"


def test_list_setting_saved_and_loaded(tmp_path):
    import spacy

    nlp = spacy_quotes.load(filter_not_quotes=["no_content", "scare"], quote_formats=["signed"])
    nlp.to_disk(tmp_path / "pipeline")
    back = spacy.load(tmp_path / "pipeline")
    cfg = back.get_pipe("quotes").cfg
    assert cfg["filter_not_quotes"] == ["scare", "no_content"] and cfg["quote_formats"] == ["signed"]
    assert back.config["components"]["quotes"]["filter_not_quotes"] == ["no_content", "scare"]
    assert _texts(back, NO_CONTENT) == _texts(nlp, NO_CONTENT)
