"""A backtest anyone can rerun: the model, started from each council's published
census, against what the later censuses say, beside two statistical forecasts.

For each origin year ``O`` and each council with a census at ``O`` and at
least one later census in ``O+1 … O+h``: build the council's scenario for
``O`` (:func:`~workforce_sim.council_scenario`: it starts on 1 October ``O``
and reads no data dated after 30 September ``O``), run it for ``12 h``
months, and read each replication at every September row (the month label is
the first of the month, its values are at the month end: the census date).
The same run makes two statistical forecasts from the census up to ``O``
only:

* **no change**: every later year as at the origin;
* **AR(1)**, pooled across councils and direct for each step ``h``:
  ``y[t+h] = a + b·y[t]``, fitted by least squares on every council's pairs
  with ``t+h ≤ O``; where there is no such pair, the one-step fit iterated
  ``h`` times (``forecasts`` says which).

The origin's data and the actuals are read separately (``data`` and
``actuals``): the scenarios and the forecasts see only the census and tables
up to each origin, the scores only the published values after it.

Seeds: council ``c`` at origin ``O`` runs with the seed
``council_seed(seed, O, code)``, and its replication ``k`` with the streams of
``(that seed, k)``, so the results are the same, to the bit, on any executor
and any number of workers, and a council's run can be repeated alone
(:func:`council_run`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from workforce_sim._version import __version__
from workforce_sim.data.councils import SERIES, dfe_code
from workforce_sim.data.tables import DataError, local_authority_rows, number, read_rows
from workforce_sim.engine.recording.columns import column
from workforce_sim.engine.streams import purpose_key
from workforce_sim.experiment.runner import (
    ArgumentError,
    _sigint_ignored,
    _sigterm_as_exit,
    _stop_pool,
    _worker_init,
    check_experiment,
    check_pool,
    check_replications,
    run,
    whole_number,
)
from workforce_sim.results.analysis import t_interval
from workforce_sim.results.store import atomic_folder, write_csv, write_provenance
from workforce_sim.results.tables import Results
from workforce_sim.scenario.council import council_scenario, financial_year, published_referrals
from workforce_sim.scenario.errors import ScenarioError
from workforce_sim.scenario.schema import Scenario

#: The KPIs scored: monthly columns that match a DfE census field exactly.
KPIS = ("agency_rate", "vacancy_rate", "turnover_rate", "caseload", "fte_in_post")
#: The methods scored, in the order tables show them.
METHODS = ("model", "no_change", "ar1")
#: The most years ahead (a scenario runs at most 600 months).
MAX_HORIZON = 50
#: The share of replications inside the model's band (5th to 95th percentile).
BAND = (0.05, 0.95)
CENSUS = SERIES["workforce"]

#: What the scenarios' referrals follow (``demand=``): ``"forecast"``, the demand trend
#: fitted to the census up to the origin (a forecast); ``"actual"``, the referrals the DfE
#: published for the years after it (the model's other errors, had demand been known).
DEMAND = ("forecast", "actual")

PREDICTION_COLUMNS = ["origin", "code", "council", "year", "horizon", "kpi", "actual",
                      "model_mean", "model_median", "model_q05", "model_q95", "no_change", "ar1"]


def kpi_field(kpi: str) -> str:
    """The DfE census field a KPI is scored against (``agency_rate`` → ``agency_rate_fte``)."""
    field_ = column(kpi).dfe_field
    assert field_ is not None
    return field_


def kpi_scale(kpi: str) -> float:
    """What turns a model value into the DfE's unit: 100 for a share (the DfE publishes
    per cent), 1 otherwise."""
    return 100.0 if column(kpi).unit == "share" else 1.0


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI's errors as the tables print it."""
    return {"share": "points", "cases per worker": "cases", "FTE": "FTE"}[column(kpi).unit]


def council_seed(seed: int, origin: int, code: str) -> int:
    """The seed of one council's run at one origin: from ``seed``, the origin and the
    council's DfE code alone (never from the worker or the order of the run)."""
    ss = np.random.SeedSequence(seed, spawn_key=(origin, purpose_key(f"backtest {code}")))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


# ------------------------------------------------------------------ the census


@dataclass(frozen=True)
class Census:
    """The workforce census of every council, as numbers: ``values[(year, code)][field]``."""

    file: str
    values: dict[tuple[int, str], dict[str, float]]
    names: dict[tuple[int, str], str]
    rows: list[dict[str, str]]

    @classmethod
    def read(cls, data: str | Path | None, until: int | None = None) -> Census:
        """The census in ``data`` (default the shipped one), rows up to ``until`` only."""
        file, rows = read_rows(CENSUS, data)
        councils = [r for r in local_authority_rows(rows)
                    if until is None or int(r["time_period"][:4]) <= until]
        values: dict[tuple[int, str], dict[str, float]] = {}
        names: dict[tuple[int, str], str] = {}
        for r in councils:
            key = (int(r["time_period"][:4]), r["old_la_code"])
            values[key] = {f: number(r[f])[0] for f in map(kpi_field, KPIS)}
            names[key] = r["la_name"]
        return cls(file, values, names, councils)

    @property
    def years(self) -> list[int]:
        return sorted({y for y, _ in self.values})

    def codes(self, year: int) -> list[str]:
        return sorted(c for y, c in self.values if y == year)

    def value(self, year: int, code: str, kpi: str) -> float:
        return self.values.get((year, code), {}).get(kpi_field(kpi), math.nan)


# ------------------------------------------------------------------ statistical forecasts


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    a, b = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)[0]
    return float(a), float(b)


def _pairs(census: Census, kpi: str, step: int, origin: int) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for (year, code) in census.values:
        if year + step > origin:
            continue
        x, y = census.value(year, code, kpi), census.value(year + step, code, kpi)
        if not (math.isnan(x) or math.isnan(y)):
            xs.append(x)
            ys.append(y)
    return np.array(xs, float), np.array(ys, float)


def ar1_fits(census: Census, origin: int, horizon: int) -> pd.DataFrame:
    """The pooled AR(1) of each KPI and step, from the census up to ``origin`` only.

    Parameters
    ----------
    census : Census
        The councils' census (rows after ``origin`` are ignored here).
    origin : int
        The last census year the fits may use.
    horizon : int
        Steps 1 to ``horizon`` (years).

    Returns
    -------
    pandas.DataFrame
        One row per KPI and step: ``origin``, ``kpi``, ``horizon``, ``method``
        (``"direct"``: ``y[t+h] = a + b·y[t]`` on the pairs with ``t+h ≤ origin``;
        ``"iterated"``: no such pair, the one-step fit applied ``h`` times), ``a``,
        ``b`` (of the forecast ``a + b·y[origin]``, iterated or not) and ``pairs``
        (the pairs fitted).
    """
    rows = []
    for kpi in KPIS:
        one = _pairs(census, kpi, 1, origin)
        for h in range(1, horizon + 1):
            x, y = _pairs(census, kpi, h, origin)
            if len(x) >= 2:
                a, b = _fit(x, y)
                rows.append((origin, kpi, h, "direct", a, b, len(x)))
            elif len(one[0]) >= 2:
                a1, b1 = _fit(*one)
                b = b1 ** h
                a = a1 * sum(b1 ** i for i in range(h))
                rows.append((origin, kpi, h, "iterated", a, b, len(one[0])))
            else:
                rows.append((origin, kpi, h, "none", math.nan, math.nan, 0))
    return pd.DataFrame(rows, columns=["origin", "kpi", "horizon", "method", "a", "b", "pairs"])


def forecasts(origin: int, horizon: int, codes: Sequence[str] | None = None, *,
              data: str | Path | None = None) -> pd.DataFrame:
    """The statistical forecasts alone (no model run), from the census up to ``origin``.

    Parameters
    ----------
    origin : int
        The census year forecast from.
    horizon : int
        Years ahead, 1 to ``horizon``.
    codes : sequence of str, optional
        DfE codes of the councils; default every council with a census at ``origin``.
    data : str or Path, optional
        A folder with the DfE's census; default the shipped one. Only its rows up to
        ``origin`` are read.

    Returns
    -------
    pandas.DataFrame
        One row per council, year and KPI: ``origin``, ``code``, ``year``,
        ``horizon``, ``kpi``, ``no_change``, ``ar1`` (in the DfE's units: rates in
        per cent).
    """
    census = Census.read(data, until=origin)
    return _forecast_rows(census, ar1_fits(census, origin, horizon), origin, horizon,
                          codes if codes is not None else census.codes(origin))


def _forecast_rows(census: Census, fits: pd.DataFrame, origin: int, horizon: int,
                   codes: Sequence[str]) -> pd.DataFrame:
    coef = {(r.kpi, r.horizon): (r.a, r.b) for r in fits.itertuples()}
    rows = []
    for code in codes:
        for h in range(1, horizon + 1):
            for kpi in KPIS:
                y0 = census.value(origin, code, kpi)
                a, b = coef[(kpi, h)]
                rows.append((origin, code, origin + h, h, kpi, y0, a + b * y0))
    return pd.DataFrame(rows, columns=["origin", "code", "year", "horizon", "kpi", "no_change",
                                       "ar1"])


# ------------------------------------------------------------------ scoring


def score(predictions: pd.DataFrame) -> pd.DataFrame:
    """Scores of each method: per origin, KPI, horizon and method.

    Parameters
    ----------
    predictions : pandas.DataFrame
        :attr:`Backtest.predictions` (or any table with its columns).

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``kpi``, ``horizon``, ``method`` (``model``: the mean of the
        replications; ``no_change``; ``ar1``), ``n`` (councils with both the
        prediction and the actual), ``mae``, ``bias`` (mean of prediction − actual)
        and ``coverage`` (model only: the share of actuals inside the 90 % band of
        the replications, ``model_q05`` to ``model_q95``). Errors in the DfE's units:
        rates in percentage points, caseload in cases, FTE in post in FTE.
    """
    rows = []
    columns = {"model": "model_mean", "no_change": "no_change", "ar1": "ar1"}
    for (origin, kpi, h), part in predictions.groupby(["origin", "kpi", "horizon"], sort=True):
        for method in METHODS:
            ok = part.dropna(subset=["actual", columns[method]])
            err = ok[columns[method]] - ok["actual"]
            cover = math.nan
            if method == "model" and len(ok):
                cover = float(((ok["actual"] >= ok["model_q05"])
                               & (ok["actual"] <= ok["model_q95"])).mean())
            rows.append((origin, kpi, h, method, len(ok),
                         float(err.abs().mean()) if len(ok) else math.nan,
                         float(err.mean()) if len(ok) else math.nan, cover))
    out = pd.DataFrame(rows, columns=["origin", "kpi", "horizon", "method", "n", "mae", "bias",
                                      "coverage"])
    order = {k: i for i, k in enumerate(KPIS)}
    return out.sort_values(["origin", "kpi", "horizon"], key=lambda s: s.map(order)
                           if s.name == "kpi" else s, kind="stable", ignore_index=True)


def compare_methods(predictions: pd.DataFrame, by_horizon: bool = False) -> pd.DataFrame:
    """The model against AR(1) and no change on the same councils and years.

    Parameters
    ----------
    predictions : pandas.DataFrame
        :attr:`Backtest.predictions`.
    by_horizon : bool, default False
        One row per horizon, or all horizons of an origin and KPI together.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``kpi`` (and ``horizon``), ``n`` (rows with an actual, the
        model and both forecasts), ``mae_model``, ``mae_ar1``, ``mae_no_change``,
        ``difference`` (``mae_model − mae_ar1``: negative when the model is
        better), its 95 % t-interval over the rows (``ci_low``, ``ci_high``; the
        rows are not independent: councils share each year's shocks, so read it
        as a guide), ``ratio`` (``mae_model / mae_ar1``) and ``beats_ar1``.
    """
    keys = ["origin", "kpi", "horizon"] if by_horizon else ["origin", "kpi"]
    full = predictions.dropna(subset=["actual", "model_mean", "ar1", "no_change"])
    rows = []
    for key, part in full.groupby(keys, sort=False):
        em = (part["model_mean"] - part["actual"]).abs()
        ea = (part["ar1"] - part["actual"]).abs()
        en = (part["no_change"] - part["actual"]).abs()
        diff, lo, hi, n = t_interval(em - ea)
        rows.append((*key, n, em.mean(), ea.mean(), en.mean(), diff, lo, hi,
                     em.mean() / ea.mean() if ea.mean() > 0 else math.nan,
                     bool(em.mean() < ea.mean())))
    out = pd.DataFrame(rows, columns=[*keys, "n", "mae_model", "mae_ar1", "mae_no_change",
                                      "difference", "ci_low", "ci_high", "ratio", "beats_ar1"])
    order = {k: i for i, k in enumerate(KPIS)}
    return out.sort_values(keys, key=lambda s: s.map(order) if s.name == "kpi" else s,
                           kind="stable", ignore_index=True)


def council_errors(predictions: pd.DataFrame) -> pd.DataFrame:
    """Councils worst first: each council's model error, relative to AR(1)'s.

    Returns
    -------
    pandas.DataFrame
        One row per origin and council: ``origin``, ``code``, ``council``, the
        model's mean absolute error of each KPI over the horizons (``mae_<kpi>``),
        and ``relative_error``: the mean over KPIs and horizons of the model's
        absolute error divided by AR(1)'s MAE for that KPI and horizon over every
        council (1 = as far off as AR(1) is on average). Sorted by it, largest first.
    """
    p = predictions.dropna(subset=["actual", "model_mean"]).copy()
    if p.empty:
        return pd.DataFrame(columns=["origin", "code", "council", "relative_error",
                                     *(f"mae_{k}" for k in KPIS)])
    p["abs_error"] = (p["model_mean"] - p["actual"]).abs()
    typical = (p["ar1"] - p["actual"]).abs().groupby([p["origin"], p["kpi"], p["horizon"]]).mean()
    p["relative"] = p["abs_error"] / typical.reindex(
        pd.MultiIndex.from_frame(p[["origin", "kpi", "horizon"]])).to_numpy()
    keys = ["origin", "code", "council"]
    wide = p.pivot_table(index=keys, columns="kpi", values="abs_error", aggfunc="mean")
    wide = wide.reindex(columns=[k for k in KPIS if k in wide.columns])
    wide.columns = [f"mae_{k}" for k in wide.columns]
    rel = p.groupby(keys)["relative"].mean().rename("relative_error")
    out = pd.concat([rel, wide], axis=1).reset_index()
    return out.sort_values("relative_error", ascending=False, ignore_index=True)


# ------------------------------------------------------------------ the result


@dataclass(frozen=True)
class Backtest:
    """What :func:`backtest` measured.

    Parameters
    ----------
    predictions : pandas.DataFrame
        One row per origin, council, year and KPI (:data:`PREDICTION_COLUMNS`):
        ``origin``, ``code`` (DfE), ``council``, ``year`` (the census year
        predicted), ``horizon`` (years after the origin), ``kpi``, ``actual`` (the
        published value; NaN where suppressed or not yet published),
        ``model_mean``, ``model_median``, ``model_q05``, ``model_q95`` (over the
        replications, at the September row), ``no_change``, ``ar1``. Rates in per
        cent, as the DfE publishes them; caseload in cases; FTE in post in FTE.
    scores : pandas.DataFrame
        :func:`score` of ``predictions``.
    councils : pandas.DataFrame
        One row per origin and council considered: ``origin``, ``code``,
        ``council``, ``seed`` (of its run), ``status`` (``"run"``, or why there is
        no model: the scenario could not be built, or the run was interrupted),
        ``demand`` (what its referrals followed: its forecast, or the published
        referrals, year by year).
    fits : pandas.DataFrame
        The AR(1) fits (:func:`ar1_fits`) of every origin.
    replications : int
        Replications of each council's run.
    seed : int
        The root seed.
    horizon : int
        Years ahead.
    origins : tuple of int
        The origin years.
    data : dict
        The files read: ``census`` (the origin data) and ``actuals``.
    seconds : float
        Wall-clock time of the backtest.
    interrupted : bool
        Ctrl-C stopped it: councils not run have no model values (``status``).
    """

    predictions: pd.DataFrame
    scores: pd.DataFrame
    councils: pd.DataFrame
    fits: pd.DataFrame
    replications: int
    seed: int
    horizon: int
    origins: tuple[int, ...]
    data: dict[str, str] = field(default_factory=dict)
    seconds: float = math.nan
    interrupted: bool = False
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def comparison(self, by_horizon: bool = False) -> pd.DataFrame:
        """The model against AR(1) and no change on the same councils and years.

        Parameters
        ----------
        by_horizon : bool, default False
            One row per horizon, or every horizon of an origin and KPI together.

        Returns
        -------
        pandas.DataFrame
            :func:`compare_methods`: ``n``, ``mae_model``, ``mae_ar1``,
            ``mae_no_change``, ``difference`` (model − AR(1)) with its interval,
            ``ratio`` and ``beats_ar1`` per origin and KPI (and horizon).
        """
        return compare_methods(self.predictions, by_horizon)

    def worst_councils(self) -> pd.DataFrame:
        """Councils worst first.

        Returns
        -------
        pandas.DataFrame
            :func:`council_errors`: the model's error per council, relative to
            AR(1)'s typical error, largest first.
        """
        return council_errors(self.predictions)

    def demand_known(self) -> int:
        """How many council runs had their referrals follow the published ones.

        Returns
        -------
        int
            Council runs whose ``demand`` follows published referrals
            (``demand="actual"``; the others kept their forecast, ``councils``
            says why); 0 with ``demand="forecast"``.
        """
        return int(self.councils["demand"].str.startswith("published").sum())

    @property
    def provenance(self) -> dict[str, Any]:
        """What the backtest was and how it ran, as saved in ``provenance.json``."""
        run_ = self.councils["status"] == "run"
        return {"kind": "backtest", "workforce_sim": __version__, "created": self.created,
                "origins": list(self.origins), "horizon": self.horizon,
                "replications": self.replications, "seed": self.seed,
                "councils": int(self.councils["code"].nunique()),
                "council_runs": int(run_.sum()), "seconds": round(self.seconds, 1),
                "interrupted": self.interrupted, "data": self.data,
                "kpis": list(KPIS),
                "note": "The model's bands are the 5th to 95th percentiles of its "
                        "replications, each drawing its own path of the trends fitted to the "
                        "census up to the origin: chance and parameter uncertainty."
                        + (" Demand is not forecast: the referrals follow those the DfE "
                           "published after the origin (the councils table says which years)."
                           if self.data.get("demand") == "actual" else "")}

    def write_files(self, folder: str | Path, **record: Any) -> Path:
        """Write the tables as CSV (``predictions``, ``scores``, ``comparison``,
        ``comparison_by_horizon``, ``councils``, ``worst_councils``, ``ar1_fits``)
        and, last, ``provenance.json`` with the sha256 of every file in ``folder``
        (a report written there before included).

        Parameters
        ----------
        folder : str or Path
            The folder to write into (usually the temporary folder of an
            :class:`~workforce_sim.results.store.atomic_folder`).
        **record
            More items for the provenance.

        Returns
        -------
        Path
            ``folder``.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / "predictions.csv", self.predictions)
        write_csv(folder / "scores.csv", self.scores)
        write_csv(folder / "comparison.csv", self.comparison())
        write_csv(folder / "comparison_by_horizon.csv", self.comparison(by_horizon=True))
        write_csv(folder / "councils.csv", self.councils)
        write_csv(folder / "worst_councils.csv", self.worst_councils())
        write_csv(folder / "ar1_fits.csv", self.fits)
        write_provenance(folder, {**self.provenance, **record})
        return folder

    def save(self, folder: str | Path) -> Path:
        """Write the backtest's tables into ``folder``, whole (:meth:`write_files`,
        ``provenance.json`` last); an interrupted or failed save leaves the previous
        ``folder`` as it was (:class:`~workforce_sim.results.store.atomic_folder`).
        The HTML report is the outputs' (``workforce-sim backtest`` writes both;
        in Python, ``workforce_sim.outputs.backtest_report.write_backtest_report``).

        Parameters
        ----------
        folder : str or Path
            A new folder, an empty one, or an earlier output of workforce_sim.

        Returns
        -------
        Path
            ``folder``.
        """
        folder = Path(folder)
        with atomic_folder(folder) as tmp:
            self.write_files(tmp)
        return folder


# ------------------------------------------------------------------ running


def _check_origins(origins: object) -> tuple[int, ...]:
    if isinstance(origins, int | np.integer) and not isinstance(origins, bool):
        origins = (origins,)
    if isinstance(origins, str | bytes) or not isinstance(origins, Iterable):
        raise TypeError(f"origins must be census years (ints), got {origins!r}")
    out = tuple(sorted({whole_number("origin", o, 0) for o in origins}))
    if not out:
        raise ArgumentError("origins: give at least one census year, e.g. origins=(2022,)")
    return out


def _first_origin(data: str | Path | None) -> tuple[int, str]:
    """The first year a scenario can be built for: every table it reads must have begun."""
    firsts = []
    for stem in SERIES.values():
        file, rows = read_rows(stem, data)
        firsts.append((min(int(r["time_period"][:4]) for r in rows), file))
    return max(firsts)


def _council_codes(councils: object, census: Census) -> list[str] | None:
    if councils is None:
        return None
    if isinstance(councils, str):
        councils = [councils]
    if not isinstance(councils, Iterable):
        raise TypeError(f"councils must be names or codes (str), got {councils!r}")
    codes = []
    for c in councils:
        if not isinstance(c, str):
            raise TypeError(f"councils must be names or codes (str), got {c!r}")
        codes.append(dfe_code(c, census.rows, census.file))
    if not codes:
        raise ArgumentError("councils: give at least one council, or None for all")
    return list(dict.fromkeys(codes))


def _scenario_name(code: str, census: Census, origin: int) -> str:
    """What :func:`council_scenario` is given: the DfE code, or a joint return's name."""
    return code if code.isdigit() else census.names[(origin, code)]


def council_run(origin: int, council: str, horizon: int = 3, replications: int = 100,
                seed: int = 0, *, data: str | Path | None = None,
                actuals: str | Path | None = None, demand: str = "forecast",
                **run_options: Any) -> Results:
    """One council's run of a backtest, repeated alone: the same scenario and seed, so
    the same replications, to the bit, as in :func:`backtest`.

    Parameters
    ----------
    origin : int
        The census year it starts from (1 October).
    council : str
        Its name, ONS code or DfE code.
    horizon : int, default 3
        Years (the scenario runs ``12 × horizon`` months).
    replications, seed : int
        As given to :func:`backtest`.
    data : str or Path, optional
        The folder of the DfE's files; default the shipped ones.
    actuals : str or Path, optional
        Where the published referrals are read from with ``demand="actual"``
        (default ``data``).
    demand : {"forecast", "actual"}, default "forecast"
        As for :func:`backtest`.
    **run_options
        Passed to :func:`~workforce_sim.run` (``workers``, ``executor``, ``progress``).

    Returns
    -------
    Results
    """
    census = Census.read(data, until=origin)
    code = dfe_code(council, census.rows, census.file)
    scenario = _scenario(census, code, origin, horizon, data)
    if demand not in DEMAND:
        raise ArgumentError(f"demand {demand!r}: expected one of {', '.join(map(repr, DEMAND))}")
    if demand == "actual":
        scenario, _ = actual_referrals(scenario, code, data, actuals)
    return run(scenario, replications, council_seed(seed, origin, code), **run_options)


def _scenario(census: Census, code: str, origin: int, horizon: int,
              data: str | Path | None) -> Scenario:
    s = council_scenario(_scenario_name(code, census, origin), origin, data=data)
    return s.with_changes({"horizon_months": 12 * horizon}, source=f"backtest from {origin}")


def actual_referrals(scenario: Scenario, code: str, data: str | Path | None = None,
                     actuals: str | Path | None = None) -> tuple[Scenario, str]:
    """``scenario`` with its referrals following those the DfE published after its start.

    The referral rate of every case type with referrals is set, on the start date,
    to the rate the scenario was built with × the published referrals
    (``referral_count``) of the financial year under way / those of the latest
    year to 31 March before the start (the year the builder takes its rates
    from), and on each 1 April to the next year's; a year not published
    (suppressed, or not yet released) holds the year before it. The path is
    given, so the demand trend, ``growth_per_year`` and any ``demand_changes``
    are dropped; what each assessment leads to stays as it was.

    Parameters
    ----------
    scenario : Scenario
        A council's scenario (:func:`~workforce_sim.council_scenario`).
    code : str
        Its DfE code (``"884"``, or ``"940 / 941"`` for a joint return).
    data : str or Path, optional
        The DfE's files the scenario was built from (the base year's referrals).
    actuals : str or Path, optional
        The DfE's files the later referrals are read from; default ``data``.

    Returns
    -------
    tuple of (Scenario, str)
        The scenario and what its demand follows, in words: unchanged (its
        forecast) if no referrals were published for the year before the start or
        for any year after it.

    Raises
    ------
    DataError
        No referrals table in ``data`` or ``actuals``.
    """
    start = scenario.start_date
    first = start.year + (start.month >= 4)        # the financial year under way at the start
    before = [y for y in published_referrals(code, data) if y < first]
    later = published_referrals(code, actuals if actuals is not None else data)
    if not before:
        return scenario, "its forecast: no referrals published before the start"
    if not any(y >= first for y in later):
        return scenario, "its forecast: no referrals published after the start"
    base_year = max(before)
    base = published_referrals(code, data)[base_year]
    dates = [start, *(dt.date(y, 4, 1) for y in range(first, scenario.end_date.year + 1)
                      if start < dt.date(y, 4, 1) < scenario.end_date)]
    steps, said, level, previous = [], [], 1.0, 1.0
    for label, day in enumerate(dates, first):
        if label in later:
            level = later[label] / base
            said.append(f"{financial_year(label)} {later[label]:,.0f}")
        else:
            said.append(f"{financial_year(label)} not published (the year before held)")
        steps.append({"date": day, "multiplier": level / previous})
        previous = level
    changes: dict[str, Any] = {"trends.demand": None}
    for name, ct in scenario.case_types.items():
        if ct.referrals_per_year > 0:
            changes[f"case_types.{name}.demand_changes"] = steps
            changes[f"case_types.{name}.growth_per_year"] = 0.0
    note = (f"published referrals: {'; '.join(said)}; against {base:,.0f} in "
            f"{financial_year(base_year)}")
    return scenario.with_changes(changes, source="actual referrals"), note


def _september(results: Results, origin: int, horizon: int, code: str,
               name: str) -> pd.DataFrame:
    """Each KPI at each September row: mean, median and band over the replications."""
    m = results.monthly
    m = m[m["team"] == "all"]
    rows = []
    for h in range(1, horizon + 1):
        at = m[m["month"] == pd.Timestamp(origin + h, 9, 1)]
        for kpi in KPIS:
            v = at[kpi].to_numpy(float) * kpi_scale(kpi)
            v = v[~np.isnan(v)]
            stats = ((float(v.mean()), float(np.median(v)), *map(float, np.quantile(v, BAND)))
                     if v.size else (math.nan,) * 4)
            rows.append((origin, code, name, origin + h, h, kpi, *stats))
    return pd.DataFrame(rows, columns=["origin", "code", "council", "year", "horizon", "kpi",
                                       "model_mean", "model_median", "model_q05", "model_q95"])


@dataclass
class _Pool:
    executor: Executor | None
    workers: int
    clean: bool = True          # set False when interrupted: our own pool is then ended at once


@contextlib.contextmanager
def _pool(executor: Executor | None, workers: int | None, replications: int) -> Iterator[_Pool]:
    """The executor every council's run uses: the one given (never shut down here), none
    (``workers=1``: in this process), or one process pool of our own for the whole
    backtest, made and ended as :func:`~workforce_sim.run` makes and ends its own."""
    n = min(workers or os.cpu_count() or 1, replications)
    if executor is not None or n <= 1:
        yield _Pool(executor, n)
        return
    with _sigterm_as_exit():
        pool = ProcessPoolExecutor(max_workers=n, initializer=_worker_init,
                                   initargs=(os.getpid(),))
        state = _Pool(pool, n)
        try:
            yield state
        except BaseException:
            state.clean = False
            raise
        finally:
            with _sigint_ignored():
                if state.clean:
                    pool.shutdown(wait=True)
                else:                      # interrupted, failed or terminated: no waiting
                    _stop_pool(pool)


def backtest(origins: Iterable[int] | int = (2022,), horizon: int = 3,
             councils: Sequence[str] | str | None = None, replications: int = 100,
             seed: int = 0, *, data: str | Path | None = None,
             actuals: str | Path | None = None, demand: str = "forecast",
             executor: Executor | None = None, workers: int | None = None,
             progress: bool | None = None) -> Backtest:
    """Backtest the model against the DfE's later censuses, beside no change and AR(1).

    For each origin and each council with a census at the origin and at least one
    in the ``horizon`` years after it, the council's scenario for the origin
    (:func:`~workforce_sim.council_scenario`, which reads no data dated after 30
    September of the origin) runs for ``12 × horizon`` months, and each
    replication is read at every September row: the census date. The statistical
    forecasts use the census up to the origin only. Each council's scenario
    carries trends fitted to the census up to the origin (``[trends]``), drawn per
    replication, so the model's 90 % band holds chance and what is not known
    about those parameters.

    Parameters
    ----------
    origins : int or iterable of int, default (2022,)
        Census years to start from. From the first year every table the scenario
        reads has (2021 for the shipped data: the looked-after table starts then;
        earlier years are refused, not filled from later data) to the year before
        the last census in ``actuals``.
    horizon : int, default 3
        Years ahead (1 to :data:`MAX_HORIZON`).
    councils : str or sequence of str, optional
        Names, ONS codes or DfE codes; default every council with the data.
    replications : int, default 100
        Replications of each council's run.
    seed : int, default 0
        Root seed; each council's is :func:`council_seed` ``(seed, origin, code)``.
    data : str or Path, optional
        A folder with the DfE's files the scenarios and forecasts are built from
        (only rows up to each origin are read); default the shipped ones.
    actuals : str or Path, optional
        A folder with the census scored against (its rows after each origin);
        default ``data``.
    demand : {"forecast", "actual"}, default "forecast"
        What the scenarios' referrals follow: the demand trend fitted to the census
        up to the origin, or the referrals the DfE published after it, read from
        ``actuals`` (:func:`actual_referrals`). ``"actual"`` is not a forecast: it
        asks how far off the model is once demand is known.
    executor : concurrent.futures.Executor, optional
        Where replications run, e.g. a Dask client's ``client.get_executor()``;
        default one process pool of the package's own for the whole backtest. The
        results are the same whatever the executor.
    workers : int, optional
        Processes of our own pool (default one per core; 1 runs in this process);
        with ``executor``, at most ``2 × workers`` batches in flight.
    progress : bool, optional
        Show a progress bar; ``None`` only on an interactive terminal or notebook.

    Returns
    -------
    Backtest
        ``predictions`` (tidy), ``scores``, ``councils``, ``fits``; ``.comparison()``
        says whether the model beats AR(1); ``.save(folder)`` writes the tables and
        an HTML report. Ctrl-C keeps the councils that finished
        (``interrupted=True``, a warning).

    Raises
    ------
    TypeError, ArgumentError
        Bad arguments: an origin before the data allows or without a later census,
        a horizon out of range, too many runs; all before anything runs.
    DataError
        An unknown council (with "did you mean"), a missing file or column, or no
        council with the data.
    KeyboardInterrupt
        Ctrl-C before any council's run finished.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> bt = ws.backtest(origins=2022, horizon=1, councils=["Rutland"], replications=2,
    ...                  workers=1, progress=False)
    >>> bt.predictions[["council", "year", "kpi"]].iloc[0].tolist()
    ['Rutland', 2023, 'agency_rate']
    >>> sorted(bt.scores["method"].unique())
    ['ar1', 'model', 'no_change']
    """
    start = time.perf_counter()
    origins = _check_origins(origins)
    horizon = whole_number("horizon", horizon, 1, MAX_HORIZON,
                           " (a scenario runs at most 600 months)")
    replications = check_replications(replications)
    seed = whole_number("seed", seed, 0)
    workers = check_pool(workers, executor, progress)
    if demand not in DEMAND:
        raise ArgumentError(f"demand {demand!r}: expected one of {', '.join(map(repr, DEMAND))}")
    referrals_from = actuals if actuals is not None else data
    if demand == "actual":              # before anything runs: the table must be there
        read_rows(SERIES["referrals"], referrals_from)

    scored = Census.read(actuals if actuals is not None else data)
    first, first_file = _first_origin(data)
    last = max(scored.years)
    for o in origins:
        if o < first:
            raise ArgumentError(f"origin {o}: the first year a council's scenario can be built "
                                f"for is {first} ({first_file} starts then); earlier years are "
                                "not filled from later data")
        if o >= last:
            raise ArgumentError(f"origin {o}: the last census in {scored.file} is {last}; a "
                                f"backtest needs a later census to score against (origin "
                                f"{last - 1} or earlier)")
    asked = _council_codes(councils, Census.read(data))

    plan: list[tuple[int, Census, list[str]]] = []
    for o in origins:
        census = Census.read(data, until=o)
        later = {c for (y, c), v in scored.values.items() if o < y <= o + horizon
                 and any(not math.isnan(x) for x in v.values())}
        codes = [c for c in census.codes(o) if c in later and (asked is None or c in asked)]
        plan.append((o, census, codes))
    runs = sum(len(codes) for _, _, codes in plan)
    if runs == 0:
        who = "the councils given" if asked is not None else "any council"
        raise DataError(f"no census at origin(s) {', '.join(map(str, origins))} with a later one "
                        f"in the {horizon} year(s) after it for {who}")
    check_experiment("backtest", runs, replications)

    model: list[pd.DataFrame] = []
    forecast: list[pd.DataFrame] = []
    fits: list[pd.DataFrame] = []
    status: list[tuple[int, str, str, int, str]] = []
    follows: dict[tuple[int, str], str] = {}
    interrupted = False
    bar = tqdm(total=runs * replications, desc="backtest", unit="rep",
               disable=None if progress is None else not progress)
    try:
        with _pool(executor, workers, replications) as pool, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="interrupted: kept")
            for o, census, codes in plan:
                f = ar1_fits(census, o, horizon)
                fits.append(f)
                forecast.append(_forecast_rows(census, f, o, horizon, codes))
                for code in codes:
                    name = census.names[(o, code)]
                    s_seed = council_seed(seed, o, code)
                    if interrupted:
                        status.append((o, code, name, s_seed, "not run: interrupted"))
                        continue
                    try:
                        try:
                            scenario = _scenario(census, code, o, horizon, data)
                            if demand == "actual":
                                scenario, follows[(o, code)] = actual_referrals(
                                    scenario, code, data, referrals_from)
                        except (DataError, ScenarioError) as exc:
                            status.append((o, code, name, s_seed,
                                           f"no scenario: {' '.join(str(exc).split())}"))
                            bar.update(replications)
                            continue
                        res = run(scenario, replications, s_seed, executor=pool.executor,
                                  workers=pool.workers, progress=False)
                    except KeyboardInterrupt:
                        res = None
                    if res is None or res.interrupted:
                        interrupted, pool.clean = True, False
                        status.append((o, code, name, s_seed, "not run: interrupted"))
                        continue
                    model.append(_september(res, o, horizon, code, name))
                    status.append((o, code, name, s_seed, "run"))
                    bar.update(replications)
    finally:
        bar.close()
    if not model and interrupted:
        raise KeyboardInterrupt("interrupted before any council's run finished")
    if interrupted:
        done = sum(1 for s in status if s[4] == "run")
        warnings.warn(f"interrupted: kept the {done} of {runs} council runs that had finished",
                      stacklevel=2)

    predictions = _assemble(forecast, model, scored, status)
    councils_run = pd.DataFrame(status, columns=["origin", "code", "council", "seed", "status"])
    councils_run["demand"] = [follows.get((o, c), "its forecast") for o, c in
                              zip(councils_run["origin"], councils_run["code"], strict=True)]
    return Backtest(predictions, score(predictions), councils_run,
                    pd.concat(fits, ignore_index=True), replications, seed, horizon, origins,
                    {"census": Census.read(data, until=origins[0]).file, "actuals": scored.file,
                     "origin_data": "shipped" if data is None else str(data),
                     "actuals_data": str(actuals if actuals is not None else
                                         (data if data is not None else "shipped")),
                     "demand": demand},
                    time.perf_counter() - start, interrupted)


def _assemble(forecast: list[pd.DataFrame], model: list[pd.DataFrame], scored: Census,
              status: list[tuple[int, str, str, int, str]]) -> pd.DataFrame:
    p = pd.concat(forecast, ignore_index=True)
    names = {(o, c): n for o, c, n, _, _ in status}
    p["council"] = [names[(o, c)] for o, c in zip(p["origin"], p["code"], strict=True)]
    p["actual"] = [scored.value(y, c, k) for y, c, k in zip(p["year"], p["code"], p["kpi"],
                                                            strict=True)]
    keys = ["origin", "code", "council", "year", "horizon", "kpi"]
    if model:
        p = p.merge(pd.concat(model, ignore_index=True), on=keys, how="left", validate="1:1")
    else:
        for c in ("model_mean", "model_median", "model_q05", "model_q95"):
            p[c] = math.nan
    return p[PREDICTION_COLUMNS]
