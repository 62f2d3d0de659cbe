"""The pooled AR(1) fits a council scenario's trends come from (scenario/history.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import workforce_sim as ws
from workforce_sim.scenario.history import _fit, council_trends, success_from_starters, unreported_zero


def test_the_fit_recovers_a_known_panel_ar1():
    """300 councils × 8 years of z' = a + b·z + c·mean + e (a = −0.9, b = 0.3,
    c = 0.25, e ~ N(0, 0.3²)) plus a known sampling variance 0.02: least squares
    recovers a, b, c within 4 standard errors of this design (about 0.06 for a,
    0.03 for b and c) and the shock as √(residual var − 0.02). Seeded."""
    rng = np.random.default_rng(5)
    a, b, c, sd = -0.9, 0.3, 0.25, 0.3
    rows = []
    for _ in range(300):
        own = rng.normal(-1.9, 0.3)                       # the council's own level
        z, seen = own, []
        for _ in range(8):
            seen.append(z)
            m = float(np.mean(seen))
            nxt = a + b * z + c * m + 0.6 * (own + 1.9) + rng.normal(0, sd)
            rows.append((z, m, nxt + rng.normal(0, math.sqrt(0.02)), 0.02))
            z = nxt
    fit = _fit("turnover", rows, 2018, 2025)
    assert fit.pairs == 2400
    assert abs(fit.b - 0.3) < 0.12 and fit.c > 0      # the council effect shows in c
    assert fit.sampling_sd == pytest.approx(math.sqrt(0.02))
    assert fit.sd == pytest.approx(math.sqrt(fit.residual_sd**2 - 0.02))
    # the long run at a council's own mean solves L = a + b·L + c·m
    m = -1.7
    level = (fit.a + fit.c * m) / (1 - fit.b)
    assert fit.long_run(m) == pytest.approx(math.exp(level))


def test_success_is_inverted_through_the_recruitment_process():
    """A post takes (time to hire + 30) / p − 30 days to fill: 10 vacant FTE and 20
    starters FTE fill in 182.6 days; the mean time to hire is 102.7 days."""
    p = success_from_starters(10, 20)
    t_hire = (56 + 84 + 168) / 3
    assert (t_hire + 30) / p - 30 == pytest.approx(365.25 * 10 / 20)
    assert success_from_starters(0, 20) is None and success_from_starters(10, 0) is None


def test_a_zero_turnover_from_a_large_service_is_unreported():
    assert unreported_zero(0.0, 415.0) and not unreported_zero(0.0, 3.0)
    assert not unreported_zero(12.0, 415.0)
    # Manchester published 0 leavers in 2022: the scenario takes its 2021 census instead
    s = ws.council_scenario("Manchester", 2022)
    assert s.workforce.permanent.annual_turnover == pytest.approx(0.155)


def test_council_trends_use_the_councils_own_mean():
    """Herefordshire 2022: its mean log turnover over 2017-2022 is its own census's,
    and its long run is the fit at that mean."""
    t = council_trends("884", 2022)["turnover"]
    assert t.years == "2017-2022, 6 years"
    census = ws.census("Herefordshire")
    turnover = census[(census["measure"] == "turnover_rate_fte") & (census["year"] <= 2022)]
    assert len(turnover) == 6
    rates = turnover["value"].to_numpy(float) / 100
    assert t.mean == pytest.approx(float(np.mean(np.log(rates))))
    assert t.long_run == pytest.approx(t.fit.long_run(t.mean))


def test_a_log_trend_needs_a_start_above_zero():
    s = ws.load_scenario()
    with pytest.raises(ws.ScenarioError, match=r"trends\.agency_cover\.start.*above 0"):
        s.with_changes({"workforce.agency.cover_fraction": 0.0,
                        "trends.agency_cover": {"long_run": 0.8, "persistence": 0.5}})


def test_the_bands_say_what_they_hold():
    """A scenario without drawn trends says its ranges are chance only; a council's
    scenario names every parameter whose path is drawn."""
    from workforce_sim.results.formatting import bands_meaning
    assert "random variation only" in bands_meaning(ws.load_scenario())
    text = bands_meaning(ws.council_scenario("Herefordshire", 2022))
    for name in ("turnover", "recruitment success", "agency cover", "establishment growth"):
        assert name in text
    fixed = ws.council_scenario("Herefordshire", 2022).with_changes({"trends.turnover.sd": 0})
    assert "about recruitment success, agency cover and establishment growth" in bands_meaning(fixed)


def test_the_pressure_elasticity_is_the_regression_it_says():
    """Recomputed here with pandas from the shipped census up to 2022: next year's log
    turnover on [1, log turnover, the council's running mean of it, caseload / the
    council's running mean of caseload − 1], by least squares; the coefficient and its
    standard error are the fit's."""
    from pathlib import Path

    import pandas as pd

    from workforce_sim.scenario.history import pressure_fit
    file = Path(ws.__file__).parent / "data" / "published" / "csww_indicators_2017_to_2025.csv.gz"
    d = pd.read_csv(file, dtype=str)
    d = d[d["geographic_level"] == "Local authority"].copy()
    d["year"] = d["time_period"].str[:4].astype(int)
    for c in ("turnover_rate_fte", "caseload_fte"):
        d[c] = pd.to_numeric(d[c], errors="coerce")
    d = d[(d["year"] <= 2022) & (d["turnover_rate_fte"] > 0) & (d["caseload_fte"] > 0)]
    d = d.sort_values(["old_la_code", "year"])
    d["z"] = np.log(d["turnover_rate_fte"] / 100)
    g = d.groupby("old_la_code")
    d["m"] = g["z"].transform(lambda x: x.expanding().mean())
    d["p"] = d["caseload_fte"] / g["caseload_fte"].transform(lambda x: x.expanding().mean()) - 1
    nxt = d[["old_la_code", "year", "z"]].assign(year=d["year"] - 1).rename(columns={"z": "y"})
    x = d.merge(nxt, on=["old_la_code", "year"])
    X = np.column_stack([np.ones(len(x)), x["z"], x["m"], x["p"]])
    beta, *_ = np.linalg.lstsq(X, x["y"].to_numpy(), rcond=None)
    resid = x["y"].to_numpy() - X @ beta
    se = math.sqrt((np.linalg.inv(X.T @ X) * (resid @ resid) / (len(x) - 4))[3, 3])
    fit = pressure_fit(2022)
    assert fit.pairs == len(x)
    assert fit.elasticity == pytest.approx(beta[3], rel=1e-9)
    assert fit.se == pytest.approx(se, rel=1e-9)


def test_the_caseload_response_is_the_regression_it_says():
    """Recomputed here with pandas and numpy from the shipped census up to 2022: next
    year's log growth of in post + vacancies on [1, this year's growth, the council's
    running mean of it, log(caseload / the council's running mean caseload)], by least
    squares over every council's pairs with a caseload; the coefficient, its standard
    error and n are the fit's, and the target is Herefordshire's mean caseload."""
    from pathlib import Path

    import pandas as pd

    from workforce_sim.scenario.history import caseload_response
    file = Path(ws.__file__).parent / "data" / "published" / "csww_indicators_2017_to_2025.csv.gz"
    d = pd.read_csv(file, dtype=str)
    d = d[d["geographic_level"] == "Local authority"].copy()
    d["year"] = d["time_period"].str[:4].astype(int)
    for c in ("inpost_fte", "vacancy_fte", "caseload_fte"):
        d[c] = pd.to_numeric(d[c], errors="coerce")
    d = d[d["year"] <= 2022].sort_values(["old_la_code", "year"])
    e = d[(d["inpost_fte"] > 0) & d["vacancy_fte"].notna()].assign(
        e=lambda x: x["inpost_fte"] + x["vacancy_fte"])[["old_la_code", "year", "e"]]
    g = e.merge(e.assign(year=e["year"] + 1).rename(columns={"e": "before"}),
                on=["old_la_code", "year"])
    g["z"] = np.clip(np.log(g["e"] / g["before"]), -0.5, 0.5)
    g = g.sort_values(["old_la_code", "year"])
    g["m"] = g.groupby("old_la_code")["z"].transform(lambda x: x.expanding().mean())
    c = d[d["caseload_fte"] > 0][["old_la_code", "year", "caseload_fte"]].copy()
    c["p"] = np.log(c["caseload_fte"] / c.groupby("old_la_code")["caseload_fte"].transform(
        lambda x: x.expanding().mean()))
    nxt = g[["old_la_code", "year", "z"]].assign(year=g["year"] - 1).rename(columns={"z": "y"})
    x = g.merge(nxt, on=["old_la_code", "year"]).merge(c, on=["old_la_code", "year"])
    X = np.column_stack([np.ones(len(x)), x["z"], x["m"], x["p"]])
    beta, *_ = np.linalg.lstsq(X, x["y"].to_numpy(), rcond=None)
    resid = x["y"].to_numpy() - X @ beta
    se = math.sqrt((np.linalg.inv(X.T @ X) * (resid @ resid) / (len(x) - 4))[3, 3])
    fit = caseload_response("884", 2022)
    assert fit.fit.pairs == len(x)
    assert fit.fit.caseload == pytest.approx(beta[3], rel=1e-9)
    assert fit.fit.caseload_se == pytest.approx(se, rel=1e-9)
    assert fit.response == pytest.approx(min(1, max(0, beta[3])), rel=1e-9)
    here = c[c["old_la_code"] == "884"]["caseload_fte"]
    assert fit.target == pytest.approx(here.mean(), rel=1e-12) and fit.years == "2017-2022, 6 years"
