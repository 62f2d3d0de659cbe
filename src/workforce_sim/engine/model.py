"""The model: one replication, the one place that knows every process and wires them.

One :class:`Model` is one replication. It keeps no global state; every random
draw comes from a named stream of :class:`~workforce_sim.engine.streams.RandomStreams`:

* ``referrals.<case type>``: referral times (demand);
* ``durations.<case type>``: the duration of each new case;
* ``pathways.<case type>``: what a closing case continues as;
* ``initial.<case type>``: residual durations of the cases open at the start;
* ``attrition``: each employee's Exp(1) leaving threshold;
* ``recruitment``: times to hire and whether rounds succeed;
* ``promotion``: whether a vacancy of a team with a promotion route is filled by
  promotion, and who is promoted;
* ``agency``: lead times, fills, placements, renewals, early exits, conversions;
* ``agency.initial``: remaining placement days of agency staff at the start;
* ``agency.market``: whether an assignment above its price cap is approved (only
  when a cap allows approvals);
* ``agency.returners``: whether a leaver to agency work comes back here (only
  when ``return_as_agency`` is above 0);
* ``destinations``: where each permanent or NQSW leaver goes;
* ``academy``: completion, drop-out times and ASYE results;
* ``caseload_moves.<case type>``: when managers next look at moving each held case;
* ``recruitment.hours``: whether a hire works part time (only when
  ``part_time_share`` is above 0);
* ``absence.long``: long absences' starts and lengths (only with a kind of
  ``absence.long_leave`` at a rate above 0; the process is built last, after the
  academy, and its month end runs after agency's).

The build order (:meth:`Model.__init__`) is part of the results, for two reasons:

1. Events due at the same time are processed in the order they were
   scheduled. Costs (retention lever days), recruitment (cohorts, then
   establishment changes) and the academy (intakes) schedule their dated
   events when built, in that order; staffing, attrition, agency and the
   leavers' destinations schedule nothing when built. The opening workforce comes next (ASYE ramps, plans,
   placements), then the opening cases (closures and caseload-move clocks),
   then each team's first review (recruitment rounds, agency requests), then
   the referrals, then the first month end.
2. What a process is handed must exist: costs before staffing (its refresh),
   staffing before attrition, recruitment, agency and academy (they change the
   workforce through it), agency before the destinations (its returners),
   attrition, the destinations and the academy wired back into staffing
   (``employed``, ``left_employment``, ``passes_asye``, ``moved``) before the first
   worker joins; promotion after recruitment, which hands it each new round
   (``fill_inside``) and is handed back the rounds it fills or cannot fill
   (promotion schedules nothing when built). The hooks
   are registered in their documented order (``context.py``): staffing
   changed: academy (waiting graduates take a vacant post first), then
   recruitment, then agency; month end: recorder, recruitment (only with an
   establishment review: it notes the caseload), attrition, agency.

The context is ``ready`` only once the opening workforce and cases are in
place, so the opening workforce triggers no reviews until every team is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workforce_sim.engine.context import Context
from workforce_sim.engine.kernel import Kernel
from workforce_sim.engine.processes import absence, demand
from workforce_sim.engine.processes.academy import Academy
from workforce_sim.engine.processes.agency import Agency
from workforce_sim.engine.processes.allocation import Allocation, CaseloadMoves
from workforce_sim.engine.processes.attrition import Attrition
from workforce_sim.engine.processes.budget import Budget
from workforce_sim.engine.processes.costs import Costs
from workforce_sim.engine.processes.destinations import Destinations
from workforce_sim.engine.processes.market import Market
from workforce_sim.engine.processes.promotion import Promotion
from workforce_sim.engine.processes.recruitment import Recruitment
from workforce_sim.engine.processes.staffing import Staffing
from workforce_sim.engine.recording.logs import CaseLog, StaffLog
from workforce_sim.engine.recording.recorder import Recorder
from workforce_sim.engine.state.cases import Case, CaseKind
from workforce_sim.engine.state.teams import TeamState
from workforce_sim.engine.state.workers import NQSW, PERMANENT, Worker
from workforce_sim.engine.streams import RandomStreams

if TYPE_CHECKING:
    from workforce_sim.scenario.schema import Scenario


class Model:
    """One replication of a scenario.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    seed, replication : int
        Name the random streams.
    keep_case_log : bool
        Keep the case and staff logs.
    team_type : type, optional
        The class of the teams (a subclass of :class:`TeamState`, for tests of the rule).
    attrition_type : type, optional
        The class of the attrition process (a subclass of :class:`Attrition`, for tests).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, replication: int = 0,
                 keep_case_log: bool = False, *, team_type: type[TeamState] = TeamState,
                 attrition_type: type[Attrition] = Attrition):
        self.scenario = scenario
        self.env = env = Kernel(Case)
        self.streams = RandomStreams(seed, replication)
        self.case_log = CaseLog() if keep_case_log else None
        self.staff_log = StaffLog() if keep_case_log else None
        self.ctx = ctx = Context(scenario, env, self.streams, self.case_log, self.staff_log)
        self.month_ends = ctx.month_ends
        self.horizon_days = ctx.horizon_days

        for i, (name, spec) in enumerate(scenario.teams.items()):
            prios = [ct.priority for ct in scenario.case_types.values() if ct.team == name]
            ctx.add_team(team_type(env, self.case_log, name, i, spec.caseload_cap,
                                   spec.establishment_fte, prios or [1], spec.holds_cases,
                                   spec.role))
        self.teams = ctx.teams
        self.team_list = ctx.team_list
        self.kinds = {name: CaseKind(name, ct, self.teams[ct.team], self.streams)
                      for name, ct in scenario.case_types.items()}
        for kind in self.kinds.values():
            kind.next_kinds = [self.kinds[n] for n in kind.next_names]

        # the processes, in the order that keeps the results (module docstring)
        self.allocation = Allocation(ctx)
        env.handle(self.allocation.close, self.allocation.referral)
        self.caseload_moves = CaseloadMoves(ctx)
        if self.caseload_moves.on:           # off: no draws, no hook on the hot path
            for t in self.team_list:
                t.on_assign = self.caseload_moves.assigned
        self.costs = Costs(ctx)
        self.recorder = Recorder(ctx, self.costs)
        self.staffing = Staffing(ctx, self.costs.refresh)
        self.attrition = attrition_type(ctx, self.staffing.leave, self.staffing.asye_days)
        self.staffing.employed = self.attrition.start
        self.recruitment = Recruitment(ctx, self.staffing)
        self.promotion = Promotion(ctx, self.staffing, self.recruitment.advertise,
                                   self.recruitment.close)
        self.recruitment.fill_inside = self.promotion.start
        self.staffing.moved = self.attrition.plan
        self.market = Market(ctx)
        self.agency = Agency(ctx, self.staffing, self.market, self.costs.refresh)
        self.destinations = Destinations(ctx, self.agency.left_for_agency)
        self.staffing.left_employment = self.destinations.left
        self.academy = Academy(ctx, self.staffing)
        self.staffing.passes_asye = self.academy.passes_asye
        # long absences: built only when on, so that a run without them is unchanged
        self.long_absence = absence.LongAbsence(ctx, self.staffing) \
            if absence.enabled(ctx) else None
        if self.long_absence is not None:
            self.agency.absence_cover = self.long_absence.covered_fte

        ctx.on_staffing_changed(self.academy.review)
        ctx.on_staffing_changed(self.recruitment.review)
        ctx.on_staffing_changed(self.agency.review)
        ctx.on_month_end(self.recorder.close_month)
        if scenario.budget is not None:     # reads the month the recorder closed; acts before
            self.budget = Budget(ctx, scenario.budget, self.recorder.month_cost)   # the others
            ctx.on_month_end(self.budget.month_end)
        if self.recruitment.posts_review is not None:   # reads the month end the recorder saw
            ctx.on_month_end(self.recruitment.month_end)
        ctx.on_month_end(self.attrition.month_end)
        ctx.on_month_end(self.agency.month_end)
        if self.long_absence is not None:
            ctx.on_month_end(self.long_absence.month_end)

        self._initial_staff()
        self._initial_cases()
        for t in self.team_list:
            t.reset_flows()          # the opening state is not a flow of month 1
        ctx.ready = True
        for t in self.team_list:
            ctx.staffing_changed(t)
        demand.schedule_referrals(ctx, self.kinds)
        ctx.start_months()

    # -- initial state ----------------------------------------------------------

    def _initial_staff(self) -> None:
        add = self.staffing.add
        placement = self.scenario.workforce.agency.placement_days
        rng = self.streams["agency.initial"]
        for name, spec in self.scenario.teams.items():
            team = self.teams[name]
            for p in spec.staff.permanent:
                for _ in range(p.count):
                    add(PERMANENT, team, p.fte, service_years=p.service_years,
                        pqe_years=p.pqe())
            for q in spec.staff.nqsw:
                for _ in range(q.count):
                    add(NQSW, team, q.fte, months_served=q.months_served)
            for a in spec.staff.agency:
                for remaining in placement.sample_residual(rng, a.count).tolist():
                    self.agency.start(team, a.fte, remaining=remaining)

    def _initial_cases(self) -> None:
        """Open cases get residual durations, so a service at equilibrium stays there."""
        for name, ct in self.scenario.case_types.items():
            if not ct.initial_open:
                continue
            kind = self.kinds[name]
            residual = ct.duration_days.sample_residual(self.streams[f"initial.{name}"],
                                                        ct.initial_open)
            for r in residual.tolist():
                self.allocation.open(kind, self.allocation.new_child(), r)

    # -- running ------------------------------------------------------------------

    def run(self) -> Model:
        """Run to the horizon. Nothing at or after the horizon is processed.

        Returns
        -------
        Model
            This model, with its recorder's rows (and logs) complete.
        """
        self.env.run(until=self.horizon_days)
        self.recorder.close_month(len(self.month_ends) - 1)
        if self.case_log is not None:
            for team in self.team_list:
                for q in team.queues:
                    for case in q:
                        self.case_log.still_waiting(case)
        return self

    def depart(self, worker: Worker) -> None:
        """A worker leaves now (their cases are handed back to the team's queue).

        Parameters
        ----------
        worker : Worker
        """
        self.staffing.leave(worker)
