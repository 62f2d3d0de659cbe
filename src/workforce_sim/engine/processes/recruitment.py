"""Vacancies and recruitment: advertising rounds, campaigns, cohorts, establishment changes.

A team needs ``establishment − FTE of employees in post who are not working
their notice`` FTE recruited, and keeps exactly one recruitment round under
way per post to fill (a round recruits up to 1 FTE). A round starts at
resignation, when the establishment grows, or at the start for the vacancies
already open. It takes a time to hire drawn from ``time_to_hire_days``
(divided by a campaign's ``speed_multiplier``) and succeeds with
``success_probability`` (times a campaign's ``success_multiplier``, capped at
1), where the campaign is the one in force when the round is advertised. A
failed round is re-advertised after ``readvertise_days``. A round whose post
has gone (filled by a conversion, an academy graduate or a cohort, or cut from
the establishment) is cancelled. Each hire costs ``cost_per_hire``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpy.events import Timeout

from workforce_sim.engine import exact
from workforce_sim.engine.processes.staffing import DAYS_PER_MONTH, PERMANENT
from workforce_sim.engine.streams import UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import day_of

if TYPE_CHECKING:
    from workforce_sim.engine.model import Model
    from workforce_sim.engine.processes.allocation import TeamState

EPS = 1e-9


class Round:
    __slots__ = ("team", "fte", "active")

    def __init__(self, team: TeamState, fte: float):
        self.team = team
        self.fte = fte
        self.active = True


def committed_fte(team: TeamState) -> float:
    """FTE of employees in post who are staying (not working their notice)."""
    return exact.to_float(team.committed_units)


class Recruitment:
    def __init__(self, model: Model):
        self.model = model
        s = model.scenario
        r = s.recruitment
        self.success = r.success_probability
        self.readvertise = r.readvertise_days
        self.cost_per_hire = r.cost_per_hire
        rng = model.streams["recruitment"]
        self.time_to_hire = buffered_sampler(r.time_to_hire_days, rng)
        self.uniform = buffered_sampler(UNIFORM, rng)
        self.campaigns = [(day_of(s.start_date, c.start), day_of(s.start_date, c.end) + 1, c)
                          for c in r.campaigns]
        self.rounds: dict[str, list[Round]] = {t: [] for t in model.teams}
        for c in r.cohorts:
            model.at(day_of(s.start_date, c.date), self._cohort, c)
        for name, team in s.teams.items():
            for ch in team.establishment_changes:
                model.at(day_of(s.start_date, ch.date), self._establishment, model.teams[name],
                         ch.establishment_fte)

    # -- rounds -------------------------------------------------------------------

    def review(self, team: TeamState) -> None:
        """Start rounds for posts with none; cancel rounds for posts that have gone."""
        rounds = self.rounds[team.name]
        need = team.establishment_fte - committed_fte(team) - sum(r.fte for r in rounds)
        while need > EPS:
            r = Round(team, min(1.0, need))
            rounds.append(r)
            need -= r.fte
            self._advertise(r)
        while rounds and need < -EPS and rounds[-1].fte <= -need + EPS:
            cancelled = rounds.pop()
            cancelled.active = False
            need += cancelled.fte

    def _campaign(self, day: float):
        for start, end, c in self.campaigns:
            if start <= day < end:
                return c
        return None

    def _advertise(self, r: Round) -> None:
        env = self.model.env
        c = self._campaign(env.now)
        speed = c.speed_multiplier if c else 1.0
        boost = c.success_multiplier if c else 1.0
        days = self.time_to_hire() / speed
        succeeds = self.uniform() < min(1.0, self.success * boost)
        ev = Timeout(env, days, (r, succeeds))
        ev.callbacks.append(self._complete)

    def _complete(self, event) -> None:
        r, succeeds = event.value
        if not r.active:
            return
        team = r.team
        if succeeds:
            self._close(r)
            if team.establishment_fte - committed_fte(team) >= r.fte - EPS:
                self.hire(team, r.fte, self.cost_per_hire)
            else:
                self.model.review(team)
            return
        ev = Timeout(self.model.env, self.readvertise, r)
        ev.callbacks.append(self._readvertise)

    def _readvertise(self, event) -> None:
        r = event.value
        if r.active:
            self._advertise(r)

    def _close(self, r: Round) -> None:
        r.active = False
        self.rounds[r.team.name].remove(r)

    # -- hires ----------------------------------------------------------------------

    def hire(self, team: TeamState, fte: float, cost: float, **worker):
        team.hires += 1
        team.recruitment_cost += cost
        return self.model.staffing.add(PERMANENT, team, fte, **worker)

    def _cohort(self, c) -> None:
        team = self.model.teams[c.team]
        now = self.model.env.now
        early_until = now + c.early_months * DAYS_PER_MONTH
        for _ in range(c.count):
            self.hire(team, 1.0, c.cost_per_hire, early_until=early_until,
                      early_rate=c.early_annual_turnover)

    def _establishment(self, team: TeamState, fte: float) -> None:
        team.establishment_fte = fte
        self.model.review(team)
