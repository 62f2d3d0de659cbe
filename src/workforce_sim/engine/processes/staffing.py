"""Social workers: kinds, capacity, the ASYE, joining, changing kind and leaving.

Capacity (caseload points a worker may hold) is
``team caseload_cap × FTE × kind factor × (1 − absence rate)``: permanent staff
have factor 1, agency staff ``workforce.agency.capacity_factor``, trainees 0,
and a newly qualified social worker's factor ramps linearly over the ASYE year
from ``capacity_start`` to ``capacity_end``, applied in weekly steps. At the
end of the ASYE an NQSW becomes a permanent social worker, or, if they came
through an academy pathway and fail the ASYE (probability
``1 − asye_pass_rate``), leaves.

Every join, change of kind and departure goes through :class:`Staffing`, which
keeps capacity, costs, the staff log and the flow counters in step, and then
asks recruitment and agency cover to look at the team again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.scenario.calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from workforce_sim.engine.model import Model
    from workforce_sim.engine.processes.allocation import TeamState

PERMANENT, NQSW, AGENCY, TRAINEE = "permanent", "nqsw", "agency", "trainee"
EMPLOYED = (PERMANENT, NQSW)
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
RAMP_STEP_DAYS = 7.0


class Worker:
    """One social worker (or trainee) in a team."""

    __slots__ = (
        "id", "kind", "team", "fte", "factor", "capacity", "load", "ratio", "cases", "active",
        "joined_day", "service_days_at_join", "asye_day0", "pathway", "rates", "spell",
        # leaving (permanent and NQSW): Exp(1) threshold against the integrated hazard
        "threshold", "hazard", "hazard_until", "plan", "plan_from", "planned_until", "plan_pressure",
        "breaks", "resigning", "tie_in_until", "tie_in_factor",
        "early_until", "early_rate",
        # agency placements
        "releasing", "placement",
        # what the worker adds to the team's FTE tallies (retally, exact.py)
        "units", "counted",
    )

    def __init__(self, wid: int, kind: str, team: TeamState, fte: float, joined_day: float):
        self.id = wid
        self.kind = kind
        self.team = team
        self.fte = fte
        self.factor = 0.0
        self.capacity = 0.0
        self.load = 0.0
        self.ratio = float("inf")      # load / capacity (inf without capacity): allocation reads it
        self.cases: dict = {}          # insertion-ordered set of the cases held
        self.active = True
        self.joined_day = joined_day
        self.service_days_at_join = 0.0
        self.asye_day0 = 0.0           # day the ASYE started (NQSWs only)
        self.pathway = None            # the academy pathway they came through, if any
        self.rates = (0.0,) * 8        # what they add to the team's accruals (costs.py)
        self.spell = None              # row of the staff log, when kept
        self.threshold = float("inf")
        self.hazard = 0.0              # integrated hazard at plan_from (attrition.py)
        self.hazard_until = 0.0        # ... and at planned_until, if no resignation on the way
        self.plan = 0                  # number of the plan in force: older resignations are void
        self.plan_from = -1.0          # the plan in force covers [plan_from, planned_until]
        self.planned_until = -1.0
        self.plan_pressure = 1.0       # the pressure multiplier it was made with
        self.breaks: list[float] = []  # days where the hazard may change (attrition.py)
        self.resigning = False
        self.tie_in_until = -1.0
        self.tie_in_factor = 1.0
        self.early_until = -1.0
        self.early_rate = 0.0
        self.releasing = False
        self.placement = 0             # placement number: stale placement events are ignored
        self.units = exact.units(fte)
        self.counted = (False, False, False)   # (employed, committed, agency cover)

    def retally(self) -> None:
        """Bring the team's FTE tallies in line with this worker, after a change to
        their kind, ``active``, ``resigning`` or ``releasing``: employed (permanent
        and NQSW), committed (employed and not working their notice), and agency
        cover (on placement and not released)."""
        employed = self.active and self.kind in EMPLOYED
        committed = employed and not self.resigning
        cover = self.active and self.kind == AGENCY and not self.releasing
        was_employed, was_committed, was_cover = self.counted
        team, u = self.team, self.units
        team.employed_units += (employed - was_employed) * u
        team.committed_units += (committed - was_committed) * u
        team.agency_units += (cover - was_cover) * u
        self.counted = (employed, committed, cover)

    def service_years(self, day: float) -> float:
        return (self.service_days_at_join + day - self.joined_day) / DAYS_PER_YEAR

    def __repr__(self) -> str:
        return (f"Worker({self.id}, {self.kind}, team={self.team.name}, "
                f"load={self.load:g}/{self.capacity:g})")


class Staffing:
    """Creates workers, keeps their capacity and costs current, and removes them."""

    def __init__(self, model: Model):
        self.model = model
        s = model.scenario
        self.absence = s.absence.rate
        nqsw = s.workforce.nqsw
        # the ASYE ramp as plain floats: _factor runs at every weekly step
        self.asye_days = nqsw.asye_months * DAYS_PER_MONTH
        self.ramp_start, self.ramp_end = nqsw.capacity_start, nqsw.capacity_end
        self.agency_factor = s.workforce.agency.capacity_factor
        self._kind_factor = {PERMANENT: 1.0, AGENCY: self.agency_factor}
        self._next_id = 0

    def _factor(self, w: Worker) -> float:
        if not w.team.holds_cases:
            return 0.0
        if w.kind == NQSW:
            p = min(1.0, max(0.0, (self.model.env._now - w.asye_day0) / self.asye_days))
            return self.ramp_start + (self.ramp_end - self.ramp_start) * p
        return self._kind_factor.get(w.kind, 0.0)

    def _update_capacity(self, w: Worker) -> None:
        w.factor = self._factor(w)
        w.capacity = w.team.caseload_cap * w.fte * w.factor * (1.0 - self.absence)
        w.ratio = w.load / w.capacity if w.capacity > 0 else float("inf")

    # -- joining ----------------------------------------------------------------

    def add(self, kind: str, team: TeamState, fte: float = 1.0, *, service_years: float = 0.0,
            months_served: float = 0.0, pathway=None, **traits) -> Worker:
        """A worker joins ``team`` now; waiting cases are allocated to them.
        ``traits`` set worker attributes first (a cohort's ``early_until``, ...)."""
        model = self.model
        now = model.env.now
        w = Worker(self._next_id, kind, team, fte, now)
        self._next_id += 1
        w.service_days_at_join = service_years * DAYS_PER_YEAR
        w.pathway = pathway
        for name, value in traits.items():
            setattr(w, name, value)
        team.workers.append(w)
        if kind == NQSW:
            self._start_asye(w, months_served)
        self._settled(w)
        if kind in EMPLOYED:
            model.attrition.start(w)
        return w

    def _start_asye(self, w: Worker, months_served: float = 0.0) -> None:
        w.asye_day0 = self.model.env.now - months_served * DAYS_PER_MONTH
        self.model.env.process(self._asye(w))

    def _settled(self, w: Worker) -> None:
        """After any change to a worker: capacity, costs, log, then the team's other processes."""
        model = self.model
        w.retally()
        self._update_capacity(w)
        model.costs.refresh(w)
        if model.staff_log is not None:
            model.staff_log.change(w, model.env.now)
        w.team.room_changed()
        model.review(w.team)

    # -- changing kind ----------------------------------------------------------

    def qualify(self, w: Worker) -> None:
        """A trainee qualifies and starts their ASYE as an NQSW."""
        w.kind = NQSW
        self._start_asye(w)
        self._settled(w)
        self.model.attrition.start(w)

    def convert(self, w: Worker) -> None:
        """An agency worker takes a permanent post; their cases stay with them."""
        w.kind = PERMANENT
        w.joined_day = self.model.env.now
        w.service_days_at_join = 0.0
        self._settled(w)
        self.model.attrition.start(w)

    def _asye(self, w: Worker):
        """Step the NQSW's capacity up weekly; at the end of the ASYE they pass or leave."""
        env = self.model.env
        end = w.asye_day0 + self.asye_days
        while (step := min(RAMP_STEP_DAYS, end - env.now)) > 0:
            yield env.timeout(step)
            if not w.active:
                return
            self._update_capacity(w)
            w.team.room_changed()
        if not w.active:
            return
        if w.pathway is not None and not self.model.academy.passes_asye(w):
            self.leave(w)
            return
        w.kind = PERMANENT
        self._settled(w)

    # -- leaving ----------------------------------------------------------------

    def leave(self, w: Worker) -> None:
        """A worker leaves now: their cases go back to the head of the team's queue."""
        if not w.active:
            return
        team = w.team
        team.workers.remove(w)
        w.active = False
        w.retally()
        w.capacity = 0.0
        w.ratio = float("inf")
        if w.kind in EMPLOYED:
            team.leavers_permanent += 1
            team.leavers_permanent_fte += w.fte
        elif w.kind == AGENCY:
            team.leavers_agency += 1
            team.agency_releases += w.releasing
        elif w.kind == TRAINEE:
            team.academy_dropouts += 1
        model = self.model
        model.costs.refresh(w)
        if model.staff_log is not None:
            model.staff_log.end(w, model.env.now)
        team.hand_over(w)
        model.review(team)
