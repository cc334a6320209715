"""Text normalisation of names and words: the one home for how spacy-quotes compares names.

Three levels, each built on the one before:

* :func:`space_fold`: one space between words, case-folded (``"Recep  Tayyip Erdoğan"`` ->
  ``"recep tayyip erdoğan"``): the grouping key of the speaker table, which keeps accented
  and unaccented spellings apart as written;
* :func:`fold`: case- and accent-insensitive (Unicode NFKD without combining marks, a few
  letters without a decomposition mapped by hand: ``ı`` -> ``i``, ``ø`` -> ``o``, ``ß`` ->
  ``ss``; curly apostrophes -> ``'``);
* :func:`norm_word` (one token) and :func:`norm_name` (a whole name): folded, spelling
  variants mapped to one spelling (British -> American: ``Defence`` -> ``defense``); a token
  also loses a possessive ``'s``, its dots and surrounding apostrophes, a name the
  punctuation around its words and a leading article (``the Kremlin`` -> ``kremlin``). The
  speaker resolver compares names token by token with :func:`norm_word`; the scorer compares
  gold and predicted ``speaker_name`` values with :func:`norm_name`.

Across documents the speaker table joins the spellings of one name with :func:`name_fold`
(``Mevlüt Çavuşoğlu`` = ``Mevlut Cavusoglu``) and :func:`one_edit_apart` (a one-letter
corruption of a long word: ``Cavusoglu`` / ``Cavusgolu``).
"""
import unicodedata
from functools import lru_cache
from typing import FrozenSet, Optional

# Words that join the parts of a personal name (``Erik ten Hag``, ``Ortega y Gasset``,
# ``Luiz Inácio Lula da Silva``), compared folded.
NAME_PARTICLES: FrozenSet[str] = frozenset((
    "van", "von", "de", "der", "den", "ten", "ter", "da", "di", "do", "du", "le", "la", "al", "bin",
    "ibn", "el", "dos", "das", "del", "della", "zu", "y",
))
# British spellings -> the American spelling that names are compared in.
SPELLING_VARIANTS = {
    "defence": "defense", "offence": "offense", "organisation": "organization",
    "organisations": "organizations", "programme": "program", "centre": "center",
    "labour": "labor", "licence": "license", "councillor": "councilor", "armour": "armor",
    "honour": "honor", "favour": "favor", "harbour": "harbor", "neighbour": "neighbor",
    "theatre": "theater", "judgement": "judgment", "catalogue": "catalog",
}
# Letters without a Unicode decomposition, and typographic apostrophes.
_FOLD_EXTRA = str.maketrans({
    "ı": "i", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae",
    "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "\u2019": "'", "\u2018": "'", "ʼ": "'",
})
_ARTICLES = frozenset(("the", "a", "an"))


def space_fold(text: str) -> str:
    """One space between words, case-folded; accents kept.

    text (str): the text.
    RETURNS (str): the text with its whitespace collapsed, case-folded.
    """
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text (NFKD without combining marks, casefolded).

    text (str): the text.
    RETURNS (str): the folded text.
    """
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)
def norm_word(text: str) -> str:
    """The form of a word used to compare names: folded, without possessive ``'s`` and dots,
    British spellings mapped to American ones (``Defence`` -> ``defense``).

    text (str): one token's text.
    RETURNS (str): the normalised word.
    """
    word = fold(text)
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'").replace(".", "")
    return SPELLING_VARIANTS.get(word, word)


def norm_name(name: Optional[str]) -> str:
    """The form of a whole name used to compare two names (the scorer's gold and predicted
    ``speaker_name``): folded, the punctuation around each word stripped, spelling variants
    mapped as in :func:`norm_word`, a leading article dropped (``the Defence Ministry`` ->
    ``defense ministry``). A possessive stays (``the club's owner`` -> ``club's owner``).

    name (Optional[str]): the name; None or "" gives "".
    RETURNS (str): the normalised words joined by single spaces.
    """
    if not name:
        return ""
    words = [w.strip(".,;:'\"") for w in fold(name).split()]
    while words and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(SPELLING_VARIANTS.get(w, w) for w in words if w)


def name_fold(name: str) -> str:
    """A name case- and accent-insensitive, one space between its words (``"Mevlüt  Çavuşoğlu"``
    -> ``"mevlut cavusoglu"``): the speaker table joins the spellings that share it.

    name (str): the name.
    RETURNS (str): the folded name.
    """
    return " ".join(fold(name).split())


def one_edit_apart(a: str, b: str) -> bool:
    """Whether two different words are one letter apart: one letter changed, added, removed,
    or two neighbouring letters swapped (``cavusoglu`` / ``cavusgolu`` / ``cavusogu``).

    a (str): a word.
    b (str): another word.
    RETURNS (bool): True where they differ by exactly one such edit.
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):  # one letter added
        return a[i:] == b[i + 1:]
    if a[i + 1:] == b[i + 1:]:  # one letter changed
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
