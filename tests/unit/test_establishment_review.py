"""Posts that follow the caseload (``[establishment_review]``, recruitment.py): exact identities.

* A service whose caseload is known in advance: no referrals, long cases that go on as
  their own kind when they close (all but one in 1,000), nobody leaves, no round ever
  succeeds and no agency. The caseload is then the opening cases over the opening
  case-holding FTE every month (the test checks it), and each 1 April each case-holding
  team's establishment is ``round(e · exp(response · log(caseload / target)), 1)``, the
  team that holds no cases keeping its own; with the growth trend too, its factor
  multiplies the same product, rounded once.
* A noisy service (the shipped baseline: referrals, turnover, recruitment, agency): the
  caseload a review uses is the mean of the service's monthly ``caseload`` column over
  the month ends since the last review, and the establishment changes only then.
* The caseload noted at each month end is the recorded one, to the bit.
* A review with response 0 gives the monthly table of no review, to the bit.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

import workforce_sim as ws
from workforce_sim import Scenario
from workforce_sim.engine.processes.recruitment import caseload_factor, service_caseload

START = dt.date(2025, 10, 1)          # the census day's month, as a council scenario starts
MONTHS = 40                           # reviews on 1 April 2026, 2027 and 2028
REVIEW_ROWS = (5, 17, 29)             # the March rows: the month end before each review
LONG = {"dist": "fixed", "value": 36_000}


def fixed_service(review: dict | None, growth: float | None = None) -> Scenario:
    """Team ``a`` 10 FTE holding 150 cases, ``b`` 5 FTE holding 50 (so 200 / 15 cases per
    case-holding FTE), ``leads`` 4 FTE holding none; nothing moves but the posts."""
    data = {
        "schema_version": 1, "name": "fixed caseload", "start_date": START.isoformat(),
        "horizon_months": MONTHS,
        "teams": {
            "a": {"caseload_cap": 100, "establishment_fte": 12.0, "staff": {"permanent": 10}},
            "b": {"caseload_cap": 100, "establishment_fte": 5.5, "staff": {"permanent": 5}},
            "leads": {"holds_cases": False, "establishment_fte": 4.0, "staff": {"permanent": 4}},
        },
        "case_types": {      # a closing case goes on as one of its kind (the check refuses
            # a certain loop): the count holds, as the test checks
            "x": {"team": "a", "initial_open": 150, "duration_days": LONG, "on_close": {"x": 0.999}},
            "y": {"team": "b", "initial_open": 50, "duration_days": LONG, "on_close": {"y": 0.999}}},
        "workforce": {"permanent": {"annual_turnover": 0.0}, "agency": {"cover_fraction": 0.0}},
        "recruitment": {"success_probability": 0.0},
        "absence": {"rate": 0.0},
        "caseload_management": {"moves_per_case_year": 0.0},
    }
    if review is not None:
        data["establishment_review"] = review
    if growth is not None:
        data["trends"] = {"establishment_growth": {"long_run": growth, "persistence": 0}}
    return Scenario.from_dict(data)


def establishments(s: Scenario) -> pd.DataFrame:
    m = ws.simulate(s, seed=1).monthly
    return m.pivot(index="month", columns="team", values="establishment_fte").reset_index(drop=True)


def expected(e0: float, factor: float) -> list[float]:
    """Month by month: the establishment ``e0``, multiplied by ``factor`` on each 1 April."""
    out, e = [], e0
    for m in range(MONTHS):
        if m - 1 in REVIEW_ROWS:               # the April row is the first after a review
            e = round(e * factor, 1)
        out.append(e)
    return out


def test_posts_follow_a_known_caseload_by_the_formula():
    """Caseload 200/15 against a target of 10, response 0.4: case-holding posts rise by
    (200/15 / 10) ** 0.4 each 1 April, to the tenth; the leads keep theirs."""
    s = fixed_service({"target_caseload": 10, "response": 0.4})
    got = establishments(s)
    follow = math.exp(0.4 * math.log(200 / 15 / 10))
    assert got["a"].tolist() == expected(12.0, follow)
    assert got["b"].tolist() == expected(5.5, follow)
    assert got["leads"].tolist() == [4.0] * MONTHS
    caseload = ws.simulate(s, seed=1).monthly.query("team == 'all'")["caseload"]
    assert (caseload == 200 / 15).all()      # the path is the one the formula assumed


def test_a_caseload_below_target_cuts_posts_and_growth_combines_once():
    """Target 20 (above 200/15) and growth 0.05 a year: case-holding posts are multiplied
    by exp(0.05) · (200/15 / 20) ** 0.7 and rounded once; the leads grow by exp(0.05)."""
    s = fixed_service({"target_caseload": 20, "response": 0.7}, growth=0.05)
    got = establishments(s)
    follow = math.exp(0.7 * math.log(200 / 15 / 20))
    assert got["a"].tolist() == expected(12.0, math.exp(0.05) * follow)
    assert got["b"].tolist() == expected(5.5, math.exp(0.05) * follow)
    assert got["leads"].tolist() == expected(4.0, math.exp(0.05))


def test_a_dated_change_on_a_review_day_stands_as_dated():
    """Team a's posts set to 20 FTE on 1 April 2027, a review's day: from then a has 20
    until the next review multiplies them; b follows the formula throughout."""
    s = fixed_service({"target_caseload": 10, "response": 0.4}).with_changes(
        {"teams.a.establishment_changes": [{"date": "2027-04-01", "establishment_fte": 20}]})
    got = establishments(s)
    follow = math.exp(0.4 * math.log(200 / 15 / 10))
    dated = REVIEW_ROWS[1] + 1                 # the April 2027 row
    assert got["a"].tolist()[dated:REVIEW_ROWS[2] + 1] == [20.0] * (REVIEW_ROWS[2] + 1 - dated)
    assert got["a"].tolist()[-1] == round(20 * follow, 1)
    assert got["b"].tolist() == expected(5.5, follow)


def test_a_noisy_caseload_sets_posts_by_its_mean_since_the_last_review():
    """The shipped baseline (referrals, turnover, recruitment, agency; no trends) with a
    review: after each 1 April, each case-holding team's establishment is the formula
    applied to the mean of the service's recorded monthly caseload over the month ends
    since the last review (October to March, then April to March), to the tenth."""
    review = {"target_caseload": 15, "response": 0.3}
    s = ws.load_scenario().with_changes({"horizon_months": MONTHS, "establishment_review": review})
    m = ws.simulate(s, seed=4).monthly
    caseload = m[m["team"] == "all"]["caseload"].reset_index(drop=True)
    est = m.pivot(index="month", columns="team", values="establishment_fte").reset_index(drop=True)
    first = 0
    for row in REVIEW_ROWS:
        mean = caseload.loc[first:row].mean()
        follow = math.exp(0.3 * math.log(mean / 15))
        for team, spec in s.teams.items():
            before = est.loc[row, team]
            after = round(before * follow, 1) if spec.holds_cases else before
            assert est.loc[row + 1, team] == after, (row, team)
            assert est.loc[first + 1:row, team].nunique() == 1, (row, team)   # only then
        first = row + 1


def test_the_measured_caseload_is_the_recorded_one():
    """At every month end of a noisy run, the caseload the review notes is the service's
    monthly ``caseload`` column, to the bit (one definition: the DfE's, as recorded)."""
    base = ws.load_scenario().with_changes(
        {"horizon_months": 20, "establishment_review": {"target_caseload": 15, "response": 0.3}})
    model = ws.engine.Model(base, seed=4)
    noted = []
    model.ctx.on_month_end(lambda m: noted.append(service_caseload(model.team_list)))
    model.run()
    m = ws.simulate(base, seed=4).monthly
    recorded = m[m["team"] == "all"]["caseload"].tolist()
    assert noted == recorded[:len(noted)]
    assert len(noted) == len(recorded) - 1            # the last month closes after the run


def test_a_review_with_no_response_changes_nothing():
    """A review with response 0 (posts held, as the levers' establishment file holds it)
    gives the monthly table of the same scenario with none, to the bit."""
    base = ws.load_scenario().with_changes({"horizon_months": MONTHS})
    a = ws.simulate(base, seed=2).monthly
    b = ws.simulate(base.with_changes(
        {"establishment_review": {"target_caseload": 15, "response": 0}}), seed=2).monthly
    pd.testing.assert_frame_equal(a, b)


def test_the_factor_at_its_edges():
    """No caseload measured, no response or no case held all year: 1 (posts cut to none
    could never come back); otherwise the formula."""
    assert caseload_factor([], 15, 0.5) == 1.0
    assert caseload_factor([0.0, 0.0], 15, 0) == 1.0
    assert caseload_factor([0.0, 0.0], 15, 0.5) == 1.0        # no case held: posts stay
    assert caseload_factor([12.0, 18.0], 15, 0.5) == 1.0
    assert caseload_factor([20.0, 10.0, 30.0], 10, 0.5) == math.exp(0.5 * math.log(2))
