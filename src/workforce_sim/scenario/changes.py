"""Changing a scenario's plain data at dotted paths (``teams.assessment.caseload_cap``)."""

from __future__ import annotations

from typing import Any

from workforce_sim.scenario.errors import did_you_mean


def set_path(data: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(f"{where}: no item {part!r} (the list has {len(node)} items)")
            key: Any = int(part)
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


