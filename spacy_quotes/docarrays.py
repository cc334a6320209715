"""Arrays read once from a parsed Doc: heads, sentence ids, paragraph breaks.

The lowest layer below ``pipeline/`` and ``speakers/``: it imports nothing of the package, so both
read a document's structure the same way.
"""
import numpy
from spacy.attrs import HEAD, IS_SPACE, SENT_START
from spacy.tokens import Doc

__all__ = ["heads_array", "sent_ids", "paragraph_breaks"]


def heads_array(doc: Doc) -> numpy.ndarray:
    """RETURNS (numpy.ndarray): per token, the absolute index of its syntactic head."""
    n = len(doc)
    return numpy.arange(n) + doc.to_array([HEAD]).astype(numpy.int64).reshape(-1)


def sent_ids(doc: Doc) -> numpy.ndarray:
    """RETURNS (numpy.ndarray): per token, the index of its sentence (all 0 when the Doc
    has no sentence boundaries)."""
    ids = numpy.zeros(len(doc), dtype=numpy.int64)
    if len(doc) and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        # doc.sents' boundaries (the field Token.is_sent_start reads), without a Token per token
        starts = doc.to_array([SENT_START]).reshape(-1) == 1
        starts[0] = False
        ids = numpy.cumsum(starts)
    return ids


def paragraph_breaks(doc: Doc) -> numpy.ndarray:
    """Per token, whether it is white space holding a line break (a paragraph break),
    looking only at the white-space tokens."""
    out = numpy.zeros(len(doc), dtype=bool)
    if len(doc):
        for i in numpy.flatnonzero(doc.to_array([IS_SPACE]).reshape(-1) == 1).tolist():
            out[i] = "\n" in doc[i].text
    return out
