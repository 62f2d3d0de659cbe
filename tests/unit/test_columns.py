"""The column table (engine/recording/columns.py) against what the recorder writes.

Each identity the table claims is checked on a small simulated service with a
team that holds no cases and part-time workers, so each column's service row
and 12-month window are exercised on teams that differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workforce_sim import Scenario, simulate
from workforce_sim.engine.recording import columns as cols
from workforce_sim.engine.recording import recorder

from ..conftest import small_dict


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    d = small_dict(horizon_months=30)
    d["teams"]["managers"] = {"establishment_fte": 3, "caseload_cap": 0, "holds_cases": False,
                              "staff": {"permanent": [{"count": 2, "fte": 0.8}], "agency": 1}}
    d["teams"]["assessment"]["staff"]["permanent"] = [{"count": 2}, {"count": 2, "fte": 0.6}]
    frames = [simulate(Scenario.from_dict(d), seed=s).monthly for s in (0, 1)]
    return pd.concat(frames, keys=[0, 1], names=["replication", None]).reset_index(0)


def _teams_and_all(monthly: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    teams = monthly[monthly["team"] != "all"]
    service = monthly[monthly["team"] == "all"].set_index(["replication", "month"]).sort_index()
    return teams, service


def _sum(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    return frame[list(names)].sum(axis=1)


def test_names_are_the_recorders_columns_in_order():
    assert cols.NAMES == recorder.COLUMNS
    assert tuple(c.name for c in cols.COLUMNS) == recorder.COLUMNS


def test_every_measured_column_of_monthly_has_an_entry(monthly):
    measured = [c for c in monthly.columns if c not in cols.INDEX]
    assert measured == list(cols.NAMES)
    for name in measured:
        assert cols.column(name).name == name
    with pytest.raises(KeyError, match="no column 'nope'"):
        cols.column("nope")


def test_the_recorders_additive_columns_are_the_tables_sums():
    """The recorder sums exactly the columns the table says are summed over teams."""
    summed = {c.name for c in cols.COLUMNS if c.across_teams == "sum"}
    assert summed == set(recorder.ADDITIVE)


def test_summed_columns_service_row_is_the_sum_of_team_rows(monthly):
    teams, service = _teams_and_all(monthly)
    team_sums = teams.groupby(["replication", "month"]).sum(numeric_only=True).sort_index()
    for c in cols.COLUMNS:
        if c.across_teams == "sum":
            np.testing.assert_allclose(service[c.name], team_sums[c.name], rtol=1e-9, atol=1e-9,
                                       err_msg=c.name)
    assert service["cost_total"].gt(0).all()


def _service_totals(teams: pd.DataFrame) -> pd.DataFrame:
    """The service's totals from the team rows alone: the sums, then each "service"
    column by its own formula from them."""
    t = teams.groupby(["replication", "month"]).sum(numeric_only=True).sort_index()
    t["vacancy_fte"] = np.maximum(0.0, t["establishment_fte"] - t["fte_in_post"])
    t["agency_cover_fte"] = np.minimum(t["agency_fte"], t["vacancy_fte"])
    return t


def test_service_columns_are_recomputed_from_the_services_totals(monthly):
    """vacancy_fte and agency_cover_fte: a team's from its own figures, the service's
    from its totals (one team over establishment offsets another's vacancies)."""
    assert {c.name for c in cols.COLUMNS if c.across_teams == "service"} == \
        {"vacancy_fte", "agency_cover_fte"}
    teams, service = _teams_and_all(monthly)
    np.testing.assert_allclose(teams["vacancy_fte"], np.maximum(
        0.0, teams["establishment_fte"] - teams["fte_in_post"]), rtol=1e-12)
    np.testing.assert_allclose(teams["agency_cover_fte"],
                               np.minimum(teams["agency_fte"], teams["vacancy_fte"]))
    totals = _service_totals(teams)
    for name in ("vacancy_fte", "agency_cover_fte"):
        np.testing.assert_allclose(service[name], totals[name], rtol=1e-9, atol=1e-9,
                                   err_msg=name)


def test_service_vacancies_net_one_team_over_establishment_against_another():
    """Two teams: one 2 FTE over its establishment, the other 3 FTE short. The
    service has 1 vacant FTE, not 3 (the DfE counts a council's vacancies)."""
    d = small_dict(horizon_months=1)
    d["workforce"] = {"permanent": {"annual_turnover": 0.0}, "agency": {"cover_fraction": 0.0}}
    d["teams"]["assessment"].update(establishment_fte=2, staff={"permanent": 4})
    d["teams"]["safeguarding"].update(establishment_fte=5, staff={"permanent": 2})
    m = simulate(Scenario.from_dict(d), seed=0).monthly.set_index("team")
    assert m.loc["assessment", "vacancy_fte"] == 0 and m.loc["safeguarding", "vacancy_fte"] == 3
    assert m.loc["assessment", "over_establishment_fte"] == 2
    assert m.loc["all", "vacancy_fte"] == 1 and m.loc["all", "over_establishment_fte"] == 2
    assert m.loc["all", "vacancy_rate"] == 1 / (1 + 6)
    assert m.loc["all", "agency_fte"] == 0 and np.isnan(m.loc["all", "agency_cover_rate"])


def test_ratio_of_sums_holds_for_team_and_service_rows(monthly):
    """Each row's ratio is the ratio of its own numerator and denominator (the
    numerator summed over the last ``months`` month rows, the denominator at the
    last), and the service row's is recomputed from the service's totals, never
    averaged."""
    teams, service = _teams_and_all(monthly)
    totals = _service_totals(teams)
    for c in cols.COLUMNS:
        if c.across_teams != "ratio of sums":
            continue
        for key, rows in monthly.groupby(["replication", "team"]):
            rows = rows.sort_values("month")
            num = _sum(rows, c.numerator).rolling(c.months).sum()
            den = _sum(rows, c.denominator)
            np.testing.assert_allclose(rows[c.name], (num / den).where(den > 0), rtol=1e-9,
                                       err_msg=f"{c.name} {key}")
        num = _sum(totals, c.numerator).groupby("replication").transform(
            lambda x, n=c.months: x.rolling(n).sum())
        den = _sum(totals, c.denominator)
        np.testing.assert_allclose(service[c.name], (num / den).where(den > 0), rtol=1e-9,
                                   err_msg=c.name)
    # the window: NaN for the first months - 1 rows, then a number
    first = service.groupby("replication")["turnover_rate"]
    assert first.apply(lambda s: s.iloc[:11].isna().all() and s.iloc[11:].notna().all()).all()
    # the turnover rate's denominator is the FTE in post at the month end, not a mean
    for _, rows in service.groupby("replication"):
        expected = rows["leavers_permanent_fte"].iloc[-12:].sum() / rows["fte_in_post"].iloc[-1]
        assert rows["turnover_rate"].iloc[-1] == pytest.approx(expected, rel=1e-12)


def test_weighted_means_are_weighted_by_their_weight(monthly):
    teams, service = _teams_and_all(monthly)
    for c in cols.COLUMNS:
        if c.across_teams != "weighted mean":
            continue
        w = _sum(teams, c.weight)
        x = teams[c.name].where(w > 0, 0.0)
        g = pd.DataFrame({"xw": x * w, "w": w, "replication": teams["replication"],
                          "month": teams["month"]}).groupby(["replication", "month"]).sum()
        expected = (g["xw"] / g["w"]).where(g["w"] > 0).sort_index()
        np.testing.assert_allclose(service[c.name], expected, rtol=1e-9, err_msg=c.name)


def test_caseload_is_cases_per_case_holding_fte(monthly):
    """Cases held over case-holding FTE (the DfE's): the team without cases has no
    case-holding FTE and no caseload, and the service's caseload is the ratio of
    the totals, not the mean of the team values."""
    assert cols.column("caseload").across_teams == "ratio of sums"
    teams, service = _teams_and_all(monthly)
    managers = teams[teams["team"] == "managers"]
    assert (managers["case_holders_fte"] == 0).all() and managers["caseload"].isna().all()
    holding = teams[teams["team"] != "managers"]
    assert (holding["case_holders_fte"] > 0).all()
    g = holding.groupby(["replication", "month"])[["allocated_cases", "case_holders_fte"]].sum()
    np.testing.assert_allclose(service["caseload"],
                               g["allocated_cases"] / g["case_holders_fte"], rtol=1e-12)
    plain = holding.groupby(["replication", "month"])["caseload"].mean().sort_index()
    assert not np.allclose(service["caseload"], plain), "a ratio of totals, not a plain mean"
    # the service holds no more cases than are allocated
    np.testing.assert_allclose(service["allocated_cases"],
                               service["open_cases"] - service["unallocated_cases"])


def test_pooled_and_max_statistics_lie_within_the_teams(monthly):
    teams, service = _teams_and_all(monthly)
    g = teams.groupby(["replication", "month"])
    for c in cols.COLUMNS:
        if c.across_teams == "max":
            np.testing.assert_allclose(service[c.name], g[c.name].max().sort_index(),
                                       err_msg=c.name)
        elif c.across_teams == "pooled workers" and c.kind == "ratio":  # means lie between
            lo, hi = g[c.name].min().sort_index(), g[c.name].max().sort_index()
            assert ((service[c.name] >= lo - 1e-9) & (service[c.name] <= hi + 1e-9)).all(), c.name


def test_kinds_agree_with_the_aggregations():
    for c in cols.COLUMNS:
        if c.kind == "stock":
            assert c.across_teams in ("sum", "service") and c.across_months == "last", c.name
        if c.kind == "flow":
            assert c.across_teams == "sum" and c.across_months == "sum", c.name
        if c.kind in ("ratio", "statistic"):
            assert c.across_teams != "sum" and c.across_months == "last", c.name
        for name in (*c.numerator, *c.denominator, *c.weight):
            assert name in cols.NAMES, (c.name, name)
    assert {c.name for c in cols.flows()} >= {"cost_total", "referrals", "hires"}
    assert not {"agency_rate", "mean_wait_days", "turnover_rate"} & {c.name for c in cols.flows()}
    assert {c.name for c in cols.of_unit("£")} == {n for n in cols.NAMES if n.startswith("cost_")} \
        | {"agency_premium", "agency_above_cap_spend"}


def test_the_table_refuses_inconsistent_entries():
    with pytest.raises(ValueError, match="flows, and only flows"):
        cols.Column("x", "flow", "cases", "X", "x")
    with pytest.raises(ValueError, match="numerator"):
        cols.Column("x", "ratio", "share", "X", "x", across_teams="ratio of sums")
    with pytest.raises(ValueError, match="DfE"):
        cols.Column("x", "stock", "FTE", "X", "x", dfe="something")
    with pytest.raises(ValueError, match="several months"):
        cols.Column("x", "stock", "FTE", "X", "x", months=12)


def test_dfe_definitions_are_stated_with_their_match():
    matched = {c.name: c.dfe_match for c in cols.COLUMNS if c.dfe is not None}
    assert matched["agency_rate"] == matched["vacancy_rate"] == "exact"
    assert matched["turnover_rate"] == matched["caseload"] == matched["fte_in_post"] == "exact"
    assert matched["case_holders_fte"] == matched["agency_cover_fte"] == "exact"
    assert matched["agency_cover_rate"] == matched["vacancy_agency_cover_rate"] == "exact"
    assert matched["looked_after_3plus_rate"] == "exact"
    for c in cols.COLUMNS:
        if c.dfe_match in ("differs", "component"):
            assert c.dfe_note, c.name
