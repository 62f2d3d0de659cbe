"""Part-time hires (recruitment.part_time_share) and long absences (absence.long_leave).

Hand-made services where the answers are exact: one case-holding team, no
turnover unless asked, fixed times to hire.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.engine.state.teams import EPS, vacancy_fte
from workforce_sim.engine.state.workers import PERMANENT

START = dt.date(2025, 4, 1)


def service(*, share: float = 0.0, pt_fte: float = 0.5, establishment: float = 6,
            staff: int = 6, leave: dict | None = None, cover_fraction: float = 0.0,
            success: float = 1.0, horizon: int = 12) -> Scenario:
    return Scenario.from_dict({
        "schema_version": 1, "name": "patterns", "start_date": START.isoformat(),
        "horizon_months": horizon,
        "teams": {"front": {"caseload_cap": 10, "establishment_fte": establishment,
                            "staff": {"permanent": staff}}},
        "case_types": {"x": {"team": "front", "referrals_per_year": 200, "initial_open": 40,
                             "duration_days": {"dist": "exponential", "mean": 90}}},
        "workforce": {"permanent": {"annual_turnover": 0.0},
                      "agency": {"cover_fraction": cover_fraction,
                                 "conversion_annual_rate": 0.0,
                                 "early_exit_annual_rate": 0.0}},
        "recruitment": {"success_probability": success, "part_time_share": share,
                        "part_time_fte": pt_fte,
                        "time_to_hire_days": {"dist": "fixed", "value": 10}},
        "absence": {"rate": 0.0, "long_leave": leave or {}},
    })


def test_mean_fte_of_hires_matches_the_split():
    """Hires into whole-FTE rounds work 0.5 FTE with probability 0.3: their mean FTE is
    1 − 0.3 × 0.5 = 0.85. Over n = 4000 hires the mean's standard error is
    0.5 · sqrt(0.3 · 0.7 / n); the test allows 4 of them (two-sided error rate about
    6e-5), seed fixed. A round of 0.25 FTE is hired at 0.25 FTE whatever the draw."""
    model = Model(service(share=0.3), seed=3)
    n = 4000
    ftes = [model.recruitment.hire_fte(1.0) for _ in range(n)]
    assert set(ftes) == {0.5, 1.0}
    se = 0.5 * math.sqrt(0.3 * 0.7 / n)
    assert abs(np.mean(ftes) - 0.85) < 4 * se
    assert {model.recruitment.hire_fte(0.25) for _ in range(50)} == {0.25}


def test_hires_in_a_run_are_whole_or_part_time():
    model = Model(service(share=0.3, establishment=60, staff=0, horizon=12), seed=3)
    model.run()
    hires = [w.fte for w in model.teams["front"].workers if w.kind == PERMANENT]
    assert hires and set(hires) <= {0.5, 1.0} and 0.5 in hires


def test_a_part_time_hire_leaves_the_rest_vacant_and_advertised():
    """A 1-FTE round filled by a 0.5-FTE hire: the team is 0.5 FTE short and a 0.5-FTE
    round is advertised for the rest."""
    model = Model(service(share=1.0, establishment=6, staff=5, success=1.0), seed=1)
    team = model.teams["front"]
    model.env.run(until=10.5)
    assert sorted(w.fte for w in team.workers) == [0.5, 1, 1, 1, 1, 1]
    assert math.isclose(vacancy_fte(team), 0.5)
    assert [r.fte for r in model.recruitment.rounds["front"]] == [0.5]
    model.env.run(until=21.0)
    assert vacancy_fte(team) < EPS


def test_off_draws_nothing_and_builds_no_process():
    model = Model(service(), seed=1)
    assert model.recruitment.hours is None and model.long_absence is None
    assert "recruitment.hours" not in model.streams._streams
    assert "absence.long" not in model.streams._streams


def _leave(rate: float = 50.0, days: float = 100.0, cover: bool = False) -> dict:
    return {"maternity": {"annual_rate": rate, "cover": cover,
                          "duration_days": {"dist": "fixed", "value": days}}}


def test_an_absent_worker_holds_nothing_and_stays_in_post():
    """At a rate of 50 per FTE-year, everyone starts a spell at the first month end (a
    probability of 1 − exp(−50 · 30/365.25) ≈ 0.98 each). Away: no cases, no capacity,
    in FTE in post, not vacant; back after the spell, they take cases again."""
    model = Model(service(leave=_leave()), seed=2)
    team = model.teams["front"]
    first = model.ctx.month_ends[0]        # the first month end: spells start
    model.env.run(until=first + 1)
    away = list(model.long_absence.on_leave)
    assert away
    for w in away:
        assert not w.cases and w.load == 0 and w.capacity == 0
    assert math.isclose(team.away_fte, sum(w.fte for w in away))
    assert vacancy_fte(team) == 0.0        # in post: not vacant
    model.env.run(until=first + 100.5)
    back = [w for w in away if w not in model.long_absence.on_leave]
    assert back and all(w.capacity > 0 for w in back)


def test_cover_raises_the_agency_target_by_the_absent_fte():
    """With cover, the agency goal is round(cover_fraction × vacancy + absent FTE);
    here nobody is vacant, so it is the absent FTE rounded to the nearest whole FTE."""
    for cover in (True, False):
        model = Model(service(leave=_leave(cover=cover), cover_fraction=1.0), seed=2)
        team = model.teams["front"]
        model.env.run(until=model.ctx.month_ends[0] + 1)
        absent = sum(w.fte for w in model.long_absence.on_leave)
        assert absent > 0
        want = math.floor(absent + 0.5 + EPS) if cover else 0
        assert model.agency.goal(team) == want
        assert model.agency.cover(team) == want


def test_monthly_columns_count_the_spells():
    """Spells of 400 days in a 12-month run: nobody comes back, so the starts summed
    over the months are the employees away at the end, and long_absence_fte their FTE."""
    import workforce_sim as ws
    monthly = ws.simulate(service(leave=_leave(days=400)), seed=4, replication=0).monthly
    front = monthly[monthly["team"] == "front"]
    assert front["long_absence_starts"].sum() == 6
    assert front["long_absence_fte"].iloc[-1] == 6.0
    assert (front["vacancy_fte"] == 0).all()
