"""Money and FTE-days, accrued by the day.

Every worker contributes constant rates (FTE, £ a day) while their kind and
the retention levers in force stay the same. A team keeps the sum of its
workers' rates exactly (``exact.py``: when the last contributor goes the rate
is zero, not a rounding residue) and accrues it lazily, so costs are exact
integrals over time with no per-day events:

* permanent pay: ``salary × (1 + on_cost_rate) × FTE / 365.25`` a day, NQSW
  pay likewise with the NQSW salary;
* agency: ``day_rate × billable_days_per_year / 365.25 × FTE`` a calendar day;
* academy: ``cost_per_trainee_year / 365.25`` a day per trainee in training
  (and, for pathways with no training, per NQSW in their ASYE year);
* retention levers: ``cost_per_fte_year × (1 + on_cost_rate) × FTE / 365.25``
  a day per covered worker while in force.

Hires and campaigns are one-off or spread evenly over their window (recorder).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.engine.processes.staffing import AGENCY, NQSW, PERMANENT, TRAINEE
from workforce_sim.scenario.calendar import DAYS_PER_YEAR, day_of

if TYPE_CHECKING:
    from workforce_sim.engine.model import Model
    from workforce_sim.engine.processes.staffing import Worker

# What a team accrues.
PERM_FTE, NQSW_FTE, AGENCY_FTE, TRAINEES, PAY, AGENCY_SPEND, ACADEMY, RETENTION = range(8)
N_ACCRUED = 8
_ZERO = (0.0,) * N_ACCRUED


class Accrual:
    """Totals of quantities that grow at piecewise-constant rates."""

    __slots__ = ("rates", "units", "totals", "t")

    def __init__(self, start: float = 0.0):
        self.rates = [0.0] * N_ACCRUED
        self.units = [0] * N_ACCRUED   # the rates as exact sums (exact.py): no residue
        self.totals = [0.0] * N_ACCRUED
        self.t = start

    def advance(self, now: float) -> None:
        dt = now - self.t
        if dt:
            totals = self.totals
            for i, r in enumerate(self.rates):
                if r:
                    totals[i] += r * dt
            self.t = now

    def shift(self, now: float, old: tuple, new: tuple) -> None:
        """A contributor's rates change from ``old`` to ``new`` now."""
        self.advance(now)
        for i in range(N_ACCRUED):
            if new[i] != old[i]:
                self.units[i] += exact.units(new[i]) - exact.units(old[i])
                self.rates[i] = exact.to_float(self.units[i])

    def take(self, now: float) -> list[float]:
        """The totals since the last take (then start again from zero)."""
        self.advance(now)
        out, self.totals = self.totals, [0.0] * N_ACCRUED
        return out


class Costs:
    """Knows each kind's rates; keeps every team's accrual in step with its workers."""

    def __init__(self, model: Model):
        s = model.scenario
        self.model = model
        perm, nqsw, agency = s.workforce.permanent, s.workforce.nqsw, s.workforce.agency
        on = 1.0 + perm.on_cost_rate
        self.on_cost = on
        self.pay = {PERMANENT: perm.salary * on / DAYS_PER_YEAR,
                    NQSW: nqsw.salary * on / DAYS_PER_YEAR}
        self.agency_day = agency.day_rate * agency.billable_days_per_year / DAYS_PER_YEAR
        self.levers = [(day_of(s.start_date, lv.start),
                        day_of(s.start_date, lv.end) if lv.end else float("inf"), lv)
                       for lv in perm.retention]
        self.campaigns = [(day_of(s.start_date, c.start), day_of(s.start_date, c.end) + 1, c.cost)
                          for c in s.recruitment.campaigns]
        for start, end, _ in self.levers:
            for day in (start, end):
                if day < model.horizon_days:
                    model.at(day, self.refresh_all)

    def levers_in_force(self, kind: str, now: float):
        for start, end, lever in self.levers:
            if start <= now < end and kind in lever.covers:
                yield lever

    def rates_of(self, w: Worker) -> tuple:
        if not w.active:
            return _ZERO
        r = [0.0] * N_ACCRUED
        now = self.model.env.now
        if w.kind in (PERMANENT, NQSW):
            r[PERM_FTE if w.kind == PERMANENT else NQSW_FTE] = w.fte
            r[PAY] = self.pay[w.kind] * w.fte
            r[RETENTION] = sum(lv.cost_per_fte_year for lv in self.levers_in_force(w.kind, now)) \
                * self.on_cost * w.fte / DAYS_PER_YEAR
            if w.kind == NQSW and w.pathway is not None and w.pathway.training_months == 0:
                r[ACADEMY] = w.pathway.cost_per_trainee_year / DAYS_PER_YEAR
        elif w.kind == AGENCY:
            r[AGENCY_FTE] = w.fte
            r[AGENCY_SPEND] = self.agency_day * w.fte
        elif w.kind == TRAINEE:
            r[TRAINEES] = 1.0
            r[ACADEMY] = w.pathway.cost_per_trainee_year / DAYS_PER_YEAR if w.pathway else 0.0
        return tuple(r)

    def refresh(self, w: Worker) -> None:
        """Bring the team's rates in line with this worker's current kind and status."""
        new = self.rates_of(w)
        if new != w.rates:
            w.team.accrual.shift(self.model.env.now, w.rates, new)
            w.rates = new

    def refresh_all(self) -> None:
        for team in self.model.team_list:
            for w in team.workers:
                self.refresh(w)

    def campaign_cost(self, a: float, b: float) -> float:
        """Campaign spend in [a, b): each campaign's cost spread evenly over its days."""
        total = 0.0
        for start, end, cost in self.campaigns:
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                total += cost * overlap / (end - start)
        return total
