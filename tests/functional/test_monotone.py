"""Monotone behaviour under common random numbers, as paired comparisons.

Each comparison runs two scenarios that differ in one lever with the same seed
and replication, so they share every random stream the lever does not touch
(docs/model.md, "Random numbers"), and looks at the per-replication difference.

Two kinds of assertion, each with its error rate:

* **Exact** (error rate 0): in a stripped-down service where CRN makes the
  inequality hold for certain, it is asserted for every replication. The
  docstring gives the argument; a failure is a bug (in the model, or in how
  streams are shared between scenarios), never bad luck.
* **Statistical** (error rate 1e-3): in a small but complete service (two
  teams, case pathways, caseload pressure on turnover, agency churn and
  release, renewals, conversions), a one-sided exact sign test on the
  per-replication differences ``d_k``. With ``S = #{k: d_k > 0}`` (ties count
  against the claim) over ``n`` replications, the test passes when
  ``P(Binomial(n, 1/2) >= S) <= 1e-3``. So if the lever did *not* move the
  metric the stated way (``P(d > 0) <= 1/2``), the test would pass with
  probability at most 1e-3: that is its error rate. With n = 40 that needs
  S >= 31; if in truth P(d > 0) = 0.9 the test still passes with probability
  0.995 (0.99998 at 0.95). The fixed seed below gives 40 of 40 in every case
  (35 of the 35 untied for the campaign in the small service; 38 of 40 for
  demand up with posts following it), far from the boundary.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.conftest import small_dict
from workforce_sim import Scenario, simulate

ALPHA = 1e-3
REPLICATIONS = 40
SEED = 20250401


# ------------------------------------------------------------------------ helpers


def changed(base: dict, **changes) -> Scenario:
    """``base`` with values replaced at dotted paths (sections created as needed)."""
    d = copy.deepcopy(base)
    for path, value in changes.items():
        node = d
        *head, last = path.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = value
    return Scenario.from_dict(d)


def service_rows(scenario: Scenario, replication: int, seed: int = SEED) -> pd.DataFrame:
    monthly = simulate(scenario, seed=seed, replication=replication).monthly
    return monthly[monthly["team"] == "all"].reset_index(drop=True)


def paired(a: Scenario, b: Scenario, metric, n: int = REPLICATIONS, seed: int = SEED) -> np.ndarray:
    """``metric(b) - metric(a)`` for replications 0..n-1, both run on the same streams."""
    return np.array([metric(service_rows(b, k, seed)) - metric(service_rows(a, k, seed))
                     for k in range(n)], dtype=float)


def sign_test_p(d: np.ndarray, drop_ties: bool = False) -> float:
    """One-sided exact sign test of ``P(d > 0) > 1/2``: P(Binomial(n, 1/2) >= #{d > 0}).
    Ties count against the claim, unless ``drop_ties`` (then n is the untied count)."""
    if drop_ties:
        d = d[d != 0]
    n, s = len(d), int((d > 0).sum())
    return float(stats.binom.sf(s - 1, n, 0.5)) if n else 1.0


def assert_increases(d: np.ndarray, what: str, drop_ties: bool = False) -> None:
    p = sign_test_p(d, drop_ties)
    assert p <= ALPHA, (f"{what}: {int((d > 0).sum())} up, {int((d < 0).sum())} down, "
                        f"{int((d == 0).sum())} tied of {len(d)}; sign-test p = {p:.2g} > {ALPHA}")


# A small but complete service: two teams, referrals and pathways between case
# types, caseload pressure on turnover, the default agency, recruitment and ASYE
# policies; establishment above the opening workforce, so there are vacancies.
SERVICE = small_dict(**{"teams.assessment.establishment_fte": 6,
                        "teams.safeguarding.establishment_fte": 7})


BOTH = {"assessment": 0.5, "safeguarding": 0.5}


def window(rows: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """Rows of the months from ``first`` to ``last`` (first days of months), inclusive."""
    return rows[(rows["month"] >= pd.Timestamp(first)) & (rows["month"] <= pd.Timestamp(last))]


def agency_spend(rows: pd.DataFrame) -> float:
    return float(rows["cost_agency"].sum())


def vacancy_fte_months(rows: pd.DataFrame) -> float:
    return float(rows["vacancy_fte"].sum())


# A stripped-down service for the exact comparisons: one team, no cases, no
# caseload pressure, and only the processes each argument needs.
def bare() -> dict:
    return {
        "schema_version": 1, "name": "bare workforce", "start_date": "2025-01-01",
        "horizon_months": 24,
        "teams": {"t": {"establishment_fte": 10, "caseload_cap": 10, "staff": {"permanent": 10}}},
        "case_types": {"c": {"team": "t", "duration_days": {"dist": "fixed", "value": 30}}},
        "workforce": {
            "permanent": {"annual_turnover": 0.0, "pressure_elasticity": 0.0, "notice_days": 28},
            "agency": {"cover_fraction": 0.0, "conversion_annual_rate": 0.0,
                       "early_exit_annual_rate": 0.0},
        },
        "recruitment": {"success_probability": 0.0},
        "absence": {"rate": 0.0},
    }


def bare_scenario(**changes) -> Scenario:
    return changed(bare(), **changes)


# ------------------------------------------------- (a) turnover -> agency spend


def test_higher_turnover_costs_more_agency_exact():
    """Exact, error rate 0. Ten permanent staff, no hiring (success 0), every
    vacancy covered by agency (cover 1, fill 1, a fixed lead time, placements
    longer than the horizon, no early exit, release or conversion), no caseload
    pressure. Worker i draws the same threshold E_i ~ Exp(1) from the attrition
    stream in both scenarios (drawn at the start, in the same order) and, at a
    constant hazard h, leaves at E_i / h + notice; their post is covered from
    E_i / h + notice + lead time to the horizon. Agency FTE-days are
    sum_i max(0, H - E_i / h - notice - lead), which cannot fall as h rises, so
    agency spend (day rate x billable days / 365.25 x FTE-days) cannot either.
    The two rates (0.30 and 0.33) are close on purpose: without common random
    numbers the inequality would fail in many replications."""
    agency = {"cover_fraction": 1.0, "fill_probability": 1.0,
              "lead_time_days": {"dist": "fixed", "value": 14},
              "placement_days": {"dist": "fixed", "value": 10_000},
              "early_exit_annual_rate": 0.0, "conversion_annual_rate": 0.0}
    low = bare_scenario(**{"workforce.agency": agency, "workforce.permanent.annual_turnover": 0.30})
    high = bare_scenario(**{"workforce.agency": agency, "workforce.permanent.annual_turnover": 0.33})
    d = paired(low, high, agency_spend, n=20)
    assert (d >= 0).all(), d
    assert (d > 0).sum() >= 15          # not vacuous: someone leaves in most runs


def test_higher_turnover_costs_more_agency():
    """Statistical, error rate 1e-3 (sign test, see the module docstring): annual
    turnover 0.1 -> 0.4 in the complete service raises agency spend over the
    24-month horizon."""
    low = changed(SERVICE, **{"workforce.permanent.annual_turnover": 0.1})
    high = changed(SERVICE, **{"workforce.permanent.annual_turnover": 0.4})
    assert_increases(paired(low, high, agency_spend), "agency spend")


# ------------------------------------ (b) bigger academy intake -> more employees


def academy(size: int, training_months: float, teams: dict[str, float],
            completion: float = 1.0, asye_pass: float = 1.0) -> dict:
    return {"pathways": {"sw": {"training_months": training_months,
                                "completion_rate": completion, "asye_pass_rate": asye_pass,
                                "cost_per_trainee_year": 20_000,
                                # graduates join whether or not a post is vacant, so a
                                # bigger intake is more employees (establishment control:
                                # tests/unit/test_establishment.py)
                                "when_no_post": "supernumerary"}},
            "intakes": [{"pathway": "sw", "month": 9, "sizes": [size],
                         "teams": teams}]}


def test_bigger_intake_more_employees_exact():
    """Exact, error rate 0. One team with 4 vacancies, no turnover, every
    recruitment round succeeds (random time to hire), a direct-entry pathway
    (no training) with completion and ASYE pass rates of 1, intakes of 2 or 3
    each September. Until the first intake both runs are identical. At the
    intake g graduates join and the last min(g, pending) recruitment rounds are
    cancelled (the same rounds, same draws, in both runs: the larger intake
    cancels a superset); the other rounds hire at their drawn times in both.
    Employees in the larger run minus the smaller = (g_big - g_small) - (rounds
    cancelled only in the larger run that would have hired by then) >= 0, since
    min(g, pending) grows by at most 1 per graduate. Nobody leaves, so this holds
    at every month end from then on."""
    base = {"teams.t.staff.permanent": 6,
            "recruitment.success_probability": 1.0,
            "recruitment.time_to_hire_days": {"dist": "triangular", "min": 60, "mode": 200,
                                              "max": 400}}
    small = bare_scenario(**base, academy=academy(2, 0.0, {"t": 1.0}))
    big = bare_scenario(**base, academy=academy(3, 0.0, {"t": 1.0}))
    employed = lambda r: (r["permanent_fte"] + r["nqsw_fte"]).to_numpy()  # noqa: E731
    more = 0
    for k in range(20):
        a, b = employed(service_rows(small, k)), employed(service_rows(big, k))
        assert (b >= a - 1e-9).all(), (k, a, b)
        more += (b > a + 1e-9).any()
    assert more >= 15                   # not vacuous


def test_bigger_intake_more_employees_after_qualifying():
    """Statistical, error rate 1e-3 (sign test): an academy on a 6-month training
    pathway (completion 0.9, ASYE pass 0.95), intake 5 instead of 1 each
    September, raises mean permanent + NQSW FTE over the months after the first
    cohort qualifies (1 March 2026; from April 2026 to the horizon) in the
    complete service, where graduates also turn over, relieve caseload pressure
    and displace recruitment and agency."""
    small = changed(SERVICE, academy=academy(1, 6.0, BOTH, 0.9, 0.95))
    big = changed(SERVICE, academy=academy(5, 6.0, BOTH, 0.9, 0.95))

    def employed_after(rows):
        later = window(rows, "2026-04-01", "2027-03-01")
        return float((later["permanent_fte"] + later["nqsw_fte"]).mean())

    assert_increases(paired(small, big, employed_after), "permanent + NQSW FTE")


# ------------------------------------------------ (c) faster hiring -> fewer vacancies


def test_faster_hiring_fewer_vacancies_exact():
    """Exact, error rate 0. One team with 6 vacancies, no turnover, every round
    succeeds, time to hire exponential with mean 120 or 40 days. All six rounds
    are advertised at the start in the same order and draw the same standard
    exponentials from the recruitment stream (NumPy scales one draw by the
    mean), so each post is filled at 40/120 of the time in the faster run.
    Vacancy at every month end, and so vacancy FTE-months, cannot be higher."""
    base = {"teams.t.staff.permanent": 4, "recruitment.success_probability": 1.0}
    slow = bare_scenario(**base, **{"recruitment.time_to_hire_days":
                                    {"dist": "exponential", "mean": 120}})
    fast = bare_scenario(**base, **{"recruitment.time_to_hire_days":
                                    {"dist": "exponential", "mean": 40}})
    lower = 0
    for k in range(20):
        a, b = service_rows(slow, k)["vacancy_fte"], service_rows(fast, k)["vacancy_fte"]
        assert (b <= a + 1e-9).all(), (k, a.tolist(), b.tolist())
        lower += b.sum() < a.sum()
    assert lower >= 15                  # not vacuous


def test_faster_hiring_fewer_vacancy_fte_months():
    """Statistical, error rate 1e-3 (sign test): time to hire triangular(14, 21,
    42) days instead of the default triangular(56, 84, 168) lowers vacancy
    FTE-months (the sum of month-end vacancy_fte, DfE definition) over the
    horizon in the complete service."""
    fast = changed(SERVICE, **{"recruitment.time_to_hire_days":
                               {"dist": "triangular", "min": 14, "mode": 21, "max": 42}})
    d = paired(fast, changed(SERVICE), vacancy_fte_months)     # slow - fast
    assert_increases(d, "vacancy FTE-months (default minus faster)")


# ------------------------------------------- (d) a campaign -> no fewer hires in it


CAMPAIGN = {"start": "2025-01-01", "end": "2025-06-30", "success_multiplier": 1.5,
            "speed_multiplier": 1.5, "cost": 40_000}


def test_campaign_no_fewer_hires_exact():
    """Exact, error rate 0. One team with 8 vacancies and no turnover; success
    probability 0.3; time to hire triangular(20, 40, 90) days; a failed round is
    re-advertised only after 365 days. The campaign covers January to June
    (success x 1.5, speed x 1.5). All eight rounds are advertised on day 0, in
    the same order, each drawing its time to hire and then its uniform U_i from
    the recruitment stream, the same values in both runs. Every first round
    ends by day 90 and a re-advertised one cannot end before day 385, so the
    hires in the window are exactly #{i: U_i < 0.3 x multiplier}: at least as many
    with the campaign as without, in every replication. (Without common random
    numbers it would fail in some: the multiplier is modest on purpose.)"""
    base = {"teams.t.staff.permanent": 2, "recruitment.success_probability": 0.3,
            "recruitment.readvertise_days": 365,
            "recruitment.time_to_hire_days": {"dist": "triangular", "min": 20, "mode": 40,
                                              "max": 90}}
    without = bare_scenario(**base)
    with_campaign = bare_scenario(**base, **{"recruitment.campaigns": [CAMPAIGN]})

    def hires_in_window(rows):
        return int(window(rows, "2025-01-01", "2025-06-01")["hires"].sum())

    d = paired(without, with_campaign, hires_in_window, n=30)
    assert (d >= 0).all(), d
    assert (d > 0).sum() >= 10          # not vacuous


def test_campaign_no_fewer_hires():
    """Statistical, error rate 1e-3 (sign test on the untied replications): a
    six-month campaign (July to December 2025, success x 1.8, speed x 1.5) in
    the complete service gives more hires in its window than none. Replications
    with the same number of hires are dropped (the usual sign test for "no
    fewer"); among the rest, more must rise than fall at one-sided level 1e-3."""
    campaign = {"start": "2025-07-01", "end": "2025-12-31", "success_multiplier": 1.8,
                "speed_multiplier": 1.5, "cost": 50_000}
    with_campaign = changed(SERVICE, **{"recruitment.campaigns": [campaign]})

    def hires_in_window(rows):
        return int(window(rows, "2025-07-01", "2025-12-01")["hires"].sum())

    d = paired(changed(SERVICE), with_campaign, hires_in_window)
    assert_increases(d, "hires in the campaign window", drop_ties=True)


# ----------------------------------------- the same claims on the shipped baseline


def _baseline_employed_after_intake(rows):
    later = window(rows, "2026-10-01", "2027-09-01")
    return float((later["permanent_fte"] + later["nqsw_fte"]).mean())


BASELINE_CASES = {
    # name: (changes to the lower scenario, to the higher one, metric); the claim is
    # metric(higher) > metric(lower).
    "turnover 0.108 -> 0.2 raises agency spend": (
        {}, {"workforce.permanent.annual_turnover": 0.2}, agency_spend),
    "academy 12 -> 25 a year raises permanent + NQSW FTE after the 2026 intake": (
        {}, {"academy.intakes.0.sizes": [25]}, _baseline_employed_after_intake),
    "hiring 4 weeks faster lowers vacancy FTE-months (higher = as shipped)": (
        {"recruitment.time_to_hire_days": {"dist": "triangular", "min": 28, "mode": 56,
                                           "max": 140}}, {}, vacancy_fte_months),
    "demand up 30 % raises the mean caseload": (
        {}, {"trends.demand": {"long_run": 1.3, "persistence": 0}},
        lambda rows: float(rows["caseload"].mean())),
    "demand up 30 % raises the mean unallocated cases": (
        {}, {"trends.demand": {"long_run": 1.3, "persistence": 0}},
        lambda rows: float(rows["unallocated_cases"].mean())),
    "turnover up half raises recruitment cost": (
        {}, {"trends.turnover": {"long_run": 0.162, "persistence": 0}},
        lambda rows: float(rows["cost_recruitment"].sum())),
    "a spring 2026 campaign raises hires in its window": (
        {}, {"recruitment.campaigns": [{"start": "2026-01-01", "end": "2026-06-30",
                                        "success_multiplier": 1.5, "cost": 60_000}]},
        lambda rows: int(window(rows, "2026-01-01", "2026-06-01")["hires"].sum())),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BASELINE_CASES))
def test_monotone_on_the_shipped_baseline(case, default_scenario):
    """Statistical, error rate 1e-3 each (sign test, ties dropped only for the
    campaign's hire counts): the claims above on the Herefordshire 2025
    baseline over 24 months, 40 paired replications."""
    lower_changes, higher_changes, metric = BASELINE_CASES[case]
    base = default_scenario.with_changes({"horizon_months": 24})
    lower = base.with_changes(lower_changes) if lower_changes else base
    higher = base.with_changes(higher_changes) if higher_changes else base
    assert_increases(paired(lower, higher, metric), case, drop_ties="campaign" in case)


@pytest.mark.slow
def test_demand_up_with_posts_following_it_costs_more(default_scenario):
    """Statistical, error rate 1e-3 for each of two claims (sign test): with an
    establishment review on both sides (the target the baseline's own caseload, its
    mean over replication 0, to a tenth; the census's response up to the baseline's
    year, pooled over every council), demand up 30 % raises the 24 months' agency spend and
    total cost, over 40 paired replications: posts follow demand, and the vacancies
    they open are covered by agency (docs/levers.md, the directions table)."""
    from workforce_sim.scenario.history import caseload_response

    base = default_scenario.with_changes({"horizon_months": 24})
    target = round(float(service_rows(base, 0)["caseload"].mean()), 1)
    census = caseload_response("884", base.start_date.year)
    assert census is not None and census.response > 0
    review = base.with_changes({"establishment_review": {"target_caseload": target,
                                                         "response": census.response}})
    more = review.with_changes({"trends.demand": {"long_run": 1.3, "persistence": 0}})
    pairs = [(service_rows(review, k), service_rows(more, k)) for k in range(REPLICATIONS)]
    for what, metric in (("agency spend", agency_spend),
                         ("total cost", lambda rows: float(rows["cost_total"].sum()))):
        d = np.array([metric(b) - metric(a) for a, b in pairs])
        assert_increases(d, f"demand up, posts following it, raises {what}")
