"""Results of one replication (:class:`RunResult`) and of many (:class:`Results`)."""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workforce_sim._version import __version__
from workforce_sim.engine.recording.columns import INDEX, column, find
from workforce_sim.results.analysis import (
    DEFAULT_TARGETS,
    QUANTILE_NAMES,
    QUANTILES,
    RunningSummary,
    Target,
    agency_return,
    describe,
    financial_year_totals,
    rag,
)
from workforce_sim.results.formatting import format_value, label
from workforce_sim.results.money import price_base_label
from workforce_sim.results.store import (
    PROVENANCE,
    ResultsError,
    atomic_folder,
    atomic_write_file,
    read_provenance,
    unescape_formulas,
    write_csv,
    write_json,
    write_provenance,
)
from workforce_sim.scenario.errors import ScenarioError
from workforce_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class RunResult:
    """One replication, as :func:`simulate` returns it.

    Parameters
    ----------
    monthly : pandas.DataFrame
        One row per month and team, plus ``team == "all"`` for the whole service
        (the columns are listed in the model documentation).
    cases : pandas.DataFrame or None
        With ``case_log=True``, one row per allocation spell of a case; else None.
    scenario : Scenario
        The scenario that was run.
    seed : int
        The seed.
    replication : int
        The replication number.
    staff : pandas.DataFrame or None, default None
        With ``case_log=True``, one row per spell of a worker in one kind; else None.
    """

    monthly: pd.DataFrame
    cases: pd.DataFrame | None
    scenario: Scenario
    seed: int
    replication: int
    staff: pd.DataFrame | None = None


@dataclass(frozen=True)
class Results:
    """Many replications of one scenario, as :func:`run` returns them.

    ``monthly`` has one row per (replication, month, team), sorted. In summary
    mode (``run(..., keep="summary")``) it holds only the first
    ``keep_monthly`` replications, used for quantiles, while means and
    confidence intervals come from running sums over every replication.

    Parameters
    ----------
    monthly : pandas.DataFrame
        One row per (replication, month, team), ``team == "all"`` for the whole service.
    scenario : Scenario
        The scenario that was run.
    seed : int
        The seed.
    replications : int
        How many replications finished (fewer than asked for if interrupted).
    running : RunningSummary or None, default None
        Running sums over every replication, in summary mode; else None.
    interrupted : bool, default False
        Whether the run was interrupted before every replication finished.
    replications_requested : int or None, default None
        How many replications were asked for (None: as many as finished).
    created : str, optional
        When the results were made (ISO 8601, UTC); default now.
    version : str, optional
        The version of workforce_sim that ran it; default this one.
    """

    monthly: pd.DataFrame
    scenario: Scenario
    seed: int
    replications: int
    running: RunningSummary | None = None
    interrupted: bool = False
    replications_requested: int | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    version: str = __version__       # of the package that ran it

    # ------------------------------------------------------------ provenance

    @property
    def provenance(self) -> dict[str, Any]:
        """What these results are: scenario name, seed, replications done and requested,
        whether interrupted, the version that ran them, when, and whether in summary mode."""
        requested = self.replications_requested or self.replications
        return {"kind": "run", "scenario_name": self.scenario.name, "seed": self.seed,
                "replications": self.replications, "replications_requested": requested,
                "interrupted": self.interrupted, "workforce_sim": self.version,
                "created": self.created, "summary_mode": self.running is not None,
                "price_base": self.price_base}

    @property
    def price_base(self) -> str:
        """What the money columns are in: "£, cash" or "£, 2025-26 prices, GDP deflator
        (estimated)"."""
        return price_base_label(self.scenario)

    @property
    def teams(self) -> list[str]:
        """The team names in ``monthly``, in order of appearance (``"all"`` among them)."""
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
        5/25/50/75/95 % quantiles across replications.

        Parameters
        ----------
        metric : str
            A column of ``monthly``, such as ``"agency_rate"``.
        team : str, default "all"
            A team's name, or ``"all"`` for the whole service.
        confidence : float, default 0.95
            The confidence level of the interval.

        Returns
        -------
        pandas.DataFrame
            Indexed by month: ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high``,
            ``q05``, ``q25``, ``q50``, ``q75``, ``q95``.

        Raises
        ------
        KeyError
            If there is no such column or team (the message lists those there are).
        """
        self._check(metric, team)
        g = self.monthly.loc[self.monthly["team"] == team].groupby("month")[metric]
        if self.running is None:
            return describe(g, confidence)
        q = g.quantile(list(QUANTILES)).unstack()
        q.columns = list(QUANTILE_NAMES)
        return self.running.frame(metric, team, confidence).join(q)

    def financial_years(self, team: str = "all", confidence: float = 0.95) -> pd.DataFrame:
        """Totals per UK financial year (April to March) of every flow and money column,
        with the number of months of that year inside the horizon (part years are
        flagged by it).

        Parameters
        ----------
        team : str, default "all"
            A team's name, or ``"all"`` for the whole service.
        confidence : float, default 0.95
            The confidence level of the interval.

        Returns
        -------
        pandas.DataFrame
            One row per (financial year, metric): ``financial_year``, ``months``,
            ``metric``, then mean, interval and quantiles as in :meth:`summary`.

        Raises
        ------
        KeyError
            If there is no such team.
        """
        self._check("cost_total", team)
        totals = financial_year_totals(self.monthly[self.monthly["team"] == team])
        long = totals.melt(id_vars=["replication", "team", "financial_year", "months"],
                           var_name="metric")
        g = long.groupby(["financial_year", "months", "metric"], sort=True)["value"]
        return describe(g, confidence).reset_index()

    def agency_return(self) -> pd.DataFrame:
        """The council's quarterly agency data return by role, as the DfE's agency rules
        ask councils to send it (S8), simulated: see
        :func:`~workforce_sim.results.analysis.agency_return`.

        Returns
        -------
        pandas.DataFrame
            One row per financial quarter and role with agency work: FTE at the quarter's
            end, assignments started and above the cap, FTE-days, spend (and above the
            cap) and the mean day rate, each the mean over replications.
        """
        roles: dict[str, str] = {name: team.role for name, team in self.scenario.teams.items()}
        return agency_return(self.monthly, roles,
                             self.scenario.workforce.agency.billable_days_per_year)

    def kpis(self, targets=DEFAULT_TARGETS, *, budget: float | None = None,
             green: float = 0.8, amber: float = 0.5) -> pd.DataFrame:
        """Red/amber/green against targets, with the probability of meeting each.

        The probability is the share of replications meeting the target, per month
        (or financial year); green at ``green`` or above, amber at ``amber`` or
        above, else red. Financial-year targets are grey (no probability) for years
        only partly inside the horizon.

        Parameters
        ----------
        targets : iterable of Target, optional
            The targets; default agency rate at most 20 %, caseload (cases per
            case-holding FTE) at most 18, no unallocated cases. A target without a label is labelled from
            the column table (``Agency rate <= 20.0%``).
        budget : float, optional
            Adds the target "total cost per financial year at most ``budget``" (£).
        green : float, default 0.8
            The probability from which a target is green.
        amber : float, default 0.5
            The probability from which a target is amber.

        Returns
        -------
        pandas.DataFrame
            One row per target and period: ``target`` (its label), ``metric``,
            ``team``, ``period``, ``probability``, ``rag`` (``"green"``,
            ``"amber"``, ``"red"`` or ``"grey"``).

        Raises
        ------
        KeyError
            If a target names a column or team that is not there.
        ValueError
            If a financial-year target is set on a column that is not a flow.
        """
        targets = list(targets)
        if budget is not None:
            targets.append(Target("cost_total", budget, per="financial_year",
                                  label=f"total cost per financial year at most £{budget:,.0f} "
                                        f"({self.price_base})"))
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
        team : str, default "all"
            A team's name, or ``"all"`` for the whole service.
        months : tuple of int, optional
            Month numbers (1 = the first month); default month 12 and the last month.

        Returns
        -------
        pandas.DataFrame
            One row per measure and month: ``measure`` (in words), ``metric``,
            ``month``, ``month_start``, ``mean``, ``q05``, ``q95``.
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
            if c.unit == "£":
                measure += f" ({self.price_base})"
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
        """Write these results into ``folder``, whole.

        The files (see :meth:`write_files`) go into a new temporary folder
        beside ``folder``, ``provenance.json`` last with the sha256 of every
        file, and that folder then replaces ``folder`` (see
        :class:`~workforce_sim.results.store.atomic_folder`): an interrupted
        or failed save leaves the previous ``folder`` as it was.

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

    def write_files(self, folder: str | Path, **record: Any) -> Path:
        """Write ``monthly`` (CSV, and Parquet too if pyarrow is installed), the running
        sums in summary mode, the validated scenario and, last, ``provenance.json``
        with the sha256 of every file then in ``folder`` (files written there before,
        such as a report, included).

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
        (folder / PROVENANCE).unlink(missing_ok=True)
        write_csv(folder / "monthly.csv", self.monthly)
        fmt = _write_table(self.monthly, folder / "monthly")
        if self.running is not None:
            self.running.save(folder / "running_summary.npz")
        write_json(folder / "scenario.json", self.scenario.to_dict())
        write_provenance(folder, {**self.provenance, "monthly_format": fmt, **record})
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read results written by :meth:`save`, checking them first.

        Parameters
        ----------
        folder : str or Path

        Returns
        -------
        Results
            With the scenario validated again. A warning says so when another
            version of workforce_sim saved them.

        Raises
        ------
        ResultsError
            The message names the file and what is wrong: no (complete)
            provenance, another format version, a file changed since it was
            saved (sha256), a provenance without its fields, a table that
            cannot be read or lacks columns, or counts that do not agree.
        """
        folder = Path(folder)
        prov = read_provenance(folder, kind="run")
        where = folder / PROVENANCE
        _check_provenance(prov, where)
        if prov["workforce_sim"] != __version__:
            warnings.warn(f"{where}: saved by workforce_sim {prov['workforce_sim']}; this is "
                          f"{__version__}", stacklevel=2)
        scenario = _load_scenario(folder / "scenario.json")
        monthly = _load_monthly(folder, prov["monthly_format"])
        running = None
        if prov["summary_mode"]:
            path = folder / "running_summary.npz"
            try:
                running = RunningSummary.load(path)
                n = int(running.n.max()) if running.n is not None and running.n.size else 0
            except Exception as exc:  # noqa: BLE001 - any damage is one clear error
                raise ResultsError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") \
                    from None
            if n != prov["replications"]:
                raise ResultsError(f"{path}: holds {n} replications, but {where} says "
                                   f"{prov['replications']}")
        reps = monthly["replication"].nunique()
        if (reps != prov["replications"]) if running is None else (reps > prov["replications"]):
            raise ResultsError(f"{folder / 'monthly.csv'}: holds {reps} replications, but "
                               f"{where} says {prov['replications']}")
        return cls(monthly, scenario, prov["seed"], prov["replications"], running=running,
                   interrupted=prov["interrupted"],
                   replications_requested=prov.get("replications_requested", prov["replications"]),
                   created=prov["created"], version=prov["workforce_sim"])


#: Fields of a run's provenance and their type (``replications_requested`` optional).
_PROVENANCE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "scenario_name": str, "seed": int, "replications": int, "interrupted": bool,
    "workforce_sim": str, "created": str, "summary_mode": bool, "monthly_format": str}

#: Columns every saved monthly table has.
REQUIRED_COLUMNS = ("replication", "month", "team")


def _check_provenance(prov: dict, where: Path) -> None:
    for name, kind in _PROVENANCE_FIELDS.items():
        if name not in prov:
            raise ResultsError(f"{where}: no {name!r}")
        value = prov[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ResultsError(f"{where}: {name} = {value!r}: expected {_TYPE_WORDS[kind]}")
    if prov["seed"] < 0:
        raise ResultsError(f"{where}: seed = {prov['seed']}: expected a whole number >= 0")
    if prov["replications"] < 1:
        raise ResultsError(f"{where}: replications = {prov['replications']}: expected a whole "
                           "number >= 1")
    requested = prov.get("replications_requested", prov["replications"])
    if isinstance(requested, bool) or not isinstance(requested, int) \
            or requested < prov["replications"]:
        raise ResultsError(f"{where}: replications_requested = {requested!r}: expected a whole "
                           f"number >= replications ({prov['replications']})")
    if prov["monthly_format"] not in ("csv", "parquet"):
        raise ResultsError(f"{where}: monthly_format = {prov['monthly_format']!r}: expected "
                           "'csv' or 'parquet'")
    needed = ["scenario.json", "monthly.csv"]
    if prov["monthly_format"] == "parquet":
        needed.append("monthly.parquet")
    if prov["summary_mode"]:
        needed.append("running_summary.npz")
    for name in needed:
        if name not in prov["files"]:
            raise ResultsError(f"{where}: does not list {name} among its files")


_TYPE_WORDS: dict[type | tuple[type, ...], str] = {
    str: "text", int: "a whole number", bool: "true or false"}


def _load_scenario(path: Path) -> Scenario:
    try:
        data = json.loads(path.read_text("utf-8"))
        return Scenario.from_dict(data, str(path))
    except ScenarioError as exc:
        raise ResultsError(f"{path}: not a valid scenario: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any damage is one clear error
        raise ResultsError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None


def _load_monthly(folder: Path, fmt: str) -> pd.DataFrame:
    path = folder / ("monthly.parquet" if fmt == "parquet" else "monthly.csv")
    try:
        if fmt == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:                 # the CSV beside it holds the same table
                path = folder / "monthly.csv"
        if path.suffix == ".parquet":
            monthly = pd.read_parquet(path)
        else:
            header = pd.read_csv(path, nrows=0).columns
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise ResultsError(f"{path}: no column {', '.join(map(repr, missing))}")
            monthly = unescape_formulas(pd.read_csv(path, parse_dates=["month"]))
    except ResultsError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage is one clear error
        raise ResultsError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in monthly.columns]
    if missing:
        raise ResultsError(f"{path}: no column {', '.join(map(repr, missing))}")
    if not (monthly["team"] == "all").any():
        raise ResultsError(f"{path}: no rows for team 'all' (the whole service)")
    return monthly


def _write_table(frame: pd.DataFrame, stem: Path) -> str:
    """Parquet beside the CSV where pyarrow is installed; says which format to load."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    atomic_write_file(stem.with_suffix(".parquet"), lambda tmp: frame.to_parquet(tmp, index=False))
    return "parquet"


HEADLINE = ("open_cases", "unallocated_cases", "caseload", "workers_over_cap", "agency_rate",
            "vacancy_rate", "turnover_rate", "referrals", "worker_changes", "cost_agency",
            "cost_total")
"""The headline's columns, in order; labels and summaries come from the column table."""
