"""Salience events: where each referent was mentioned as a subject, as a quote's speaker or
otherwise, sorted by token offset, for the searches back (pronouns, titles, ``the company``)
and forward (a title in a news lead) from a position."""
import bisect
from typing import Iterator, List, Optional, Tuple

# event flags
MENTIONED = 0  # named outside a quote, not as a subject
SUBJECT = 1  # the subject of a clause
SPEAKER = 2  # the speaker of a quote

Event = Tuple[int, int, int]  # (index in the event list, referent, flags)


class Salience:
    """The events of one Doc. During the pre-pass events are collected unsorted and sorted
    once by :meth:`flush`; after it each event is inserted in place."""

    def __init__(self) -> None:
        self.positions: List[int] = []
        self.events: List[Tuple[int, int]] = []  # (referent, flags), aligned with positions
        self._deferred: Optional[List[Tuple[int, int, int]]] = []

    def add(self, pos: int, rid: int, flags: int) -> None:
        """Record that referent rid was mentioned at token offset pos (flags: SUBJECT, SPEAKER)."""
        if self._deferred is not None:
            self._deferred.append((pos, rid, flags))
            return
        if not self.positions or pos >= self.positions[-1]:
            self.positions.append(pos)
            self.events.append((rid, flags))
            return
        i = bisect.bisect_right(self.positions, pos)
        self.positions.insert(i, pos)
        self.events.insert(i, (rid, flags))

    def flush(self) -> None:
        """Sort the events collected during the pre-pass into the index."""
        if self._deferred is None:
            return
        events = sorted(self._deferred, key=lambda e: e[0])
        self._deferred = None
        self.positions = [e[0] for e in events]
        self.events = [(e[1], e[2]) for e in events]

    def last_index_before(self, pos: int) -> int:
        """RETURNS (int): the index of the last event before pos (-1 for none)."""
        return bisect.bisect_left(self.positions, pos) - 1

    def back(self, i: int, lo: int) -> Iterator[Event]:
        """The events from index i back to the first one at token offset lo or later, newest
        first. YIELDS (Event): (index, referent, flags)."""
        while i >= 0 and self.positions[i] >= lo:
            rid, flags = self.events[i]
            yield i, rid, flags
            i -= 1

    def between(self, lo: int, hi: int) -> Iterator[Tuple[int, int]]:
        """The events at token offsets [lo, hi), oldest first. YIELDS (Tuple[int, int]):
        (referent, flags)."""
        i = bisect.bisect_left(self.positions, lo)
        while i < len(self.positions) and self.positions[i] < hi:
            yield self.events[i]
            i += 1

    def __iter__(self) -> Iterator[Tuple[int, int, int]]:
        """YIELDS (Tuple[int, int, int]): every event as (token offset, referent, flags)."""
        for pos, (rid, flags) in zip(self.positions, self.events):
            yield pos, rid, flags
