"""Definite descriptions: a title the document gave nobody (``the Portuguese midfielder``), an
organisation noun (``the ministry``, ``the company``), and the unnamed sources that stay
descriptions (``a source at the Foreign Ministry``; a later ``the source`` links to it)."""
from typing import FrozenSet, Optional

from spacy.tokens import Span

from ..text import fold, norm_word
from .docindex import DocIndex
from .lexicon import OFFICES, ORG_NOUNS, PERSON_NOUNS
from .mentions import Mention, MentionKind, noun_phrase
from .referents import ReferentTable
from .salience import SUBJECT, Salience
from .titles import TitleBook, add_gender_votes, demonym_match
from .weights import DESCRIPTION_EVIDENCE, LEAD_SENTENCES, GENDER_VOTE


class Definites:
    """Resolution of definite titles, organisation nouns and descriptions in one Doc.

    index (DocIndex): the document index.
    refs (ReferentTable): the referents.
    events (Salience): the salience events.
    titles (TitleBook): the titles learned from the document.
    roles (FrozenSet[str]): the role nouns (``norm_word`` form).
    media_nouns (FrozenSet[str]): the media nouns (``norm_word`` form).
    sentences_back (int): how far back ``the company`` and ``the source`` look, in sentences.
    """

    def __init__(self, index: DocIndex, refs: ReferentTable, events: Salience, titles: TitleBook,
                 roles: FrozenSet[str], media_nouns: FrozenSet[str], sentences_back: int) -> None:
        self.index = index
        self.refs = refs
        self.events = events
        self.titles = titles
        self.roles = roles
        self.media_nouns = media_nouns
        self.sentences_back = sentences_back

    def recent_subject_for_title(self, info: Mention, pos: int) -> Optional[int]:
        """A definite title the document never gave anybody (``the Portuguese midfielder``):
        the person who was the subject or speaker in this or the previous sentence, unless
        that person holds a different public office (``the minister`` is not the chancellor)."""
        lo = self.index.sent_starts[max(0, self.index.sent_of(pos) - 1)]
        for _i, rid, flags in self.events.back(self.events.last_index_before(pos), lo):
            ref = self.refs[rid]
            if not flags or not ref.named or ref.margin <= 0:
                continue
            if info.gender and ref.gender and info.gender != ref.gender:
                return None
            roles = self.titles.roles_of(rid)
            if info.role in roles:
                return None  # a descriptor of that role exists and did not match
            if info.role in OFFICES and roles & OFFICES:
                return None
            return rid
        return None

    def next_subject_for_title(self, info: Mention, pos: int) -> Optional[int]:
        """A definite title nobody had before, with a modifier, in the lead of the article
        (its first LEAD_SENTENCES sentences: ``Turkey's president accused ...``) that the next
        sentence names: that sentence's first subject when it is a person the document gives
        no title (``Recep Tayyip Erdogan threatened ...``). News leads name a title first and
        the person right after; later in an article a bare title is left a description."""
        s = self.index.sent_of(pos)
        if s >= LEAD_SENTENCES or not info.mods or s + 1 >= len(self.index.sent_starts):
            return None
        for rid, flags in self.events.between(*self.index.sent_range(s + 1)):
            ref = self.refs[rid]
            if not flags & SUBJECT:
                continue
            if not ref.named or ref.margin <= 0 or self.titles.roles_of(rid):
                return None
            if info.gender and ref.gender and info.gender != ref.gender:
                return None
            return rid
        return None

    def recent_org(self, pos: int) -> Optional[int]:
        """``the company``: the organisation that was last a subject or speaker, within
        ``sentences_back`` sentences."""
        lo = self.index.window_start(pos, self.sentences_back)
        for _i, rid, flags in self.events.back(self.events.last_index_before(pos), lo):
            ref = self.refs[rid]
            if flags and ref.named and not ref.medium and ref.margin < 0:
                return rid
        return None

    def resolve_orgnoun(self, info: Mention, pos: int) -> Optional[int]:
        """``the ministry``: the most recent organisation with that noun in its name or
        description (and the mention's modifiers among its words)."""
        best, best_key = None, None
        for rid in self.refs.with_org_noun(info.role):
            ref = self.refs[rid]
            if not ref.named or ref.margin > 0:
                continue
            words = ref.words()
            if info.mods and not all(any(demonym_match(m, w) for w in words) for m in info.mods):
                continue
            last = ref.last_before(pos)
            key = (1 if last >= 0 else 0, last)
            if best_key is None or key > best_key:
                best, best_key = rid, key
        return best

    def description(self, span: Span, info: Mention) -> int:
        """An unnamed source: its text as written; ``the source`` links to a recent one."""
        toks = [t for t in span]
        if len(toks) == 1 and toks[0].pos_ == "NOUN":
            toks = noun_phrase(toks[0])  # "source" -> "a military source"
        while len(toks) > 1 and toks[-1].ent_type_ in ("DATE", "TIME"):
            toks.pop()  # "officials yesterday"
        while toks and (toks[0].is_punct or toks[0].is_space):
            toks.pop(0)
        while toks and (toks[-1].is_punct or toks[-1].is_space):
            if toks[-1].text in (")", "]") and any(t.text in ("(", "[") for t in toks[:-1]):
                break  # keep "(ESA)" whole
            toks.pop()
        if not toks:
            return self.refs.new().rid
        text = self.index.phrase_text(toks)
        first = toks[0]
        if text[:1].isupper() and not (first.is_upper and len(first.text) > 1) and (first.pos_ == "DET" or (
                first.tag_ in ("NN", "NNS", "JJ") and not first.ent_type_)):
            text = text[0].lower() + text[1:]  # "The source" / "Analysts at X" opening a sentence
        head = norm_word(info.head.lemma_ or info.head.text) if info.head is not None else ""
        key = fold(text)
        pos = span.start
        if info.definite and head:
            lo = self.index.window_start(pos, self.sentences_back)
            for _i, rid, _flags in self.events.back(self.events.last_index_before(pos), lo):
                ref = self.refs[rid]
                if ref.description and ref.head == head:
                    ref.add_position(pos)
                    return rid
        rid = self.refs.description(key)
        if rid is not None:
            self.refs[rid].add_position(pos)
            return rid
        ref = self.refs.new()
        ref.description = True
        ref.head = head
        ref.plural = info.plural
        ref.variants.append((text, tuple(key.split())))
        if head in ORG_NOUNS or head in self.media_nouns:
            ref.org += DESCRIPTION_EVIDENCE
        elif head in PERSON_NOUNS or head in self.roles or info.kind == MentionKind.ROLE:
            ref.person += DESCRIPTION_EVIDENCE
        add_gender_votes(ref, info.gender, GENDER_VOTE)
        ref.add_position(pos)
        self.refs.add_description(key, ref)
        return ref.rid
