"""The DfE's agency rules (S8) on returners, exactly.

* A leaver below the rules' least post-qualifying experience never returns as an
  agency worker here (counted as refused).
* A leaver within their probation returns at once, through the exception, and the
  staff log names it; one past probation waits out the cooling-off.
* A returner keeps their worker number and their experience.
* The older shorthand keys map into the dated rules; both at once are refused.
"""

from __future__ import annotations

import datetime as dt

import pytest

import workforce_sim as ws
from tests.theory.test_destinations import ALL_TO_AGENCY, SEED, Watched, scenario
from workforce_sim.scenario.calendar import DAYS_PER_YEAR
from workforce_sim.scenario.errors import ScenarioError
from workforce_sim.scenario.schema import AGENCY_RULES_FROM, AgencyPolicy


def _with_staff(s: ws.Scenario, **group) -> ws.Scenario:
    return s.with_changes({"teams.t.staff.permanent": [{"count": 2, **group}]})


def _leave(s: ws.Scenario, day: float) -> Watched:
    m = Watched(s, SEED, 0, keep_case_log=True)
    m.env.run(until=day)
    m.depart(next(w for w in m.teams["t"].workers if w.kind == "permanent"))
    return m.run()


def test_a_leaver_below_the_least_experience_is_refused():
    """Two years' experience under the rules' three: no return, one refused."""
    s = _with_staff(scenario(12, destinations=ALL_TO_AGENCY, agency={"return_as_agency": 1.0}),
                    service_years=1.0, pqe_years=2.0)
    m = _leave(s, 40.0)
    assert m.returns == [] and m.agency.refused["pqe"] == 1


def test_a_leaver_in_probation_returns_at_once_through_the_exception():
    """Joined 0.1 years before the run, left on day 40 (76 days' service, under 182):
    back the same day, the log naming the exception; the same person, their
    experience carried on."""
    s = _with_staff(scenario(12, destinations=ALL_TO_AGENCY, agency={"return_as_agency": 1.0}),
                    service_years=0.1, pqe_years=5.0)
    m = _leave(s, 40.0)
    assert m.returns == [(40.0, 40.0)]
    log = m.staff_log.frame()
    back = log[(log["kind"] == "agency") & (log["start_day"] == 40.0)]
    assert len(back) == 1 and back["exception"].iloc[0] == "probation"
    before = log[(log["worker_id"] == back["worker_id"].iloc[0]) & (log["kind"] == "permanent")]
    assert before["end"].tolist() == ["left"] and before["end_day"].tolist() == [40.0]
    assert back["pqe_years"].iloc[0] == pytest.approx(5.0 + 40.0 / DAYS_PER_YEAR, abs=1e-12)


def test_a_leaver_past_probation_waits_out_the_cooling_off():
    """Four years' service: the request opened at leaving waits 91 days, no exception."""
    s = scenario(12, destinations=ALL_TO_AGENCY, agency={"return_as_agency": 1.0})
    m = _leave(s, 40.0)
    assert m.returns == [(131.0, 40.0)]
    log = m.staff_log.frame()
    assert (log.loc[log["kind"] == "agency", "exception"] == "").all()


def test_without_the_exception_the_leaver_in_probation_waits():
    rule = {"start": "2024-10-31", "cooling_off_exceptions": []}
    s = _with_staff(scenario(12, destinations=ALL_TO_AGENCY,
                             agency={"return_as_agency": 1.0, "rules": [rule]}),
                    service_years=0.1, pqe_years=5.0)
    assert _leave(s, 40.0).returns == [(131.0, 40.0)]


def test_the_shorthand_maps_into_the_rules():
    """cooling_off_from after the rules' date: no cooling-off from 31 October 2024 until
    it, then cooling_off_days; release_notice_days is every set's notice."""
    p = AgencyPolicy.model_validate({"cooling_off_from": "2025-10-01", "cooling_off_days": 60,
                                     "release_notice_days": 14})
    assert [(r.start, r.cooling_off_days, r.notice_days, r.min_pqe_years) for r in p.rules] == [
        (AGENCY_RULES_FROM, 0, 14, 3), (dt.date(2025, 10, 1), 60, 14, 3)]
    assert AgencyPolicy().rules[0].start == AGENCY_RULES_FROM


def test_the_shorthand_and_the_rules_together_are_refused():
    with pytest.raises(ScenarioError, match="not both"):
        scenario(12, agency={"cooling_off_days": 91, "rules": [{"start": "2024-10-31"}]})


def test_rule_sets_out_of_order_are_refused():
    with pytest.raises(ScenarioError, match="in order"):
        scenario(12, agency={"rules": [{"start": "2025-10-01"}, {"start": "2024-10-31"}]})
