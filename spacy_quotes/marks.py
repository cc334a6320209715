"""Quotation marks: pairing opening and closing marks into quotations.

Handles straight double (``"``) and single (``'``) quotes, curly quotes (“…”, ‘…’),
guillemets in both directions («…», »…«, ‹…›, ›…‹) and low-high quotes („…“, „…”, ‚…‘).
Apostrophes (don’t, Erdogan’s, ’90s, rock ’n’ roll, the students’ union, O’Neill) never
open or close a quotation; a misused “ or ‘ in closing position closes like ” or ’.

Unbalanced marks: a closing mark without an opener is ignored. An opening mark that is never
closed runs to the end of its paragraph. A paragraph ends at a newline, except a single
line break after which the quotation closes on the next line (before anything else opens
there): that is a wrapped line. An unclosed straight ``'`` is taken for an apostrophe and
dropped. Multi-paragraph quotes (news convention): when a paragraph ends with a quotation
still open and the next paragraph starts with an opening mark of the same kind, the
quotation continues; it is returned as one Quotation up to the final closing mark.

Everything runs in time linear in the length of the text: one regular-expression scan for
the marks (a single character class, no backtracking) and a bounded amount of work per mark.
"""
import logging
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, List, Optional, Sequence, Tuple

import numpy

logger = logging.getLogger("spacy_quotes")

# Marks that may open a quotation, with the marks that close it.
_CLOSERS = {
    '"': '"\u201d',  # "…"  (a curly ” also closes it: mixed typography)
    "\u201c": '\u201d"',  # “…”
    "\u201e": "\u201c\u201d",  # „…“  „…”
    "\u201f": '\u201d"',  # ‟…”
    "\u201d": "\u201d",  # ”…”  (Swedish / Finnish)
    "'": "'\u2019",  # '…'
    "\u2018": "\u2019'",  # ‘…’
    "\u201a": "\u2018\u2019",  # ‚…‘  ‚…’
    "\u201b": "\u2019'",  # ‛…’
    "\u00ab": "\u00bb",  # «…»
    "\u00bb": "\u00ab",  # »…«
    "\u2039": "\u203a",  # ‹…›
    "\u203a": "\u2039",  # ›…‹
}
# Kinds of marks: a multi-paragraph quotation continues with a mark of the same kind.
_FAMILY = {
    '"': 0, "\u201c": 0, "\u201d": 0, "\u201e": 0, "\u201f": 0,
    "'": 1, "\u2018": 1, "\u2019": 1, "\u201a": 1, "\u201b": 1,
    "\u00ab": 2, "\u00bb": 2,
    "\u2039": 3, "\u203a": 3,
}  # fmt: skip
QUOTE_MARKS = frozenset(_FAMILY)
_SINGLE = frozenset("'\u2018\u2019\u201a\u201b")
_BREAKS = "\n\r\u2028\u2029"
_BREAK_SET = frozenset(_BREAKS)
# Characters after which a mark sits in "opening" position (besides whitespace and marks).
_OPEN_CONTEXT = frozenset("([{<-\u2010\u2011\u2012\u2013\u2014\u2015/")
_SCAN = re.compile("[" + re.escape(_BREAKS + "".join(sorted(QUOTE_MARKS))) + "]")
_NON_SPACE = re.compile(r"\S")
_WORD = re.compile(r"\w")
# What follows a word-initial apostrophe that is an elision, not an opening quote:
# ’90s, ’05, rock ’n’ roll, ’em, ’tis, ’twas.
_ELISION = re.compile(r"(?:\d\d(?!\d)|[nN]['\u2018\u2019](?!\w)|(?:em|tis|twas|Tis|Twas|Em)(?!\w))")
# How many open quotations (from the innermost) a closing mark looks at: bounds the work
# per mark, so that text with a huge number of marks stays linear.
_SEARCH_DEPTH = 8

# Actions for one mark
_NONE, _OPEN, _CLOSE, _CLOSE_ELSE_OPEN, _TENTATIVE = range(5)


@dataclass(frozen=True)
class Quotation:
    """One quotation: from its opening mark to its closing mark (or to the end of the
    paragraph it runs to, when it is never closed).

    start (int): character offset of the opening mark.
    end (int): character offset just after the closing mark; for an unclosed quotation, the
        end of the text region it runs to (end of its last paragraph, trailing whitespace
        excluded).
    open_mark (str): the opening mark.
    close_mark (Optional[str]): the closing mark, None when never closed.
    """

    start: int
    end: int
    open_mark: str
    close_mark: Optional[str]

    @property
    def inner_start(self) -> int:
        """RETURNS (int): offset of the first character after the opening mark."""
        return self.start + len(self.open_mark)

    @property
    def inner_end(self) -> int:
        """RETURNS (int): offset just after the quoted text (before the closing mark)."""
        return self.end - len(self.close_mark or "")

    @property
    def closed(self) -> bool:
        """RETURNS (bool): whether the quotation has a closing mark."""
        return self.close_mark is not None


def is_quote_mark(ch: str) -> bool:
    """Whether a character is a quotation mark (including the characters also used as
    apostrophes: ``'`` and ``’``).

    ch (str): a single character.
    RETURNS (bool): True for quotation-mark characters.
    """
    return ch in QUOTE_MARKS


def _classify(text: str, i: int, c: str) -> Tuple[int, str]:
    """Decide what the mark ``c`` at offset ``i`` may do, from its neighbours only.

    RETURNS (Tuple[int, str]): the action and the mark to match open quotations with (a “
        or ‘ in closing position, misused for ” or ’, matches as ” or ’).
    """
    n = len(text)
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < n else ""
    prev_open = prev == "" or prev.isspace() or prev in _OPEN_CONTEXT or prev in QUOTE_MARKS
    next_space = nxt == "" or nxt.isspace()
    if c == '"':
        return (_OPEN if prev_open and not next_space else _CLOSE), c
    if c == "\u201c":
        if (not prev_open and not nxt.isalnum()) or next_space:
            return _CLOSE, "\u201d"  # “the best in the world“, “it worked out. “ (German „…“)
        return _CLOSE_ELSE_OPEN, c
    if c == "\u00ab" or c == "\u2039":
        return _CLOSE_ELSE_OPEN, c
    if c == "\u201d" or c == "\u00bb" or c == "\u203a":
        return (_CLOSE_ELSE_OPEN if prev_open and not next_space else _CLOSE), c
    if c == "\u201e" or c == "\u201f":
        return _OPEN, c
    if c == "\u201a":
        return (_OPEN if prev_open and not next_space else _NONE), c
    if c == "\u201b":
        return (_NONE if next_space else _OPEN), c
    # Single quotes and apostrophes: ' ‘ ’
    if prev.isalnum() and nxt.isalnum():
        return _NONE, c  # don't, Erdogan's, O'Neill (and a misused don‘t)
    if prev_open:
        if next_space:
            return (_NONE if c == "\u2018" else _CLOSE), c
        if _ELISION.match(text, i + 1):
            return _NONE, c  # ’90s, ’n’, ’em
        if c == "\u2019":
            return _NONE, c
        return (_CLOSE_ELSE_OPEN if c == "\u2018" else _OPEN), c
    # After a word or punctuation character
    if nxt.isalnum():
        return _NONE, c  # U.S.'s
    if c == "\u2018":
        c = "\u2019"  # a ‘ in closing position: German ‚…‘, or misused for ’
    if (prev == "n" or prev == "N") and i >= 2 and text[i - 2] in _SINGLE:
        if i < 3 or text[i - 3].isspace():
            return _NONE, c  # rock ’n’ roll
    if prev in "sSzZ" and nxt == " " and i + 2 < n and text[i + 2].isalnum():
        return _TENTATIVE, c  # the students’ union: closes only if nothing better comes
    return _CLOSE, c


def _rstrip_end(text: str, p: int, floor: int) -> int:
    """The end of the text before ``p`` without trailing whitespace, not below ``floor``."""
    while p > floor and text[p - 1].isspace():
        p -= 1
    return p


# An open quotation while scanning: [start, open_mark, closers, family, tentatives]
_Entry = List[Any]
_Raw = Tuple[int, int, str, Optional[str], int]  # start, end, open, close, depth


def _find_accepting(stack: List[_Entry], c: str) -> int:
    """Index of the innermost open quotation (among the last few) that ``c`` closes, or -1."""
    lo = max(0, len(stack) - _SEARCH_DEPTH)
    for k in range(len(stack) - 1, lo - 1, -1):
        if c in stack[k][2]:
            return k
    return -1


def _flush(text: str, entries: List[_Entry], para_end: int, depth0: int, out: List[_Raw]) -> None:
    """Emit the quotations still open at the end of a paragraph. The outermost one closes
    at its first tentative closing mark (a plural-possessive-looking ’) if it has one;
    otherwise all of them run to the paragraph end."""
    i = 0
    depth = depth0
    while i < len(entries):
        bottom = entries[i]
        tentatives = bottom[4]
        if tentatives:
            t = tentatives[0]
            out.append((bottom[0], t + 1, bottom[1], text[t], depth))
            clip = _rstrip_end(text, t, 0)
            i += 1
            while i < len(entries) and entries[i][0] < t:
                e = entries[i]
                out.append((e[0], max(clip, e[0] + 1), e[1], None, depth + 1))
                i += 1
            continue  # the rest (after t) are handled as a new outermost group
        for k in range(i, len(entries)):
            e = entries[k]
            out.append((e[0], max(para_end, e[0] + 1), e[1], None, depth + (k - i)))
        break


def _continues(text: str, j: int, family: int) -> bool:
    """Whether the mark at ``j`` (first character of a paragraph) continues a quotation of
    the given kind."""
    c = text[j]
    if _FAMILY.get(c) != family:
        return False
    if family == 2 or family == 3:
        return True  # French continues with », Danish with »: either is fine
    return _classify(text, j, c)[0] in (_OPEN, _CLOSE_ELSE_OPEN)


def _closes_on_next_line(text: str, j: int, entry: _Entry) -> bool:
    """Whether the line starting at ``j`` closes ``entry`` before opening anything: then the
    single line break before it is a wrapped line inside the quotation, not a paragraph end.
    Looks at one line only, so every line is looked at at most once or twice."""
    line_end = text.find("\n", j)
    if line_end < 0:
        line_end = len(text)
    closers = entry[2]
    for m in _SCAN.finditer(text, j, line_end):
        i = m.start()
        c = text[i]
        if c in _BREAK_SET:
            return False
        action, key = _classify(text, i, c)
        if action == _CLOSE or action == _CLOSE_ELSE_OPEN:
            if key in closers:
                return True
        if action == _OPEN or action == _CLOSE_ELSE_OPEN:
            return False
    return False


def _scan(text: str) -> List[_Raw]:
    """Pair the marks of ``text``. RETURNS (List[_Raw]): all quotations with their depth."""
    out: List[_Raw] = []
    stack: List[_Entry] = []
    pending = -1  # offset of a paragraph-initial mark that continues the outermost quotation
    for m in _SCAN.finditer(text):
        i = m.start()
        c = text[i]
        if c in _BREAK_SET:
            if not stack or i < pending:
                continue
            para_end = _rstrip_end(text, i, 0)
            nm = _NON_SPACE.search(text, i)
            bottom = stack[0]
            if (
                nm is not None
                and text.count("\n", i, nm.start()) <= 1
                and not _continues(text, nm.start(), bottom[3])
                and _closes_on_next_line(text, nm.start(), stack[-1])
            ):
                continue  # a wrapped line: the quotation closes on the next line
            if nm is not None and _continues(text, nm.start(), bottom[3]):
                _flush(text, stack[1:], para_end, 1, out)
                del stack[1:]
                bottom[4] = None
                pending = nm.start()
            else:
                _flush(text, stack, para_end, 0, out)
                stack = []
            continue
        if i == pending:
            pending = -1
            continue
        action, key = _classify(text, i, c)
        if action == _NONE:
            continue
        if action == _OPEN:
            stack.append([i, c, _CLOSERS[c], _FAMILY[c], None])
            continue
        k = _find_accepting(stack, key) if stack else -1
        if k < 0:
            if action == _CLOSE_ELSE_OPEN:
                stack.append([i, c, _CLOSERS[c], _FAMILY[c], None])
            continue
        if action == _TENTATIVE:
            entry = stack[k]
            if entry[4] is None:
                entry[4] = [i]
            else:
                entry[4].append(i)
            continue
        # Close stack[k]; quotations opened inside it and still open end before the mark.
        entry = stack[k]
        # A tentative closing mark of an outer quotation that lies inside this one can no
        # longer close it (the two would cross: '"the students’ said" ...). Such a mark was
        # taken while this entry was among the last _SEARCH_DEPTH open ones, so only those
        # below it need looking at; marks are kept in order, so they come off the end.
        for d in range(max(0, k - _SEARCH_DEPTH), k):
            marks = stack[d][4]
            while marks and marks[-1] > entry[0]:
                marks.pop()
            if not marks:
                stack[d][4] = None
        if k + 1 < len(stack):
            clip = _rstrip_end(text, i, 0)
            for d in range(k + 1, len(stack)):
                e = stack[d]
                out.append((e[0], max(clip, e[0] + 1), e[1], None, d))
            del stack[k + 1 :]
        stack.pop()
        out.append((entry[0], i + 1, entry[1], c, k))
    if stack:
        _flush(text, stack, _rstrip_end(text, len(text), 0), 0, out)
    # A straight single quote that never closes is an apostrophe ('Nuff, 'bout), not a quote.
    out = [r for r in out if r[3] is not None or r[2] != "'"]
    out.sort()
    return out


def find_quotations(text: str, nested: bool = False) -> List[Quotation]:
    """Find the quotations of a text by pairing its quotation marks.

    text (str): the text.
    nested (bool): also return the quotations nested inside others (sorted by start; they
        then overlap their outer quotations). By default only the outermost ones are returned.
    RETURNS (List[Quotation]): the quotations, sorted by start; without ``nested`` they do not
        overlap.
    """
    if not text:
        return []
    raw = _scan(text)
    if nested:
        return [Quotation(s, e, o, c) for s, e, o, c, _ in raw]
    result: List[Quotation] = []
    last_end = -1
    for s, e, o, c, _ in raw:
        # the quotations form a laminar family sorted by start: the outermost ones are those
        # not inside the previous outermost one
        if s >= last_end:
            result.append(Quotation(s, e, o, c))
            last_end = e
    return result


def _intervals(quotations: Sequence[Quotation]) -> Tuple[List[int], List[int]]:
    """The merged, sorted inner regions of the quotations."""
    starts: List[int] = []
    ends: List[int] = []
    for q in sorted(quotations, key=lambda q: q.start):
        a, b = q.inner_start, q.inner_end
        if b <= a:
            continue
        if ends and a <= ends[-1]:
            if b > ends[-1]:
                ends[-1] = b
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


@lru_cache(maxsize=16)
def _text_intervals(text: str) -> Tuple[List[int], List[int]]:
    return _intervals(find_quotations(text))


_last_given: List[Any] = [None, -1, None]  # quotations object, its length, its intervals


def quote_type(
    text: str, start: int, end: int, quotations: Optional[Sequence[Quotation]] = None
) -> str:
    """The type of a quote from its quotation marks: "direct" if all word characters of
    ``text[start:end]`` are inside quotations, "mixed" if some are, "indirect" if none (or
    if the span has no word characters). Marks, punctuation and whitespace are ignored.

    text (str): the text.
    start (int): character offset of the quote's start.
    end (int): character offset of the quote's end.
    quotations (Optional[Sequence[Quotation]]): the quotations of ``text``; defaults to
        ``find_quotations(text)`` (cached per text). Pass the same object on repeated calls
        for one text: its intervals are cached by identity.
    RETURNS (str): "direct", "mixed" or "indirect".
    """
    if quotations is None:
        starts, ends = _text_intervals(text)
    else:
        cached = _last_given
        if cached[0] is quotations and cached[1] == len(quotations):
            starts, ends = cached[2]
        else:
            starts, ends = _intervals(quotations)
            _last_given[:] = [quotations, len(quotations), (starts, ends)]
    inside = outside = False
    k = bisect_right(ends, start)
    pos = start
    n_int = len(starts)
    while pos < end:
        if k < n_int and starts[k] < end:
            a = starts[k] if starts[k] > pos else pos
            b = ends[k] if ends[k] < end else end
            if pos < a and not outside:
                outside = _WORD.search(text, pos, a) is not None
            if a < b and not inside:
                inside = _WORD.search(text, a, b) is not None
            pos = b
            k += 1
        else:
            if not outside:
                outside = _WORD.search(text, pos, end) is not None
            break
        if inside and outside:
            break
    if inside:
        return "mixed" if outside else "direct"
    return "indirect"


def quote_state(doc: Any, quotations: Optional[Sequence[Quotation]] = None) -> numpy.ndarray:
    """Per-token position relative to the (outermost) quotations of a Doc.

    doc (Doc): the document.
    quotations (Optional[Sequence[Quotation]]): its outermost quotations; defaults to
        ``find_quotations(doc.text)``.
    RETURNS (numpy.ndarray): int8, one value per token: 0 outside any quotation, 1 the token
        with the opening mark, 2 inside, 3 the token with the closing mark.
    """
    from spacy.attrs import IDX, LENGTH

    n_tokens = len(doc)
    state = numpy.zeros((n_tokens,), dtype="int8")
    if n_tokens == 0:
        return state
    if quotations is None:
        quotations = find_quotations(doc.text)
    if not quotations:
        return state
    arr = doc.to_array([IDX, LENGTH]).astype("int64")
    starts = arr[:, 0]
    ends = starts + arr[:, 1]
    q_starts = numpy.asarray([q.start for q in quotations], dtype="int64")
    q_ends = numpy.asarray([q.end for q in quotations], dtype="int64")
    q_close = numpy.asarray([q.end - len(q.close_mark or "") for q in quotations], dtype="int64")
    # first token ending after the opening mark; first token starting at/after the end
    first = numpy.searchsorted(ends, q_starts, side="right")
    stop = numpy.searchsorted(starts, q_ends, side="left")
    close_tok = numpy.searchsorted(ends, q_close, side="right")
    for qi, q in enumerate(quotations):
        a, b = int(first[qi]), int(stop[qi])
        if a >= b:
            continue
        state[a:b] = 2
        if q.close_mark is not None:
            ct = int(close_tok[qi])
            if a <= ct < b:
                state[ct] = 3
        if starts[a] <= q.start:
            state[a] = 1
    return state


__all__ = ["Quotation", "QUOTE_MARKS", "find_quotations", "is_quote_mark", "quote_state", "quote_type"]
