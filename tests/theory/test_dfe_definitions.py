"""The DfE definitions of the monthly table, recomputed from the logs alone.

The shipped scenarios are run with the case and staff logs on; from the logs
(and the scenario: which teams hold cases, which case types are looked after,
the calendar of month ends) and nothing of the recorder's, each month end's
FTE in post, leavers FTE over the 12 months to it and the turnover rate,
case-holding FTE, allocated cases and caseload, and the children looked after
by the number of social workers they had in the 12 months to it, are
recomputed for every team and for the service, and must equal the monthly
table: counts exactly, FTE sums to 1e-12 relative (the log lists spells in the
order they began, the recorder sums each team's workers in the team's order,
so the same numbers may be added in another order and differ in the last bit;
the shipped scenarios' FTEs are multiples of 0.5, so there the sums happen to
be exact and the columns bit-equal).

Month-end timing, as the model does it (``context.py``): month ``m`` closes at
``T_m = month_ends[m]``, before anything else due at that instant, so the
state recorded is that of the events strictly before ``T_m``. In the logs'
terms a spell that began at ``s`` and ended at ``e`` (NaN: still open at the
horizon) is in place at ``T_m`` iff ``s < T_m`` and ``e ≥ T_m``; a leaver at
``e`` belongs to month ``m`` iff ``T_(m-1) ≤ e < T_m`` (``T_(-1) = 0``); a
social worker held a child's case during the 12 months to ``T_m`` iff one of
their spells began before ``T_m`` and ended at or after ``T_(m-12)`` (the run's
start, day 0, until the run is 12 months old). Ties between an event and the
month end are therefore resolved as the kernel does, and the recomputation is
exact.

Then each new column on a hand-made service where the answer is known.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

import workforce_sim as ws
from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.scenario.calendar import month_end_days

EMPLOYED = ("permanent", "nqsw")
HOLDERS = ("permanent", "nqsw", "agency")
RUNS = [("herefordshire_2025.toml", 0), ("herefordshire_2025.toml", 1),
        ("herefordshire_2022_crisis.toml", 0)]


def _in_place(start: pd.Series, end: pd.Series, t: float) -> pd.Series:
    return (start < t) & (end.isna() | (end >= t))


def recompute(scenario: Scenario, staff: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """The DfE columns at every month end, per team and for the service, from the logs."""
    ends = month_end_days(scenario.start_date, scenario.horizon_months)
    teams = list(scenario.teams)
    holding = {t for t, spec in scenario.teams.items() if spec.holds_cases}
    looked_after_types = {n for n, ct in scenario.case_types.items() if ct.looked_after}

    # each case's open interval: from its first queueing to its closure (inf if open)
    by_case = cases.groupby("case_id")
    opened = by_case["queued_day"].min()
    closed = cases[cases["end"] == "closed"].set_index("case_id")["ended_day"]
    case_info = pd.DataFrame({"opened": opened, "closed": closed.reindex(opened.index)})
    first = by_case.first()
    case_info["team"] = first["team"]
    case_info["child_id"] = first["child_id"]
    case_info["looked_after"] = first["case_type"].isin(looked_after_types)
    spells = cases[cases["worker_id"] >= 0]         # real allocation spells (not "waiting")

    leavers = staff[(staff["end"] == "left") & staff["kind"].isin(EMPLOYED)]
    leavers_by_month = np.zeros((len(ends), len(teams)))
    for m, t_m in enumerate(ends):
        lo = ends[m - 1] if m else 0.0
        month = leavers[(leavers["end_day"] >= lo) & (leavers["end_day"] < t_m)]
        for j, team in enumerate(teams):
            leavers_by_month[m, j] = month.loc[month["team"] == team, "fte"].sum()

    rows = []
    for m, t_m in enumerate(ends):
        since = ends[m - 12] if m >= 12 else 0.0
        post = staff[_in_place(staff["start_day"], staff["end_day"], t_m)]
        held = spells[_in_place(spells["allocated_day"], spells["ended_day"], t_m)]
        open_now = case_info[(case_info["opened"] < t_m)
                             & (case_info["closed"].isna() | (case_info["closed"] >= t_m))]
        looked_after = open_now[open_now["looked_after"]]
        window = spells[(spells["allocated_day"] < t_m)
                        & (spells["ended_day"].isna() | (spells["ended_day"] >= since))]
        workers_of = window.groupby("child_id")["worker_id"].nunique()
        n_workers = workers_of.reindex(looked_after["child_id"]).fillna(0).astype(int).to_numpy()
        la_team = looked_after["team"].to_numpy()
        for j, team in enumerate(teams):
            p = post[post["team"] == team]
            in_post = p.loc[p["kind"].isin(EMPLOYED), "fte"].sum()
            holders = p.loc[p["kind"].isin(HOLDERS), "fte"].sum() if team in holding else 0.0
            n = n_workers[la_team == team]
            rows.append({"month_index": m, "team": team, "fte_in_post": in_post,
                         "leavers_12m": leavers_by_month[max(0, m - 11):m + 1, j].sum(),
                         "case_holders_fte": holders,
                         "allocated_cases": int((held["team"] == team).sum()),
                         "looked_after": len(n), "looked_after_no_worker": int((n == 0).sum()),
                         "looked_after_1_worker": int((n == 1).sum()),
                         "looked_after_2_workers": int((n == 2).sum()),
                         "looked_after_3plus_workers": int((n >= 3).sum())})
    out = pd.DataFrame(rows)
    service = out.groupby("month_index").sum(numeric_only=True).reset_index()
    service["team"] = "all"
    out = pd.concat([out, service], ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["turnover_rate"] = np.where((out["month_index"] >= 11) & (out["fte_in_post"] > 0),
                                        out["leavers_12m"] / out["fte_in_post"], np.nan)
        out["caseload"] = np.where(out["case_holders_fte"] > 0,
                                   out["allocated_cases"] / out["case_holders_fte"], np.nan)
    return out.set_index(["month_index", "team"]).sort_index()


def _monthly(result) -> pd.DataFrame:
    m = result.monthly.copy()
    months = sorted(m["month"].unique())
    m["month_index"] = m["month"].map({v: i for i, v in enumerate(months)})
    m["leavers_12m"] = m.groupby("team")["leavers_permanent_fte"].transform(
        lambda s: s.rolling(12, min_periods=1).sum())
    return m.set_index(["month_index", "team"]).sort_index()


@pytest.fixture(scope="module", params=RUNS, ids=[f"{n}-{r}" for n, r in RUNS])
def logged(request):
    name, rep = request.param
    scenario = ws.load_scenario(name)
    result = ws.simulate(scenario, seed=7, replication=rep, case_log=True)
    return _monthly(result), recompute(scenario, result.staff, result.cases)


COUNTS = ["allocated_cases", "looked_after", "looked_after_no_worker", "looked_after_1_worker",
          "looked_after_2_workers", "looked_after_3plus_workers"]
FTE = ["fte_in_post", "case_holders_fte", "leavers_12m", "turnover_rate", "caseload"]


def test_counts_equal_the_logs_exactly(logged):
    table, logs = logged
    assert list(table.index) == list(logs.index)
    for c in COUNTS:
        np.testing.assert_array_equal(table[c].to_numpy(), logs[c].to_numpy(), err_msg=c)
    service = logs.xs("all", level="team")
    assert service["looked_after"].gt(0).all(), "every month has children looked after"
    assert service["looked_after_3plus_workers"].gt(0).any()
    assert service["looked_after_2_workers"].gt(0).all()


def test_fte_sums_and_rates_equal_the_logs(logged):
    table, logs = logged
    for c in FTE:
        a, b = table[c].to_numpy(float), logs[c].to_numpy(float)
        assert (np.isnan(a) == np.isnan(b)).all(), c
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=c)
    assert table.loc[(slice(None), "all"), "turnover_rate"].iloc[11:].notna().all()


def test_the_derived_columns_follow_from_the_counts(logged):
    table, _ = logged
    parts = ["looked_after_no_worker", "looked_after_1_worker", "looked_after_2_workers",
             "looked_after_3plus_workers"]
    assert (table[parts].sum(axis=1) == table["looked_after"]).all()
    la = table["looked_after"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(la > 0, table["looked_after_3plus_workers"] / la, np.nan)
    np.testing.assert_array_equal(table["looked_after_3plus_rate"].to_numpy(), rate)


# ------------------------------------------------------------- hand-made services


def _service(**changes) -> dict:
    """A team holding looked-after cases (3 permanent, cap 10, nothing ever closes, no
    one joins or leaves and no case is moved by chance) and an office that holds none
    (0.5 permanent FTE, 0.75 NQSW FTE)."""
    d = {
        "schema_version": 1, "name": "dfe definitions", "start_date": "2025-01-01",
        "horizon_months": 14,
        "teams": {
            "care": {"establishment_fte": 3, "caseload_cap": 10, "staff": {"permanent": 3}},
            "office": {"establishment_fte": 1.25, "caseload_cap": 0, "holds_cases": False,
                       "staff": {"permanent": [{"count": 1, "fte": 0.5}],
                                 "nqsw": [{"count": 1, "fte": 0.75}]}},
        },
        "case_types": {
            "cla": {"team": "care", "looked_after": True, "initial_open": 3,
                    "duration_days": {"dist": "fixed", "value": 36525}},
            # heavier than anyone's capacity: never allocated (and behind the others)
            "cla_heavy": {"team": "care", "looked_after": True, "weight": 50, "priority": 2,
                          "initial_open": 1, "duration_days": {"dist": "fixed", "value": 36525}},
        },
        "workforce": {"permanent": {"annual_turnover": 0.0},
                      "agency": {"cover_fraction": 0.0}},
        "recruitment": {"success_probability": 0.0},
        "absence": {"rate": 0.0},
        "caseload_management": {"moves_per_case_year": 0.0},
    }
    d.update(changes)
    return d


@pytest.fixture(scope="module")
def handmade() -> pd.DataFrame:
    """Child A's worker w0 leaves on day 10 (A goes to w1), then w1 leaves on day 40
    (A and B go to w2). Month ends: day 31, 59, ..., 365 (month 11), 396, 424."""
    m = Model(Scenario.from_dict(_service()), seed=0, keep_case_log=True)
    w0, w1, w2 = m.teams["care"].workers
    assert [len(w.cases) for w in (w0, w1, w2)] == [1, 1, 1]
    m.env.run(until=10)
    m.depart(w0)
    m.env.run(until=40)
    m.depart(w1)
    m.run()
    assert m.month_ends[11] == 365 and m.month_ends[12] == 396
    table = pd.DataFrame(m.recorder.rows, columns=["m", "team", *ws_columns()])
    # nothing closes within the horizon (the opening cases' residual durations, drawn
    # uniformly over 100 years with this seed, all run past it)
    assert (table["closures"] == 0).all()
    return table.set_index(["m", "team"])


def ws_columns():
    from workforce_sim.engine.recording.recorder import COLUMNS

    return COLUMNS


def _series(table: pd.DataFrame, team: str, column: str) -> list:
    return table.xs(team, level="team")[column].tolist()


def test_fte_in_post_and_case_holders(handmade):
    assert _series(handmade, "office", "fte_in_post") == [1.25] * 14
    assert _series(handmade, "care", "fte_in_post") == [2.0] + [1.0] * 13
    assert _series(handmade, "all", "fte_in_post") == [3.25] + [2.25] * 13
    assert _series(handmade, "office", "case_holders_fte") == [0.0] * 14
    assert _series(handmade, "all", "case_holders_fte") == [2.0] + [1.0] * 13


def test_caseload_is_allocated_cases_per_case_holding_fte(handmade):
    assert _series(handmade, "care", "allocated_cases") == [3] * 14     # the heavy case waits
    assert _series(handmade, "care", "caseload") == [1.5] + [3.0] * 13
    assert _series(handmade, "all", "caseload") == [1.5] + [3.0] * 13
    assert all(math.isnan(x) for x in _series(handmade, "office", "caseload"))
    assert _series(handmade, "care", "caseload_max") == [2] + [3] * 13   # per worker


def test_turnover_rate_is_leavers_in_12_months_over_fte_in_post_at_the_end(handmade):
    care = _series(handmade, "care", "turnover_rate")
    assert all(math.isnan(x) for x in care[:11])
    assert care[11:] == [2.0, 1.0, 0.0]       # both leavers / 1 FTE; then w1's; then none
    service = _series(handmade, "all", "turnover_rate")
    assert service[11:] == [2.0 / 2.25, 1.0 / 2.25, 0.0]
    assert all(math.isnan(x) for x in _series(handmade, "office", "turnover_rate")[:11])
    assert _series(handmade, "office", "turnover_rate")[11:] == [0.0] * 3


def test_looked_after_by_number_of_social_workers(handmade):
    """A: w0 then w1 then w2; B: w1 then w2; C: w2 throughout; D (heavy): nobody.
    In month 12 the year starts on day 31, after w0 left (day 10); in month 13 on
    day 59, after w1 left (day 40)."""
    cols = ["looked_after", "looked_after_no_worker", "looked_after_1_worker",
            "looked_after_2_workers", "looked_after_3plus_workers"]
    care = handmade.xs("care", level="team")[cols]
    expected = [[4, 1, 2, 1, 0]] + [[4, 1, 1, 1, 1]] * 11 + [[4, 1, 1, 2, 0], [4, 1, 3, 0, 0]]
    assert care.to_numpy().tolist() == expected
    assert (handmade.xs("all", level="team")[cols] == care).all().all()
    assert (handmade.xs("office", level="team")[cols] == 0).all().all()
    rate = _series(handmade, "care", "looked_after_3plus_rate")
    assert rate == [0.0] + [0.25] * 11 + [0.0, 0.0]
    assert all(math.isnan(x) for x in _series(handmade, "office", "looked_after_3plus_rate"))


def test_moves_between_teams_count_and_only_looked_after_children_are_counted():
    """A child protection case (team cp, not looked after) continues into care (team
    care): the child's cp worker counts among their social workers in the year; the
    cp children themselves are not looked after."""
    d = _service()
    d["teams"] = {"cp": {"establishment_fte": 1, "caseload_cap": 10, "staff": {"permanent": 1}},
                  "care": {"establishment_fte": 1, "caseload_cap": 10, "staff": {"permanent": 1}}}
    d["case_types"] = {
        "cp": {"team": "cp", "initial_open": 2, "duration_days": {"dist": "fixed", "value": 20},
               "on_close": {"cla": 1.0}},
        "cla": {"team": "care", "looked_after": True,
                "duration_days": {"dist": "fixed", "value": 36525}},
    }
    d["horizon_months"] = 2
    table = ws.simulate(Scenario.from_dict(d), seed=0).monthly.set_index("team")
    first = table[table["month"] == table["month"].min()]
    assert first.loc["cp", "looked_after"] == 0
    assert first.loc["care", "looked_after"] == 2
    assert first.loc["care", "looked_after_2_workers"] == 2      # the cp worker, then care's
    assert first.loc["all", "looked_after_3plus_rate"] == 0.0


def test_agency_cover_of_vacancies():
    """Team a: establishment 5, 3 permanent, 1 agency: 2 vacant, 1 covered. Team b:
    establishment 2, 2 permanent, 1 agency on notice: no vacancy, no cover. The
    service: 7 posts, 5 in post, 2 vacant, both agency FTE cover them."""
    d = _service()
    d["teams"] = {"a": {"establishment_fte": 5, "caseload_cap": 10,
                        "staff": {"permanent": 3, "agency": 1}},
                  "b": {"establishment_fte": 2, "caseload_cap": 10,
                        "staff": {"permanent": 2, "agency": 1}}}
    d["case_types"] = {"c": {"team": "a", "duration_days": {"dist": "fixed", "value": 50}}}
    d["workforce"]["agency"] = {"cover_fraction": 0.5, "early_exit_annual_rate": 0.0,
                                "conversion_annual_rate": 0.0, "release_notice_days": 365,
                                "placement_days": {"dist": "fixed", "value": 30000}}
    d["horizon_months"] = 1
    t = ws.simulate(Scenario.from_dict(d), seed=0).monthly.set_index("team")
    assert t.loc["a", "vacancy_fte"] == 2 and t.loc["a", "agency_cover_fte"] == 1
    assert t.loc["a", "agency_cover_rate"] == 1 and t.loc["a", "vacancy_agency_cover_rate"] == 0.5
    assert t.loc["b", "agency_fte"] == 1 and t.loc["b", "agency_cover_fte"] == 0
    assert t.loc["b", "agency_cover_rate"] == 0 and np.isnan(t.loc["b", "vacancy_agency_cover_rate"])
    assert t.loc["all", "vacancy_fte"] == 2 and t.loc["all", "agency_cover_fte"] == 2
    assert t.loc["all", "agency_cover_rate"] == 1 and t.loc["all", "vacancy_agency_cover_rate"] == 1
    assert t.loc["all", "vacancy_rate"] == 2 / 7


def test_the_recomputation_sees_the_hand_made_answer():
    """The log recomputation itself, on the hand-made service (so a shared mistake in
    it and the recorder would have to agree with the hand count too)."""
    s = Scenario.from_dict(_service())
    m = Model(s, seed=0, keep_case_log=True)
    w0, w1, _ = m.teams["care"].workers
    m.env.run(until=10)
    m.depart(w0)
    m.env.run(until=40)
    m.depart(w1)
    m.run()
    assert m.case_log is not None and m.staff_log is not None
    logs = recompute(s, m.staff_log.frame(), m.case_log.frame())
    care = logs.xs("care", level="team")
    assert care["looked_after_3plus_workers"].tolist() == [0] + [1] * 11 + [0, 0]
    assert care["looked_after_no_worker"].tolist() == [1] * 14
    assert care["turnover_rate"].tolist()[11:] == [2.0, 1.0, 0.0]
    counts: dict[str, int] = defaultdict(int)
    for kind in m.staff_log.frame()["end"]:
        counts[kind] += 1
    assert counts["left"] == 2
