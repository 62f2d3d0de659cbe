"""Bad input found by attacking the scenario layer: each is refused with a ScenarioError
naming the path, the value and what was expected, before anything runs."""

from __future__ import annotations

import copy
import os
import pickle

import pytest

from tests.conftest import small_dict
from workforce_sim import Scenario, ScenarioError, load_scenario
from workforce_sim.scenario.loading import MAX_BYTES, MAX_EXTENDS

INF = float("inf")


def problems_of(data: dict) -> list:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    return info.value.problems


def problem_at(data: dict, path: str):
    problems = {p.path: p for p in problems_of(data)}
    assert path in problems, problems
    return problems[path]


# ------------------------------------------------------ numbers that are not numbers

NOT_NUMBERS = [
    ("teams.assessment.caseload_cap", INF, "finite"),
    ("teams.assessment.caseload_cap", float("nan"), "finite"),
    ("teams.assessment.caseload_cap", "20", "not text"),
    ("teams.assessment.caseload_cap", True, "not true/false"),
    ("teams.assessment.caseload_cap", 1e7, "at most 1,000,000"),
    ("teams.assessment.establishment_fte", 1e9, "at most 10,000"),
    ("case_types.assessment.referrals_per_year", INF, "finite"),
    ("case_types.assessment.referrals_per_year", 1e308, "at most 1,000,000"),
    ("case_types.assessment.referrals_per_year", 10**30, "at most 1,000,000"),
    ("case_types.assessment.initial_open", 10**30, "at most 1,000,000"),
    ("case_types.assessment.initial_open", True, "not true/false"),
    ("case_types.assessment.growth_per_year", INF, "finite"),
    ("case_types.assessment.growth_per_year", 5.0, "less than or equal to 1"),
    ("case_types.assessment.priority", 10**6, "at most 100"),
    ("case_types.assessment.weight", 1e308, "at most 100"),
]


@pytest.mark.parametrize(("path", "value", "expected"), NOT_NUMBERS)
def test_numbers_must_be_plain_finite_and_plausible(path, value, expected):
    p = problem_at(small_dict(**{path: value}), path)
    assert expected in p.message
    assert repr(value)[:20] in str(p) or (value != value and "nan" in str(p))


@pytest.mark.parametrize(("section", "field", "value"), [
    ("permanent", "salary", 1e308), ("permanent", "annual_turnover", 1e308),
    ("permanent", "notice_days", 1e308), ("agency", "day_rate", INF),
    ("agency", "early_exit_annual_rate", 10**30), ("nqsw", "asye_months", 1e308),
])
def test_workforce_numbers_are_bounded(section, field, value):
    d = small_dict()
    d["workforce"] = {section: {field: value}}
    p = problem_at(d, f"workforce.{section}.{field}")
    assert "at most" in p.message or "finite" in p.message


@pytest.mark.parametrize(("dist", "path", "expected"), [
    ({"dist": "gamma", "mean": 200, "sd": 1e-300}, "", "mean/1000"),
    ({"dist": "exponential", "mean": 1e308}, ".mean", "at most 36,525"),
    ({"dist": "lognormal", "median": 20, "p90": 1e308}, ".p90", "at most 36,525"),
    ({"dist": "lognormal", "median": 1e-300, "p90": 30_000}, "", "finite mean"),
    ({"dist": "lognormal", "median": 2, "p90": 36_000}, "", "expected at most 36,525"),
    ({"dist": "fixed", "value": INF}, ".value", "finite"),
    ({"dist": "empirical", "bins": [[0, INF, 1.0]]}, ".bins.0.1", "finite"),
])
def test_distributions_need_finite_plausible_moments(dist, path, expected):
    where = "case_types.cin.duration_days"
    p = problem_at(small_dict(**{where: dist}), where + path)
    assert expected in p.message


@pytest.mark.parametrize("date", ["9999-01-01", "1900-01-01"])
def test_dates_are_within_2000_to_2100(date):
    p = problem_at(small_dict(start_date=date), "start_date")
    assert "2000-01-01 to 2100-12-31" in p.message and date in str(p)


def test_flags_are_true_or_false_only():
    p = problem_at(small_dict(**{"teams.assessment.holds_cases": "yes"}), "teams.assessment.holds_cases")
    assert "boolean" in p.message


# ------------------------------------------------------------ runs that never end

def test_a_case_type_that_lasts_no_time_is_refused():
    """A self-continuing pathway with a 1e-300-day duration never reaches the horizon."""
    d = small_dict(**{"case_types.cin.duration_days": {"dist": "fixed", "value": 1e-300},
                      "case_types.cin.on_close": {"cin": 0.5}})
    p = problem_at(d, "case_types.cin.duration_days")
    assert "at least 0.25 (6 hours" in p.message and "1e-300" in str(p)


@pytest.mark.parametrize("field", ["lead_time_days", "placement_days"])
def test_agency_durations_last_at_least_6_hours(field):
    d = small_dict()
    d["workforce"] = {"agency": {field: {"dist": "exponential", "mean": 0.001}}}
    assert "at least 0.25 (6 hours" in problem_at(d, f"workforce.agency.{field}").message


@pytest.mark.parametrize(("on_close", "where", "expected"), [
    ({"cin": {"cin": 1.0}}, "cin", "never close"),
    ({"cin": {"cp": 1.0}, "cp": {"cin": 1.0}}, "cin", "never close"),
    ({"cin": {"cp": 0.6, "cin": 0.4}, "cp": {"cin": 1.0}}, "cin", "never close"),
    ({"cin": {"cin": 0.9999999}}, "cin", "spells on average"),
])
def test_pathways_that_loop_for_ever_are_refused(on_close, where, expected):
    d = small_dict(**{f"case_types.{k}.on_close": v for k, v in on_close.items()})
    p = problem_at(d, f"case_types.{where}.on_close")
    assert expected in p.message and "cin" in str(p)


def test_pathways_that_loop_but_close_are_accepted():
    d = small_dict(**{"case_types.cin.on_close": {"cp": 0.5}, "case_types.cp.on_close": {"cin": 0.5}})
    assert Scenario.from_dict(d).case_types["cin"].on_close == {"cp": 0.5}


@pytest.mark.parametrize(("staff", "path"), [
    ({"permanent": 10**9}, "teams.assessment.staff.permanent.0.count"),
    ({"agency": [{"count": 6000}, {"count": 6000}]}, "teams.assessment.staff"),
])
def test_teams_of_a_billion_are_refused(staff, path):
    p = problem_at(small_dict(**{"teams.assessment.staff": staff}), path)
    assert "10,000" in p.message


def test_horizon_is_bounded():
    p = problem_at(small_dict(horizon_months=10**6), "horizon_months")
    assert "600" in p.message


# ----------------------------------------------------------------------- strings

@pytest.mark.parametrize(("path", "value", "expected"), [
    ("name", "", "at least 1 character"),
    ("name", "   ", "not blank"),
    ("name", "\x1b[31mred", "printable"),
    ("name", "a\u202eb", "printable"),
    ("name", "x" * 1000, "at most 200"),
    ("description", "ok\x1b[2J", "printable"),
    ("case_types.cin.team", "safe\x1bguarding", "printable"),
    ("case_types.cin.team", "", "not blank"),
])
def test_names_and_text_must_be_printable_and_not_blank(path, value, expected):
    p = problem_at(small_dict(**{path: value}), path)
    assert expected in p.message
    assert "\x1b" not in str(p) and "\u202e" not in str(p)


def test_description_may_have_tabs_and_new_lines():
    s = Scenario.from_dict(small_dict(description="line one\n\tline two"))
    assert s.description == "line one\n\tline two"


@pytest.mark.parametrize("key", ["", " ", "\x1b[31mteam", "a.b", " padded"])
def test_team_keys_must_be_clean(key):
    d = small_dict()
    d["teams"][key] = d["teams"]["safeguarding"]
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    text = str(info.value)
    assert "this name is refused" in text and "\x1b" not in text
    assert any(p.value == key for p in info.value.problems)


def test_error_text_never_holds_raw_control_characters():
    d = small_dict()
    d["\x1b]0;owned\x07"] = 1                                       # an unknown key
    d["teams"]["assessment"]["caseload_cap"] = "\x1b[2J"
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    text = str(info.value)
    assert text.isprintable() or set(text) - set(filter(str.isprintable, text)) == {"\n"}
    assert "\\x1b" in text


# ------------------------------------------------------------------------- files

def _write(path, content: bytes | str):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _refused(path, *expected: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    for part in expected:
        assert part in text, text
    return text


def test_binary_and_non_utf8_files(tmp_path):
    _refused(_write(tmp_path / "bin.toml", b"\xff\xfe\x00\x01garbage"), "bin.toml", "not UTF-8")
    _refused(_write(tmp_path / "nul.toml", b"\x00\x00\x00"), "nul.toml", "malformed TOML", "line 1")


@pytest.mark.parametrize("text", [
    "a = " + "[" * 50_000 + "]" * 50_000,
    "a = " + "{ b = " * 5_000 + "1" + " }" * 5_000,
    "[" + ".".join(["a"] * 50_000) + "]\n",
])
def test_deep_nesting(tmp_path, text):
    _refused(_write(tmp_path / "deep.toml", text), "deep.toml", "nested more than")


def test_deep_dict_given_directly():
    data: dict = {}
    node = data
    for _ in range(50_000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(ScenarioError, match="nested more than"):
        Scenario.from_dict(data)


def test_file_too_large(tmp_path):
    path = _write(tmp_path / "big.toml", "# " + "x" * MAX_BYTES)
    _refused(path, "big.toml", "larger than 1024 KiB")


def test_a_directory_is_not_a_scenario(tmp_path):
    _refused(tmp_path, str(tmp_path), "not a file")


@pytest.mark.parametrize(("text", "line"), [
    ('[hunter2]\na = 1\n[hunter2]\n', "line 3"),
    ('a = { hunter2 = 1, hunter2 = 2 }\n', "line 1"),
    ('name = "x"\nb = "hunter2\x07"\n', "line 2"),
])
def test_toml_errors_give_line_and_column_but_never_the_text(tmp_path, text, line):
    message = _refused(_write(tmp_path / "x.toml", text), "x.toml", "malformed TOML", line, "column")
    assert "hunter2" not in message and "\x07" not in message


@pytest.mark.parametrize("spelling", ["./self.toml", "../d/self.toml", "self.toml", "link.toml"])
def test_extends_loops_are_found_however_spelt(tmp_path, spelling):
    folder = tmp_path / "d"
    path = _write(folder / "self.toml", f'extends = "{spelling}"\nname = "x"\n')
    os.symlink(path, folder / "link.toml")
    _refused(path, "extends", spelling, "loop", "self.toml")


def test_extends_of_a_binary_file_names_it_and_the_holder(tmp_path):
    _write(tmp_path / "bin.toml", b"\xff\xfe")
    holder = _write(tmp_path / "top.toml", 'extends = "bin.toml"\n')
    text = _refused(holder, "scenario '", "top.toml", "extends = 'bin.toml'", "not UTF-8")
    assert text.startswith(f"scenario {str(holder)!r}")


def test_extends_of_a_malformed_file_gives_its_name_and_line(tmp_path):
    _write(tmp_path / "base.toml", 'name = "base"\nx = = 1\n')
    top = _write(tmp_path / "top.toml", 'extends = "base.toml"\n')
    _refused(top, "extends = 'base.toml'", "base.toml", "malformed TOML", "line 2")


def test_extends_of_a_foreign_toml_file_never_prints_its_contents(tmp_path):
    _write(tmp_path / "secrets.toml", 'password = "hunter2"\n[db]\nkey = "abc"\n')
    top = _write(tmp_path / "d" / "x.toml", 'extends = "../secrets.toml"\nschema_version = 1\n')
    text = _refused(top, "extends", "secrets.toml", "not a scenario file")
    assert "hunter2" not in text and "abc" not in text and "password" not in text


def test_long_extends_chain(tmp_path):
    n = 2_000
    for i in range(n):
        _write(tmp_path / f"s{i}.toml", f'extends = "s{i + 1}.toml"\n')
    _write(tmp_path / f"s{n}.toml", 'name = "end"\n')
    _refused(tmp_path / "s0.toml", "extends", f"longer than {MAX_EXTENDS} files")


def test_a_short_extends_chain_still_works(tmp_path):
    _write(tmp_path / "a.toml", 'extends = "herefordshire_2025.toml"\nname = "a"\n')
    _write(tmp_path / "b.toml", 'extends = "a.toml"\nhorizon_months = 12\n')
    s = load_scenario(tmp_path / "b.toml")
    assert (s.name, s.horizon_months) == ("a", 12)


def test_extends_must_name_a_file(tmp_path):
    _refused(_write(tmp_path / "x.toml", "extends = 3\n"), "extends = 3", "expected the name")


# ------------------------------------------------------------------------ library

def test_load_scenario_accepts_a_dict_as_from_dict_does():
    """A notebook user has a file or a dict; one entry point serves both."""
    assert load_scenario(small_dict()) == Scenario.from_dict(small_dict())
    with pytest.raises(ScenarioError) as info:
        load_scenario(small_dict(horizon_months=0))
    assert info.value.problems[0].path == "horizon_months"


@pytest.mark.parametrize("bad", [3, 2.5, [1, 2], b"x.toml"])
def test_load_scenario_names_what_it_accepts(bad):
    with pytest.raises(TypeError, match="file path, a shipped scenario's name, a dict"):
        load_scenario(bad)


@pytest.mark.parametrize(("changes", "path", "expected"), [
    ({None: 1}, "None", "dotted path as text"),
    ({("teams", "x"): 1}, "('teams', 'x')", "dotted path as text"),
    ({"academy.intakes.².sizes": [1]}, "academy.intakes.².sizes", "no item '²'"),
    ({"academy.intakes.-1.sizes": [1]}, "academy.intakes.-1.sizes", "no item '-1'"),
    ({"teams..caseload_cap": 1}, "teams..caseload_cap", "empty part"),
    (["teams.assessment.caseload_cap=20"], "", "expected a dict"),
])
def test_with_changes_bad_paths_are_scenario_errors(small, changes, path, expected):
    base = load_scenario() if "academy" in str(changes) else small
    with pytest.raises(ScenarioError) as info:
        base.with_changes(changes)
    (p,) = info.value.problems
    assert p.path == path and expected in p.message


def test_a_validated_scenario_cannot_be_changed(small):
    with pytest.raises(TypeError, match="cannot be changed"):
        small.case_types["assessment"].on_close["cin"] = 5.0
    with pytest.raises(TypeError):
        small.teams["new"] = small.teams["assessment"]
    with pytest.raises(TypeError):
        small.teams.update({})
    with pytest.raises(AttributeError):
        small.teams["safeguarding"].staff.nqsw.append(None)     # a tuple
    assert small.case_types["assessment"].on_close == {"cin": 0.3, "cp": 0.1}


def test_frozen_scenarios_still_behave_as_plain_data(small):
    assert [k for k, _ in small.teams.items()] == ["assessment", "safeguarding"]
    assert small.teams["assessment"].caseload_cap == 10
    data = small.to_dict()
    assert type(data["teams"]) is dict and type(data["teams"]["assessment"]["staff"]["permanent"]) is list
    data["teams"]["assessment"]["caseload_cap"] = 99              # a copy: the scenario is untouched
    assert small.teams["assessment"].caseload_cap == 10
    assert Scenario.from_dict(small.to_dict()) == small
    assert pickle.loads(pickle.dumps(small)) == small
    assert copy.deepcopy(small) == small


def test_defaults_are_frozen_too(small):
    with pytest.raises(TypeError):
        small.academy.pathways["x"] = None
    assert small.academy.intakes == ()


def test_a_shipped_scenario_extends_only_shipped_ones_wherever_it_runs(tmp_path, monkeypatch):
    shipped = load_scenario("herefordshire_2022_levers_campaign.toml")
    (tmp_path / "herefordshire_2022_crisis.toml").write_text(
        'extends = "herefordshire_2025.toml"\nhorizon_months = 7\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_scenario("herefordshire_2022_levers_campaign.toml") == shipped


def test_a_file_name_too_long_for_the_filesystem_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario("x" * 300 + ".toml")
