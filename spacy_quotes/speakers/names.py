"""Token-level rules about names and titles: what is a name token, where a name starts and
ends, which words are titles, roles and modifiers."""
from typing import FrozenSet, Iterable, Optional, Tuple

from spacy.tokens import Span, Token

from ..text import NAME_PARTICLES, fold, norm_word
from .docindex import DocIndex
from .lexicon import (
    CLOSED_POS, HONORIFICS, IGNORED_MODIFIERS, NAME_LABELS, NAME_STOP, ORG_NOUNS, PERSON_NOUNS, PRONOUNS,
    ROLE_SYNONYMS,
)


class NameRules:
    """The name and title tests of one Doc.

    index (DocIndex): the document index.
    roles (FrozenSet[str]): the role nouns (``norm_word`` form).
    """

    def __init__(self, index: DocIndex, roles: FrozenSet[str]) -> None:
        self.index = index
        self.doc = index.doc
        self.roles = roles

    def is_name_token(self, t: Token) -> bool:
        """RETURNS (bool): t can be part of a name (a proper noun, a capitalised word that is
        not capitalised only because it opens a sentence or a quote)."""
        if not t.text or t.pos_ in CLOSED_POS or t.tag_ == "POS" or t.is_punct:
            return False
        if fold(t.text) in PRONOUNS:
            return False
        if t.tag_ in ("NNP", "NNPS") or t.ent_type_ in NAME_LABELS:
            return True
        if not t.text[0].isupper():
            return False
        if t.is_upper and len(t.text) >= 2 and any(c.isalpha() for c in t.text):
            return True
        if t.is_title and t.is_alpha:
            low = norm_word(t.lemma_ or t.text)
            prev = self.doc[t.i - 1] if t.i > 0 else None
            if t.is_sent_start or (prev is not None and (prev.is_quote or prev.is_space)):
                # a capital only because the word opens a sentence or a quote
                if t.pos_ in ("VERB", "ADJ", "ADV") and t.tag_ != "RB":
                    return False
                if low in PERSON_NOUNS or low in ORG_NOUNS or low in self.roles or t.tag_ == "NNS":
                    return False
            return t.pos_ not in ("VERB",)
        return False

    def extends_person(self, t: Token, ent: Span) -> bool:
        """Whether ``t``, just before the PERSON entity ``ent``, is a part of the name that the
        NER left out."""
        return (t.tag_ in ("NNP", "NNPS") and not t.ent_type_ and t.dep_ == "compound"
                and ent.start <= t.head.i < ent.end and t.is_title and t.is_alpha
                and not self.is_title_word(t) and fold(t.text) not in PRONOUNS
                and norm_word(t.text) not in ORG_NOUNS and norm_word(t.text) not in PERSON_NOUNS)

    def extends_name(self, t: Token) -> bool:
        """Whether t, before a name the parser broke up (``Erik ten Hag``), belongs to it."""
        if t.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"):
            return False
        if t.dep_ in ("pobj", "npadvmod", "dobj", "nsubj", "nsubjpass", "appos", "conj"):
            return False
        if self.is_name_token(t):
            return True
        return t.dep_ in ("compound", "amod") and (self.role_word(t) is not None or t.tag_ == "NNP")

    def is_title_word(self, t: Token) -> bool:
        """RETURNS (bool): t is a role noun or an honorific."""
        w = norm_word(t.text)
        return w in self.roles or w in HONORIFICS

    def role_word(self, t: Token) -> Optional[str]:
        """RETURNS (Optional[str]): the role t names (synonyms merged: ``spokesman`` ->
        ``spokesperson``), or None."""
        w = norm_word(t.text)
        if w not in self.roles:
            w = norm_word(t.lemma_) if t.lemma_ else w
            if w not in self.roles:
                return None
        if w == "officer" and t.i > 0 and norm_word(self.doc[t.i - 1].text) == "executive":
            w = "executive"
        return ROLE_SYNONYMS.get(w, w)

    def mod_words(self, toks: Iterable[Token], skip: Optional[Token] = None) -> FrozenSet[str]:
        """RETURNS (FrozenSet[str]): the modifier words of a title (``German`` in ``the German
        chancellor``), without determiners, possessives and words that do not tell people apart."""
        out = set()
        for t in toks:
            if t is skip or t.pos_ in ("DET", "ADP", "PUNCT", "CCONJ", "PRON", "SPACE") or t.tag_ == "POS":
                continue
            w = norm_word(t.text)
            if w and w not in IGNORED_MODIFIERS and w not in HONORIFICS:
                out.add(w)
        return frozenset(out)

    def strip_name(self, a: int, b: int, label: Optional[str] = None) -> Tuple[int, int]:
        """Strip determiners, titles and possessive markers from a name range. In an
        organisation's name a title word stays when one word would be left (``General
        Motors``)."""
        doc = self.doc
        while a < b and (doc[a].pos_ in ("DET", "PUNCT") or doc[a].tag_ == "POS" or fold(doc[a].text) == "the"):
            a += 1
        while b > a and (doc[b - 1].tag_ == "POS" or doc[b - 1].is_punct or doc[b - 1].is_space):
            b -= 1
        j = a
        for i in range(a, b - 1):
            if self.is_title_word(doc[i]):
                j = i + 1
        if j > a and not (label in ("ORG", "FAC", "PRODUCT") and b - j < 2):
            a = j
            while a < b and (doc[a].is_punct or fold(doc[a].text) in ("of", "the")):
                a += 1
        while b - a >= 2 and doc[b - 1].ent_type_ in ("DATE", "TIME"):
            b -= 1  # "Damascus yesterday"
        # "Turkish Recep Tayyip Erdogan": a nationality before a person's name is no part of it
        # (also where the NER missed the person: the rest is all proper nouns, none an
        # organisation word, as in "Turkish Recep Tayyip Erdogan" but not "Russian Defence Ministry")
        while b - a >= 2 and doc[a].ent_type_ == "NORP" and label not in ("ORG", "FAC", "PRODUCT") and (
            doc[a + 1].ent_type_ == "PERSON"
            or all(t.tag_ == "NNP" and not t.ent_type_ and norm_word(t.text) not in ORG_NOUNS
                   for t in doc[a + 1:b])
        ):
            a += 1
        # "Secretary of State Antony Blinken": drop "State" after "<role> of"
        if b - a >= 3 and a >= 2 and fold(doc[a - 1].text) == "of" and self.is_title_word(doc[a - 2]):
            a += 1
        return a, b

    def name_run(self, tok: Token, lo: int, hi: int) -> Tuple[int, int]:
        """The contiguous name tokens around tok, within [lo, hi)."""
        doc = self.doc
        a = tok.i
        while a - 1 >= lo and (self.is_name_token(doc[a - 1]) or (
                a - 2 >= lo and fold(doc[a - 1].text) in NAME_PARTICLES and self.is_name_token(doc[a - 2]))):
            a -= 1
        b = tok.i + 1
        while b < hi and (self.is_name_token(doc[b]) or (
                b + 1 < hi and fold(doc[b].text) in NAME_PARTICLES and self.is_name_token(doc[b + 1]))):
            b += 1
        return a, b

    def norms(self, a: int, b: int) -> Tuple[str, ...]:
        """RETURNS (Tuple[str, ...]): the words of the name [a, b) compared (``norm_word``
        form, without stop words)."""
        return tuple(w for w in (norm_word(t.text) for t in self.doc[a:b]) if w not in NAME_STOP)
