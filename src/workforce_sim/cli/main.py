"""The ``workforce-sim`` command.

Exit codes: 0 success; 2 bad input (the message says what and where, nothing
is written); 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import pandas as pd

from workforce_sim._version import __version__
from workforce_sim.experiment.comparison import at_month, compare, horizon_total, sweep
from workforce_sim.experiment.runner import run
from workforce_sim.outputs.report import build_comparison_report, write_report
from workforce_sim.outputs.workbook import write_workbook
from workforce_sim.results.formatting import format_value
from workforce_sim.results.store import write_csv, write_text
from workforce_sim.results.tables import Results
from workforce_sim.scenario.errors import ScenarioError
from workforce_sim.scenario.schema import Scenario, load_scenario, shipped_scenarios


class BadInput(Exception):
    """Input refused before anything ran (exit code 2)."""


def parse_set(items: list[str]) -> dict:
    """``["a.b=3", "c=[1, 2]"]`` → ``{"a.b": 3, "c": [1, 2]}``; values are TOML, else text."""
    changes = {}
    for item in items:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise BadInput(f"--set {item!r}: expected path=value, e.g. teams.assessment.caseload_cap=20")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        changes[path.strip()] = value
    return changes


def scenario_from_args(args) -> Scenario:
    scenario = load_scenario(args.scenario)
    if args.set:
        where = f"{args.scenario or 'default scenario'} with --set"
        scenario = scenario.with_changes(parse_set(args.set), source=where)
    return scenario


def format_headline(results: Results, team: str = "all") -> str:
    """The headline table as aligned text (what ``workforce-sim run`` prints)."""
    table = results.headline(team)
    s = results.scenario
    months = sorted(table["month"].unique())
    rows = [["Whole service" if team == "all" else f"Team {team}",
             *(f"{_month_label(s, m)} (month {m})" for m in months)],
            ["", *("mean  [90% range]" for _ in months)]]
    for measure, part in table.groupby("measure", sort=False):
        cells = [measure]
        for _, r in part.sort_values("month").iterrows():
            m = r["metric"]
            cells.append(f"{_fmt(r['mean'], m)}  [{_fmt(r['q05'], m)} to {_fmt(r['q95'], m)}]")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    body = ["  ".join([r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))])
            for r in rows]
    head = [f"workforce_sim {__version__}: {s.name}",
            f"{results.replications} replications, seed {results.seed}, "
            f"{s.start_date:%b %Y} to {_month_label(s, s.horizon_months)} ({s.horizon_months} months)",
            ""]
    return "\n".join(head + body)


def _month_label(s: Scenario, m: int) -> str:
    from workforce_sim.scenario.calendar import add_months
    return f"{add_months(s.start_date, m - 1):%b %Y}"


def _fmt(x: float, metric: str | None) -> str:
    """``x`` in the unit of column ``metric`` (``11.4%``, ``£2.13m``, ``754.1``)."""
    return format_value(metric, x)


# --------------------------------------------------------------------- commands


def _check_run_args(args) -> None:
    if args.replications < 1:
        raise BadInput(f"--replications {args.replications}: expected a whole number >= 1")
    if args.seed < 0:
        raise BadInput(f"--seed {args.seed}: expected a whole number >= 0")
    if args.workers is not None and args.workers < 1:
        raise BadInput(f"--workers {args.workers}: expected a whole number >= 1")


def _run_options(args) -> dict:
    return {"workers": args.workers, "progress": False if args.quiet else None}


def cmd_run(args) -> int:
    scenario = scenario_from_args(args)
    _check_run_args(args)
    results = run(scenario, args.replications, args.seed, **_run_options(args))
    text = format_headline(results)
    out = Path(args.out)
    write_csv(out / "financial_years.csv", results.financial_years())
    write_csv(out / "kpis.csv", results.kpis())
    write_text(out / "summary.txt", text + "\n")
    write_report(results, out / "report.html")
    wrote = "report.html"
    try:
        write_workbook(results, out / "workbook.xlsx")
        wrote += ", workbook.xlsx"
    except ImportError:
        pass                                 # openpyxl is optional: no workbook
    results.save(out)                       # provenance.json last: the run is complete
    print(text)
    print(f"\nWrote {wrote}, monthly, financial_years, kpis, summary, scenario and "
          f"provenance to {out}/")
    return 0


def cmd_report(args) -> int:
    folder = Path(args.folder)
    try:
        results = Results.load(folder)
    except FileNotFoundError as exc:
        raise BadInput(str(exc)) from None
    path = write_report(results, folder / "report.html", budget=args.budget)
    print(f"Wrote {path}")
    return 0


COMPARE_OUTPUTS = (
    ("agency spend over the horizon (£)", lambda: horizon_total("cost_agency")),
    ("total cost over the horizon (£)", lambda: horizon_total("cost_total")),
    ("agency rate at the end", lambda: at_month("agency_rate")),
    ("vacancy rate at the end", lambda: at_month("vacancy_rate")),
    ("caseload at the end", lambda: at_month("caseload_mean")),
    ("unallocated cases at the end", lambda: at_month("unallocated_cases")),
    ("changes of social worker over the horizon", lambda: horizon_total("worker_changes")),
)


def _per_output(tabulate) -> pd.DataFrame:
    """``tabulate(output)`` for each of the standard outputs, stacked with an ``output`` column."""
    tables = []
    for label, make in COMPARE_OUTPUTS:
        t = tabulate(make())
        t.insert(0, "output", label)
        tables.append(t)
    return pd.concat(tables, ignore_index=True)


def cmd_compare(args) -> int:
    names = [Path(p).stem for p in args.scenarios]
    if len(set(names)) != len(names):
        raise BadInput("compare: scenario file names must differ (they name the scenarios)")
    changes = parse_set(args.set) if args.set else {}
    scenarios = {}
    for name, path in zip(names, args.scenarios, strict=True):
        s = load_scenario(path)
        scenarios[name] = s.with_changes(changes, source=f"{path} with --set") if changes else s
    if args.baseline and args.baseline not in scenarios:
        raise BadInput(f"--baseline {args.baseline!r}: expected one of {', '.join(names)}")
    _check_run_args(args)
    comp = compare(scenarios, args.replications, args.seed, baseline=args.baseline,
                   **_run_options(args))
    diffs = _per_output(comp.differences)
    out = Path(args.out)
    for name, res in comp.results.items():
        write_report(res, out / name / "report.html")
        res.save(out / name)
    write_csv(out / "differences.csv", diffs)
    write_text(out / "report.html", build_comparison_report(comp, diffs))
    text = _format_differences(diffs, comp.baseline, args)
    write_text(out / "summary.txt", text + "\n")
    print(text)
    print(f"\nWrote report.html, differences.csv, summary.txt and one folder per scenario "
          f"to {out}/")
    return 0


def _format_differences(diffs: pd.DataFrame, baseline: str, args) -> str:
    """The paired differences as text, each output in its column's unit.

    Parameters
    ----------
    diffs : pandas.DataFrame
        ``_per_output(comparison.differences)``: one row per (output, scenario).
    baseline : str
        The scenario the others are compared with.
    args : argparse.Namespace
        The command's arguments (replications, seed).

    Returns
    -------
    str
    """
    columns = {label: getattr(make(), "column", None) for label, make in COMPARE_OUTPUTS}
    lines = [f"workforce_sim {__version__}: comparison against {baseline!r}",
             f"{args.replications} replications each, seed {args.seed}, common random numbers; "
             "paired 95 % confidence intervals", ""]
    for output, part in diffs.groupby("output", sort=False):
        lines.append(output)
        m = columns.get(output)
        for _, r in part.iterrows():
            mean = format_value(m, r["mean"])
            if r["scenario"] == baseline:
                lines.append(f"  {r['scenario']:<32} {mean:>16}")
            else:
                lines.append(f"  {r['scenario']:<32} {mean:>16}   difference "
                             f"{format_value(m, r['difference'], signed=True)} "
                             f"[{format_value(m, r['paired_ci_low'], signed=True)} to "
                             f"{format_value(m, r['paired_ci_high'], signed=True)}]")
    return "\n".join(lines)


def parse_vary(items: list[str]) -> dict[str, list]:
    """``["a.b=1,2,3"]`` → ``{"a.b": [1, 2, 3]}``; values are TOML (``[12],[25]`` for lists)."""
    grid = {}
    for item in items:
        path, sep, text = item.partition("=")
        if not sep or not path.strip() or not text.strip():
            raise BadInput(f"--vary {item!r}: expected path=v1,v2,..., e.g. "
                           "recruitment.success_probability=0.1,0.2")
        try:
            values = tomllib.loads(f"v = [{text}]")["v"]
        except tomllib.TOMLDecodeError:
            values = [v.strip() for v in text.split(",")]
        grid[path.strip()] = values
    return grid


def cmd_sweep(args) -> int:
    scenario = scenario_from_args(args)
    if not args.vary:
        raise BadInput("sweep: give at least one --vary path=v1,v2,...")
    grid = parse_vary(args.vary)
    _check_run_args(args)
    result = sweep(scenario, grid, args.replications, args.seed, **_run_options(args))
    table = _per_output(result.table)
    out = Path(args.out)
    write_csv(out / "sweep.csv", table)
    text = table.to_string(index=False, float_format=lambda x: f"{x:,.3f}")
    write_text(out / "summary.txt", text + "\n")
    print(text)
    print(f"\nWrote sweep.csv and summary.txt to {out}/")
    return 0


def cmd_validate(args) -> int:
    s = scenario_from_args(args)
    staff = sum(g.count for t in s.teams.values() for k in ("permanent", "nqsw", "agency")
                for g in getattr(t.staff, k))
    print(f"OK: {s.name!r}: {len(s.teams)} teams, {len(s.case_types)} case types, "
          f"{staff} workers, {s.horizon_months} months from {s.start_date}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="workforce-sim",
        description="Simulate a children's social work workforce: caseloads, vacancies, "
        "agency cover and costs.",
    )
    p.add_argument("--version", action="version", version=f"workforce_sim {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def scenario_args(sp):
        sp.add_argument("scenario", nargs="?", default=None,
                        help="scenario TOML file (default: the built-in Herefordshire 2025 "
                        f"baseline; shipped: {', '.join(shipped_scenarios())})")
        sp.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value, e.g. --set teams.assessment.caseload_cap=20 "
                        "(repeatable; values are TOML)")

    def run_args(sp, out):
        sp.add_argument("--replications", "-n", type=int, default=20,
                        help="replications (default 20)")
        sp.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
        sp.add_argument("--workers", "-w", type=int, default=None,
                        help="worker processes (default: one per core)")
        sp.add_argument("--out", "-o", default=out, help=f"output folder (default ./{out})")
        sp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    r = sub.add_parser("run", help="run replications and write tables and a summary")
    scenario_args(r)
    run_args(r, "workforce-sim-output")
    r.set_defaults(func=cmd_run)

    c = sub.add_parser("compare", help="compare scenarios on common random numbers")
    c.add_argument("scenarios", nargs="+", help="two or more scenario files (or shipped names)")
    c.add_argument("--baseline", help="the scenario the others are compared with "
                   "(its file name without .toml; default the first)")
    c.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a value in every scenario (repeatable)")
    run_args(c, "workforce-sim-compare")
    c.set_defaults(func=cmd_compare)

    w = sub.add_parser("sweep", help="run a scenario over a grid of values")
    scenario_args(w)
    w.add_argument("--vary", action="append", default=[], metavar="PATH=V1,V2,...",
                   help="values to try at a path, e.g. recruitment.success_probability=0.1,0.2 "
                   "(repeatable: the grid is every combination)")
    run_args(w, "workforce-sim-sweep")
    w.set_defaults(func=cmd_sweep)

    rp = sub.add_parser("report", help="rebuild report.html from a saved run's folder")
    rp.add_argument("folder", help="a folder written by 'workforce-sim run'")
    rp.add_argument("--budget", type=float, default=None,
                    help="yearly budget (£) to add as a target")
    rp.set_defaults(func=cmd_report)

    v = sub.add_parser("validate", help="check a scenario file and say what is wrong")
    scenario_args(v)
    v.set_defaults(func=cmd_validate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())


