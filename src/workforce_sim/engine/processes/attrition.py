"""Permanent and newly qualified social workers leaving.

``annual_turnover`` is leavers per FTE-year (the DfE census definition), so it
is a hazard: a closed cohort decays as ``exp(−h·t)``. Each worker draws a
threshold ``E ~ Exp(1)`` when they become an employee and resigns when their
integrated hazard reaches it. That is exact for time-varying hazards and keeps
common random numbers aligned between scenarios.

The hazard at time ``t`` is

    base(service band, or the cohort's early rate until its end) / 365.25
    × (1 + pressure_elasticity × max(0, min(pressure, 10) − pressure_threshold))
    × tie-in factor (academy graduates, during the tie-in)
    × Π turnover factors of the retention levers in force (for an NQSW, those
      covering permanent staff from the end of their ASYE)
    × the turnover trend's factor for the run year (``[trends.turnover]``, drawn
      per replication; 1 without one)
    × (1 + manager_vacancy_elasticity × the share of the posts of the teams that
      manage the worker's team (``teams.<name>.manages``) vacant and not covered
      by agency staff), read with the pressure,

where ``pressure = max(load / capacity, team's open work / team's capacity)``,
open work being the weight of the team's cases held and waiting (cases waiting
unallocated weigh on everyone in the team). The pressure multiplier is 1 for a
worker with no capacity, in a team that holds no cases, or when
``pressure_elasticity`` is 0.

Caseload pressure is read at each month end (and at joining) and held for the
month; every other factor changes at known days, which split the month into
pieces of constant hazard. A resignation starts a notice period
(``notice_days``), after which the worker leaves and their cases are handed
over.

What attrition keeps about a worker (threshold, plan, hazard so far, break
days, academy tie-in and cohort terms) is a :class:`Leaving` record in
:attr:`Attrition.records`, keyed by the worker. A plan's resignation is
scheduled with the plan's :class:`~workforce_sim.engine.context.Ticket`;
replacing the plan voids it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.engine.context import Ticket
from workforce_sim.engine.state.teams import vacancy_fte
from workforce_sim.engine.state.workers import EMPLOYED, NQSW, PERMANENT, Worker
from workforce_sim.engine.streams import EXP1, buffered_sampler
from workforce_sim.scenario.calendar import DAYS_PER_YEAR, day_of

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Terms
    from workforce_sim.engine.state.teams import TeamState


class Leaving:
    """What attrition keeps about one employee: their Exp(1) threshold and the plan in force."""

    __slots__ = ("threshold", "hazard", "hazard_until", "plan", "plan_from", "planned_until",
                 "plan_pressure", "breaks", "tie_in_until", "tie_in_factor",
                 "early_until", "early_rate")

    def __init__(self) -> None:
        self.threshold = float("inf")
        self.hazard = 0.0              # integrated hazard at plan_from
        self.hazard_until = 0.0        # ... and at planned_until, if no resignation on the way
        self.plan = Ticket()           # the plan in force: its resignation, if any, holds it
        self.plan_from = -1.0          # the plan in force covers [plan_from, planned_until]
        self.planned_until = -1.0
        self.plan_pressure = 1.0       # the pressure multiplier it was made with
        self.breaks: list[float] = []  # days where the hazard may change
        self.tie_in_until = -1.0       # academy graduates: the tie-in
        self.tie_in_factor = 1.0
        self.early_until = -1.0        # cohorts: the early turnover rate
        self.early_rate = 0.0


class Attrition:
    """Draws each employee's threshold, plans their hazard and resigns them.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``attrition``).
    leave : callable
        ``leave(worker)`` at the end of the notice (``Staffing.leave``).
    asye_days : float
        The length of the ASYE (``Staffing.asye_days``: one length for the model).
    """

    def __init__(self, ctx: Context, leave: Callable[[Worker], None], asye_days: float):
        self.ctx = ctx
        self.leave = leave
        s = ctx.scenario
        p = s.workforce.permanent
        bands = p.turnover_by_service_years or [(0.0, p.annual_turnover)]
        self.band_years = [float(b[0]) for b in bands]
        self.band_rates = [float(b[1]) for b in bands]
        self.pressure_threshold = p.pressure_threshold
        self.pressure_elasticity = p.pressure_elasticity
        self.notice_days = p.notice_days
        self.levers = [(day_of(s.start_date, lv.start),
                        day_of(s.start_date, lv.end) if lv.end else float("inf"), lv)
                       for lv in p.retention]
        self.threshold = buffered_sampler(EXP1, ctx.streams["attrition"])
        self.asye_days = asye_days
        self.trend = ctx.trends.turnover_factor       # None, or a factor by run year
        self.year_of = ctx.trends.year
        self.trend_days = ctx.trends.boundaries if self.trend else []
        self.records: dict[Worker, Leaving] = {}
        # the teams that manage each team, when vacant manager posts matter
        e = p.manager_vacancy_elasticity
        self.manager_elasticity = e
        self.managers: dict[str, list[TeamState]] = {}
        if e > 0:
            for name, spec in s.teams.items():
                for managed in spec.manages:
                    self.managers.setdefault(managed, []).append(ctx.teams[name])

    def record(self, w: Worker) -> Leaving:
        """What attrition keeps about ``w`` (a fresh record if nothing yet).

        Parameters
        ----------
        w : Worker

        Returns
        -------
        Leaving
        """
        rec = self.records.get(w)
        if rec is None:
            rec = self.records[w] = Leaving()
        return rec

    # -- the hazard ---------------------------------------------------------------

    def _asye_end(self, w: Worker) -> float:
        return w.asye_day0 + self.asye_days if w.kind == NQSW else -1.0

    def annual_rate(self, w: Worker, day: float, pressure: float) -> float:
        """Leavers per FTE-year for this worker at ``day``.

        An NQSW is taken to be permanent from the end of their ASYE, for the levers.

        Parameters
        ----------
        w : Worker
        day : float
        pressure : float
            The caseload-pressure multiplier.

        Returns
        -------
        float
        """
        return self._rate(w, self.records[w], day, pressure)

    def _rate(self, w: Worker, rec: Leaving, day: float, pressure: float) -> float:
        kind = PERMANENT if w.kind == NQSW and day >= self._asye_end(w) else w.kind
        if day < rec.early_until:
            rate = rec.early_rate
        else:
            band = bisect.bisect_right(self.band_years, w.service_years(day)) - 1
            rate = self.band_rates[max(band, 0)]
        rate *= pressure
        if day < rec.tie_in_until:
            rate *= rec.tie_in_factor
        for start, end, lever in self.levers:
            if start <= day < end and kind in lever.covers:
                rate *= lever.turnover_factor
        if self.trend:
            rate *= self.trend[self.year_of(day)]
        return rate

    def pressure(self, w: Worker, team_ratio: float) -> float:
        """``1 + elasticity × max(0, pressure − threshold)``, where the pressure is the
        larger of the worker's own load/capacity and their team's demand/capacity
        (cases waiting unallocated weigh on everyone in the team).

        Parameters
        ----------
        w : Worker
        team_ratio : float
            The team's demand/capacity (``TeamState.demand_ratio``).

        Returns
        -------
        float
        """
        if w.capacity <= 0:
            return 1.0
        # max() and min() written out, with the same choices (NaN included): this runs
        # for every worker at every month end
        own = w.load / w.capacity
        ratio = team_ratio if team_ratio > own else own
        excess = (10.0 if 10.0 < ratio else ratio) - self.pressure_threshold
        return 1.0 + self.pressure_elasticity * (excess if excess > 0.0 else 0.0)

    def manager_factor(self, managers: list[TeamState]) -> float:
        """``1 + manager_vacancy_elasticity × u``, with ``u`` the largest share of a
        managing team's posts vacant and not covered by its agency staff.

        Parameters
        ----------
        managers : list of TeamState
            The teams that manage the worker's team.

        Returns
        -------
        float
        """
        share = 0.0
        for m in managers:
            if m.establishment_fte > 0:
                uncovered = vacancy_fte(m) - exact.to_float(m.agency_units)
                share = max(share, min(1.0, uncovered / m.establishment_fte))
        return 1.0 + self.manager_elasticity * share

    def _breaks(self, w: Worker, rec: Leaving) -> list[float]:
        """Days where this worker's hazard may change, sorted. They are fixed from
        the day they become an employee (``start``) until they leave."""
        points = [rec.early_until, rec.tie_in_until, self._asye_end(w)]
        points += [w.joined_day + y * DAYS_PER_YEAR - w.service_days_at_join for y in self.band_years]
        for start, end, _ in self.levers:
            points += [start, end]
        points += self.trend_days
        return sorted(set(points))

    # -- planning -----------------------------------------------------------------

    def start(self, w: Worker, terms: Terms | None = None) -> None:
        """A new employee: draw their threshold and plan ahead.

        Parameters
        ----------
        w : Worker
        terms : dict, optional
            ``early_until``/``early_rate`` (a cohort) or ``tie_in_until``/``tie_in_factor``
            (an academy graduate).
        """
        rec = self.record(w)
        if terms:
            for name, value in terms.items():
                setattr(rec, name, value)
        rec.threshold = self.threshold()
        rec.hazard = 0.0
        rec.plan_from = rec.planned_until = -1.0
        rec.plan.void()               # cancels anything planned before
        rec.plan = Ticket()
        w.leaving = False
        w.retally()
        rec.breaks = self._breaks(w, rec)
        self.plan(w)

    def plan(self, w: Worker, team_ratio: float | None = None) -> None:
        """Plan the worker's hazard from now at the caseload pressure read now.

        To the horizon while pressure adds nothing (and for someone whose hazard
        cannot depend on it), else to the next month end, when it is read again.
        A plan in force whose pressure is unchanged stands; one whose pressure has
        changed is replaced from now, its resignation (if any) cancelled.

        Parameters
        ----------
        w : Worker
        team_ratio : float, optional
            The team's demand/capacity, if already computed.
        """
        ctx = self.ctx
        now = ctx.env._now            # the clock without the property: every worker, every month
        if not w.active or w.leaving or w.kind not in EMPLOYED:
            return
        rec = self.records[w]
        managers = self.managers.get(w.team.name)
        free = (self.pressure_elasticity == 0 or not w.team.holds_cases) and not managers
        if self.pressure_elasticity == 0 or not w.team.holds_cases:
            pressure = 1.0
        else:
            if team_ratio is None:
                team_ratio = w.team.demand_ratio()
            pressure = self.pressure(w, team_ratio)
        if managers:
            pressure *= self.manager_factor(managers)
        if rec.planned_until > now:               # a plan is in force
            if pressure == rec.plan_pressure:
                return
            crossed, hazard = self._integrate(w, rec, rec.plan_from, now, rec.plan_pressure,
                                              rec.hazard)
            if crossed is not None:
                return                            # its resignation falls due now
            rec.hazard = hazard
            rec.plan.void()
            rec.plan = Ticket()
        elif rec.plan_from >= 0:                  # the last plan ran out: carry its hazard on
            rec.hazard = rec.hazard_until
        until = ctx.horizon_days if pressure == 1.0 or free else ctx.next_month_end(now)
        rec.plan_from, rec.planned_until, rec.plan_pressure = now, until, pressure
        crossed, rec.hazard_until = self._integrate(w, rec, now, until, pressure, rec.hazard)
        if crossed is not None:
            ctx.after(crossed - now, self._resign, w, ticket=rec.plan)

    def _integrate(self, w: Worker, rec: Leaving, a: float, b: float, pressure: float,
                   hazard: float) -> tuple[float | None, float]:
        """Integrate the hazard over [a, b] from ``hazard``, piece by piece between
        the worker's break days: (the day it reaches the threshold or None, the
        integrated hazard at b)."""
        breaks = rec.breaks
        edges = [a, *breaks[bisect.bisect_right(breaks, a):bisect.bisect_left(breaks, b)], b]
        for lo, hi in zip(edges, edges[1:], strict=False):
            rate = self._rate(w, rec, (lo + hi) / 2, pressure) / DAYS_PER_YEAR
            gained = rate * (hi - lo)
            if hazard + gained >= rec.threshold:
                return lo + (rec.threshold - hazard) / rate, rec.threshold
            hazard += gained
        return None, hazard

    def month_end(self, month: int) -> None:
        """Re-read caseload pressure in the teams that hold cases (elsewhere, and
        everywhere when pressure has no effect, plans run to the horizon).

        Parameters
        ----------
        month : int
            The month that has just closed (unused: every month is alike).
        """
        if not self.pressure_elasticity and not self.managers:
            return
        for team in self.ctx.team_list:
            if (team.holds_cases and self.pressure_elasticity) or team.name in self.managers:
                ratio = team.demand_ratio() if team.holds_cases else 0.0
                for w in team.workers:
                    self.plan(w, ratio)

    def _resign(self, w: Worker) -> None:
        """The plan's resignation (its ticket still valid): notice starts."""
        if not w.active or w.kind not in EMPLOYED:
            return                                # gone
        w.give_notice("resigned", self.ctx.now)
        self.ctx.staffing_changed(w.team)         # recruitment starts at resignation
        self.ctx.after(self.notice_days, self.leave, w)
