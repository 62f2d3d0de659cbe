"""Agency (locum) cover: requests, placements, renewals, churn, release and conversion.

Each team aims for ``cover_fraction × vacant FTE`` of agency cover (vacancy by
the DfE definition; the agency cover trend's value for the run year in its
place, if the scenario has one: every team is reviewed when the year turns),
plus, when ``pressure_cover_max_fte`` is set and the team's load/capacity at
a month end exceeds ``pressure_cover_threshold``, enough extra agency FTE to
bring it back to the threshold, up to that cap.
Placements are whole posts (1 FTE); the target is rounded to the nearest FTE.

* Short of the target, the service requests a worker: the request is filled
  after ``lead_time_days`` with ``fill_probability``, else tried again.
* A placement lasts ``placement_days``; at its end it is renewed with
  ``renewal_probability`` if still needed, else the worker leaves.
* Agency workers also leave early at ``early_exit_annual_rate`` (per
  FTE-year; no notice) — agency churn.
* Above the target (permanent staff arrived), pending requests are withdrawn
  first, then the worker holding the fewest cases is released on
  ``release_notice_days`` notice.
* An agency worker converts to a permanent post at ``conversion_annual_rate``,
  only into a vacancy and only if their cases fit a permanent caseload (which
  differs when ``capacity_factor`` is not 1); their cases stay with them.
* Newly qualified social workers are never agency workers (DfE rules).

A request is a :class:`~workforce_sim.engine.context.Ticket` (voided when it
is filled or withdrawn); each placement holds one too (:attr:`Agency.placements`,
keyed by worker), replaced at each renewal, so the end of an earlier placement
is dropped. A released worker is ``leaving`` (working their notice).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.engine.context import Ticket
from workforce_sim.engine.state.teams import EPS, committed_fte, vacancy_fte
from workforce_sim.engine.state.workers import AGENCY, Worker
from workforce_sim.engine.streams import EXP1, UNIFORM, buffered_sampler

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Workforce
    from workforce_sim.engine.state.teams import TeamState

DAYS_PER_YEAR = 365.25

class Request(Ticket):
    """A request for an agency worker; void once filled or withdrawn."""

    __slots__ = ("team",)

    def __init__(self, team: TeamState):
        super().__init__()
        self.team = team


class Agency:
    """Agency cover of each team: requests, placements, churn, release and conversion.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``agency``).
    staffing : Workforce
        Who starts, converts and releases workers (``Staffing``).
    """

    def __init__(self, ctx: Context, staffing: Workforce):
        self.ctx = ctx
        self.staffing = staffing
        a = ctx.scenario.workforce.agency
        self.policy = a
        rng = ctx.streams["agency"]
        self.lead_time = buffered_sampler(a.lead_time_days, rng)
        self.placement_days = buffered_sampler(a.placement_days, rng)
        self.uniform = buffered_sampler(UNIFORM, rng)
        self.exp1 = buffered_sampler(EXP1, rng)
        self.requests: dict[str, list[Request]] = {t: [] for t in ctx.teams}
        self.extra: dict[str, float] = dict.fromkeys(ctx.teams, 0.0)
        self.placements: dict[Worker, Ticket] = {}     # the placement in force, by worker
        self.trends = ctx.trends
        if self.trends.agency_cover:
            for day in self.trends.boundaries:
                ctx.at(day, self._new_year)

    # -- the target -----------------------------------------------------------------

    def goal(self, team: TeamState) -> int:
        """Agency posts wanted: the target rounded to the nearest whole FTE.

        Parameters
        ----------
        team : TeamState

        Returns
        -------
        int
        """
        share = self.trends.at(self.trends.agency_cover, self.ctx.now, self.policy.cover_fraction)
        target = share * vacancy_fte(team) + self.extra[team.name]
        return math.floor(target + 0.5 + EPS)

    def cover(self, team: TeamState) -> float:
        """Agency FTE on placement and not released, plus requests under way.

        Parameters
        ----------
        team : TeamState

        Returns
        -------
        float
        """
        return exact.to_float(team.agency_units) + len(self.requests[team.name])

    def review(self, team: TeamState) -> None:
        """Request, withdraw or release until the team's cover meets its goal.

        Parameters
        ----------
        team : TeamState
        """
        goal, current = self.goal(team), self.cover(team)
        requests = self.requests[team.name]
        while current + 1 <= goal + EPS:
            self._request(Request(team))
            current += 1
        while requests and current - 1 >= goal - EPS:
            requests.pop().void()
            current -= 1
        while current > goal + EPS:
            placed = [w for w in team.workers if w.kind == AGENCY and not w.leaving]
            if not placed:
                break
            w = min(placed, key=lambda w: (len(w.cases), -w.joined_day))
            if current - w.fte < goal - EPS:
                break                      # releasing them would leave too little cover
            self._release(w)
            current -= w.fte

    def _new_year(self) -> None:
        for team in self.ctx.team_list:      # the trend's cover for the year
            self.review(team)

    def month_end(self, month: int) -> None:
        """Re-read caseload pressure for the optional pressure cover.

        Parameters
        ----------
        month : int
            The month that has just closed (unused).
        """
        p = self.policy
        staffing = self.staffing
        for team in self.ctx.team_list:
            extra = 0.0
            if p.pressure_cover_max_fte > 0:
                holders = [w for w in team.workers if w.capacity > 0]
                load = sum(w.load for w in holders)
                capacity = sum(w.capacity for w in holders)
                unit = team.caseload_cap * staffing.agency_factor * (1 - staffing.absence)
                waiting = sum(c.weight for q in team.queues for c in q)
                excess = (load + waiting) / p.pressure_cover_threshold - capacity
                if excess > 0 and unit > 0:
                    extra = min(p.pressure_cover_max_fte, math.ceil(excess / unit - EPS))
            self.extra[team.name] = extra
            self.review(team)

    # -- requests and placements ------------------------------------------------------

    def _request(self, r: Request) -> None:
        self.requests[r.team.name].append(r)
        self.ctx.after(self.lead_time(), self._filled, r, ticket=r)

    def _filled(self, r: Request) -> None:
        if self.uniform() >= self.policy.fill_probability:
            self.ctx.after(self.lead_time(), self._filled, r, ticket=r)     # try again
            return
        r.void()
        self.requests[r.team.name].remove(r)
        self.start(r.team)

    def start(self, team: TeamState, fte: float = 1.0, remaining: float | None = None) -> Worker:
        """An agency worker starts a placement.

        Parameters
        ----------
        team : TeamState
        fte : float
        remaining : float, optional
            Days of the placement left (the opening workforce); a new placement's
            length is drawn otherwise.

        Returns
        -------
        Worker
        """
        team.agency_starts += remaining is None
        w = self.staffing.add(AGENCY, team, fte)
        self._schedule(w, remaining if remaining is not None else self.placement_days())
        if self.policy.early_exit_annual_rate > 0:
            self.ctx.after(self.exp1() / self.policy.early_exit_annual_rate * DAYS_PER_YEAR,
                           self._early_exit, w)
        self._next_conversion(w)
        return w

    def _schedule(self, w: Worker, days: float) -> None:
        old = self.placements.get(w)
        if old is not None:
            old.void()
        placement = self.placements[w] = Ticket()
        self.ctx.after(days, self._placement_ends, w, ticket=placement)

    def _placement_ends(self, w: Worker) -> None:
        if not (w.active and w.kind == AGENCY) or w.leaving:
            return
        team = w.team
        still_needed = self.cover(team) - w.fte < self.goal(team) - EPS
        if still_needed and self.uniform() < self.policy.renewal_probability:
            self._schedule(w, self.placement_days())
        else:
            self.staffing.leave(w)

    def _early_exit(self, w: Worker) -> None:
        if w.active and w.kind == AGENCY:
            self.staffing.leave(w)

    def _release(self, w: Worker) -> None:
        w.leaving = True
        w.retally()
        self.ctx.after(self.policy.release_notice_days, self.staffing.leave, w)

    # -- conversion ---------------------------------------------------------------------

    def _next_conversion(self, w: Worker) -> None:
        rate = self.policy.conversion_annual_rate
        if rate > 0:
            self.ctx.after(self.exp1() / rate * DAYS_PER_YEAR, self._convert, w)

    def _convert(self, w: Worker) -> None:
        if not (w.active and w.kind == AGENCY) or w.leaving:
            return
        team = w.team
        staffing = self.staffing
        as_permanent = team.caseload_cap * w.fte * (1.0 - staffing.absence)
        if team.establishment_fte - committed_fte(team) >= w.fte - EPS \
                and w.load <= as_permanent + EPS:        # their cases must still fit
            team.conversions += 1
            staffing.convert(w)
        else:
            self._next_conversion(w)       # no post to convert into: the hazard goes on
