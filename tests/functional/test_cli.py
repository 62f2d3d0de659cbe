"""The command line, as a user runs it: exit codes, messages, and what is written."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from workforce_sim.cli.main import main, parse_set


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "workforce_sim.cli", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_run_default_scenario_writes_tables_and_summary(tmp_path):
    out = tmp_path / "out"
    r = cli("run", "--replications", "3", "--workers", "1", "--quiet", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Herefordshire" in r.stdout and "Agency rate" in r.stdout
    names = {p.name for p in out.iterdir()}
    assert {"monthly.csv", "financial_years.csv", "kpis.csv", "provenance.json",
            "scenario.json", "summary.txt"} <= names
    assert not [n for n in names if n.endswith(".part")]      # no half-written files
    monthly = pd.read_csv(out / "monthly.csv")
    assert sorted(monthly["replication"].unique()) == [0, 1, 2]
    assert json.loads((out / "provenance.json").read_text())["replications"] == 3
    assert (out / "summary.txt").read_text().startswith("workforce_sim")


def test_set_overrides_are_applied(tmp_path):
    out = tmp_path / "out"
    code = main(["run", "-n", "1", "-w", "1", "-q", "-o", str(out),
                 "--set", "horizon_months=6", "--set", "teams.assessment.caseload_cap=20"])
    assert code == 0
    scenario = json.loads((out / "scenario.json").read_text())
    assert scenario["horizon_months"] == 6
    assert scenario["teams"]["assessment"]["caseload_cap"] == 20
    assert len(pd.read_csv(out / "monthly.csv")["month"].unique()) == 6


@pytest.mark.parametrize("args, expected", [
    (["--set", "teams.assesment.caseload_cap=20"], "did you mean 'assessment'"),
    (["--set", "case_types.cp.on_close={cin = 0.9, cla = 0.3}"], "sum to 1.2"),
    (["--set", "absence.rate=-0.1"], "absence.rate = -0.1"),
    (["--set", "nonsense"], "expected path=value"),
])
def test_bad_overrides_exit_2_and_write_nothing(tmp_path, args, expected):
    out = tmp_path / "out"
    r = cli("run", "-n", "1", "-o", str(out), *args)
    assert r.returncode == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_bad_file_exits_2_with_the_field_path(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\nname = "b"\nstart_date = 2025-04-01\nhorizon_months = 12\n'
                   '[teams.a]\nestablishment_fte = 2\ncaseload_cap = 18\n'
                   '[case_types.c]\nteam = "b"\nduration_days = { dist = "fixed", value = 3 }\n')
    r = cli("validate", str(bad))
    assert r.returncode == 2
    assert "case_types.c.team = 'b': unknown team" in r.stderr
    r = cli("run", str(bad), "-o", str(tmp_path / "out"))
    assert r.returncode == 2 and not (tmp_path / "out").exists()


def test_validate_good_file():
    r = cli("validate", "herefordshire_2025.toml")
    assert r.returncode == 0 and r.stdout.startswith("OK:")


def test_missing_file_exits_2():
    r = cli("validate", "no_such_file.toml")
    assert r.returncode == 2 and "no such file" in r.stderr


def test_help_lists_commands():
    r = cli("--help")
    assert r.returncode == 0 and "run" in r.stdout and "validate" in r.stdout


def test_parse_set_reads_toml_values():
    assert parse_set(["a.b=3", "c=[1, 2]", "d=text", "e=2026-01-01"]) == {
        "a.b": 3, "c": [1, 2], "d": "text", "e": pd.Timestamp("2026-01-01").date()}


def test_compare_two_scenarios(tmp_path):
    out = tmp_path / "cmp"
    code = main(["compare", "herefordshire_2022_crisis.toml", "herefordshire_2022_levers_all.toml",
                 "-n", "2", "-w", "1", "-q", "--set", "horizon_months=8", "-o", str(out)])
    assert code == 0
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs["scenario"]) == {"herefordshire_2022_crisis", "herefordshire_2022_levers_all"}
    base = diffs[diffs["scenario"] == "herefordshire_2022_crisis"]
    assert (base["difference"] == 0).all()         # the baseline against itself
    assert (out / "herefordshire_2022_levers_all" / "provenance.json").is_file()
    assert (out / "herefordshire_2022_levers_all" / "report.html").is_file()
    page = (out / "report.html").read_text()
    assert "Differences from the baseline" in page and page.count("data:image/png;base64,") == 4


def test_compare_unknown_baseline_exits_2(tmp_path):
    r = cli("compare", "herefordshire_2025.toml", "herefordshire_2022_crisis.toml",
            "--baseline", "nope", "-o", str(tmp_path / "c"))
    assert r.returncode == 2 and "--baseline 'nope'" in r.stderr


def test_sweep_grid(tmp_path):
    out = tmp_path / "sw"
    code = main(["sweep", "--vary", "recruitment.success_probability=0.1,0.2",
                 "--vary", "academy.intakes.0.sizes=[12],[25]", "--set", "horizon_months=6",
                 "-n", "2", "-w", "1", "-q", "-o", str(out)])
    assert code == 0
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4 * table["output"].nunique()


def test_sweep_bad_value_exits_2(tmp_path):
    r = cli("sweep", "--vary", "recruitment.success_probability=0.5,1.5", "-o", str(tmp_path / "s"))
    assert r.returncode == 2 and "less than or equal to 1" in r.stderr
    assert not (tmp_path / "s").exists()
