"""The event loop: SimPy's environment, with a lean path for the two events every case has.

A replication schedules about two events per case (its referral and its
closure) and only a few thousand for everything else. The cost of a SimPy
model lies in the events it schedules per case (``benchmarks/README.md``), so
those two skip the general machinery:

* **referrals** are drawn up front (``demand.py``) and kept in one sorted list
  beside the event heap, not in it. A referral due at the same instant as a
  scheduled event comes after it (a month end dated the 1st closes first).
* **closures** are bare heap entries ``(day, NORMAL, eid, case)``, ordered
  exactly as a SimPy ``Timeout`` made at the same moment would be. The case
  remembers the ``eid`` of its pending closure; an entry whose ``eid`` no
  longer matches (the case was handed over) is dropped when it comes up.

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

    ``closure_type`` is the class of the objects put in closure entries;
    ``on_close(case)`` and ``on_referral(kind)`` are called for them.
    """

    def __init__(self, closure_type: type, on_close, on_referral):
        super().__init__()
        self._closure_type = closure_type
        self._on_close = on_close
        self._on_referral = on_referral
        self._arrival_days: list[float] = []
        self._arrival_kinds: list = []
        self._next_arrival = 0

    def set_arrivals(self, days: list[float], kinds: list) -> None:
        """The run's referrals: ``days`` sorted ascending, ``kinds[i]`` the case type of the i-th."""
        self._arrival_days, self._arrival_kinds, self._next_arrival = days, kinds, 0

    def schedule_closure(self, case, delay: float) -> int:
        """Put ``case``'s closure on the heap ``delay`` days from now; returns its eid."""
        eid = next(self._eid)
        heappush(self._queue, (self._now + delay, NORMAL, eid, case))
        return eid

    def run(self, until: float) -> None:
        """Process everything due before ``until``; the clock then reads ``until``."""
        if until < self._now:
            raise ValueError(f"until (= {until}) must not be before the current time ({self._now})")
        queue = self._queue
        days, kinds = self._arrival_days, self._arrival_kinds
        i, n = self._next_arrival, len(days)
        closure_type, on_close, on_referral = self._closure_type, self._on_close, self._on_referral
        arrival = days[i] if i < n else inf
        try:
            while True:
                due = queue[0][0] if queue else inf
                if arrival < due:
                    if arrival >= until:
                        break
                    self._now = arrival
                    i += 1
                    on_referral(kinds[i - 1])
                    arrival = days[i] if i < n else inf
                    continue
                if due >= until:
                    break
                self._now, _, eid, event = heappop(queue)
                if event.__class__ is closure_type:
                    if event.closes == eid:
                        on_close(event)
                    continue
                # simpy.Environment.step, inlined
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                if not event._ok and not hasattr(event, "_defused"):
                    raise event._value
        finally:
            self._next_arrival = i
        self._now = until
