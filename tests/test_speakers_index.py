"""Name linking through an index (issue 11 item 12): thousands of distinct speakers who share a
first name are linked in time that does not grow with their number, to the right referents.

The timing figures come from benchmarks/speakers_scaling.py; these tests check the results
and that the candidates of one name stay few however many referents share its first name.
"""
import random
from typing import List, Tuple

from spacy_quotes.quote import get_quotes, set_quote_groups
from spacy_quotes.speakers import resolve_speakers
from spacy_quotes.speakers.lexicon import ORG_NOUNS
from spacy_quotes.speakers.referents import ReferentTable, subsumes

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")


def surname(i: int) -> str:
    """A made-up surname, distinct for every i < 70 ** 3."""
    parts = []
    for _ in range(3):
        i, k = divmod(i, len(_ONSETS) * len(_VOWELS))
        parts.append(_ONSETS[k // len(_VOWELS)] + _VOWELS[k % len(_VOWELS)])
    return ("".join(parts) + "ov").capitalize()


def _passage(n: int) -> Tuple[str, List[dict], List[str]]:
    sayings = ("The ferry timetable changes on Monday", "Our library stays open late in June",
               "The choir needs more tenors", "Fresh bread sells out before noon")
    text, items, names = "", [], []
    for i in range(n):
        name = f"Maria {surname(i)}"
        saying = sayings[i % len(sayings)]
        para = f"\u201c{saying},\u201d said {name}.\n\n"
        c0, cue0, spk0 = len(text) + 1, len(text) + para.index("said"), len(text) + para.index(name)
        items.append({"content": (c0, c0 + len(saying) + 1), "cue": (cue0, cue0 + 4),
                      "speaker": (spk0, spk0 + len(name)), "type": "direct"})
        names.append(name)
        text += para
    # later quotes by the surname alone: each links to its own full name
    for i in (3, n // 2, n - 1):
        saying = "We will be back next year"
        para = f"\u201c{saying},\u201d {surname(i)} added.\n\n"
        c0 = len(text) + 1
        s0 = len(text) + para.index(surname(i))
        items.append({"content": (c0, c0 + len(saying) + 1),
                      "cue": (len(text) + para.index("added"), len(text) + para.index("added") + 5),
                      "speaker": (s0, s0 + len(surname(i))), "type": "direct"})
        names.append(f"Maria {surname(i)}")
        text += para
    return text, items, names


def test_many_speakers_sharing_a_first_name(base_nlp):
    text, items, names = _passage(300)
    doc = base_nlp(text)
    set_quote_groups(doc, items)
    resolve_speakers(doc)
    quotes = get_quotes(doc)
    assert [q.speaker_name for q in quotes] == names
    ids = [q.speaker_id for q in quotes]
    assert len(set(ids[:300])) == 300  # one id per person
    assert ids[300:] == [ids[3], ids[150], ids[299]]  # the surname alone: the same person


def test_candidates_stay_few_when_referents_share_a_first_name():
    table = ReferentTable(n=100000, media_names=frozenset())
    rids = []
    for i in range(3000):
        name = ("john", surname(i).lower())
        rids.append(table.link(name, ["John", surname(i)], f"John {surname(i)}", pos=2 * i))
    assert len(set(rids)) == 3000
    assert table.candidates(("john", surname(2999).lower())) == [rids[2999]]
    assert table.candidates(("john", "unheard")) == []
    assert table.candidates((surname(17).lower(),)) == [rids[17]]
    # a later surname alone links to that John; a first name alone to none of them
    assert table.link((surname(17).lower(),), [surname(17)], surname(17), pos=7000) == rids[17]
    assert table.link(("john",), ["John"], "John", pos=7002) not in rids


def test_candidates_hold_every_compatible_referent():
    """Against a scan over all referents: on random names (shared first names, surnames and
    organisation nouns) the index misses no referent a name may link to."""
    rng = random.Random(7)
    vocab = ["anna", "john", "lee", "kim", "park", "smith", "ministry", "defense", "bank", "central", "foreign"]
    table = ReferentTable(n=100000, media_names=frozenset())
    names = [tuple(rng.sample(vocab, rng.randint(1, 4))) for _ in range(400)]
    for pos, norm in enumerate(names):
        found = set(table.candidates(norm))
        scan = {ref.rid for ref in table.refs if norm in ref.norms or table.compatible(norm, ref)}
        assert scan <= found, norm
        table.link(norm, [w.capitalize() for w in norm], " ".join(norm), pos=pos)
    assert any(subsumes(v, w, ORG_NOUNS) for ref in table.refs for v in ref.norms for w in ref.norms if v != w)
