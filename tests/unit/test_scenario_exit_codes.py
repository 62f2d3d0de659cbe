"""The command line turns every bad scenario into exit 2 with a printable message."""

from __future__ import annotations

import pytest

from workforce_sim.cli.main import main

GOOD_TOP = 'extends = "herefordshire_2025.toml"\n'


@pytest.mark.parametrize(("content", "expected"), [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    ("a = " + "[" * 50_000 + "]" * 50_000, "nested more than"),
    ('extends = "./bad.toml"\n', "loop"),
    (GOOD_TOP + 'name = "\\u001b[31mred"\n', "printable"),        # TOML's escape: a real ESC
    (GOOD_TOP + '[teams."\\u001b[31mx"]\nestablishment_fte = 1\n', "printable"),
    (GOOD_TOP + "[teams.assessment]\ncaseload_cap = inf\n", "finite"),
    (GOOD_TOP + 'start_date = 9999-01-01\n', "2000-01-01 to 2100-12-31"),
])
def test_bad_files_exit_2_naming_the_file(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and expected in err
    assert "\x1b" not in err and "Traceback" not in err


@pytest.mark.parametrize(("setting", "expected"), [
    ("teams..caseload_cap=3", "empty part"),
    ("academy.intakes.².sizes=[1]", "no item"),
    ("teams.assessment.caseload_cap=1e308", "at most 1,000,000"),
    ("name=\x1b[2J", "printable"),
])
def test_bad_settings_exit_2(capsys, setting, expected):
    assert main(["validate", "herefordshire_2025.toml", "--set", setting]) == 2
    err = capsys.readouterr().err
    assert expected in err and "\x1b" not in err
