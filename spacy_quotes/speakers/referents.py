"""Referents (the speakers a document talks about) and the table that links names to them.

A name links to an earlier referent when one is contained in the other with the same last
word (``Erdogan`` / ``Recep Tayyip Erdogan``) or a shared organisation noun (``Defence
Ministry`` / ``Ministry of Defence``), when it is the other's acronym, or when both spell the
same (in :func:`~spacy_quotes.text.norm_word` form). The table finds the candidates through
indexes, so that linking a name costs the same however many referents share one of its words
(thousands of people called John): the referents that hold every word of the name are among
those that hold its rarest word, and the referents with a variant inside the name are found by
the variant's word set.
"""
import bisect
from itertools import combinations
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from ..text import fold
from .lexicon import NAME_STOP, ORG_NOUNS
from .weights import ACRONYM_LENGTH, MEDIUM_EVIDENCE, ORG_NOUN_IN_NAME

Norm = Tuple[str, ...]
# names with more distinct words than this are linked by a scan over their words' referents
# (the subsets of the name are too many to look up)
_MAX_SUBSET_WORDS = 8


class Referent:
    """A speaker the document talks about: a named person or organisation, a description
    (an unnamed source) or a group of referents (``Scholz and Macron``)."""

    __slots__ = ("rid", "variants", "norms", "acronyms", "person", "org", "male", "female",
                 "positions", "description", "head", "plural", "members", "medium")

    def __init__(self, rid: int) -> None:
        self.rid = rid
        self.variants: List[Tuple[str, Norm]] = []  # (text as written, norm tokens)
        self.norms: Set[Norm] = set()
        self.acronyms: Set[str] = set()
        self.person = 0.0
        self.org = 0.0
        self.male = 0
        self.female = 0
        self.positions: List[int] = []  # token offsets of its mentions, sorted
        self.description = False
        self.head = ""  # the head noun of a description
        self.plural = False
        self.members: Tuple[int, ...] = ()
        self.medium = False

    @property
    def gender(self) -> Optional[str]:
        """RETURNS (Optional[str]): "m", "f" or None (no votes, or a tie)."""
        if self.male > self.female:
            return "m"
        if self.female > self.male:
            return "f"
        return None

    @property
    def margin(self) -> float:
        """RETURNS (float): person evidence minus organisation evidence."""
        return self.person - self.org

    @property
    def named(self) -> bool:
        """RETURNS (bool): a named person or organisation (not a description, not a group)."""
        return not (self.description or self.members)

    def add_position(self, pos: int) -> None:
        """Record a mention at token offset pos."""
        if not self.positions or pos >= self.positions[-1]:
            if not self.positions or pos != self.positions[-1]:
                self.positions.append(pos)
        else:
            i = bisect.bisect_left(self.positions, pos)
            if i >= len(self.positions) or self.positions[i] != pos:
                self.positions.insert(i, pos)

    def last_before(self, pos: int) -> int:
        """RETURNS (int): the last mention offset before pos, or -1."""
        i = bisect.bisect_left(self.positions, pos)
        return self.positions[i - 1] if i > 0 else -1

    def recency(self, pos: int, n: int) -> Tuple[int, int]:
        """The sort key of "most recently mentioned before pos": (1, last offset) when it was
        mentioned before pos, else (0, -first offset) (n: the Doc's length, for no mention)."""
        last = self.last_before(pos)
        return (1, last) if last >= 0 else (0, -(self.positions[0] if self.positions else n))

    def words(self) -> Set[str]:
        """RETURNS (Set[str]): every word of its name variants."""
        return set(w for v in self.norms for w in v)

    def name(self) -> Optional[str]:
        """RETURNS (Optional[str]): the most informative variant as written (the longest
        name; a description's first text)."""
        if not self.variants:
            return None
        if self.description:
            return self.variants[0][0]
        best = max(self.variants, key=lambda v: (len(v[1]), len(v[0])))
        return best[0]


def subsumes(small: Norm, big: Norm, org_nouns: FrozenSet[str] = ORG_NOUNS) -> bool:
    """One name is a variant of another: its words are all in the other, with the same last
    word (a surname) or a shared organisation noun (``Defence Ministry`` in ``Ministry of
    Defence``)."""
    if not small or not big or not set(small) <= set(big):
        return False
    if small[-1] == big[-1]:
        return True
    return any(w in org_nouns for w in small)


def initials(texts: Sequence[str]) -> str:
    """RETURNS (str): the acronym of a name's words (capitalised words, stop words left out)."""
    return "".join(t[0] for t in texts if t and t[0].isupper() and fold(t) not in NAME_STOP).lower()


class ReferentTable:
    """The referents of one Doc with the indexes that link names to them.

    n (int): the Doc's length.
    media_names (FrozenSet[str]): known media names (``norm_word`` form, words joined by spaces).
    """

    def __init__(self, n: int, media_names: FrozenSet[str]) -> None:
        self.n = n
        self.media_names = media_names
        self.refs: List[Referent] = []
        # word -> the referents with that word in a variant (insertion-ordered set)
        self.by_word: Dict[str, Dict[int, None]] = {}
        # a variant's set of words -> the referents with such a variant
        self.by_wordset: Dict[FrozenSet[str], Dict[int, None]] = {}
        self.by_acronym: Dict[str, int] = {}
        self.pending_acronyms: Dict[str, int] = {}
        self.org_heads: Dict[str, List[int]] = {}  # organisation noun -> referents described so
        self.descriptions: Dict[str, int] = {}  # folded text of a description -> referent
        self.groups: Dict[Tuple[int, ...], int] = {}  # members -> group referent

    def __getitem__(self, rid: int) -> Referent:
        return self.refs[rid]

    def __len__(self) -> int:
        return len(self.refs)

    def new(self) -> Referent:
        """RETURNS (Referent): a new, empty referent."""
        ref = Referent(len(self.refs))
        self.refs.append(ref)
        return ref

    def add_org_head(self, word: str, rid: int) -> None:
        """Record that the referent is described by the organisation or media noun ``word``."""
        self.org_heads.setdefault(word, []).append(rid)

    def with_org_noun(self, word: str) -> Set[int]:
        """RETURNS (Set[int]): the referents described by the noun or with it in their name."""
        rids = set(self.org_heads.get(word, ()))
        for rid in self.by_word.get(word, ()):
            rids.add(rid)
        return rids

    def compatible(self, norm: Norm, ref: Referent) -> bool:
        """RETURNS (bool): the name ``norm`` is a variant of every name of ``ref``."""
        if not ref.named or not ref.norms:
            return False
        return all(subsumes(norm, v) or subsumes(v, norm) for v in ref.norms)

    def pick_recent(self, rids: Iterable[int], pos: int) -> Optional[int]:
        """RETURNS (Optional[int]): the referent mentioned last before pos (else the one
        mentioned first after it); on a tie the first of ``rids``."""
        best, best_key = None, None
        for rid in rids:
            key = self.refs[rid].recency(pos, self.n)
            if best_key is None or key > best_key:
                best, best_key = rid, key
        return best

    def candidates(self, norm: Norm) -> List[int]:
        """The referents a name may link to, in the order of their creation: a superset of
        those with a variant that holds every word of the name (all among the referents of its
        rarest word) or that lies inside the name (found by the variant's word set)."""
        words = sorted(set(norm))
        lists = [self.by_word.get(w) for w in words]
        found: Set[int] = set(min(lists, key=len)) if all(lst is not None for lst in lists) else set()
        if len(words) > _MAX_SUBSET_WORDS:
            for lst in lists:
                found.update(lst or ())
        else:
            for k in range(1, len(words) + 1):
                for part in combinations(words, k):
                    found.update(self.by_wordset.get(frozenset(part), ()))
        return sorted(found)

    def link(self, norm: Norm, texts: Sequence[str], written: str, pos: int, create: bool = True) -> Optional[int]:
        """Link a name to a referent, adding it as a variant (a new referent when none fits).

        norm (Norm): the name's words in ``norm_word`` form, stop words left out.
        texts (Sequence[str]): its tokens' texts (for acronyms).
        written (str): the name as written.
        pos (int): its token offset.
        create (bool): create a referent when none fits.
        RETURNS (Optional[int]): the referent id (None for an empty name, or none found
            without create).
        """
        if not norm:
            return None
        lo, hi = ACRONYM_LENGTH
        single_acronym = len(norm) == 1 and texts[-1].isupper() and lo <= len(norm[0]) <= hi
        cands = self.candidates(norm)
        compatible = [r for r in cands if norm in self.refs[r].norms or self.compatible(norm, self.refs[r])]
        rid: Optional[int] = None
        if compatible:
            exact = [r for r in compatible if norm in self.refs[r].norms]
            rid = self.pick_recent(exact or compatible, pos)
        elif single_acronym and norm[0] in self.by_acronym:
            rid = self.by_acronym[norm[0]]
            ref = self.refs[rid]
            ref.acronyms.add(norm[0])
            ref.add_position(pos)
            return rid
        elif len(norm) >= 2 and initials(texts) in self.pending_acronyms:
            rid = self.pending_acronyms.pop(initials(texts))
        if rid is None:
            if not create:
                return None
            rid = self.new().rid
        ref = self.refs[rid]
        if norm not in ref.norms:
            self._add_variant(ref, norm, texts, written, single_acronym)
        ref.add_position(pos)
        return rid

    def _add_variant(self, ref: Referent, norm: Norm, texts: Sequence[str], written: str,
                     single_acronym: bool) -> None:
        rid = ref.rid
        ref.norms.add(norm)
        ref.variants.append((written, norm))
        for w in norm:
            self.by_word.setdefault(w, {})[rid] = None
        self.by_wordset.setdefault(frozenset(norm), {})[rid] = None
        org_words = [w for w in norm if w in ORG_NOUNS]
        if org_words:
            ref.org += ORG_NOUN_IN_NAME
            for w in org_words:
                self.add_org_head(w, rid)
        if " ".join(norm) in self.media_names:
            ref.medium = True
            ref.org += MEDIUM_EVIDENCE
        if len(norm) >= 2:
            ini = initials(texts)
            if len(ini) >= 2:
                self.by_acronym.setdefault(ini, rid)
        elif single_acronym:
            self.pending_acronyms.setdefault(norm[0], rid)

    def names_medium(self, words: Sequence[str]) -> bool:
        """RETURNS (bool): a referent learned as a medium has this name (or, for one word,
        this word in its name)."""
        for w in words:
            for rid in self.by_word.get(w, ()):
                if self.refs[rid].medium and (tuple(words) in self.refs[rid].norms or len(words) == 1):
                    return True
        return False

    def description(self, key: str) -> Optional[int]:
        """RETURNS (Optional[int]): the description referent with this folded text, if any."""
        return self.descriptions.get(key)

    def add_description(self, key: str, ref: Referent) -> None:
        """Record a description referent under its folded text."""
        self.descriptions[key] = ref.rid

    def group(self, members: Tuple[int, ...], pos: int) -> int:
        """RETURNS (int): the group referent of these members (created on first use)."""
        rid = self.groups.get(members)
        if rid is None:
            ref = self.new()
            ref.members = members
            ref.plural = True
            rid = self.groups[members] = ref.rid
        self.refs[rid].add_position(pos)
        return rid

    def display(self, rid: Optional[int]) -> Optional[str]:
        """RETURNS (Optional[str]): the name of a referent as output (a group's members'
        names joined: ``A, B and C``)."""
        if rid is None:
            return None
        ref = self.refs[rid]
        if ref.members:
            names = [n for n in (self.display(m) for m in ref.members) if n]
            if len(names) > 2:  # "A, B and C"
                return ", ".join(names[:-1]) + " and " + names[-1]
            return " and ".join(names)
        return ref.name()
