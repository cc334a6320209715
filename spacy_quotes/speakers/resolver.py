"""The resolver of one Doc: the pre-pass over the document's names (step 1) and the
resolution of a mention to a referent (step 3), over the document index, the referent table,
the learned titles and the salience events."""
from typing import List, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc, Span, Token

from ..marks import Quotation
from ..text import fold, norm_word
from .config import SpeakerResolverConfig
from .definites import Definites
from .docindex import DEP, ENT_TYPE, TAG, DocIndex
from .lexicon import GENERIC_ORG_NOUNS, NAME_STOP, ORG_NOUNS, PERSON_NOUNS, PRONOUNS, RELATIVE, SAY_LEMMAS
from .mentions import Mention, MentionKind, Mentions
from .names import NameRules
from .pronouns import Pronouns
from .referents import ReferentTable
from .salience import MENTIONED, SUBJECT, Salience
from .titles import TitleBook
from .weights import LABEL_EVIDENCE


class Resolver:
    """Resolution state for one Doc (see the package docstring for the algorithm).

    doc (Doc): the parsed document.
    cfg (SpeakerResolverConfig): the settings.
    quotations (Optional[Sequence[Quotation]]): ``find_quotations(doc.text)`` where the caller
        has it; None finds them.
    """

    def __init__(self, doc: Doc, cfg: SpeakerResolverConfig, quotations: Optional[Sequence[Quotation]] = None) -> None:
        self.cfg = cfg
        self.media_nouns = cfg.media_noun_set
        self.media_names = cfg.media_name_set
        self.index = DocIndex(doc, quotations)
        self.names = NameRules(self.index, cfg.role_set)
        self.refs = ReferentTable(self.index.n, self.media_names)
        self.titles = TitleBook(self.index, self.names, self.refs, self.media_nouns)
        self.events = Salience()
        self.mentions = Mentions(self.index, self.names, self.media_nouns)
        self.pronouns = Pronouns(self.index, self.refs, self.events, cfg.role_set, cfg.max_sentences_back)
        self.definites = Definites(self.index, self.refs, self.events, self.titles, cfg.role_set,
                                   self.media_nouns, cfg.max_sentences_back)
        self._occurrences: set = set()  # name ranges already learned from

    # ---- step 1: the document's names ---------------------------------------------------

    def build(self, quote_ranges: Sequence[Tuple[int, int]]) -> None:
        """Step 1: name occurrences, referents, descriptors and evidence (linear pass).

        quote_ranges (Sequence[Tuple[int, int]]): the token ranges of the quote contents.
        """
        index = self.index
        index.mark_quotes(quote_ranges)
        covered = bytearray(index.n)
        self._entity_names(covered)
        # proper-noun subjects the NER missed, then nominal subjects ("officials", "the
        # ministry", "the German chancellor"); token attributes are read through arrays
        arr = index.array
        if arr is not None:
            is_subject = numpy.isin(arr[:, DEP], index.ids(("nsubj", "nsubjpass")))
            proper = numpy.isin(arr[:, TAG], index.ids(("NNP", "NNPS")))
            proper &= arr[:, ENT_TYPE] == 0  # in no entity at all
            candidates = numpy.nonzero(is_subject | proper)[0].tolist()
        else:
            is_subject = None
            candidates = []
        nominal: List[Token] = []
        done_to = -1
        for i in candidates:
            if covered[i]:
                continue
            tok = index.doc[i]
            if self.names.is_name_token(tok):
                if i < done_to:
                    continue
                a, b = self.names.name_run(tok, *index.sent_range(index.sent_of(i)))
                done_to = b
                if any(covered[a:b]) and not is_subject[i]:
                    continue
                a, b = self.names.strip_name(a, b)
                if a < b and (a, b) not in self._occurrences:
                    self.occurrence(a, b, None)
            elif is_subject is not None and is_subject[i] and not index.in_quote[i] and fold(tok.text) not in PRONOUNS:
                nominal.append(tok)
        self.events.flush()
        for tok in nominal:
            w = norm_word(tok.lemma_ or tok.text)
            if w in PERSON_NOUNS or w in ORG_NOUNS or w in self.media_nouns or self.names.role_word(tok):
                rid = self.resolve(self.mentions.span(tok))
                if rid is not None:
                    self.events.add(tok.i, rid, SUBJECT)
        self.pronouns.gender_from_pronouns()

    def _entity_names(self, covered: bytearray) -> None:
        """The name occurrences of the entities, marked in ``covered``."""
        doc, ents = self.index.doc, self.index.ents
        for k, ent in enumerate(ents):
            covered[ent.start:ent.end] = b"\x01" * len(ent)
            if ent.label_ in ("NORP", "GPE") and (
                ent.root.pos_ == "ADJ" or ent.root.dep_ == "amod"
                or (ent.label_ == "NORP" and ent.root.dep_ == "compound")
            ):
                continue  # a demonym modifying a noun ("Turkish", "Russian"), not a name
            start = ent.start
            if ent.label_ == "PERSON":
                # a first name the NER left out ("Recep" + "Tayyip Erdogan"): a capitalised
                # proper noun compounding into the name, itself in no entity and no title
                while start > 0 and self.names.extends_person(doc[start - 1], ent):
                    start -= 1
                    covered[start] = 1
            if ent.label_ == "ORG" and k > 0:
                before = ents[k - 1]
                # "Russian" + "Defence Ministry" -> "Russian Defence Ministry"
                if before.label_ == "NORP" and before.end == ent.start and ent.start <= before.root.head.i < ent.end:
                    start = before.start
            a, b = self.names.strip_name(start, ent.end, ent.label_)
            if a < b:
                self.occurrence(a, b, ent.label_)

    def occurrence(self, a: int, b: int, label: Optional[str]) -> Optional[int]:
        """Link one name occurrence [a, b) and, the first time, learn from its context.

        label (Optional[str]): its entity label, if any.
        RETURNS (Optional[int]): the referent.
        """
        if (a, b) in self._occurrences:
            return self._link(a, b)
        self._occurrences.add((a, b))
        rid = self._link(a, b)
        if rid is None:
            return None
        ref = self.refs[rid]
        if label == "PERSON":
            ref.person += LABEL_EVIDENCE
        elif label is not None:
            ref.org += LABEL_EVIDENCE
        self.titles.learn_context(a, b, ref)
        index = self.index
        root = index.range_root(a, b)
        if not index.in_marks[a] and root.dep_ not in ("compound", "amod", "poss", "nmod"):
            # a name in a reported clause ("according to a source, X held talks") is as
            # salient as one outside any quote; inside quotation marks it is not
            self.events.add(a, rid, SUBJECT if root.dep_ in ("nsubj", "nsubjpass") else MENTIONED)
        elif index.in_quote[a] and root.dep_ == "nsubj" and root.head.lemma_ in SAY_LEMMAS and root.head.pos_ == "VERB":
            # somebody who speaks inside a quote ("..., with spokesman X saying ...") is as
            # salient for a later "he" as a subject outside it
            self.events.add(a, rid, SUBJECT)
        return rid

    def _link(self, a: int, b: int) -> Optional[int]:
        norm = self.names.norms(a, b)
        if not norm:
            return None
        texts = [t.text for t in self.index.doc[a:b]]
        return self.refs.link(norm, texts, self.index.text_of(a, b), a)

    # ---- step 3: a mention to a referent --------------------------------------------------

    def resolve(self, span: Span) -> Optional[int]:
        """Step 3: a mention span to a referent id (None when it cannot be resolved)."""
        span = self.mentions.trim(span)
        agent = self.mentions.message_agent(span)
        if agent is not None:
            return self.resolve(agent)  # the agent span does not hold the message noun: ends
        if len(span) == 1 and fold(span[0].text) in RELATIVE and span[0].head.dep_ == "relcl" and (
                span[0].dep_ in ("nsubj", "nsubjpass")):
            # "Russia, which supports ...": the relative pronoun stands for the noun it follows
            antecedent = span[0].head.head
            if antecedent.i < span.start and antecedent.pos_ in ("NOUN", "PROPN", "PRON"):
                span = self.mentions.span(antecedent)
        info = self.mentions.analyse(span)
        kind = info.kind
        if kind == MentionKind.NONE:
            return None
        if kind == MentionKind.PRONOUN:
            if not self.cfg.resolve_pronouns:
                return None
            return self.pronouns.resolve(fold(info.head.text), span.start)
        if kind == MentionKind.NAME:
            rid = self.occurrence(info.start, info.end, None)
            if rid is not None:
                # titles inside the mention ("Turkey's Foreign Minister X")
                pre = [t for t in span if t.i < info.start and not t.is_punct]
                self.titles.learn_inside(info.start, info.end, pre, self.refs[rid])
            return rid
        if kind == MentionKind.COORD:
            return self._coordination(span, info)
        rid = None
        if kind == MentionKind.ROLE and info.definite and self.cfg.link_titles:
            rid = self.titles.resolve(info.role, info.mods, info.gender, span.start)
            if rid is None:
                rid = self.definites.recent_subject_for_title(info, span.start)
            if rid is None:
                rid = self.definites.next_subject_for_title(info, span.start)
        elif kind == MentionKind.ORGNOUN and info.definite:
            rid = self.definites.resolve_orgnoun(info, span.start)
            if rid is None and info.role in GENERIC_ORG_NOUNS and not info.mods:
                rid = self.definites.recent_org(span.start)
        elif kind == MentionKind.EPITHET:
            if self.cfg.link_titles:
                rid = self.definites.recent_subject_for_title(info, span.start)
            if rid is None:
                info = Mention(MentionKind.DESCRIPTION, head=info.head, definite=True, gender=info.gender)
        if rid is not None:
            self.refs[rid].add_position(span.start)
            return rid
        return self.definites.description(span, info)

    def _coordination(self, span: Span, info: Mention) -> Optional[int]:
        """A coordination: a group of its members' referents (one member: that referent)."""
        members: List[int] = []
        for lo, hi in info.parts:
            if not (span.start <= lo < hi <= span.end) or hi - lo >= len(span):
                continue  # a part must be smaller than the group, or resolution never ends
            rid = self.resolve(self.index.doc[lo:hi])
            if rid is not None and rid not in members:
                members.append(rid)
        if len(members) == 1:
            return members[0]
        if not members:
            return self.definites.description(span, info)
        return self.refs.group(tuple(members), span.start)

    def is_medium(self, span: Span) -> bool:
        """A medium: a media noun in the phrase, a known media name, or a referent learned as one."""
        words = [norm_word(t.text) for t in span if not (t.is_punct or t.is_space or t.pos_ == "DET")]
        if not words:
            return False
        if any(w in self.media_nouns for w in words):
            return True
        if " ".join(w for w in words if w not in NAME_STOP) in self.media_names:
            return True
        return self.refs.names_medium(words)
