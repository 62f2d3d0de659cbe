"""The agency market: offers, price caps and their cost identities, and the market's
answer to price (``engine/processes/market.py``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import workforce_sim as ws
from tests.theory.test_workforce import DPY, Run, assert_close, churn_scenario
from workforce_sim.scenario.errors import ScenarioError

RATE, CAP = 385.0, 350.0        # churn_scenario's day rate, and a cap below it


def capped(approval: float, start: str = "2025-01-01", **agency) -> ws.Scenario:
    caps = [{"start": start, "caps": {"social_worker": CAP}, "approval_probability": approval}]
    return churn_scenario(workforce={"agency": {"price_caps": caps, **agency}})


@pytest.mark.parametrize("rep", [0, 1])
def test_above_cap_spend_is_fte_days_above_cap_times_the_excess(rep):
    """Exact, every month and team: with a cap of £350 under a £385 rate from the first
    day and half of the breaches approved, every agency FTE-day is charged £385 (above
    the cap) or £350, so cost_agency = 350 × b × agency_fte_days + 35 × b ×
    agency_above_cap_fte_days and agency_above_cap_spend = 35 × b ×
    agency_above_cap_fte_days (b = billable days a year / 365.25); both kinds occur."""
    s = capped(0.5)
    b = s.workforce.agency.billable_days_per_year / DPY
    run = Run(s, rep)
    for team in ["a", "b", "all"]:
        df = run.team(team)
        days, above = df["agency_fte_days"], df["agency_above_cap_fte_days"]
        assert_close(df["agency_above_cap_spend"], (RATE - CAP) * b * above,
                     f"above-cap spend ({team})")
        assert_close(df["cost_agency"], CAP * b * days + (RATE - CAP) * b * above,
                     f"cost_agency ({team})")
    total = run.team("all")
    assert total["agency_above_cap_fte_days"].sum() > 0
    assert (total["agency_fte_days"] - total["agency_above_cap_fte_days"]).sum() > 0
    assert total["agency_above_cap_starts"].sum() > 0


def test_no_approval_holds_every_assignment_to_the_cap():
    """With no breach approved, nothing is charged above the cap: cost_agency is the cap ×
    b × FTE-days exactly, and no assignment is counted above it."""
    s = capped(0.0)
    b = s.workforce.agency.billable_days_per_year / DPY
    df = Run(s, 0).team("all")
    assert_close(df["cost_agency"], CAP * b * df["agency_fte_days"], "cost_agency")
    assert df["agency_above_cap_starts"].sum() == 0
    assert df["agency_above_cap_spend"].sum() == 0


def test_a_cap_starting_later_leaves_earlier_months_alone():
    """Before the cap's start every month is as without the cap, to the bit; the
    assignments from then on are held to it (the cost per FTE-day falls)."""
    base = churn_scenario()
    later = capped(0.0, start="2025-07-01")
    a, c = Run(base, 0).team("all"), Run(later, 0).team("all")
    assert a.iloc[:6].equals(c.iloc[:6][a.columns])
    def per_day(df):
        return df["cost_agency"].iloc[18:].sum() / df["agency_fte_days"].iloc[18:].sum()
    assert per_day(c) < per_day(a)


def test_rate_changes_compound_and_reach_assignments_started_after_them():
    """Two rate changes (× 1.1 then × 1.2) dated on the first day: every assignment
    is charged 385 × 1.32 a day, with the market rate staying at 385 (so attempts fill
    more often: the chance is capped at 1)."""
    changes = [{"date": "2025-01-01", "factor": 1.1}, {"date": "2025-01-01", "factor": 1.2}]
    s = churn_scenario(workforce={"agency": {"rate_changes": changes}})
    b = s.workforce.agency.billable_days_per_year / DPY
    df = Run(s, 0).team("all")
    assert_close(df["cost_agency"], RATE * 1.1 * 1.2 * b * df["agency_fte_days"], "cost_agency",
                 rel=1e-12)


def test_price_caps_must_be_in_order():
    """Cap sets dated out of order, or twice on one day, are refused with the field's path."""
    caps = [{"start": "2026-01-01", "caps": {"social_worker": 300}},
            {"start": "2025-10-01", "caps": {"social_worker": 320}}]
    with pytest.raises(ScenarioError, match="price_caps"):
        churn_scenario(workforce={"agency": {"price_caps": caps}})


def _market(**agency):
    from workforce_sim.engine import Model
    s = churn_scenario(workforce={"agency": agency})
    return Model(s, 0).market


def test_fill_probability_follows_the_price_elasticity():
    """fill_probability × (offer / market) ** elasticity, capped at 1, and the base
    chance itself at the market rate."""
    m = _market(fill_probability=0.6, price_elasticity=1.5,
                market_day_rates={"social_worker": 400})
    assert m.fill_probability("social_worker", 400) == 0.6
    assert m.fill_probability("social_worker", 300) == pytest.approx(0.6 * 0.75 ** 1.5, rel=1e-15)
    assert m.fill_probability("social_worker", 800) == 1.0
    # a role with no market rate given: the council's own rate is the market
    assert m.fill_probability("team_manager", RATE) == 0.6


@pytest.mark.slow
def test_a_binding_cap_lowers_cost_per_fte_day_and_agency_cover():
    """Paired over 12 replications (common random numbers): a cap at 70 % of the rate
    with no approvals lowers the cost of an agency FTE-day by exactly 30 % and, through
    the market (base chance 0.3 an attempt, elasticity 3: 0.3 × 0.7³ ≈ 0.10), the
    agency FTE-days. The second is statistical: a one-sided paired t-test at the 1 %
    level (error rate 1 % if the cap changed nothing)."""
    from scipy import stats
    market = {"fill_probability": 0.3, "price_elasticity": 3.0}
    base = churn_scenario(workforce={"agency": market})
    cap = churn_scenario(workforce={"agency": {**market, "price_caps": [
        {"start": "2025-01-01", "caps": {"social_worker": RATE * 0.7}}]}})
    d_days, ratio = [], []
    for rep in range(12):
        a, c = Run(base, rep).team("all"), Run(cap, rep).team("all")
        d_days.append(c["agency_fte_days"].sum() - a["agency_fte_days"].sum())
        ratio.append((c["cost_agency"].sum() / c["agency_fte_days"].sum())
                     / (a["cost_agency"].sum() / a["agency_fte_days"].sum()))
    np.testing.assert_allclose(ratio, 0.7, rtol=1e-12)
    t = stats.ttest_1samp(d_days, 0.0, alternative="less")
    assert t.pvalue < 0.01, (np.mean(d_days), t.pvalue)


def test_the_scenario_starts_on_the_caps_first_day():
    """The tests above date their caps from the scenario's first day."""
    assert churn_scenario().start_date == dt.date(2025, 1, 1)


def test_the_agency_return_adds_up_to_the_monthly_table():
    """The quarterly return by role: team a's posts are senior social workers, b's social
    workers; each role's quarters add up to its teams' monthly flows over the run (per
    replication, so the mean over replications too), its FTE at a quarter's end is the
    teams' agency FTE of the quarter's last month, and the mean day rate times the
    billable FTE-days is the spend. Quarters are financial: 2025-01 is 2024/25 Q4."""
    s = capped(0.5).with_changes({
        "teams.a.role": "senior_social_worker",
        "workforce.roles": {"senior_social_worker": {"agency_day_rate": 450}}})
    res = ws.run(s, 2, 1, workers=1, progress=False)
    ret = res.agency_return()
    assert set(ret["role"]) == {"senior_social_worker", "social_worker"}
    assert ret["quarter"].iloc[0] == "2024/25 Q4"
    m = res.monthly
    for role, team in [("senior_social_worker", "a"), ("social_worker", "b")]:
        mine, t = ret[ret["role"] == role], m[m["team"] == team]
        reps = t["replication"].nunique()
        for col, name in [("cost_agency", "agency_spend"), ("agency_starts", "assignments_started"),
                          ("agency_above_cap_spend", "spend_above_cap")]:
            assert mine[name].sum() == pytest.approx(t[col].sum() / reps, rel=1e-12), name
        last = t[t["month"] == t["month"].max()]["agency_fte"].mean()
        assert mine["agency_fte_end"].iloc[-1] == pytest.approx(last, rel=1e-12)
    b = s.workforce.agency.billable_days_per_year / DPY
    np.testing.assert_allclose(ret["mean_day_rate"] * ret["agency_fte_days"] * b,
                               ret["agency_spend"], rtol=1e-12)
