"""Results of one replication (:class:`RunResult`) and of many (:class:`Results`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._version import __version__
from .scenario import Scenario

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class RunResult:
    """One replication: ``monthly`` (one row per month and team, plus ``team == "all"``)
    and, when asked for with ``case_log=True``, ``cases`` (one row per allocation spell
    of a case) and ``staff`` (one row per spell of a worker in one kind)."""

    monthly: pd.DataFrame
    cases: pd.DataFrame | None
    scenario: Scenario
    seed: int
    replication: int
    staff: pd.DataFrame | None = None


@dataclass(frozen=True)
class Results:
    """Many replications: ``monthly`` has a ``replication`` column and is sorted by it."""

    monthly: pd.DataFrame
    scenario: Scenario
    seed: int
    replications: int

    @property
    def provenance(self) -> dict:
        return {"scenario": self.scenario.name, "seed": self.seed,
                "replications": self.replications, "workforce_sim": __version__}

    def summary(self, metric: str, team: str = "all", confidence: float = 0.95) -> pd.DataFrame:
        """Per month: mean, a t-based confidence interval for the mean, and the
        5/25/50/75/95 % quantiles across replications."""
        df = self.monthly
        if metric not in df.columns:
            raise KeyError(f"no column {metric!r}; columns: {', '.join(df.columns[3:])}")
        if team not in set(df["team"]):
            raise KeyError(f"no team {team!r}; teams: {', '.join(df['team'].unique())}")
        g = df.loc[df["team"] == team].groupby("month")[metric]
        out = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n": g.count()})
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n"] - 1, 1))
        half = t * out["sd"] / np.sqrt(out["n"])
        out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
        q = g.quantile(list(QUANTILES)).unstack()
        q.columns = [f"q{int(round(100 * c)):02d}" for c in QUANTILES]
        return out.join(q)

    def headline(self, team: str = "all", months: tuple[int, ...] | None = None) -> pd.DataFrame:
        """The figures a service leader asks for first, at chosen month numbers
        (default: month 12 and the last month): mean and 90 % range across
        replications. Stocks are month-end values; flows are totals over the 12
        months to that month."""
        h = self.scenario.horizon_months
        months = months or tuple(sorted({min(12, h), h}))
        df = self.monthly.loc[self.monthly["team"] == team]
        month_no = df.groupby("replication").cumcount() + 1
        rows = []
        for label, metric, kind in HEADLINE:
            for m in months:
                if kind == "flow":
                    window = df.loc[(month_no > m - 12) & (month_no <= m)]
                    values = window.groupby("replication")[metric].sum()
                else:
                    values = df.loc[month_no == m, metric]
                values = values.dropna()
                rows.append({"measure": label, "metric": metric, "month": m,
                             "month_start": df.loc[month_no == m, "month"].iloc[0],
                             "mean": values.mean(), "q05": values.quantile(0.05),
                             "q95": values.quantile(0.95)})
        return pd.DataFrame(rows)


HEADLINE = (
    ("Open cases", "open_cases", "stock"),
    ("Unallocated cases", "unallocated_cases", "stock"),
    ("Cases per case-holding worker", "caseload_mean", "stock"),
    ("Workers over their caseload cap", "workers_over_cap", "stock"),
    ("Agency rate", "agency_rate", "stock"),
    ("Vacancy rate", "vacancy_rate", "stock"),
    ("Turnover rate (12 months)", "turnover_rate_12m", "stock"),
    ("Referrals in the 12 months", "referrals", "flow"),
    ("Changes of social worker in the 12 months", "worker_changes", "flow"),
    ("Agency spend in the 12 months", "cost_agency", "flow"),
    ("Total cost in the 12 months", "cost_total", "flow"),
)
