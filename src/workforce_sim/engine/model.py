"""The model: a SimPy environment, the service's state, and its random streams.

One :class:`Model` is one replication. It keeps no global state; every random
draw comes from a named stream of :class:`~workforce_sim.engine.streams.RandomStreams`:

* ``referrals.<case type>``: referral times;
* ``durations.<case type>``: the duration of each new case;
* ``pathways.<case type>``: what a closing case continues as;
* ``initial.<case type>``: residual durations of the cases open at the start;
* ``attrition``: each employee's Exp(1) leaving threshold;
* ``recruitment``: times to hire and whether rounds succeed;
* ``agency``: lead times, fills, placements, renewals, early exits, conversions;
* ``agency.initial``: remaining placement days of agency staff at the start;
* ``academy``: completion, drop-out times and ASYE results.
"""

from __future__ import annotations

import bisect

import numpy as np
from simpy.events import Timeout

from workforce_sim.engine.kernel import Kernel, Urgent
from workforce_sim.engine.processes import demand
from workforce_sim.engine.processes.academy import Academy
from workforce_sim.engine.processes.agency import Agency
from workforce_sim.engine.processes.allocation import INF, Case, Child, TeamState
from workforce_sim.engine.processes.attrition import Attrition
from workforce_sim.engine.processes.costs import Costs
from workforce_sim.engine.processes.recruitment import Recruitment
from workforce_sim.engine.processes.staffing import NQSW, PERMANENT, Staffing
from workforce_sim.engine.recording.logs import CaseLog, StaffLog
from workforce_sim.engine.recording.recorder import Recorder
from workforce_sim.engine.streams import UNIFORM, RandomStreams, buffered_sampler
from workforce_sim.scenario.calendar import month_end_days
from workforce_sim.scenario.schema import Scenario


class CaseKind:
    """A case type compiled for the run: its team, weight and samplers."""

    def __init__(self, name: str, ct, team: TeamState, streams: RandomStreams):
        self.name = name
        self.team = team
        self.weight = ct.weight
        self.queue_index = team.queue_index(ct.priority)
        self.duration = buffered_sampler(ct.duration_days, streams[f"durations.{name}"])
        self._pathway_u = buffered_sampler(UNIFORM, streams[f"pathways.{name}"])
        self._next_names = list(ct.on_close)
        self._next_cum = np.cumsum(list(ct.on_close.values())).tolist()
        self.next_kinds: list[CaseKind] = []    # filled once every kind exists

    def next_kind(self) -> CaseKind | None:
        """What a closing case continues as (None: it closes for good): the first
        kind whose cumulative probability exceeds a uniform draw."""
        i = bisect.bisect_right(self._next_cum, self._pathway_u())
        return self.next_kinds[i] if i < len(self.next_kinds) else None


class Model:
    """One replication of a scenario."""

    def __init__(self, scenario: Scenario, seed: int = 0, replication: int = 0,
                 keep_case_log: bool = False):
        self.scenario = scenario
        self.env = Kernel(Case, self.close_case, self._referral)
        self.streams = RandomStreams(seed, replication)
        self.month_ends = month_end_days(scenario.start_date, scenario.horizon_months)
        self.horizon_days = self.month_ends[-1]
        self.case_log = CaseLog() if keep_case_log else None
        self.staff_log = StaffLog() if keep_case_log else None
        self.recorder = Recorder(self)
        self.ready = False          # processes react to staffing changes once set up
        self._next_case = 0
        self._next_child = 0

        self.teams: dict[str, TeamState] = {}
        for i, (name, t) in enumerate(scenario.teams.items()):
            prios = [ct.priority for ct in scenario.case_types.values() if ct.team == name]
            self.teams[name] = TeamState(self, name, i, t.caseload_cap, t.establishment_fte,
                                         prios or [1], t.holds_cases)
        self.team_list = list(self.teams.values())
        self.kinds = {name: CaseKind(name, ct, self.teams[ct.team], self.streams)
                      for name, ct in scenario.case_types.items()}
        for kind in self.kinds.values():
            kind.next_kinds = [self.kinds[n] for n in kind._next_names]

        self.staffing = Staffing(self)
        self.costs = Costs(self)
        self.attrition = Attrition(self)
        self.recruitment = Recruitment(self)
        self.agency = Agency(self)
        self.academy = Academy(self)

        self._initial_staff()
        self._initial_cases()
        for t in self.team_list:
            t.reset_flows()          # the opening state is not a flow of month 1
        self.ready = True
        for t in self.team_list:
            self.review(t)
        self._referrals()
        self._next_month_end(0)

    # -- scheduling helpers -------------------------------------------------------

    def at(self, day: float, callback, *args) -> None:
        """Call ``callback(*args)`` on ``day`` (if before the horizon)."""
        self.after(day - self.env.now, callback, *args)

    def after(self, delay: float, callback, *args) -> None:
        if self.env.now + delay >= self.horizon_days:
            return
        ev = Timeout(self.env, delay, args)
        ev.callbacks.append(lambda e: callback(*e.value))

    def next_month_end(self, day: float) -> float:
        i = bisect.bisect_right(self.month_ends, day)
        return self.month_ends[min(i, len(self.month_ends) - 1)]

    def review(self, team: TeamState) -> None:
        """Staffing changed: recruitment and agency cover look at the team again."""
        if self.ready:
            self.recruitment.review(team)
            self.agency.review(team)

    # -- initial state ----------------------------------------------------------

    def _initial_staff(self) -> None:
        add = self.staffing.add
        placement = self.scenario.workforce.agency.placement_days
        rng = self.streams["agency.initial"]
        for name, t in self.scenario.teams.items():
            team = self.teams[name]
            for g in t.staff.permanent:
                for _ in range(g.count):
                    add(PERMANENT, team, g.fte, service_years=g.service_years)
            for g in t.staff.nqsw:
                for _ in range(g.count):
                    add(NQSW, team, g.fte, months_served=g.months_served)
            for g in t.staff.agency:
                for remaining in placement.sample_residual(rng, g.count).tolist():
                    self.agency.start(team, g.fte, remaining=remaining)

    def _initial_cases(self) -> None:
        """Open cases get residual durations, so a service at equilibrium stays there."""
        for name, ct in self.scenario.case_types.items():
            if not ct.initial_open:
                continue
            kind = self.kinds[name]
            residual = ct.duration_days.sample_residual(self.streams[f"initial.{name}"],
                                                        ct.initial_open)
            for r in residual.tolist():
                self._open(kind, self._new_child(), r)

    # -- case life --------------------------------------------------------------

    def _new_child(self) -> Child:
        self._next_child += 1
        return Child(self._next_child)

    def _open(self, kind: CaseKind, child: Child, remaining: float) -> Case:
        self._next_case += 1
        case = Case(self._next_case, child, kind, remaining, self.env.now)
        kind.team.n_open += 1
        kind.team.join(case)
        return case

    def _referrals(self) -> None:
        """Every referral of the run, drawn up front and merged in time order (the
        kernel keeps them beside its event heap)."""
        days, kinds = [], []
        for name, ct in self.scenario.case_types.items():
            times = demand.referral_times(ct, self.scenario, self.horizon_days,
                                          self.streams[f"referrals.{name}"])
            days.append(times)
            kinds += [self.kinds[name]] * times.size
        days = np.concatenate(days) if days else np.empty(0)
        order = np.argsort(days, kind="stable")
        self.env.set_arrivals(days[order].tolist(), [kinds[i] for i in order.tolist()])

    def _referral(self, kind: CaseKind) -> None:
        # _new_child and _open written out: this runs once per referral, the hottest path.
        kind.team.referrals += 1
        self._next_child += 1
        self._next_case += 1
        case = Case(self._next_case, Child(self._next_child), kind, kind.duration(), self.env._now)
        kind.team.n_open += 1
        kind.team.join(case)

    def close_case(self, case: Case) -> None:
        """A case's closure falls due (the kernel has dropped stale ones)."""
        now = self.env._now
        worker, team = case.worker, case.kind.team
        del worker.cases[case]
        worker.load = worker.load - case.weight if worker.cases else 0.0
        worker.ratio = worker.load / worker.capacity if worker.capacity > 0 else INF
        case.worker = case.closes = None
        team.closures += 1
        team.n_open -= 1
        if self.case_log is not None:
            self.case_log.end_spell(case, now, "closed")
        if case.kind.next_kinds:
            nxt = case.kind.next_kind()
            if nxt is not None:
                self._continue(case, nxt, worker)
        if team.n_waiting:
            team.freed(worker)

    def _continue(self, case: Case, kind: CaseKind, worker) -> None:
        """The child's case goes on as another type; in the same team it stays with
        the same worker if they have room for it."""
        kind.team.pathway_starts += 1
        duration = kind.duration()
        if kind.team is case.kind.team and worker.active and \
                worker.load + kind.weight <= worker.capacity + 1e-9:
            self._next_case += 1
            new = Case(self._next_case, case.child, kind, duration, self.env.now)
            kind.team.n_open += 1
            kind.team.assign(new, worker)
        else:
            self._open(kind, case.child, duration)

    # -- recording and running --------------------------------------------------

    def _next_month_end(self, m: int) -> None:
        """Month ``m`` closes before anything else happens at its end: an event dated
        the first of a month (an intake, a cohort, a referral) belongs to that month."""
        if m < len(self.month_ends) - 1:      # the last month closes after the run
            ev = Urgent(self.env, self.month_ends[m] - self.env.now, m)
            ev.callbacks.append(self._month_end)

    def _month_end(self, event) -> None:
        m = event.value
        self.recorder.close_month(m)
        self.attrition.month_end()
        self.agency.month_end()
        self._next_month_end(m + 1)

    def run(self) -> Model:
        """Run to the horizon. Nothing at or after the horizon is processed."""
        self.env.run(until=self.horizon_days)
        self.recorder.close_month(len(self.month_ends) - 1)
        if self.case_log is not None:
            for team in self.team_list:
                for q in team.queues:
                    for case in q:
                        self.case_log.still_waiting(case)
        return self

    def depart(self, worker) -> None:
        """A worker leaves now (their cases are handed back to the team's queue)."""
        self.staffing.leave(worker)

