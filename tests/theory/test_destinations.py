"""Where leavers go, and leavers who come back as agency workers.

* Destinations are multinomial with the scenario's shares (χ² over a closed
  cohort's leavers) and add up to the leavers, month by month.
* The destination draw has its own stream: drawing it or not, and with any
  shares, leaves every other column identical to the bit.
* Returners: with the cooling-off in force nobody returns before
  ``cooling_off_days`` after leaving; a returner fills a waiting request at
  once; with the cooling-off dated after the run, none applies; a returner
  who finds no request waits ``returner_available_days`` and then goes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import workforce_sim as ws
from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.scenario.errors import ScenarioError
from workforce_sim.scenario.schema import DESTINATIONS

ALPHA = 1e-3                     # error rate of the statistical test
SEED = 20251001
START = dt.date(2025, 1, 1)
DESTINATION_COLUMNS = ("leavers_to_other_council", "leavers_to_agency",
                       "leavers_out_of_la_social_work")


def scenario(months: int, *, permanent: int = 2, establishment: float = 2, turnover: float = 0.0,
             destinations: dict | None = None, agency: dict | None = None) -> ws.Scenario:
    """One team, no cases, no absence, no notice; agency cover of every vacancy from a
    market that never fills within the run (a request waits), unless ``agency`` says."""
    return ws.Scenario.from_dict({
        "schema_version": 1, "name": "destinations theory", "start_date": START.isoformat(),
        "horizon_months": months,
        "teams": {"t": {"establishment_fte": establishment, "caseload_cap": 18,
                        "staff": {"permanent": permanent}}},
        "case_types": {"c": {"team": "t", "referrals_per_year": 0,
                             "duration_days": {"dist": "fixed", "value": 10}}},
        "workforce": {
            "permanent": {"annual_turnover": turnover, "notice_days": 0,
                          "pressure_elasticity": 0.0,
                          "destinations": destinations or {"other_council": 0.273,
                                                           "agency": 0.169,
                                                           "out_of_la_social_work": 0.558}},
            "agency": {"cover_fraction": 1.0, "early_exit_annual_rate": 0.0,
                       "conversion_annual_rate": 0.0,
                       "lead_time_days": {"dist": "fixed", "value": 10_000},
                       "placement_days": {"dist": "fixed", "value": 10_000},
                       **(agency or {})},
        },
        "recruitment": {"success_probability": 0.0},
        "absence": {"rate": 0.0},
    })


def monthly(model: Model) -> pd.DataFrame:
    return pd.DataFrame(model.recorder.rows, columns=["month", "team", *COLUMNS])


class Watched(Model):
    """A model that notes each returner's start: (day, day they left)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.returns: list[tuple[float, float]] = []
        agency = self.agency
        starts = agency._returner_starts

        def noted(team, returner):
            self.returns.append((self.env.now, returner.left))
            starts(team, returner)

        agency._returner_starts = noted


# ================================================================ destinations


def test_destinations_are_multinomial_with_the_shares():
    """A closed cohort of 3,000 at 2 leavers per FTE-year for 3 years: about 2,990
    leave, and their destination counts are Multinomial(n, shares). Pearson's χ²
    with 2 degrees of freedom at α = 10⁻³ (error rate 10⁻³). The three columns
    add up to leavers_permanent in every month, exactly."""
    shares = {"other_council": 0.273, "agency": 0.169, "out_of_la_social_work": 0.558}
    s = scenario(36, permanent=3000, establishment=0, turnover=2.0, destinations=shares,
                 agency={"cover_fraction": 0.0})
    m = monthly(Model(s, SEED, 0).run())
    team = m[m["team"] == "t"]
    counts = team[list(DESTINATION_COLUMNS)].sum().to_numpy(float)
    n = team["leavers_permanent"].sum()
    assert n > 2900
    assert (team[list(DESTINATION_COLUMNS)].sum(axis=1) == team["leavers_permanent"]).all()
    expected = n * np.array([shares[d] for d in DESTINATIONS])
    chi2, p = stats.chisquare(counts, expected)
    assert p >= ALPHA, f"counts {counts} vs expected {expected.round(1)}: χ² {chi2:.2f}, p {p:.2e}"


def test_a_share_of_one_sends_every_leaver_there():
    s = scenario(24, permanent=50, establishment=0, turnover=1.0,
                 destinations={"other_council": 0, "agency": 1, "out_of_la_social_work": 0},
                 agency={"cover_fraction": 0.0})
    m = monthly(Model(s, SEED, 0).run())
    t = m[m["team"] == "t"]
    assert t["leavers_permanent"].sum() > 0
    assert (t["leavers_to_agency"] == t["leavers_permanent"]).all()


def test_shares_must_sum_to_one():
    with pytest.raises(ScenarioError, match="sum to 1"):
        scenario(12, destinations={"other_council": 0.3, "agency": 0.3,
                                   "out_of_la_social_work": 0.3})


def _without(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame.drop(columns=list(columns))


@pytest.mark.parametrize("name", ["herefordshire_2025.toml", "herefordshire_2022_crisis.toml"])
def test_the_destination_stream_changes_nothing_else(name):
    """Exact: a shipped scenario with its destinations drawn, with other shares, and
    with no destination drawn at all (the hook cut) gives every other column
    identical to the bit, team and service rows."""
    base = ws.load_scenario(name).with_changes({"horizon_months": 36})
    other = base.with_changes({"workforce.permanent.destinations.other_council": 0.0,
                               "workforce.permanent.destinations.agency": 1.0,
                               "workforce.permanent.destinations.out_of_la_social_work": 0.0})
    drawn = monthly(Model(base, 0, 1).run())
    shares = monthly(Model(other, 0, 1).run())
    cut = Model(base, 0, 1)
    cut.staffing.left_employment = lambda w: None      # no destination drawn
    none = monthly(cut.run())
    assert drawn["leavers_permanent"].sum() > 0
    assert (shares["leavers_to_agency"] == shares["leavers_permanent"]).all()
    assert (none[list(DESTINATION_COLUMNS)] == 0).all().all()
    pd.testing.assert_frame_equal(_without(drawn, DESTINATION_COLUMNS),
                                  _without(shares, DESTINATION_COLUMNS), check_exact=True)
    pd.testing.assert_frame_equal(_without(drawn, DESTINATION_COLUMNS),
                                  _without(none, DESTINATION_COLUMNS), check_exact=True)


# ================================================================ returners


ALL_TO_AGENCY = {"other_council": 0, "agency": 1, "out_of_la_social_work": 0}


def _leave_at(s: ws.Scenario, day: float) -> Watched:
    """Run to ``day``, one permanent worker leaves, run to the horizon."""
    m = Watched(s, SEED, 0)
    m.env.run(until=day)
    m.depart(next(w for w in m.teams["t"].workers if w.kind == "permanent"))
    return m.run()


def test_a_returner_fills_a_waiting_request_at_once_with_no_cooling_off():
    """The cooling-off dated after the run: the leaver is back the same day as an
    agency worker, in the request their own leaving opened (the market would take
    10,000 days)."""
    s = scenario(12, destinations=ALL_TO_AGENCY,
                 agency={"return_as_agency": 1.0, "cooling_off_from": "2099-01-01"})
    m = _leave_at(s, 40.0)
    assert m.returns == [(40.0, 40.0)]
    t = monthly(m)
    t = t[t["team"] == "t"]
    assert t["agency_returners"].sum() == 1 and t["agency_starts"].sum() == 1
    assert t["agency_fte"].iloc[-1] == 1.0


def test_a_returner_waits_out_the_cooling_off_then_fills_the_waiting_request():
    """The cooling-off in force (from before the run): the request opened at leaving
    waits, and the returner takes it exactly cooling_off_days after leaving."""
    s = scenario(12, destinations=ALL_TO_AGENCY,
                 agency={"return_as_agency": 1.0, "cooling_off_from": "2020-01-01",
                         "cooling_off_days": 91})
    m = _leave_at(s, 40.0)
    assert m.returns == [(131.0, 40.0)]


def test_the_cooling_off_starts_on_its_date():
    """Leaving 30 days before the rule's date: free to return until the date, not in
    the 61 days after it; with no request until then (an agency target of 0 first),
    the returner takes one exactly 91 days after leaving."""
    s = scenario(12, destinations=ALL_TO_AGENCY,
                 agency={"return_as_agency": 1.0, "cooling_off_from": "2025-03-02",
                         "cooling_off_days": 91, "returner_available_days": 200})
    m = Watched(s, SEED, 0)
    rule = 60.0                                   # 2025-03-02
    m.env.run(until=rule - 30)
    agency = m.agency
    goal = agency.goal
    agency.goal = lambda team: 0                  # no cover wanted until the rule's date
    m.depart(next(w for w in m.teams["t"].workers if w.kind == "permanent"))
    m.env.run(until=rule + 1)
    agency.goal = goal
    agency.review(m.teams["t"])                   # a request now: the returner may not
    assert m.returns == []
    m.run()
    assert m.returns == [(rule - 30 + 91, rule - 30)]


def test_a_returner_who_finds_no_request_goes_elsewhere():
    """No request within returner_available_days: nobody returns when one opens later."""
    s = scenario(12, destinations=ALL_TO_AGENCY,
                 agency={"return_as_agency": 1.0, "cooling_off_from": "2099-01-01",
                         "returner_available_days": 30})
    m = Watched(s, SEED, 0)
    m.env.run(until=40.0)
    agency = m.agency
    goal = agency.goal
    agency.goal = lambda team: 0
    m.depart(next(w for w in m.teams["t"].workers if w.kind == "permanent"))
    m.env.run(until=71.0)
    agency.goal = goal
    agency.review(m.teams["t"])
    m.run()
    assert m.returns == []
    assert not agency.pool


def test_no_returner_before_the_cooling_off_over_a_run():
    """Many leavers (turnover 1 a year, 40 staff, every one to agency work, all back
    here): every returner starts at least cooling_off_days after leaving, and some do."""
    s = scenario(36, permanent=40, establishment=40, turnover=1.0, destinations=ALL_TO_AGENCY,
                 agency={"return_as_agency": 1.0, "cooling_off_from": "2020-01-01",
                         "cooling_off_days": 91, "returner_available_days": 60,
                         "lead_time_days": {"dist": "fixed", "value": 120},
                         "placement_days": {"dist": "fixed", "value": 60}})
    m = Watched(s, SEED, 0).run()
    assert len(m.returns) > 10
    assert all(day >= left + 91 for day, left in m.returns)
    t = monthly(m)
    assert t[t["team"] == "t"]["agency_returners"].sum() == len(m.returns)


# ================================================================ conversions


def _conversions(establishment: float) -> tuple[int, float]:
    """Two permanent staff and three agency workers on long placements who would convert
    within days (50 a year), for a year, nobody leaving: (conversions, most permanent FTE)."""
    s = scenario(12, permanent=2, establishment=establishment,
                 agency={"conversion_annual_rate": 50.0, "cover_fraction": 5.0})
    data = s.to_dict()
    data["teams"]["t"]["staff"]["agency"] = [{"count": 3, "fte": 1.0}]
    m = monthly(Model(ws.Scenario.from_dict(data), SEED, 0).run())
    t = m[m["team"] == "t"]
    return int(t["conversions"].sum()), float(t["permanent_fte"].max())


def test_conversions_fill_vacant_posts_only():
    """Exact: with no vacancy nobody converts; with one vacant post exactly one agency
    worker converts, counted in conversions, and permanent FTE never passes the
    establishment."""
    assert _conversions(2.0) == (0, 2.0)
    assert _conversions(3.0) == (1, 3.0)
