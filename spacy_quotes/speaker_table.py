"""Who is quoted, how often and where: a speaker table over many documents.

The table is built from QUOTES_JSONL records (see ``QUOTES_JSONL.md``), so it works the same
on a fresh pipeline run and on records read back from a file::

    rows = collect_speakers(quote.to_dict() for doc in docs for quote in get_quotes(doc))
    print(format_speakers(rows, fmt="text"))

Speakers are grouped by ``speaker_name`` case-insensitively (``"The Kremlin"`` and
``"the Kremlin"`` are one row, shown with the spelling used most often); quotes without a
resolved name are counted under ``"(unknown)"``. The spellings of one name are joined
(:func:`_spelling_joins`): accent-folded ones (``Mevlüt Çavuşoğlu`` / ``Mevlut Cavusoglu``,
``Ana Ruíz`` / ``Ana Ruiz``) and, in names of two or more words, one letter changed, added,
removed or swapped in one word of at least ``NEAR_MIN_LETTERS`` letters (``Cavusoglu`` /
``Cavusgolu``) where the other spelling is quoted more often (a misspelling is the rarer
spelling) and the name is the only one it is one letter from; a word of fewer letters must match
(``Carla Moreno`` / ``Carlo Moreno`` stay two people, and so do ``Ana Ruiz`` / ``Ana Ortiz``).
A shorter form of a name is joined to its one longer form (:func:`_name_aliases`).
"""
import csv
import io
import json
import logging
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc

from .quote import QUOTE_TYPES, get_quotes
from .runner import RunSummary, iter_input_results  # noqa: F401  (re-exported: they lived here)
from .text import NAME_PARTICLES, name_fold, one_edit_apart, space_fold

logger = logging.getLogger("spacy_quotes")

UNKNOWN_SPEAKER = "(unknown)"
FORMATS = ("text", "csv", "json")
# the shortest word (folded) a one-letter difference is read as a misspelling in: ``Carla`` /
# ``Carlo`` are two names, ``Cavusoglu`` / ``Cavusgolu`` one
NEAR_MIN_LETTERS = 6


@dataclass
class SpeakerRow:
    """One speaker of the table.

    name (str): the speaker name (the most frequent spelling of the group), or ``"(unknown)"``.
    quotes (int): number of quotes attributed to the speaker.
    documents (int): number of distinct documents those quotes come from.
    doc_ids (List[str]): the ids of those documents, in the order first seen.
    direct (int): how many of the quotes are direct.
    mixed (int): how many are mixed.
    indirect (int): how many are indirect.
    """

    name: str
    quotes: int
    documents: int
    doc_ids: List[str] = field(default_factory=list)
    direct: int = 0
    mixed: int = 0
    indirect: int = 0

    def to_dict(self) -> Dict[str, Any]:
        """RETURNS (Dict[str, Any]): the row as a JSON-serialisable dict."""
        return asdict(self)


def _speaker_key(name: Optional[str]) -> str:
    """name (Optional[str]): a ``speaker_name`` value.
    RETURNS (str): the grouping key (case-folded, spaces collapsed); "" for no name.
    """
    if name is None:
        return ""
    return space_fold(str(name))


def _sort_key(row: SpeakerRow) -> tuple:
    return (-row.quotes, row.name.casefold(), row.name)


def collect_speakers(records: Iterable[Dict[str, Any]]) -> List[SpeakerRow]:
    """Count quotes and documents per speaker over QUOTES_JSONL records.

    records (Iterable[Dict[str, Any]]): quote records (``doc_id``, ``type``, ``speaker_name``,
        ...) from any number of documents.
    RETURNS (List[SpeakerRow]): one row per speaker, sorted by number of quotes (descending),
        then name.
    """
    spellings: Dict[str, Counter] = {}
    first_seen: Dict[str, Dict[str, int]] = {}
    counts: Dict[str, Counter] = {}
    doc_ids: Dict[str, Dict[str, None]] = {}
    for n, record in enumerate(records):
        name = record.get("speaker_name")
        if name is not None and not str(name).strip():
            name = None
        key = _speaker_key(name)
        display = UNKNOWN_SPEAKER if name is None else " ".join(str(name).split())
        spellings.setdefault(key, Counter())[display] += 1
        first_seen.setdefault(key, {}).setdefault(display, n)
        qtype = record.get("type")
        counter = counts.setdefault(key, Counter())
        counter["quotes"] += 1
        if qtype in QUOTE_TYPES:
            counter[qtype] += 1
        doc_id = record.get("doc_id")
        doc_ids.setdefault(key, {}).setdefault(str(doc_id) if doc_id is not None else "", n)
    return table_rows(spellings, first_seen, counts, doc_ids)


def table_rows(spellings: Dict[str, Counter], first_seen: Dict[str, Dict[str, Any]],
               counts: Dict[str, Counter], doc_ids: Dict[str, Dict[str, Any]]) -> List[SpeakerRow]:
    """The speaker table from the counts of each grouping key: the spellings of one name
    joined (:func:`_spelling_joins`), then its shorter forms (:func:`_name_aliases`), one row
    per name. Shared by :func:`collect_speakers` and the Dask engine's reduction
    (``distributed/speakers.py``), so that both give the same table. The dicts are changed.

    spellings (Dict[str, Counter]): key -> spelling -> uses.
    first_seen (Dict[str, Dict[str, Any]]): key -> spelling -> where it was first seen (any
        comparable position: a record number, a (partition, record) pair).
    counts (Dict[str, Counter]): key -> ``quotes`` and quotes by type.
    doc_ids (Dict[str, Dict[str, Any]]): key -> document id -> where it was first seen, in
        that order.
    RETURNS (List[SpeakerRow]): the rows, sorted by number of quotes (descending), then name.
    """
    rejoined = set()
    for key, target in _spelling_joins(spellings, counts, first_seen).items():
        for display, c in spellings.pop(key).items():
            spellings[target][display] += c
        for display, n in first_seen.pop(key).items():
            first_seen[target][display] = min(n, first_seen[target].get(display, n))
        counts[target].update(counts.pop(key))
        joined = doc_ids[target]
        for doc_id, n in doc_ids.pop(key).items():
            joined[doc_id] = min(n, joined.get(doc_id, n))
        rejoined.add(target)
    for target in rejoined:  # back in the order first seen, once per key (not once per join)
        doc_ids[target] = dict(sorted(doc_ids[target].items(), key=lambda item: item[1]))
    alias = _name_aliases(spellings)
    shorter = _shorter_forms(alias)
    rows = []
    for key, spelled in spellings.items():
        if key in alias:
            continue
        # the most used spelling; on a tie the one seen first
        display = min(spelled, key=lambda s: (-spelled[s], first_seen[key][s]))
        members = [key] + shorter.get(key, [])
        ids = list(dict.fromkeys(i for k in members for i in doc_ids[k]))
        counter: Counter = Counter()
        for k in members:
            counter.update(counts[k])
        rows.append(SpeakerRow(
            name=display,
            quotes=counter["quotes"],
            documents=len(ids),
            doc_ids=ids,
            direct=counter["direct"],
            mixed=counter["mixed"],
            indirect=counter["indirect"],
        ))
    rows.sort(key=_sort_key)
    return rows


def _is_name(spelled: Counter) -> bool:
    """Whether a group's spelling is a name of two or more capitalised words (``Ana Ruiz``,
    ``Erik ten Hag``), not a description (``a source``) or one word (``Bush``)."""
    words = next(iter(spelled)).split()
    return (len(words) >= 2 and words[0][:1].isupper() and words[-1][:1].isupper()
            and all(w[:1].isupper() or w in NAME_PARTICLES for w in words))


def _spelling_joins(spellings: Dict[str, Counter], counts: Dict[str, Counter],
                    first_seen: Dict[str, Dict[str, int]]) -> Dict[str, str]:
    """The grouping keys that are another spelling of one name, each mapped to the key it
    joins (see the module docstring): the same :func:`~spacy_quotes.text.name_fold`, or one
    letter apart in one long word of a name. Accent-folded spellings join the most quoted one
    (on a tie the one seen first); a spelling one letter apart joins a more quoted name (not
    an equally quoted one), and none where it is one letter from two names.

    spellings (Dict[str, Counter]): the spellings of each grouping key.
    counts (Dict[str, Counter]): the quote counts of each key.
    first_seen (Dict[str, Dict[str, int]]): the record index each spelling was first seen at.
    RETURNS (Dict[str, str]): key -> the key it joins (never itself joined).
    """
    def rank(key: str) -> tuple:
        return (-counts[key]["quotes"], min(first_seen[key].values()))

    by_fold: Dict[str, List[str]] = {}
    for key in spellings:
        if key:
            by_fold.setdefault(name_fold(key), []).append(key)
    heads = {folded: min(keys, key=rank) for folded, keys in by_fold.items()}  # the key a fold's others join
    # one letter apart: candidates share the other words and a one-deletion form of the word
    blocks: Dict[tuple, List[str]] = {}
    for folded, head in heads.items():
        if not _is_name(spellings[head]):
            continue
        words = folded.split()
        for i, word in enumerate(words):
            if len(word) < NEAR_MIN_LETTERS:
                continue
            rest = tuple(words[:i] + [""] + words[i + 1:])
            for form in {word} | {word[:j] + word[j + 1:] for j in range(len(word))}:
                blocks.setdefault((i, rest, form), []).append(folded)
    neighbours: Dict[str, set] = {}
    words_of = {folded: folded.split() for folded in heads}
    for (i, _, _), members in blocks.items():
        if len(members) < 2:
            continue
        for a in members:
            wa = words_of[a][i]
            for b in members:
                if a < b and one_edit_apart(wa, words_of[b][i]):
                    neighbours.setdefault(a, set()).add(b)
                    neighbours.setdefault(b, set()).add(a)
    # from the most quoted down, a spelling joins the name of its more quoted neighbours where
    # they are all one name (a misspelling is the rarer spelling: two equally quoted spellings
    # stay apart); neighbours of two names leave it alone
    quotes = {folded: sum(counts[k]["quotes"] for k in keys) for folded, keys in by_fold.items()}
    cluster: Dict[str, str] = {}
    for folded in sorted(heads, key=lambda f: (-quotes[f], rank(heads[f]))):
        above = {cluster[o] for o in neighbours.get(folded, ()) if quotes[o] > quotes[folded]}
        cluster[folded] = above.pop() if len(above) == 1 else folded
    join: Dict[str, str] = {}
    for folded, keys in by_fold.items():
        target = heads[cluster[folded]]
        join.update({k: target for k in keys if k != target})
    return join


def _name_aliases(spellings: Dict[str, Counter]) -> Dict[str, str]:
    """Shorter forms of a person's or organisation's name across documents, each mapped to
    its one longer form: ``tayyip erdogan`` -> ``recep tayyip erdogan`` when the table has
    that name and no other that ends in the same words. Only names of two or more
    capitalised words are merged (not ``Bush``, not a description such as ``a source``), and
    never where two longer names compete (``George W. Bush`` / ``George H. W. Bush``)."""
    names = [k for k in spellings if k and _is_name(spellings[k])]
    # the names ending in each of their shorter forms: "k ends in ' ' + short" exactly when
    # short is what follows one of k's spaces, so one pass over the names finds them all
    # (comparing every name with every other is quadratic: 5,000 names took 6 s)
    is_name = set(names)
    longer_of: Dict[str, List[str]] = {}
    for k in names:
        p = k.find(" ")
        while p >= 0:
            tail = k[p + 1:]
            if tail in is_name:
                longer_of.setdefault(tail, []).append(k)
            p = k.find(" ", p + 1)
    alias: Dict[str, str] = {}
    for short in names:
        longer = longer_of.get(short)
        if not longer:
            continue
        # the longest is never itself a shorter form: a name ending in it would end in
        # ``short`` too, and be longer
        longest = max(longer, key=len)
        if all(longest == k or longest.endswith(" " + k) for k in longer):
            alias[short] = longest
    return alias


def _shorter_forms(alias: Dict[str, str]) -> Dict[str, List[str]]:
    """The shorter forms joined to each name: :func:`_name_aliases` inverted."""
    shorter: Dict[str, List[str]] = {}
    for k, target in alias.items():
        shorter.setdefault(target, []).append(k)
    return shorter


def doc_records(docs: Iterable[Doc]) -> Iterable[Dict[str, Any]]:
    """The QUOTES_JSONL records of Docs (their quote span groups), in document order.

    docs (Iterable[Doc]): docs processed by the ``quotes`` component (or gold docs).
    RETURNS (Iterable[Dict[str, Any]]): one record per quote; a doc without
        ``user_data["doc_id"]`` gets its position in docs as id.
    """
    for i, doc in enumerate(docs):
        doc_id = doc.user_data.get("doc_id")
        doc_id = str(doc_id) if doc_id is not None else str(i)
        for quote in get_quotes(doc):
            yield quote.to_dict(doc_id=doc_id)


def speakers_from_docs(docs: Iterable[Doc]) -> List[SpeakerRow]:
    """The speaker table of Docs: :func:`collect_speakers` over their quote records.

    docs (Iterable[Doc]): docs processed by the ``quotes`` component (or gold docs).
    RETURNS (List[SpeakerRow]): the rows, sorted as by :func:`collect_speakers`.
    """
    return collect_speakers(doc_records(docs))


def _width(text: str) -> int:
    """RETURNS (int): the number of terminal columns text takes (combining marks 0, wide 2)."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


# Characters that a terminal acts on instead of showing (C0/C1 controls such as ESC, which
# start colour and cursor sequences; bidirectional overrides, which reorder what follows).
_UNPRINTABLE_CF = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """Text safe to show on a terminal: control characters (``ESC``, ``BEL``, ``\\r``...)
    and bidirectional overrides are left out, line and paragraph separators become spaces.

    text (str): a name or id from an article.
    RETURNS (str): the text to print.
    """
    if text.isprintable():
        return text
    return "".join(
        " " if unicodedata.category(c) in ("Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) != "Cc" and c not in _UNPRINTABLE_CF
    )


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


_COLUMNS = ("speaker", "quotes", "direct", "mixed", "indirect", "documents", "doc_ids")


def _text_table(rows: List[SpeakerRow]) -> str:
    header = ["SPEAKER", "QUOTES", "DIRECT", "MIXED", "INDIRECT", "DOCS", "DOC IDS"]
    # A terminal would act on control sequences in a name from an article: leave them out.
    body = [
        [printable(row.name), str(row.quotes), str(row.direct), str(row.mixed), str(row.indirect),
         str(row.documents), printable(", ".join(row.doc_ids))]
        for row in rows
    ]
    widths = [max(_width(cells[i]) for cells in [header] + body) for i in range(len(header))]
    lines = []
    for cells in [header] + body:
        parts = [_pad(cells[0], widths[0])]
        parts += [_pad(cell, widths[i], right=True) for i, cell in enumerate(cells[1:-1], 1)]
        parts.append(cells[-1])  # the last column is not padded
        lines.append("  ".join(parts).rstrip())
    total_quotes = sum(row.quotes for row in rows)
    all_docs = {doc_id for row in rows for doc_id in row.doc_ids}
    lines.append(f"{len(rows)} speakers, {total_quotes} quotes, {len(all_docs)} documents")
    return "\n".join(lines) + "\n"


def _csv_table(rows: List[SpeakerRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for row in rows:
        writer.writerow([row.name, row.quotes, row.direct, row.mixed, row.indirect, row.documents,
                         ";".join(row.doc_ids)])
    return out.getvalue()


def format_speakers(rows: Iterable[SpeakerRow], fmt: str = "text") -> str:
    """Write a speaker table as text.

    rows (Iterable[SpeakerRow]): rows from :func:`collect_speakers`; they are (re)sorted by
        number of quotes (descending), then name.
    fmt (str): ``"text"`` (an aligned table for a terminal, with a totals line), ``"csv"``
        (header ``speaker,quotes,direct,mixed,indirect,documents,doc_ids``; doc ids joined
        with ``;``) or ``"json"`` (a list of objects with the fields of :class:`SpeakerRow`).
    RETURNS (str): the table, ending with a newline.
    RAISES (ValueError): for an unknown fmt.
    """
    rows = sorted(rows, key=_sort_key)
    if fmt == "text":
        return _text_table(rows)
    if fmt == "csv":
        return _csv_table(rows)
    if fmt == "json":
        return json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


# --- the ``spacy-quotes speakers`` command -----------------------------------------------


def speakers_command(
    inputs: Sequence[Union[str, Path]],
    nlp: Language,
    *,
    fmt: str = "text",
    **options: Any,
) -> Tuple[str, RunSummary]:
    """``spacy-quotes speakers``: the speaker table of all quotes found in the inputs.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files, directories, JSONL files, ``-``.
    nlp (Language): the pipeline (base + ``quotes``).
    fmt (str): ``"text"``, ``"csv"`` or ``"json"`` (see :func:`format_speakers`).
    options: the keyword arguments of :func:`iter_input_results` (``stdin``, ``batch_size``,
        ``n_process``, ``max_length``, ``skip_errors``, ``records_from_doc``, ``on_error``,
        ``on_done``).
    RETURNS (Tuple[str, RunSummary]): the formatted table and what was done.
    RAISES (ValueError): for an unknown fmt (before anything is read).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    summary = RunSummary()
    results = iter_input_results(inputs, nlp, summary=summary, **options)
    rows = collect_speakers(record for result in results for record in result.records)
    return format_speakers(rows, fmt=fmt), summary
