"""Mentions: the noun phrase of a speaker token, its trimming, and what kind of mention it is
(a pronoun, a name, a title, an organisation noun, an epithet, a description, a group)."""
from dataclasses import dataclass
from enum import Enum
from typing import FrozenSet, List, Optional, Tuple

from spacy.tokens import Span, Token

from ..text import fold, norm_word
from .docindex import DocIndex
from .lexicon import CLOSED_POS, GENDERED_NOUNS, INDEFINITE, MESSAGE_NOUNS, ORG_NOUNS, PRONOUNS
from .names import NameRules
from .weights import CLAUSE_STEPS, HEAD_DEPTH


class MentionKind(Enum):
    """What a mention is."""

    NONE = "none"  # nothing but punctuation
    PRONOUN = "pronoun"  # he, she, it, they, ...
    NAME = "name"  # Scholz, the Kremlin, state news agency SANA (-> SANA)
    ROLE = "role"  # the German chancellor, Turkey's president
    ORGNOUN = "orgnoun"  # the ministry, the company
    EPITHET = "epithet"  # the 35-year-old, the Dutchman
    DESCRIPTION = "description"  # a source at the ministry, officials
    COORD = "coord"  # Scholz and Macron


@dataclass
class Mention:
    """What a mention is, with the parts its kind needs."""

    kind: MentionKind
    head: Optional[Token] = None
    start: int = 0  # name range (token offsets) for kind NAME
    end: int = 0
    role: str = ""  # the role (ROLE) or organisation noun (ORGNOUN)
    mods: FrozenSet[str] = frozenset()
    definite: bool = False
    plural: bool = False
    gender: Optional[str] = None
    parts: Tuple[Tuple[int, int], ...] = ()  # the members' token ranges (COORD)


def span_head(span: Span) -> Token:
    """The head of a mention: the token attached outside the span closest to the sentence
    root; among equals a content word, then the right-most (a noun phrase's head)."""
    best = None
    best_key: Optional[Tuple[int, int, int]] = None
    for t in span:
        if t.is_punct or t.is_space:
            continue
        if t.head.i < span.start or t.head.i >= span.end or t.head.i == t.i:
            depth = 0
            h = t
            while h.head.i != h.i and depth < HEAD_DEPTH:
                h = h.head
                depth += 1
            key = (depth, 1 if t.pos_ in CLOSED_POS or t.dep_ in ("amod", "nummod") else 0, -t.i)
            if best_key is None or key < best_key:
                best, best_key = t, key
    return best if best is not None else span.root


def epithet(span: Span, head: Token) -> Optional[Mention]:
    """A definite epithet for a person: an age (``the 35-year-old``) or a nationality noun
    (``the Dutchman``, ``the Briton``)."""
    first = next((t for t in span if not (t.is_punct or t.is_space)), None)
    if first is None or fold(first.text) != "the":
        return None
    text = fold(span.text)
    if "year-old" in text or "year old" in text:
        return Mention(MentionKind.EPITHET, head=head, role="", definite=True)
    h = head.text
    if (h[:1].isupper() and head.tag_ not in ("NNS", "NNPS") and not h.endswith("s")
            and (head.ent_type_ == "NORP" or fold(h).endswith(("man", "woman")))
            and len([t for t in span if not t.is_punct]) <= 3):
        low = fold(h)
        gender = "f" if low.endswith("woman") else ("m" if low.endswith("man") else None)
        return Mention(MentionKind.EPITHET, head=head, role="", definite=True, gender=gender)
    return None


def noun_phrase(head: Token) -> List[Token]:
    """A bare noun with the modifiers around it that the mention left out: determiner,
    adjectives, compounds, numbers and possessives before it, and a prepositional phrase
    of place or affiliation after it (``a source at the ministry``)."""
    doc = head.doc
    a = head.i
    left = {c.i for c in head.lefts if c.dep_ in ("det", "amod", "compound", "nummod", "poss", "nmod")}
    while a - 1 in left:
        a -= 1
    b = head.i + 1
    for child in head.rights:
        if child.i == b and child.dep_ == "prep" and child.lower_ in ("at", "in", "from", "with", "within", "inside", "close"):
            b = child.right_edge.i + 1
        break
    return [doc[i] for i in range(a, b)]


class Mentions:
    """Mention spans of one Doc and their analysis.

    index (DocIndex): the document index.
    names (NameRules): the name and title tests.
    media_nouns (FrozenSet[str]): the media nouns (``norm_word`` form).
    """

    def __init__(self, index: DocIndex, names: NameRules, media_nouns: FrozenSet[str]) -> None:
        self.index = index
        self.names = names
        self.doc = index.doc
        self.media_nouns = media_nouns

    def span(self, tok: Token, avoid: Tuple[int, int] = (0, 0)) -> Span:
        """The noun phrase of a subject or object token, without appositions, relative clauses
        and punctuation, and outside the range ``avoid`` (the quote's content)."""
        doc, index = self.doc, self.index
        lo, hi = tok.i, tok.i + 1
        for c in tok.children:
            if c.dep_ in ("relcl", "acl", "punct", "advcl", "parataxis", "mark", "advmod"):
                continue
            if c.dep_ == "appos" and any(t.is_punct for t in doc[min(c.i, tok.i) + 1:max(c.i, tok.i)]):
                continue  # "Scholz, the German chancellor," -- but keep "news agency SANA"
            if avoid[0] <= c.i < avoid[1]:
                continue
            lo = min(lo, c.left_edge.i)
            hi = max(hi, c.right_edge.i + 1)
        s_lo, s_hi = index.sent_range(index.sent_of(tok.i))
        lo = max(lo, s_lo)
        hi = min(hi, s_hi)
        if self.names.is_name_token(tok):
            # a name the parser broke up ("Erik ten Hag" with "ten" attached elsewhere)
            while lo - 1 >= s_lo and not index.in_quote[lo - 1] and self.names.extends_name(doc[lo - 1]):
                lo -= 1
        if avoid[1] > avoid[0]:
            if lo < avoid[1] <= tok.i:
                lo = avoid[1]
            if tok.i < avoid[0] < hi:
                hi = avoid[0]
        while lo < tok.i and (doc[lo].is_punct or doc[lo].is_space):
            lo += 1
        while hi - 1 > tok.i and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
            hi -= 1
        return doc[lo:hi]

    def analyse(self, span: Span) -> Mention:
        """Classify a mention (pronoun, name, title, organisation noun, description, group)."""
        toks = [t for t in span if not (t.is_punct or t.is_space)]
        if not toks:
            return Mention(MentionKind.NONE)
        if len(toks) == 1 and fold(toks[0].text) in PRONOUNS:
            return Mention(MentionKind.PRONOUN, head=toks[0])
        head = span_head(span)
        if fold(head.text) in PRONOUNS and head.pos_ == "PRON":
            return Mention(MentionKind.PRONOUN, head=head)
        parts = self._coordination(span, head)
        if parts:
            return Mention(MentionKind.COORD, head=head, parts=parts, plural=True)
        found = epithet(span, head)
        if found is not None:
            return found
        names = self.names
        role = names.role_word(head)
        if role is None and names.is_name_token(head):
            return self._name(span, head)
        mods_toks = [t for t in span if t is not head and t.i < head.i]
        det_words = {fold(t.text) for t in span if t.i < head.i and (t.dep_ == "det" or t.pos_ == "DET")}
        poss = any(t.dep_ == "poss" or t.tag_ == "POS" for t in span if t.i < head.i)
        indefinite = bool(det_words & INDEFINITE) or any(t.dep_ == "nummod" for t in span if t.i < head.i)
        definite = not indefinite and (bool(det_words) or poss or len(mods_toks) > 0)
        plural = head.tag_ in ("NNS", "NNPS")
        after = [t for t in span if t.i > head.i]
        # a name in apposition after a title or medium noun: "state news agency SANA"
        if role is not None or norm_word(head.text) in self.media_nouns or norm_word(head.lemma_) in ORG_NOUNS:
            name_after: List[Token] = []
            for t in after:
                if t.pos_ == "ADP" or t.dep_ in ("prep", "relcl", "acl"):
                    break
                if names.is_name_token(t) and not names.role_word(t):
                    name_after.append(t)
                elif name_after:
                    break
            if name_after:
                return self._name(span, name_after[-1])
        if role is not None:
            pp = [t for t in after if t.pos_ not in ("ADP", "DET", "PUNCT")]
            mods = names.mod_words(mods_toks + pp, skip=head)
            return Mention(MentionKind.ROLE, head=head, role=role, mods=mods, definite=definite and not plural,
                           plural=plural, gender=GENDERED_NOUNS.get(norm_word(head.text)))
        w = norm_word(head.lemma_ or head.text)
        if w in ORG_NOUNS or w in self.media_nouns:
            mods = names.mod_words(mods_toks, skip=head)
            return Mention(MentionKind.ORGNOUN, head=head, role=w, mods=mods, definite=definite and not plural,
                           plural=plural)
        # a name inside the head's own modifiers ("Foreign Ministry" is not enough: head must be a name)
        return Mention(MentionKind.DESCRIPTION, head=head, definite=definite, plural=plural,
                       gender=GENDERED_NOUNS.get(w))

    def _coordination(self, span: Span, head: Token) -> Tuple[Tuple[int, int], ...]:
        """The members' ranges of a coordination (``Scholz and Macron``), or ()."""
        parts = self._surface_coordination(span)
        if parts:
            return parts
        conjs = [c for c in head.conjuncts if span.start <= c.i < span.end]
        if not conjs:
            return ()
        ranges = []
        for t in sorted([head] + conjs, key=lambda x: x.i):
            lo, hi = t.i, t.i + 1
            for c in t.children:
                if c.dep_ in ("conj", "cc", "punct", "appos", "relcl", "acl"):
                    continue
                if span.start <= c.left_edge.i and c.right_edge.i < span.end:
                    lo, hi = min(lo, c.left_edge.i), max(hi, c.right_edge.i + 1)
            ranges.append((lo, hi))
        return tuple(ranges)

    def _surface_coordination(self, span: Span) -> Tuple[Tuple[int, int], ...]:
        """Split ``A, B and C`` at the coordinators outside names, when every part holds a
        name or a title (the parser often attaches such lists wrongly)."""
        cuts = []
        for t in span:
            if t.i in (span.start, span.end - 1):
                continue
            if fold(t.text) in ("and", "&") and t.pos_ == "CCONJ" and not t.ent_type_:
                cuts.append(t.i)
        if not cuts:
            return ()
        for t in span:
            if t.text == "," and not t.ent_type_ and span.start < t.i < cuts[0]:
                cuts.append(t.i)
        cuts.sort()
        parts = []
        lo = span.start
        for c in cuts + [span.end]:
            if c > lo:
                parts.append((lo, c))
            lo = c + 1
        for a, b in parts:
            if not any(self.names.is_name_token(t) or self.names.role_word(t) for t in self.doc[a:b]):
                return ()
        return tuple(parts) if len(parts) >= 2 else ()

    def _name(self, span: Span, head: Token) -> Mention:
        lo, hi = span.start, span.end
        a, b = self.names.name_run(head, lo, hi)
        label = None
        ent = self.index.entity_at(head.i)
        if ent is not None:
            label = ent.label_
            a, b = min(a, max(ent.start, lo)), max(b, min(ent.end, hi))
        a, b = self.names.strip_name(a, b, label)
        if a >= b:
            return Mention(MentionKind.DESCRIPTION, head=head)
        return Mention(MentionKind.NAME, head=head, start=a, end=b)

    def trim(self, span: Span) -> Span:
        """A mention without what is no part of the speaker's name: punctuation around it, a
        dateline before a name (``date 2020-02-15 Turkey``), a floating quantifier after it
        (``the ministries all``) and a participle or relative clause set off by a comma
        (``the coalition, led by the US,``; an apposition that holds a name stays)."""
        doc = self.doc
        is_name = self.names.is_name_token
        a, b = span.start, span.end
        while a < b and (doc[a].is_punct or doc[a].is_space):
            a += 1
        while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space):
            b -= 1
        if b - a < 2:
            return doc[a:b] if a < b else span
        # a dateline: a date (with any words before it) right before a name that ends the mention
        last = -1
        for i in range(a, b):
            t = doc[i]
            if t.ent_type_ in ("DATE", "TIME") or (t.like_num and t.tag_ == "CD") or (
                    last == i - 1 and last >= 0 and t.text in ("-", "/", ".", ",")):
                last = i
            elif last >= 0:
                break
        if a <= last < b - 1 and any(doc[i].ent_type_ in ("DATE", "TIME") for i in range(a, last + 1)):
            rest = doc[last + 1:b]
            before = doc[a:last + 1]
            if (is_name(rest[0]) and all(is_name(t) or t.pos_ == "DET" or t.is_punct for t in rest)
                    and not any(is_name(t) and t.ent_type_ not in ("DATE", "TIME") for t in before)):
                a = last + 1
        while b - a >= 2 and fold(doc[b - 1].text) in ("all", "both", "each", "alike", "together", "too", "also"):
            b -= 1
            while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space):
                b -= 1
        # a modifier set off by a comma, after the head
        for i in range(a + 1, b - 1):
            if doc[i].text != ",":
                continue
            t = doc[i + 1]
            for _ in range(CLAUSE_STEPS):  # the child of a token before the comma that holds doc[i + 1]
                if t.head.i == t.i or t.head.i < a or t.head.i >= b:
                    break
                if t.head.i < i:
                    break
                t = t.head
            if t.head.i < i and a <= t.head.i and t.dep_ in ("acl", "relcl", "appos", "advcl", "parataxis"):
                if t.dep_ == "appos" and any(is_name(x) for x in doc[i + 1:b]):
                    continue
                b = i
                break
        return doc[a:b] if a < b else span

    def message_agent(self, span: Span) -> Optional[Span]:
        """The issuer of a message mention: ``X`` in "a tweet by X", "a statement from X",
        "a statement issued by X", "X's statement" (None for other mentions)."""
        if not any(not (t.is_punct or t.is_space) for t in span):
            return None
        head = span_head(span)
        if head.pos_ not in ("NOUN", "PROPN") or norm_word(head.lemma_ or head.text) not in MESSAGE_NOUNS:
            return None
        # "a statement issued / released / posted by X": the participle's agent
        children = list(head.children)
        for c in head.children:
            if c.dep_ == "acl" and c.tag_ == "VBN" and c.i > head.i:
                children += [g for g in c.children if g.dep_ == "agent"]
        for c in children:
            if c.dep_ == "poss" and c.tag_ != "POS":
                agent = self.span(c)
            elif c.dep_ in ("prep", "agent") and fold(c.text) in ("by", "from") and c.i > head.i:
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if not objs:
                    continue
                agent = self.span(objs[0])
            else:
                continue
            if len(agent) and not (agent.start <= head.i < agent.end):
                return agent
        return None
