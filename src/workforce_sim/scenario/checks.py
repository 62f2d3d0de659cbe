"""Checks that span fields: names that must exist, dates inside the horizon, ...

Each check yields :class:`Problem` objects so that every problem is reported at
once; :meth:`Scenario._cross_checks` gathers them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from workforce_sim.scenario.errors import Problem, did_you_mean

if TYPE_CHECKING:
    from workforce_sim.scenario.schema import Scenario


def _in_horizon(s: Scenario, path: str, d: dt.date) -> Iterator[Problem]:
    if not (s.start_date <= d < s.end_date):
        yield Problem(path, d, f"outside the horizon; expected a date from {s.start_date} "
                               f"to before {s.end_date}")


def cross_problems(s: Scenario) -> Iterator[Problem]:
    """Checks that span fields: names that must exist, dates inside the horizon."""
    teams = list(s.teams)
    for name, ct in s.case_types.items():
        base = f"case_types.{name}"
        if ct.team not in s.teams:
            yield Problem(f"{base}.team", ct.team,
                          f"unknown team{did_you_mean(ct.team, teams)} (teams: {', '.join(teams)})")
        elif not s.teams[ct.team].holds_cases:
            yield Problem(f"{base}.team", ct.team, "this team holds no cases (holds_cases = false)")
        for target in ct.on_close:
            if target not in s.case_types:
                yield Problem(f"{base}.on_close.{target}", ct.on_close[target],
                              f"unknown case type{did_you_mean(target, s.case_types)} "
                              f"(case types: {', '.join(s.case_types)})")
        for i, change in enumerate(ct.demand_changes):
            yield from _in_horizon(s, f"{base}.demand_changes.{i}.date", change.date)
    asye = s.workforce.nqsw.asye_months
    for tname, team in s.teams.items():
        if team.holds_cases and team.caseload_cap <= 0:
            yield Problem(f"teams.{tname}.caseload_cap", team.caseload_cap,
                          "expected a cap above 0 for a team that holds cases "
                          "(or set holds_cases = false)")
        for i, ch in enumerate(team.establishment_changes):
            yield from _in_horizon(s, f"teams.{tname}.establishment_changes.{i}.date", ch.date)
        for i, g in enumerate(team.staff.nqsw):
            if g.months_served >= asye:
                yield Problem(f"teams.{tname}.staff.nqsw.{i}.months_served", g.months_served,
                              f"expected fewer than asye_months ({asye:g}); "
                              "count workers past their ASYE as permanent")
    if s.workforce.nqsw.capacity_end < s.workforce.nqsw.capacity_start:
        yield Problem("workforce.nqsw.capacity_end", s.workforce.nqsw.capacity_end,
                      "expected at least capacity_start (the ASYE ramp goes up)")
    for i, c in enumerate(s.recruitment.campaigns):
        if c.end <= c.start:
            yield Problem(f"recruitment.campaigns.{i}.end", c.end, "expected a date after start")
        yield from _in_horizon(s, f"recruitment.campaigns.{i}.start", c.start)
    for i, lever in enumerate(s.workforce.permanent.retention):
        base = f"workforce.permanent.retention.{i}"
        yield from _in_horizon(s, f"{base}.start", lever.start)
        if lever.end is not None and lever.end <= lever.start:
            yield Problem(f"{base}.end", lever.end, "expected a date after start")
    for i, c in enumerate(s.recruitment.cohorts):
        base = f"recruitment.cohorts.{i}"
        yield from _in_horizon(s, f"{base}.date", c.date)
        if c.team not in s.teams:
            yield Problem(f"{base}.team", c.team,
                          f"unknown team{did_you_mean(c.team, teams)} (teams: {', '.join(teams)})")
    for i, intake in enumerate(s.academy.intakes):
        base = f"academy.intakes.{i}"
        if intake.pathway not in s.academy.pathways:
            known = ", ".join(s.academy.pathways) or "none defined"
            yield Problem(f"{base}.pathway", intake.pathway,
                          f"unknown pathway{did_you_mean(intake.pathway, s.academy.pathways)} "
                          f"(academy.pathways: {known})")
        for team, share in intake.teams.items():
            if team not in s.teams:
                yield Problem(f"{base}.teams.{team}", share,
                              f"unknown team{did_you_mean(team, teams)} (teams: {', '.join(teams)})")
            if not (0 <= share <= 1):
                yield Problem(f"{base}.teams.{team}", share, "expected a share in [0, 1]")
        total = sum(intake.teams.values())
        if not math.isclose(total, 1, abs_tol=1e-6):
            yield Problem(f"{base}.teams", intake.teams, f"shares sum to {total:g}; expected 1")


