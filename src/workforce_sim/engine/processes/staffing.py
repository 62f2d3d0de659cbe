"""Social workers: kinds, capacity, the ASYE, joining, changing kind and leaving.

Capacity (caseload points a worker may hold) is
``team caseload_cap × FTE × kind factor × (1 − absence rate)``: permanent staff
have factor 1, agency staff ``workforce.agency.capacity_factor``, trainees 0,
and a newly qualified social worker's factor ramps linearly over the ASYE year
from ``capacity_start`` to ``capacity_end``, applied in weekly steps. At the
end of the ASYE an NQSW becomes a permanent social worker, or, if they came
through an academy pathway and fail the ASYE (probability
``1 − asye_pass_rate``), leaves.

Every join, change of kind, move between teams (a promotion) and departure goes
through :class:`Staffing`, which
keeps capacity, costs, the staff log and the flow counters in step, and then
calls the context's "staffing changed" hook (recruitment and agency cover
look at the team again). Staffing is handed what it calls in other processes
by the model: the costs refresh (constructor), attrition's start of an
employee, the academy's ASYE result, where a leaving employee goes and
attrition's new plan for a worker who has moved team (:attr:`Staffing.employed`,
:attr:`Staffing.passes_asye`, :attr:`Staffing.left_employment`, :attr:`Staffing.moved`).

The ASYE ramp is a chain of calls: the first is urgent at the moment the ASYE
starts (where SimPy's ``Initialize`` of a process would be), each later one
a weekly step scheduled by the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workforce_sim.engine.state.workers import (
    AGENCY,
    DAYS_PER_MONTH,
    EMPLOYED,
    NQSW,
    PERMANENT,
    TRAINEE,
    Worker,
)
from workforce_sim.scenario.calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Terms
    from workforce_sim.engine.state.teams import TeamState

RAMP_STEP_DAYS = 7.0


def _unwired(*_: Any) -> Any:
    raise RuntimeError("Staffing.employed, Staffing.passes_asye, Staffing.left_employment "
                       "and Staffing.moved are set by the model")


class Staffing:
    """Creates workers, keeps their capacity and costs current, and removes them.

    Parameters
    ----------
    ctx : Context
        The replication's context.
    refresh_costs : callable
        ``refresh_costs(worker)`` after any change to a worker (``Costs.refresh``).

    Attributes
    ----------
    employed : callable
        ``employed(worker, terms)`` when a worker becomes an employee
        (``Attrition.start``); set by the model.
    passes_asye : callable
        ``passes_asye(worker)``, for an academy NQSW at the end of their ASYE
        (``Academy.passes_asye``); set by the model.
    left_employment : callable
        ``left_employment(worker)`` when a permanent or newly qualified worker has
        left (``Destinations.left``); set by the model.
    moved : callable
        ``moved(worker)`` after an employee has moved team (``Attrition.plan``: the
        caseload pressure on them is the new team's); set by the model.
    """

    def __init__(self, ctx: Context, refresh_costs: Callable[[Worker], None]):
        self.ctx = ctx
        self.env = ctx.env
        self.refresh_costs = refresh_costs
        self.employed: Callable[[Worker, Terms | None], None] = _unwired
        self.passes_asye: Callable[[Worker], bool] = _unwired
        self.left_employment: Callable[[Worker], None] = _unwired
        self.moved: Callable[[Worker], None] = _unwired
        s = ctx.scenario
        self.absence = s.absence.rate
        nqsw = s.workforce.nqsw
        # the ASYE ramp as plain floats: _factor runs at every weekly step
        self.asye_days = nqsw.asye_months * DAYS_PER_MONTH
        self.ramp_start, self.ramp_end = nqsw.capacity_start, nqsw.capacity_end
        self.agency_factor = s.workforce.agency.capacity_factor
        self._kind_factor = {PERMANENT: 1.0, AGENCY: self.agency_factor}
        self._next_id = 0
        self.away: dict[Worker, None] = {}
        """Employees on a long absence (``processes/absence.py``): in post, no capacity."""

    def _factor(self, w: Worker) -> float:
        if not w.team.holds_cases:
            return 0.0
        if w.kind == NQSW:
            p = min(1.0, max(0.0, (self.env._now - w.asye_day0) / self.asye_days))
            return self.ramp_start + (self.ramp_end - self.ramp_start) * p
        return self._kind_factor.get(w.kind, 0.0)

    def _update_capacity(self, w: Worker) -> None:
        w.factor = self._factor(w)
        w.capacity = w.team.caseload_cap * w.fte * w.factor * (1.0 - self.absence)
        if self.away and w in self.away:     # on long absence: in post, holding nothing
            w.capacity = 0.0
        w.ratio = w.load / w.capacity if w.capacity > 0 else float("inf")

    # -- joining ----------------------------------------------------------------

    def add(self, kind: str, team: TeamState, fte: float = 1.0, *, service_years: float = 0.0,
            months_served: float = 0.0, pathway: Any = None,
            terms: Terms | None = None, pqe_years: float | None = None,
            wid: int | None = None) -> Worker:
        """A worker joins ``team`` now; waiting cases are allocated to them.

        Parameters
        ----------
        kind : str
            ``PERMANENT``, ``NQSW``, ``AGENCY`` or ``TRAINEE``.
        team : TeamState
        fte : float
        service_years : float
            Service before joining (the opening workforce).
        months_served : float
            Months of the ASYE already served (an NQSW of the opening workforce).
        pathway : optional
            The academy pathway they came through.
        terms : dict, optional
            Attrition's terms for a new employee (a cohort's ``early_until``, ...).
        pqe_years : float, optional
            Post-qualifying experience on joining (permanent and agency workers); an
            NQSW's is their months served, a trainee has none.
        wid : int, optional
            The number of a former worker coming back (a returner keeps theirs).

        Returns
        -------
        Worker
        """
        now = self.env.now
        if wid is None:
            wid = self._next_id
            self._next_id += 1
        w = Worker(wid, kind, team, fte, now)
        w.service_days_at_join = service_years * DAYS_PER_YEAR
        w.pathway = pathway
        if pqe_years is not None:
            w.qualified_day = now - pqe_years * DAYS_PER_YEAR
        team.workers.append(w)
        if kind == NQSW:
            self._start_asye(w, months_served)
            w.qualified_day = w.asye_day0
        self._settled(w)
        if kind in EMPLOYED:
            self.employed(w, terms)
        return w

    def _start_asye(self, w: Worker, months_served: float = 0.0) -> None:
        w.asye_day0 = self.env.now - months_served * DAYS_PER_MONTH
        self.ctx.after(0.0, self._asye_next, w, urgent=True)

    def _settled(self, w: Worker) -> None:
        """After any change to a worker: capacity, costs, log, then the team's other processes."""
        ctx = self.ctx
        w.retally()
        self._update_capacity(w)
        self.refresh_costs(w)
        if ctx.staff_log is not None:
            ctx.staff_log.change(w, self.env.now)
        w.team.room_changed()
        ctx.staffing_changed(w.team)

    # -- changing kind ----------------------------------------------------------

    def qualify(self, w: Worker, terms: Terms | None = None) -> None:
        """A trainee qualifies and starts their ASYE as an NQSW.

        Parameters
        ----------
        w : Worker
        terms : dict, optional
            Attrition's terms for them (the academy's tie-in).
        """
        w.kind = NQSW
        self._start_asye(w)
        w.qualified_day = w.asye_day0
        self._settled(w)
        self.employed(w, terms)

    def convert(self, w: Worker) -> None:
        """An agency worker takes a permanent post; their cases stay with them.

        Parameters
        ----------
        w : Worker
        """
        w.kind = PERMANENT
        w.joined_day = self.env.now
        w.service_days_at_join = 0.0
        self._settled(w)
        self.employed(w, None)

    def _asye_next(self, w: Worker) -> None:
        """The next weekly step of the NQSW's ramp; at the end of the ASYE they pass or leave."""
        end = w.asye_day0 + self.asye_days
        step = min(RAMP_STEP_DAYS, end - self.env._now)
        if step > 0:
            self.ctx.after(step, self._asye_step, w)
            return
        self._asye_end(w)

    def _asye_end(self, w: Worker) -> None:
        """The end of the ASYE: an academy NQSW passes or leaves; the others become permanent."""
        if not w.active:
            return
        if w.pathway is not None and not self.passes_asye(w):
            self.leave(w)
            return
        w.kind = PERMANENT
        self._settled(w)

    def _asye_step(self, w: Worker) -> None:
        """A weekly step: capacity up, then the next step (``_asye_next`` written out:
        this runs every week for every NQSW)."""
        if not w.active:
            return
        self._update_capacity(w)
        w.team.room_changed()
        end = w.asye_day0 + self.asye_days
        step = min(RAMP_STEP_DAYS, end - self.env._now)
        if step > 0:
            self.ctx.after(step, self._asye_step, w)
            return
        self._asye_end(w)

    # -- long absence -------------------------------------------------------------

    def absent(self, w: Worker) -> None:
        """An employee starts a long absence now: they stay in post (in the FTE in post,
        not vacant) but hold no capacity, and their cases go back to the head of the
        team's queue for colleagues, as a leaver's do.

        Parameters
        ----------
        w : Worker
            An active employee not already away.
        """
        self.away[w] = None
        self._tally_away()
        self._update_capacity(w)          # capacity 0 first: none of their cases comes back
        w.team.hand_over(w)
        self.refresh_costs(w)
        self.ctx.staffing_changed(w.team)

    def returns(self, w: Worker) -> None:
        """An employee back from a long absence takes cases again.

        Parameters
        ----------
        w : Worker
        """
        if self.away.pop(w, 0) is None and w.active:
            self._tally_away()
            self._settled(w)

    def _tally_away(self) -> None:
        """Each team's FTE on long absence, summed afresh (no drift from adding and taking)."""
        for team in self.ctx.team_list:
            team.away_fte = sum(w.fte for w in self.away if w.team is team)

    # -- moving team ------------------------------------------------------------

    def transfer(self, w: Worker, to: TeamState) -> None:
        """An employee moves to another team now (a promotion), keeping their kind, FTE,
        service and attrition terms: no notice, no hire. Their cases go back to the
        head of the old team's queue, as a leaver's do, and their old post falls vacant.

        Parameters
        ----------
        w : Worker
            An active employee who is not working their notice.
        to : TeamState
            Their new team.
        """
        old = w.team
        old.workers.remove(w)
        w.active = False              # out of the old team's FTE tallies and accruals
        w.retally()
        self.refresh_costs(w)
        old.hand_over(w)              # their cases are reallocated like a leaver's
        w.team = to
        w.active = True
        to.workers.append(w)
        self._settled(w)              # in the new team: tallies, capacity, costs, log, hooks
        if self.away:
            self._tally_away()
        self.moved(w)                 # their hazard is planned again, at the new team's pressure
        self.ctx.staffing_changed(old)

    # -- leaving ----------------------------------------------------------------

    def leave(self, w: Worker, *, counted: bool = True) -> None:
        """A worker leaves now: their cases go back to the head of the team's queue.

        Parameters
        ----------
        w : Worker
            Nothing happens if they have already left.
        counted : bool
            False for a trainee who has qualified and leaves the team's roster of
            trainees without a post here (the academy counts them): not a drop-out.
        """
        if not w.active:
            return
        team = w.team
        team.workers.remove(w)
        w.active = False
        if self.away.pop(w, 0) is None:   # a leaver on long absence is no longer away
            self._tally_away()
        w.retally()
        w.capacity = 0.0
        w.ratio = float("inf")
        if w.kind in EMPLOYED:
            team.leavers_permanent += 1
            team.leavers_permanent_fte += w.fte
        elif w.kind == AGENCY:
            team.leavers_agency += 1
            team.agency_releases += w.notice == "released"
        elif w.kind == TRAINEE and counted:
            team.academy_dropouts += 1
        self.refresh_costs(w)
        if self.ctx.staff_log is not None:
            self.ctx.staff_log.end(w, self.env.now)
        team.hand_over(w)
        if w.kind in EMPLOYED:
            self.left_employment(w)      # where they go: it schedules, never acts now
        self.ctx.staffing_changed(team)
