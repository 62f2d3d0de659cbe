"""Promotion into a senior team from case-holding teams (engine/processes/promotion.py).

Hand-made services where the answers are known: ``front`` holds cases, ``leads``
(seniors and managers) holds none and fills its vacancies by promotion from
``front`` with probability ``internal_share``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from scipy import stats

import workforce_sim as ws
from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.engine.state.teams import committed_fte, vacancy_fte
from workforce_sim.experiment.runner import _monthly_frame
from workforce_sim.scenario.errors import ScenarioError

START = dt.date(2025, 4, 1)


def service(share: float = 1.0, *, turnover: float = 0.0, success: float = 0.0,
            front_staff: dict | None = None, leads_establishment: float = 3.0,
            min_service: float = 2.0, horizon: int = 6, promotion: bool = True,
            hire_days: float = 60.0) -> Scenario:
    leads: dict = {"caseload_cap": 0, "holds_cases": False,
                   "establishment_fte": leads_establishment, "staff": {"permanent": 2}}
    if promotion:
        leads["promotion"] = {"from_teams": {"front": 1.0}, "internal_share": share,
                              "min_service_years": min_service, "time_days": 20}
    return Scenario.from_dict({
        "schema_version": 1, "name": "promotion", "start_date": START.isoformat(),
        "horizon_months": horizon,
        "teams": {
            "front": {"caseload_cap": 10, "establishment_fte": 6,
                      "staff": front_staff or {"permanent": [{"count": 6, "service_years": 5}]}},
            "leads": leads,
        },
        "case_types": {"x": {"team": "front", "referrals_per_year": 200, "initial_open": 40,
                             "duration_days": {"dist": "exponential", "mean": 90}}},
        "workforce": {"permanent": {"annual_turnover": turnover},
                      "agency": {"cover_fraction": 0.0, "conversion_annual_rate": 0.0}},
        "recruitment": {"success_probability": success,
                        "time_to_hire_days": {"dist": "fixed", "value": hire_days}},
        "absence": {"rate": 0.0},
    })


def test_a_promotion_moves_one_worker_and_opens_their_post():
    """A promotion moves the worker's FTE from front to leads: FTE in post is
    unchanged, front gains exactly that vacancy (and a round to fill it), leads
    loses one, and the worker's cases go back to front's queue."""
    model = Model(service(leads_establishment=3.0), seed=1)
    front, leads = model.teams["front"], model.teams["leads"]
    before = {t: committed_fte(model.teams[t]) for t in model.teams}
    model.env.run(until=19.9)
    assert leads.promotions == 0 and committed_fte(leads) == 2.0
    held = {w: len(w.cases) for w in front.workers}
    model.env.run(until=20.1)
    assert leads.promotions == 1
    assert committed_fte(leads) == before["leads"] + 1.0
    assert committed_fte(front) == before["front"] - 1.0
    assert sum(committed_fte(t) for t in model.team_list) == sum(before.values())
    assert vacancy_fte(front) == 1.0 and vacancy_fte(leads) == 0.0
    assert [r.fte for r in model.recruitment.rounds["front"]] == [1.0]
    assert model.recruitment.rounds["leads"] == []
    (promoted,) = [w for w in leads.workers if w in held]
    assert promoted.kind == "permanent" and promoted.cases == {} and promoted.capacity == 0.0
    assert front.handovers == held[promoted]             # their cases were handed back
    assert front.n_waiting + sum(len(w.cases) for w in front.workers) == front.n_open
    assert promoted.service_years(model.env.now) == pytest.approx(5 + 20.1 / 365.25)


def test_monthly_columns_count_the_promotion():
    m = ws.simulate(service(), seed=1, case_log=True)
    first = m.monthly[m.monthly.month == m.monthly.month.min()].set_index("team")
    assert first.loc["leads", "promotions"] == 1 and first.loc["all", "promotions"] == 1
    assert first.loc["leads", "hires"] == 0 and first.loc["all", "leavers_permanent"] == 0
    assert first.loc["all", "fte_in_post"] == 8.0
    assert first.loc["front", "permanent_fte"] == 5.0 and first.loc["leads", "permanent_fte"] == 3.0
    moved = m.staff[m.staff.end == "promoted"]
    assert len(moved) == 1 and moved.team.tolist() == ["front"]
    after = m.staff[(m.staff.worker_id == moved.worker_id.iloc[0]) & (m.staff.end == "open")]
    assert after.team.tolist() == ["leads"] and after.start_day.tolist() == moved.end_day.tolist()


def test_with_share_one_and_someone_eligible_no_outside_round_is_advertised():
    scenario = service(1.0, turnover=0.4, success=1.0, leads_establishment=5,
                       front_staff={"permanent": [{"count": 40, "service_years": 10}]},
                       horizon=24).with_changes({"teams.front.establishment_fte": 40})
    model = Model(scenario, seed=3)
    advertised = []
    advertise = model.recruitment._advertise

    def recorded(r):
        advertised.append(r.team.name)
        advertise(r)

    model.recruitment._advertise = recorded
    model.run()
    leads = _monthly_frame(model).query("team == 'leads'")
    assert leads.promotions.sum() >= 4
    assert "leads" not in advertised and "front" in advertised


def test_share_zero_is_no_promotion_to_the_bit():
    """internal_share = 0 gives the results of the scenario without a route, logs included."""
    base = ws.load_scenario("herefordshire_2025.toml").with_changes({"horizon_months": 24})
    route = base.with_changes({"teams.practice_leadership.promotion": {
        "from_teams": {"assessment": 1, "safeguarding": 2, "children_in_care": 1},
        "internal_share": 0.0}})
    for rep in (0, 1):
        a = ws.simulate(base, seed=5, replication=rep, case_log=True)
        b = ws.simulate(route, seed=5, replication=rep, case_log=True)
        assert a.monthly.equals(b.monthly)
        assert a.staff.equals(b.staff) and a.cases.equals(b.cases)


def test_share_of_vacancies_filled_by_promotion_is_binomial():
    """With someone always eligible, outside rounds that always succeed, and the outside
    time to hire equal to time_days (20 days), each senior vacancy is filled by promotion with
    probability internal_share, independently; the fills the horizon cuts off are
    cut off alike. So promotions | fills ~ Binomial(fills, share): two-sided exact
    test at α = 0.01 (fixed seeds)."""
    share = 0.6
    scenario = service(share, turnover=1.0, success=1.0, leads_establishment=20,
                       front_staff={"permanent": [{"count": 200, "service_years": 10}]},
                       min_service=0.0, horizon=36, hire_days=20.0)
    scenario = scenario.with_changes({"teams.leads.staff.permanent": [{"count": 20}],
                                      "teams.front.establishment_fte": 200})
    runs = ws.run(scenario, replications=6, seed=11, progress=False)
    leads = runs.monthly[runs.monthly.team == "leads"]
    promoted, hired = int(leads.promotions.sum()), int(leads.hires.sum())
    assert promoted + hired > 300
    p = stats.binomtest(promoted, promoted + hired, share).pvalue
    assert p > 0.01, (promoted, hired, p)


def test_nobody_below_min_service_nor_an_nqsw_is_promoted():
    """Every promoted worker is permanent with at least min_service_years; when the
    eligible run out the posts are advertised outside."""
    front = {"permanent": [{"count": 3, "service_years": 4}, {"count": 6, "service_years": 0.5}],
             "nqsw": [{"count": 3, "months_served": 2}]}
    scenario = service(1.0, turnover=0.5, success=1.0, leads_establishment=8,
                       front_staff=front, min_service=3.0, horizon=30)
    scenario = scenario.with_changes({"teams.front.establishment_fte": 12})
    model = Model(scenario, seed=2)
    moves = []
    transfer = model.staffing.transfer

    def recorded(w, to):
        moves.append((w.kind, w.service_years(model.env.now), w.team.name, to.name))
        transfer(w, to)

    model.staffing.transfer = recorded
    model.run()
    assert moves, "some promotion"
    assert all(kind == "permanent" and years >= 3.0 and (a, b) == ("front", "leads")
               for kind, years, a, b in moves)
    leads = _monthly_frame(model).query("team == 'leads'")
    assert leads.promotions.sum() == len(moves) and leads.hires.sum() > 0


@pytest.mark.parametrize(("route", "message"), [
    ({"from_teams": {"frnt": 1}, "internal_share": 0.5}, "unknown team; did you mean 'front'?"),
    ({"from_teams": {"leads": 1}, "internal_share": 0.5}, "cannot be promoted into itself"),
    ({"from_teams": {"front": 0}, "internal_share": 0.5}, "every weight is 0"),
    ({"from_teams": {"front": -1}, "internal_share": 0.5}, "a weight of at least 0"),
    ({"from_teams": {}, "internal_share": 0.5}, "teams.leads.promotion.from_teams"),
    ({"from_teams": {"front": 1}, "internal_share": 1.5}, "teams.leads.promotion.internal_share"),
])
def test_a_bad_route_is_refused_with_its_path(route, message):
    data = service().to_dict()
    data["teams"]["leads"]["promotion"] = route
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(data)
    text = str(err.value)
    assert message in text
    assert "teams.leads.promotion" in text
