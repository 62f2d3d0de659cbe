"""Invariants that hold on every run of every valid scenario (Hypothesis).

Each example builds a random valid scenario, runs it (sometimes with workers
leaving at random moments, to exercise hand-over), and checks exact
identities: case stock-flow balance per team and month, nobody above their
capacity, no negative stocks, nothing at or after the horizon, and the same
seed giving the same bits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce_sim import Scenario, simulate
from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.engine.state.teams import TeamState
from workforce_sim.experiment.runner import _monthly_frame

DISTS = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(1, 400)),
    st.builds(lambda v: {"dist": "fixed", "value": v}, st.floats(1, 400)),
    st.builds(lambda med, r: {"dist": "lognormal", "median": med, "p90": med * r},
              st.floats(1, 300), st.floats(1.1, 5)),
    st.builds(lambda m, cv: {"dist": "gamma", "mean": m, "sd": m * cv},
              st.floats(1, 300), st.floats(0.2, 2)),
    st.builds(lambda a, b, c: {"dist": "triangular", "min": a, "mode": a + b, "max": a + b + c},
              st.floats(0, 100), st.floats(0, 100), st.floats(1, 200)),
    st.builds(lambda p: {"dist": "empirical", "bins": [[0, 30, p], [30, 200, 1 - p]]},
              st.floats(0, 1)),
)


@st.composite
def scenarios(draw) -> Scenario:
    n_teams = draw(st.integers(1, 3))
    teams = {}
    for i in range(n_teams):
        teams[f"team{i}"] = {
            "establishment_fte": draw(st.floats(0, 10)),
            "caseload_cap": draw(st.sampled_from([1, 2.5, 4, 10, 18])),
            "staff": {
                "permanent": [{"count": draw(st.integers(0, 5)),
                               "fte": draw(st.sampled_from([0.5, 0.8, 1]))}],
                "nqsw": [{"count": draw(st.integers(0, 2)), "months_served": draw(st.floats(0, 11.5))}],
                "agency": draw(st.integers(0, 2)),
            },
        }
    if n_teams > 1 and draw(st.booleans()):   # promotion between case-holding teams
        teams["team0"]["promotion"] = {
            "from_teams": {t: 1.0 for t in teams if t != "team0"},
            "internal_share": draw(st.sampled_from([0.5, 1.0])),
            "min_service_years": draw(st.sampled_from([0.0, 3.0, 5.0])),
            "time_days": draw(st.sampled_from([0.0, 20.0])),
        }
    n_types = draw(st.integers(1, 4))
    names = [f"type{j}" for j in range(n_types)]
    case_types = {}
    for name in names:
        targets = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        probs = draw(st.lists(st.floats(0, 0.45), min_size=len(targets), max_size=len(targets)))
        ct = {
            "team": draw(st.sampled_from(list(teams))),
            "weight": draw(st.sampled_from([0.5, 1.0, 1.5, 2.0])),
            "referrals_per_year": draw(st.floats(0, 1500)),
            "duration_days": draw(DISTS),
            "initial_open": draw(st.integers(0, 40)),
            "on_close": dict(zip(targets, probs, strict=True)),
            "priority": draw(st.integers(1, 3)),
            "growth_per_year": draw(st.floats(-0.3, 0.3)),
        }
        if draw(st.booleans()):
            ct["seasonality"] = draw(st.lists(st.floats(0.5, 1.5), min_size=12, max_size=12))
            mean = sum(ct["seasonality"]) / 12
            ct["seasonality"] = [m / mean for m in ct["seasonality"]]
        case_types[name] = ct
    return Scenario.from_dict({
        "schema_version": 1, "name": "random", "start_date": "2025-01-01",
        "horizon_months": draw(st.integers(1, 18)), "teams": teams, "case_types": case_types,
        "absence": {"rate": draw(st.sampled_from([0.0, 0.035]))},
    })


def run_with_departures(scenario: Scenario, seed: int, departures: int,
                        team_type: type[TeamState] = TeamState):
    """Run, removing ``departures`` random workers at random times (hand-over)."""
    model = Model(scenario, seed, 0, keep_case_log=True, team_type=team_type)
    rng = np.random.default_rng(seed)
    horizon = model.horizon_days

    def leave(delay):
        yield model.env.timeout(delay)
        everyone = [w for t in model.team_list for w in t.workers]
        if everyone:
            model.depart(everyone[int(rng.integers(len(everyone)))])

    for d in sorted(rng.uniform(0, horizon, departures)):
        model.env.process(leave(d))
    model.run()
    return model


COMMON = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(scenarios(), st.integers(0, 2**32 - 1), st.integers(0, 4))
def test_invariants(scenario, seed, departures):
    model = run_with_departures(scenario, seed, departures)
    df = _monthly_frame(model)
    teams = list(scenario.teams)

    # One row per month and team, plus the service, and nothing beyond the horizon.
    assert len(df) == scenario.horizon_months * (len(teams) + 1)
    assert df["month"].max() < pd.Timestamp(scenario.end_date)

    # No negative stocks or flows; nobody above their capacity.
    counts = ["open_cases", "allocated_cases", "unallocated_cases", "referrals", "allocations",
              "closures", "handovers", "worker_changes", "pathway_starts", "workers_over_cap"]
    assert (df[counts] >= 0).all().all()
    assert (df["workers_over_cap"] == 0).all()
    for team in model.team_list:
        for w in team.workers:
            assert w.load <= w.capacity + 1e-9
            assert abs(w.load - sum(c.weight for c in w.cases)) < 1e-9

    # Case stock-flow balance, team by team, month by month (exact integers).
    for name in teams:
        t = df[df["team"] == name]
        initial = sum(ct.initial_open for ct in scenario.case_types.values() if ct.team == name)
        opened = initial + (t["referrals"] + t["pathway_starts"] - t["closures"]).cumsum()
        assert (opened.to_numpy() == t["open_cases"].to_numpy()).all()
        assert (t["allocated_cases"] + t["unallocated_cases"] == t["open_cases"]).all()

    # The service rows are the sums of the team rows for every count.
    per_team = df[df["team"] != "all"].groupby("month")[counts].sum()
    service = df[df["team"] == "all"].set_index("month")[counts]
    assert (per_team.to_numpy() == service.to_numpy()).all()

    # Nothing happens at or after the horizon.
    cases = model.case_log.frame()
    horizon = model.horizon_days
    assert (cases["allocated_day"].dropna() < horizon).all()
    assert (cases["ended_day"].dropna() < horizon).all()
    assert (cases["queued_day"] < horizon).all()


@settings(max_examples=20, deadline=None)
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_same_seed_same_bits(scenario, seed):
    a = simulate(scenario, seed=seed).monthly
    b = simulate(scenario, seed=seed).monthly
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.columns[2:]) == list(COLUMNS)


class PlainRule(TeamState):
    """The allocation rule exactly as stated, without the engine's shortcuts: every
    new case joins the queue first, and every closure scans the whole team."""

    def join(self, case):
        now = self.env._now
        case.queued_at = now
        q = self._enqueue(case, now)
        if q[0] is case and self._head() is q:
            self.allocate()

    def freed(self, worker):
        self.allocate()


@COMMON
@given(scenarios(), st.integers(0, 2**32 - 1), st.integers(0, 4))
def test_shortcuts_choose_what_the_plain_rule_chooses(scenario, seed, departures):
    """Straight-to-a-worker admission and the closing-worker check (allocation.py)
    give the same run, case by case, as queueing every case and scanning every time."""
    fast = run_with_departures(scenario, seed, departures)
    plain = run_with_departures(scenario, seed, departures, team_type=PlainRule)
    assert all(isinstance(t, PlainRule) for t in plain.team_list)
    assert fast.recorder.rows == plain.recorder.rows or \
        _monthly_frame(fast).equals(_monthly_frame(plain))      # NaN != NaN in raw rows
    pd.testing.assert_frame_equal(fast.case_log.frame(), plain.case_log.frame(), check_exact=True)
