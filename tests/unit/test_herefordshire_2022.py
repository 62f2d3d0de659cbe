"""The shipped Herefordshire 2022 scenarios: the crisis file is the builder's own text.

Cheap (the builder reads the shipped DfE tables once, about two seconds; nothing runs)."""

from __future__ import annotations

from workforce_sim import council_toml
from workforce_sim.scenario import rebuild

CRISIS = "herefordshire_2022_crisis.toml"


def test_the_crisis_file_is_exactly_what_the_builder_writes():
    """``workforce-sim init Herefordshire --year 2022`` from the shipped DfE data; when the
    builder changes, ``python -m workforce_sim.scenario.rebuild`` writes the file again."""
    assert rebuild.BUILT[CRISIS] == ("Herefordshire", 2022)
    shipped = (rebuild.shipped_folder() / CRISIS).read_text(encoding="utf-8")
    assert shipped == council_toml("Herefordshire", 2022), (
        f"{CRISIS} is not the builder's output: run `python -m workforce_sim.scenario.rebuild`")


def test_rebuild_check_lists_a_stale_file(monkeypatch, capsys):
    monkeypatch.setattr(rebuild, "built_text", lambda name: "# not the shipped text\n")
    assert rebuild.main(["--check"]) == 1
    assert CRISIS in capsys.readouterr().out
