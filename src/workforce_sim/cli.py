"""The ``workforce-sim`` command.

Exit codes: 0 success; 2 bad input (the message says what and where, nothing
is written); 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from ._version import __version__
from .errors import ScenarioError
from .experiment import run
from .io import write_csv, write_json, write_text
from .results import Results
from .scenario import Scenario, load_scenario, shipped_scenarios


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
            kind = "pct" if "_rate" in r["metric"] else "money" if r["metric"].startswith("cost") else ""
            cells.append(f"{_fmt(r['mean'], kind)}  [{_fmt(r['q05'], kind)} to {_fmt(r['q95'], kind)}]")
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
    from .calendar import add_months
    return f"{add_months(s.start_date, m - 1):%b %Y}"


def _fmt(x: float, kind: str) -> str:
    if x != x:
        return "n/a"
    if kind == "pct":
        return f"{100 * x:.1f}%"
    if kind == "money":
        return f"£{x / 1e6:.2f}m"
    return f"{x:,.1f}"


# --------------------------------------------------------------------- commands


def cmd_run(args) -> int:
    scenario = scenario_from_args(args)
    if args.replications < 1:
        raise BadInput(f"--replications {args.replications}: expected a whole number >= 1")
    if args.seed < 0:
        raise BadInput(f"--seed {args.seed}: expected a whole number >= 0")
    results = run(scenario, args.replications, args.seed, workers=args.workers,
                  progress=None if not args.quiet else False)
    text = format_headline(results)
    out = Path(args.out)
    write_csv(out / "monthly.csv", results.monthly)
    write_json(out / "scenario.json", scenario.to_dict())
    write_json(out / "provenance.json", results.provenance)
    write_text(out / "summary.txt", text + "\n")
    print(text)
    print(f"\nWrote monthly.csv, summary.txt, scenario.json and provenance.json to {out}/")
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

    r = sub.add_parser("run", help="run replications and write tables and a summary")
    scenario_args(r)
    r.add_argument("--replications", "-n", type=int, default=20, help="replications (default 20)")
    r.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    r.add_argument("--workers", "-w", type=int, default=None,
                   help="worker processes (default: one per core)")
    r.add_argument("--out", "-o", default="workforce-sim-output",
                   help="output folder (default ./workforce-sim-output)")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)

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


__all__ = ["main"]
