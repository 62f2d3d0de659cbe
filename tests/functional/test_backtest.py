"""ws.backtest and ``workforce-sim backtest``: the model against the DfE's later
censuses, on a few councils and replications (the full run is in docs/validation.md)."""

from __future__ import annotations

import csv
import gzip
import io
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import workforce_sim as ws
from workforce_sim.cli.main import main
from workforce_sim.data.tables import TABLES
from workforce_sim.experiment import backtesting as bt_module
from workforce_sim.experiment.backtesting import KPIS, PREDICTION_COLUMNS, council_run
from workforce_sim.experiment.runner import ArgumentError
from workforce_sim.results.store import read_provenance

COUNCILS = ["Rutland", "884"]          # small councils: a replication takes a fraction of a second
SEED = 11
OPTIONS = {"origins": (2022,), "horizon": 2, "councils": COUNCILS, "replications": 2,
           "seed": SEED, "progress": False}


def shipped() -> Path:
    return Path(str(resources.files("workforce_sim.data") / "published"))


@pytest.fixture(scope="module")
def reference() -> ws.Backtest:
    return ws.backtest(**OPTIONS, workers=1)


def cut_copy(folder: Path, year: int) -> Path:
    """Every shipped table with the rows dated after ``year`` removed (dated as the
    scenario builder dates them: the first four digits of ``time_period``)."""
    folder.mkdir()
    for f in shipped().iterdir():
        if not f.name.endswith(".csv.gz"):
            continue
        text = gzip.decompress(f.read_bytes()).decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        keep = [r for r in reader if "time_period" not in r or int(r["time_period"][:4]) <= year]
        stem = f.name.removesuffix(".csv.gz")
        with open(folder / f"{stem}.csv", "w", newline="", encoding="utf-8") as out:
            w = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
            w.writeheader()
            w.writerows(keep)
    return folder


def test_tidy_predictions_and_scores(reference):
    p = reference.predictions
    assert list(p.columns) == PREDICTION_COLUMNS
    assert len(p) == len(COUNCILS) * 2 * len(KPIS)
    assert set(p["year"]) == {2023, 2024} and set(p["horizon"]) == {1, 2}
    assert p["model_mean"].notna().all() and p["actual"].notna().any()
    assert (p["model_q05"] <= p["model_median"]).all() and (p["model_median"] <= p["model_q95"]).all()
    # rates in per cent, as the DfE publishes them
    agency = p[p["kpi"] == "agency_rate"]
    assert agency["model_mean"].between(0, 100).all() and agency["actual"].max() > 1
    s = reference.scores
    assert set(s["method"]) == {"model", "no_change", "ar1"}
    assert s.loc[s["method"] == "model", "coverage"].between(0, 1).all()
    assert s.loc[s["method"] != "model", "coverage"].isna().all()
    assert (reference.councils["status"] == "run").all()
    c = reference.comparison()
    assert list(c["kpi"]) == list(KPIS) and c["n"].gt(0).all()


def test_a_council_run_alone_is_the_same(reference):
    """council_run repeats one council's run of the backtest to the bit (its own seed)."""
    res = council_run(2022, "Rutland", 2, 2, SEED, workers=1, progress=False)
    sept = res.monthly[(res.monthly["team"] == "all") & (res.monthly["month"] == "2024-09-01")]
    p = reference.predictions
    row = p[(p["council"] == "Rutland") & (p["year"] == 2024) & (p["kpi"] == "caseload")]
    assert row["model_mean"].item() == sept["caseload"].mean()


def test_no_data_after_the_origin(reference, tmp_path):
    """Built from a copy of the data with every row after 2022 removed (the actuals read
    from the full census), the model and the forecasts are the same."""
    cut = cut_copy(tmp_path / "to_2022", 2022)
    bt = ws.backtest(**OPTIONS, workers=1, data=cut, actuals=shipped())
    pd.testing.assert_frame_equal(bt.predictions, reference.predictions, check_exact=True)
    pd.testing.assert_frame_equal(bt.fits, reference.fits, check_exact=True)
    # and the cut copy alone has nothing to score against
    with pytest.raises(ArgumentError, match="later census"):
        ws.backtest(**OPTIONS, workers=1, data=cut)


def test_identical_whatever_the_executor(reference):
    with ThreadPoolExecutor(max_workers=2) as pool:
        threads = ws.backtest(**OPTIONS, executor=pool)
    pd.testing.assert_frame_equal(threads.predictions, reference.predictions, check_exact=True)
    own_pool = ws.backtest(**OPTIONS, workers=2)
    pd.testing.assert_frame_equal(own_pool.predictions, reference.predictions, check_exact=True)


@pytest.mark.slow        # a LocalCluster takes ~10 s to start; test_dask.py covers run() by default
def test_identical_on_a_dask_cluster(reference):
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    try:
        with distributed.Client(cluster) as client:
            bt = ws.backtest(**OPTIONS, executor=client.get_executor(), workers=2)
    finally:
        cluster.close()
    pd.testing.assert_frame_equal(bt.predictions, reference.predictions, check_exact=True)


def test_ctrl_c_keeps_the_councils_that_finished(monkeypatch, reference):
    calls = []

    def interrupted_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return ws.run(*args, **kwargs)

    monkeypatch.setattr(bt_module, "run", interrupted_second)
    with pytest.warns(UserWarning, match="kept the 1 of 2 council runs"):
        bt = ws.backtest(**OPTIONS, workers=1)
    assert bt.interrupted
    assert list(bt.councils["status"]) == ["run", "not run: interrupted"]
    first = bt.predictions["code"] == "857"
    pd.testing.assert_frame_equal(bt.predictions[first], reference.predictions[first])
    assert bt.predictions.loc[~first, "model_mean"].isna().all()
    assert bt.predictions.loc[~first, "ar1"].notna().all()     # the forecasts are still there


def test_save_writes_tables_and_provenance(reference, tmp_path):
    out = reference.save(tmp_path / "bt")
    prov = read_provenance(out, kind="backtest")
    assert prov["replications"] == 2 and prov["origins"] == [2022]
    assert {"predictions.csv", "scores.csv", "councils.csv"} <= set(prov["files"])
    assert "report.html" not in prov["files"]            # the report is the outputs' job
    back = pd.read_csv(out / "predictions.csv", dtype={"code": str})
    assert len(back) == len(reference.predictions)


def test_cli_end_to_end(tmp_path, capsys):
    out = tmp_path / "backtest"
    code = main(["backtest", "--origin", "2022", "--horizon", "1", "--councils", "Rutland",
                 "E06000019", "-n", "2", "--seed", "3", "-w", "1", "-q", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "backtest from 2022, 1 year(s) ahead" in printed and "AR(1)" in printed
    prov = read_provenance(out, kind="backtest")
    assert prov["councils"] == 2 and prov["horizon"] == 1 and prov["seed"] == 3
    p = pd.read_csv(out / "predictions.csv", dtype={"code": str})
    assert set(p["code"]) == {"857", "884"} and set(p["year"]) == {2023}
    assert (out / "summary.txt").is_file()
    page = (out / "report.html").read_text()        # the report says what the bands cover
    assert "what we do not know about those parameters as well as chance" in page
    assert "chance and parameter uncertainty" in page                   # the provenance
    assert "random variation only" not in page
    assert page.count("AR(1).") >= len(KPIS) and "data:image/png;base64," in page


@pytest.mark.parametrize("argv, message", [
    (["--origin", "2020"], "first year a council's scenario can be built for is 2021"),
    (["--origin", "2025"], "needs a later census"),
    (["--origin", "2030"], "needs a later census"),
    (["--horizon", "0"], "--horizon 0"),
    (["--councils", "Herefordshre"], "did you mean 'Herefordshire'"),
    (["-n", "0"], "--replications 0"),
    (["--data", "/no/such/folder"], "no such folder"),
])
def test_cli_bad_input_exits_2(tmp_path, capsys, argv, message):
    out = tmp_path / "never"
    code = main(["backtest", *argv, "-q", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err
    assert not out.exists()


def test_api_bad_input():
    with pytest.raises(ArgumentError, match="2021"):
        ws.backtest(origins=2019, councils=["Rutland"], progress=False)
    with pytest.raises(ArgumentError, match="horizon"):
        ws.backtest(horizon=0, councils=["Rutland"], progress=False)
    with pytest.raises(ArgumentError, match="at least one census year"):
        ws.backtest(origins=(), progress=False)
    with pytest.raises(TypeError):
        ws.backtest(origins="2022", progress=False)
    with pytest.raises(ws.DataError, match="no such council"):
        ws.backtest(councils=["Atlantis"], progress=False)
    assert TABLES                                      # the shipped tables are all there


# -- demand known: referrals as published after the origin ---------------------------------


def published_referrals(code: str) -> dict[int, float]:
    """The DfE's referral counts by financial year (label: the year to 31 March), read
    straight from the shipped file, a joint return's councils summed."""
    text = gzip.decompress((shipped() / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv.gz")
                           .read_bytes()).decode("utf-8-sig")
    parts = [p.strip() for p in code.split("/")]
    by: dict[int, dict[str, float]] = {}
    for r in csv.DictReader(io.StringIO(text)):
        if r["geographic_level"] == "Local authority" and r["old_la_code"] in parts:
            value = r["referral_count"].replace(",", "")
            if value.replace(".", "").isdigit():
                by.setdefault(int(r["time_period"][:4]), {})[r["old_la_code"]] = float(value)
    return {y: sum(v.values()) for y, v in by.items() if len(v) == len(parts)}


def referral_rate(scenario, day: str) -> float:
    from workforce_sim.engine.processes.demand import rate_per_day
    from workforce_sim.scenario.calendar import day_of

    t = day_of(scenario.start_date, pd.Timestamp(day).date())
    return rate_per_day(scenario.case_types["assessment"], scenario, [t])[0]


def built(code: str, origin: int = 2022, horizon: int = 3):
    return bt_module._scenario(bt_module.Census.read(None, until=origin), code, origin, horizon, None)


def test_actual_referrals_follow_the_published_counts():
    """Herefordshire from 2022: at each date the referral rate is the origin's × the
    published referrals of the financial year under way / those of 2021-22, and a year
    not published (2023-24 is "u") holds the year before; the demand trend is dropped."""
    scenario = built("884")
    assert scenario.trends.demand is not None
    known, note = bt_module.actual_referrals(scenario, "884")
    assert known.trends.demand is None and "2023-24 not published" in note
    counts = published_referrals("884")
    assert 2024 not in counts                        # suppressed, as the note says
    expected = {"2022-11-15": counts[2023], "2023-06-01": counts[2023],
                "2024-06-01": counts[2025], "2025-06-01": counts[2025]}
    for day, count in expected.items():
        assert referral_rate(known, day) == pytest.approx(
            referral_rate(scenario, day) * count / counts[2022], rel=1e-12)


def test_actual_referrals_of_a_joint_return_sum_its_councils():
    """North and West Northamptonshire make one return: their referrals are summed."""
    code = "940 / 941"
    counts = published_referrals(code)
    known, note = bt_module.actual_referrals(built(code), code)
    assert note.startswith("published referrals") and f"{counts[2022]:,.0f} in 2021-22" in note
    assert referral_rate(known, "2023-06-01") == pytest.approx(
        referral_rate(built(code), "2023-06-01") * counts[2024] / counts[2022], rel=1e-12)


def test_actual_referrals_replace_the_path_and_keep_the_forecast_without_data(tmp_path):
    """The published path replaces dated changes and growth (it holds any real shock);
    a start in June takes the financial year under way then; with no referrals after
    the start the scenario is unchanged and says it kept its forecast."""
    scenario = built("884").with_changes({
        "case_types.assessment.growth_per_year": 0.5,
        "case_types.assessment.demand_changes": [{"date": "2023-01-01", "multiplier": 3.0}]})
    known, _ = bt_module.actual_referrals(scenario, "884")
    counts = published_referrals("884")
    plain = built("884")
    assert known.case_types["assessment"].growth_per_year == 0
    assert referral_rate(known, "2023-02-01") == pytest.approx(
        referral_rate(plain, "2023-02-01") * counts[2023] / counts[2022], rel=1e-12)
    june = plain.with_changes({"start_date": "2023-06-01"})
    known, note = bt_module.actual_referrals(june, "884")
    assert note.endswith("against 1,569 in 2022-23") and "2023-24 not published" in note
    cut = cut_copy(tmp_path / "to_2022", 2022)
    same, note = bt_module.actual_referrals(plain, "884", data=cut)
    assert same is plain and note == "its forecast: no referrals published after the start"


def test_demand_known_reads_only_referrals_after_the_origin(tmp_path):
    """With demand="actual", a copy of the data cut at 2022 for the scenarios and the full
    data for the actuals give the same predictions as the full data alone: nothing after
    the origin but the referrals (and the scored census) is read."""
    options = {**OPTIONS, "councils": ["884"], "horizon": 1, "demand": "actual"}
    full = ws.backtest(**options, workers=1)
    cut = ws.backtest(**options, workers=1, data=cut_copy(tmp_path / "to_2022", 2022),
                      actuals=shipped())
    pd.testing.assert_frame_equal(cut.predictions, full.predictions, check_exact=True)
    assert full.data["demand"] == "actual" and "published referrals" in full.councils["demand"][0]
    assert full.demand_known() == 1
    assert "Demand is not forecast" in full.provenance["note"]
    forecast = ws.backtest(**{**options, "demand": "forecast"}, workers=1)
    assert forecast.councils["demand"][0] == "its forecast"
    assert not forecast.predictions["model_mean"].equals(full.predictions["model_mean"])


def test_cli_demand_known(tmp_path, capsys):
    out = tmp_path / "known"
    assert main(["backtest", "--horizon", "1", "--councils", "884", "--demand", "actual", "-n",
                 "2", "-w", "1", "-q", "--out", str(out)]) == 0
    assert "Demand known" in capsys.readouterr().out
    assert "Demand known" in (out / "report.html").read_text()
    assert read_provenance(out, kind="backtest")["data"]["demand"] == "actual"
    with pytest.raises(SystemExit) as bad:           # argparse's own message and status
        main(["backtest", "--demand", "known", "-q", "--out", str(tmp_path / "x")])
    assert bad.value.code == 2 and "invalid choice: 'known'" in capsys.readouterr().err
    with pytest.raises(ArgumentError, match="demand 'known'"):
        ws.backtest(councils=["884"], demand="known", progress=False)
