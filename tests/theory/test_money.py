"""Money over time against exact identities (docs/model.md, "Money over time").

* A pay award on a date: with common random numbers, the run with the award
  is the run without it to the bit in every column but pay; pay is equal to
  the bit in the months before the date and exactly ``1 + rise`` times it in
  the months after (awards compound).
* An on-cost change likewise: pay after the date is ``(1 + new) / (1 + old)``
  times pay without it.
* The price base: every money column of a run in real terms, times its month's
  deflator ratio (the financial year's index over the base year's, computed
  here from the series), is the cash run's; every other column is the cash
  run's to the bit.
* The budget: one far above spend changes nothing, to the bit; a budget of
  zero advertises no round after the first month end and makes no agency
  request after it.

Nothing here is random beyond the fixed seeds: each test compares runs on
common random numbers, so the identities hold to floating-point rounding
(relative 1e-12, a few products of doubles) or to the bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workforce_sim as ws
from workforce_sim.data.deflators import GDP_DEFLATOR
from workforce_sim.engine.processes.agency import Agency
from workforce_sim.engine.processes.recruitment import Recruitment
from workforce_sim.results.money import MONEY_COLUMNS

RTOL = 1e-12


@pytest.fixture(scope="module")
def base() -> ws.Scenario:
    """The shipped baseline over 18 months, without retention levers (whose cost does not
    rise with an award)."""
    return ws.load_scenario().with_changes({"horizon_months": 18,
                                            "workforce.permanent.retention": []})


def _run(s: ws.Scenario) -> pd.DataFrame:
    return ws.simulate(s, seed=3).monthly


def _not_pay(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["cost_permanent", "cost_total", "agency_premium"])


def test_a_pay_award_multiplies_pay_from_its_date_exactly(base):
    without = _run(base)
    award = _run(base.with_changes({"workforce.pay_awards": [
        {"date": "2026-04-01", "rise": 0.032}, {"date": "2027-01-01", "rise": 0.02}]}))
    pd.testing.assert_frame_equal(_not_pay(award), _not_pay(without), check_exact=True)
    month = without["month"]
    before = month < "2026-04-01"
    first = (month >= "2026-04-01") & (month < "2027-01-01")
    second = month >= "2027-01-01"
    assert before.any() and first.any() and second.any()
    a, b = award["cost_permanent"].to_numpy(), without["cost_permanent"].to_numpy()
    assert np.array_equal(a[before], b[before])            # to the bit
    np.testing.assert_allclose(a[first], b[first] * 1.032, rtol=RTOL)
    np.testing.assert_allclose(a[second], b[second] * 1.032 * 1.02, rtol=RTOL)


def test_an_award_before_the_start_is_in_the_salaries_already(base):
    award = _run(base.with_changes({"workforce.pay_awards": [{"date": "2025-04-01",
                                                              "rise": 0.032}]}))
    pd.testing.assert_frame_equal(award, _run(base), check_exact=True)


def test_an_on_cost_change_multiplies_pay_from_its_date_exactly(base):
    old = base.workforce.permanent.on_cost_rate
    without = _run(base)
    change = _run(base.with_changes({"workforce.permanent.on_cost_changes": [
        {"date": "2026-04-01", "on_cost_rate": old + 0.0247}]}))
    pd.testing.assert_frame_equal(_not_pay(change), _not_pay(without), check_exact=True)
    after = (without["month"] >= "2026-04-01").to_numpy()
    a, b = change["cost_permanent"].to_numpy(), without["cost_permanent"].to_numpy()
    assert np.array_equal(a[~after], b[~after])
    np.testing.assert_allclose(a[after], b[after] * (1 + old + 0.0247) / (1 + old), rtol=RTOL)


def test_an_on_cost_change_dated_before_the_start_holds_from_day_0(base):
    dated = _run(base.with_changes({"workforce.permanent.on_cost_changes": [
        {"date": "2025-04-06", "on_cost_rate": 0.33}]}))
    level = _run(base.with_changes({"workforce.permanent.on_cost_rate": 0.33}))
    pd.testing.assert_frame_equal(dated, level, check_exact=True)


def _fy(d: pd.Timestamp) -> int:
    return d.year if d.month >= 4 else d.year - 1


def _index(year: int) -> float:
    """The shipped GDP deflator's index, projected at its forecast growth (computed here)."""
    idx = GDP_DEFLATOR.index
    last, first = max(idx), min(idx)
    if year > last:
        return idx[last] * (1 + GDP_DEFLATOR.forecast_growth) ** (year - last)
    if year < first:
        return idx[first] / (1 + GDP_DEFLATOR.forecast_growth) ** (first - year)
    return idx[year]


def test_cash_is_real_times_the_deflator_ratio_for_every_month_and_money_column(base):
    long = base.with_changes({"horizon_months": 60})      # past the series' last year
    cash = _run(long)
    real = _run(long.with_changes({"money.price_base": {"real": 2025}}))
    ratio = np.array([_index(_fy(m)) / _index(2025) for m in cash["month"]])
    assert ratio.min() == 1.0 and ratio.max() > 1.06
    for name in MONEY_COLUMNS:
        np.testing.assert_allclose(real[name].to_numpy() * ratio, cash[name].to_numpy(),
                                   rtol=RTOL, err_msg=name)
    others = [c for c in cash.columns if c not in MONEY_COLUMNS]
    pd.testing.assert_frame_equal(real[others], cash[others], check_exact=True)


def test_a_users_own_deflator_series(base):
    own = {"name": "own index", "index": [[2025, 100.0], [2026, 110.0]],
           "forecast_growth": 0.0}
    s = base.with_changes({"money.deflators": {"mine": own},
                           "money.price_base": {"real": 2026, "deflator": "mine"}})
    cash, real = _run(base), _run(s)
    ratio = np.where(cash["month"] >= "2026-04-01", 1.0, 100.0 / 110.0)
    np.testing.assert_allclose(real["cost_total"] * ratio, cash["cost_total"], rtol=RTOL)
    r = ws.run(s, replications=1, progress=False, workers=1)
    assert r.price_base == "£, 2026-27 prices, own index"
    assert r.provenance["price_base"] == r.price_base


def test_a_budget_far_above_spend_changes_nothing(base):
    rich = _run(base.with_changes({"budget": {"amount_per_year": 1e9}}))
    pd.testing.assert_frame_equal(rich, _run(base), check_exact=True)
    assert (rich["budget_recruitment_pause"] == 0).all()


def test_a_budget_of_zero_advertises_no_round_after_the_first_month_end(base, monkeypatch):
    advertised: list[float] = []
    requested: list[float] = []
    real_advertise, real_request = Recruitment._advertise_now, Agency._request

    def advertise(self, r):
        advertised.append(self.ctx.now)
        real_advertise(self, r)

    def request(self, r):
        requested.append(self.ctx.now)
        real_request(self, r)

    monkeypatch.setattr(Recruitment, "_advertise_now", advertise)
    monkeypatch.setattr(Agency, "_request", request)
    s = base.with_changes({"budget": {"amount_per_year": 0}})
    model = ws.engine.Model(s, 3, 0).run()
    first_month_end = model.ctx.month_ends[0]
    assert advertised and all(day < first_month_end for day in advertised)
    assert all(day < first_month_end for day in requested)
    monthly = ws.simulate(s, seed=3).monthly
    service = monthly[monthly["team"] == "all"]
    assert service["budget_recruitment_pause"].tolist() == [0.0] + [1.0] * 17
    assert service["budget_agency_cap"].tolist() == [0.0] + [1.0] * 17


def test_a_budget_just_under_spend_pauses_and_lifts_by_its_profile(base):
    """The review's rule: on in a month exactly when spend to the last month end ran over
    the profile (recomputed here from the monthly spend)."""
    spend = _run(base)
    service = spend[spend["team"] == "all"]
    budget = 0.97 * service["cost_total"].iloc[:12].sum()     # just under a year of spend
    s = base.with_changes({"budget": {"amount_per_year": budget, "agency_cap": False}})
    m = _run(s)
    m = m[m["team"] == "all"].reset_index(drop=True)
    start = pd.Timestamp(s.start_date)
    spent, year_start, on = 0.0, pd.Timestamp("2025-04-01"), [0.0]
    for k in range(len(m) - 1):
        spent += m["cost_total"].iloc[k]
        end = m["month"].iloc[k + 1]
        since = max(start, year_start)
        days_in_year = (year_start + pd.DateOffset(years=1) - year_start).days
        on.append(float(spent > budget * (end - since).days / days_in_year))
        if end.month == 4:
            spent, year_start = 0.0, end
    assert m["budget_recruitment_pause"].tolist() == on
    assert sum(on) > 0
    assert (m["budget_agency_cap"] == 0).all()
