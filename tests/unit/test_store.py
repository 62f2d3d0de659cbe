"""Writing outputs safely: whole folders, file names and spreadsheet cells from user text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from workforce_sim.results.store import (
    MissingProvenanceError,
    ResultsError,
    atomic_folder,
    escape_cell,
    escape_formulas,
    read_provenance,
    safe_filename,
    unescape_cell,
    unescape_formulas,
    write_csv,
    write_provenance,
    write_text,
)


def write_run(folder, tag: str) -> None:
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        write_text(folder / name, f"{tag} {name}")
    write_provenance(folder, {"kind": "run", "tag": tag})


def contents(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "provenance.json"}


def hidden(parent) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ atomic_folder


def test_a_folder_is_swapped_in_whole(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        write_run(tmp, "one")
        assert not out.exists()                       # nothing visible until the end
    assert read_provenance(out)["tag"] == "one"
    with atomic_folder(out) as tmp:
        write_text(tmp / "only.txt", "two")
        write_provenance(tmp, {"kind": "run", "tag": "two"})
    assert contents(out) == {"only.txt": "two"}       # nothing of the first run is left
    assert read_provenance(out)["tag"] == "two" and hidden(tmp_path) == []


def test_a_failure_inside_leaves_the_previous_folder(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        write_run(tmp, "one")
    for error in (RuntimeError("boom"), KeyboardInterrupt()):
        folder = atomic_folder(out)
        with pytest.raises(type(error)):
            with folder as tmp:
                write_text(tmp / "a.txt", "half")
                raise error
        assert not folder.committed and folder.existed
        assert read_provenance(out)["tag"] == "one" and contents(out)["a.txt"] == "one a.txt"
        assert hidden(tmp_path) == []


def test_two_writers_at_once_each_swap_in_a_whole_folder(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        write_run(tmp, "old")
    first, second = atomic_folder(out), atomic_folder(out)
    t1 = first.__enter__()
    t2 = second.__enter__()
    write_run(t1, "first")
    write_run(t2, "second")
    second.__exit__(None, None, None)
    assert read_provenance(out)["tag"] == "second"
    first.__exit__(None, None, None)                 # the last to finish wins, whole
    prov = read_provenance(out)
    assert prov["tag"] == "first" and set(contents(out).values()) == {
        "first a.txt", "first b.txt", "first sub/c.txt"}
    assert hidden(tmp_path) == []


def test_a_folder_that_is_not_an_output_is_not_replaced(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    with pytest.raises(FileExistsError, match="not an empty folder or an output"):
        with atomic_folder(mine):
            pass
    assert (mine / "thesis.docx").read_text() == "years of work"


def test_sigkill_while_writing_leaves_the_previous_folder_complete(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        write_run(tmp, "before")
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from workforce_sim.results.store import atomic_folder, write_text
        with atomic_folder(Path({str(out)!r})) as tmp:
            write_text(tmp / "a.txt", "half written")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == -9, r.stderr
    assert read_provenance(out)["tag"] == "before"   # complete, and checks against its hashes
    assert contents(out)["a.txt"] == "before a.txt"
    left = [tmp_path / n for n in hidden(tmp_path)]
    assert len(left) == 1 and left[0].name.endswith(".part")     # the killed writer's
    with atomic_folder(out) as tmp:
        write_run(tmp, "fresh")
    assert left[0].exists()                          # it might still be writing: kept
    os.utime(left[0], (0, 0))                        # an hour and more without a change
    with atomic_folder(out) as tmp:
        write_run(tmp, "later")
    assert hidden(tmp_path) == [] and read_provenance(out)["tag"] == "later"


def test_a_folder_without_complete_provenance_is_not_complete(tmp_path):
    with pytest.raises(MissingProvenanceError, match="provenance.json: missing"):
        read_provenance(tmp_path)
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        write_run(tmp, "one")
    (out / "extra.txt").write_text("not listed")     # not listed: ignored, not trusted
    read_provenance(out)
    (out / "sub" / "c.txt").write_text("changed")
    with pytest.raises(ResultsError, match=r"c.txt: changed since it was saved"):
        read_provenance(out)
    (out / "sub" / "c.txt").write_text("one sub/c.txt")
    read_provenance(out)
    prov = json.loads((out / "provenance.json").read_text())
    prov["files"]["../../etc/passwd"] = "0" * 64
    (out / "provenance.json").write_text(json.dumps(prov))
    with pytest.raises(ResultsError, match="outside the folder"):
        read_provenance(out)


# ------------------------------------------------------------------ safe_filename


@pytest.mark.parametrize("name, expected", [
    ("herefordshire_2025", "herefordshire_2025"),
    ("..", "unnamed"),
    (".", "unnamed"),
    ("", "unnamed"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("a/b", "a_b"),
    ("a\\b", "a_b"),
    ("a\0b", "a_b"),
    (".hidden", "hidden"),
    ("C:\\Windows", "C__Windows"),
    ("CON", "CON_"),
    ("con.txt", "con.txt_"),
    ("nul", "nul_"),
    ("COM1", "COM1_"),
    ("lpt9.toml", "lpt9.toml_"),
    ("trailing.", "trailing"),
    ("naïve £ plan", "na_ve___plan"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_bounds_length_and_deduplicates():
    long = safe_filename("x" * 300)
    assert len(long) == 64 and set(long) == {"x"}
    taken = {"a_b", "A_B-2"}
    assert safe_filename("a b", taken) == "a_b-3"          # no case: as on Windows and macOS
    names: set[str] = set()
    for _ in range(12):
        names.add(safe_filename("y" * 300, names))
    assert len(names) == 12 and all(len(n) <= 64 for n in names)


# ------------------------------------------------------------------ formula injection


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx",
                                  "\r=1", "'=already", "'plain", "plain", "", "'"])
def test_escape_round_trips(text):
    escaped = escape_cell(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r")) or escaped == text == ""
    assert unescape_cell(escaped) == text


def test_numbers_are_not_escaped():
    assert escape_cell(-1.5) == -1.5 and escape_cell(-3) == -3 and escape_cell(None) is None


def test_csv_cells_from_user_text_are_escaped(tmp_path):
    frame = pd.DataFrame({"scenario": ["=cmd|'/c calc'!A1", "ok", "-x"], "value": [-1.0, 2.0, -3.5],
                          "=col": [1, 2, 3]})
    write_csv(tmp_path / "t.csv", frame)
    text = (tmp_path / "t.csv").read_text()
    assert "'=cmd" in text and "\n-1.0" not in text.replace(",-1.0", "")
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back["scenario"]) == ["'=cmd|'/c calc'!A1", "ok", "'-x"]
    assert list(back["value"]) == [-1.0, 2.0, -3.5]      # numbers as they were
    pd.testing.assert_frame_equal(unescape_formulas(back), frame)
    assert escape_formulas(pd.DataFrame({"a": [1, -2]})).equals(pd.DataFrame({"a": [1, -2]}))


def test_every_saved_file_has_ordinary_permissions(tmp_path):
    import stat

    import workforce_sim as ws
    from tests.conftest import small_dict

    pytest.importorskip("pyarrow")
    res = ws.run(ws.Scenario.from_dict(small_dict(horizon_months=3)), 1, 0, workers=1, progress=False)
    folder = res.save(tmp_path / "saved")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert "monthly.parquet" in modes and len(set(modes.values())) == 1, modes
