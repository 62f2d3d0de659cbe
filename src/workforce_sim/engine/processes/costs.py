"""Money and FTE-days, accrued by the day.

Every worker contributes constant rates (FTE, £ a day) while their kind and
the retention levers in force stay the same. A team keeps the sum of its
workers' rates exactly (``exact.py``: when the last contributor goes the rate
is zero, not a rounding residue) and accrues it lazily, so costs are exact
integrals over time with no per-day events:

* permanent pay: ``salary × award × (1 + on_cost_rate) × FTE / 365.25`` a day,
  with the salary of the team's role (``workforce.roles``); NQSW pay likewise
  with the NQSW salary. ``award`` is the product of ``1 + rise`` of the pay
  awards dated so far (``workforce.pay_awards``), and ``on_cost_rate`` the one
  in force (``workforce.permanent.on_cost_changes``): on each dated change every
  worker's rates are refreshed, so pay accrues exactly by the day;
* agency: ``day_rate × billable_days_per_year / 365.25 × FTE`` a calendar day,
  with the day rate of the assignment (``Worker.charge``, set by the agency
  market), else of the team's role; above a price cap, the FTE and the £ above
  the cap are accrued too;
* academy: ``cost_per_trainee_year / 365.25`` a day per trainee in training
  (and, for pathways with no training, per NQSW in their ASYE year);
* retention levers: ``cost_per_fte_year × (1 + on_cost_rate) × FTE / 365.25``
  a day per covered worker while in force.

Hires and campaigns are one-off or spread evenly over their window (recorder).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from workforce_sim.engine.state.accrual import (
    ABOVE_CAP_FTE,
    ABOVE_CAP_SPEND,
    ACADEMY,
    AGENCY_FTE,
    AGENCY_SPEND,
    N_ACCRUED,
    NQSW_FTE,
    PAY,
    PERM_FTE,
    RETENTION,
    TRAINEES,
    ZERO,
)
from workforce_sim.engine.state.workers import AGENCY, NQSW, PERMANENT, TRAINEE
from workforce_sim.scenario.calendar import DAYS_PER_YEAR, day_of
from workforce_sim.scenario.schema import ROLES

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context
    from workforce_sim.engine.state.workers import Worker
    from workforce_sim.scenario.schema import Scenario


def pay_changes(s: Scenario) -> list[tuple[float, float | None, float | None]]:
    """The dated pay awards and on-cost changes, as ``(day, award factor, on-cost rate)``
    sorted by day (None: that kind of change is not made that day). An award dated
    before the start is taken to be in the salaries already; an on-cost change dated on
    or before the start is in force from day 0."""
    out: list[tuple[float, float | None, float | None]] = []
    for a in s.workforce.pay_awards:
        if a.date >= s.start_date:
            out.append((day_of(s.start_date, a.date), 1.0 + a.rise, None))
    for c in s.workforce.permanent.on_cost_changes:
        out.append((max(0.0, day_of(s.start_date, c.date)), None, c.on_cost_rate))
    return sorted(out, key=lambda x: x[0])


def pay_in_force(changes: list[tuple[float, float | None, float | None]], on_cost_rate: float,
                 now: float) -> tuple[float, float]:
    """The compounded award factor and the on-cost rate in force on ``now``.

    Parameters
    ----------
    changes : list of tuple
        As :func:`pay_changes` returns them.
    on_cost_rate : float
        The rate before any change (``workforce.permanent.on_cost_rate``).
    now : float
        The day.

    Returns
    -------
    tuple of float
        The product of ``1 + rise`` of the awards dated on or before ``now`` (1.0 with
        none), and the latest on-cost rate dated on or before ``now``.
    """
    award = 1.0
    for day, factor, rate in changes:
        if day > now:
            break
        if factor is not None:
            award *= factor
        if rate is not None:
            on_cost_rate = rate
    return award, on_cost_rate


class Costs:

    """Knows each kind's rates; keeps every team's accrual in step with its workers.

    Parameters
    ----------
    ctx : Context
        The replication's context. Costs schedules a refresh of every worker's
        rates at each retention lever's start and end.
    """

    def __init__(self, ctx: Context):
        s = ctx.scenario
        self.ctx = ctx
        agency = s.workforce.agency
        wf = s.workforce
        self.pay_changes = pay_changes(s)
        self.set_pay(0.0)
        self.billable_days = agency.billable_days_per_year
        self.agency_day = {role: wf.agency_day_rate(role) * agency.billable_days_per_year
                           / DAYS_PER_YEAR for role in ROLES}
        self.levers = [(day_of(s.start_date, lv.start),
                        day_of(s.start_date, lv.end) if lv.end else float("inf"), lv)
                       for lv in wf.permanent.retention]
        self.campaigns = [(day_of(s.start_date, c.start), day_of(s.start_date, c.end) + 1, c.cost)
                          for c in s.recruitment.campaigns]
        for start, end, _ in self.levers:
            for day in (start, end):
                if day < ctx.horizon_days:
                    ctx.at(day, self.refresh_all)
        for day, _, _ in self.pay_changes:
            if 0 < day < ctx.horizon_days:
                ctx.at(day, self.pay_changed, day)

    def set_pay(self, now: float) -> None:
        """Set the £ a day per FTE of every (kind, role), and the on-cost factor, in force
        on ``now`` (the pay awards and on-cost changes dated on or before it)."""
        wf = self.ctx.scenario.workforce
        award, on_cost_rate = pay_in_force(self.pay_changes, wf.permanent.on_cost_rate, now)
        on = 1.0 + on_cost_rate
        self.on_cost = on
        # £ a day per FTE, by (kind, role): every role is listed, so a lookup never misses.
        # With no award the factor is 1.0 and the product is the salary to the bit.
        self.pay = {(kind, role): salary * award * on / DAYS_PER_YEAR
                    for role in ROLES
                    for kind, salary in ((PERMANENT, wf.salary(role)), (NQSW, wf.nqsw.salary))}

    def pay_changed(self, day: float) -> None:
        """A pay award or an on-cost change takes effect: every worker's rates follow."""
        self.set_pay(day)
        self.refresh_all()

    def levers_in_force(self, kind: str, now: float) -> Iterator[Any]:
        """The retention levers in force on ``now`` that cover ``kind``."""
        for start, end, lever in self.levers:
            if start <= now < end and kind in lever.covers:
                yield lever

    def rates_of(self, w: Worker) -> tuple[float, ...]:
        """What ``w`` adds to their team's accrual rates now.

        Parameters
        ----------
        w : Worker

        Returns
        -------
        tuple of float
            Indexed as ``state.accrual.PERM_FTE`` ... ``RETENTION``.
        """
        if not w.active:
            return ZERO
        r = [0.0] * N_ACCRUED
        now = self.ctx.now
        if w.kind in (PERMANENT, NQSW):
            r[PERM_FTE if w.kind == PERMANENT else NQSW_FTE] = w.fte
            r[PAY] = self.pay[w.kind, w.team.role] * w.fte
            r[RETENTION] = sum(lv.cost_per_fte_year for lv in self.levers_in_force(w.kind, now)) \
                * self.on_cost * w.fte / DAYS_PER_YEAR
            if w.kind == NQSW and w.pathway is not None and w.pathway.training_months == 0:
                r[ACADEMY] = w.pathway.cost_per_trainee_year / DAYS_PER_YEAR
        elif w.kind == AGENCY:
            r[AGENCY_FTE] = w.fte
            if w.charge is None:
                r[AGENCY_SPEND] = self.agency_day[w.team.role] * w.fte
            else:
                # in the order of agency_day's product, so the role's own rate gives its bits
                r[AGENCY_SPEND] = w.charge * self.billable_days / DAYS_PER_YEAR * w.fte
                if w.charge > w.cap:
                    r[ABOVE_CAP_FTE] = w.fte
                    r[ABOVE_CAP_SPEND] = ((w.charge - w.cap) * self.billable_days / DAYS_PER_YEAR
                                          * w.fte)
        elif w.kind == TRAINEE:
            r[TRAINEES] = 1.0
            r[ACADEMY] = w.pathway.cost_per_trainee_year / DAYS_PER_YEAR if w.pathway else 0.0
        return tuple(r)

    def refresh(self, w: Worker) -> None:
        """Bring the team's rates in line with this worker's current kind and status.

        Parameters
        ----------
        w : Worker
        """
        new = self.rates_of(w)
        if new != w.rates:
            w.team.accrual.shift(self.ctx.now, w.rates, new)
            w.rates = new

    def refresh_all(self) -> None:
        """Refresh every worker's rates (a retention lever starts or ends)."""
        for team in self.ctx.team_list:
            for w in team.workers:
                self.refresh(w)

    def campaign_cost(self, a: float, b: float) -> float:
        """Campaign spend in [a, b): each campaign's cost spread evenly over its days.

        Parameters
        ----------
        a, b : float
            The window's days.

        Returns
        -------
        float
        """
        total = 0.0
        for start, end, cost in self.campaigns:
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                total += cost * overlap / (end - start)
        return total
