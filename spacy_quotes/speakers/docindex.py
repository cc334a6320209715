"""The document index of the speaker resolver: what it looks up about a Doc, computed once.

Sentence starts and ends (with a bisect lookup of a token's sentence), the tokens inside
quotation marks and inside quote contents, paragraph breaks counted before each token, the
name entities, and the token attribute array the pre-pass reads (DEP, LOWER, TAG, ENT_TYPE).
"""
import bisect
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc, Span, Token

from ..docarrays import paragraph_breaks
from ..marks import Quotation, find_quotations, quote_state
from .lexicon import NAME_LABELS

# columns of DocIndex.array
DEP, LOWER, TAG, ENT_TYPE = range(4)


class DocIndex:
    """Linear-time lookups over one Doc.

    doc (Doc): the parsed document.
    quotations (Optional[Sequence[Quotation]]): ``find_quotations(doc.text)`` where the caller
        has it; None finds them.
    """

    def __init__(self, doc: Doc, quotations: Optional[Sequence[Quotation]] = None) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token: compute it once
        self.n = len(doc)
        if self.n and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
            self.sent_starts: List[int] = [s.start for s in doc.sents]
        else:
            self.sent_starts = [0]
        self.sent_ends: List[int] = self.sent_starts[1:] + [self.n]
        # tokens in a quote's content (mark_quotes)
        self.in_quote = bytearray(self.n)
        # tokens inside quotation marks: the quoted words themselves, as opposed to the
        # reporter's paraphrase in an indirect quote
        if self.n:
            found = quotations if quotations is not None else find_quotations(self.text)
            self.in_marks = bytes((quote_state(doc, found) != 0).astype(numpy.uint8))
        else:
            self.in_marks = b""
        # paragraph breaks before each token: breaks_between in constant time
        self.n_breaks_before = numpy.concatenate(([0], numpy.cumsum(paragraph_breaks(doc)))).tolist()
        self.ents: List[Span] = [e for e in doc.ents if e.label_ in NAME_LABELS]
        self.ent_starts = [e.start for e in self.ents]
        self.array: Optional[numpy.ndarray] = (
            doc.to_array(["DEP", "LOWER", "TAG", "ENT_TYPE"]) if self.n else None)

    @property
    def lower(self) -> Optional[numpy.ndarray]:
        """RETURNS (Optional[numpy.ndarray]): the LOWER hash of every token (None for an empty Doc)."""
        return self.array[:, LOWER] if self.array is not None else None

    def ids(self, words: Iterable[str]) -> numpy.ndarray:
        """words (Iterable[str]): strings. RETURNS (numpy.ndarray): their hashes, in the array's dtype."""
        strings = self.doc.vocab.strings
        dtype = self.array.dtype if self.array is not None else numpy.uint64
        return numpy.asarray([strings[w] for w in words], dtype=dtype)

    def sent_of(self, i: int) -> int:
        """i (int): a token offset. RETURNS (int): the index of its sentence."""
        return max(0, bisect.bisect_right(self.sent_starts, i) - 1)

    def sent_range(self, s: int) -> Tuple[int, int]:
        """s (int): a sentence index. RETURNS (Tuple[int, int]): its token range."""
        return self.sent_starts[s], self.sent_ends[s]

    def window_start(self, pos: int, sentences_back: int) -> int:
        """RETURNS (int): the first token of the sentence ``sentences_back`` before pos's."""
        s = self.sent_of(pos) - sentences_back
        return self.sent_starts[max(0, s)]

    def mark_quotes(self, ranges: Iterable[Tuple[int, int]]) -> None:
        """Mark the tokens of quote contents (token ranges) as quoted."""
        for start, end in ranges:
            self.in_quote[start:end] = b"\x01" * (end - start)

    def breaks_between(self, i: int, j: int) -> bool:
        """A paragraph break (a whitespace token with a newline) lies in [i, j)."""
        lo, hi = min(i, j), max(i, j)
        return self.n_breaks_before[hi] > self.n_breaks_before[lo]

    def entity_at(self, i: int) -> Optional[Span]:
        """RETURNS (Optional[Span]): the name entity that holds token i, if any."""
        k = bisect.bisect_right(self.ent_starts, i) - 1
        if k >= 0 and self.ents[k].end > i:
            return self.ents[k]
        return None

    def range_root(self, a: int, b: int) -> Token:
        """RETURNS (Token): the token of [a, b) attached outside it (the right-most such)."""
        doc = self.doc
        for i in range(b - 1, a - 1, -1):
            h = doc[i].head.i
            if h < a or h >= b or h == i:
                return doc[i]
        return doc[b - 1]

    def text_of(self, a: int, b: int) -> str:
        """RETURNS (str): the text of [a, b) as written, without a possessive ending, one
        space between words."""
        doc = self.doc
        text = self.text[doc[a].idx:doc[b - 1].idx + len(doc[b - 1].text)]
        for suffix in ("'s", "\u2019s"):
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
        return " ".join(text.split())

    def phrase_text(self, toks: Sequence[Token]) -> str:
        """RETURNS (str): the text from the first to the last token, one space between words."""
        return " ".join(self.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)].split())
