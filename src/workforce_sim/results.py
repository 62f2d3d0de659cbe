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
    and, when asked for, ``cases`` (one row per allocation spell)."""

    monthly: pd.DataFrame
    cases: pd.DataFrame | None
    scenario: Scenario
    seed: int
    replication: int


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
