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

On qualifying, a trainee becomes an NQSW in their team, whether or not a post
is vacant (a graduate beyond the establishment is reported as
over-establishment FTE). During ``tie_in_months`` after qualifying their
leaving hazard is multiplied by ``tie_in_turnover_factor``; at the end of the
ASYE they pass with ``asye_pass_rate`` or leave.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

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


class Academy:
    """Academy intakes, training, qualification and the ASYE result.

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
                team.academy_qualified += 1
                self._nqsw(pathway, team)
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
        return self.staffing.add(NQSW, team, 1.0, pathway=pathway,
                                 terms=self._tie_in(pathway, self.ctx.now))

    def _qualify(self, w: Worker) -> None:
        if not w.active:
            return
        w.team.academy_qualified += 1
        self.staffing.qualify(w, terms=self._tie_in(w.pathway, self.ctx.now))

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
