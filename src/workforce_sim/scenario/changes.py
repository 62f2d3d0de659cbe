"""Changing a scenario's plain data at dotted paths (``teams.assessment.caseload_cap``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workforce_sim.scenario.errors import Problem, did_you_mean

EXAMPLE = "e.g. 'teams.assessment.caseload_cap' or 'academy.intakes.0.sizes'"


def apply_changes(data: dict[str, Any], changes: Any) -> list[Problem]:
    """Set each ``path: value`` of ``changes`` in ``data`` (in place).

    Parameters
    ----------
    data : dict
        Plain scenario data, as :meth:`Scenario.to_dict` gives it.
    changes : Mapping
        Dotted paths (text) and their new values.

    Returns
    -------
    list of Problem
        One per change that could not be made (nothing is raised).
    """
    if not isinstance(changes, Mapping):
        return [Problem("", changes, "expected a dict of {dotted path: value}, " + EXAMPLE)]
    problems = []
    for path, value in changes.items():
        if not isinstance(path, str):
            problems.append(Problem(repr(path), value, "expected a dotted path as text, " + EXAMPLE))
            continue
        try:
            set_path(data, path, value)
        except KeyError as exc:
            problems.append(Problem(path, value, exc.args[0]))
    return problems


def _index(part: str) -> int | None:
    # ASCII digits only: '²'.isdigit() is true and int('²') fails.
    return int(part) if part.isascii() and part.isdigit() else None


def set_path(data: Any, path: str, value: Any) -> None:
    """Set ``value`` at the dotted ``path`` in ``data``.

    Parameters
    ----------
    data : dict or list
        Plain data, changed in place.
    path : str
        Keys and list indexes joined by dots.
    value : Any
        The new value.

    Raises
    ------
    KeyError
        With a message naming the part of the path that does not exist.
    """
    parts = path.split(".")
    if "" in parts:
        raise KeyError(f"empty part in the path; expected names joined by single dots, {EXAMPLE}")
    node = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            key: Any = _index(part)
            if key is None or key >= len(node):
                raise KeyError(f"{where}: no item {part!r} (the list has {len(node)} items)")
        elif isinstance(node, dict):
            if part not in node and not last:
                raise KeyError(f"no key {where!r}{did_you_mean(part, node)}")
            key = part
        else:
            raise KeyError(f"{'.'.join(parts[:i])!r} holds a value, not a section")
        if last:
            node[key] = value
        else:
            node = node[key]
