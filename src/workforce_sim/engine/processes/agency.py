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
* Returners: a permanent leaver whose destination is agency work comes back
  to this council as an agency worker with ``return_as_agency``, into a
  council-wide pool of returners. They may take a placement here from the day
  they leave if that is before ``cooling_off_from`` (the DfE rules apply to
  assignments from 1 October 2025), else only ``cooling_off_days`` after
  leaving; they wait ``returner_available_days`` from the first day they may
  return, then go elsewhere. A request is filled from the pool first, at once
  (no lead time: they know the council), the longest-waiting returner first;
  a returner who becomes free takes the oldest request waiting, whatever its
  team. Otherwise the market fills it as above. Off (``return_as_agency = 0``)
  nothing is drawn and nothing is scheduled.

A request is a :class:`~workforce_sim.engine.context.Ticket` (voided when it
is filled or withdrawn; one a returner is on their way to holds them, and
gives them back to the pool if withdrawn); each placement holds one too (:attr:`Agency.placements`,
keyed by worker), replaced at each renewal, so the end of an earlier placement
is dropped. A released worker is ``leaving`` (working their notice).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.engine.context import Ticket
from workforce_sim.engine.state.teams import EPS, committed_fte, vacancy_fte
from workforce_sim.engine.state.workers import AGENCY, PERMANENT, Worker
from workforce_sim.engine.streams import EXP1, UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import day_of

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Workforce
    from workforce_sim.engine.state.teams import TeamState

DAYS_PER_YEAR = 365.25

class Returner:
    """A former employee who may come back as an agency worker: when they left, the
    last day they wait for a placement here, and whether they have taken one."""

    __slots__ = ("left", "until", "placed")

    def __init__(self, left: float, until: float):
        self.left = left
        self.until = until
        self.placed = False


class Request(Ticket):
    """A request for an agency worker; void once filled or withdrawn."""

    __slots__ = ("team", "made", "returner")

    def __init__(self, team: TeamState, made: float):
        super().__init__()
        self.team = team
        self.made = made
        self.returner: Returner | None = None   # a returner on their way to fill it


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
        # returners: only drawn from (stream agency.returners) when some may return
        self.return_rate = a.return_as_agency
        self.cooling_off_days = a.cooling_off_days
        self.cooling_off_from = day_of(ctx.scenario.start_date, a.cooling_off_from)
        self.returns = buffered_sampler(UNIFORM, ctx.streams["agency.returners"]) \
            if self.return_rate > 0 else None
        self.pool: list[Returner] = []     # returners waiting, longest-waiting first
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
        while current + 1 <= goal + EPS and not self.ctx.agency_capped:   # the budget's cap
            self._request(Request(team, self.ctx.now))
            current += 1
        while requests and current - 1 >= goal - EPS:
            self._withdraw(requests.pop())
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
        if self.pool:
            returner = self._free_returner()
            if returner is not None:            # at once, but not inside this review
                r.returner = returner
                returner.placed = True
                self.ctx.after(0.0, self._returner_fills, r, ticket=r)
                return
        self.ctx.after(self.lead_time(), self._filled, r, ticket=r)

    def _withdraw(self, r: Request) -> None:
        r.void()
        if r.returner is not None:              # they go back to the pool, first in line
            r.returner.placed = False
            self.pool.insert(0, r.returner)

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

    # -- returners ----------------------------------------------------------------------

    def may_return(self, returner: Returner, day: float) -> bool:
        """Whether the DfE's cooling-off lets ``returner`` start a placement here on ``day``.

        Parameters
        ----------
        returner : Returner
        day : float

        Returns
        -------
        bool
            True on a day before ``cooling_off_from`` (no cooling-off for those
            assignments) or at least ``cooling_off_days`` after they left.
        """
        return day < self.cooling_off_from or day >= returner.left + self.cooling_off_days

    def left_for_agency(self, w: Worker) -> None:
        """A leaver who went to agency work: with ``return_as_agency`` they come back
        to the pool here, free to take a placement from the first day the
        cooling-off allows (an NQSW never: no agency work without 3 years' experience).

        Parameters
        ----------
        w : Worker
            A permanent or newly qualified social worker who has just left.
        """
        if self.returns is None or w.kind != PERMANENT or self.returns() >= self.return_rate:
            return
        now = self.ctx.now
        returner = Returner(now, 0.0)
        # delays, not days, so that the call falls exactly on the day may_return reads
        wait = 0.0 if self.may_return(returner, now) else self.cooling_off_days
        returner.until = now + wait + self.policy.returner_available_days
        self.pool.append(returner)
        self.ctx.after(wait, self._returner_free, returner)
        resumes = now + self.cooling_off_days     # after a cooling-off that began on the way
        if wait == 0 and max(now, self.cooling_off_from) < resumes < returner.until:
            self.ctx.after(self.cooling_off_days, self._returner_free, returner)

    def _free_returner(self) -> Returner | None:
        """The longest-waiting returner who may start today (those past waiting leave the pool)."""
        now = self.ctx.now
        self.pool = [r for r in self.pool if r.until > now]
        for r in self.pool:
            if self.may_return(r, now):
                self.pool.remove(r)
                return r
        return None

    def _returner_free(self, returner: Returner) -> None:
        """A returner may start now: they take the oldest request waiting, if any."""
        now = self.ctx.now
        if returner.placed or returner.until <= now or not self.may_return(returner, now):
            return
        waiting = [r for t in self.ctx.team_list for r in self.requests[t.name]
                   if r.returner is None]
        if not waiting:
            return
        r = min(waiting, key=lambda r: r.made)  # the oldest; ties in team order
        self.pool.remove(returner)
        r.void()
        self.requests[r.team.name].remove(r)
        self._returner_starts(r.team, returner)

    def _returner_fills(self, r: Request) -> None:
        r.void()
        self.requests[r.team.name].remove(r)
        assert r.returner is not None
        self._returner_starts(r.team, r.returner)

    def _returner_starts(self, team: TeamState, returner: Returner) -> None:
        returner.placed = True
        team.agency_returners += 1
        self.start(team)

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
