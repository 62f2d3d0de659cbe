"""Permanent and newly qualified social workers leaving.

``annual_turnover`` is leavers per FTE-year (the DfE census definition), so it
is a hazard: a closed cohort decays as ``exp(−h·t)``. Each worker draws a
threshold ``E ~ Exp(1)`` when they become an employee and resigns when their
integrated hazard reaches it. That is exact for time-varying hazards and keeps
common random numbers aligned between scenarios.

The hazard at time ``t`` is

    base(service band, or the cohort's early rate) / 365.25
    × (1 + pressure_elasticity × max(0, load/capacity − pressure_threshold))
    × tie-in factor (academy graduates, during the tie-in)
    × Π turnover factors of the retention levers in force.

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

from ..calendar import DAYS_PER_YEAR, day_of
from ..streams import EXP1, buffered_sampler
from .staff import DAYS_PER_MONTH, EMPLOYED, NQSW, PERMANENT, Worker

if TYPE_CHECKING:
    from .core import Model


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
        self.asye_days = s.workforce.nqsw.asye_months * DAYS_PER_MONTH

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
        ratio = max(w.load / w.capacity, team_ratio)
        return 1.0 + self.pressure_elasticity * max(0.0, min(ratio, 10.0) - self.pressure_threshold)

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
        w.planned_until = -1.0
        w.resigning = False
        w.breaks = self._breaks(w)
        self.plan(w)

    def plan(self, w: Worker, team_ratio: float | None = None) -> None:
        """Integrate the hazard from now to the next month end (to the horizon for
        someone whose hazard cannot depend on caseload pressure); schedule the
        resignation if the threshold is crossed on the way."""
        model = self.model
        now = model.env.now
        if not w.active or w.hazard >= w.threshold or w.kind not in EMPLOYED \
                or w.planned_until > now:
            return        # gone, resignation already scheduled, or already planned past now
        pressure_free = self.pressure_elasticity == 0 or not w.team.holds_cases
        until = model.horizon_days if pressure_free else model.next_month_end(now)
        w.planned_until = until
        if pressure_free:
            pressure = 1.0
        else:
            if team_ratio is None:
                team_ratio = w.team.demand_ratio()
            pressure = self.pressure(w, team_ratio)
        breaks = w.breaks
        edges = [now, *breaks[bisect.bisect_right(breaks, now):bisect.bisect_left(breaks, until)], until]
        for a, b in zip(edges, edges[1:], strict=False):
            rate = self.annual_rate(w, (a + b) / 2, pressure) / DAYS_PER_YEAR
            gained = rate * (b - a)
            if w.hazard + gained >= w.threshold:
                t = a + (w.threshold - w.hazard) / rate
                w.hazard = w.threshold
                ev = Timeout(model.env, t - now, w)
                ev.callbacks.append(self._resign)
                return
            w.hazard += gained

    def month_end(self) -> None:
        """Re-read caseload pressure and plan the month ahead. Workers in teams that
        hold no cases, or everyone when pressure has no effect, were planned to the
        horizon when they started."""
        if not self.pressure_elasticity:
            return
        for team in self.model.team_list:
            if team.holds_cases:
                ratio = team.demand_ratio()
                for w in team.workers:
                    self.plan(w, ratio)

    def _resign(self, event) -> None:
        w: Worker = event.value
        if not w.active or w.kind not in EMPLOYED:
            return
        w.resigning = True
        model = self.model
        model.review(w.team)      # recruitment starts at resignation
        ev = Timeout(model.env, self.notice_days, w)
        ev.callbacks.append(self._depart)

    def _depart(self, event) -> None:
        self.model.staffing.leave(event.value)
