"""History's records in date order, kept between listings (``clicksend_lists.history``).

Every history request used to list all the account's records, filter them and sort them
again: ~1 ms of the sandbox's ~1.5 ms per page at 4,000 records, for an answer that depends
only on the date window and the clock. The index sorts once and bisects the window.

It is exact because of how the simulated account changes (``SimClickSend``): records are only
ever appended (``store``, ``add_inbound``, the seed's ``extend``), the replies list is replaced
wholesale when a cancel drops pending replies, and a record's date and id never change. An
index is therefore current while both lists are the same objects with the same lengths; any
other change rebuilds it before it answers. Its bound: one tuple and one int per record the
account holds (the records themselves are shared, not copied); one index per account.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import itemgetter

from .records import InboundRecord, SmsRecord

Row = tuple[int, str, SmsRecord | InboundRecord]


@dataclass(frozen=True, slots=True)
class HistoryIndex:
    messages: list[SmsRecord]
    inbound: list[InboundRecord]
    n_messages: int
    n_inbound: int
    #: (date, message_id, record), every record (listed or not yet), sorted stably by
    #: (date, message_id) from outbound-then-inbound order: what the per-request sort gave
    rows: list[Row]
    #: rows' dates, for bisecting
    dates: list[int]

    def current(self, messages: list[SmsRecord], inbound: list[InboundRecord]) -> bool:
        return (
            self.messages is messages
            and self.inbound is inbound
            and self.n_messages == len(messages)
            and self.n_inbound == len(inbound)
        )

    def window(
        self, listed_before: float, now: float, date_from: int | None, date_to: int | None
    ) -> list[Row]:
        """In date order: outbound records dated <= ``listed_before`` (history may lag behind
        the clock), replies dated <= ``now``, all within [``date_from``, ``date_to``]."""
        lo = 0 if date_from is None else bisect_left(self.dates, date_from)
        # both kinds are listed up to ``first``; above it, each up to its own bound
        first, last = min(listed_before, now), max(listed_before, now)
        hi = bisect_right(self.dates, last if date_to is None else min(last, date_to), lo)
        cut = bisect_right(self.dates, first, lo, hi)
        late = [
            t
            for t in self.rows[cut:hi]
            if t[0] <= (now if isinstance(t[2], InboundRecord) else listed_before)
        ]
        return self.rows[lo:cut] + late


def history_index(
    previous: HistoryIndex | None, messages: list[SmsRecord], inbound: list[InboundRecord]
) -> HistoryIndex:
    """``previous`` if it is still current, else a fresh index of ``messages`` and ``inbound``."""
    if previous is not None and previous.current(messages, inbound):
        return previous
    rows: list[Row] = [(m.date, m.message_id, m) for m in messages]
    rows += [(r.timestamp, r.message_id, r) for r in inbound]
    rows.sort(key=itemgetter(0, 1))
    return HistoryIndex(messages, inbound, len(messages), len(inbound), rows, [t[0] for t in rows])
