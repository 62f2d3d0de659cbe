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
      covering permanent staff from the end of their ASYE),

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
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from simpy.events import Timeout

from workforce_sim.engine.processes.staffing import EMPLOYED, NQSW, PERMANENT, Worker
from workforce_sim.engine.streams import EXP1, buffered_sampler
from workforce_sim.scenario.calendar import DAYS_PER_YEAR, day_of

if TYPE_CHECKING:
    from workforce_sim.engine.model import Model


class Attrition:
    def __init__(self, model: Model):
        self.model = model
        s = model.scenario
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
        self.threshold = buffered_sampler(EXP1, model.streams["attrition"])
        self.asye_days = model.staffing.asye_days      # one length of the ASYE for the model

    # -- the hazard ---------------------------------------------------------------

    def _asye_end(self, w: Worker) -> float:
        return w.asye_day0 + self.asye_days if w.kind == NQSW else -1.0

    def annual_rate(self, w: Worker, day: float, pressure: float) -> float:
        """Leavers per FTE-year for this worker at ``day`` (pressure multiplier given).
        An NQSW is taken to be permanent from the end of their ASYE, for the levers."""
        kind = PERMANENT if w.kind == NQSW and day >= self._asye_end(w) else w.kind
        if day < w.early_until:
            rate = w.early_rate
        else:
            band = bisect.bisect_right(self.band_years, w.service_years(day)) - 1
            rate = self.band_rates[max(band, 0)]
        rate *= pressure
        if day < w.tie_in_until:
            rate *= w.tie_in_factor
        for start, end, lever in self.levers:
            if start <= day < end and kind in lever.covers:
                rate *= lever.turnover_factor
        return rate

    def pressure(self, w: Worker, team_ratio: float) -> float:
        """``1 + elasticity × max(0, pressure − threshold)``, where the pressure is the
        larger of the worker's own load/capacity and their team's demand/capacity
        (cases waiting unallocated weigh on everyone in the team)."""
        if w.capacity <= 0:
            return 1.0
        # max() and min() written out, with the same choices (NaN included): this runs
        # for every worker at every month end
        own = w.load / w.capacity
        ratio = team_ratio if team_ratio > own else own
        excess = (10.0 if 10.0 < ratio else ratio) - self.pressure_threshold
        return 1.0 + self.pressure_elasticity * (excess if excess > 0.0 else 0.0)

    def _breaks(self, w: Worker) -> list[float]:
        """Days where this worker's hazard may change, sorted. They are fixed from
        the day they become an employee (``start``) until they leave."""
        points = [w.early_until, w.tie_in_until, self._asye_end(w)]
        points += [w.joined_day + y * DAYS_PER_YEAR - w.service_days_at_join for y in self.band_years]
        for start, end, _ in self.levers:
            points += [start, end]
        return sorted(set(points))

    # -- planning -----------------------------------------------------------------

    def start(self, w: Worker) -> None:
        """A new employee: draw their threshold and plan ahead."""
        w.threshold = self.threshold()
        w.hazard = 0.0
        w.plan_from = w.planned_until = -1.0
        w.plan += 1                   # cancels anything planned before
        w.resigning = False
        w.retally()
        w.breaks = self._breaks(w)
        self.plan(w)

    def plan(self, w: Worker, team_ratio: float | None = None) -> None:
        """Plan the worker's hazard from now at the caseload pressure read now: to
        the horizon while pressure adds nothing (and for someone whose hazard cannot
        depend on it), else to the next month end, when it is read again. A plan in
        force whose pressure is unchanged stands; one whose pressure has changed is
        replaced from now, its resignation (if any) cancelled."""
        model = self.model
        now = model.env._now
        if not w.active or w.resigning or w.kind not in EMPLOYED:
            return
        free = self.pressure_elasticity == 0 or not w.team.holds_cases
        if free:
            pressure = 1.0
        else:
            if team_ratio is None:
                team_ratio = w.team.demand_ratio()
            pressure = self.pressure(w, team_ratio)
        if w.planned_until > now:                 # a plan is in force
            if pressure == w.plan_pressure:
                return
            crossed, hazard = self._integrate(w, w.plan_from, now, w.plan_pressure, w.hazard)
            if crossed is not None:
                return                            # its resignation falls due now
            w.hazard = hazard
            w.plan += 1
        elif w.plan_from >= 0:                    # the last plan ran out: carry its hazard on
            w.hazard = w.hazard_until
        until = model.horizon_days if pressure == 1.0 or free else model.next_month_end(now)
        w.plan_from, w.planned_until, w.plan_pressure = now, until, pressure
        crossed, w.hazard_until = self._integrate(w, now, until, pressure, w.hazard)
        if crossed is not None:
            ev = Timeout(model.env, crossed - now, (w, w.plan))
            ev.callbacks.append(self._resign)

    def _integrate(self, w: Worker, a: float, b: float, pressure: float,
                   hazard: float) -> tuple[float | None, float]:
        """Integrate the hazard over [a, b] from ``hazard``, piece by piece between
        the worker's break days: (the day it reaches the threshold or None, the
        integrated hazard at b)."""
        breaks = w.breaks
        edges = [a, *breaks[bisect.bisect_right(breaks, a):bisect.bisect_left(breaks, b)], b]
        for lo, hi in zip(edges, edges[1:], strict=False):
            rate = self.annual_rate(w, (lo + hi) / 2, pressure) / DAYS_PER_YEAR
            gained = rate * (hi - lo)
            if hazard + gained >= w.threshold:
                return lo + (w.threshold - hazard) / rate, w.threshold
            hazard += gained
        return None, hazard

    def month_end(self) -> None:
        """Re-read caseload pressure in the teams that hold cases (elsewhere, and
        everywhere when pressure has no effect, plans run to the horizon)."""
        if not self.pressure_elasticity:
            return
        for team in self.model.team_list:
            if team.holds_cases:
                ratio = team.demand_ratio()
                for w in team.workers:
                    self.plan(w, ratio)

    def _resign(self, event) -> None:
        w, plan = event.value
        if w.plan != plan or not w.active or w.kind not in EMPLOYED:
            return                                # replaced by a later plan, or gone
        w.resigning = True
        w.retally()
        model = self.model
        model.review(w.team)      # recruitment starts at resignation
        ev = Timeout(model.env, self.notice_days, w)
        ev.callbacks.append(self._depart)

    def _depart(self, event) -> None:
        self.model.staffing.leave(event.value)
