"""Annotation JSONL: quotes as character offsets, one document per line (see corpus/README.md).

The format holds the seed evaluation corpus (``corpus/seeds.jsonl``) and, written by
:func:`docs_to_annotations`, a pipeline's predictions, so gold and predicted quotes can be
compared file to file::

    {"id": "001_6e71cad11a8e8717", "source": "shared/seeds/001_6e71cad11a8e8717.txt",
     "text": "...", "quotes": [{"type": "direct", "content": [2212, 2397], "cue": [2401, 2406],
     "speaker": [2398, 2400], "speaker_name": "Recep Tayyip Erdogan", "via": null}]}

Offsets are Python ``str`` indices into ``text`` (end exclusive), the text exactly as read.

A record may also list ``not_quotes``: spans a reader would not call an attribution, each
``{"content": [start, end], "kind": KIND}`` with KIND one of :data:`NOT_QUOTE_KINDS`
(``corpus/notquotes.jsonl``). They go into the gold Doc's ``quotes_not_quote`` span group
(label: the kind), where the scorer counts the predicted quotes that fall on them.
"""
import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc, Span

from .layout import NOT_QUOTE_KEY
from .quote import QUOTE_TYPES, QUOTES_KEY, get_quotes, set_quote_groups

logger = logging.getLogger("spacy_quotes")

SPAN_ROLES: Tuple[str, ...] = ("content", "cue", "speaker", "via")
# Classes of not-quotes (issue 14): the journalist's scare quotes and quoted terms, nicknames and
# epithets, titles of works, actions with a plain object (``adopted the plan``) and cues with no
# content (``declined to comment``).
NOT_QUOTE_KINDS: Tuple[str, ...] = ("scare", "nickname", "title", "plain_object", "no_content")


def _check_offsets(value: Any, n_chars: int, what: str, required: bool) -> None:
    if value is None:
        if required:
            raise ValueError(f"{what} is missing")
        return
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"{what} must be [start, end] (two integers), got {value!r}")
    start, end = value
    if not 0 <= start < end <= n_chars:
        raise ValueError(f"{what} offsets {list(value)} are not a non-empty span of the text (0..{n_chars})")


def validate_annotation(record: Any) -> Dict[str, Any]:
    """Check one annotation record (one line of an annotation JSONL file).

    record (Any): the parsed JSON value.
    RETURNS (Dict[str, Any]): the record, unchanged.
    RAISES (ValueError): what is wrong, naming the field (and the quote's index).
    """
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    doc_id = record.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError(f"'id' must be a non-empty string, got {doc_id!r}")
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError(f"'text' must be a string, got {type(text).__name__}")
    quotes = record.get("quotes", [])
    if not isinstance(quotes, list):
        raise ValueError(f"'quotes' must be a list, got {type(quotes).__name__}")
    for i, quote in enumerate(quotes):
        where = f"quote {i}"
        if not isinstance(quote, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(quote).__name__}")
        for role in SPAN_ROLES:
            _check_offsets(quote.get(role), len(text), f"{where}: '{role}'", required=role == "content")
        qtype = quote.get("type")
        if qtype is not None and qtype not in QUOTE_TYPES:
            raise ValueError(f"{where}: 'type' must be one of {', '.join(QUOTE_TYPES)} (or null), got {qtype!r}")
        name = quote.get("speaker_name")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"{where}: 'speaker_name' must be a string or null, got {name!r}")
        score = quote.get("score", 1.0)
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 <= score <= 1.0:
            raise ValueError(f"{where}: 'score' must be a number in [0, 1], got {score!r}")
    not_quotes = record.get("not_quotes", [])
    if not isinstance(not_quotes, list):
        raise ValueError(f"'not_quotes' must be a list, got {type(not_quotes).__name__}")
    for i, item in enumerate(not_quotes):
        where = f"not_quote {i}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(item).__name__}")
        _check_offsets(item.get("content"), len(text), f"{where}: 'content'", required=True)
        kind = item.get("kind")
        if kind not in NOT_QUOTE_KINDS:
            raise ValueError(f"{where}: 'kind' must be one of {', '.join(NOT_QUOTE_KINDS)}, got {kind!r}")
    return record


def read_annotation_jsonl(path: Union[str, Path]) -> Iterator[Dict[str, Any]]:
    """Read and validate an annotation JSONL file, one record per non-blank line.

    path (Union[str, Path]): the file (UTF-8).
    RETURNS (Iterator[Dict[str, Any]]): the records in file order.
    RAISES (ValueError): for bad JSON, a bad record or offsets outside the text, and for a
        repeated ``id``; the message starts with ``<path>:<line>:``.
    """
    path = Path(path)
    seen: Dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{lineno}: invalid JSON: {err.msg} (column {err.colno})") from None
            try:
                validate_annotation(record)
            except ValueError as err:
                raise ValueError(f"{path}:{lineno}: {err}") from None
            if record["id"] in seen:
                raise ValueError(f"{path}:{lineno}: id {record['id']!r} repeats the id of line {seen[record['id']]}")
            seen[record["id"]] = lineno
            yield record


def _quote_components(nlp: Language) -> List[str]:
    """RETURNS (List[str]): the pipes of nlp made by the ``quotes`` factory (not run on gold)."""
    return [name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory == "quotes"]


def annotations_to_docs(
    records: Iterable[Dict[str, Any]], nlp: Language, *, batch_size: int = 16
) -> Iterator[Doc]:
    """Make gold Docs from annotation records.

    Each text is processed with nlp (its ``quotes`` components, if any, are skipped), so the gold
    docs carry the same tokenisation, tags, parse and entities the component sees at run time.
    Offsets that do not fall on token boundaries are expanded to the tokens they touch.

    records (Iterable[Dict[str, Any]]): records as read by :func:`read_annotation_jsonl`.
    nlp (Language): the base pipeline, e.g. en_core_web_sm.
    batch_size (int): texts per batch for ``nlp.pipe``.
    RETURNS (Iterator[Doc]): one Doc per record, with ``user_data["doc_id"]`` (and
        ``user_data["source"]`` where the record has one) and the quote span groups.
    """
    disable = _quote_components(nlp)
    pairs = ((record["text"], record) for record in records)
    for doc, record in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, disable=disable):
        doc.user_data["doc_id"] = record["id"]
        if record.get("source") is not None:
            doc.user_data["source"] = record["source"]
        items = []
        for quote in record.get("quotes", []):
            name = quote.get("speaker_name")
            items.append({
                "content": quote["content"],
                "cue": quote.get("cue"),
                "speaker": quote.get("speaker"),
                "via": quote.get("via"),
                "type": quote.get("type"),
                "score": float(quote.get("score", 1.0)),
                "speaker_name": name,
                "speaker_id": name,
            })
        set_quote_groups(doc, items)
        not_quotes = record.get("not_quotes", [])
        if not_quotes:
            spans = []
            for item in not_quotes:
                span = doc.char_span(*item["content"], label=item["kind"], alignment_mode="expand")
                if span is not None and len(span):
                    spans.append(span)
            doc.spans[NOT_QUOTE_KEY] = spans
        kept = len(doc.spans[QUOTES_KEY])
        if kept != len(items):
            logger.warning("%s: %d of %d quotes did not align with tokens and were left out",
                           record["id"], len(items) - kept, len(items))
        yield doc


def _offsets(span: Optional[Span]) -> Optional[List[int]]:
    return None if span is None else [span.start_char, span.end_char]


def docs_to_annotations(docs: Iterable[Doc], *, include_scores: bool = False) -> Iterator[Dict[str, Any]]:
    """Annotation records from Docs' quote span groups (the inverse of :func:`annotations_to_docs`).

    docs (Iterable[Doc]): gold docs or docs processed by the ``quotes`` component.
    include_scores (bool): add each quote's ``score`` (for predictions).
    RETURNS (Iterator[Dict[str, Any]]): one record per doc; ``id`` is ``user_data["doc_id"]``
        (else the doc's position in docs), offsets are those of the spans.
    """
    for i, doc in enumerate(docs):
        doc_id = doc.user_data.get("doc_id")
        record: Dict[str, Any] = {"id": str(doc_id) if doc_id is not None else str(i)}
        if doc.user_data.get("source") is not None:
            record["source"] = doc.user_data["source"]
        record["text"] = doc.text
        quotes = []
        for quote in get_quotes(doc):
            item: Dict[str, Any] = {
                "type": quote.type,
                "content": _offsets(quote.content),
                "cue": _offsets(quote.cue),
                "speaker": _offsets(quote.speaker),
                "speaker_name": quote.speaker_name,
                "via": _offsets(quote.via),
            }
            if include_scores:
                item["score"] = round(float(quote.score), 4)
            quotes.append(item)
        record["quotes"] = quotes
        if NOT_QUOTE_KEY in doc.spans and len(doc.spans[NOT_QUOTE_KEY]):
            record["not_quotes"] = [{"content": _offsets(span), "kind": span.label_}
                                    for span in doc.spans[NOT_QUOTE_KEY]]
        yield record


def write_annotation_jsonl(records: Iterable[Dict[str, Any]], path: Union[str, Path]) -> int:
    """Write annotation records, one JSON object per line (UTF-8, non-ASCII kept as is).

    records (Iterable[Dict[str, Any]]): the records, e.g. from :func:`docs_to_annotations`.
    path (Union[str, Path]): the output file (its folder must exist).
    RETURNS (int): the number of records written.
    """
    n = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n
