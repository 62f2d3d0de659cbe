"""The experiment layer (docs/experiments.md): running replications, comparing,
sweeping, summarising, saving and loading, and interrupting.

* Reproducibility to the bit: same seed, same results; the same whatever the
  number of workers or the executor; replication k alone equals replication k
  in a batch; scenario order in :func:`compare` does not matter; a scenario
  identical to the baseline differs by exactly zero; changing one lever leaves
  the referral draws alone (common random numbers).
* Summary mode (memory flat in the number of replications) gives the means of
  the full run; quantiles and ``.monthly`` come from the first ``keep_monthly``.
* Ctrl-C, simulated deterministically, keeps the finished prefix of
  replications and says so.
* Saving and loading (Parquet and CSV), provenance, financial years, KPIs.
* Sweeps and sensitivity analysis (one at a time, Morris, Sobol).

Everything runs on small scenarios (a 12-month, two-team service runs in about
0.03 s a replication), in this process unless the test is about workers.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
import warnings
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

import numpy as np
import pandas as pd
import pytest

import workforce_sim as ws
import workforce_sim.experiment.runner as experiment
from workforce_sim.results.analysis import DEFAULT_TARGETS, Target, flow_columns, rag, t_interval

from ..conftest import small_dict

SEED = 20240917
KEYS = ["replication", "month", "team"]


def small12(**overrides) -> ws.Scenario:
    """The two-team test service over 12 months."""
    return ws.Scenario.from_dict(small_dict(horizon_months=12, **overrides))


def quick(scenario: ws.Scenario, replications: int, seed: int = SEED, *, runner=ws.run,
          **options) -> ws.Results:
    options.setdefault("workers", 1)
    return runner(scenario, replications, seed, progress=False, **options)


def same(a: pd.DataFrame, b: pd.DataFrame, **kw) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_exact=True, **kw)


def rep_rows(monthly: pd.DataFrame, reps) -> pd.DataFrame:
    return monthly[monthly["replication"].isin(list(reps))].reset_index(drop=True)


def my_financial_year(ts: pd.Timestamp) -> str:
    """UK financial year, April to March, written independently of the package."""
    y = ts.year if ts.month >= 4 else ts.year - 1
    return f"{y}/{str(y + 1)[-2:]}"


# =================================================================== reproducibility


def test_same_seed_same_bits_and_another_seed_differs():
    s = small12()
    a = quick(s, 4).monthly
    b = quick(s, 4).monthly
    same(a, b)
    c = quick(s, 4, seed=SEED + 1).monthly
    assert not a["referrals"].equals(c["referrals"])


def test_results_identical_for_any_worker_count_and_executor():
    """workers=1 (this process), workers=2 (a process pool) and a thread pool passed
    as ``executor=`` give the same table to the bit, sorted by replication; so do
    summary-mode running sums (they are added in replication order)."""
    s = small12()
    one = quick(s, 8)
    two = quick(s, 8, workers=2)
    with ThreadPoolExecutor(max_workers=3) as pool:
        threads = quick(s, 8, executor=pool, workers=3)
    for other in (two, threads):
        same(one.monthly, other.monthly)
        assert other.replications == 8 and not other.interrupted
    m = one.monthly
    assert m["replication"].is_monotonic_increasing
    assert list(m["replication"].unique()) == list(range(8))
    # one row per (replication, month, team), months in order within a replication
    assert not m.duplicated(KEYS).any()
    assert (m.groupby(["replication", "team"])["month"].apply(lambda x: x.is_monotonic_increasing)).all()

    s1 = quick(s, 8, keep="summary", keep_monthly=3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        s2 = quick(s, 8, executor=pool, workers=2, keep="summary", keep_monthly=3)
    for metric in ("open_cases", "cost_total", "turnover_rate"):
        same(s1.summary(metric, "safeguarding"), s2.summary(metric, "safeguarding"))


@pytest.mark.parametrize("k", [0, 3, 6])
def test_replication_k_alone_equals_replication_k_of_a_batch(k):
    s = small12()
    batch = quick(s, 7).monthly
    alone = quick(s, 1, first_replication=k)
    assert alone.replications == 1
    same(alone.monthly, rep_rows(batch, [k]))
    # and through simulate(), without the replication column
    one = ws.simulate(s, seed=SEED, replication=k).monthly
    same(one, rep_rows(batch, [k]).drop(columns="replication"))


def test_a_later_block_of_replications_continues_an_earlier_run():
    s = small12()
    batch = quick(s, 7).monthly
    first, rest = quick(s, 3).monthly, quick(s, 4, first_replication=3).monthly
    same(pd.concat([first, rest]), batch)


def test_compare_does_not_depend_on_scenario_order():
    a = small12()
    b = a.with_changes({"teams.safeguarding.caseload_cap": 9})
    ab = ws.compare({"a": a, "b": b}, 4, SEED, workers=1, progress=False)
    ba = ws.compare({"b": b, "a": a}, 4, SEED, workers=1, progress=False)
    assert ab.baseline == "a" and ba.baseline == "b"
    for name in ("a", "b"):
        same(ab.results[name].monthly, ba.results[name].monthly)
    # the same paired differences whichever is listed first, when the baseline is named
    ba_a = ws.compare({"b": b, "a": a}, 4, SEED, baseline="a", workers=1, progress=False)
    d1 = ab.differences("unallocated_cases").set_index("scenario").sort_index()
    d2 = ba_a.differences("unallocated_cases").set_index("scenario").sort_index()
    pd.testing.assert_frame_equal(d1, d2, check_exact=True)
    # the lever did something, so the check above is not vacuous
    assert d1.loc["b", "difference"] != 0


def test_a_scenario_identical_to_the_baseline_differs_by_exactly_zero():
    base = small12()
    copy = base.with_changes({"name": "a copy of the baseline"})   # revalidated, same model
    c = ws.compare({"base": base, "copy": copy}, 5, SEED, workers=1, progress=False)
    for output in ("cost_agency", ws.horizon_total("worker_changes"),
                   ws.at_month("unallocated_cases", 6, team="safeguarding")):
        d = c.differences(output).set_index("scenario")
        row = d.loc["copy"]
        assert row["difference"] == 0.0
        assert row["paired_ci_low"] == 0.0 and row["paired_ci_high"] == 0.0
        assert row["n"] == 5
        assert row["mean"] == d.loc["base", "mean"]


def test_changing_one_lever_leaves_the_referral_draws_unchanged():
    """Academy intake 12 → 25 a year (the first intake, September 2026, is month 12 of
    the baseline starting October 2025): the referrals of every team, month and
    replication are identical, while the lever visibly changes the workforce."""
    base = ws.load_scenario().with_changes({"horizon_months": 12})
    bigger = base.with_changes({"academy.intakes.0.sizes": [25]})
    a, b = quick(base, 3).monthly, quick(bigger, 3).monthly
    same(a[KEYS + ["referrals"]], b[KEYS + ["referrals"]])
    assert a.loc[a["team"] == "all", "referrals"].sum() > 0
    last = a["month"].max()
    qa = a.loc[(a["team"] == "all") & (a["month"] == last), "nqsw_fte"].to_numpy()
    qb = b.loc[(b["team"] == "all") & (b["month"] == last), "nqsw_fte"].to_numpy()
    assert (qb > qa).all(), (qa, qb)


# =================================================================== summary mode


def test_summary_mode_keeps_the_means_of_every_replication():
    """keep="summary": mean, sd, n and interval from running sums over all 12
    replications (to 1e-9 relative of the full table's); quantiles and ``.monthly``
    from the first ``keep_monthly`` = 5. ``turnover_rate`` is NaN before month 12,
    so the NaN handling of the running sums is exercised too."""
    s = small12()
    full = quick(s, 12)
    summ = quick(s, 12, keep="summary", keep_monthly=5)
    assert summ.replications == 12 and summ.provenance["summary_mode"]
    assert sorted(summ.monthly["replication"].unique()) == [0, 1, 2, 3, 4]
    same(summ.monthly, rep_rows(full.monthly, range(5)))
    head = ws.Results(rep_rows(full.monthly, range(5)), s, SEED, 5)
    for metric in ("open_cases", "cost_agency", "caseload", "turnover_rate"):
        for team in ("all", "safeguarding"):
            a, b = full.summary(metric, team), summ.summary(metric, team)
            assert list(a.index) == list(b.index)
            np.testing.assert_array_equal(a["n"].to_numpy(float), b["n"].to_numpy(float))
            for col in ("mean", "sd", "ci_low", "ci_high"):
                np.testing.assert_allclose(b[col], a[col], rtol=1e-9, atol=1e-9 * a[col].abs().max(),
                                           err_msg=f"{metric}/{team}/{col}")
            q = [c for c in a.columns if c.startswith("q")]
            pd.testing.assert_frame_equal(b[q], head.summary(metric, team)[q], check_exact=True)
    n_turnover = full.summary("turnover_rate")["n"].to_numpy()
    assert n_turnover[0] == 0 and n_turnover[-1] == 12


def test_summary_mode_rejects_an_unknown_keep():
    with pytest.raises(ValueError, match="keep"):
        quick(small12(), 2, keep="everything")


# =================================================================== interruption


def _interrupt_on_batch(ordinal: int) -> tuple[list[int], object]:
    """A runner (``run`` with its batch function injected) whose batch function raises
    KeyboardInterrupt, as Ctrl-C would, on the ``ordinal``-th batch it is asked for
    (0 = the first); and the list of the first replication of each batch started."""
    started: list[int] = []

    def batch(args):
        started.append(args[2])
        if len(started) == ordinal + 1:
            raise KeyboardInterrupt
        return experiment._batch(args)

    return started, functools.partial(experiment._run, batch_fn=batch)


def test_interrupt_in_this_process_keeps_the_finished_prefix(tmp_path):
    s = small12()
    full = quick(s, 12).monthly
    started, runner = _interrupt_on_batch(2)                  # Ctrl-C during the third batch
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = quick(s, 12, runner=runner)
    assert len(started) == 3
    kept = started[2]                                         # the first two batches finished
    assert 0 < kept < 12
    assert res.interrupted and res.replications == kept
    assert res.replications_requested == 12
    assert list(res.monthly["replication"].unique()) == list(range(kept))
    same(res.monthly, rep_rows(full, range(kept)))
    assert [str(w.message) for w in caught if f"{kept} of 12" in str(w.message)], \
        [str(w.message) for w in caught]
    assert res.provenance["interrupted"] is True
    back = ws.Results.load(res.save(tmp_path / "partial"))
    assert back.interrupted and back.replications == kept


def test_a_run_that_finishes_is_not_interrupted():
    res = quick(small12(), 3)
    assert res.interrupted is False and res.replications == res.replications_requested == 3


def test_interrupt_before_any_replication_finished_raises():
    _, runner = _interrupt_on_batch(0)
    with pytest.raises(KeyboardInterrupt):
        quick(small12(), 4, runner=runner)


class _InterruptOnResult(Future):
    """A future whose ``result()`` waits for its task, then raises KeyboardInterrupt,
    as when Ctrl-C reaches the main thread while it waits on that batch."""

    def __init__(self, inner: Future, before_raising):
        super().__init__()
        self.inner = inner
        self.before_raising = before_raising

    def result(self, timeout=None):
        self.inner.result(timeout)
        self.before_raising()
        raise KeyboardInterrupt

    def done(self):
        return self.inner.done()

    def cancel(self):
        return self.inner.cancel()

    def cancelled(self):
        return self.inner.cancelled()


class InterruptingExecutor(Executor):
    """A thread pool in which the ``ordinal``-th batch submitted is interrupted.

    ``later_finished=False``: batches submitted after it are held until the
    executor is shut down, so none has finished at the interrupt.
    ``later_finished=True``: the interrupt comes after every other batch submitted
    so far has finished (later batches racing ahead of the one the main thread
    waits on, as happens with a process pool)."""

    def __init__(self, ordinal: int, later_finished: bool):
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.gate = threading.Event()
        self.ordinal = ordinal
        self.later_finished = later_finished
        self.submitted: list[Future] = []
        self.interrupted_first: int | None = None      # first replication of that batch
        self.shut_down = False

    def _held(self, fn, *args):
        self.gate.wait(timeout=60)
        return fn(*args)

    def _wait_for_the_rest(self):
        if self.later_finished:
            wait_futures([f for f in self.submitted if not isinstance(f, _InterruptOnResult)])

    def submit(self, fn, /, *args, **kwargs):
        k = len(self.submitted)
        if not self.later_finished and k > self.ordinal:
            fut = self.pool.submit(self._held, fn, *args)
        else:
            fut = self.pool.submit(fn, *args, **kwargs)
        if k == self.ordinal:
            self.interrupted_first = args[0][2]
            fut = _InterruptOnResult(fut, self._wait_for_the_rest)
        self.submitted.append(fut)
        return fut

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.shut_down = True
        self.gate.set()
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _run_interrupted(later_finished: bool):
    """16 replications on workers=2 through the executor; the fourth batch submitted
    is interrupted (with batches of 2 and 4 in flight: replications 6 and 7, while
    8 to 13 are under way)."""
    s = small12()
    full = quick(s, 16).monthly
    ex = InterruptingExecutor(ordinal=3, later_finished=later_finished)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = quick(s, 16, executor=ex, workers=2)
        assert not ex.shut_down                  # a user's executor is never shut down by run
    finally:
        ex.shutdown()
    assert len(ex.submitted) > ex.ordinal + 1          # later batches were in flight
    return res, full, [str(w.message) for w in caught], ex.interrupted_first


def _assert_prefix(res, full, messages, expected):
    assert res.interrupted
    kept = list(res.monthly["replication"].unique())
    assert kept == list(range(len(kept))), f"kept replications {kept}: not a prefix"
    assert res.replications == len(kept) == expected
    same(res.monthly, rep_rows(full, range(expected)))
    assert any(f"{expected} of 16" in m for m in messages), messages


def test_interrupt_with_an_executor_keeps_the_finished_prefix():
    res, full, messages, first = _run_interrupted(later_finished=False)
    _assert_prefix(res, full, messages, first)


def test_interrupt_with_an_executor_keeps_a_prefix_when_later_batches_finished_first():
    res, full, messages, first = _run_interrupted(later_finished=True)
    _assert_prefix(res, full, messages, first)


# =================================================================== saving and loading

PROVENANCE = {"scenario_name", "seed", "replications", "interrupted", "workforce_sim", "created",
              "summary_mode", "monthly_format"}


def _check_round_trip(res: ws.Results, folder, fmt: str) -> ws.Results:
    names = {p.name for p in folder.iterdir()}
    expected = {"monthly.csv", "scenario.json", "provenance.json"} | {f"monthly.{fmt}"}
    assert names == expected, names                          # and no *.part left behind
    csv = pd.read_csv(folder / "monthly.csv", parse_dates=["month"])   # always there, for Excel users
    pd.testing.assert_frame_equal(csv, res.monthly, check_exact=True, check_dtype=False)
    prov = json.loads((folder / "provenance.json").read_text("utf-8"))
    assert PROVENANCE <= set(prov), set(prov)
    assert prov["monthly_format"] == fmt
    assert prov["workforce_sim"] == ws.__version__
    assert (prov["seed"], prov["replications"], prov["scenario_name"]) == \
        (res.seed, res.replications, res.scenario.name)
    back = ws.Results.load(folder)
    assert back.scenario == res.scenario                  # validated again, equal
    assert (back.seed, back.replications, back.interrupted, back.created) == \
        (res.seed, res.replications, res.interrupted, res.created)
    # values to the bit; only the resolution of the month column may change
    pd.testing.assert_frame_equal(back.monthly, res.monthly, check_exact=True, check_dtype=False)
    other = [c for c in res.monthly.columns if c != "month"]
    assert (back.monthly[other].dtypes == res.monthly[other].dtypes).all()
    # and everything derived from it is the same
    pd.testing.assert_frame_equal(back.financial_years(), res.financial_years(), check_exact=True)
    pd.testing.assert_frame_equal(back.kpis(), res.kpis(), check_exact=True)
    return back


def test_save_and_load_parquet(tmp_path):
    res = quick(small12(), 3)
    folder = res.save(tmp_path / "run")
    _check_round_trip(res, folder, "parquet")


def test_save_and_load_csv_without_pyarrow(tmp_path, monkeypatch):
    res = quick(small12(), 3)
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "pyarrow", None)          # `import pyarrow` now fails
        folder = res.save(tmp_path / "run")
    _check_round_trip(res, folder, "csv")


def test_saving_again_replaces_a_previous_save(tmp_path):
    folder = tmp_path / "run"
    quick(small12(), 2).save(folder)
    res = quick(small12(), 3, seed=SEED + 5)
    res.save(folder)
    back = ws.Results.load(folder)
    assert back.replications == 3 and back.seed == SEED + 5
    same(back.monthly, res.monthly, check_dtype=False)


def test_a_folder_without_provenance_is_refused(tmp_path):
    folder = quick(small12(), 2).save(tmp_path / "run")
    (folder / "provenance.json").unlink()
    with pytest.raises(FileNotFoundError, match="provenance.json"):
        ws.Results.load(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="provenance.json"):
        ws.Results.load(tmp_path / "empty")


def test_loaded_results_keep_the_version_that_made_them(tmp_path):
    folder = quick(small12(), 2).save(tmp_path / "run")
    prov = json.loads((folder / "provenance.json").read_text("utf-8"))
    prov["workforce_sim"] = "0.0.0-older"
    (folder / "provenance.json").write_text(json.dumps(prov), "utf-8")
    assert ws.Results.load(folder).provenance["workforce_sim"] == "0.0.0-older"


def test_loaded_summary_mode_results_keep_their_summaries(tmp_path):
    res = quick(small12(), 6, keep="summary", keep_monthly=2)
    back = ws.Results.load(res.save(tmp_path / "run"))
    assert back.provenance["summary_mode"]
    a, b = res.summary("open_cases"), back.summary("open_cases")
    np.testing.assert_array_equal(b["n"].to_numpy(float), a["n"].to_numpy(float))
    np.testing.assert_allclose(b["mean"], a["mean"], rtol=1e-12)


# =================================================================== financial years and KPIs


def test_financial_years_are_sums_of_months_april_to_march():
    """An 18-month run from October 2025: 2025/26 is a part year (6 months, October to
    March), 2026/27 a whole one (12), and the totals per replication are the sums of the
    monthly values by financial year, computed here independently."""
    s = ws.Scenario.from_dict(small_dict(horizon_months=18, start_date="2025-10-01"))
    res = quick(s, 5)
    fy = res.financial_years(team="safeguarding")
    assert set(fy["financial_year"]) == {"2025/26", "2026/27"}
    months = fy.groupby("financial_year")["months"].unique().to_dict()
    assert {k: list(v) for k, v in months.items()} == {"2025/26": [6], "2026/27": [12]}

    flows = flow_columns(res.monthly.columns)
    assert set(fy["metric"]) == set(flows)
    assert {"cost_total", "cost_agency", "referrals", "hires", "agency_premium"} <= set(flows)
    assert not {"open_cases", "agency_rate", "caseload", "agency_fte"} & set(fy["metric"])

    m = res.monthly[res.monthly["team"] == "safeguarding"].copy()
    m["fy"] = [my_financial_year(t) for t in m["month"]]
    totals = m.groupby(["fy", "replication"])[flows].sum()
    for (year, metric), row in fy.set_index(["financial_year", "metric"]).iterrows():
        x = totals.loc[year, metric].to_numpy(float)
        mean, lo, hi, n = t_interval(x)
        assert row["n"] == n == 5
        assert row["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-9)
        assert row["q50"] == pytest.approx(np.quantile(x, 0.5), rel=1e-12, abs=1e-9)
        if x.std() > 0:
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
    # the service's year is the sum of its teams' years
    all_fy = res.financial_years().set_index(["financial_year", "metric"])["mean"]
    team_sum = sum(res.financial_years(team=t).set_index(["financial_year", "metric"])["mean"]
                   for t in ("assessment", "safeguarding"))
    np.testing.assert_allclose(all_fy.loc[team_sum.index], team_sum, rtol=1e-9, atol=1e-6)


def test_kpis_are_shares_of_replications_meeting_each_target():
    s = small12()
    res = quick(s, 10)
    k = res.kpis()
    assert list(k.columns) == ["target", "metric", "team", "period", "probability", "rag"]
    assert len(k) == len(DEFAULT_TARGETS) * 12
    m = res.monthly[res.monthly["team"] == "all"]
    for t in DEFAULT_TARGETS:
        rows = k[k["metric"] == t.metric]
        for period, p in zip(rows["period"], rows["probability"], strict=True):
            x = m.loc[m["month"].astype(str) == period, t.metric].to_numpy(float)
            assert len(x) == 10
            assert p == pytest.approx(np.mean(x <= t.threshold + 1e-12), abs=0)
    # red / amber / green: green at 0.8 or more, amber at 0.5 or more
    for p, colour in zip(k["probability"], k["rag"], strict=True):
        assert colour == ("green" if p >= 0.8 else "amber" if p >= 0.5 else "red")


def _between(sorted_values: np.ndarray, n: int) -> float:
    """A threshold with exactly ``n`` of the (distinct) sorted values at or below it,
    half-way between neighbours so that rounding cannot move a value across it."""
    v = sorted_values
    if n == 0:
        return float(v[0] - 1.0)
    if n == len(v):
        return float(v[-1] + 1.0)
    return float((v[n - 1] + v[n]) / 2)


def test_rag_thresholds_at_their_boundaries():
    """Thresholds placed between the sorted month-1 values of 10 replications (the mean
    load ratio: 10 distinct values) make exactly 10, 8, 5, 4 and 0 of them meet the
    target: green, green (0.8 is green), amber (0.5 is amber), red, red."""
    res = quick(small12(), 10)
    m = res.monthly[res.monthly["team"] == "all"]
    first = m.loc[m["month"] == m["month"].min(), "load_ratio_mean"].sort_values().to_numpy()
    assert len(np.unique(first)) == 10
    expected = {10: "green", 8: "green", 5: "amber", 4: "red", 0: "red"}
    k = res.kpis([Target("load_ratio_mean", _between(first, n), label=str(n)) for n in expected])
    month1 = k[k["period"] == k["period"].iloc[0]].set_index("target")
    for n, colour in expected.items():
        assert month1.loc[str(n), "probability"] == n / 10
        assert month1.loc[str(n), "rag"] == colour
    # ">=" targets and custom thresholds: 3 of 10 at or above, green at 0.3
    ge = res.kpis([Target("load_ratio_mean", _between(first, 7), op=">=")], green=0.3, amber=0.2)
    row = ge[ge["period"] == ge["period"].iloc[0]].iloc[0]
    assert row["probability"] == 0.3 and row["rag"] == "green"
    assert (rag(0.8), rag(0.7999), rag(0.5), rag(0.4999), rag(float("nan"))) == \
        ("green", "amber", "amber", "red", "grey")
    with pytest.raises(ValueError, match="op"):
        res.kpis([Target("load_ratio_mean", 1.0, op="<")])


def test_budget_target_is_per_financial_year():
    """budget=B: the share of replications whose financial-year total cost is at most B,
    one row per financial year (B set between the 5th and 6th of the sorted 2026/27
    totals of 10 replications, so exactly half meet it: amber). The part year 2025/26
    (6 months) cannot be held to a year's budget: no probability, grey."""
    s = ws.Scenario.from_dict(small_dict(horizon_months=18, start_date="2025-10-01"))
    res = quick(s, 10)
    m = res.monthly[res.monthly["team"] == "all"].copy()
    m["fy"] = [my_financial_year(t) for t in m["month"]]
    totals = m.groupby(["fy", "replication"])["cost_total"].sum()
    budget = _between(np.sort(totals.loc["2026/27"].to_numpy()), 5)
    k = res.kpis([], budget=budget).set_index("period")
    assert list(k.index) == ["2025/26", "2026/27"]
    assert (k["metric"] == "cost_total").all() and k["target"].str.contains("financial year").all()
    assert k.loc["2026/27", "probability"] == np.mean(totals.loc["2026/27"].to_numpy() <= budget) == 0.5
    assert k.loc["2026/27", "rag"] == "amber"
    assert np.isnan(k.loc["2025/26", "probability"]) and k.loc["2025/26", "rag"] == "grey"
    # and a budget nobody meets is red, one everybody meets green
    low, high = (res.kpis([], budget=b).set_index("period").loc["2026/27", "rag"]
                 for b in (totals.min() / 2, totals.max() * 2))
    assert (low, high) == ("red", "green")


# =================================================================== sweeps and sensitivity


def test_sweep_runs_the_whole_grid():
    s = small12()
    grid = {"teams.safeguarding.caseload_cap": [9, 12, 15],
            "recruitment.success_probability": [0.3, 0.6]}
    sw = ws.sweep(s, grid, replications=3, seed=SEED, workers=1, progress=False)
    assert sw.parameters == list(grid)
    assert len(sw.points) == len(sw.results) == 6
    assert {(p["teams.safeguarding.caseload_cap"], p["recruitment.success_probability"])
            for p in sw.points} == {(c, q) for c in (9, 12, 15) for q in (0.3, 0.6)}
    for point, r in zip(sw.points, sw.results, strict=True):
        assert r.scenario.teams["safeguarding"].caseload_cap == point["teams.safeguarding.caseload_cap"]
        assert r.scenario.recruitment.success_probability == point["recruitment.success_probability"]
        assert r.replications == 3
    table = sw.table("unallocated_cases")
    assert list(table.columns) == [*grid, "mean", "ci_low", "ci_high", "n"]
    assert len(table) == 6 and (table["n"] == 3).all()
    for row, r in zip(table.itertuples(index=False), sw.results, strict=True):
        mean, lo, hi, n = t_interval(ws.horizon_mean("unallocated_cases")(r.monthly))
        assert row.mean == mean
    # common random numbers across the grid: every point sees the same referrals
    ref = sw.results[0].monthly["referrals"]
    assert all(r.monthly["referrals"].equals(ref) for r in sw.results)
    # list values are shown as text in the table
    sizes = ws.sweep(ws.load_scenario().with_changes({"horizon_months": 1}),
                     {"academy.intakes.0.sizes": [[12], [25]]}, replications=1, workers=1,
                     progress=False).table()
    assert list(sizes["academy.intakes.0.sizes"]) == ["[12]", "[25]"]


def test_sweep_checks_every_point_before_running():
    calls = []
    with pytest.raises(ws.ScenarioError):
        ws.sweep(small12(), {"teams.safeguarding.caseload_cap": [12, -1]}, replications=2,
                 runner=lambda *a, **k: calls.append(a))
    assert calls == []


def test_one_at_a_time_is_sorted_by_swing_around_the_baseline():
    s = small12()
    ranges = {"teams.safeguarding.caseload_cap": (9, 15),
              "absence.rate": (0.0, 0.05),
              "case_types.assessment.referrals_per_year": (300, 500)}
    out = "unallocated_cases"
    oat = ws.one_at_a_time(s, ranges, output=out, replications=3, seed=SEED, workers=1,
                           progress=False)
    assert list(oat.columns) == ["parameter", "low", "high", "output_low", "output_high",
                                 "baseline", "swing"]
    assert set(oat["parameter"]) == set(ranges)
    assert oat["swing"].is_monotonic_decreasing
    np.testing.assert_allclose(oat["swing"], (oat["output_high"] - oat["output_low"]).abs())

    def mean_of(scenario):
        return ws.horizon_mean(out)(quick(scenario, 3).monthly).mean()

    assert (oat["baseline"] == mean_of(s)).all()
    top = oat.iloc[0]
    assert top["output_low"] == mean_of(s.with_changes({top["parameter"]: top["low"]}))
    assert top["output_high"] == mean_of(s.with_changes({top["parameter"]: top["high"]}))
    assert top["swing"] > 0


@pytest.mark.parametrize("method, columns, evaluations", [
    ("morris", ["parameter", "mu", "mu_star", "sigma", "mu_star_conf"], 4 * (2 + 1)),
    ("sobol", ["parameter", "S1", "S1_conf", "ST", "ST_conf"], 4 * (2 + 2)),
])
def test_global_sensitivity_end_to_end(method, columns, evaluations):
    pytest.importorskip("SALib")
    s = small12()
    ranges = {"teams.safeguarding.caseload_cap": (9.0, 15.0),
              "case_types.assessment.referrals_per_year": (300.0, 500.0)}
    seen: list[ws.Scenario] = []

    def counting_run(scenario, *args, **kwargs):
        seen.append(scenario)
        return ws.run(scenario, *args, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # SALib warns about tiny samples
        gs = ws.global_sensitivity(s, ranges, output="unallocated_cases", method=method,
                                   samples=4, replications=2, seed=SEED, workers=1,
                                   progress=False, runner=counting_run)
    assert list(gs.columns) == columns
    assert list(gs["parameter"]) == list(ranges)
    assert len(seen) == evaluations
    caps = {sc.teams["safeguarding"].caseload_cap for sc in seen}
    assert min(caps) >= 9.0 and max(caps) <= 15.0 and len(caps) > 1
    assert np.isfinite(gs[columns[1:3]].to_numpy(float)).all(), gs


def test_global_sensitivity_rejects_an_unknown_method():
    pytest.importorskip("SALib")
    with pytest.raises(ValueError, match="sobol"):
        ws.global_sensitivity(small12(), {"absence.rate": (0.0, 0.1)}, method="fast",
                              samples=2, replications=1, workers=1, progress=False)
