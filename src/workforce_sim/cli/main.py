"""The ``workforce-sim`` command.

Exit codes: 0 success; 2 bad input (the message says what and where, nothing
is written); 130 interrupted (Ctrl-C or SIGTERM; the message says what was
kept); 1 anything else. Never a traceback.

Every command that writes a folder writes it whole (``atomic_folder``): into a
new temporary folder beside it, ``provenance.json`` last with the sha256 of
every file, then swapped in; a failure or an interruption leaves the previous
folder as it was. The simulation runner and the outputs (matplotlib, openpyxl)
are imported inside the commands, so that ``--help`` and ``validate`` do not load
them (pandas still comes with the ``workforce_sim`` package itself).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import tomllib
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from workforce_sim._version import __version__
from workforce_sim.cli.library import Library
from workforce_sim.data import DataError
from workforce_sim.results.formatting import bands_meaning, format_value
from workforce_sim.results.money import price_base_label
from workforce_sim.results.store import (
    PROVENANCE,
    ResultsError,
    atomic_folder,
    atomic_write,
    is_output_folder,
    read_provenance,
    safe_filename,
    write_csv,
    write_provenance,
    write_text,
)
from workforce_sim.scenario import Scenario, load_scenario, shipped_scenarios
from workforce_sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from workforce_sim.results.tables import Results


class BadInput(Exception):
    """Input refused before anything ran (exit code 2)."""


def parse_set(items: list[str]) -> dict[str, Any]:
    """``["a.b=3", "c=[1, 2]"]`` → ``{"a.b": 3, "c": [1, 2]}``; values are TOML, else text."""
    changes: dict[str, Any] = {}
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


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its ``--set`` changes."""
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
    return "\n".join(head + body + ["", bands_meaning(s)])


def _month_label(s: Scenario, m: int) -> str:
    from workforce_sim.scenario.calendar import add_months
    return f"{add_months(s.start_date, m - 1):%b %Y}"


def _fmt(x: float, metric: str | None) -> str:
    """``x`` in the unit of column ``metric`` (``11.4%``, ``£2.13m``, ``754.1``)."""
    return format_value(metric, x)


# --------------------------------------------------------------------- commands


def _check_run_args(args: argparse.Namespace) -> None:
    if args.replications < 1:
        raise BadInput(f"--replications {args.replications}: expected a whole number >= 1")
    if args.seed < 0:
        raise BadInput(f"--seed {args.seed}: expected a whole number >= 0")
    if args.workers is not None and args.workers < 1:
        raise BadInput(f"--workers {args.workers}: expected a whole number >= 1")


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"workers": args.workers, "progress": False if args.quiet else None}


def check_out(text: str, flag: str = "--out") -> Path:
    """Check an output folder before anything runs.

    Parameters
    ----------
    text : str
        The folder as the user gave it.
    flag : str
        How the user gave it, for the message.

    Returns
    -------
    Path
        The folder, absolute.

    Raises
    ------
    BadInput
        Empty, a file, a name longer than the filesystem allows, the current
        folder (or one holding it), a folder inside another output, a symbolic
        link, a folder holding files workforce-sim did not write (it is replaced
        whole), or a place that cannot be written.
    """
    what = f"{flag} {text!r}"
    if not text.strip():
        raise BadInput(f"{what}: expected a folder path")
    if "\0" in text:
        raise BadInput(f"{what}: contains a NUL character; expected a folder path")
    path = Path(os.path.abspath(text))
    if path.parent == path:
        raise BadInput(f"{what}: expected a folder below the root of the filesystem")
    cwd = Path.cwd()
    if path == cwd or path in cwd.parents:
        raise BadInput(f"{what}: is the current folder or holds it; expected another folder "
                       "(an output folder is replaced whole)")
    ancestor = path.parent
    while not ancestor.exists() and ancestor.parent != ancestor:
        ancestor = ancestor.parent
    name_max, path_max = _limits(ancestor)
    for part in path.parts[1:]:
        if len(os.fsencode(part)) > name_max:
            raise BadInput(f"{what}: the name {part[:24]!r}... is {len(os.fsencode(part))} "
                           f"bytes long; expected at most {name_max}")
    if len(os.fsencode(str(path))) + 64 > path_max:
        raise BadInput(f"{what}: the path is {len(os.fsencode(str(path)))} bytes long; "
                       f"expected at most {path_max - 64}")
    inside = next((p for p in path.parents if (p / PROVENANCE).is_file()), None)
    if inside is not None:            # writing there would break that output's file hashes
        raise BadInput(f"{what}: is inside the output in {inside}/ (it has a {PROVENANCE}); "
                       "expected a folder outside any other output")
    if path.is_symlink():             # the swap would replace the link, not what it points to
        raise BadInput(f"{what}: is a symbolic link; expected the folder itself")
    _target.append(path)
    if path.exists():
        if not path.is_dir():
            raise BadInput(f"{what}: is a file; expected a folder")
        if not is_output_folder(path):
            raise BadInput(f"{what}: holds files workforce-sim did not write (no {PROVENANCE}); "
                           "expected a new folder, an empty one or an earlier output "
                           "(it is replaced whole)")
    if not ancestor.is_dir():
        raise BadInput(f"{what}: {ancestor} is a file; expected a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise BadInput(f"{what}: cannot write in {ancestor}; expected a folder you can write to")
    return path


def _limits(folder: Path) -> tuple[int, int]:
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):      # Windows, or no answer
        return 255, 4096


#: The folder being written by this command, for the message if it is interrupted.
_writing: list[atomic_folder] = []
#: The folder this command will write (checked by check_out), for the same message.
_target: list[Path] = []


def _write_folder(out: Path) -> atomic_folder:
    folder = atomic_folder(out)
    _writing.append(folder)
    return folder


def _interrupted(done: int, requested: int, out: Path) -> int:
    print(f"interrupted: kept the {done} of {requested} replications that had finished and "
          f"wrote them to {out}/ ({PROVENANCE} says interrupted)", file=sys.stderr)
    return 130


def cmd_run(args: argparse.Namespace) -> int:
    """``workforce-sim run``: replications of one scenario, written to ``--out``."""
    scenario = scenario_from_args(args)
    _check_run_args(args)
    out = check_out(args.out)

    lib = args.library
    results = lib.run(scenario, args.replications, args.seed, **_run_options(args))
    interrupted = results.interrupted
    requested = results.replications_requested or args.replications
    text = format_headline(results)
    wrote = "report.html"
    with _write_folder(out) as tmp:
        write_csv(tmp / "financial_years.csv", results.financial_years())
        write_csv(tmp / "kpis.csv", results.kpis())
        write_csv(tmp / "agency_return.csv", results.agency_return())
        write_text(tmp / "summary.txt", text + "\n")
        lib.write_report(results, tmp / "report.html")
        try:
            lib.write_workbook(results, tmp / "workbook.xlsx")
            wrote += ", workbook.xlsx"
        except ImportError:
            pass                             # openpyxl is optional: no workbook
        results.write_files(tmp, interrupted=interrupted, replications_requested=requested)
    print(text)
    print(f"\nWrote {wrote}, monthly, financial_years, kpis, agency_return, summary, scenario "
          f"and provenance to {out}/")
    if interrupted:
        return _interrupted(results.replications, requested, out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``workforce-sim report``: rebuild ``report.html`` in a saved run's folder."""
    from workforce_sim.results.tables import Results

    folder = Path(args.folder)
    results = Results.load(folder)
    prov = read_provenance(folder)
    out = check_out(args.folder, flag="folder")
    with _write_folder(out) as tmp:
        shutil.copytree(out, tmp, dirs_exist_ok=True, symlinks=True,
                        ignore=shutil.ignore_patterns(PROVENANCE))
        args.library.write_report(results, tmp / "report.html", budget=args.budget)
        write_provenance(tmp, {k: v for k, v in prov.items()
                               if k not in ("files", "format_version")})
    print(f"Wrote {out / 'report.html'}")
    return 0


#: The standard outputs of ``compare`` and ``sweep``: label, statistic of
#: :mod:`workforce_sim.experiment.comparison`, metric.
COMPARE_OUTPUTS = (
    ("agency spend over the horizon (£)", "horizon_total", "cost_agency"),
    ("total cost over the horizon (£)", "horizon_total", "cost_total"),
    ("agency rate at the end", "at_month", "agency_rate"),
    ("vacancy rate at the end", "at_month", "vacancy_rate"),
    ("caseload at the end", "at_month", "caseload"),
    ("unallocated cases at the end", "at_month", "unallocated_cases"),
    ("changes of social worker over the horizon", "horizon_total", "worker_changes"),
)


def _priced(table: pd.DataFrame, price_base: str) -> pd.DataFrame:
    """The standard outputs' labels with what their money is in ("(£)" becomes "(£, cash)")."""
    return table.assign(output=table["output"].str.replace("(£)", f"({price_base})",
                                                           regex=False))


def _per_output(tabulate: Callable[[Any], pd.DataFrame]) -> pd.DataFrame:
    """``tabulate(output)`` for each of the standard outputs, stacked with an ``output`` column."""
    import pandas as pd

    from workforce_sim.experiment import comparison

    tables = []
    for label, statistic, metric in COMPARE_OUTPUTS:
        t = tabulate(getattr(comparison, statistic)(metric))
        t.insert(0, "metric", metric)
        t.insert(0, "output", label)
        tables.append(t)
    return pd.concat(tables, ignore_index=True)


def _folder_record(kind: str, args: argparse.Namespace, **items: Any) -> dict[str, Any]:
    return {"kind": kind, "workforce_sim": __version__, "seed": args.seed,
            "replications_requested": args.replications,
            "created": datetime.now(UTC).isoformat(timespec="seconds"), **items}


def cmd_compare(args: argparse.Namespace) -> int:
    """``workforce-sim compare``: scenarios on common random numbers, written to ``--out``."""
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
    out = check_out(args.out)
    folders: dict[str, str] = {}
    taken = {"report.html", "differences.csv", "summary.txt", PROVENANCE}
    for name in names:                       # user text: made safe, one folder each
        folders[name] = safe_filename(name, taken)
        taken.add(folders[name])

    lib = args.library
    comp = lib.compare(scenarios, args.replications, args.seed, baseline=args.baseline,
                   **_run_options(args))
    diffs = _priced(_per_output(comp.differences), comp.results[comp.baseline].price_base)
    text = _format_differences(diffs, comp.baseline, args)
    interrupted = comp.interrupted
    with _write_folder(out) as tmp:
        for name, res in comp.results.items():
            lib.write_report(res, tmp / folders[name] / "report.html")
            res.write_files(tmp / folders[name], interrupted=res.interrupted,
                            replications_requested=args.replications)
        write_csv(tmp / "differences.csv", diffs)
        write_text(tmp / "report.html", lib.build_comparison_report(comp, diffs, folders))
        write_text(tmp / "summary.txt", text + "\n")
        write_provenance(tmp, _folder_record("comparison", args, baseline=comp.baseline,
                                             scenarios={n: folders[n] for n in comp.results},
                                             interrupted=interrupted))
    print(text)
    print(f"\nWrote report.html, differences.csv, summary.txt and one folder per scenario "
          f"to {out}/")
    if interrupted:
        done = min(r.replications for r in comp.results.values())
        return _interrupted(done, args.replications, out)
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
    columns = {label: metric for label, _, metric in COMPARE_OUTPUTS}
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


def parse_vary(items: list[str]) -> dict[str, list[Any]]:
    """``["a.b=1,2,3"]`` → ``{"a.b": [1, 2, 3]}``; values are TOML (``[12],[25]`` for lists)."""
    grid: dict[str, list[Any]] = {}
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


def cmd_sweep(args: argparse.Namespace) -> int:
    """``workforce-sim sweep``: a scenario over a grid of values, written to ``--out``."""
    scenario = scenario_from_args(args)
    if not args.vary:
        raise BadInput("sweep: give at least one --vary path=v1,v2,...")
    grid = parse_vary(args.vary)
    _check_run_args(args)
    out = check_out(args.out)

    result = args.library.sweep(scenario, grid, args.replications, args.seed, **_run_options(args))
    table = _priced(_per_output(result.table), price_base_label(scenario))
    shown = table.copy()             # each output in its own unit; the CSV keeps the numbers
    for c in ("mean", "ci_low", "ci_high"):
        shown[c] = [format_value(m, x) for m, x in zip(shown["metric"], shown[c], strict=True)]
    text = shown.to_string(index=False)
    interrupted = result.interrupted
    with _write_folder(out) as tmp:
        write_csv(tmp / "sweep.csv", table)
        write_text(tmp / "summary.txt", text + "\n")
        write_provenance(tmp, _folder_record("sweep", args, scenario_name=scenario.name,
                                             grid=grid, interrupted=interrupted))
    print(text)
    print(f"\nWrote sweep.csv and summary.txt to {out}/")
    if interrupted:
        print("interrupted: the sweep stopped early; what finished is in "
              f"{out}/ ({PROVENANCE} says interrupted)", file=sys.stderr)
        return 130
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """``workforce-sim backtest``: the model against the DfE's later censuses, beside no
    change and a pooled AR(1), written to ``--out``."""
    if args.horizon < 1:
        raise BadInput(f"--horizon {args.horizon}: expected a whole number of years >= 1")
    _check_run_args(args)
    for flag, folder in (("--data", args.data), ("--actuals", args.actuals)):
        if folder is not None and not Path(folder).is_dir():
            raise BadInput(f"{flag} {folder!r}: no such folder; expected a folder holding the "
                           "DfE's files (csww_indicators_*.csv, ...)")
    out = check_out(args.out)

    lib = args.library
    bt = lib.backtest(origins=args.origin or [2022], horizon=args.horizon,
                      councils=args.councils or None, replications=args.replications,
                      seed=args.seed, data=args.data, actuals=args.actuals,
                      demand=args.demand, **_run_options(args))
    text = format_backtest(bt)
    with _write_folder(out) as tmp:
        lib.write_backtest_report(bt, tmp / "report.html")
        write_text(tmp / "summary.txt", text + "\n")
        bt.write_files(tmp)
    print(text)
    print(f"\nWrote report.html, predictions, scores, comparison, councils, worst_councils, "
          f"ar1_fits, summary and provenance to {out}/")
    if bt.interrupted:
        done = int((bt.councils["status"] == "run").sum())
        print(f"interrupted: kept the {done} council runs that had finished and wrote them to "
              f"{out}/ ({PROVENANCE} says interrupted)", file=sys.stderr)
        return 130
    return 0


def format_backtest(bt: Any) -> str:
    """The backtest's verdict and scores as aligned text (what ``workforce-sim backtest``
    prints)."""
    lines = [f"workforce_sim {__version__}: backtest from {', '.join(map(str, bt.origins))}, "
             f"{bt.horizon} year(s) ahead",
             f"{bt.councils['code'].nunique()} councils, {bt.replications} replications each, "
             f"seed {bt.seed}, {bt.seconds:,.0f} s", *(
                 [f"Demand known for {bt.demand_known()} of {len(bt.councils)} council "
                  "runs: referrals follow those published after the origin (not a "
                  "forecast; councils.csv says what each followed)"]
                 if bt.data.get("demand") == "actual" else []), "",
             "Mean absolute error over every horizon, same councils and years "
             "(rates in points):"]
    for r in bt.comparison().itertuples():
        verdict = "model beats AR(1)" if r.beats_ar1 else "AR(1) beats the model"
        lines.append(f"  {r.origin} {r.kpi:<14} model {r.mae_model:8.2f}  AR(1) {r.mae_ar1:8.2f}  "
                     f"no change {r.mae_no_change:8.2f}  {verdict} by "
                     f"{abs(r.difference):.2f} (n = {r.n})")
    lines += ["", "Scores by horizon (coverage: actuals inside the model's 90 % band, which "
              "holds chance and the drawn trends of each council's parameters):"]
    s = bt.scores.copy()
    s["coverage"] = [("" if c != c else f"{100 * c:.0f}%") for c in s["coverage"]]
    lines.append(s.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    """``workforce-sim validate``: check a scenario and say what it holds."""
    s = scenario_from_args(args)
    staff = sum(g.count for t in s.teams.values() for k in ("permanent", "nqsw", "agency")
                for g in getattr(t.staff, k))
    print(f"OK: {s.name!r}: {len(s.teams)} teams, {len(s.case_types)} case types, "
          f"{staff} workers, {s.horizon_months} months from {s.start_date}.")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """``workforce-sim init``: write a scenario for a council from the DfE's data."""
    from workforce_sim.scenario.council import council_toml, default_file_name

    if args.year is not None and not (2000 <= args.year <= 2100):
        raise BadInput(f"--year {args.year}: expected a census year such as 2024")
    if args.data is not None and not Path(args.data).is_dir():
        raise BadInput(f"--data {args.data!r}: no such folder; expected a folder holding the "
                       "DfE's files (csww_indicators_*.csv, ...)")
    out = Path(args.out) if args.out else Path(default_file_name(args.council, args.year,
                                                                 data=args.data))
    if out.is_dir():
        raise BadInput(f"--out {out}: is a folder; expected a file name such as "
                       f"{default_file_name(args.council, args.year, data=args.data)}")
    if out.exists() and not args.force:
        raise BadInput(f"{out} already exists; use --force to replace it, or --out for another name")
    text = council_toml(args.council, args.year, data=args.data)
    atomic_write(out, lambda f: f.write(text))
    first = text.splitlines()[0].removeprefix("# ")
    print(f"Wrote {out}: {first}")
    print(f"Check it, edit what you know better, then run it:\n  workforce-sim run {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``workforce-sim``."""
    p = argparse.ArgumentParser(
        prog="workforce-sim",
        description="Simulate a children's social work workforce: caseloads, vacancies, "
        "agency cover and costs.",
    )
    p.add_argument("--version", action="version", version=f"workforce_sim {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def scenario_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("scenario", nargs="?", default=None,
                        help="scenario TOML file (default: the built-in Herefordshire 2025 "
                        f"baseline; shipped: {', '.join(shipped_scenarios())})")
        sp.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value, e.g. --set teams.assessment.caseload_cap=20 "
                        "(repeatable; values are TOML)")

    def run_args(sp: argparse.ArgumentParser, out: str) -> None:
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
    rp.add_argument("folder", help="a folder written by 'workforce-sim run' (checked against "
                    "the sha256 of each file in its provenance.json)")
    rp.add_argument("--budget", type=float, default=None,
                    help="yearly budget (£) to add as a target")
    rp.set_defaults(func=cmd_report)

    i = sub.add_parser("init", help="write a scenario for an English council from the DfE's "
                       "published data")
    i.add_argument("council", help="the council's name (e.g. Herefordshire), ONS code "
                   "(E06000019) or DfE code (884)")
    i.add_argument("--year", type=int, default=None,
                   help="the census year (30 September) it starts from, on 1 October; no later "
                   "data is used (default: the latest census)")
    i.add_argument("--out", "-o", default=None,
                   help="the file to write (default ./COUNCIL_YEAR.toml, e.g. herefordshire_2025.toml)")
    i.add_argument("--data", default=None, metavar="DIR",
                   help="a folder with the DfE's published files (a newer release, same format); "
                   "default the release shipped with the package")
    i.add_argument("--force", action="store_true", help="replace the file if it exists")
    i.set_defaults(func=cmd_init)

    b = sub.add_parser("backtest", help="score the model against the DfE's later censuses, "
                       "beside no change and a pooled AR(1)")
    b.add_argument("--origin", type=int, action="append", default=[], metavar="YEAR",
                   help="census year to start from (repeatable; default 2022); no later data "
                   "is used to build the scenarios and forecasts")
    b.add_argument("--horizon", type=int, default=3, help="years ahead (default 3)")
    b.add_argument("--councils", nargs="+", action="extend", default=[], metavar="NAME_OR_CODE",
                   help="councils by name, ONS code or DfE code (default: every council with "
                   "the data)")
    b.add_argument("--data", default=None, metavar="DIR",
                   help="a folder with the DfE's published files to build from; default the "
                   "release shipped with the package")
    b.add_argument("--actuals", default=None, metavar="DIR",
                   help="a folder with the census to score against, and with --demand "
                   "actual the referrals (default --data)")
    b.add_argument("--demand", choices=("forecast", "actual"), default="forecast",
                   help="what referrals follow: the demand trend fitted up to the origin "
                   "(default), or the referrals published after it (not a forecast: the "
                   "model's other errors with demand known)")
    run_args(b, "workforce-sim-backtest")
    b.set_defaults(func=cmd_backtest)

    v = sub.add_parser("validate", help="check a scenario file and say what is wrong")
    scenario_args(v)
    v.set_defaults(func=cmd_validate)
    return p


def main(argv: list[str] | None = None, *, library: Library | None = None) -> int:
    """Run ``workforce-sim`` with ``argv`` (default: the command line).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.
    library : Library, optional
        The functions the commands call (running, reports, the workbook); default
        the package's own. Tests give their own here.

    Returns
    -------
    int
        The exit code: 0 success, 2 bad input, 130 interrupted, 1 anything else.

    Notes
    -----
    SIGTERM is handled as Ctrl-C while the command runs. On the real command
    line (``argv=None``), an interruption also stops the worker processes still
    running abandoned replications before the process exits.
    """
    args = build_parser().parse_args(argv)
    args.library = library or Library()
    _writing.clear()
    _target.clear()
    code = _main(args)
    if code == 130 and argv is None:
        _stop_workers()
    return code


def _bad_argument(exc: Exception) -> bool:
    """An experiment refused its arguments (too many replications, a sweep too large):
    bad input, exit 2. Imported here, not at the top: the experiment layer loads the
    simulation, which ``--help`` and ``validate`` do without."""
    from workforce_sim.experiment.runner import ArgumentError

    return isinstance(exc, ArgumentError)


def _main(args: argparse.Namespace) -> int:
    with _sigterm_as_interrupt(), warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return int(args.func(args))
        except (ScenarioError, BadInput, ResultsError, DataError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            with _sigint_ignored():
                print(f"interrupted: {_what_was_written()}", file=sys.stderr)
            return 130
        except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a traceback
            if _bad_argument(exc):
                print(f"error: {exc}", file=sys.stderr)
                return 2
            reason = " ".join(str(exc).split()) or "(no message)"
            print(f"error: {type(exc).__name__}: {reason}{_left_as_it_was()}", file=sys.stderr)
            return 1


def _stop_workers() -> None:
    """After an interruption on the real command line, stop the worker processes still
    finishing abandoned replications, so that the process exits now (rather than wait
    for them at exit, where another Ctrl-C would print a traceback)."""
    import multiprocessing

    with _sigint_ignored():
        children = multiprocessing.active_children()
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=5)


def _what_was_written() -> str:
    if not _writing:
        if _target and _target[-1].exists():
            return f"nothing was written; {_target[-1]}/ was left as it was"
        return "nothing was written"
    folder = _writing[-1]
    if folder.committed:
        return f"after {folder.path}/ had been written in full"
    if folder.existed:
        return f"while writing; {folder.path}/ was left as it was (the earlier output in it is intact)"
    return f"while writing; nothing was written ({folder.path}/ was not created)"


def _left_as_it_was() -> str:
    if not _writing or _writing[-1].committed:
        return ""
    folder = _writing[-1]
    return (f"; {folder.path}/ was left as it was" if folder.existed
            else f"; nothing was written to {folder.path}/")


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    print(f"note: {message}", file=sys.stderr)


_main_pid: list[int] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    if _main_pid and os.getpid() != _main_pid[-1]:     # a forked worker: die as by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C while a command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return
    _main_pid.append(os.getpid())
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        _main_pid.pop()


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Another Ctrl-C while the last message is printed is ignored (no traceback)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())


