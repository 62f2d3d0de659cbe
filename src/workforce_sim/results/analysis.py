"""Output analysis: confidence intervals, running summaries, financial years, targets.

Replications are independent and identically distributed, so a metric's mean
over replications has the t-based interval ``mean ± t(n−1) · sd / √n``; paired
differences between scenarios run on common random numbers use the same
interval on the per-replication differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workforce_sim.engine.recording.columns import INDEX, find
from workforce_sim.scenario.calendar import financial_year

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTILE_NAMES = tuple(f"q{int(round(100 * q)):02d}" for q in QUANTILES)
KEYS = INDEX


def t_interval(values, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean, lower and upper bound of the t-based confidence interval, and n."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def describe(groups, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd, n, t-interval and quantiles for each group of a grouped Series."""
    out = pd.DataFrame({"mean": groups.mean(), "sd": groups.std(ddof=1), "n": groups.count()})
    dof = np.maximum(out["n"].to_numpy() - 1, 1)
    half = stats.t.ppf(0.5 + confidence / 2, dof) * out["sd"] / np.sqrt(out["n"])
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    q = groups.quantile(list(QUANTILES)).unstack()
    q.columns = list(QUANTILE_NAMES)
    return out.join(q)


# ------------------------------------------------------------------ running summary


class RunningSummary:
    """Mean and variance of every (month, team, metric) over replications, updated
    one replication at a time (Welford) in replication order, so memory does not
    grow with the number of replications and the result does not depend on which
    process ran which replication."""

    def __init__(self) -> None:
        self.index: pd.MultiIndex | None = None
        self.columns: list[str] = []
        self.n: np.ndarray | None = None
        self.mean: np.ndarray | None = None
        self.m2: np.ndarray | None = None

    def add(self, frame: pd.DataFrame) -> None:
        if self.index is None:
            self.index = pd.MultiIndex.from_frame(frame[["month", "team"]])
            self.columns = [c for c in frame.columns if c not in KEYS]
            shape = (len(frame), len(self.columns))
            self.n, self.mean, self.m2 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        x = frame[self.columns].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        self.n += ok
        delta = np.where(ok, x - self.mean, 0.0)
        self.mean += np.where(ok, delta / np.maximum(self.n, 1), 0.0)
        self.m2 += np.where(ok, delta * (x - self.mean), 0.0)

    def _state(self) -> tuple[pd.MultiIndex, np.ndarray, np.ndarray, np.ndarray]:
        """The row index and the running n, mean and M2, once a replication has been added."""
        if self.index is None or self.n is None or self.mean is None or self.m2 is None:
            raise ValueError("no replication has been added to this running summary")
        return self.index, self.n, self.mean, self.m2

    def save(self, path) -> None:
        """Write the running sums (NumPy .npz), atomically."""
        index, n, mean, m2 = self._state()
        import os
        import tempfile
        from pathlib import Path

        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part.npz", dir=path.parent)
        os.close(fd)
        try:
            np.savez(tmp, n=n, mean=mean, m2=m2, columns=np.array(self.columns),
                     months=index.get_level_values("month").astype("datetime64[ns]").to_numpy(),
                     teams=np.array(index.get_level_values("team"), dtype=str))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path) -> RunningSummary:
        with np.load(path, allow_pickle=False) as z:
            out = cls()
            out.n, out.mean, out.m2 = z["n"], z["mean"], z["m2"]
            out.columns = [str(c) for c in z["columns"]]
            out.index = pd.MultiIndex.from_arrays([pd.to_datetime(z["months"]), z["teams"]],
                                                  names=["month", "team"])
        return out

    def frame(self, metric: str, team: str, confidence: float = 0.95) -> pd.DataFrame:
        """Per month: mean, sd, n and the t-interval of ``metric`` for ``team``.

        Parameters
        ----------
        metric : str
            A monthly column.
        team : str
            A team, or ``"all"``.
        confidence : float
            Of the interval.

        Returns
        -------
        pandas.DataFrame
            Indexed by month.
        """
        index, n_all, mean_all, m2_all = self._state()
        j = self.columns.index(metric)
        rows = np.asarray(index.get_level_values("team") == team)
        n = n_all[rows, j]
        mean = np.where(n > 0, mean_all[rows, j], np.nan)
        sd = np.sqrt(np.where(n > 1, m2_all[rows, j] / np.maximum(n - 1, 1), np.nan))
        half = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
        months = index.get_level_values("month")[rows]
        return pd.DataFrame({"mean": mean, "sd": sd, "n": n, "ci_low": mean - half,
                             "ci_high": mean + half}, index=pd.Index(months, name="month"))


# ------------------------------------------------------------------ financial years

def flow_columns(columns) -> list[str]:
    """The flow columns among ``columns``: those the column table says are amounts over
    the month, totalled over a year (counts, FTE-days, money; not ratios such as
    ``mean_wait_days`` or ``turnover_rate``).

    Parameters
    ----------
    columns : iterable of str
        Column names, e.g. ``monthly.columns``; names the table does not know are left out.

    Returns
    -------
    list of str
        The flow columns, in the order given.
    """
    out = []
    for name in columns:
        c = find(name)
        if c is not None and c.across_months == "sum":
            out.append(name)
    return out


def financial_year_totals(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per replication, team and UK financial year (April to March): totals of every
    flow column (see :func:`flow_columns`), and the number of months of the year inside
    the horizon.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Rows of the monthly table (``replication``, ``month``, ``team`` and the columns).

    Returns
    -------
    pandas.DataFrame
        One row per (replication, team, financial year): ``months``, then the totals.
    """
    fy = pd.Series([financial_year(d.date()) for d in pd.to_datetime(monthly["month"])],
                   index=monthly.index, name="financial_year")
    cols = flow_columns(monthly.columns)
    g = monthly.assign(financial_year=fy).groupby(["replication", "team", "financial_year"])
    out = g[cols].sum()
    out.insert(0, "months", g.size())
    return out.reset_index()


def financial_quarter(d: pd.Timestamp) -> str:
    """The UK financial quarter of a month, as '2025/26 Q3' (Q1 is April to June)."""
    return f"{financial_year(d.date())} Q{(d.month - 4) % 12 // 3 + 1}"


RETURN_FLOWS = {"agency_starts": "assignments_started",
                "agency_above_cap_starts": "assignments_above_cap",
                "agency_fte_days": "agency_fte_days", "cost_agency": "agency_spend",
                "agency_above_cap_fte_days": "fte_days_above_cap",
                "agency_above_cap_spend": "spend_above_cap"}
"""The monthly flows of the agency return, and their names in it."""


def agency_return(monthly: pd.DataFrame, roles: dict[str, str],
                  billable_days_per_year: float) -> pd.DataFrame:
    """The simulated council's quarterly agency data return, by role: the mean over
    replications of each quarter's agency FTE at its last month end, assignments
    started (and renewed above the cap), FTE-days, spend, spend above the cap and the
    mean day rate charged.

    Parameters
    ----------
    monthly : pandas.DataFrame
        The monthly table (team rows; the service row is not read).
    roles : dict
        Each team's role (``teams.<name>.role``).
    billable_days_per_year : float
        To turn spend per FTE-day into a day rate per billable day.

    Returns
    -------
    pandas.DataFrame
        One row per (financial quarter, role with agency FTE-days): ``quarter``,
        ``months`` (of the quarter inside the horizon), ``role``, ``agency_fte_end``,
        the flows of :data:`RETURN_FLOWS` and ``mean_day_rate`` (spend / (FTE-days ×
        billable days / 365.25); NaN without FTE-days).
    """
    teams = monthly[monthly["team"].isin(list(roles))]
    month = pd.to_datetime(teams["month"])
    t = teams.assign(role=teams["team"].map(roles),
                     quarter=[financial_quarter(d) for d in month], month=month)
    by = ["replication", "quarter", "role"]
    flows = t.groupby(by)[list(RETURN_FLOWS)].sum().rename(columns=RETURN_FLOWS)
    last = t[t["month"] == t.groupby("quarter")["month"].transform("max")]
    flows.insert(0, "agency_fte_end", last.groupby(by)["agency_fte"].sum())
    out = flows.groupby(["quarter", "role"]).mean()
    out.insert(0, "months", t.groupby(["quarter", "role"])["month"].nunique())
    out = out[out["agency_fte_days"] > 0].reset_index()
    per_day = out["agency_spend"] / (out["agency_fte_days"] * billable_days_per_year / 365.25)
    out["mean_day_rate"] = per_day
    return out


# ------------------------------------------------------------------ targets (RAG)


@dataclass(frozen=True)
class Target:
    """A KPI target for :meth:`Results.kpis`: ``metric`` compared with ``threshold`` by ``op``.

    Parameters
    ----------
    metric : str
        A monthly column, or with ``per="financial_year"`` a flow or money column
        totalled over each financial year.
    threshold : float
        The value to meet.
    op : {"<=", ">="}, default "<="
        Met when the value is at most (``"<="``) or at least (``">="``) the threshold.
    team : str, default "all"
        A team's name, or ``"all"`` for the whole service.
    per : {"month", "financial_year"}, default "month"
        Whether the target applies to each month or to each financial year's total.
    label : str, default ""
        The target in words, for reports; default ``"<metric> <op> <threshold>"``.
    """

    metric: str
    threshold: float
    op: str = "<="
    team: str = "all"
    per: str = "month"           # "month" or "financial_year"
    label: str = ""

    def met(self, values: np.ndarray) -> np.ndarray:
        """Whether each value meets the target (to within 1e-12).

        Parameters
        ----------
        values : numpy.ndarray
            Values of the metric.

        Returns
        -------
        numpy.ndarray of bool
            True where the target is met.

        Raises
        ------
        ValueError
            If ``op`` is neither ``"<="`` nor ``">="``.
        """
        if self.op == "<=":
            return values <= self.threshold + 1e-12
        if self.op == ">=":
            return values >= self.threshold - 1e-12
        raise ValueError(f"target {self.metric}: op must be '<=' or '>=', got {self.op!r}")


DEFAULT_TARGETS = (
    Target("agency_rate", 0.20, label="agency rate at most 20 % (80:20 permanent:agency)"),
    Target("caseload", 18, label="caseload (cases per case-holding FTE) at most 18"),
    Target("unallocated_cases", 0, label="no unallocated cases"),
)


def rag(probability: float, green: float = 0.8, amber: float = 0.5) -> str:
    """Red/amber/green from the probability of meeting a target."""
    if probability != probability:
        return "grey"
    return "green" if probability >= green else "amber" if probability >= amber else "red"
