"""Loading scenarios: TOML files, ``extends`` chains and the shipped scenarios.

A file is refused with a :class:`ScenarioError` naming it (and, for a file
reached through ``extends``, the file that holds the ``extends``) whatever is
wrong with it: missing, too large, not UTF-8, not TOML, nested too deeply, an
``extends`` loop or a chain too long. Messages never quote a file's contents,
only its name and, for a TOML syntax error, the line and column.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from workforce_sim.scenario.errors import NO_VALUE, Problem, ScenarioError, did_you_mean
from workforce_sim.scenario.schema import Scenario
from workforce_sim.scenario.values import MAX_NESTING, nesting_depth

DEFAULT_SCENARIO = "herefordshire_2025.toml"
MAX_BYTES = 1 << 20
"""Largest scenario file read (1 MiB): the largest shipped one is under 10 KiB."""
MAX_EXTENDS = 20
"""Longest ``extends`` chain: a scenario rarely builds on more than two or three others."""


class _FileProblem(Exception):
    """What is wrong with one file; the caller says where it was asked for."""


@dataclass(frozen=True)
class _File:
    name: str             # for messages
    identity: str         # resolved, so that one file spelt two ways is seen once
    folder: Path | None   # where its ``extends`` are looked up (None: shipped)
    text: str


def shipped_scenarios() -> list[str]:
    """Names of the scenario files shipped with the package.

    Returns
    -------
    list of str
        File names, sorted, for :func:`load_scenario`.
    """
    folder = resources.files("workforce_sim.scenario") / "shipped"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(path: str | os.PathLike[str] | Mapping[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario.

    ``path=None`` gives the built-in default (the Herefordshire 2025 baseline);
    a bare name such as ``"herefordshire_2025.toml"`` that is not a file on
    disk is looked up among the shipped scenarios. A file may start from
    another with ``extends = "other.toml"`` (a path relative to the file, or a
    shipped name) and change only what differs: tables merge key by key,
    anything else is replaced, and so is a table that describes one thing
    (a team's ``staff``, a case type's ``on_close``, a distribution: see
    ``WHOLE_TABLES``).

    Parameters
    ----------
    path : str, path-like, Mapping or None
        A scenario file, a shipped scenario's name, or the scenario's data as a
        dict (validated as :meth:`Scenario.from_dict` does: a notebook user has
        one or the other, and one entry point serves both).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        Naming each problem; nothing else is done.
    TypeError
        If ``path`` is none of the above.
    """
    if isinstance(path, Mapping):
        return Scenario.from_dict(path, "<dict>")
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError("load_scenario expects a file path, a shipped scenario's name, a dict of "
                        f"scenario data or None (the default scenario), not {type(path).__name__}")
    top = _open_top(path)
    data = _read_data(top, chain=())
    return Scenario.from_dict(data, top.name)


def scenario_from_text(text: str, name: str) -> Scenario:
    """Read and validate a scenario from TOML text, as :func:`load_scenario` reads a file.

    Parameters
    ----------
    text : str
        The scenario file's text.
    name : str
        A name for messages (the text has no file); an ``extends`` in it is
        looked up among the shipped scenarios.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        Naming each problem.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ScenarioError([Problem("", NO_VALUE, f"larger than {MAX_BYTES // 1024} KiB; a "
                                     "scenario file is a few KiB")], name)
    top = _File(name, name, None, text)
    return Scenario.from_dict(_read_data(top, chain=()), name)


# ------------------------------------------------------------------ the chain


def _open_top(path: str | os.PathLike[str] | None) -> _File:
    name = os.fspath(path) if path is not None else DEFAULT_SCENARIO
    try:
        return _open(name, folder=None, top=True)
    except _FileProblem as exc:
        raise ScenarioError([Problem("", NO_VALUE, str(exc))], name) from None


def _read_data(file: _File, chain: tuple[_File, ...]) -> dict[str, Any]:
    """The data of ``file``, merged over what it extends."""
    try:
        data = _parse(file)
    except _FileProblem as exc:
        if not chain:
            raise ScenarioError([Problem("", NO_VALUE, str(exc))], file.name) from None
        raise _FileProblem(f"{file.name}: {exc}") from None
    base = data.pop("extends", None)
    if base is None:
        return data
    chain = (*chain, file)
    try:
        base_file = _extended(base, file, chain)
        base_data = _read_data(base_file, chain)
        _check_is_scenario(base_file, base_data)
    except _FileProblem as exc:
        raise ScenarioError([Problem("extends", base, f"{exc}{_via(chain)}")], file.name) from None
    return _merge(base_data, data)


def _extended(base: Any, holder: _File, chain: tuple[_File, ...]) -> _File:
    """The file that ``extends = base`` in ``holder`` names, checked for loops."""
    if not isinstance(base, str) or not base.strip():
        raise _FileProblem("expected the name of a scenario file")
    if len(chain) >= MAX_EXTENDS:
        raise _FileProblem(f"the extends chain is longer than {MAX_EXTENDS} files")
    file = _open(base, holder.folder)
    if any(f.identity == file.identity for f in chain):
        raise _FileProblem(f"{file.name} is already in the extends chain: a loop")
    return file


def _via(chain: tuple[_File, ...]) -> str:
    return f" (reached from {' -> '.join(f.name for f in chain[:-1])})" if len(chain) > 1 else ""


def _check_is_scenario(file: _File, data: dict[str, Any]) -> None:
    # A base's unknown keys would be reported with their values: refuse the
    # file as a whole instead, so that no content of a stray file is shown.
    allowed = {f.alias or name for name, f in Scenario.model_fields.items()}
    if not set(data) <= allowed:
        raise _FileProblem(f"{file.name} is not a scenario file (its top-level keys are not "
                           "scenario fields)")


#: Tables that describe one thing and are replaced as a whole by a file that
#: sets them, never merged key by key: a team's staff (a child that lists the
#: permanent and agency staff does not keep its parent's newly qualified ones),
#: a case type's continuations (probabilities that belong together), and any
#: distribution (a table with ``dist``: a lognormal keeps no empirical ``bins``).
WHOLE_TABLES = (("teams", "*", "staff"), ("case_types", "*", "on_close"))


def _whole(path: tuple[str, ...], value: dict[str, Any]) -> bool:
    return "dist" in value or any(
        len(path) == len(pattern) and all(p in ("*", k) for p, k in zip(pattern, path, strict=True))
        for pattern in WHOLE_TABLES)


def _merge(base: dict[str, Any], top: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _whole(here, value):
            out[key] = _merge(out[key], value, here)
        else:
            out[key] = value
    return out


# ------------------------------------------------------------------ one file


def _open(name: str, folder: Path | None, *, top: bool = False) -> _File:
    """Find and read a scenario file. The file asked for (``top``): as given, then
    shipped. An ``extends``: beside the file holding it (``folder``), then shipped; a
    shipped file extends only shipped ones, wherever the command runs."""
    p = Path(name)
    candidates = [p] if top else [folder / p] if folder is not None else []
    for candidate in candidates:
        if _is_file(candidate):
            resolved = candidate.resolve()
            return _File(str(candidate), str(resolved), resolved.parent, _text(candidate, str(candidate)))
    shipped = resources.files("workforce_sim.scenario") / "shipped" / p.name
    if p.parent == Path(".") and shipped.is_file():
        label = f"<shipped>/{p.name}"
        return _File(label, label, None, _text(shipped, label))
    if any(_exists(c) for c in candidates):
        raise _FileProblem(f"{name} is not a file")
    names = shipped_scenarios()
    raise _FileProblem(f"no such file {name!r}{did_you_mean(p.name, names)} "
                       f"(shipped: {', '.join(names)})")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError as exc:            # a name too long for the filesystem, say
        raise _FileProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _text(source: Path | Traversable, label: str) -> str:
    try:
        with source.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _FileProblem(f"cannot read {label}: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > MAX_BYTES:
        raise _FileProblem(f"{label} is larger than {MAX_BYTES // 1024} KiB; a scenario file "
                           "is a few KiB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _FileProblem(f"{label} is not UTF-8 text (byte {exc.start}); "
                           "expected a TOML scenario file") from None


# tomllib's messages that quote the file (a key, a character) and what to say instead:
# a message names the line and column, never what the file holds there.
_QUOTING = (("Found invalid character", "an invalid character"),
            ("Illegal character", "an illegal character"),
            ("Cannot declare", "a key declared twice"),
            ("Cannot mutate immutable namespace", "a table changed after it was defined"),
            ("Cannot redefine namespace", "a table defined twice"),
            ("Duplicate inline table key", "a key repeated in an inline table"))


def _toml_reason(message: str) -> str:
    what, _, where = message.rpartition(" (at ")
    if not what:
        what, where = message, ""
    for prefix, instead in _QUOTING:
        if what.startswith(prefix):
            what = instead
    return f"{what} (at {where}" if where else what


def _parse(file: _File) -> dict[str, Any]:
    try:
        data = tomllib.loads(file.text)
    except tomllib.TOMLDecodeError as exc:
        raise _FileProblem(f"malformed TOML: {_toml_reason(str(exc))}") from None
    except RecursionError:
        raise _FileProblem(f"nested more than {MAX_NESTING} levels deep") from None
    if nesting_depth(data) > MAX_NESTING:
        raise _FileProblem(f"nested more than {MAX_NESTING} levels deep; a scenario's deepest "
                           "field is 6 levels down")
    return data
