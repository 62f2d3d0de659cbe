"""Promotion: filling a team's vacant posts from the council's own social workers.

A team with a promotion route (``teams.<name>.promotion``: the seniors, practice
leads and managers of ``practice_leadership`` in council scenarios) fills a
vacancy by promoting a social worker of one of its source teams
(``from_teams``) before advertising outside. Recruitment hands each new round of
such a team to :meth:`Promotion.start`, which draws (stream ``promotion``)
whether the post is filled by promotion, with probability ``internal_share``;
it is, if someone is eligible now: a permanent social worker of a source team,
in post and not working their notice, with at least ``min_service_years`` of
service, whose FTE fits the team's uncommitted posts. An NQSW is never
promoted (they are not permanent until their ASYE ends), nor an agency worker.

``time_days`` later the post is filled by one eligible worker, drawn with
probability proportional to their team's weight × their FTE (so a source team
is chosen in proportion to its weight × eligible FTE). The draw is random
rather than the longest-serving because councils appoint by application and
interview among those eligible (``min_service_years`` stands for experience),
and because taking the longest-serving would always drain the lowest-turnover
workers (service-banded turnover) from the case-holding teams, a strong
assumption with no evidence behind it. The worker moves team through
staffing (:meth:`~workforce_sim.engine.processes.staffing.Staffing.transfer`):
they keep their service, terms and pay (no notice, no cost per hire), their
cases are handed back to their old team's queue as a leaver's are, and their
old post falls vacant, so recruitment starts a round there as for any
vacancy. If nobody is eligible at the start or at the end of ``time_days``,
the post is advertised outside from then, as without promotion. A round whose
post has gone meanwhile (cut from the establishment) is void and nothing
happens.

With ``internal_share = 0`` nothing is scheduled and nothing else draws from
the ``promotion`` stream, so results are those of a scenario without the route,
to the bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from workforce_sim.engine.state.teams import EPS, committed_fte
from workforce_sim.engine.state.workers import PERMANENT
from workforce_sim.engine.streams import UNIFORM, buffered_sampler

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Workforce
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.engine.state.workers import Worker


class Post(Protocol):
    """What promotion reads of a recruitment round: its team, its FTE, whether it stands."""

    team: TeamState
    fte: float
    valid: bool


P = TypeVar("P", bound=Post)


class Route:
    """A team's promotion route, resolved to the run's teams."""

    __slots__ = ("share", "min_service_years", "time_days", "sources")

    def __init__(self, spec: Any, teams: dict[str, TeamState]):
        self.share = spec.internal_share
        self.min_service_years = spec.min_service_years
        self.time_days = spec.time_days
        self.sources = [(teams[name], weight) for name, weight in spec.from_teams.items()
                        if weight > 0]


class Promotion(Generic[P]):
    """Fills new rounds of teams with a promotion route by promoting an eligible worker.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``promotion``).
    staffing : Workforce
        Who moves the worker (``Staffing.transfer``).
    advertise : callable
        ``advertise(round)``: advertise the round outside now (``Recruitment.advertise``).
    close : callable
        ``close(round)``: the round has ended with its post filled (``Recruitment.close``).
    """

    def __init__(self, ctx: Context, staffing: Workforce, advertise: Callable[[P], None],
                 close: Callable[[P], None]):
        self.ctx = ctx
        self.staffing = staffing
        self.advertise = advertise
        self.close = close
        self.routes = {name: Route(spec.promotion, ctx.teams)
                       for name, spec in ctx.scenario.teams.items()
                       if spec.promotion is not None and spec.promotion.internal_share > 0}
        self.uniform = buffered_sampler(UNIFORM, ctx.streams["promotion"])

    def start(self, r: P) -> bool:
        """A new round of ``r.team``: True if it is to be filled by promotion.

        Parameters
        ----------
        r : Round
            The recruitment round just started.

        Returns
        -------
        bool
            False for a team with no route, when the draw says outside, or when
            nobody is eligible: recruitment then advertises it.
        """
        route = self.routes.get(r.team.name)
        if route is None or not self.uniform() < route.share:
            return False
        if not self.eligible(route, r.team):
            return False
        self.ctx.after(route.time_days, self._complete, route, r)
        return True

    def eligible(self, route: Route, team: TeamState) -> list[tuple[Worker, float]]:
        """Who may be promoted into ``team`` now, each with their weight.

        Parameters
        ----------
        route : Route
        team : TeamState
            The team with the vacancy.

        Returns
        -------
        list of (Worker, float)
            Permanent workers of the source teams, in post and staying, with
            enough service and an FTE that fits the team's uncommitted posts, in
            source and team order; weight = the team's weight × FTE.
        """
        now = self.ctx.now
        room = team.establishment_fte - committed_fte(team) + EPS
        least = route.min_service_years
        return [(w, weight * w.fte) for source, weight in route.sources for w in source.workers
                if w.kind == PERMANENT and not w.leaving and w.fte <= room
                and w.service_years(now) >= least]

    def _complete(self, route: Route, r: P) -> None:
        if not r.valid:               # the post has gone (establishment cut): nothing to fill
            return
        team = r.team
        if team.establishment_fte - committed_fte(team) < r.fte - EPS:
            self.close(r)             # filled meanwhile, as recruitment treats a late hire
            self.ctx.staffing_changed(team)
            return
        candidates = self.eligible(route, team)
        if not candidates:
            self.advertise(r)
            return
        self.close(r)
        team.promotions += 1
        self.staffing.transfer(self._choose(candidates), team)

    def _choose(self, candidates: list[tuple[Worker, float]]) -> Worker:
        """One candidate, with probability proportional to their weight."""
        target = self.uniform() * sum(weight for _, weight in candidates)
        for w, weight in candidates:
            target -= weight
            if target < 0:
                return w
        return candidates[-1][0]      # the draw's rounding at the very top
