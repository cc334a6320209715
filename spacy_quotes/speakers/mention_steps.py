"""Step 2: finding a quote's speaker mention (and a relaying medium) from the dependency
tree around its cue, a colon, the previous quote or the quote's sentence."""
import bisect
from dataclasses import dataclass
from typing import Iterable, List, Optional, Set, Tuple

from spacy.tokens import Span, SpanGroup, Token

from ..marks import QUOTE_MARKS
from ..text import fold, norm_word
from .lexicon import ORG_NOUNS, PERSON_NOUNS, PRON_IT, PRONOUNS, RELATIVE, SAY_LEMMAS
from .resolver import Resolver
from .weights import ADVERBIAL_STEPS, CONTINUATION_GAP_TOKENS, CUE_STEPS, RELAY_STEPS


@dataclass
class QuoteState:
    """The working state of one quote."""

    index: int  # index in doc.spans["quotes"]
    start: int
    end: int
    cue: int
    speaker: int
    via: int
    score: float
    rid: Optional[int] = None


def _subject_of(v: Token, avoid: Tuple[int, int]) -> Optional[Token]:
    for c in v.children:
        if c.dep_ in ("nsubj", "nsubjpass") and not (avoid[0] <= c.i < avoid[1]):
            return c
    return None


def _child(t: Token, deps: Iterable[str], lower: Optional[str] = None) -> Optional[Token]:
    deps = set(deps)
    for c in t.children:
        if c.dep_ in deps and (lower is None or fold(c.text) == lower):
            return c
    return None


def _is_quote_verb(t: Token) -> bool:
    return t.lemma_ in ("quote", "cite") and t.pos_ in ("VERB", "AUX")


def speaker_from_cue(res: Resolver, cue: Span, content: Tuple[int, int]) -> Tuple[Optional[Token], Optional[Token]]:
    """The speaker (and a relaying medium) of a cue, from the dependency tree."""
    for t in cue:
        if fold(t.text) == "according":
            to = _child(t, ("prep",), "to")
            if to is None and t.i + 1 < len(res.index.doc) and fold(res.index.doc[t.i + 1].text) == "to":
                to = res.index.doc[t.i + 1]
            if to is not None:
                pobj = _child(to, ("pobj",))
                if pobj is not None:
                    return pobj, None
    v = cue.root
    for _ in range(CUE_STEPS):
        if _is_quote_verb(v):
            subj = _child(v, ("nsubjpass",))
            if subj is not None:
                agent = _child(v, ("agent",))
                return subj, (_child(agent, ("pobj",)) if agent is not None else None)
            obj = _child(v, ("dobj",))
            if obj is not None:
                return obj, _subject_of(v, content)
        subj = _subject_of(v, content)
        if subj is not None:
            if fold(subj.text) in RELATIVE and v.dep_ == "relcl":
                return v.head, None
            return subj, None
        if v.dep_ == "relcl" and not (content[0] <= v.head.i < content[1]):
            return v.head, None
        if v.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep", "acl") and v.head.i != v.i:
            v = v.head
            continue
        break
    return None, None


def _relays_for(verb: Token, cue: Optional[Span]) -> bool:
    """The quote verb ``verb`` (``quoted``, ``cited``) is the relay of the quote with this cue:
    the cue is the verb, or hangs from it through ``as`` (``quoted X as saying``). In ``X
    cited Y, adding that ...`` the quote is X's own."""
    if cue is None or cue.start <= verb.i < cue.end:
        return True
    t = cue.root
    through_as = False
    for _ in range(RELAY_STEPS):
        if t.head.i == t.i:
            return False
        through_as = through_as or fold(t.text) == "as" or any(
            c.dep_ in ("mark", "prep") and fold(c.text) == "as" for c in t.children)
        t = t.head
        if t.i == verb.i:
            return through_as
    return False


def correct_mention(tok: Token, content: Tuple[int, int], cue: Optional[Span] = None) -> Tuple[Optional[Token], Optional[Token]]:
    """Fix a linked mention that is the listener or the medium: ``X told Y`` -> X;
    ``X quoted Y as saying`` -> Y via X (when the quote is the one relayed, see
    :func:`_relays_for`). RETURNS (speaker, via); speaker None = keep."""
    head = tok.head
    if tok.dep_ in ("dobj", "dative") and head.lemma_ == "tell":
        subj = _subject_of(head, content)
        if subj is not None:
            return subj, None
    if _is_quote_verb(head) and _relays_for(head, cue):
        if tok.dep_ == "nsubj":
            obj = _child(head, ("dobj",))
            if obj is not None:
                return obj, tok
        if tok.dep_ == "dobj":
            return None, _subject_of(head, content)
        if tok.dep_ == "nsubjpass":
            agent = _child(head, ("agent",))
            return None, (_child(agent, ("pobj",)) if agent is not None else None)
    if tok.dep_ == "pobj" and head.dep_ == "agent" and _is_quote_verb(head.head) and _relays_for(head.head, cue):
        subj = _child(head.head, ("nsubjpass",))
        if subj is not None:
            return subj, tok
    return None, None


def participle_agent(res: Resolver, tok: Token, cue: Optional[Span], content: Tuple[int, int]) -> Optional[Token]:
    """The speaker of a participle cue whose verb's subject cannot speak: in ``X's threats
    prompted a response from Y, accusing ...`` Y accuses, not the threats. RETURNS the
    ``from``/``by`` object of the verb or of its object (``a response from Y``), or None."""
    if cue is None or _acceptable_subject(res, tok) or tok.dep_ not in ("nsubj", "nsubjpass"):
        return None
    root = cue.root
    if root.tag_ != "VBG" or root.dep_ not in ("advcl", "xcomp") or root.head.i != tok.head.i:
        return None
    verb = tok.head
    holders = [verb] + [obj for obj in verb.children if obj.dep_ in ("dobj", "attr")]
    for holder in holders:  # "drew criticism from Y" / "prompted a response from Y"
        for prep in holder.children:
            if prep.dep_ == "prep" and fold(prep.text) in ("from", "by"):
                pobj = _child(prep, ("pobj",))
                if pobj is not None and _acceptable_subject(res, pobj) and not (content[0] <= pobj.i < content[1]):
                    return pobj
    return None


def _acceptable_subject(res: Resolver, tok: Token) -> bool:
    """A subject that can be a speaker: a name, a personal pronoun, a title, a person or
    organisation noun."""
    low = fold(tok.text)
    if low in PRONOUNS:
        return low not in PRON_IT or tok.dep_ != "expl"
    if res.names.is_name_token(tok) or res.names.role_word(tok):
        return True
    w = norm_word(tok.lemma_ or tok.text)
    return w in PERSON_NOUNS or w in ORG_NOUNS or w in res.media_nouns


def colon_speaker(res: Resolver, q: QuoteState) -> Optional[Token]:
    doc = res.index.doc
    j = q.start - 1
    while j >= 0 and (doc[j].is_space or doc[j].is_quote or doc[j].text in QUOTE_MARKS):
        j -= 1
    if j < 0 or doc[j].text != ":":
        return None
    colon = doc[j]
    h = colon.head
    if h.i < j and h.pos_ in ("VERB", "AUX"):
        subj = _subject_of(h, (q.start, q.end))
        if subj is not None and subj.i < j:
            return subj
    k = j - 1
    while k >= 0 and (doc[k].is_space or doc[k].is_punct):
        k -= 1
    if k < 0:
        return None
    t = doc[k]
    if t.pos_ in ("VERB", "AUX"):
        subj = _subject_of(t, (q.start, q.end))
        return subj if subj is not None and subj.i < j else None
    if (t.pos_ in ("NOUN", "PROPN", "PRON") or res.names.is_name_token(t)) and _acceptable_subject(res, t):
        return t  # the noun phrase that ends at the colon: "Scholz: ..."
    return None


def gap_is_own_attribution(res: Resolver, prev: QuoteState, q: QuoteState, cues: Optional[SpanGroup],
                            speakers: Optional[SpanGroup]) -> bool:
    """Only punctuation and the previous quote's own cue and speaker lie between the quotes."""
    doc = res.index.doc
    if q.start < prev.end:
        return True
    if q.start - prev.end > CONTINUATION_GAP_TOKENS:
        return False
    own: Set[int] = set()
    for group, idx in ((cues, prev.cue), (speakers, prev.speaker)):
        if group is not None and 0 <= idx < len(group):
            own.update(range(group[idx].start, group[idx].end))
    cue_root = cues[prev.cue].root if cues is not None and 0 <= prev.cue < len(cues) else None
    for t in doc[prev.end:q.start]:
        if t.is_punct or t.is_space or t.is_quote or t.i in own:
            continue
        if cue_root is not None and _modifies(t, cue_root):
            continue  # "..., she said on Friday, ..."
        return False
    return True


def _modifies(t: Token, verb: Token) -> bool:
    """t belongs to an adverbial of verb (``on Friday``, ``later``, ``in a statement``)."""
    for _ in range(ADVERBIAL_STEPS):
        if t.pos_ in ("VERB", "AUX") or t.dep_ in ("nsubj", "nsubjpass", "dobj", "ccomp", "conj"):
            return False
        if t.head.i == verb.i:
            return t.dep_ in ("prep", "npadvmod", "advmod", "tmod", "obl", "cc", "punct", "dative")
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def context_subject(res: Resolver, q: QuoteState) -> Optional[Token]:
    """The subject of the quote's own sentence (outside the quote), else of the previous
    sentence when the quote opens its sentence."""
    doc = res.index.doc
    s = res.index.sent_of(q.start)
    sent = doc[res.index.sent_starts[s]:res.index.sent_ends[s]]
    root = sent.root
    if not (q.start <= root.i < q.end) and root.pos_ in ("VERB", "AUX"):
        subj = _subject_of(root, (q.start, q.end))
        if subj is not None and _acceptable_subject(res, subj):
            return subj
    opens = all(t.is_punct or t.is_space or t.is_quote for t in doc[sent.start:q.start])
    if opens and s > 0:
        prev = doc[res.index.sent_starts[s - 1]:res.index.sent_ends[s - 1]]
        proot = prev.root
        if not res.index.in_quote[proot.i] and proot.pos_ in ("VERB", "AUX"):
            subj = _subject_of(proot, (q.start, q.end))
            if subj is not None and not res.index.in_quote[subj.i] and _acceptable_subject(res, subj):
                return subj
    return None


def according_medium(res: Resolver, q: QuoteState, speaker: Optional[Span],
                      according: List[int]) -> Tuple[Optional[Token], Optional[Token]]:
    """``according to M`` near the quote with M a medium. RETURNS (medium token, replacement
    speaker token when M itself had been taken as the speaker)."""
    doc = res.index.doc
    s0, s1 = res.index.sent_of(q.start), res.index.sent_of(max(q.start, q.end - 1))
    lo, hi = res.index.sent_starts[s0], res.index.sent_ends[s1]
    i = bisect.bisect_left(according, lo)
    while i < len(according) and according[i] < hi:
        acc = doc[according[i]]
        i += 1
        if q.start <= acc.i < q.end:
            continue
        to = _child(acc, ("prep",), "to")
        if to is None and acc.i + 1 < len(doc) and fold(doc[acc.i + 1].text) == "to":
            to = doc[acc.i + 1]
        pobj = _child(to, ("pobj",)) if to is not None else None
        if pobj is None:
            continue
        mspan = res.mentions.span(pobj, (q.start, q.end))
        if not res.is_medium(mspan):
            continue
        if speaker is not None and not (speaker.start <= pobj.i < speaker.end):
            return pobj, None
        # the medium was the speaker: look for somebody who speaks in the sentence, the
        # speaking verb nearest the quote first ("X described ... and a source said,
        # according to M: ...")
        best: Optional[Tuple[int, Token]] = None
        for t in doc[lo:hi]:
            if t.lemma_ in SAY_LEMMAS and t.pos_ in ("VERB",) and not (q.start <= t.i < q.end):
                subj = _subject_of(t, (q.start, q.end))
                if subj is not None and subj.i != pobj.i and _acceptable_subject(res, subj):
                    dist = q.start - t.i if t.i < q.start else t.i - q.end
                    if best is None or dist < best[0]:
                        best = (dist, subj)
        if best is not None:
            return pobj, best[1]
        return None, None
    return None, None
