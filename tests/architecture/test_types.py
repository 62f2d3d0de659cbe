"""The package type-checks: ``mypy`` (configuration in pyproject.toml, with the
pydantic plugin) reports no error, and the wheel says it is typed (py.typed)."""

from __future__ import annotations

from pathlib import Path

import pytest

import workforce_sim

ROOT = Path(__file__).parents[2]


def test_mypy_finds_no_error(monkeypatch):
    api = pytest.importorskip("mypy.api")
    monkeypatch.chdir(ROOT)          # mypy reads its files and settings from pyproject.toml
    out, err, status = api.run([])
    assert status == 0, out + err
    assert out.startswith("Success: no issues found")


def test_package_ships_py_typed():
    assert (Path(workforce_sim.__file__).parent / "py.typed").is_file()
