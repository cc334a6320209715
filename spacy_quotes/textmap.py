"""Text as the model sees it, and back: long texts cut into chunks at paragraph boundaries,
CRLF read as LF, and the records' offsets mapped back onto the text as read.

1. :func:`split_text` cuts a text that is longer than the pipeline's ``max_length`` into chunks
   at paragraph boundaries (blank lines, then line breaks, then sentence ends, then spaces).
2. :func:`model_text` gives the pipeline the text with ``\\r\\n`` read as ``\\n``;
   :func:`original_offset` maps an offset of it back.
3. :func:`shift_record` and :func:`merge_chunk_records` put the chunks' records together.
"""
import re
from bisect import bisect_left, bisect_right
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

from spacy.language import Language

from .inputs import BOM

# Where a long text may be cut, coarsest first. A cut goes *after* the match, so the
# separator stays at the end of the chunk before it and the chunks concatenate to the text.
SPLIT_BOUNDARIES: Tuple[Pattern[str], ...] = (
    re.compile(r"(?:\r\n|\r|\n)[ \t\f\v]*(?:\r\n|\r|\n)\s*"),  # blank lines (paragraphs)
    re.compile(r"(?:\r\n|\r|\n)\s*"),  # line breaks
    re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019\u00bb)\]]*\s+"),  # sentence ends
    re.compile(r"\s+"),  # any space
)


def split_text(text: str, max_length: int) -> List[Tuple[int, str]]:
    """Cut a text into chunks of at most ``max_length`` characters, at the coarsest
    boundaries that work: blank lines, then line breaks, then sentence ends, then spaces
    (a hard cut only where a run of ``max_length`` characters has no space). Chunks are
    packed greedily, so a short text is one chunk. A leading byte order mark is left out.

    text (str): the full text.
    max_length (int): the longest chunk (the pipeline's ``nlp.max_length``).
    RETURNS (List[Tuple[int, str]]): ``(offset, chunk)`` pairs with
        ``text[offset:offset + len(chunk)] == chunk``; together the chunks cover the text
        (after the BOM). Empty for an empty text.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be >= 1, got {max_length}")
    start = 1 if text.startswith(BOM) else 0
    if start == len(text):
        return []
    chunks: List[Tuple[int, str]] = []
    for a, b in _split_range(text, start, len(text), max_length, 0):
        chunks.append((a, text[a:b]))
    return chunks


def _split_range(text: str, start: int, end: int, max_length: int, level: int) -> List[Tuple[int, int]]:
    if end - start <= max_length:
        return [(start, end)]
    if level >= len(SPLIT_BOUNDARIES):
        return [(i, min(i + max_length, end)) for i in range(start, end, max_length)]
    # Pieces end after each separator; a piece too long for max_length is cut finer.
    pieces: List[Tuple[int, int]] = []
    pos = start
    for match in SPLIT_BOUNDARIES[level].finditer(text, start, end):
        if match.end() > pos and match.end() < end:
            pieces.append((pos, match.end()))
            pos = match.end()
    pieces.append((pos, end))
    ranges: List[Tuple[int, int]] = []
    for a, b in pieces:
        if b - a > max_length:
            ranges.extend(_split_range(text, a, b, max_length, level + 1))
        else:
            ranges.append((a, b))
    # Pack neighbouring pieces greedily into chunks of at most max_length.
    packed: List[Tuple[int, int]] = []
    for a, b in ranges:
        if packed and b - packed[-1][0] <= max_length:
            packed[-1] = (packed[-1][0], b)
        else:
            packed.append((a, b))
    return packed


def shift_record(record: Dict[str, Any], offset: int) -> Dict[str, Any]:
    """A record's offsets moved by ``offset`` characters (from a chunk to the full text):
    ``start``/``end`` and those of every span object in it (``cue``, ``speaker``, ``via``).

    record (Dict[str, Any]): a QUOTES_JSONL record of a chunk.
    offset (int): where the chunk starts in the full text.
    RETURNS (Dict[str, Any]): a new record.
    """
    shifted = dict(record)
    if offset:
        for key, value in record.items():
            if key in ("start", "end") and isinstance(value, int):
                shifted[key] = value + offset
            elif isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
                shifted[key] = {**value, "start": value["start"] + offset, "end": value["end"] + offset}
    return shifted


def merge_chunk_records(parts: Iterable[Tuple[int, List[Dict[str, Any]]]]) -> List[Dict[str, Any]]:
    """The records of a document from those of its chunks: offsets shifted to the full text,
    ``index`` renumbered from 0 across the chunks, in quote order.

    parts (Iterable[Tuple[int, List[Dict[str, Any]]]]): ``(chunk offset, chunk records)``,
        in chunk order.
    RETURNS (List[Dict[str, Any]]): the document's records.
    """
    records = [shift_record(rec, offset) for offset, recs in parts for rec in recs]
    records.sort(key=lambda r: (r["start"], r["end"]))
    for i, rec in enumerate(records):
        rec["index"] = i
    return records


# --- running the pipeline --------------------------------------------------------------




def check_max_length(nlp: Language, max_length: Optional[int]) -> int:
    """The chunk length a run uses, checked against what the pipeline accepts.

    nlp (Language): the pipeline.
    max_length (Optional[int]): the asked-for longest chunk, or None for ``nlp.max_length``.
    RETURNS (int): the longest chunk.
    RAISES (ValueError): when max_length is below 1 or above ``nlp.max_length`` (the
        pipeline would refuse every chunk with spaCy's E088).
    """
    if max_length is None:
        return int(nlp.max_length)
    if max_length < 1:
        raise ValueError(f"--max-length must be at least 1, got {max_length}")
    if max_length > nlp.max_length:
        raise ValueError(
            f"--max-length {max_length} is above the pipeline's max_length ({nlp.max_length}): "
            "the pipeline would refuse every longer chunk; give at most that"
        )
    return int(max_length)


# spaCy's tokenizer takes a word's leading and trailing punctuation off one character at a
# time, copying the rest each time: a run of 10,000 quotation marks or brackets takes 10 s,
# 100,000 about 17 minutes. No prose has a run of this many characters without a space.
LONG_RUN = 500
_LONG_RUN = re.compile(r"\S{%d,}" % LONG_RUN)


def _break_long_runs(text: str) -> str:
    """Every LONG_RUN-th character of a run of LONG_RUN or more without whitespace becomes a
    space (same length: the offsets stay; the records' texts are cut from the text as read)."""
    if len(text) < LONG_RUN or not _LONG_RUN.search(text):
        return text

    def spaced(m: "re.Match[str]") -> str:
        chars = list(m.group())
        chars[LONG_RUN - 1::LONG_RUN] = " " * len(chars[LONG_RUN - 1::LONG_RUN])
        return "".join(chars)

    return _LONG_RUN.sub(spaced, text)


def model_text(text: str) -> Tuple[str, List[int]]:
    """The text the pipeline sees: ``\\r\\n`` and a lone ``\\r`` become ``\\n``, so a CRLF
    file gets the same analysis as the same text with LF line ends; a run of LONG_RUN or more
    characters without whitespace gets a space every LONG_RUN characters, so that it costs
    the tokenizer linear time (a record's text is cut again from the text as read).

    text (str): a text (or a chunk of one) as read.
    RETURNS (Tuple[str, List[int]]): the text for the pipeline, and for each ``\\r\\n`` taken
        out, the position of its ``\\n`` in that text (sorted), for :func:`original_offset`.
    """
    if "\r" not in text:
        return _break_long_runs(text), []
    removed = [m.start() - k for k, m in enumerate(re.finditer("\r\n", text))]
    return _break_long_runs(text.replace("\r\n", "\n").replace("\r", "\n")), removed


def original_offset(offset: int, removed: List[int], end: bool = False) -> int:
    """Map an offset in :func:`model_text`'s text back to the text as read.

    offset (int): the offset in the pipeline's text.
    removed (List[int]): the positions :func:`model_text` returned.
    end (bool): the offset is a span end (exclusive): a span ending after a ``\\n`` that was
        ``\\r\\n`` ends after both characters.
    RETURNS (int): the offset in the text as read.
    """
    if not removed:
        return offset
    return offset + (bisect_left(removed, offset) if end else bisect_right(removed, offset))


def map_record(record: Dict[str, Any], removed: List[int], offset: int, text: str) -> Dict[str, Any]:
    """A chunk's record with offsets in the text as read: newline mapping, then chunk offset;
    each ``text`` is cut again from the text as read (so ``\\r\\n`` stays in it, and a long
    run :func:`model_text` spaced is as written)."""
    mapped = dict(record)
    for key, value in record.items():
        if isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
            a = original_offset(value["start"], removed) + offset
            b = original_offset(value["end"], removed, end=True) + offset
            mapped[key] = {**value, "start": a, "end": b, "text": text[a:b]} if "text" in value else {
                **value, "start": a, "end": b}
    if isinstance(record.get("start"), int) and isinstance(record.get("end"), int):
        a = original_offset(record["start"], removed) + offset
        b = original_offset(record["end"], removed, end=True) + offset
        mapped["start"], mapped["end"] = a, b
        if "text" in record:
            mapped["text"] = text[a:b]
    return mapped


__all__ = [
    "SPLIT_BOUNDARIES", "split_text", "check_max_length", "model_text", "original_offset", "shift_record",
    "merge_chunk_records", "map_record",
]
