"""The speaker table of a whole corpus as a reduction: counts per partition, merged in a tree.

:class:`SpeakerCounts` holds what :func:`spacy_quotes.speaker_table.collect_speakers` counts
(spellings, quotes by type, document ids) with the position where each was first seen, so
that partial counts merge in any order and :meth:`SpeakerCounts.rows` gives the same table
as ``collect_speakers`` over all the records in input order (the same grouping key, the same
spelling choice, the same joining of a shorter name to its longer form).
"""
from collections import Counter
from typing import Any, Dict, Iterable, List, Tuple

from ..quote import QUOTE_TYPES
from ..speaker_table import UNKNOWN_SPEAKER, SpeakerRow, _speaker_key, table_rows

Position = Tuple[int, int]  # (partition index, record number in the partition)


def _earlier(a: Position, b: Position) -> Position:
    return a if a <= b else b


class SpeakerCounts:
    """Mergeable speaker counts.

    spellings (Dict[str, Dict[str, list]]): grouping key -> spelling -> [uses, first position].
    counts (Dict[str, Counter]): grouping key -> quotes and quotes by type.
    doc_ids (Dict[str, Dict[str, Position]]): grouping key -> doc id -> first position.
    """

    def __init__(self) -> None:
        self.spellings: Dict[str, Dict[str, list]] = {}
        self.counts: Dict[str, Counter] = {}
        self.doc_ids: Dict[str, Dict[str, Position]] = {}

    def add(self, records: Iterable[Dict[str, Any]], partition_index: int, first: int = 0) -> int:
        """Count records of one partition.

        records (Iterable[Dict[str, Any]]): QUOTES_JSONL records, in order.
        partition_index (int): the partition's position in the run.
        first (int): the number of the first record within the partition.
        RETURNS (int): the number of the next record.
        """
        n = first
        for n, record in enumerate(records, first):
            name = record.get("speaker_name")
            if name is not None and not str(name).strip():
                name = None
            key = _speaker_key(name)
            display = UNKNOWN_SPEAKER if name is None else " ".join(str(name).split())
            pos = (partition_index, n)
            entry = self.spellings.setdefault(key, {}).setdefault(display, [0, pos])
            entry[0] += 1
            counter = self.counts.setdefault(key, Counter())
            counter["quotes"] += 1
            if record.get("type") in QUOTE_TYPES:
                counter[record["type"]] += 1
            doc_id = record.get("doc_id")
            self.doc_ids.setdefault(key, {}).setdefault(str(doc_id) if doc_id is not None else "", pos)
            n += 1
        return n

    def merge(self, other: "SpeakerCounts") -> "SpeakerCounts":
        """Add another partial count to this one (in place).

        other (SpeakerCounts): counts of other partitions.
        RETURNS (SpeakerCounts): self.
        """
        for key, spelled in other.spellings.items():
            mine = self.spellings.setdefault(key, {})
            for display, (uses, pos) in spelled.items():
                if display in mine:
                    mine[display] = [mine[display][0] + uses, _earlier(mine[display][1], pos)]
                else:
                    mine[display] = [uses, pos]
        for key, counter in other.counts.items():
            self.counts.setdefault(key, Counter()).update(counter)
        for key, ids in other.doc_ids.items():
            mine_ids = self.doc_ids.setdefault(key, {})
            for doc_id, pos in ids.items():
                mine_ids[doc_id] = _earlier(mine_ids[doc_id], pos) if doc_id in mine_ids else pos
        return self

    def rows(self) -> List[SpeakerRow]:
        """RETURNS (List[SpeakerRow]): the speaker table, as ``collect_speakers`` makes it
        (the same :func:`~spacy_quotes.speaker_table.table_rows`, on copies of the counts)."""
        def first(key: str) -> Position:
            return min(pos for _, pos in self.spellings[key].values())

        keys = sorted(self.spellings, key=first)  # the order collect_speakers meets them in
        spellings: Dict[str, Counter] = {}
        first_seen: Dict[str, Dict[str, Position]] = {}
        for key in keys:
            ordered = sorted(self.spellings[key].items(), key=lambda item: item[1][1])
            spellings[key] = Counter({display: uses for display, (uses, _) in ordered})
            first_seen[key] = {display: pos for display, (_, pos) in ordered}
        counts = {key: Counter(self.counts[key]) for key in keys}
        doc_ids = {key: dict(sorted(self.doc_ids[key].items(), key=lambda item: item[1])) for key in keys}
        return table_rows(spellings, first_seen, counts, doc_ids)

    def to_dict(self) -> Dict[str, Any]:
        """RETURNS (Dict[str, Any]): the counts as JSON-serialisable data."""
        return {
            "spellings": self.spellings,
            "counts": {key: dict(counter) for key, counter in self.counts.items()},
            "doc_ids": self.doc_ids,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "SpeakerCounts":
        """data (Dict[str, Any]): what :meth:`to_dict` gave (positions may be lists).
        RETURNS (SpeakerCounts): the counts.
        """
        counts = cls()
        counts.spellings = {
            key: {display: [uses, tuple(pos)] for display, (uses, pos) in spelled.items()}
            for key, spelled in data.get("spellings", {}).items()
        }
        counts.counts = {key: Counter(c) for key, c in data.get("counts", {}).items()}
        counts.doc_ids = {
            key: {doc_id: tuple(pos) for doc_id, pos in ids.items()}  # type: ignore[misc]
            for key, ids in data.get("doc_ids", {}).items()
        }
        return counts


def merge_counts(*parts: SpeakerCounts) -> SpeakerCounts:
    """One step of the reduction: several partial counts merged into a new one.

    parts (SpeakerCounts): partial counts.
    RETURNS (SpeakerCounts): their sum.
    """
    total = SpeakerCounts()
    for part in parts:
        total.merge(part)
    return total


__all__ = ["SpeakerCounts", "merge_counts"]
