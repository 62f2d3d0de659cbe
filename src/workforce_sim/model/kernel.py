"""The event loop: SimPy's environment, with a lean path for the two events every case has.

A replication schedules about two events per case (its referral and its
closure) and only a few thousand for everything else. DESIGN §8 puts the cost
of a SimPy model in the events it schedules per case, so those two skip the
general machinery:

* **referrals** are drawn up front (``demand.py``) and kept in one sorted list
  beside the event heap, not in it. A referral due at the same instant as a
  scheduled event comes after it (a month end dated the 1st closes first).
* **closures** have a heap of their own holding bare days (floats compare
  several times faster than SimPy's ``(day, priority, eid, event)`` tuples,
  and the heap is popped once per case), with a dict from day to
  ``(eid, case)`` (a list of them, in ``eid`` order, when several cases close
  at the same instant). They are processed exactly where a SimPy ``Timeout``
  made at the same moment would be, ``eid`` deciding ties with SimPy's events.
  The case remembers the ``eid`` of its pending closure; an entry whose
  ``eid`` no longer matches (the case was handed over) is dropped when it
  comes up.

Every other event (workforce processes, month ends, levers) is an ordinary
SimPy event processed as :meth:`simpy.Environment.step` would. The loop reads
SimPy's heap and clock directly (``_queue``, ``_now``, ``_eid``), so the
dependency is pinned to SimPy 4.
"""

from __future__ import annotations

from heapq import heappop, heappush
from math import inf

import simpy
from simpy.events import NORMAL, URGENT, Timeout


class Urgent(Timeout):
    """A timeout processed before every ordinary event due at the same time."""

    def __init__(self, env, delay: float, value=None):
        self.env = env
        self.callbacks = []
        self._value = value
        self._delay = delay
        self._ok = True
        env.schedule(self, URGENT, delay)


class Kernel(simpy.Environment):
    """A SimPy environment that also carries referrals and case closures.

    ``on_close(case)`` is called for a closure that is still current,
    ``on_referral(kind)`` for each referral.
    """

    def __init__(self, on_close, on_referral):
        super().__init__()
        self._on_close = on_close
        self._on_referral = on_referral
        self._closing: list[float] = []           # heap of closure days
        self._due: dict[float, tuple | list] = {}  # day -> (eid, case), or a list of them
        self._arrival_days: list[float] = []
        self._arrival_kinds: list = []
        self._next_arrival = 0

    def set_arrivals(self, days: list[float], kinds: list) -> None:
        """The run's referrals: ``days`` sorted ascending, ``kinds[i]`` the case type of the i-th."""
        self._arrival_days, self._arrival_kinds, self._next_arrival = days, kinds, 0

    def schedule_closure(self, case, delay: float) -> int:
        """Put ``case``'s closure ``delay`` days from now; returns its eid."""
        eid = next(self._eid)
        day = self._now + delay
        due = self._due
        entry = due.get(day)
        if entry is None:
            due[day] = (eid, case)
        elif entry.__class__ is list:
            entry.append((eid, case))
        else:
            due[day] = [entry, (eid, case)]
        heappush(self._closing, day)
        return eid

    def _closure_first(self, day: float) -> bool:
        """A closure and a SimPy event are both due on ``day``: does the closure,
        ``(day, NORMAL, eid)``, come first?"""
        entry = self._due[day]
        eid = entry[0][0] if entry.__class__ is list else entry[0]
        return (NORMAL, eid) < self._queue[0][1:3]

    def _first_of(self, day: float, entries: list):
        """Several closures fall on ``day``: take the first, keep the rest."""
        first = entries.pop(0)
        if entries:
            self._due[day] = entries
        return first

    def run(self, until: float) -> None:
        """Process everything due before ``until``; the clock then reads ``until``."""
        if until < self._now:
            raise ValueError(f"until (= {until}) must not be before the current time ({self._now})")
        queue, closing, due = self._queue, self._closing, self._due
        days, kinds = self._arrival_days, self._arrival_kinds
        i, n = self._next_arrival, len(days)
        on_close, on_referral = self._on_close, self._on_referral
        arrival = days[i] if i < n else inf
        try:
            while True:
                c = closing[0] if closing else inf
                e = queue[0][0] if queue else inf
                closure = c < e or (c == e and c != inf and self._closure_first(c))
                t = c if closure else e
                if arrival < t:            # a referral tied with anything comes after it
                    if arrival >= until:
                        break
                    self._now = arrival
                    i += 1
                    on_referral(kinds[i - 1])
                    arrival = days[i] if i < n else inf
                    continue
                if t >= until:
                    break
                if closure:
                    self._now = heappop(closing)
                    entry = due.pop(c)
                    if entry.__class__ is list:
                        entry = self._first_of(c, entry)
                    eid, case = entry
                    if case.closes == eid:
                        on_close(case)
                    continue
                self._now, _, eid, event = heappop(queue)
                # simpy.Environment.step, inlined
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                if not event._ok and not hasattr(event, "_defused"):
                    raise event._value
        finally:
            self._next_arrival = i
        self._now = until
