"""Social workers: kinds, capacity, the ASYE ramp, joining and leaving a team.

Capacity (caseload points a worker may hold) is
``team caseload_cap × FTE × kind factor × (1 − absence rate)``: permanent staff
have factor 1, agency staff ``workforce.agency.capacity_factor``, trainees 0,
and a newly qualified social worker's factor ramps linearly over the ASYE year
from ``capacity_start`` to ``capacity_end``, applied in weekly steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from .allocation import TeamState
    from .core import Model

PERMANENT, NQSW, AGENCY, TRAINEE = "permanent", "nqsw", "agency", "trainee"
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
RAMP_STEP_DAYS = 7.0


class Worker:
    """One social worker (or trainee) in a team."""

    __slots__ = ("id", "kind", "team", "fte", "factor", "capacity", "load", "cases",
                 "joined_day", "service_days_at_join", "asye_day0", "active")

    def __init__(self, wid: int, kind: str, team: TeamState, fte: float, factor: float,
                 joined_day: float, service_days_at_join: float = 0.0):
        self.id = wid
        self.kind = kind
        self.team = team
        self.fte = fte
        self.factor = factor
        self.capacity = 0.0
        self.load = 0.0
        self.cases: dict = {}          # insertion-ordered set of the cases held
        self.joined_day = joined_day
        self.service_days_at_join = service_days_at_join
        self.asye_day0 = 0.0           # day the ASYE started (NQSWs only)
        self.active = True

    def __repr__(self) -> str:
        return f"Worker({self.id}, {self.kind}, team={self.team.name}, load={self.load:g}/{self.capacity:g})"


class Staffing:
    """Creates workers, keeps their capacity current, and removes them."""

    def __init__(self, model: Model):
        self.model = model
        s = model.scenario
        self.absence = s.absence.rate
        self.nqsw = s.workforce.nqsw
        self.agency_factor = s.workforce.agency.capacity_factor
        self._next_id = 0

    def capacity_of(self, w: Worker) -> float:
        return w.team.caseload_cap * w.fte * w.factor * (1.0 - self.absence)

    def add(self, kind: str, team: TeamState, fte: float = 1.0, *,
            service_years: float = 0.0, months_served: float = 0.0) -> Worker:
        """A worker joins ``team`` now; cases waiting for room are allocated to them."""
        now = self.model.env.now
        factor = {PERMANENT: 1.0, AGENCY: self.agency_factor, TRAINEE: 0.0}.get(kind, 0.0)
        w = Worker(self._next_id, kind, team, fte, factor, now, service_years * DAYS_PER_YEAR)
        self._next_id += 1
        team.workers.append(w)
        if kind == NQSW:
            w.asye_day0 = now - months_served * DAYS_PER_MONTH
            self._set_asye_factor(w)
            self.model.env.process(self._asye(w))
        w.capacity = self.capacity_of(w)
        team.room_changed()
        return w

    def remove(self, w: Worker) -> None:
        """A worker leaves now: their cases go back to the head of the team's queue."""
        team = w.team
        team.workers.remove(w)
        w.active = False
        w.capacity = 0.0
        team.hand_over(w)

    # -- ASYE ---------------------------------------------------------------

    def _asye_progress(self, w: Worker) -> float:
        length = self.nqsw.asye_months * DAYS_PER_MONTH
        return min(1.0, max(0.0, (self.model.env.now - w.asye_day0) / length))

    def _set_asye_factor(self, w: Worker) -> None:
        p = self._asye_progress(w)
        w.factor = self.nqsw.capacity_start + (self.nqsw.capacity_end - self.nqsw.capacity_start) * p

    def _asye(self, w: Worker):
        """Step the NQSW's capacity up weekly; at the end of the ASYE they become permanent."""
        env = self.model.env
        end = w.asye_day0 + self.nqsw.asye_months * DAYS_PER_MONTH
        while (step := min(RAMP_STEP_DAYS, end - env.now)) > 0:
            yield env.timeout(step)
            if not w.active:
                return
            self._set_asye_factor(w)
            w.capacity = self.capacity_of(w)
            w.team.room_changed()
        if w.active:
            w.kind = PERMANENT
            w.factor = 1.0
            w.capacity = self.capacity_of(w)
            w.team.room_changed()
