"""The command line, as a user runs it: exit codes, messages, and what is written.

Everything runs in this process through ``main([...])``; only ``--help`` and one
tiny run go through a real subprocess. Where a test is about the command and not
the simulation, ``run`` and the report are replaced by quick stand-ins.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workforce_sim as ws
from tests.conftest import small_dict
from workforce_sim.cli.library import Library
from workforce_sim.cli.main import main, parse_set
from workforce_sim.results.store import read_provenance


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "workforce_sim.cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


@pytest.fixture(scope="module")
def tiny() -> ws.Results:
    """Two replications of the small two-team service over 6 months."""
    return ws.run(ws.Scenario.from_dict(small_dict(horizon_months=6)), 2, 3, workers=1,
                  progress=False)


@pytest.fixture
def given() -> dict:
    """The functions a test gives the commands instead of the package's own
    (``main(argv, library=Library(**given))``)."""
    return {}


@pytest.fixture
def fast_report(given):
    """A one-line report instead of the charts."""
    from workforce_sim.results.store import write_text

    given["write_report"] = lambda results, path, **kw: write_text(path, f"<p>report {kw}</p>")


@pytest.fixture
def fake_run(given, tiny, fast_report):
    """``workforce-sim run`` gets ``tiny`` (or what the test sets) without simulating."""
    state = {"results": tiny, "calls": 0}

    def run(*args, **kwargs):
        state["calls"] += 1
        if callable(state["results"]):
            return state["results"]()
        return state["results"]

    given["run"] = run
    return state


def run_args(out, *more):
    return ["run", "-n", "2", "-w", "1", "-q", "-o", str(out), *more]


# ------------------------------------------------------------------ real runs


def test_help_answers_without_matplotlib():
    code = ("import sys\nfrom workforce_sim.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported for --help'\n"
            "assert 'workforce_sim.outputs' not in sys.modules\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "run" in r.stdout and "report" in r.stdout and "validate" in r.stdout


def test_one_tiny_run_in_a_subprocess(tmp_path):
    out = tmp_path / "out"
    r = cli("run", "-n", "1", "-w", "1", "-q", "--set", "horizon_months=3", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Herefordshire" in r.stdout and "Agency rate" in r.stdout
    names = {p.name for p in out.iterdir()}
    assert {"monthly.csv", "financial_years.csv", "kpis.csv", "agency_return.csv",
            "provenance.json", "report.html",
            "scenario.json", "summary.txt"} <= names
    prov = read_provenance(out)                     # every file's sha256 checks
    assert set(prov["files"]) == names - {"provenance.json"}
    assert prov["replications"] == 1 and prov["interrupted"] is False
    assert leftovers(tmp_path) == []                # no temporary folder left behind
    assert ws.Results.load(out).replications == 1


def test_set_overrides_are_applied(tmp_path, capsys, fast_report, given):
    out = tmp_path / "out"
    code = main(["run", "-n", "1", "-w", "1", "-q", "-o", str(out),
                 "--set", "horizon_months=3", "--set", "teams.assessment.caseload_cap=20"],
                library=Library(**given))
    assert code == 0, capsys.readouterr().err
    scenario = json.loads((out / "scenario.json").read_text())
    assert scenario["horizon_months"] == 3
    assert scenario["teams"]["assessment"]["caseload_cap"] == 20
    assert len(pd.read_csv(out / "monthly.csv")["month"].unique()) == 3


def test_compare_two_scenarios(tmp_path):
    out = tmp_path / "cmp"
    # 31 months: the levers' last dated change (1 April 2025) must fall inside the horizon
    code = main(["compare", "herefordshire_2022_crisis.toml", "herefordshire_2022_levers_all.toml",
                 "-n", "2", "-w", "1", "-q", "--set", "horizon_months=31", "-o", str(out)])
    assert code == 0
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs["scenario"]) == {"herefordshire_2022_crisis", "herefordshire_2022_levers_all"}
    base = diffs[diffs["scenario"] == "herefordshire_2022_crisis"]
    assert (base["difference"] == 0).all()         # the baseline against itself
    assert (out / "herefordshire_2022_levers_all" / "provenance.json").is_file()
    assert (out / "herefordshire_2022_levers_all" / "report.html").is_file()
    page = (out / "report.html").read_text()
    assert "Differences from the baseline" in page and page.count("data:image/png;base64,") == 4
    assert read_provenance(out, kind="comparison")["baseline"] == "herefordshire_2022_crisis"
    ws.Results.load(out / "herefordshire_2022_levers_all")


def test_sweep_grid(tmp_path):
    out = tmp_path / "sw"
    code = main(["sweep", "--vary", "recruitment.success_probability=0.1,0.2",
                 "--set", "horizon_months=3", "-n", "1", "-w", "1", "-q", "-o", str(out)])
    assert code == 0
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 2 * table["output"].nunique()
    assert read_provenance(out, kind="sweep")["files"].keys() == {"sweep.csv", "summary.txt"}


# ------------------------------------------------------------------ bad input: exit 2, nothing written


def refused(capsys, argv, expected, out=None, given=None):
    code = main(argv, library=Library(**(given or {})))
    err = capsys.readouterr().err
    assert code == 2, err
    assert expected in err, err
    assert "Traceback" not in err, err
    if out is not None:
        assert not Path(out).exists()
    return err


@pytest.mark.parametrize("args, expected", [
    (["--set", "teams.assesment.caseload_cap=20"], "did you mean 'assessment'"),
    (["--set", "case_types.cp.on_close={cin = 0.9, cla = 0.3}"], "sum to 1.2"),
    (["--set", "absence.rate=-0.1"], "absence.rate = -0.1"),
    (["--set", "nonsense"], "expected path=value"),
    (["--replications", "0"], "--replications 0: expected a whole number >= 1"),
])
def test_bad_overrides_exit_2_and_write_nothing(tmp_path, capsys, fake_run, args, expected, given):
    out = tmp_path / "out"
    code = main(["run", "-o", str(out), *args], library=Library(**given))
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err
    assert not out.exists() and fake_run["calls"] == 0


@pytest.mark.parametrize("out, expected", [
    ("", "--out '': expected a folder path"),
    ("   ", "--out '   ': expected a folder path"),
    ("a\0b", "contains a NUL character"),
    ("x" * 300, "is 300 bytes long; expected at most 255"),
    (".", "is the current folder or holds it"),
])
def test_bad_out_exits_2_before_running(tmp_path, capsys, monkeypatch, fake_run, out, expected,
                                        given):
    monkeypatch.chdir(tmp_path)
    assert refused(capsys, run_args(out), expected, given=given).count("\n") == 1
    assert fake_run["calls"] == 0 and list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_or_holds_other_files_exits_2(tmp_path, capsys, fake_run, given):
    (tmp_path / "file").write_text("mine")
    refused(capsys, run_args(tmp_path / "file"), "is a file; expected a folder", given=given)
    refused(capsys, run_args(tmp_path / "file" / "below"), "is a file; expected a folder",
            given=given)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    refused(capsys, run_args(tmp_path / "docs"), "holds files workforce-sim did not write",
            given=given)
    assert (tmp_path / "file").read_text() == "mine"
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["notes.txt"]
    assert fake_run["calls"] == 0


def test_bad_file_exits_2_with_the_field_path(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\nname = "b"\nstart_date = 2025-04-01\nhorizon_months = 12\n'
                   '[teams.a]\nestablishment_fte = 2\ncaseload_cap = 18\n'
                   '[case_types.c]\nteam = "b"\nduration_days = { dist = "fixed", value = 3 }\n')
    assert main(["validate", str(bad)]) == 2
    assert "case_types.c.team = 'b': unknown team" in capsys.readouterr().err
    assert main(["run", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_validate_good_file(capsys):
    assert main(["validate", "herefordshire_2025.toml"]) == 0
    assert capsys.readouterr().out.startswith("OK:")


def test_missing_file_exits_2(capsys):
    assert main(["validate", "no_such_file.toml"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_parse_set_reads_toml_values():
    assert parse_set(["a.b=3", "c=[1, 2]", "d=text", "e=2026-01-01"]) == {
        "a.b": 3, "c": [1, 2], "d": "text", "e": pd.Timestamp("2026-01-01").date()}


def test_compare_unknown_baseline_exits_2(tmp_path, capsys):
    refused(capsys, ["compare", "herefordshire_2025.toml", "herefordshire_2022_crisis.toml",
                     "--baseline", "nope", "-o", str(tmp_path / "c")], "--baseline 'nope'",
            out=tmp_path / "c")


def test_sweep_bad_value_exits_2(tmp_path, capsys):
    refused(capsys, ["sweep", "--vary", "recruitment.success_probability=0.5,1.5",
                     "-o", str(tmp_path / "s")], "less than or equal to 1", out=tmp_path / "s")


# ------------------------------------------------------------------ the folder is written whole


def test_a_failed_run_leaves_the_previous_run_as_it_was(tmp_path, capsys, fake_run, given):
    out = tmp_path / "out"
    assert main(run_args(out), library=Library(**given)) == 0
    before = snapshot(out)
    def broken(*a, **k):
        raise RuntimeError("disk full\nsecond line")

    given["write_workbook"] = broken
    capsys.readouterr()
    assert main(run_args(out, "--seed", "9"), library=Library(**given)) == 1
    err = capsys.readouterr().err
    assert err == f"error: RuntimeError: disk full second line; {out}/ was left as it was\n"
    assert snapshot(out) == before and leftovers(tmp_path) == []
    assert ws.Results.load(out).seed == 3


def test_ctrl_c_while_writing_leaves_the_previous_run_and_says_so(tmp_path, capsys, fake_run,
                                                                  given):
    out = tmp_path / "out"
    assert main(run_args(out), library=Library(**given)) == 0
    before = snapshot(out)
    def interrupted(*a, **k):
        raise KeyboardInterrupt

    given["write_report"] = interrupted
    capsys.readouterr()
    assert main(run_args(out), library=Library(**given)) == 130
    err = capsys.readouterr().err
    assert "while writing" in err and "left as it was" in err and "Traceback" not in err
    assert snapshot(out) == before and leftovers(tmp_path) == []
    fresh = tmp_path / "fresh"
    assert main(run_args(fresh), library=Library(**given)) == 130
    assert "nothing was written" in capsys.readouterr().err and not fresh.exists()


def test_an_interrupted_run_exits_130_and_its_provenance_says_so(tmp_path, capsys, fake_run,
                                                                 tiny, given):
    partial = dataclasses.replace(tiny, interrupted=True, replications_requested=5)
    fake_run["results"] = partial
    out = tmp_path / "out"
    assert main(run_args(out, "-n", "5"), library=Library(**given)) == 130
    err = capsys.readouterr().err
    assert "interrupted: kept the 2 of 5 replications" in err and str(out) in err
    prov = read_provenance(out)
    assert (prov["interrupted"], prov["replications"], prov["replications_requested"]) == \
        (True, 2, 5)
    back = ws.Results.load(out)
    assert back.interrupted and back.replications == 2


def test_sigterm_behaves_like_ctrl_c(tmp_path, capsys, fake_run, given):
    def terminated():
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not interrupt")

    fake_run["results"] = terminated
    out = tmp_path / "out"
    before = signal.getsignal(signal.SIGTERM)
    assert main(run_args(out), library=Library(**given)) == 130
    assert "interrupted: nothing was written" in capsys.readouterr().err
    assert not out.exists()
    assert signal.getsignal(signal.SIGTERM) == before           # put back afterwards


# ------------------------------------------------------------------ report from a saved folder


@pytest.fixture
def saved(tmp_path, tiny) -> Path:
    return tiny.save(tmp_path / "saved")


def test_report_rebuilds_and_keeps_the_folder_complete(saved, capsys, fast_report, given):
    assert main(["report", str(saved), "--budget", "1e6"], library=Library(**given)) == 0
    assert "1000000.0" in (saved / "report.html").read_text()
    assert "report.html" in read_provenance(saved)["files"]
    assert ws.Results.load(saved).seed == 3


def _rehash(folder: Path) -> None:
    """As if a faulty writer had saved the damage: hashes that agree with the files."""
    from workforce_sim.results.store import write_provenance
    prov = json.loads((folder / "provenance.json").read_text())
    write_provenance(folder, {k: v for k, v in prov.items() if k not in ("files", "format_version")})


def _edit_provenance(folder: Path, change) -> None:
    path = folder / "provenance.json"
    prov = json.loads(path.read_text())
    path.write_text(json.dumps(change(prov)))


def _replace(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)
    _rehash(folder)


def _pickled_npz(folder: Path) -> None:
    import numpy as np
    np.savez(folder / "running_summary.npz", n=np.array([object()], dtype=object))
    _edit_provenance(folder, lambda p: {**p, "summary_mode": True})
    _rehash(folder)


DAMAGE = {
    "truncated parquet": (lambda f: _replace(f, "monthly.parquet",
                                             (f / "monthly.parquet").read_bytes()[:100]),
                          "monthly.parquet: cannot be read"),
    "random parquet": (lambda f: _replace(f, "monthly.parquet", os.urandom(2000)),
                       "monthly.parquet: cannot be read"),
    "truncated provenance": (lambda f: (f / "provenance.json").write_text(
        (f / "provenance.json").read_text()[:50]), "provenance.json: not valid JSON"),
    "provenance a list": (lambda f: (f / "provenance.json").write_text("[1, 2]"),
                          "provenance.json: expected a JSON object, got list"),
    "no seed": (lambda f: _edit_provenance(f, lambda p: {k: v for k, v in p.items() if k != "seed"}),
                "provenance.json: no 'seed'"),
    "seed as text": (lambda f: _edit_provenance(f, lambda p: {**p, "seed": "3"}),
                     "seed = '3': expected a whole number"),
    "500 replications over 2": (lambda f: _edit_provenance(
        f, lambda p: {**p, "replications": 500, "replications_requested": 500}),
        "holds 2 replications, but"),
    "more done than requested": (lambda f: _edit_provenance(f, lambda p: {**p, "replications": 500}),
                                 "replications_requested = 2: expected a whole number >= "),
    "tampered csv": (lambda f: (f / "monthly.csv").write_text(
        (f / "monthly.csv").read_text().replace(",3", ",4", 1)),
        "monthly.csv: changed since it was saved"),
    "missing file": (lambda f: (f / "scenario.json").unlink(), "scenario.json: missing"),
    "another format": (lambda f: _edit_provenance(f, lambda p: {**p, "format_version": 99}),
                       "format_version 99, expected 1"),
    "older save": (lambda f: _edit_provenance(
        f, lambda p: {k: v for k, v in p.items() if k not in ("files", "format_version")}),
        "no format_version"),
    "no team column": (lambda f: (pd.read_parquet(f / "monthly.parquet").drop(columns="team")
                                  .to_parquet(f / "monthly.parquet")) or _rehash(f),
                       "monthly.parquet: no column 'team'"),
    "pickled npz": (_pickled_npz, "running_summary.npz: cannot be read"),
    "no provenance": (lambda f: (f / "provenance.json").unlink(), "provenance.json: missing"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_saved_folder_exits_2_naming_the_file(saved, capsys, damage):
    pytest.importorskip("pyarrow")
    spoil, expected = DAMAGE[damage]
    spoil(saved)
    before = snapshot(saved)
    err = refused(capsys, ["report", str(saved)], expected)
    assert str(saved) in err
    assert snapshot(saved) == before                       # nothing written
    with pytest.raises(ws.results.store.ResultsError, match="provenance|monthly|npz|scenario"):
        ws.Results.load(saved)


def test_a_folder_saved_by_another_version_says_so(saved, capsys, fast_report, given):
    _edit_provenance(saved, lambda p: {**p, "workforce_sim": "0.0.1"})
    assert main(["report", str(saved)], library=Library(**given)) == 0
    assert "note: " in capsys.readouterr().err
    with pytest.warns(UserWarning, match="saved by workforce_sim 0.0.1; this is"):
        ws.Results.load(saved)


def test_report_of_a_missing_folder_exits_2(tmp_path, capsys):
    refused(capsys, ["report", str(tmp_path / "nope")], "no such folder")


# ------------------------------------------------------------------ user text in file names


class FakeComparison:
    def __init__(self, results, baseline):
        self.results, self.baseline, self.interrupted = results, baseline, False

    def differences(self, output):
        names = list(self.results)
        return pd.DataFrame({"scenario": names, "mean": 1.0, "difference": 0.0,
                             "paired_ci_low": 0.0, "paired_ci_high": 0.0})


def test_compare_file_names_cannot_leave_out(tmp_path, capsys, tiny, fake_run, given):
    given["build_comparison_report"] = lambda comp, diffs, folders=None: "<p>c</p>"
    given["compare"] = lambda scenarios, *a, baseline=None, **k: \
        FakeComparison({n: tiny for n in scenarios}, baseline or next(iter(scenarios)))
    from importlib import resources
    text = (resources.files("workforce_sim.scenario") / "shipped" / "herefordshire_2025.toml") \
        .read_text("utf-8")
    scen = tmp_path / "scen"
    scen.mkdir()
    files = []
    for name in ["...toml", "CON.toml", "a b.toml", "a_b.toml"]:
        (scen / name).write_text(text, "utf-8")
        files.append(str(scen / name))
    out = tmp_path / "deep" / "out"
    code = main(["compare", *files, "-n", "2", "-q", "-o", str(out)], library=Library(**given))
    assert code == 0, capsys.readouterr().err
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(w.startswith(("deep/out/", "scen/")) for w in written), written
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["CON_", "a_b", "a_b-2", "unnamed"]
    assert read_provenance(out, kind="comparison")["scenarios"] == {
        "..": "unnamed", "CON": "CON_", "a b": "a_b", "a_b": "a_b-2"}


def test_user_text_is_never_a_live_formula(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from workforce_sim.outputs.workbook import write_workbook

    d = small_dict(horizon_months=3, name="=HYPERLINK(\"http://evil\",\"x\")")
    d["teams"]["=cmd|'/c calc'!A1"] = d["teams"].pop("assessment")
    d["case_types"]["assessment"]["team"] = "=cmd|'/c calc'!A1"
    res = ws.run(ws.Scenario.from_dict(d), 1, 0, workers=1, progress=False)
    folder = res.save(tmp_path / "run")
    text = (folder / "monthly.csv").read_text()
    assert "'=cmd|" in text and ",=cmd" not in text and "\n=cmd" not in text
    for fmt in ("csv", "parquet"):
        if fmt == "csv":
            prov = json.loads((folder / "provenance.json").read_text())
            (folder / "provenance.json").write_text(json.dumps({**prov, "monthly_format": "csv"}))
        back = ws.Results.load(folder)
        assert "=cmd|'/c calc'!A1" in back.teams              # given back as it was
    book = openpyxl.load_workbook(write_workbook(res, tmp_path / "w.xlsx"))
    cells = [c for ws_ in book.worksheets for row in ws_.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)


def test_library_refuses_a_function_it_does_not_know():
    with pytest.raises(TypeError, match="unknown functions \\['runn'\\]"):
        Library(runn=print)
    assert Library(run=print).run is print
    assert Library().run is ws.run


@pytest.mark.parametrize("argv, expected", [
    (["run", "-n", str(10**30)], "replications must be at most 1,000,000"),
    (["sweep", "--vary", "absence.rate=" + ",".join(str(i / 1e5) for i in range(1, 1001)),
      "--vary", "recruitment.success_probability=" + ",".join(str(i / 1e4) for i in range(1, 1001))],
     "1,000 × 1,000 = 1,000,000 scenarios to run"),
])
def test_experiments_too_large_exit_2_before_running(tmp_path, capsys, argv, expected):
    out = tmp_path / "out"
    refused(capsys, [*argv, "-q", "-o", str(out)], expected, out=out)


def test_out_inside_another_output_or_a_link_exits_2(tmp_path, capsys, fake_run, given, tiny):
    out = tmp_path / "out"
    assert main(run_args(out), library=Library(**given)) == 0
    before = snapshot(out)
    refused(capsys, run_args(out / "below"), "is inside the output in", given=given)
    (tmp_path / "link").symlink_to(out, target_is_directory=True)
    refused(capsys, run_args(tmp_path / "link"), "is a symbolic link", given=given)
    assert snapshot(out) == before and fake_run["calls"] == 1
    outer = tiny.save(tmp_path / "outer")                 # a saved run inside another output,
    inner = tiny.save(outer / "inner")                    # as compare writes its scenarios
    refused(capsys, ["report", str(inner)], "is inside the output in", given=given)


# ------------------------------------------------------------------------ init


def test_init_writes_the_council_file_and_says_what_next(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "Herefordshire", "--year", "2024"]) == 0
    written = tmp_path / "herefordshire_2024.toml"
    assert written.read_text(encoding="utf-8") == ws.council_toml("Herefordshire", 2024)
    out = capsys.readouterr().out
    assert "Wrote herefordshire_2024.toml" in out
    assert "workforce-sim run herefordshire_2024.toml" in out
    assert main(["validate", str(written)]) == 0
    assert leftovers(tmp_path) == []


def test_init_refuses_to_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "mine.toml"
    target.write_text("keep me", encoding="utf-8")
    assert main(["init", "884", "--year", "2024", "--out", str(target)]) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "keep me"
    assert main(["init", "884", "--year", "2024", "--out", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith("# Herefordshire")


def test_init_default_name_of_a_joint_return(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "West Northamptonshire", "--year", "2024"]) == 0
    assert (tmp_path / "north_northamptonshire_west_northamptonshire_2024.toml").is_file()


@pytest.mark.parametrize(("args", "says"), [
    (["Herefrodshire"], "did you mean 'Herefordshire'"),
    (["Cumberland", "--year", "2022"], "its first is 2023"),
    (["Herefordshire", "--data", "no/such/folder"], "--data 'no/such/folder': no such folder"),
    (["Herefordshire", "--year", "20"], "--year 20: expected a census year"),
])
def test_init_bad_input_exits_2_and_writes_nothing(tmp_path, monkeypatch, capsys, args, says):
    monkeypatch.chdir(tmp_path)
    assert main(["init", *args]) == 2
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
