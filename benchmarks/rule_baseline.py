"""A rule baseline for quote extraction, to compare the trained ``quotes`` component with.

Three rules over a parsed Doc (en_core_web_sm's tags and dependency parse):

1. **Reported clauses**: a speech verb (``said``, ``told``, ``warned``, ... see SPEECH_VERBS)
   outside quotation marks with a clausal complement (``ccomp``; ``xcomp`` for verbs such as
   ``threaten`` / ``urge`` / ``promise``): the complement is the content (without a leading
   ``that``, widened to whole quotations it cuts into, so direct and mixed quotes keep their
   marks), the verb (with its particle) the cue, the verb's subject the speaker.
2. **According to**: ``according to X, <clause>``: the cue is ``according to``, the speaker X,
   the content the rest of the sentence.
3. **Quotation marks**: every other quotation (paired by :func:`spacy_quotes.marks.find_quotations`)
   of at least three words that is not a title is a direct quote; its cue is the nearest speech
   verb outside quotation marks in the sentences it touches (or in the sentence before, when
   that ends with a colon), its speaker that verb's subject.

A speaker's name is the longest named entity (PERSON, ORG, GPE, NORP) in the speaker span; a
pronoun takes the last PERSON (``he`` / ``she``) or ORG / GPE (``it`` / ``they``) named before
it; otherwise the speaker's text without a leading article.

    from rule_baseline import annotate
    doc = annotate(nlp(text))   # doc.spans["quotes"], ["quotes_cue"], ["quotes_speaker"]
"""
from typing import Any, Dict, List, Optional, Tuple

from spacy.tokens import Doc, Token

from spacy_quotes.marks import find_quotations
from spacy_quotes.quote import set_quote_groups

SPEECH_VERBS = frozenset("""
    say tell add state claim announce warn accuse argue insist explain note report stress
    confirm deny urge threaten write tweet declare suggest reply respond comment acknowledge
    admit allege assert caution contend emphasize emphasise maintain mention promise predict
    reiterate remark reveal vow complain concede conclude disclose estimate indicate inform
    testify testified joke recall observe point believe ask demand charge blast criticize
    criticise praise describe call propose recommend hint signal agree repeat continue
    quip shout yell whisper cry lament boast brag counter retort rebut dispute question
    worry fear expect hope predict forecast project anticipate show find
""".split())
# Verbs whose xcomp (``threatened to strike``, ``urged them to leave``) is the content.
XCOMP_VERBS = frozenset("threaten urge promise vow pledge call ask demand warn".split())
SUBJECT_DEPS = ("nsubj", "nsubjpass")
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP")
_PRONOUN_LABELS = {"he": ("PERSON",), "she": ("PERSON",), "him": ("PERSON",), "her": ("PERSON",),
                   "it": ("ORG", "GPE"), "they": ("ORG", "GPE", "NORP", "PERSON")}
_STRIP = set(" \t\r\n,;:.")


def _inside(spans: List[Tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies within one of the (char) spans."""
    return any(a <= start and end <= b for a, b in spans)


def _is_speech_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in SPEECH_VERBS


def _cue_span(verb: Token) -> Tuple[int, int]:
    """The cue: the verb and its particle (``pointed out``)."""
    end = verb.i + 1
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == end:
            end = child.i + 1
    return verb.idx, verb.doc[end - 1].idx + len(verb.doc[end - 1])


def _subject(verb: Token) -> Optional[Token]:
    """The subject of a verb; for a conjoined verb (``... and said``) the first verb's."""
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head is not verb:
        for child in verb.head.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
    return None


def _noun_phrase(head: Token) -> Tuple[int, int]:
    """Char offsets of a subject's phrase, cut before an apposition or relative clause that
    follows a comma (``Erdogan, who ...`` gives ``Erdogan``)."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    for i in range(head.i + 1, end):
        if doc[i].text in (",", "(", "—", "–"):
            end = i
            break
    while start < end and doc[start].is_punct:
        start += 1
    if start >= end:
        start, end = head.i, head.i + 1
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def _trim(text: str, start: int, end: int) -> Tuple[int, int]:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def _widen(start: int, end: int, quotations: List[Tuple[int, int]]) -> Tuple[int, int]:
    """Widen [start, end) to every quotation it overlaps (so the marks are kept)."""
    for a, b in quotations:
        if a < end and start < b:
            start, end = min(start, a), max(end, b)
    return start, end


def _name(doc: Doc, speaker: Tuple[int, int]) -> str:
    """The speaker's name (see the module docstring)."""
    start, end = speaker
    text = doc.text[start:end]
    ents = [e for e in doc.ents if e.label_ in NAME_LABELS and start <= e.start_char and e.end_char <= end]
    if ents:
        return max(ents, key=lambda e: len(e.text)).text
    lower = text.lower()
    if lower in _PRONOUN_LABELS:
        labels = _PRONOUN_LABELS[lower]
        before = [e for e in doc.ents if e.label_ in labels and e.end_char <= start]
        if before:
            return before[-1].text
    for article in ("the ", "a ", "an "):
        if lower.startswith(article):
            return text[len(article):]
    return text


def find_quotes(doc: Doc) -> List[Dict[str, Any]]:
    """Find the quotes of a parsed Doc with the three rules.

    doc (Doc): a Doc with POS tags, a dependency parse and entities.
    RETURNS (List[Dict[str, Any]]): one item per quote for
        :func:`spacy_quotes.quote.set_quote_groups` (char offsets of content, cue, speaker,
        and the speaker's name), in document order.
    """
    text = doc.text
    quotations = [(q.start, q.end) for q in find_quotations(text)]
    items: List[Dict[str, Any]] = []
    taken: List[Tuple[int, int]] = []

    def add(content: Tuple[int, int], cue: Optional[Tuple[int, int]], subj: Optional[Token]) -> None:
        start, end = _trim(text, *content)
        if end - start < 2 or any(a < end and start < b for a, b in taken):
            return
        speaker = _noun_phrase(subj) if subj is not None else None
        items.append({"content": (start, end), "cue": cue, "speaker": speaker,
                      "speaker_name": _name(doc, speaker) if speaker else None})
        taken.append((start, end))

    # 1. reported clauses of speech verbs
    for verb in doc:
        if not _is_speech_verb(verb) or _inside(quotations, verb.idx, verb.idx + len(verb)):
            continue
        for child in verb.children:
            if child.dep_ == "ccomp" or (child.dep_ == "xcomp" and verb.lemma_.lower() in XCOMP_VERBS):
                first, last = child.left_edge.i, child.right_edge.i + 1
                if first <= verb.i < last:  # the verb sits inside its own complement: a bad parse
                    continue
                while first < last and (doc[first].dep_ == "mark" and doc[first].lower_ == "that"):
                    first += 1
                if first >= last:
                    continue
                start, end = doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
                start, end = _widen(start, end, quotations)
                add((start, end), _cue_span(verb), _subject(verb))
                break
    # 2. according to X, <clause>
    for tok in doc:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        sent = tok.sent
        phrase_start, phrase_end = tok.i, max(to.right_edge.i, tok.right_edge.i) + 1
        before = (sent.start, phrase_start)
        after = (phrase_end, sent.end)
        lo, hi = after if after[1] - after[0] >= before[1] - before[0] else before
        if hi - lo < 2:
            continue
        content = (doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))
        add(_widen(*content, quotations), (tok.idx, to.idx + len(to)), pobj)
    # 3. the remaining quotations: direct quotes
    for qs, qe in quotations:
        span = doc.char_span(qs, qe, alignment_mode="expand")
        if span is None:
            continue
        words = [t for t in span if not (t.is_punct or t.is_space)]
        if len(words) < 3 or all(t.is_title or t.is_stop for t in words):
            continue
        cands = []
        for sent in {t.sent for t in (span[0], span[-1])}:
            cands += [t for t in sent if _is_speech_verb(t) and not _inside(quotations, t.idx, t.idx + len(t))]
        if not cands and span.start > 0:
            prev = doc[span.start - 1]
            if prev.text == ":" or (prev.is_space and span.start > 1 and doc[span.start - 2].text == ":"):
                cands = [t for t in prev.sent if _is_speech_verb(t)]
        verb = None
        if cands:
            verb = min(cands, key=lambda t: min(abs(t.i - span.start), abs(t.i - (span.end - 1))))
        add((qs, qe), _cue_span(verb) if verb is not None else None, _subject(verb) if verb is not None else None)
    items.sort(key=lambda it: it["content"])
    return items


def annotate(doc: Doc) -> Doc:
    """Write the rule baseline's quotes into a Doc's span groups (the layout of
    :mod:`spacy_quotes.quote`).

    doc (Doc): a parsed Doc.
    RETURNS (Doc): the same Doc.
    """
    items = find_quotes(doc)
    for item in items:
        item["speaker_id"] = item["speaker_name"]
    set_quote_groups(doc, items)
    return doc


if __name__ == "__main__":
    import sys

    import spacy_quotes

    nlp = spacy_quotes.load_base()
    text = " ".join(sys.argv[1:]) or "“We will not give up,” said Anna Schmidt, the finance minister. She added that the budget was fair."
    doc = annotate(nlp(text))
    for q in spacy_quotes.get_quotes(doc):
        print(f"{q.type:8} {q.content.text!r}  cue={q.cue.text if q.cue else None!r}  "
              f"speaker={q.speaker.text if q.speaker else None!r}  name={q.speaker_name!r}")


__all__ = ["SPEECH_VERBS", "find_quotes", "annotate"]
