"""Attributions that the tagger's flat BILUO tags cannot express, read off the parse.

The tagger gives each token one role, so an attribution nested inside another's content is
lost: in ``The ministry rejected an allegation by X that Y``, the content of ``rejected`` is
``an allegation by X that Y``, and ``X`` asserting ``that Y`` (cue ``allegation``) is a second
attribution over the same tokens.

* :func:`nested_attributions`: a noun of speech (``allegation``, ``claim``, ...) with a ``that``
  clause and an agent of its own (``by X``, ``X's``, ``his``, a nationality adjective).
* :func:`quoted_commitments`: the ``to`` clause of ``threaten``, ``vow``, ``promise`` or
  ``pledge`` when it holds quoted words (``X vowed to strike "everywhere"``); without quoted
  words it is often no attribution (``pledged to`` an amount), so those are left to the tagger.
* :func:`according_to`: an ``according to X`` the tagger left without a content gets the rest
  of its sentence.
* :func:`extend_coordinated_sources`: ``X and Y`` is one speaker.

The counts in PolNeAR behind each rule are in ``docs/architecture.md`` (section "The attribution
rules"). Each rule span gets the score ``RULE_SCORE``; the linking and speaker steps treat it
like the model's spans.
"""
from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.tokens import Doc, Token

from ..marks import is_quote_mark
from .decode import RoleSpan, SpanIndex

RULE_SCORE = 0.5

SPEECH_NOUNS = frozenset({
    "accusation", "admission", "allegation", "argument", "assertion", "assurance", "charge",
    "claim", "complaint", "contention", "denial", "insistence", "prediction", "statement",
    "suggestion", "warning",
})
_AGENT_ENTS = frozenset({"NORP", "GPE", "ORG", "PERSON"})
_ACCORDING = frozenset({"according"})


def _is_mark(tok: Token) -> bool:
    return len(tok.text) == 1 and is_quote_mark(tok.text) or tok.text in ("``", "''")


def _ranges(spans: List[RoleSpan], role: str) -> List[Tuple[int, int]]:
    return [(s.start, s.end) for s in spans if s.role == role]


def _tokens(doc: Doc, attr: int, words: FrozenSet[str]) -> List[Token]:
    """The tokens whose ``attr`` (LEMMA, LOWER) string, lowercased, is one of ``words``, found
    from the Doc's array: a rule looks only at its few candidate tokens, not at every token.
    (String hashes are the same in every vocab, so what a hash stands for is decided once.)"""
    if not len(doc):
        return []
    column = doc.to_array([attr]).reshape(-1)
    known = _ACCEPTED.setdefault(words, {})
    wanted = []
    for value in numpy.unique(column).tolist():
        ok = known.get(value)
        if ok is None:
            ok = known[value] = doc.vocab.strings[value].lower() in words
        if ok:
            wanted.append(value)
    return [doc[i] for i in numpy.flatnonzero(numpy.isin(column, wanted)).tolist()] if wanted else []


_ACCEPTED: Dict[FrozenSet[str], Dict[int, bool]] = {}


def _close_quotation(doc: Doc, start: int, end: int, limit: int, comma: bool = False) -> int:
    """``end`` extended over the closing mark (and, with ``comma``, a comma before it) of a
    quotation opened in doc[start:end], where the parser hung the mark elsewhere (on the
    main verb, often), within ``limit``."""
    if sum(1 for t in doc[start:end] if _is_mark(t)) % 2:
        if end < limit and _is_mark(doc[end]):
            return end + 1
        if comma and end + 1 < limit and doc[end].text == "," and _is_mark(doc[end + 1]):
            return end + 2  # "... founded ISIS,” ...": the comma inside the marks too
    return end


def _agent(noun: Token) -> Optional[Tuple[int, int]]:
    """The agent of a speech noun as a token range: ``by X`` (X's subtree), ``X's`` (with
    the possessive marker, as PolNeAR marks it) or an entity modifier (``Russian claims``)."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "by" and child.i > noun.i:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj.left_edge.i, pobj.right_edge.i + 1
    for child in noun.children:
        if child.dep_ == "poss" and child.i < noun.i:
            return child.left_edge.i, child.right_edge.i + 1
        if child.dep_ in ("amod", "compound") and child.i < noun.i and child.ent_type_ in _AGENT_ENTS:
            return child.left_edge.i, child.right_edge.i + 1
    return None


def _that_clause(doc: Doc, noun: Token, agent: Tuple[int, int]) -> Optional[Token]:
    """The head of the noun's ``that`` clause: a clause hanging from the noun, or one the parser
    hung from the agent after it as a relative clause (``a claim by the management that the
    plant was unsafe``) when the clause has a subject of its own."""
    for c in noun.children:
        if c.dep_ in ("acl", "ccomp", "appos") and c.i > noun.i and c.left_edge.lower_ == "that" and c.left_edge.i > noun.i:
            return c
    if agent[0] > noun.i:
        agent_head = doc[agent[0]:agent[1]].root
        for c in agent_head.children:
            if (c.dep_ == "relcl" and c.i > agent_head.i and c.left_edge.lower_ == "that"
                    and any(g.dep_ in ("nsubj", "nsubjpass") and g.lower_ != "that" for g in c.children)):
                return c
    return None


def nested_attributions(doc: Doc, spans: List[RoleSpan]) -> List[RoleSpan]:
    """The role spans of attributions of speech nouns (see the module docstring):

    - inside a predicted content span: a CONTENT (the ``that`` clause), a CUE (the noun) and a
      SOURCE (its agent), unless the model has another content on those tokens;
    - where the model took the ``that`` clause itself as a content but has no cue on the noun
      (``Turkey rejected Russian allegations that ...``, the clause hung on ``rejected``): a CUE
      and a SOURCE, which the linking step gives the clause, as the noun governs it more
      closely.

    doc (Doc): the parsed document.
    spans (List[RoleSpan]): the model's role spans.
    RETURNS (List[RoleSpan]): the spans to add (possibly none).
    """
    contents = _ranges(spans, "CONTENT")
    if not contents:
        return []
    cues = _ranges(spans, "CUE")
    added: List[RoleSpan] = []
    for tok in _tokens(doc, LEMMA, SPEECH_NOUNS):
        if tok.pos_ != "NOUN":
            continue
        agent = _agent(tok)
        if agent is None:
            continue
        clause = _that_clause(doc, tok, agent)
        if clause is None:
            continue
        if agent[0] < clause.left_edge.i < agent[1]:  # the clause was parsed into the agent
            agent = (agent[0], clause.left_edge.i)
        start, end = clause.left_edge.i, clause.right_edge.i + 1
        outer = next(((a, b) for a, b in contents if a <= tok.i and start < b), None)
        if outer is None:
            if any(a in (start, start + 1) for a, _ in contents) and not any(a <= tok.i < b for a, b in cues):
                added += [RoleSpan("CUE", tok.i, tok.i + 1, RULE_SCORE),
                          RoleSpan("SOURCE", agent[0], agent[1], RULE_SCORE)]
            continue
        a, b = outer
        start, end = _trim(doc, start, min(end, b))
        end = _close_quotation(doc, start, end, b, comma=True)
        if end <= start or (start, end) in contents:
            continue
        # the model's own content on these tokens other than the outer one: leave them
        if any(s < end and start < e and (s, e) != (a, b) for s, e in contents):
            continue
        added += [RoleSpan("CONTENT", start, end, RULE_SCORE), RoleSpan("CUE", tok.i, tok.i + 1, RULE_SCORE),
                  RoleSpan("SOURCE", agent[0], agent[1], RULE_SCORE)]
    return added


COMMITMENT_VERBS = frozenset({"threaten", "vow", "promise", "pledge"})


def quoted_commitments(doc: Doc, spans: List[RoleSpan]) -> List[RoleSpan]:
    """The role spans of mixed quotes in the ``to`` clause of a verb of commitment (see the
    module docstring), where the model has no content span on the clause: a CONTENT (the
    clause), a CUE (the verb) and, where the verb has a subject of its own, a SOURCE (it; the
    linking step finds the speaker of a participle or coordinated verb).

    doc (Doc): the parsed document.
    spans (List[RoleSpan]): the model's role spans.
    RETURNS (List[RoleSpan]): the spans to add (possibly none).
    """
    contents = _ranges(spans, "CONTENT")
    cues = _ranges(spans, "CUE")
    added: List[RoleSpan] = []
    for verb in _tokens(doc, LEMMA, COMMITMENT_VERBS):
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        clause = next((c for c in verb.children if c.dep_ == "xcomp" and c.left_edge.i == verb.i + 1
                       and c.left_edge.lower_ == "to"), None)
        if clause is None:
            continue
        start, end = _trim(doc, clause.left_edge.i, clause.right_edge.i + 1)
        if not any(_is_mark(t) for t in doc[start:end]):
            continue
        end = _close_quotation(doc, start, end, len(doc))
        if any(s < end and start < e for s, e in contents) or any(s <= verb.i < e for s, e in cues):
            continue
        added += [RoleSpan("CONTENT", start, end, RULE_SCORE), RoleSpan("CUE", verb.i, verb.i + 1, RULE_SCORE)]
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i), None)
        if subj is not None:
            added.append(RoleSpan("SOURCE", subj.left_edge.i, subj.right_edge.i + 1, RULE_SCORE))
    return added


def extend_coordinated_sources(doc: Doc, spans: List[RoleSpan]) -> List[RoleSpan]:
    """Extend a SOURCE span that stops right before ``and`` / ``or`` + a conjunct of its head
    over that conjunct (``the Observatory and a correspondent for AFP``): coordinated speakers
    are one source. In PolNeAR train and dev, 398 gold speaker spans hold a conjunct of their
    head and 9 stop before one. A content span lying inside the conjunct (a noun phrase joined
    to the speaker cannot be what was said) is dropped; any other span there stops the extension.

    doc (Doc): the parsed document.
    spans (List[RoleSpan]): the role spans, in order.
    RETURNS (List[RoleSpan]): the spans, with such SOURCE spans extended, in order.
    """
    out = list(spans)
    for s in spans:
        b = s.end
        if s.role != "SOURCE" or b + 1 >= len(doc) or doc[b].dep_ != "cc" or doc[b].lower_ not in ("and", "or"):
            continue
        head = doc[s.start:s.end].root
        conj = next((c for c in head.children if c.dep_ == "conj" and c.i > b), None)
        if conj is None:
            continue
        end = conj.right_edge.i + 1
        inside = [x for x in out if x is not s and x.start < end and b < x.end]
        if any(x.role != "CONTENT" or x.start <= b or not all(t.is_punct for t in doc[end:x.end]) for x in inside):
            continue
        end = max([end] + [x.end for x in inside])  # with a closing mark the content took
        out = [x for x in out if x not in inside]
        out[out.index(s)] = RoleSpan(s.role, s.start, end, s.score)
    return out


def according_to(doc: Doc, spans: List[RoleSpan]) -> List[RoleSpan]:
    """The attribution of an ``according to X`` that the tagger's spans leave without a
    content: its content is the longer side of the sentence (trimmed of punctuation), its CUE
    ``according to``, its SOURCE ``X`` (the tagger's own cue and source where it has them). In
    PolNeAR train and dev, ``according to`` is a gold cue 435 times in 469, and its content is
    one side of the sentence 274 times. The side may hold an attribution of its own (``X
    said that ...``, the tagger's content hung on a cue inside the side): the two nest.

    doc (Doc): the parsed document.
    spans (List[RoleSpan]): the model's role spans.
    RETURNS (List[RoleSpan]): the spans to add (possibly none).
    """
    cues = SpanIndex(_ranges(spans, "CUE"))
    contents = SpanIndex(_ranges(spans, "CONTENT"))
    sources = SpanIndex(_ranges(spans, "SOURCE"))
    added: List[RoleSpan] = []
    for tok in _tokens(doc, LOWER, _ACCORDING):
        if tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        if contents.hits(tok.i, tok.i + 1):
            continue
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            continue
        sent = tok.sent
        phrase_end = max(to.right_edge.i, pobj.right_edge.i) + 1
        sides = [_trim(doc, sent.start, tok.i), _trim(doc, phrase_end, sent.end)]
        start, end = max(sides, key=lambda ab: ab[1] - ab[0])
        if end - start < 3:
            continue
        on_side = contents.overlapping(start, end)
        if (start, end) in on_side:
            continue
        inner_cues = [(a, b) for a, b in cues.overlapping(start, end) if start <= a and b <= end]
        # a content on the side is the side's own attribution when one of its cues governs it
        if any(not _governed(doc, a, b, inner_cues) for a, b in on_side):
            continue
        added.append(RoleSpan("CONTENT", start, end, RULE_SCORE))
        if not cues.hits(tok.i, tok.i + 1):
            added.append(RoleSpan("CUE", tok.i, to.i + 1, RULE_SCORE))
            if not sources.hits(pobj.left_edge.i, pobj.right_edge.i + 1):
                added.append(RoleSpan("SOURCE", pobj.left_edge.i, pobj.right_edge.i + 1, RULE_SCORE))
    return added


def _governed(doc: Doc, start: int, end: int, cues: List[Tuple[int, int]]) -> bool:
    """Whether the root of doc[start:end] hangs from (or is) a token of one of ``cues``."""
    if not cues:
        return False
    root = doc[start:end].root
    return any(a <= t.i < b for a, b in cues for t in (root, root.head))


def _trim(doc: Doc, start: int, end: int) -> Tuple[int, int]:
    """[start, end) without punctuation and space at either end, but keeping quotation marks
    that open or close a quotation inside it."""
    while start < end and (doc[start].is_punct or doc[start].is_space) and not _is_mark(doc[start]):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space) and not _is_mark(doc[end - 1]):
        end -= 1
    return start, end
