"""Grow your own: academy intakes, training, qualification, ASYE and tie-in.

Each intake is a dated cohort on the first of its ``month`` each year within
the horizon; the k-th intake of a spec has ``sizes[k]`` people (the last size
repeats), split between teams by their shares (largest remainder). Each
trainee completes with ``completion_rate``:

* with ``training_months > 0`` they are trainees (no cases) until they
  qualify at exactly intake + training length; non-completers leave at a
  uniformly distributed time during training;
* with no training (direct NQSW entry) completers start at once and
  non-completers never start.

A graduate (a direct entrant completing at intake, or a trainee qualifying)
takes a funded vacant post: a whole post (1 FTE) of ``establishment − FTE of
employees in post`` (a post whose holder is working their notice falls vacant
when they go, so a graduate never takes the team above its establishment), in their intake's team
if it has one, else in the case-holding team with the largest vacancy (ties:
team order). A graduate takes priority over a recruitment round: the round
for the post is then cancelled by recruitment's review. With no post
anywhere, the pathway's ``when_no_post`` decides:

* ``"wait"``: they hold a place (unpaid, in no team) and take the first post
  that falls vacant in their team or any case-holding team within
  ``wait_months``, longest waiting first; else they are lost;
* ``"not_placed"``: they are lost at once;
* ``"supernumerary"``: they join their team anyway, above its establishment
  (paid, and shown as over-establishment FTE).

A graduate lost is counted in ``academy_not_placed`` of their intake's team; a
trainee qualifying without a post in their own team leaves its roster (not a
drop-out), and one placed in another team starts there as a new NQSW. During
``tie_in_months`` after starting as an NQSW their leaving hazard is multiplied
by ``tie_in_turnover_factor``; at the end of the ASYE they pass with
``asye_pass_rate`` or leave. Placing a graduate draws no random number.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from workforce_sim.engine import exact
from workforce_sim.engine.context import Ticket
from workforce_sim.engine.state.teams import EPS
from workforce_sim.engine.state.workers import DAYS_PER_MONTH, NQSW, TRAINEE, Worker
from workforce_sim.engine.streams import UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import day_of

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Workforce
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.scenario.schema import Scenario


def split(size: int, shares: dict[str, float]) -> dict[str, int]:
    """Whole people per team by the largest-remainder method (ties: listed order)."""
    exact = {t: size * p for t, p in shares.items()}
    out = {t: int(x) for t, x in exact.items()}
    left = size - sum(out.values())
    by_remainder = sorted(shares, key=lambda t: -(exact[t] - out[t]))
    for t in by_remainder[:left]:
        out[t] += 1
    return out


def intake_dates(scenario: Scenario, month: int) -> list[dt.date]:
    """First of ``month`` in each year, inside the horizon."""
    start, end = scenario.start_date, scenario.end_date
    dates = [dt.date(y, month, 1) for y in range(start.year, end.year + 1)]
    return [d for d in dates if start <= d < end]


def post_fte(team: TeamState) -> float:
    """Funded FTE not held by an employee in post (one working their notice holds theirs)."""
    return team.establishment_fte - exact.to_float(team.employed_units)


class Waiting(Ticket):
    """A graduate holding a place until a post falls vacant; void once placed or lost."""

    __slots__ = ("pathway", "team")

    def __init__(self, pathway: Any, team: TeamState):
        super().__init__()
        self.pathway = pathway
        self.team = team


class Academy:
    """Academy intakes, training, qualification, placement in a post and the ASYE result.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``academy``). Every intake is scheduled here.
    staffing : Workforce
        Who takes trainees on, qualifies them and lets them go (``Staffing``).
    """

    def __init__(self, ctx: Context, staffing: Workforce):
        self.ctx = ctx
        self.staffing = staffing
        s = ctx.scenario
        self.uniform = buffered_sampler(UNIFORM, ctx.streams["academy"])
        self.waiting: list[Waiting] = []
        for intake in s.academy.intakes:
            pathway = s.academy.pathways[intake.pathway]
            for k, d in enumerate(intake_dates(s, intake.month)):
                size = intake.sizes[min(k, len(intake.sizes) - 1)]
                ctx.at(day_of(s.start_date, d), self._intake, pathway, split(size, intake.teams))

    def _intake(self, pathway: Any, sizes: dict[str, int]) -> None:
        for team_name, n in sizes.items():
            team = self.ctx.teams[team_name]
            for _ in range(n):
                self._trainee(pathway, team)

    def _trainee(self, pathway: Any, team: TeamState) -> None:
        completes = self.uniform() < pathway.completion_rate
        training = pathway.training_months * DAYS_PER_MONTH
        if training <= 0:
            if completes:
                self._graduate(pathway, team)
            else:
                team.academy_dropouts += 1
            return
        w = self.staffing.add(TRAINEE, team, 1.0, pathway=pathway)
        when = training if completes else self.uniform() * training
        self.ctx.after(when, self._qualify if completes else self._drop_out, w)

    @staticmethod
    def _tie_in(pathway: Any, now: float) -> dict[str, float]:
        return {"tie_in_until": now + pathway.tie_in_months * DAYS_PER_MONTH,
                "tie_in_factor": pathway.tie_in_turnover_factor}

    def _nqsw(self, pathway: Any, team: TeamState) -> Worker:
        team.academy_qualified += 1
        return self.staffing.add(NQSW, team, 1.0, pathway=pathway,
                                 terms=self._tie_in(pathway, self.ctx.now))

    def _qualify(self, w: Worker) -> None:
        if not w.active:
            return
        self._graduate(w.pathway, w.team, w)

    # -- placement in a post ------------------------------------------------------------

    def post(self, home: TeamState) -> TeamState | None:
        """Where a graduate of ``home``'s intake would start now, if anywhere.

        Parameters
        ----------
        home : TeamState
            The team of their intake.

        Returns
        -------
        TeamState or None
            ``home`` if it has a whole vacant post, else the case-holding team with
            the largest (ties: team order), else None.
        """
        if post_fte(home) >= 1.0 - EPS:
            return home
        best, most = None, 1.0 - EPS
        for t in self.ctx.team_list:
            if t.holds_cases and t is not home:
                v = post_fte(t)
                if v >= most + (EPS if best is not None else 0.0):
                    best, most = t, v
        return best

    def _graduate(self, pathway: Any, home: TeamState, trainee: Worker | None = None) -> None:
        option = pathway.when_no_post
        # supernumerary: their own team, post or no post (the council's costed choice)
        team = home if option == "supernumerary" else self.post(home)
        if team is not None and trainee is not None and trainee.team is team:
            team.academy_qualified += 1
            self.staffing.qualify(trainee, terms=self._tie_in(pathway, self.ctx.now))
            return
        if trainee is not None:
            self.staffing.leave(trainee, counted=False)     # off the roster: not a drop-out
        if team is not None:
            self._nqsw(pathway, team)
        elif option == "wait" and pathway.wait_months > 0:
            g = Waiting(pathway, home)
            self.waiting.append(g)
            self.ctx.after(pathway.wait_months * DAYS_PER_MONTH, self._lost, g, ticket=g)
        else:
            home.academy_not_placed += 1

    def _lost(self, g: Waiting) -> None:
        g.void()
        self.waiting.remove(g)
        g.team.academy_not_placed += 1

    def review(self, team: TeamState) -> None:
        """A post may have fallen vacant in ``team``: waiting graduates take it.

        The longest-waiting graduate who may start there (of this team's intake,
        or any, if the team holds cases) takes each whole vacant post.

        Parameters
        ----------
        team : TeamState
        """
        while self.waiting and post_fte(team) >= 1.0 - EPS:
            g = next((g for g in self.waiting if team.holds_cases or g.team is team), None)
            if g is None:
                return
            g.void()
            self.waiting.remove(g)
            self._nqsw(g.pathway, team)

    def _drop_out(self, w: Worker) -> None:
        self.staffing.leave(w)

    def passes_asye(self, w: Worker) -> bool:
        """Whether an academy NQSW passes their ASYE (a draw against the pathway's pass rate).

        Parameters
        ----------
        w : Worker

        Returns
        -------
        bool
        """
        return self.uniform() < w.pathway.asye_pass_rate
