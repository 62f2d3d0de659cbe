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

:class:`Kernel` keeps SimPy's contract: :meth:`Kernel.peek` and
:meth:`Kernel.step` see referrals and closures as the next events they are,
``run()`` runs to exhaustion and ``run(until=event)`` until the event has been
processed. ``run(until=day)`` takes the lean loop; unlike SimPy's it schedules
no stop event (so it consumes no event id) and accepts ``until`` equal to the
current time.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from math import inf
from typing import Any

import simpy
from simpy.core import EmptySchedule, SimTime
from simpy.events import NORMAL, URGENT, Event, Timeout


class Urgent(Timeout):
    """A timeout processed before every ordinary event due at the same time.

    Parameters
    ----------
    env : simpy.Environment
        The environment to schedule it in.
    delay : float
        Days from now.
    value : object, optional
        The event's value.
    """

    def __init__(self, env: simpy.Environment, delay: SimTime, value: Any = None):
        self.env = env
        self.callbacks = []
        self._value = value
        self._delay = delay
        self._ok = True
        env.schedule(self, URGENT, delay)


def _unset(_: Any) -> None:
    raise RuntimeError("the kernel's handlers are not set (Kernel.handle)")


class Kernel(simpy.Environment):
    """A SimPy environment that also carries referrals and case closures.

    Parameters
    ----------
    closure_type : type
        The class of the objects put in closure entries (they have a ``closes`` slot).
    on_close : callable, optional
        ``on_close(case)`` is called when a closure that is not stale falls due.
    on_referral : callable, optional
        ``on_referral(kind)`` is called for each referral. Both can be given
        later with :meth:`handle`.
    """

    def __init__(self, closure_type: type, on_close: Callable[[Any], None] = _unset,
                 on_referral: Callable[[Any], None] = _unset):
        super().__init__()
        self._closure_type: Any = closure_type     # Any: "is" must not narrow what it is tested on
        self._on_close = on_close
        self._on_referral = on_referral
        self._arrival_days: list[float] = []
        self._arrival_kinds: list[Any] = []
        self._next_arrival = 0

    def handle(self, on_close: Callable[[Any], None], on_referral: Callable[[Any], None]) -> None:
        """Set what closures and referrals call.

        Parameters
        ----------
        on_close : callable
            ``on_close(case)``, for a closure that is not stale.
        on_referral : callable
            ``on_referral(kind)``, for each referral.
        """
        self._on_close, self._on_referral = on_close, on_referral

    def set_arrivals(self, days: list[float], kinds: list[Any]) -> None:
        """The run's referrals.

        Parameters
        ----------
        days : list of float
            Referral days, sorted ascending.
        kinds : list
            ``kinds[i]`` is passed to ``on_referral`` for the i-th referral.
        """
        self._arrival_days, self._arrival_kinds, self._next_arrival = days, kinds, 0

    def schedule_closure(self, case: Any, delay: float) -> int:
        """Put ``case``'s closure on the heap ``delay`` days from now.

        Parameters
        ----------
        case : closure_type
            The case.
        delay : float
            Days from now.

        Returns
        -------
        int
            The entry's event id: the closure is stale unless ``case.closes`` equals it.
        """
        eid = next(self._eid)
        heappush(self._queue, (self._now + delay, NORMAL, eid, case))
        return eid

    def _next_arrival_day(self) -> float:
        i = self._next_arrival
        return self._arrival_days[i] if i < len(self._arrival_days) else inf

    def peek(self) -> SimTime:
        """The time of the next event, referrals included (``inf`` if there is none)."""
        due = self._queue[0][0] if self._queue else inf
        arrival = self._next_arrival_day()
        return arrival if arrival < due else due

    def step(self) -> None:
        """Process the next event: a referral, a closure (nothing, if stale) or a SimPy event.

        A referral due at the same time as a heap entry comes after it, as in :meth:`run`.

        Raises
        ------
        simpy.core.EmptySchedule
            If there is no further event.
        """
        queue = self._queue
        due = queue[0][0] if queue else inf
        arrival = self._next_arrival_day()
        if arrival < due:
            self._now = arrival
            self._next_arrival += 1
            self._on_referral(self._arrival_kinds[self._next_arrival - 1])
            return
        if not queue:
            raise EmptySchedule
        entry = queue[0]
        case: Any = entry[3]
        if case.__class__ is self._closure_type:
            heappop(queue)
            self._now, _, eid, _ = entry
            if case.closes == eid:
                self._on_close(case)
            return
        super().step()

    def run(self, until: SimTime | Event | None = None) -> Any | None:
        """Run the simulation.

        Parameters
        ----------
        until : float, Event or None
            A day: process everything due before it, then set the clock to it
            (the lean loop). An event: step until it has been processed and
            return its value. None: step until no event is left.

        Returns
        -------
        object or None
            The value of ``until`` when it is an event, else None.

        Raises
        ------
        ValueError
            If ``until`` is a day before the current time.
        RuntimeError
            If ``until`` is an event and no event is left before it is triggered.
        """
        if until is None or isinstance(until, Event):
            return super().run(until)
        self._run_until(float(until))
        return None

    def _run_until(self, until: float) -> None:
        if until < self._now:
            raise ValueError(f"until (= {until}) must not be before the current time ({self._now})")
        queue = self._queue
        days, kinds = self._arrival_days, self._arrival_kinds
        i, n = self._next_arrival, len(days)
        closure_type, on_close, on_referral = self._closure_type, self._on_close, self._on_referral
        arrival = days[i] if i < n else inf
        event: Any                       # a SimPy event or a closure's case
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
