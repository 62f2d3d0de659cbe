"""Results of one replication (:class:`RunResult`) and of many (:class:`Results`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from workforce_sim._version import __version__
from workforce_sim.engine.recording.columns import INDEX, column, find
from workforce_sim.results.analysis import (
    DEFAULT_TARGETS,
    QUANTILE_NAMES,
    QUANTILES,
    RunningSummary,
    Target,
    describe,
    financial_year_totals,
    rag,
)
from workforce_sim.results.formatting import format_value, label
from workforce_sim.results.store import write_csv, write_json
from workforce_sim.scenario.schema import Scenario


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
    """Many replications of one scenario.

    ``monthly`` has one row per (replication, month, team), sorted. In summary
    mode (``run(..., keep="summary")``) it holds only the first
    ``keep_monthly`` replications, used for quantiles, while means and
    confidence intervals come from running sums over every replication.
    """

    monthly: pd.DataFrame
    scenario: Scenario
    seed: int
    replications: int
    running: RunningSummary | None = None
    interrupted: bool = False
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    version: str = __version__       # of the package that ran it

    # ------------------------------------------------------------ provenance

    @property
    def provenance(self) -> dict:
        return {"scenario_name": self.scenario.name, "seed": self.seed,
                "replications": self.replications, "interrupted": self.interrupted,
                "workforce_sim": self.version, "created": self.created,
                "summary_mode": self.running is not None}

    @property
    def teams(self) -> list[str]:
        return list(dict.fromkeys(self.monthly["team"]))

    def _check(self, metric: str, team: str) -> None:
        if metric not in self.monthly.columns:
            cols = ", ".join(c for c in self.monthly.columns if c not in INDEX)
            raise KeyError(f"no column {metric!r}; columns: {cols}")
        if team not in self.teams:
            raise KeyError(f"no team {team!r}; teams: {', '.join(self.teams)}")

    # ------------------------------------------------------------ summaries

    def summary(self, metric: str, team: str = "all", confidence: float = 0.95) -> pd.DataFrame:
        """Per month: mean, sd, n, a t-based confidence interval for the mean, and the
        5/25/50/75/95 % quantiles across replications."""
        self._check(metric, team)
        g = self.monthly.loc[self.monthly["team"] == team].groupby("month")[metric]
        if self.running is None:
            return describe(g, confidence)
        q = g.quantile(list(QUANTILES)).unstack()
        q.columns = list(QUANTILE_NAMES)
        return self.running.frame(metric, team, confidence).join(q)

    def financial_years(self, team: str = "all", confidence: float = 0.95) -> pd.DataFrame:
        """Totals per UK financial year (April to March) of every flow and money column:
        one row per (financial year, metric) with mean, interval and quantiles, and the
        number of months of that year inside the horizon (part years are flagged)."""
        self._check("cost_total", team)
        totals = financial_year_totals(self.monthly[self.monthly["team"] == team])
        long = totals.melt(id_vars=["replication", "team", "financial_year", "months"],
                           var_name="metric")
        g = long.groupby(["financial_year", "months", "metric"], sort=True)["value"]
        return describe(g, confidence).reset_index()

    def kpis(self, targets=DEFAULT_TARGETS, *, budget: float | None = None,
             green: float = 0.8, amber: float = 0.5) -> pd.DataFrame:
        """Red/amber/green against targets, with the probability of meeting each.

        ``targets``: :class:`~workforce_sim.analysis.Target` objects (default:
        agency rate ≤ 20 %, caseload ≤ 18, no unallocated cases). ``budget``
        adds "total cost per financial year ≤ budget". The probability is the
        share of replications meeting the target, per month (or financial
        year); green at ``green`` or above, amber at ``amber`` or above, else red.
        Financial-year targets are grey (no probability) for years only partly
        inside the horizon.

        Parameters
        ----------
        targets : iterable of Target
            The targets; a target without a label is labelled from the column table
            (``Agency rate <= 20.0%``).
        budget : float, optional
            A yearly budget (£) for the total cost.
        green, amber : float
            The probabilities from which a target is green, or amber.

        Returns
        -------
        pandas.DataFrame
            One row per (target, period): ``target``, ``metric``, ``team``, ``period``,
            ``probability``, ``rag``.

        Raises
        ------
        ValueError
            If a financial-year target is set on a column that is not a flow.
        """
        targets = list(targets)
        if budget is not None:
            targets.append(Target("cost_total", budget, per="financial_year",
                                  label=f"total cost per financial year at most £{budget:,.0f}"))
        frames = []
        for t in targets:
            self._check(t.metric, t.team)
            c = find(t.metric)
            if t.per == "financial_year" and c is not None and c.across_months != "sum":
                raise ValueError(f"target {t.metric}: a financial-year target needs a flow "
                                 f"(a column totalled over the year), not a {c.kind}")
            df = self.monthly[self.monthly["team"] == t.team]
            if t.per == "financial_year":
                df = financial_year_totals(df)
                period = "financial_year"
            else:
                period = "month"
            ok = pd.Series(t.met(df[t.metric].to_numpy(dtype=float)), index=df.index)
            p = ok.groupby(df[period]).mean()
            if t.per == "financial_year":     # a part year cannot be held to a year's budget
                part = df.groupby(period)["months"].first() < 12
                p[part] = float("nan")
            frames.append(pd.DataFrame({
                "target": t.label or f"{label(t.metric)} {t.op} {format_value(t.metric, t.threshold)}",
                "metric": t.metric,
                "team": t.team, "period": p.index.astype(str), "probability": p.to_numpy(),
                "rag": [rag(x, green, amber) for x in p.to_numpy()],
            }))
        return pd.concat(frames, ignore_index=True)

    def headline(self, team: str = "all", months: tuple[int, ...] | None = None) -> pd.DataFrame:
        """The figures a service leader asks for first, at chosen month numbers: mean
        and 90 % range across replications.

        Each column is summarised as the column table says (``across_months``):
        stocks, ratios and statistics are the month-end value at that month; flows
        are totals over the 12 months to that month (labelled "in the 12 months").

        Parameters
        ----------
        team : str
            A team, or ``"all"`` (the whole service).
        months : tuple of int, optional
            Month numbers (1 = the first month); default month 12 and the last month.

        Returns
        -------
        pandas.DataFrame
            One row per (measure, month): ``measure`` (the label), ``metric``, ``month``,
            ``month_start``, ``mean``, ``q05``, ``q95``.
        """
        h = self.scenario.horizon_months
        months = months or tuple(sorted({min(12, h), h}))
        df = self.monthly.loc[self.monthly["team"] == team]
        month_no = df.groupby("replication").cumcount() + 1
        rows = []
        for metric in HEADLINE:
            c = column(metric)
            flow = c.across_months == "sum"
            measure = f"{c.label} in the 12 months" if flow else c.label
            for m in months:
                if flow:
                    window = df.loc[(month_no > m - 12) & (month_no <= m)]
                    values = window.groupby("replication")[metric].sum()
                else:
                    values = df.loc[month_no == m, metric]
                values = values.dropna()
                rows.append({"measure": measure, "metric": metric, "month": m,
                             "month_start": df.loc[month_no == m, "month"].iloc[0],
                             "mean": values.mean() if len(values) else math.nan,
                             "q05": values.quantile(0.05), "q95": values.quantile(0.95)})
        return pd.DataFrame(rows)

    # ------------------------------------------------------------ saving

    def save(self, folder: str | Path) -> Path:
        """Write ``monthly`` (CSV, and Parquet too if pyarrow is installed), the validated
        scenario and the provenance into ``folder``. Each file is written atomically and
        ``provenance.json`` last, so a folder without it is not a complete save."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "provenance.json").unlink(missing_ok=True)
        write_csv(folder / "monthly.csv", self.monthly)
        fmt = _write_table(self.monthly, folder / "monthly")
        if self.running is not None:
            self.running.save(folder / "running_summary.npz")
        write_json(folder / "scenario.json", self.scenario.to_dict())
        write_json(folder / "provenance.json", {**self.provenance, "monthly_format": fmt})
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read results written by :meth:`save` (the scenario is validated again)."""
        folder = Path(folder)
        prov_path = folder / "provenance.json"
        if not prov_path.is_file():
            raise FileNotFoundError(f"{folder}: no provenance.json, so not a complete saved run")
        prov = json.loads(prov_path.read_text(encoding="utf-8"))
        scenario = Scenario.from_dict(json.loads((folder / "scenario.json").read_text("utf-8")),
                                      str(folder / "scenario.json"))
        if prov.get("monthly_format") == "parquet":
            monthly = pd.read_parquet(folder / "monthly.parquet")
        else:
            monthly = pd.read_csv(folder / "monthly.csv", parse_dates=["month"])
        running = None
        if prov.get("summary_mode"):
            running = RunningSummary.load(folder / "running_summary.npz")
        return cls(monthly, scenario, prov["seed"], prov["replications"], running=running,
                   interrupted=prov.get("interrupted", False), created=prov.get("created", ""),
                   version=prov.get("workforce_sim", "unknown"))


def _write_table(frame: pd.DataFrame, stem: Path) -> str:
    """Parquet beside the CSV where pyarrow is installed; says which format to load."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{stem.name}.", suffix=".part", dir=stem.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, stem.with_suffix(".parquet"))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return "parquet"


HEADLINE = ("open_cases", "unallocated_cases", "caseload_mean", "workers_over_cap", "agency_rate",
            "vacancy_rate", "turnover_rate_12m", "referrals", "worker_changes", "cost_agency",
            "cost_total")
"""The headline's columns, in order; labels and summaries come from the column table."""
