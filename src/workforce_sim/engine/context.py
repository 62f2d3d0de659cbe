"""What every process of a replication shares: the clock, scheduling, streams, teams, hooks.

Each process (``processes/``: demand, allocation, staffing, attrition,
recruitment, agency, academy, costs) is built with one :class:`Context` and
depends on it, not on :class:`~workforce_sim.engine.model.Model`. Only the
model knows every process; it builds them and wires the hooks
(``model.py`` explains the build order).

What a process may touch
------------------------
* the context: ``now``, ``at``/``after``, ``streams`` (only the streams
  named for it in ``model.py``), ``teams``/``team_list``, ``scenario``,
  ``horizon_days``, ``month_ends``, ``next_month_end``, the logs, the budget's
  flags ``recruitment_paused`` and ``agency_capped`` (set only by the budget),
  and :meth:`Context.staffing_changed`. ``env`` (the kernel) is there to be read
  (its clock ``env._now``, on paths that run per case or per weekly step);
  only case life (``processes/allocation.py`` and the team's rule) schedules
  on it directly, through the kernel's lean paths;
* the state (``state/``): cases, teams and workers. A team's queue is changed
  only through its methods (``join``, ``hand_over``, ``room_changed``...);
  a worker joins, changes kind or leaves only through staffing (the
  :class:`Workforce` it is given), which keeps capacity, costs, the staff log
  and the FTE tallies in step;
* what it keeps itself: its own records about workers, in the process (keyed
  by worker), never as extra slots on :class:`~.state.workers.Worker`;
* another process only through what it is handed by the model (a
  :class:`Workforce`, a bound method such as ``costs.refresh``, a hook). A
  process module never imports another one (the independence contract in
  ``pyproject.toml``).

Scheduling: one idiom
---------------------
``ctx.after(delay, callback, *args)`` calls ``callback(*args)`` ``delay`` days
from now, and ``ctx.at(day, callback, *args)`` on ``day`` (it is
``after(day - now, ...)``, to the bit). Anything that would fall at or after
the horizon is not scheduled at all: the run never processes it. Events due at
the same time are processed in the order they were scheduled (SimPy's event
ids), so the order in which a process schedules is part of the results.
``urgent=True`` puts the call before every ordinary event due at the same
time (SimPy's own ``Initialize`` order; staffing starts the ASYE ramp this
way); month ends are urgent too, so an event dated the first of a month (an
intake, a cohort, a referral) belongs to that month.

The stale-event rule
--------------------
Nothing scheduled is ever cancelled. An event that may become void is
scheduled with a :class:`Ticket` (``ctx.after(delay, callback, *args,
ticket=t)``) and the process calls ``t.void()`` when it no longer wants it;
the call is then dropped when it comes up. A resignation plan, an agency
placement, an agency request and a recruitment round each hold one ticket.
Conditions on the state at the time (is the worker still in post, still
agency?) are checked by the callback itself.

The one exception is the hot path: a case's closure (``Kernel.schedule_closure``)
is a bare heap entry whose event id the case keeps in ``case.closes``; the
kernel drops an entry whose id no longer matches. Referral, allocation and
closure are about 60 % of a run's time and two events per case, so they skip
both the ``Timeout`` and the ticket.

Hooks, in a fixed order
-----------------------
* **staffing changed** (``ctx.staffing_changed(team)``, called by staffing on
  every join, change of kind and departure, by attrition at a resignation, by
  recruitment when a round ends without a hire or the establishment changes):
  the academy places graduates waiting for a post, then recruitment reviews
  the team's rounds, then agency its cover. Hooks run in
  the order registered, and only once the model is ``ready`` (not while the
  opening workforce is built).
* **month end** (``ctx.on_month_end``; month ``m`` closes at ``month_ends[m]``,
  urgent): the recorder closes the month, then recruitment notes the caseload
  (only with an establishment review), then attrition re-reads caseload
  pressure, then agency re-reads its pressure cover; then the next month end
  is scheduled. The last month closes after the run (``Model.run``).

A new process
-------------
A new process (part-time working, say) is a module in ``processes/`` with a
class built from the context (and, if it changes the workforce, a
:class:`Workforce`), the random stream named for it, and its own records
about workers. It may touch what is listed above; it schedules with
``ctx.at``/``ctx.after`` (with a ticket if its events can become void) and
registers for a hook if it must react to staffing changes or month ends. The
model builds it (after what it needs, before the opening workforce if it
reacts to joiners) and registers its hooks; it imports no other process. If
another process must call it, the model passes the bound method in.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from simpy.events import Event, Timeout

from workforce_sim.engine.kernel import Kernel, Urgent
from workforce_sim.engine.trends import Trends
from workforce_sim.scenario.calendar import month_end_days

if TYPE_CHECKING:
    from workforce_sim.engine.recording.logs import CaseLog, StaffLog
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.engine.state.workers import Worker
    from workforce_sim.engine.streams import RandomStreams
    from workforce_sim.scenario.schema import Scenario

#: What attrition should know about a new employee's leaving hazard
#: (``early_until``, ``early_rate``, ``tie_in_until``, ``tie_in_factor``).
Terms = dict[str, float]


def _fire(event: Event) -> None:
    """An event of ``Context.after``: call what it carries (no closure made per event)."""
    callback, args = event._value
    callback(*args)


def _fire_ticketed(event: Event) -> None:
    """An event of ``Context.after`` with a ticket: call what it carries unless void."""
    callback, args, ticket = event._value
    if ticket.valid:
        callback(*args)


class Ticket:
    """The right of a scheduled call to happen: void it and the call is dropped.

    Subclasses (a recruitment round, an agency request) may add slots.
    """

    __slots__ = ("valid",)

    def __init__(self) -> None:
        self.valid = True

    def void(self) -> None:
        """The calls scheduled with this ticket will not happen."""
        self.valid = False


class Workforce(Protocol):
    """What staffing offers the processes that change the workforce."""

    absence: float
    agency_factor: float
    away: dict[Worker, None]

    def add(self, kind: str, team: TeamState, fte: float = 1.0, *, service_years: float = 0.0,
            months_served: float = 0.0, pathway: Any = None,
            terms: Terms | None = None, pqe_years: float | None = None,
            wid: int | None = None) -> Worker: ...

    def qualify(self, w: Worker, terms: Terms | None = None) -> None: ...

    def convert(self, w: Worker) -> None: ...

    def transfer(self, w: Worker, to: TeamState) -> None: ...

    def leave(self, w: Worker, *, counted: bool = True) -> None: ...

    def absent(self, w: Worker) -> None: ...

    def returns(self, w: Worker) -> None: ...


class AgencyMarket(Protocol):
    """What the agency market offers the agency process (``processes/market.py``)."""

    def offer(self, role: str) -> tuple[float, float]: ...

    def fill_probability(self, role: str, charge: float) -> float: ...


class Context:
    """The clock, scheduling, random streams, teams and hooks of one replication.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    env : Kernel
        The event loop.
    streams : RandomStreams
        The replication's named random streams.
    case_log, staff_log : CaseLog, StaffLog or None
        The optional logs.
    """

    def __init__(self, scenario: Scenario, env: Kernel, streams: RandomStreams,
                 case_log: CaseLog | None = None, staff_log: StaffLog | None = None):
        self.scenario = scenario
        self.env = env
        self.streams = streams
        self.case_log = case_log
        self.staff_log = staff_log
        self.month_ends = month_end_days(scenario.start_date, scenario.horizon_months)
        self.horizon_days = self.month_ends[-1]
        self.trends = Trends(scenario, streams)
        self.teams: dict[str, TeamState] = {}
        self.team_list: list[TeamState] = []
        self.ready = False          # hooks react to staffing changes once the model is set up
        # set by the budget (processes/budget.py) while spend runs over its profile
        self.recruitment_paused = False
        self.agency_capped = False
        self._staffing_hooks: list[Callable[[TeamState], None]] = []
        self._month_end_hooks: list[Callable[[int], None]] = []

    # -- the clock and scheduling --------------------------------------------------

    @property
    def now(self) -> float:
        """The current day."""
        return self.env._now

    def at(self, day: float, callback: Callable[..., object], *args: Any,
           ticket: Ticket | None = None, urgent: bool = False) -> None:
        """Call ``callback(*args)`` on ``day``, if before the horizon.

        Parameters
        ----------
        day : float
            The day (not before now).
        callback : callable
            What to call.
        *args
            Its arguments.
        ticket : Ticket, optional
            The call is dropped if the ticket is void by then.
        urgent : bool
            Before every ordinary event due at the same time.
        """
        self.after(day - self.env.now, callback, *args, ticket=ticket, urgent=urgent)

    def after(self, delay: float, callback: Callable[..., object], *args: Any,
              ticket: Ticket | None = None, urgent: bool = False) -> None:
        """Call ``callback(*args)`` ``delay`` days from now, if before the horizon.

        Parameters
        ----------
        delay : float
            Days from now (at least 0).
        callback : callable
            What to call.
        *args
            Its arguments.
        ticket : Ticket, optional
            The call is dropped if the ticket is void by then.
        urgent : bool
            Before every ordinary event due at the same time.
        """
        env = self.env
        if env.now + delay >= self.horizon_days:
            return
        if ticket is None:
            value: tuple[Any, ...] = (callback, args)
            fire = _fire
        else:
            value, fire = (callback, args, ticket), _fire_ticketed
        ev = Urgent(env, delay, value) if urgent else Timeout(env, delay, value)
        ev.callbacks.append(fire)

    def next_month_end(self, day: float) -> float:
        """The first month end after ``day`` (the horizon at the latest).

        Parameters
        ----------
        day : float

        Returns
        -------
        float
        """
        i = bisect.bisect_right(self.month_ends, day)
        return self.month_ends[min(i, len(self.month_ends) - 1)]

    # -- teams -----------------------------------------------------------------------

    def add_team(self, team: TeamState) -> None:
        """A team of the run, in scenario order (``model.py`` builds them)."""
        self.teams[team.name] = team
        self.team_list.append(team)

    # -- hooks -----------------------------------------------------------------------

    def on_staffing_changed(self, hook: Callable[[TeamState], None]) -> None:
        """Call ``hook(team)`` whenever the team's staffing changes (after the earlier hooks)."""
        self._staffing_hooks.append(hook)

    def staffing_changed(self, team: TeamState) -> None:
        """Staffing changed in ``team``: the hooks look at it again, in order (once ready).

        Parameters
        ----------
        team : TeamState
        """
        if self.ready:
            for hook in self._staffing_hooks:
                hook(team)

    def on_month_end(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(m)`` at the end of each month ``m`` but the last (after the earlier hooks)."""
        self._month_end_hooks.append(hook)

    def start_months(self) -> None:
        """Schedule the first month end; each schedules the next."""
        self._schedule_month_end(0)

    def _schedule_month_end(self, m: int) -> None:
        if m < len(self.month_ends) - 1:      # the last month closes after the run
            ev = Urgent(self.env, self.month_ends[m] - self.env.now, m)
            ev.callbacks.append(self._month_end)

    def _month_end(self, event: Event) -> None:
        m = cast(int, event.value)
        for hook in self._month_end_hooks:
            hook(m)
        self._schedule_month_end(m + 1)
