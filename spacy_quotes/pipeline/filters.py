"""The not-quote filter: drop the quotes a reader would not call an attribution (issue 14).

The tagger and the rules find quoted words and reporting-like verbs; some of what they find
is the journalist's own voice, not anyone's attribution. The filter runs on the linked quotes
before they are written, when the component's ``filter_not_quotes`` setting is on, and drops a
quote of one of these classes (the ``kind`` names those of the not-quote corpus,
``corpus/notquotes.jsonl``):

* ``nickname``: quoted words a naming cue introduces (``dubbed "..."``, ``nicknamed "..."``,
  ``known as "..."``, ``a so-called "..."``): :data:`spacy_quotes.cues.NAMING_CUES`;
* ``title``: a direct quote of a few words that is the title of a work (after or in apposition
  to a noun of :data:`spacy_quotes.cues.WORK_NOUNS`, ``titled "..."``, or a WORK_OF_ART entity);
* ``scare``: a direct quote of at most ``SCARE_MAX_WORDS`` words with no cue (a term the
  journalist puts in marks);
* ``no_content``: an indirect content made only of the words of a cue without content
  (``declined [to comment]``, ``did not respond to [requests for comment]``);
* ``plain_object``: an indirect content that is a plain noun phrase (no verb, no ``as``
  predicate, no quoted words) after an action cue of :data:`spacy_quotes.cues.PLAIN_OBJECT_CUES`:
  ``adopted [the plan]``, ``defended [the budget]``; with a predicate (``defended the budget
  as necessary``) or a clause it stays, and so does the noun-phrase object of a verb of speech
  or stance (``criticised [the decision]``, ``endorsed [the mayor]``), which PolNeAR annotates.

Each class is switched on by its name: the setting is ``false`` (off), ``true`` (every class of
:data:`FILTER_KINDS`) or a list of class names (see :func:`filter_kinds`). Each dropped quote is
logged at DEBUG level with its kind.
"""
import logging
from itertools import islice
from typing import Collection, Iterator, List, Optional, Sequence, Tuple, Union

from spacy.tokens import Doc, Span, Token

from ..marks import is_quote_mark
from .decode import RoleSpan
from ..cues import NAMING_CUES, NO_CONTENT_WORDS, PLAIN_OBJECT_CUES, WORK_NOUNS

logger = logging.getLogger("spacy_quotes")

SCARE_MAX_WORDS = 3
TITLE_MAX_WORDS = 8
# ``accused Turkey of bad faith``, ``called the plan a failure``: the noun phrase holds the claim
PREDICATE_CUES = frozenset({"accuse", "charge", "blame", "call", "describe", "label", "brand", "urge", "ask",
                            "credit", "hail", "praise", "condemn"})
_NP_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM", "DET", "ADJ", "X"})
# the classes, in the order they are tried
FILTER_KINDS = ("nickname", "title", "scare", "no_content", "plain_object")


def setting_kinds(value: Union[bool, Sequence[str], None], known: Sequence[str], setting: str) -> Tuple[str, ...]:
    """The names a switch setting turns on: ``false``/None none, ``true`` all of ``known``, a
    list those it names.

    value (Union[bool, Sequence[str], None]): the setting.
    known (Sequence[str]): the names it may hold.
    setting (str): its name, for the error message.
    RETURNS (Tuple[str, ...]): the names switched on, in the order of ``known``.
    """
    if value is None or value is False:
        return ()
    if value is True:
        return tuple(known)
    if isinstance(value, str) or not isinstance(value, Collection):
        raise ValueError(f"quotes: {setting} must be true, false or a list of {list(known)}, got {value!r}")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"quotes: {setting}: unknown name(s) {unknown}; known: {list(known)}")
    return tuple(k for k in known if k in set(value))


def filter_kinds(value: Union[bool, Sequence[str], None]) -> Tuple[str, ...]:
    """The not-quote classes the ``filter_not_quotes`` setting switches on.

    value (Union[bool, Sequence[str], None]): ``false``, ``true`` (all of :data:`FILTER_KINDS`)
        or a list of class names.
    RETURNS (Tuple[str, ...]): the classes on.
    """
    return setting_kinds(value, FILTER_KINDS, "filter_not_quotes")


def _is_mark(text: str) -> bool:
    return (len(text) == 1 and is_quote_mark(text)) or text in ("``", "''")


def _iter_words(span: Span) -> Iterator[Token]:
    """The words of span, in order (no punctuation, space or quotation mark)."""
    return (t for t in span if not (t.is_punct or t.is_space or _is_mark(t.text)))


def _words(span: Span, limit: Optional[int] = None) -> List:
    """The words of span; with ``limit``, no more than ``limit + 1`` of them: enough to tell a
    span of more than ``limit`` words, without reading the rest of a long content."""
    return list(_iter_words(span) if limit is None else islice(_iter_words(span), limit + 1))


def _before(doc: Doc, start: int, n: int) -> List:
    """Up to n tokens before ``start`` that are not punctuation or marks (nearest first)."""
    out = []
    i = start - 1
    while i >= 0 and len(out) < n:
        t = doc[i]
        if t.text == "\n" or "\n" in t.text:
            break
        if not (t.is_punct or t.is_space or _is_mark(t.text)):
            out.append(t)
        i -= 1
    return out


def _verbs(span: Span) -> List:
    """The verbs of span, without the ``called`` of ``so-called``."""
    return [t for t in span if t.pos_ in ("VERB", "AUX")
            and not (t.lower_ == "called" and t.i >= 2 and t.nbor(-1).text == "-" and t.nbor(-2).lower_ == "so")]


def _text_before(doc: Doc, i: int, n_chars: int) -> str:
    """The n_chars characters of the text before token i (``doc.text[idx - n:idx]``), from the
    tokens just before it: Doc.text would join every token of the document for each quote."""
    parts: List[str] = []
    total, j = 0, i
    while j > 0 and total < n_chars:
        j -= 1
        parts.append(doc[j].text_with_ws)
        total += len(parts[-1])
    return "".join(reversed(parts))[-n_chars:] if parts else ""


def _text_start(span: Span, n_chars: int) -> str:
    """The first n_chars characters of the span's text (or all of it, if shorter), from its
    first tokens: Span.text would join every token of a long content."""
    parts: List[str] = []
    total = 0
    for t in span:
        if total >= n_chars:
            break
        parts.append(t.text_with_ws if t.i < span.end - 1 else t.text)
        total += len(parts[-1])
    return "".join(parts)[:n_chars]


def _naming(doc: Doc, content: Span, cue: Optional[Span]) -> bool:
    if len(_words(content, TITLE_MAX_WORDS)) > TITLE_MAX_WORDS:  # a naming cue names a thing in a few words
        return False
    words = [t.lower_ for t in _before(doc, content.start, 2)]
    if cue is not None:
        lowered = {t.lower_ for t in cue} | {t.lemma_.lower() for t in cue}
        if lowered & NAMING_CUES:
            return True
        if "know" in {t.lemma_.lower() for t in cue} and (
                "as" in lowered or any(t.lower_ == "as" for t in content[:3])
                or (words and words[0] == "as")):
            return True
    text = _text_before(doc, content.start, 12).lower()
    has_marks = any(_is_mark(t.text) for t in content)
    if has_marks and "so-called" in (text + content.text.lower()) and not _verbs(content):
        return True
    return bool(has_marks and words and words[0] in NAMING_CUES)


def _title(doc: Doc, content: Span, cue: Optional[Span], qtype: str) -> bool:
    if qtype != "direct":
        return False
    words = _words(content, TITLE_MAX_WORDS)
    if not words or len(words) > TITLE_MAX_WORDS:
        return False
    if cue is not None and {t.lemma_.lower() for t in cue} & {"title", "entitle"}:
        return True
    before = _before(doc, content.start, 1)
    if before and before[0].lemma_.lower() in WORK_NOUNS:
        return True
    root = content.root
    if root.dep_ == "appos" and root.head.lemma_.lower() in WORK_NOUNS:
        return True
    return all(t.ent_type_ == "WORK_OF_ART" for t in words)


def _scare(content: Span, cue: Optional[Span], qtype: str) -> bool:
    return qtype == "direct" and cue is None and 0 < len(_words(content, SCARE_MAX_WORDS)) <= SCARE_MAX_WORDS


def _no_content(content: Span, qtype: str) -> bool:
    if qtype != "indirect":
        return False
    lowered = _text_start(content, len("to comment")).lower()
    if lowered.startswith(("to comment", "comment")) and not _verbs(content)[1:]:
        return True
    found = False
    for t in _iter_words(content):
        if t.is_stop and t.lower_ not in NO_CONTENT_WORDS:
            continue
        if t.lower_ not in NO_CONTENT_WORDS and t.lemma_.lower() not in NO_CONTENT_WORDS:
            return False  # a word that says something: stop reading
        found = True
    return found


def _plain_object(content: Span, qtype: str) -> bool:
    if qtype != "indirect":
        return False
    toks = [t for t in content if not (t.is_punct or t.is_space)]
    if not toks or _verbs(content):
        return False
    if any(t.lower_ in ("as", "that") for t in toks):
        return False
    return content.root.pos_ in _NP_POS


def not_quote_kind(doc: Doc, content: Span, cue: Optional[Span], qtype: str,
                   kinds: Sequence[str] = FILTER_KINDS) -> Optional[str]:
    """The not-quote class of a linked quote, or None where it is an attribution.

    doc (Doc): the document.
    content (Span): the quote's content.
    cue (Optional[Span]): its cue, if linked.
    qtype (str): its type (direct / mixed / indirect).
    kinds (Sequence[str]): the classes to test (default: all of :data:`FILTER_KINDS`).
    RETURNS (Optional[str]): ``nickname``, ``title``, ``scare``, ``no_content``,
        ``plain_object`` or None.
    """
    if "nickname" in kinds and _naming(doc, content, cue):
        return "nickname"
    if "title" in kinds and _title(doc, content, cue, qtype):
        return "title"
    if "scare" in kinds and _scare(content, cue, qtype):
        return "scare"
    if "no_content" in kinds and _no_content(content, qtype):
        return "no_content"
    if "plain_object" in kinds and _plain_object(content, qtype):
        return "plain_object"
    return None


def filter_not_quotes(
    doc: Doc,
    contents: Sequence[RoleSpan],
    cues: Sequence[RoleSpan],
    links: Sequence,
    qtypes: Sequence[str],
    kinds: Sequence[str] = FILTER_KINDS,
) -> Tuple[List, List[str]]:
    """Keep the links whose quote is an attribution.

    doc (Doc): the document.
    contents, cues (Sequence[RoleSpan]): the role spans the links point into.
    links (Sequence[Link]): the linked quotes.
    qtypes (Sequence[str]): each link's quote type.
    kinds (Sequence[str]): the not-quote classes to drop (default: all of :data:`FILTER_KINDS`).
    RETURNS (Tuple[List[Link], List[str]]): the links kept, and the kinds of those dropped.
    """
    kept, dropped = [], []
    for link, qtype in zip(links, qtypes):
        c = contents[link.content]
        content = doc[c.start:c.end]
        cue = doc[cues[link.cue].start:cues[link.cue].end] if link.cue >= 0 else None
        kind = not_quote_kind(doc, content, cue, qtype, kinds)
        if kind == "plain_object" and (cue is None or {t.lemma_.lower() for t in cue} & PREDICATE_CUES
                                       or not {t.lemma_.lower() for t in cue} & PLAIN_OBJECT_CUES):
            # no action (an answer, a signed paragraph), a cue whose object is a charge, or a
            # verb of speech or stance whose object PolNeAR annotates (``criticized [the plan]``)
            kind = None
        if kind is None:
            kept.append(link)
        else:
            dropped.append(kind)
            logger.debug("quotes: dropped %r (%s)", content.text[:60], kind)
    return kept, dropped
