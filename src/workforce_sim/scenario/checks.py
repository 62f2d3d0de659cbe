"""Checks that span fields: names that must exist, dates inside the horizon, ...

Each check yields :class:`Problem` objects so that every problem is reported at
once; :meth:`Scenario._cross_checks` gathers them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np

from workforce_sim.scenario.errors import Problem, did_you_mean

if TYPE_CHECKING:
    from workforce_sim.scenario.schema import Scenario, Team

MAX_TEAM_PEOPLE = 10_000
MAX_SPELLS = 1_000
"""Most case spells a referral may pass through on average (``on_close`` continuations)."""


def _in_horizon(s: Scenario, path: str, d: dt.date) -> Iterator[Problem]:
    if not (s.start_date <= d < s.end_date):
        yield Problem(path, d, f"outside the horizon; expected a date from {s.start_date} "
                               f"to before {s.end_date}")


def cross_problems(s: Scenario) -> Iterator[Problem]:
    """Checks that span fields: names that must exist, dates inside the horizon, ...

    Parameters
    ----------
    s : Scenario
        A scenario whose fields are each valid.

    Returns
    -------
    Iterator of Problem
        Every problem found, in the order of the file's sections.
    """
    for check in (_case_type_problems, _pathway_loops, _team_problems, _workforce_problems,
                  _recruitment_problems, _academy_problems, _trend_problems):
        yield from check(s)


def _unknown_team(s: Scenario, path: str, name: str, value: object) -> Iterator[Problem]:
    if name not in s.teams:
        teams = list(s.teams)
        yield Problem(path, value, f"unknown team{did_you_mean(name, teams)} (teams: {', '.join(teams)})")


def _case_type_problems(s: Scenario) -> Iterator[Problem]:
    for name, ct in s.case_types.items():
        base = f"case_types.{name}"
        if ct.team not in s.teams:
            yield from _unknown_team(s, f"{base}.team", ct.team, ct.team)
        elif not s.teams[ct.team].holds_cases:
            yield Problem(f"{base}.team", ct.team, "this team holds no cases (holds_cases = false)")
        for target in ct.on_close:
            if target not in s.case_types:
                yield Problem(f"{base}.on_close.{target}", ct.on_close[target],
                              f"unknown case type{did_you_mean(target, s.case_types)} "
                              f"(case types: {', '.join(s.case_types)})")
        for i, change in enumerate(ct.demand_changes):
            yield from _in_horizon(s, f"{base}.demand_changes.{i}.date", change.date)


def _team_problems(s: Scenario) -> Iterator[Problem]:
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
        yield from _team_size(tname, team)
        if team.promotion is not None:
            yield from _promotion_problems(s, tname, team.promotion.from_teams)
        for i, managed in enumerate(team.manages):
            yield from _unknown_team(s, f"teams.{tname}.manages.{i}", managed, managed)
            if managed == tname:
                yield Problem(f"teams.{tname}.manages.{i}", managed, "a team cannot manage itself")


def _promotion_problems(s: Scenario, tname: str, weights: Mapping[str, float]) -> Iterator[Problem]:
    """A promotion route names other teams, with weights that can choose one."""
    base = f"teams.{tname}.promotion.from_teams"
    for source, weight in weights.items():
        yield from _unknown_team(s, f"{base}.{source}", source, weight)
        if source == tname:
            yield Problem(f"{base}.{source}", weight,
                          "a team cannot be promoted into itself; expected another team")
        if weight < 0:
            yield Problem(f"{base}.{source}", weight, "expected a weight of at least 0")
    if weights and all(w == 0 for w in weights.values()):
        yield Problem(base, weights, "every weight is 0; expected at least one above 0")


def _team_size(tname: str, team: Team) -> Iterator[Problem]:
    # Each worker is simulated: a bound on the people keeps a run finite in time.
    staff = team.staff
    people = sum(g.count for groups in (staff.permanent, staff.nqsw, staff.agency) for g in groups)
    if people > MAX_TEAM_PEOPLE:
        yield Problem(f"teams.{tname}.staff", people,
                      f"{people:,} people in one team; expected at most {MAX_TEAM_PEOPLE:,} "
                      "(more than any council's whole workforce)")


def _workforce_problems(s: Scenario) -> Iterator[Problem]:
    if s.workforce.nqsw.capacity_end < s.workforce.nqsw.capacity_start:
        yield Problem("workforce.nqsw.capacity_end", s.workforce.nqsw.capacity_end,
                      "expected at least capacity_start (the ASYE ramp goes up)")
    for i, lever in enumerate(s.workforce.permanent.retention):
        base = f"workforce.permanent.retention.{i}"
        yield from _in_horizon(s, f"{base}.start", lever.start)
        if lever.end is not None and lever.end <= lever.start:
            yield Problem(f"{base}.end", lever.end, "expected a date after start")


def _recruitment_problems(s: Scenario) -> Iterator[Problem]:
    for i, c in enumerate(s.recruitment.campaigns):
        if c.end <= c.start:
            yield Problem(f"recruitment.campaigns.{i}.end", c.end, "expected a date after start")
        yield from _in_horizon(s, f"recruitment.campaigns.{i}.start", c.start)
    for i, cohort in enumerate(s.recruitment.cohorts):
        base = f"recruitment.cohorts.{i}"
        yield from _in_horizon(s, f"{base}.date", cohort.date)
        yield from _unknown_team(s, f"{base}.team", cohort.team, cohort.team)


def _academy_problems(s: Scenario) -> Iterator[Problem]:
    for i, intake in enumerate(s.academy.intakes):
        base = f"academy.intakes.{i}"
        if intake.pathway not in s.academy.pathways:
            known = ", ".join(s.academy.pathways) or "none defined"
            yield Problem(f"{base}.pathway", intake.pathway,
                          f"unknown pathway{did_you_mean(intake.pathway, s.academy.pathways)} "
                          f"(academy.pathways: {known})")
        for team, share in intake.teams.items():
            yield from _unknown_team(s, f"{base}.teams.{team}", team, share)
            if not (0 <= share <= 1):
                yield Problem(f"{base}.teams.{team}", share, "expected a share in [0, 1]")
        total = sum(intake.teams.values())
        if not math.isclose(total, 1, abs_tol=1e-6):
            yield Problem(f"{base}.teams", intake.teams, f"shares sum to {total:g}; expected 1")




# ------------------------------------------------------------ pathway loops


def _trend_problems(s: Scenario) -> Iterator[Problem]:
    """A trend on the log scale starts from a value above 0."""
    t = s.trends
    for name, trend, value, where in (
            ("turnover", t.turnover, s.workforce.permanent.annual_turnover,
             "workforce.permanent.annual_turnover"),
            ("recruitment_success", t.recruitment_success, s.recruitment.success_probability,
             "recruitment.success_probability"),
            ("agency_cover", t.agency_cover, s.workforce.agency.cover_fraction,
             "workforce.agency.cover_fraction")):
        if trend is not None and trend.start is None and value <= 0:
            yield Problem(f"trends.{name}.start", None,
                          f"needed: {where} is {value:g} and the trend moves on the log scale; "
                          "expected a start above 0")


def _pathway_loops(s: Scenario) -> Iterator[Problem]:
    """Case types that continue into each other (``on_close``) must let cases close.

    With P[i, j] the chance a closing case of type i continues as type j, a case
    starting as type i passes through ``((I - P)^-1 1)_i`` spells on average:
    finite only if the spectral radius of P is below 1, that is, unless some set
    of case types passes every closing case on within itself (probability 1).
    """
    names = list(s.case_types)
    closed = _closed_set(s, names)
    if closed:
        first = closed[0]
        yield Problem(f"case_types.{first}.on_close", s.case_types[first].on_close,
                      f"case types {', '.join(map(repr, closed))} continue into each other with "
                      "probability 1, so a case would never close; expected their on_close "
                      "probabilities to leave some chance of closing")
        return
    spells = _expected_spells(s, names)
    for name, n in zip(names, spells, strict=True):
        if not n <= MAX_SPELLS:
            yield Problem(f"case_types.{name}.on_close", s.case_types[name].on_close,
                          f"a case starting as {name!r} passes through {n:.3g} case spells on average "
                          f"before it closes; expected at most {MAX_SPELLS:,}")


def _closed_set(s: Scenario, names: list[str]) -> list[str]:
    """The case types from which no case ever closes (empty if every case can close).

    Drops, until none is left to drop, each type whose continuations within the
    remaining set add up to less than 1: what remains passes every case on.
    """
    inside = set(names)
    changed = True
    while changed:
        changed = False
        for name in sorted(inside):
            on_close = s.case_types[name].on_close
            if sum(p for t, p in on_close.items() if t in inside) < 1 - 1e-12:
                inside.discard(name)
                changed = True
    return [n for n in names if n in inside]


def _expected_spells(s: Scenario, names: list[str]) -> list[float]:
    index = {n: i for i, n in enumerate(names)}
    p = np.zeros((len(names), len(names)))
    for name, ct in s.case_types.items():
        for target, prob in ct.on_close.items():
            if target in index:
                p[index[name], index[target]] += prob
    try:
        spells = np.linalg.solve(np.eye(len(names)) - p, np.ones(len(names)))
    except np.linalg.LinAlgError:
        return [math.inf] * len(names)
    return [float(x) if math.isfinite(x) and x > 0 else math.inf for x in spells]
