"""Loading scenarios: TOML files, ``extends`` chains and the shipped scenarios."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from workforce_sim.scenario.errors import NO_VALUE, Problem, ScenarioError, did_you_mean
from workforce_sim.scenario.schema import Scenario

DEFAULT_SCENARIO = "herefordshire_2025.toml"


def shipped_scenarios() -> list[str]:
    """Names of the scenario files shipped with the package."""
    folder = resources.files("workforce_sim.scenario") / "shipped"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario TOML file.

    ``path=None`` gives the built-in default (the Herefordshire 2025 baseline);
    a bare name such as ``"herefordshire_2025.toml"`` that is not a file on
    disk is looked up among the shipped scenarios. A file may start from
    another with ``extends = "other.toml"`` (a path relative to the file, or a
    shipped name) and change only what differs: tables merge key by key,
    anything else is replaced.
    Raises :class:`ScenarioError` naming each problem; nothing else is done.
    """
    data, source = _read_data(path, seen=())
    return Scenario.from_dict(data, source)


def _read_data(path: str | Path | None, seen: tuple[str, ...]) -> tuple[dict, str]:
    text, source, folder = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem("", NO_VALUE, f"malformed TOML: {exc}")], source) from None
    base = data.pop("extends", None)
    if base is None:
        return data, source
    if not isinstance(base, str):
        raise ScenarioError([Problem("extends", base, "expected a file name")], source)
    if source in seen:
        raise ScenarioError([Problem("extends", base, "scenarios extend each other in a loop")], source)
    local = folder / base if folder is not None else None
    base_data, _ = _read_data(local if local is not None and local.is_file() else base,
                              (*seen, source))
    return _merge(base_data, data), source


def _merge(base: dict, top: dict) -> dict:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: str | Path | None) -> tuple[str, str, Path | None]:
    """Text, a name for messages, and the folder (for ``extends``) of a scenario file."""
    if path is None:
        path = DEFAULT_SCENARIO
    p = Path(path)
    if p.is_file():
        return p.read_text(encoding="utf-8"), str(p), p.parent
    shipped = resources.files("workforce_sim.scenario") / "shipped" / p.name
    if p.parent == Path(".") and shipped.is_file():
        return shipped.read_text(encoding="utf-8"), f"<shipped>/{p.name}", None
    hint = did_you_mean(p.name, shipped_scenarios())
    raise ScenarioError(
        [Problem("", str(path), f"no such file{hint} (shipped: {', '.join(shipped_scenarios())})")],
        str(path),
    )
