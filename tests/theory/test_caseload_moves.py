"""Managers' caseload moves against their definition: a Poisson process per held case.

Each held case is moved at ``caseload_management.moves_per_case_year`` to the
least-loaded colleague with room (``engine/processes/allocation.py``,
``CaseloadMoves``). When a colleague always has room, every attempt is a move,
so given the total time cases were held, H case-years (read from the case log),
the number of moves is Poisson with mean rate × H: the attempts of a case are a
Poisson process while it is held (the clock is exponential and drawn afresh at
every allocation, and memoryless), closures are fixed when a case is allocated
and do not depend on moves, and the moves do not change H.

Statistical policy (tests/theory/test_queueing.py): each run is one two-sided
comparison with the exact Poisson quantiles of the theory; the two runs share
δ = 10⁻³ by Bonferroni (5 × 10⁻⁴ each). Seeds are fixed, so the test is
deterministic; δ is the chance that a correct model would fail it for a seed
chosen at random.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

import workforce_sim as ws
from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.scenario.calendar import DAYS_PER_YEAR
from workforce_sim.scenario.schema import CaseloadManagement

DELTA = 1e-3
SEED = 20250601
LONG = {"dist": "fixed", "value": 36_525}        # opening cases close uniformly over 100 years


def _team(workers: int, cases: int, months: int, rate: float) -> ws.Scenario:
    return ws.Scenario.from_dict({
        "schema_version": 1, "name": "caseload moves", "start_date": "2025-01-01",
        "horizon_months": months,
        "teams": {"t": {"establishment_fte": workers, "caseload_cap": 60,
                        "staff": {"permanent": workers}}},
        "case_types": {"c": {"team": "t", "initial_open": cases, "duration_days": LONG}},
        "workforce": {"permanent": {"annual_turnover": 0.0, "pressure_elasticity": 0.0},
                      "agency": {"cover_fraction": 0.0, "early_exit_annual_rate": 0.0,
                                 "conversion_annual_rate": 0.0}},
        "recruitment": {"success_probability": 0.0},
        "absence": {"rate": 0.0},
        "caseload_management": {"moves_per_case_year": rate},
    })


def _moves_and_held_years(model: Model) -> tuple[int, float]:
    log = model.case_log.frame()
    spells = log[log["worker_id"] >= 0]
    ended = spells["ended_day"].fillna(model.horizon_days).to_numpy()
    held = float((ended - spells["allocated_day"].to_numpy()).sum()) / DAYS_PER_YEAR
    moves = int((log["end"] == "moved").sum())
    recorded = sum(row[2 + COLUMNS.index("caseload_moves")] for row in model.recorder.rows
                   if row[1] == "t")
    assert recorded == moves                  # the monthly column counts the same moves
    return moves, held


def _within_poisson(moves: int, mean: float, delta: float) -> tuple[bool, str]:
    lo, hi = stats.poisson.ppf(delta / 2, mean), stats.poisson.isf(delta / 2, mean)
    return lo <= moves <= hi, f"{moves} moves, expected Poisson({mean:.1f}): [{lo:.0f}, {hi:.0f}]"


def test_moves_are_poisson_at_the_default_rate():
    """The schema's default rate (0.28 a case-year, [D] S6), a stable team with room
    for every case: 300 cases held for 5 years."""
    rate = CaseloadManagement().moves_per_case_year
    assert rate == 0.28
    model = Model(_team(workers=10, cases=300, months=60, rate=rate), SEED, 0,
                  keep_case_log=True).run()
    moves, held = _moves_and_held_years(model)
    assert held > 1300
    ok, msg = _within_poisson(moves, rate * held, DELTA / 2)
    assert ok, msg


def test_moves_keep_their_rate_through_hand_overs():
    """3 moves a case-year in a team where a worker leaves every 30 days (their cases
    handed over and reallocated at once) and a replacement joins 10 days later: each
    new allocation draws a fresh clock, and the rate per held case-year holds."""
    rate = 3.0
    model = Model(_team(workers=5, cases=100, months=36, rate=rate), SEED, 1, keep_case_log=True)
    team = model.teams["t"]

    def churn(env):
        while True:
            yield env.timeout(30.0)
            model.depart(next(w for w in team.workers if w.cases))
            yield env.timeout(10.0)
            model.staffing.add("permanent", team)

    model.env.process(churn(model.env))
    model.run()
    log = model.case_log.frame()
    assert (log["end"] == "handover").sum() > 100
    waits = log["allocated_day"] - log["queued_day"]
    assert np.nanmax(waits.to_numpy()) == 0.0          # every case always found room
    moves, held = _moves_and_held_years(model)
    ok, msg = _within_poisson(moves, rate * held, DELTA / 2)
    assert ok, msg
