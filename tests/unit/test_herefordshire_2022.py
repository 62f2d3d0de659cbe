"""The shipped Herefordshire 2022 scenarios: the crisis file is the builder's own text, and
each lever file changes the crisis only in its lever; the all-levers file is their union.

Cheap (the builder reads the shipped DfE tables once, about two seconds; nothing runs)."""

from __future__ import annotations

from typing import Any

import pytest

from workforce_sim import council_toml, load_scenario
from workforce_sim.scenario import rebuild
from workforce_sim.scenario.loading import WHOLE_TABLES

CRISIS = "herefordshire_2022_crisis.toml"
LEVERS = ("academy", "campaign", "retention", "conversion", "establishment")
ALL = "herefordshire_2022_levers_all.toml"


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


def _leaves(data: Any, path: str = "") -> dict[str, Any]:
    """Dotted path -> value for every value that is not a table (lists are values)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_leaves(value, f"{path}.{key}" if path else key))
        return out
    return {path: data}


def _changes(name: str) -> dict[str, Any]:
    base = _leaves(load_scenario(CRISIS).to_dict())
    new = _leaves(load_scenario(name).to_dict())
    assert set(base) <= set(new), "a lever file drops a field of the crisis"
    return {k: v for k, v in new.items() if (k not in base or v != base[k]) and k != "name"}


@pytest.mark.parametrize("lever", LEVERS)
def test_each_lever_file_changes_only_its_lever(lever):
    changed = _changes(f"herefordshire_2022_levers_{lever}.toml")
    assert changed, "the lever changes nothing"
    # today's staff and the case types' continuations (tables that ``extends`` replaces
    # whole, WHOLE_TABLES) stay the crisis file's: the levers act from their dates on
    assert {("teams", "*", "staff"), ("case_types", "*", "on_close")} == set(WHOLE_TABLES)
    assert not [k for k in changed if k.split(".")[2:3] in (["staff"], ["on_close"])]


def test_all_levers_is_the_union_of_the_single_levers():
    """Each value of the all-levers file is the one in its lever's own file (where its
    sources are given), and the single levers touch disjoint fields."""
    union: dict[str, Any] = {}
    for lever in LEVERS:
        changed = _changes(f"herefordshire_2022_levers_{lever}.toml")
        assert not set(changed) & set(union), f"{lever} overlaps another lever"
        union.update(changed)
    assert _changes(ALL) == union
