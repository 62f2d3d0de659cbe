"""Vacancies and recruitment: advertising rounds, campaigns, cohorts, establishment changes.

A team needs ``establishment − FTE of employees in post who are not working
their notice`` FTE recruited, and keeps exactly one recruitment round under
way per post to fill (a round recruits up to 1 FTE). A round starts at
resignation, when the establishment grows, or at the start for the vacancies
already open. It takes a time to hire drawn from ``time_to_hire_days``
(divided by a campaign's ``speed_multiplier``) and succeeds with
``success_probability`` (the recruitment trend's value for the run year, if
any; times a campaign's ``success_multiplier``, capped at
1), where the campaign is the one in force when the round is advertised. A
failed round is re-advertised after ``readvertise_days``. A round whose post
has gone (filled by a conversion, an academy graduate or a cohort, or cut from
the establishment) is cancelled: a round is a
:class:`~workforce_sim.engine.context.Ticket`, voided when it closes or is
cancelled, and its pending events are dropped. Each hire costs ``cost_per_hire``.
A team with a promotion route (``processes/promotion.py``) may fill a new round
by promotion instead: recruitment hands each new round to
:attr:`Recruitment.fill_inside` and advertises it only if that declines.

A cohort is not capped by the establishment: it is an explicit, dated decision
to hire ``count`` people (an international or "urban to rural" campaign),
often taken to replace agency staff or to staff up ahead of growth, so all of
it joins and any excess shows as over-establishment FTE. Rounds, conversions
and academy graduates only fill vacancies.

Part-time hires: with ``part_time_share`` above 0 (stream ``recruitment.hours``), each
outside hire works ``part_time_fte`` (at most the round's FTE) with that probability;
the rest of the post stays vacant and the next review starts a round for it.

The establishment growth trend, if any, multiplies every team's establishment on each
1 April (to a tenth of an
FTE), which starts or cancels rounds as any establishment change does.

With an establishment review (``[establishment_review]``) the posts of every
team that holds cases also follow the caseload on each 1 April: they are
multiplied by ``exp(response · log(caseload measured / target_caseload))``
together with the growth trend's factor, then rounded to a tenth of an FTE.
The caseload measured is the mean of the service's caseload (cases held /
case-holding FTE, as the monthly ``caseload`` column) over the month ends since
the last review, or since the start (month ends come first on the first of a
month, so the 31 March one is in); a month with no case-holding FTE is left
out, and with none measured the caseload does not move the posts (nor with
response 0, nor if no case was held at all: posts cut to none could never come back).
A dated establishment change on a review's day is applied after it, so it stands
as dated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workforce_sim.engine.context import Ticket
from workforce_sim.engine.state.teams import EPS, committed_fte
from workforce_sim.engine.state.workers import AGENCY, DAYS_PER_MONTH, NQSW, PERMANENT
from workforce_sim.engine.streams import UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import day_of

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Terms, Workforce
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.engine.state.workers import Worker
    from workforce_sim.scenario.schema import EstablishmentReview


def _outside(_: Round) -> bool:
    return False


class Round(Ticket):
    """A recruitment round for up to 1 FTE; void once it has closed or been cancelled."""

    __slots__ = ("team", "fte")

    def __init__(self, team: TeamState, fte: float):
        super().__init__()
        self.team = team
        self.fte = fte


class Recruitment:
    """Keeps one round under way per post to fill; hires cohorts; changes establishments.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``recruitment``). Cohorts, the 1 April
        reviews or growth, and dated establishment changes are scheduled here, in
        that order (a dated change on a review's day stands as dated).
    staffing : Workforce
        Who hires (``Staffing``).
    """

    def __init__(self, ctx: Context, staffing: Workforce):
        self.ctx = ctx
        self.staffing = staffing
        s = ctx.scenario
        r = s.recruitment
        self.success = r.success_probability
        self.trends = ctx.trends
        self.readvertise = r.readvertise_days
        self.cost_per_hire = r.cost_per_hire
        rng = ctx.streams["recruitment"]
        self.time_to_hire = buffered_sampler(r.time_to_hire_days, rng)
        self.uniform = buffered_sampler(UNIFORM, rng)
        # post-qualifying experience of each hire: its own stream, so nothing else moves
        self.hire_pqe = buffered_sampler(ctx.scenario.workforce.permanent.hire_pqe_years,
                                         ctx.streams["pqe.hires"])
        # part-time hires: their own stream, drawn from only when some hires are part time,
        # so that the times to hire and successes stay aligned between scenarios
        self.part_time_share, self.part_time_fte = r.part_time_share, r.part_time_fte
        self.hours = buffered_sampler(UNIFORM, ctx.streams["recruitment.hours"]) \
            if self.part_time_share > 0 else None
        self.campaigns = [(day_of(s.start_date, c.start), day_of(s.start_date, c.end) + 1, c)
                          for c in r.campaigns]
        self.rounds: dict[str, list[Round]] = {t: [] for t in ctx.teams}
        # a new round goes to promotion first (the model sets Promotion.start): True if
        # it is to be filled by promotion, else it is advertised outside
        self.fill_inside: Callable[[Round], bool] = _outside
        for c in r.cohorts:
            ctx.at(day_of(s.start_date, c.date), self._cohort, c)
        growth = ctx.trends.establishment_factor
        self.posts_review = s.establishment_review
        """The review that sets case-holding posts from the caseload (``None``: none)."""
        self.caseloads: list[float] = []
        """The service's caseload at each month end since the last review (with one)."""
        if self.posts_review is not None:   # the review applies the growth too, rounding once
            for k, day in enumerate(ctx.trends.budget_days):
                ctx.at(day, self._review_posts, self.posts_review, growth[k] if growth else 1.0)
        else:
            for day, factor in zip(ctx.trends.budget_days, growth or (), strict=False):
                ctx.at(day, self._grow, factor)
        # after the 1 April review and growth: a dated change on that day stands as dated
        for name, team in s.teams.items():
            for ch in team.establishment_changes:
                ctx.at(day_of(s.start_date, ch.date), self._establishment, ctx.teams[name],
                       ch.establishment_fte)

    # -- rounds -------------------------------------------------------------------

    def review(self, team: TeamState) -> None:
        """Start rounds for posts with none; cancel rounds for posts that have gone.

        Parameters
        ----------
        team : TeamState
        """
        rounds = self.rounds[team.name]
        need = team.establishment_fte - committed_fte(team) - sum(r.fte for r in rounds)
        while need > EPS:
            r = Round(team, min(1.0, need))
            rounds.append(r)
            need -= r.fte
            if not self.fill_inside(r):
                self._advertise(r)
        while rounds and need < -EPS and rounds[-1].fte <= -need + EPS:
            cancelled = rounds.pop()
            cancelled.void()
            need += cancelled.fte

    def advertise(self, r: Round) -> None:
        """Advertise ``r`` outside now (a round promotion could not fill).

        Parameters
        ----------
        r : Round
        """
        self._advertise(r)

    def close(self, r: Round) -> None:
        """``r`` has ended without an outside hire (its post filled by promotion).

        Parameters
        ----------
        r : Round
        """
        self._close(r)

    def _campaign(self, day: float) -> Any:
        for start, end, c in self.campaigns:
            if start <= day < end:
                return c
        return None

    def _advertise(self, r: Round) -> None:
        ctx = self.ctx
        if ctx.recruitment_paused:        # the budget's pause: try again at the next month end
            ctx.at(ctx.next_month_end(ctx.now), self._advertise, r, ticket=r)
            return
        self._advertise_now(r)

    def _advertise_now(self, r: Round) -> None:
        ctx = self.ctx
        c = self._campaign(ctx.now)
        speed = c.speed_multiplier if c else 1.0
        boost = c.success_multiplier if c else 1.0
        days = self.time_to_hire() / speed
        success = self.trends.at(self.trends.recruitment_success, ctx.now, self.success)
        succeeds = self.uniform() < min(1.0, success * boost)
        ctx.after(days, self._complete, r, succeeds, ticket=r)

    def _complete(self, r: Round, succeeds: bool) -> None:
        team = r.team
        if succeeds:
            self._close(r)
            if team.establishment_fte - committed_fte(team) >= r.fte - EPS:
                self.hire(team, self.hire_fte(r.fte), self.cost_per_hire)
            else:
                self.ctx.staffing_changed(team)
            return
        self.ctx.after(self.readvertise, self._advertise, r, ticket=r)

    def _close(self, r: Round) -> None:
        r.void()
        self.rounds[r.team.name].remove(r)

    # -- hires ----------------------------------------------------------------------

    def hire_fte(self, post_fte: float) -> float:
        """The FTE the person hired into a round for ``post_fte`` works: part time
        (``part_time_fte``, at most the post's) with ``part_time_share``, else the post's.
        The rest of a post filled part time stays vacant, so the next review advertises it.

        Parameters
        ----------
        post_fte : float
            The round's FTE.

        Returns
        -------
        float
        """
        if self.hours is None or self.hours() >= self.part_time_share:
            return post_fte
        return min(post_fte, self.part_time_fte)

    def hire(self, team: TeamState, fte: float, cost: float, terms: Terms | None = None) -> Worker:
        """Hire a permanent worker into ``team`` now.

        Parameters
        ----------
        team : TeamState
        fte : float
        cost : float
            The cost of the hire (added to the team's recruitment cost of the month).
        terms : dict, optional
            Attrition's terms for them (a cohort's early turnover).

        Returns
        -------
        Worker
        """
        team.hires += 1
        team.recruitment_cost += cost
        return self.staffing.add(PERMANENT, team, fte, terms=terms, pqe_years=self.hire_pqe())

    def _cohort(self, c: Any) -> None:
        team = self.ctx.teams[c.team]
        now = self.ctx.now
        early_until = now + c.early_months * DAYS_PER_MONTH
        for _ in range(c.count):
            self.hire(team, 1.0, c.cost_per_hire,
                      {"early_until": early_until, "early_rate": c.early_annual_turnover})

    def _grow(self, factor: float) -> None:
        # establishments are set in tenths of an FTE, as the census publishes them
        for team in self.ctx.team_list:
            self._establishment(team, round(team.establishment_fte * factor, 1))

    # -- posts following the caseload ---------------------------------------------------

    def month_end(self, month: int) -> None:
        """Note the service's caseload (the model calls this only with an establishment review)."""
        caseload = service_caseload(self.ctx.team_list)
        if not math.isnan(caseload):
            self.caseloads.append(caseload)

    def _review_posts(self, review: EstablishmentReview, growth: float) -> None:
        follow = caseload_factor(self.caseloads, review.target_caseload, review.response)
        self.caseloads = []
        for team in self.ctx.team_list:
            factor = growth * follow if team.holds_cases else growth
            self._establishment(team, round(team.establishment_fte * factor, 1))

    def _establishment(self, team: TeamState, fte: float) -> None:
        team.establishment_fte = fte
        self.ctx.staffing_changed(team)


def caseload_factor(caseloads: list[float], target: float, response: float) -> float:
    """The establishment review's factor on case-holding posts:
    ``exp(response · log(mean caseload / target))``; 1 with no caseload measured or no
    response, or no case held at all (a caseload of none says nothing about the posts
    needed, and posts cut to none could never come back).

    Parameters
    ----------
    caseloads : list of float
        The service's caseload at each month end since the last review.
    target, response : float
        ``target_caseload`` and ``response``.

    Returns
    -------
    float
    """
    if not caseloads or response == 0:
        return 1.0
    mean = sum(caseloads) / len(caseloads)
    return math.exp(response * math.log(mean / target)) if mean > 0 else 1.0


def service_caseload(teams: list[TeamState]) -> float:
    """The service's caseload now: cases held / FTE of everyone but trainees in the teams
    that hold cases (NaN with none), summed in the recorder's order so that it is the
    monthly ``caseload`` column to the bit.

    Parameters
    ----------
    teams : list of TeamState
        Every team of the run, in scenario order.

    Returns
    -------
    float
    """
    held, holders = 0, 0.0
    for team in teams:
        held += team.n_open - team.n_waiting
        if team.holds_cases:
            fte = {PERMANENT: 0.0, NQSW: 0.0, AGENCY: 0.0}
            for w in team.workers:
                if w.kind in fte:
                    fte[w.kind] += w.fte
            holders += fte[PERMANENT] + fte[NQSW] + fte[AGENCY]
    return held / holders if holders > 0 else math.nan
