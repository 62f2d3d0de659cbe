"""Agency (locum) cover: requests, placements, renewals, churn, release and conversion.

Each team aims for ``cover_fraction × vacant FTE`` of agency cover (vacancy by
the DfE definition; the agency cover trend's value for the run year in its
place, if the scenario has one: every team is reviewed when the year turns),
plus, when ``pressure_cover_max_fte`` is set and the team's load/capacity at
a month end exceeds ``pressure_cover_threshold``, enough extra agency FTE to
bring it back to the threshold, up to that cap, plus the FTE of its employees on a
long absence with ``cover`` (``processes/absence.py``).
Placements are whole posts (1 FTE); the target is rounded to the nearest FTE.

* Short of the target, the service requests a worker at the council's offer
  (``market.py``: its rate for the team's role, dated rate changes, the price
  cap in force): the request is filled after ``lead_time_days`` with the
  market's chance at that offer (``fill_probability`` at the market rate),
  else tried again. The placement is charged the offer.
* A placement lasts ``placement_days``; at its end it is renewed with
  ``renewal_probability`` if still needed (at a new offer), else the worker
  leaves.
* Agency workers also leave early at ``early_exit_annual_rate`` (per
  FTE-year) — agency churn: without notice on an assignment that started
  before the agency rules, else on the rules' ``notice_days`` (during which
  the team seeks their replacement).
* Above the target (permanent staff arrived), pending requests are withdrawn
  first, then the worker holding the fewest cases is released on the
  ``notice_days`` of the rules their assignment started under (the first
  set's before the rules).
* An agency worker converts to a permanent post at ``conversion_annual_rate``,
  only into a vacancy and only if their cases fit a permanent caseload (which
  differs when ``capacity_factor`` is not 1); their cases stay with them.
* The agency rules (``rules``, S8) are dated sets; the set in force on the day
  an assignment starts applies to it. A worker from the market has the set's
  ``min_pqe_years`` of post-qualifying experience plus a draw of
  ``pqe_above_min_years`` (stream ``agency.pqe``). Newly qualified social
  workers are never agency workers.
* Returners: a permanent leaver whose destination is agency work comes back
  to this council as an agency worker with ``return_as_agency``, into a
  council-wide pool of returners, keeping their worker number and experience.
  They may start a placement on a day when the rules then in force allow it:
  at least ``min_pqe_years`` of experience, and ``cooling_off_days`` since
  leaving unless they left within ``probation_days`` of joining (the
  exception ``probation``). One barred at every day they could start is
  refused (counted in :attr:`Agency.refused`); the others wait
  ``returner_available_days`` from the first day they may start, then go
  elsewhere. A request is filled from the pool first, at once
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

import bisect
import math
from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.engine.context import Ticket
from workforce_sim.engine.state.teams import EPS, committed_fte, vacancy_fte
from workforce_sim.engine.state.workers import AGENCY, PERMANENT, Worker
from workforce_sim.engine.streams import EXP1, UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import day_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from workforce_sim.engine.context import AgencyMarket, Context, Workforce
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.scenario.schema import AgencyRule

DAYS_PER_YEAR = 365.25

NO_NOTICE = 0.0


class Returner:
    """A former employee who may come back as an agency worker: who they were, when
    they left, the last day they wait for a placement here, and whether they have taken
    one."""

    __slots__ = ("worker", "left", "until", "placed")

    def __init__(self, worker: Worker, left: float, until: float):
        self.worker = worker
        self.left = left
        self.until = until
        self.placed = False


class Request(Ticket):
    """A request for an agency worker; void once filled or withdrawn."""

    __slots__ = ("team", "made", "returner", "offer")

    def __init__(self, team: TeamState, made: float, offer: tuple[float, float]):
        super().__init__()
        self.team = team
        self.made = made
        self.offer = offer          # (day rate, price cap) offered: market.py
        self.returner: Returner | None = None   # a returner on their way to fill it


class Agency:
    """Agency cover of each team: requests, placements, churn, release and conversion.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``agency``).
    staffing : Workforce
        Who starts, converts and releases workers (``Staffing``).
    market : AgencyMarket
        The council's offers and the market's answer (``market.py``).
    refresh_costs : callable
        ``refresh_costs(worker)`` after an assignment's charge is set (``Costs.refresh``).
    """

    def __init__(self, ctx: Context, staffing: Workforce, market: AgencyMarket,
                 refresh_costs: Callable[[Worker], None]):
        self.ctx = ctx
        self.staffing = staffing
        self.market = market
        self.refresh_costs = refresh_costs
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
        start = ctx.scenario.start_date
        self.rule_days = [day_of(start, r.start) for r in a.rules]
        self.rules: list[AgencyRule] = list(a.rules)
        # the rules an assignment started under (None: before the rules), by worker
        self.assignment_rule: dict[Worker, AgencyRule | None] = {}
        self.pqe_above_min = buffered_sampler(a.pqe_above_min_years, ctx.streams["agency.pqe"])
        self.refused = {"pqe": 0}          # returners barred from agency work here
        self.returns = buffered_sampler(UNIFORM, ctx.streams["agency.returners"]) \
            if self.return_rate > 0 else None
        self.pool: list[Returner] = []     # returners waiting, longest-waiting first
        # FTE of the team's employees on long absence with cover (the model sets it when
        # absence.long_leave is on): added to the target
        self.absence_cover: Callable[[TeamState], float] | None = None
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
        if self.absence_cover is not None:
            target += self.absence_cover(team)
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
            self._request(Request(team, self.ctx.now, self.market.offer(team.role)))
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
        if self.uniform() >= self.market.fill_probability(r.team.role, r.offer[0]):
            self.ctx.after(self.lead_time(), self._filled, r, ticket=r)     # try again
            return
        r.void()
        self.requests[r.team.name].remove(r)
        self.start(r.team, offer=r.offer)

    # -- the rules ----------------------------------------------------------------------

    def rule_at(self, day: float) -> AgencyRule | None:
        """The agency rules for an assignment starting on ``day`` (None before the first).

        Parameters
        ----------
        day : float

        Returns
        -------
        AgencyRule or None
        """
        i = bisect.bisect_right(self.rule_days, day) - 1
        return self.rules[i] if i >= 0 else None

    def notice_days(self, w: Worker) -> float:
        """Notice to end ``w``'s assignment: its rules' (the first set's before the rules,
        none without any rules)."""
        rule = self.assignment_rule.get(w)
        if rule is None:
            rule = self.rules[0] if self.rules else None
        return rule.notice_days if rule is not None else NO_NOTICE

    def _market_pqe(self) -> float:
        """Post-qualifying experience of an agency worker from the market: the least the
        rules in force ask, plus a draw above it."""
        rule = self.rule_at(self.ctx.now)
        least = rule.min_pqe_years if rule is not None else 0.0
        return least + self.pqe_above_min()

    def start(self, team: TeamState, fte: float = 1.0, remaining: float | None = None,
              returner: Returner | None = None,
              offer: tuple[float, float] | None = None) -> Worker:
        """An agency worker starts a placement.

        Parameters
        ----------
        team : TeamState
        fte : float
        remaining : float, optional
            Days of the placement left (the opening workforce); a new placement's
            length is drawn otherwise.
        returner : Returner, optional
            A former employee coming back: they keep their number and experience.
        offer : (charge, cap), optional
            The request's offer; the market's today otherwise.

        Returns
        -------
        Worker
        """
        team.agency_starts += remaining is None
        if returner is None:
            w = self.staffing.add(AGENCY, team, fte, pqe_years=self._market_pqe())
        else:
            old = returner.worker
            w = self.staffing.add(AGENCY, team, fte, wid=old.id,
                                  pqe_years=old.pqe_years(self.ctx.now))
        self.assignment_rule[w] = self.rule_at(self.ctx.now)
        self._charge(w, offer if offer is not None else self.market.offer(team.role))
        self._schedule(w, remaining if remaining is not None else self.placement_days())
        if self.policy.early_exit_annual_rate > 0:
            self.ctx.after(self.exp1() / self.policy.early_exit_annual_rate * DAYS_PER_YEAR,
                           self._early_exit, w)
        self._next_conversion(w)
        return w

    def _charge(self, w: Worker, offer: tuple[float, float]) -> None:
        """The assignment's day rate and cap from now; one above its cap is counted."""
        w.charge, w.cap = offer
        w.team.agency_above_cap_starts += w.charge > w.cap
        self.refresh_costs(w)

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
            self._charge(w, self.market.offer(team.role))     # a renewal is offered again
            self._schedule(w, self.placement_days())
        else:
            self.staffing.leave(w)

    def _early_exit(self, w: Worker) -> None:
        """The worker ends their assignment early: at once before the rules, else on the
        rules' notice (the team seeks cover from the day they give it)."""
        if not (w.active and w.kind == AGENCY):
            return
        rule = self.assignment_rule.get(w)
        if rule is None or rule.notice_days <= 0:
            self.staffing.leave(w)
        elif not w.leaving:                 # a released worker's notice is already running
            w.give_notice("resigned", self.ctx.now)
            self.ctx.after(rule.notice_days, self.staffing.leave, w)
            self.ctx.staffing_changed(w.team)

    def _release(self, w: Worker) -> None:
        w.give_notice("released", self.ctx.now)
        self.ctx.after(self.notice_days(w), self.staffing.leave, w)

    # -- returners ----------------------------------------------------------------------

    def may_return(self, returner: Returner, day: float) -> bool:
        """Whether the agency rules let ``returner`` start a placement here on ``day``.

        Parameters
        ----------
        returner : Returner
        day : float

        Returns
        -------
        bool
            True before the rules; else with the rules' least experience, and either
            their cooling-off over or an exception to it.
        """
        rule = self.rule_at(day)
        if rule is None:
            return True
        if returner.worker.pqe_years(day) < rule.min_pqe_years:
            return False
        return day >= returner.left + rule.cooling_off_days \
            or self.exception(returner, day) != ""

    def exception(self, returner: Returner, day: float) -> str:
        """The exception to the cooling-off that holds for ``returner`` on ``day`` ("" none).

        Parameters
        ----------
        returner : Returner
        day : float

        Returns
        -------
        str
            "probation" if they left within the rules' ``probation_days`` of joining
            (service here, which a conversion starts again) and the rules list it.
        """
        rule = self.rule_at(day)
        if rule is None or day >= returner.left + rule.cooling_off_days:
            return ""
        served = returner.worker.service_years(returner.left) * DAYS_PER_YEAR
        if "probation" in rule.cooling_off_exceptions and served < rule.probation_days:
            return "probation"
        return ""

    def _changes(self, returner: Returner) -> list[float]:
        """Delays from now to the days the rules' verdict on ``returner`` may change: now,
        each set's start and each set's end of their cooling-off (delays, not days, so
        that a call falls exactly on the day ``may_return`` reads)."""
        now = self.ctx.now
        delays = {0.0}
        for day, rule in zip(self.rule_days, self.rules, strict=True):
            if day > now:
                delays.add(day - now)
            delays.add(rule.cooling_off_days)
        return sorted(delays)

    def left_for_agency(self, w: Worker) -> None:
        """A leaver who went to agency work: with ``return_as_agency`` they come back
        to the pool here, free to take a placement from the first day the rules
        allow (an NQSW never: no agency work without 3 years' experience); one the
        rules bar on every day they could start is refused.

        Parameters
        ----------
        w : Worker
            A permanent or newly qualified social worker who has just left.
        """
        if self.returns is None or w.kind != PERMANENT or self.returns() >= self.return_rate:
            return
        now = self.ctx.now
        returner = Returner(w, now, 0.0)
        # the days the verdict changes, and the verdict on each (it holds until the next)
        verdicts = [(d, self.may_return(returner, now + d)) for d in self._changes(returner)]
        opens = [d for k, (d, ok) in enumerate(verdicts) if ok and (k == 0 or not verdicts[k - 1][1])]
        if not opens:
            self.refused["pqe"] += 1       # the cooling-off ends: only experience bars them
            return
        returner.until = now + opens[0] + self.policy.returner_available_days
        self.pool.append(returner)
        for d in opens:
            if now + d < returner.until:
                self.ctx.after(d, self._returner_free, returner, now + d)

    def _free_returner(self) -> Returner | None:
        """The longest-waiting returner who may start today (those past waiting leave the pool)."""
        now = self.ctx.now
        self.pool = [r for r in self.pool if r.until > now]
        for r in self.pool:
            if self.may_return(r, now):
                self.pool.remove(r)
                return r
        return None

    def _returner_free(self, returner: Returner, day: float) -> None:
        """A returner may start now (``day``, as the call was meant to fall): they take
        the oldest request waiting, if any."""
        now = self.ctx.now
        if returner.placed or returner.until <= now or not self.may_return(returner, day):
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
        exception = self.exception(returner, self.ctx.now)
        w = self.start(team, returner=returner)     # at today's offer
        if exception and self.ctx.staff_log is not None:
            self.ctx.staff_log.exception(w, exception)

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
