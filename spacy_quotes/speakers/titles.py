"""Titles learned from the document: ``Turkish President Recep Tayyip Erdogan``, ``Olaf Scholz,
the German chancellor,`` give their referents a *descriptor* (role noun + modifiers), so that
a later ``the Turkish president`` links to the person the document gave that title."""
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from spacy.tokens import Token

from ..text import norm_word
from .docindex import DocIndex
from .lexicon import GENDERED_NOUNS, HONORIFICS, ORG_NOUNS
from .names import NameRules
from .referents import Referent, ReferentTable
from .weights import (
    APPOSED_ORG_NOUN, APPOSITION_DEPTH, DEMONYM_PREFIX, DEMONYM_SHARE, HONORIFIC_EVIDENCE, MEDIUM_EVIDENCE,
    TITLE_EVIDENCE, TITLE_GENDER_VOTES, TITLE_TOKENS,
)


def demonym_match(a: str, b: str) -> bool:
    """Two modifiers agree: the same word, or a shared stem (``turkish``/``turkey``)."""
    if a == b:
        return True
    n = min(len(a), len(b))
    if n < DEMONYM_PREFIX:
        return False
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    return k >= DEMONYM_PREFIX and k >= DEMONYM_SHARE * n


def add_gender_votes(ref: Referent, gender: Optional[str], votes: int) -> None:
    """Add votes for a gender ("m", "f"; None adds nothing)."""
    if gender == "m":
        ref.male += votes
    elif gender == "f":
        ref.female += votes


class TitleBook:
    """The descriptors learned in one Doc, by role and by referent.

    index (DocIndex): the document index.
    names (NameRules): the name and title tests.
    refs (ReferentTable): the referents.
    media_nouns (FrozenSet[str]): the media nouns (``norm_word`` form).
    """

    def __init__(self, index: DocIndex, names: NameRules, refs: ReferentTable, media_nouns: FrozenSet[str]) -> None:
        self.index = index
        self.names = names
        self.refs = refs
        self.media_nouns = media_nouns
        # role -> referent -> the distinct modifier sets it was given with that role
        self.by_role: Dict[str, Dict[int, Set[FrozenSet[str]]]] = {}
        self._roles_of: Dict[int, Set[str]] = {}
        self._learned_inside: Set[Tuple[int, int]] = set()

    def roles_of(self, rid: int) -> Set[str]:
        """RETURNS (Set[str]): the roles the document gave the referent."""
        return self._roles_of.get(rid, set())

    def learn_context(self, a: int, b: int, ref: Referent) -> None:
        """Learn titles before the name [a, b) and in apposition, honorifics and organisation nouns."""
        doc = self.index.doc
        sent_start = self.index.sent_starts[self.index.sent_of(a)]
        # titles before the name: walk left over the noun phrase's pre-modifiers
        i = a - 1
        lo = max(sent_start, a - TITLE_TOKENS)
        while i >= lo:
            t = doc[i]
            if t.is_punct or t.is_space or t.pos_ in ("DET", "VERB", "AUX", "ADP", "CCONJ", "SCONJ", "PRON"):
                break
            if t.tag_ == "POS" or t.dep_ == "case" or t.head.i > t.i:
                i -= 1
                continue
            break
        pre = doc[i + 1:a]
        if len(pre):
            self.learn_title(list(pre), ref)
        # apposition after the name ("Scholz, the German chancellor,") or before it
        # (not across a paragraph break: a caption the parser joined to the next paragraph)
        breaks = self.index.breaks_between
        root = self.index.range_root(a, b)
        for c in root.children:
            if c.dep_ == "appos" and c.i >= b and not breaks(b, c.i):
                self.learn_apposition(c, (a, b), ref)
        if root.dep_ == "appos" and root.head.i < a and not breaks(root.head.i, a):
            self.learn_apposition(root.head, (a, b), ref)
        elif (root.head.dep_ == "appos" and root.head.i >= b and root.dep_ == "compound"
              and not breaks(b, root.head.i)):
            self.learn_apposition(root.head, (a, b), ref)

    def learn_inside(self, start: int, end: int, pre: List[Token], ref: Referent) -> None:
        """Learn the title words ``pre`` inside a mention before its name [start, end)
        (``Turkey's Foreign Minister X``), once per name."""
        if pre and (start, end) not in self._learned_inside:
            self._learned_inside.add((start, end))
            self.learn_title(pre, ref)

    def learn_title(self, pre: List[Token], ref: Referent) -> None:
        """Learn from the words before a name: honorifics (gender), a title (descriptor) or a
        media noun (``news agency SANA``)."""
        role_i = -1
        for k, t in enumerate(pre):
            w = norm_word(t.text)
            if w in HONORIFICS:
                ref.person += HONORIFIC_EVIDENCE
                add_gender_votes(ref, HONORIFICS[w], TITLE_GENDER_VOTES)
            if self.names.role_word(t):
                role_i = k
        if role_i >= 0:
            head = pre[role_i]
            role = self.names.role_word(head)
            add_gender_votes(ref, GENDERED_NOUNS.get(norm_word(head.text)), TITLE_GENDER_VOTES)
            mods = self.names.mod_words(pre, skip=head)
            self.add_descriptor(ref, role or "", mods)
        else:
            for t in pre:
                w = norm_word(t.text)
                if w in self.media_nouns:
                    ref.medium = True
                    ref.org += MEDIUM_EVIDENCE
                    self.refs.add_org_head(w, ref.rid)

    def learn_apposition(self, head: Token, exclude: Tuple[int, int], ref: Referent) -> None:
        """Learn from a noun phrase in apposition: a title (descriptor) or an organisation noun."""
        role = self.names.role_word(head)
        w = norm_word(head.text)
        if role and head.tag_ not in ("NNS", "NNPS"):
            mods = self.names.mod_words(self._np_tokens(head, exclude), skip=head)
            add_gender_votes(ref, GENDERED_NOUNS.get(w), TITLE_GENDER_VOTES)
            self.add_descriptor(ref, role, mods)
        elif w in self.media_nouns or w in ORG_NOUNS:
            ref.org += APPOSED_ORG_NOUN
            if w in self.media_nouns:
                ref.medium = True
            self.refs.add_org_head(w, ref.rid)

    def _np_tokens(self, head: Token, exclude: Tuple[int, int]) -> List[Token]:
        """Modifier tokens of a noun phrase (compounds, adjectives, possessives, PPs)."""
        out: List[Token] = []
        stack = [(head, 0)]
        while stack:
            t, d = stack.pop()
            for c in t.children:
                if exclude[0] <= c.i < exclude[1] or d >= APPOSITION_DEPTH:
                    continue
                if c.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod", "prep", "pobj", "case", "nummod"):
                    out.append(c)
                    stack.append((c, d + 1))
        return out

    def add_descriptor(self, ref: Referent, role: str, mods: FrozenSet[str]) -> None:
        """Give the referent the title ``role`` with modifiers ``mods``."""
        if not role:
            return
        ref.person += TITLE_EVIDENCE
        self.by_role.setdefault(role, {}).setdefault(ref.rid, set()).add(mods)
        self._roles_of.setdefault(ref.rid, set()).add(role)

    def resolve(self, role: str, mods: FrozenSet[str], gender: Optional[str], pos: int) -> Optional[int]:
        """A definite title to the referent the document gave that role with no conflicting
        modifier (``Russian`` against ``Turkish``), the best-matching, most recent one first.

        RETURNS (Optional[int]): the referent, or None.
        """
        best, best_key = None, None
        for rid, mod_sets in self.by_role.get(role, {}).items():
            ref = self.refs[rid]
            if gender and ref.gender and gender != ref.gender:
                continue
            score = -1
            for dmods in mod_sets:
                matched_m = {m for m in mods if any(demonym_match(m, d) for d in dmods)}
                matched_d = {d for d in dmods if any(demonym_match(m, d) for m in mods)}
                if (mods - matched_m) and (dmods - matched_d):
                    continue  # "Russian" against "Turkish"
                score = max(score, len(matched_m))
            if score < 0:
                continue
            last = ref.last_before(pos)
            first = ref.positions[0] if ref.positions else self.refs.n
            key = (score, 1 if last >= 0 else 0, last if last >= 0 else -first)
            if best_key is None or key > best_key:
                best, best_key = rid, key
        return best
