"""The speaker table joins the spellings of one name across documents (accent-folded, one
letter apart in a long word) and never two different people. Names and passages are our own."""
import pytest

from spacy_quotes.speaker_table import collect_speakers, speakers_from_docs
from spacy_quotes.text import name_fold, one_edit_apart


def _records(*named):
    """(name, doc_id, n) -> n direct-quote records of that speaker in that document."""
    return [{"doc_id": doc, "speaker_name": name, "type": "direct"} for name, doc, n in named for _ in range(n)]


def _rows(*named):
    return {row.name: (row.quotes, row.doc_ids) for row in collect_speakers(_records(*named))}


def test_name_fold_and_one_edit():
    assert name_fold("  Bülent   Yıldırım ") == "bulent yildirim"
    assert name_fold("Zoë Ødegård") == name_fold("zoe odegard")
    assert one_edit_apart("kowalczyk", "kowalcyzk")  # swapped
    assert one_edit_apart("kowalczyk", "kowalczk")  # removed
    assert one_edit_apart("kowalczyk", "kowalczyks")  # added
    assert one_edit_apart("kowalczyk", "kowalszyk")  # changed
    assert not one_edit_apart("kowalczyk", "kowalczyk")
    assert not one_edit_apart("ortiz", "ruiz")
    assert not one_edit_apart("kowalczyk", "kowalski")


def test_accent_folded_and_misspelt_forms_are_one_speaker():
    rows = _rows(("Bülent Yıldırım", "wire-1", 3), ("Bulent Yildirim", "wire-2", 2),
                 ("Bulent Yildrim", "blog-7", 1),  # a letter dropped
                 ("Bülent Yldırım", "blog-8", 1))  # another letter dropped
    assert rows == {"Bülent Yıldırım": (7, ["wire-1", "wire-2", "blog-7", "blog-8"])}


def test_accented_variant_of_a_short_name_joins():
    rows = _rows(("Inés Duarte", "a", 1), ("Ines Duarte", "b", 2), ("INES DUARTE", "c", 1))
    assert list(rows) == ["Ines Duarte"] and rows["Ines Duarte"][0] == 4


@pytest.mark.parametrize("one,other", [
    ("Ines Duarte", "Ines Ugarte"),  # two letters apart
    ("Marta Lopez", "Marta Perez"),
    ("Tomas Berg", "Tomas Borg"),  # one letter, in a short word
    ("Nadia Costa", "Nadja Costa"),
    ("Ines Duarte", "Ines"),  # one word is no name to join by spelling
])
def test_different_people_stay_apart(one, other):
    rows = _rows((one, "a", 3), (other, "b", 1))
    assert rows == {one: (3, ["a"]), other: (1, ["b"])}


def test_equally_quoted_near_spellings_stay_apart():
    # two surnames one letter apart, each well attested: two people, not a misspelling
    rows = _rows(("Karin Lindqvist", "a", 2), ("Karin Lindquist", "b", 2))
    assert set(rows) == {"Karin Lindqvist", "Karin Lindquist"}


def test_a_spelling_between_two_names_joins_neither():
    rows = _rows(("Pavel Hrabal", "a", 3), ("Pavel Hrabak", "b", 3), ("Pavel Hraba", "c", 1))
    assert rows["Pavel Hraba"] == (1, ["c"])
    assert rows["Pavel Hrabal"] == (3, ["a"]) and rows["Pavel Hrabak"] == (3, ["b"])


def test_joined_counts_and_document_order():
    records = _records(("Ana Ruíz", "d2", 1), ("Ana Ruiz", "d1", 2), ("Ana Ruiz", "d2", 1), ("Ana Ortiz", "d3", 1))
    records[0]["type"] = "indirect"
    rows = {row.name: row for row in collect_speakers(records)}
    assert set(rows) == {"Ana Ruiz", "Ana Ortiz"}
    assert rows["Ana Ruiz"].quotes == 4 and rows["Ana Ruiz"].indirect == 1 and rows["Ana Ruiz"].direct == 3
    assert rows["Ana Ruiz"].doc_ids == ["d2", "d1"] and rows["Ana Ruiz"].documents == 2


def test_join_through_the_pipeline(quotes_nlp):
    texts = {
        "ferry": "The ferry operator Bülent Yıldırım said the first sailing is planned for April.",
        "tides": ('"Spring tides could still delay the works," Bulent Yildirim told the council. '
                  '"We are ready for the inspection," said the engineer Ana Ortiz.'),
    }
    docs = []
    for doc_id, text in texts.items():
        doc = quotes_nlp(text)
        doc.user_data["doc_id"] = doc_id
        docs.append(doc)
    rows = {row.name: row for row in speakers_from_docs(docs)}
    names = [name for name in rows if "yildirim" in name_fold(name)]
    assert len(names) == 1, list(rows)
    assert rows[names[0]].doc_ids == ["ferry", "tides"]
    assert rows[names[0]].quotes == 2
    assert any("Ortiz" in name for name in rows if name not in names)
