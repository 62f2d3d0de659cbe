"""Establishment control: academy graduates take funded vacant posts (academy.py).

A hand-made service where every answer is known: nobody leaves unless the test
says so, recruitment rounds never succeed, no agency cover. Team ``a`` has 2
vacant posts, ``c`` 1, ``b`` none; ``leads`` holds no cases and has 3. An
intake of 5 into ``a``: 2 take ``a``'s posts, 1 takes ``c``'s (the case-holding
team with a vacancy; ``leads`` is not one), and the other 2 go by the
pathway's ``when_no_post``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.experiment.runner import _monthly_frame
from workforce_sim.scenario.calendar import DAYS_PER_YEAR

START = dt.date(2025, 4, 1)
INTAKE_DAY = float((dt.date(2025, 9, 1) - START).days)
DPM = DAYS_PER_YEAR / 12


def service(option: str, *, training: float = 0.0, wait: float = 3.0, size: int = 5) -> Scenario:
    team = {"caseload_cap": 10}
    return Scenario.from_dict({
        "schema_version": 1, "name": "establishment", "start_date": START.isoformat(),
        "horizon_months": 24,
        "teams": {
            "a": {**team, "establishment_fte": 5, "staff": {"permanent": 3}},
            "b": {**team, "establishment_fte": 4, "staff": {"permanent": 4}},
            "c": {**team, "establishment_fte": 3, "staff": {"permanent": 2}},
            "leads": {"caseload_cap": 0, "holds_cases": False, "establishment_fte": 5,
                      "staff": {"permanent": 2}},
        },
        "case_types": {"x": {"team": "a", "referrals_per_year": 10,
                             "duration_days": {"dist": "fixed", "value": 30}}},
        "workforce": {"permanent": {"annual_turnover": 0.0},
                      "agency": {"cover_fraction": 0.0}},
        "recruitment": {"success_probability": 0.0},
        "academy": {
            "pathways": {"p": {"training_months": training, "when_no_post": option,
                               "wait_months": wait, "asye_pass_rate": 1.0}},
            "intakes": [{"pathway": "p", "month": 9, "sizes": [size, 0], "teams": {"a": 1.0}}],
        },
        "absence": {"rate": 0.0},
    })


def employed(model: Model) -> dict[str, int]:
    return {t.name: sum(w.kind in ("permanent", "nqsw") for w in t.workers) for t in model.team_list}


def run_to(model: Model, day: float) -> None:
    model.env.run(until=day)


def month_row(df, month: str, team: str):
    return df[(df.month == month) & (df.team == team)].iloc[0]


def test_schema_default_is_wait_six_months():
    data = service("not_placed").to_dict()
    del data["academy"]["pathways"]["p"]["when_no_post"]
    del data["academy"]["pathways"]["p"]["wait_months"]
    q = Scenario.from_dict(data).academy.pathways["p"]
    assert (q.when_no_post, q.wait_months) == ("wait", 6.0)


def test_unknown_option_is_refused():
    data = service("wait").to_dict()
    data["academy"]["pathways"]["p"]["when_no_post"] = "overflow"
    with pytest.raises(Exception, match="when_no_post"):
        Scenario.from_dict(data)


@pytest.mark.parametrize("option", ["supernumerary", "wait", "not_placed"])
def test_vacancies_first_then_other_case_holding_team(option):
    m = Model(service(option))
    assert len(m.recruitment.rounds["a"]) == 2          # a's 2 vacancies are being recruited
    run_to(m, INTAKE_DAY + 1)
    got = employed(m)
    assert got["b"] == 4 and got["leads"] == 2
    if option == "supernumerary":                       # all five join their own team
        assert (got["a"], got["c"]) == (3 + 5, 2)
    else:                                               # a's 2 posts, then c's 1
        assert (got["a"], got["c"]) == (5, 3)
    assert m.recruitment.rounds["a"] == []              # cancelled
    assert (m.recruitment.rounds["c"] == []) == (option != "supernumerary")
    assert len(m.recruitment.rounds["leads"]) == 3     # graduates never go to a team without cases
    assert len(m.academy.waiting) == (2 if option == "wait" else 0)


@pytest.mark.parametrize("option, not_placed", [("supernumerary", 0), ("not_placed", 2)])
def test_flows_at_intake(option, not_placed):
    m = Model(service(option)).run()
    df = _monthly_frame(m)
    a, c = month_row(df, "2025-09-01", "a"), month_row(df, "2025-09-01", "c")
    assert a.academy_qualified == (5 if option == "supernumerary" else 2)
    assert c.academy_qualified == (0 if option == "supernumerary" else 1)
    assert a.academy_not_placed == not_placed
    assert df.academy_not_placed.sum() == 2 * not_placed   # team rows plus the service row
    assert a.over_establishment_fte == (3 if option == "supernumerary" else 0)


def test_wait_placed_when_a_post_falls_vacant_then_lost():
    m = Model(service("wait", wait=3.0))
    leaver_day = INTAKE_DAY + 40.0
    run_to(m, leaver_day)
    assert len(m.academy.waiting) == 2 and employed(m)["b"] == 4
    m.depart(next(w for w in m.teams["b"].workers if w.kind == "permanent"))
    got = employed(m)
    assert got["b"] == 4, "the first graduate waiting takes the post in b at once"
    assert len(m.academy.waiting) == 1
    assert m.recruitment.rounds["b"] == []             # no round for a post a graduate took
    newest = max(m.teams["b"].workers, key=lambda w: w.id)
    assert newest.kind == "nqsw" and newest.joined_day == leaver_day
    m.run()
    df = _monthly_frame(m)
    assert month_row(df, "2025-10-01", "b").academy_qualified == 1
    # the other is lost 3 months after the intake, counted in a (the intake's team)
    assert month_row(df, "2025-12-01", "a").academy_not_placed == 1
    assert df[df.team != "all"].academy_not_placed.sum() == 1
    assert m.academy.waiting == []


def test_wait_does_not_take_a_post_in_a_team_without_cases():
    m = Model(service("wait"))
    run_to(m, INTAKE_DAY + 10.0)
    m.depart(next(w for w in m.teams["leads"].workers))
    assert len(m.academy.waiting) == 2


def test_trainees_hold_no_post_until_they_qualify():
    m = Model(service("not_placed", training=6.0, size=4))
    run_to(m, INTAKE_DAY + 1)
    assert [w.kind for w in m.teams["a"].workers].count("trainee") == 4
    assert len(m.recruitment.rounds["a"]) == 2          # training takes no post
    run_to(m, INTAKE_DAY + 6 * DPM + 1)
    got = employed(m)
    assert (got["a"], got["c"]) == (5, 3)
    assert not any(w.kind == "trainee" for t in m.team_list for w in t.workers)
    m.run()
    df = _monthly_frame(m)
    rows = df[df.team != "all"]
    assert rows.academy_qualified.sum() == 3 and rows.academy_not_placed.sum() == 1
    assert rows.academy_dropouts.sum() == 0, "a qualified trainee with no post is no drop-out"


@pytest.mark.parametrize("replications", [
    4, pytest.param(20, marks=pytest.mark.slow, id="20-slow")])
def test_shipped_2025_baseline_has_nobody_over_establishment(replications):
    """The shipped 2025 baseline over 10 years (4 replications; 20 in the slow run): no team's FTE in post
    is ever above its establishment at a month end (before establishment control the
    case-holding teams reached 103.9 FTE against 68 posts by September 2035)."""
    from workforce_sim import load_scenario
    from workforce_sim.experiment.runner import run

    s = load_scenario("herefordshire_2025.toml").with_changes({"horizon_months": 120})
    m = run(s, replications, workers=1, progress=False).monthly
    teams = m[m.team != "all"]
    assert teams.over_establishment_fte.max() == 0.0
    holding = teams[teams.team != "practice_leadership"]
    assert (holding.fte_in_post <= holding.establishment_fte + 1e-9).all()
