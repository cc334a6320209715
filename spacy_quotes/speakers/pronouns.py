"""Pronouns: ``he``, ``she``, ``it``, ``they`` to the most recent compatible referent, and the
gender votes that pronouns give the document's referents."""
from typing import Dict, FrozenSet, Optional, Set

import numpy

from .docindex import DocIndex
from .lexicon import PERSON_NOUNS, PRON_FEMALE, PRON_I, PRON_IT, PRON_MALE
from .referents import Referent, ReferentTable
from .salience import SUBJECT, Salience
from .weights import PRONOUN_EVENTS, PRONOUN_EVIDENCE, GENDER_VOTE, PRONOUN_MARGIN


class Pronouns:
    """Pronoun resolution in one Doc.

    index (DocIndex): the document index.
    refs (ReferentTable): the referents.
    events (Salience): the salience events.
    roles (FrozenSet[str]): the role nouns (``norm_word`` form).
    sentences_back (int): how many sentences back the antecedent may be.
    """

    def __init__(self, index: DocIndex, refs: ReferentTable, events: Salience, roles: FrozenSet[str],
                 sentences_back: int) -> None:
        self.index = index
        self.refs = refs
        self.events = events
        self.roles = roles
        self.sentences_back = sentences_back

    def resolve(self, word: str, pos: int) -> Optional[int]:
        """The referent of the pronoun ``word`` (folded) at token offset pos: the most recent
        compatible referent within the window that was a subject or speaker, else the most
        recent compatible one. The choice feeds the evidence back.

        RETURNS (Optional[int]): the referent, or None (``I``, or nothing fits).
        """
        if word in PRON_I:
            return None
        lo = self.index.window_start(pos, self.sentences_back)
        first_any: Optional[int] = None
        for steps, (i, rid, flags) in enumerate(self.events.back(self.events.last_index_before(pos), lo)):
            if steps >= PRONOUN_EVENTS:
                break
            if not self.fits(word, self.refs[rid]):
                continue
            if flags:
                if self.refs[rid].description and (word in PRON_MALE or word in PRON_FEMALE):
                    named = self._named_subject_in_sentence(word, i - 1, self.index.sent_of(self.events.positions[i]))
                    if named is not None:
                        return self._feedback(word, named)
                return self._feedback(word, rid)
            if first_any is None:
                first_any = rid
        if first_any is not None:
            return self._feedback(word, first_any)
        return None

    def _named_subject_in_sentence(self, word: str, i: int, sent: int) -> Optional[int]:
        """A named person who is the subject in sentence ``sent``, from event ``i`` back: in
        ``X held talks, according to a source. He said ...``, ``he`` is X, not the source."""
        for _i, rid, flags in self.events.back(i, self.index.sent_starts[sent]):
            ref = self.refs[rid]
            if flags & SUBJECT and ref.named and ref.margin > 0 and self.fits(word, ref):
                return rid
        return None

    def fits(self, word: str, ref: Referent) -> bool:
        """RETURNS (bool): the pronoun ``word`` may refer to ``ref`` (number, gender, person
        or organisation)."""
        if word in PRON_MALE or word in PRON_FEMALE:
            if ref.members or ref.plural:
                return False
            if ref.description:
                return not ref.plural and (ref.head in PERSON_NOUNS or ref.head in self.roles or ref.person > 0)
            if ref.margin <= -PRONOUN_MARGIN:
                return False
            g = ref.gender
            want = "m" if word in PRON_MALE else "f"
            return g is None or g == want
        if word in PRON_IT:
            if ref.members or ref.plural:
                return False
            if ref.description:
                return ref.org > ref.person
            return ref.margin < PRONOUN_MARGIN and ref.gender is None
        # they / we
        if ref.members or ref.plural:
            return True
        if ref.description:
            return ref.org > ref.person
        return ref.margin < PRONOUN_MARGIN and ref.gender is None

    def _feedback(self, word: str, rid: int) -> int:
        ref = self.refs[rid]
        if word in PRON_MALE:
            ref.male += GENDER_VOTE
            ref.person += PRONOUN_EVIDENCE
        elif word in PRON_FEMALE:
            ref.female += GENDER_VOTE
            ref.person += PRONOUN_EVIDENCE
        elif word in PRON_IT and not ref.description:
            ref.org += PRONOUN_EVIDENCE
        return rid

    def gender_from_pronouns(self) -> None:
        """A sentence whose only named subject is one referent and whose only personal pronouns
        (outside quotes) are of one gender gives that referent a gender vote."""
        index = self.index
        lower = index.lower
        if lower is None:
            return
        male: Dict[int, int] = {}
        female: Dict[int, int] = {}
        for ids, counts in ((index.ids(PRON_MALE), male), (index.ids(PRON_FEMALE), female)):
            for i in numpy.nonzero(numpy.isin(lower, ids))[0].tolist():
                if not index.in_quote[i]:
                    s = index.sent_of(i)
                    counts[s] = counts.get(s, 0) + 1
        if not male and not female:
            return
        subjects: Dict[int, Set[int]] = {}
        for pos, rid, _flags in self.events:
            subjects.setdefault(index.sent_of(pos), set()).add(rid)
        for s, rids in subjects.items():
            if len(rids) != 1:
                continue
            m, f = male.get(s, 0), female.get(s, 0)
            ref = self.refs[next(iter(rids))]
            if ref.margin < 0:
                continue
            if m and not f:
                ref.male += GENDER_VOTE
            elif f and not m:
                ref.female += GENDER_VOTE
