"""The DfE's agency rules (S8) hold on the staff log of random scenarios.

Random workforce scenarios (``workforce_scenarios``, leavers coming back as agency
workers) with random dated rule sets; on the staff log:

* no agency spell starts with less post-qualifying experience than the rules in
  force on its first day ask;
* no permanent leaver starts an agency spell here within the cooling-off of the
  rules in force on its first day, unless the log names an exception the rules list;
* notice is kept: an employee leaves exactly ``notice_days`` after resigning (an
  academy NQSW failing the ASYE on their notice leaves at its end), and an
  agency worker on the rules leaves no sooner than their rules' ``notice_days``
  after giving or being given notice.
"""

from __future__ import annotations

import bisect
import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property.test_workforce_invariants import workforce_scenarios
from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.scenario.calendar import day_of

EPS = 1e-7
SHORTHAND = ("cooling_off_days", "cooling_off_from", "release_notice_days")


@st.composite
def ruled_scenarios(draw) -> dict:
    """A random workforce scenario with leavers back as agency workers and one or two
    random rule sets (dated from a year before the run to its end)."""
    data = draw(workforce_scenarios())
    start = dt.date.fromisoformat(str(data["start_date"]))
    agency = {k: v for k, v in data["workforce"]["agency"].items() if k not in SHORTHAND}
    days = sorted(draw(st.sets(st.integers(-365, 900), min_size=1, max_size=2)))
    agency["rules"] = [{
        "start": (start + dt.timedelta(days=d)).isoformat(),
        "min_pqe_years": draw(st.sampled_from([0.0, 3.0, 6.0])),
        "cooling_off_days": draw(st.sampled_from([0.0, 91.0, 200.0])),
        "cooling_off_exceptions": draw(st.sampled_from([[], ["probation"]])),
        "probation_days": draw(st.sampled_from([0.0, 182.0, 2000.0])),
        "notice_days": draw(st.sampled_from([0.0, 28.0])),
    } for d in days]
    agency["return_as_agency"] = draw(st.sampled_from([0.5, 1.0]))
    data["workforce"]["agency"] = agency
    return data


def _rules_on(s: Scenario):
    starts = [day_of(s.start_date, r.start) for r in s.workforce.agency.rules]
    rules = list(s.workforce.agency.rules)

    def rule_at(day: float):
        i = bisect.bisect_right(starts, day) - 1
        return rules[i] if i >= 0 else None
    return rule_at


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ruled_scenarios(), st.integers(0, 2**32 - 1))
def test_the_agency_rules_hold_on_the_staff_log(data, seed):
    s = Scenario.from_dict(data)
    log = Model(s, seed, 0, keep_case_log=True).run().staff_log.frame()
    rule_at = _rules_on(s)
    agency = log[log["kind"] == "agency"]
    # least experience on the first day of every agency spell under the rules
    for _, r in agency.iterrows():
        rule = rule_at(r["start_day"])
        if rule is not None:
            assert r["pqe_years"] >= rule.min_pqe_years - EPS, r
    # the cooling-off, or an exception the rules list
    left = log[log["kind"].isin(["permanent", "nqsw"]) & (log["end"] == "left")]
    last_left = left.groupby("worker_id")["end_day"].max()
    for _, r in agency[agency["worker_id"].isin(last_left.index)].iterrows():
        gone = left.loc[(left["worker_id"] == r["worker_id"])
                        & (left["end_day"] <= r["start_day"]), "end_day"]
        if gone.empty:
            continue                       # an agency spell before they were employed
        last = left[(left["worker_id"] == r["worker_id"]) & (left["end_day"] == gone.max())]
        assert (last["kind"] == "permanent").all()   # a leaver who was an NQSW never comes back
        rule = rule_at(r["start_day"])
        if rule is None or r["start_day"] >= gone.max() + rule.cooling_off_days - EPS:
            assert r["exception"] == ""
        else:
            assert r["exception"] in rule.cooling_off_exceptions, r
    # notice kept
    notice = s.workforce.permanent.notice_days
    worked = (log["end_day"] - log["notice_day"]).astype(float)
    permanent = (log["kind"] == "permanent") & (log["notice"] == "resigned")
    np.testing.assert_allclose(worked[permanent], notice, atol=1e-6)
    nqsw = (log["kind"] == "nqsw") & (log["notice"] == "resigned")
    assert (worked[nqsw] <= notice + 1e-6).all()   # or cut short by failing the ASYE
    on_notice = agency[agency["notice"] != ""]
    for _, r in on_notice.iterrows():
        rule = rule_at(r["start_day"])
        if rule is not None:
            assert r["end_day"] - r["notice_day"] >= rule.notice_days - 1e-6, r
