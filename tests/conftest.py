"""Shared fixtures: small scenarios built as dicts, the way a notebook user would."""

from __future__ import annotations

import copy

import pytest

from workforce_sim import Scenario, load_scenario


def small_dict(**overrides) -> dict:
    """A two-team service that runs in a fraction of a second."""
    d = {
        "schema_version": 1,
        "name": "small test service",
        "start_date": "2025-04-01",
        "horizon_months": 24,
        "teams": {
            "assessment": {"establishment_fte": 4, "caseload_cap": 10,
                           "staff": {"permanent": 3, "agency": 1}},
            "safeguarding": {"establishment_fte": 5, "caseload_cap": 12,
                             "staff": {"permanent": 3, "nqsw": [{"count": 1, "months_served": 3}],
                                       "agency": 1}},
        },
        "case_types": {
            "assessment": {"team": "assessment", "referrals_per_year": 400,
                           "duration_days": {"dist": "lognormal", "median": 25, "p90": 50},
                           "initial_open": 20, "on_close": {"cin": 0.3, "cp": 0.1}},
            "cin": {"team": "safeguarding",
                    "duration_days": {"dist": "gamma", "mean": 200, "sd": 150},
                    "initial_open": 30, "priority": 2},
            "cp": {"team": "safeguarding", "weight": 1.5,
                   "duration_days": {"dist": "triangular", "min": 60, "mode": 200, "max": 500},
                   "initial_open": 10, "on_close": {"cin": 0.5}},
        },
        "absence": {"rate": 0.0},
    }
    for path, value in overrides.items():
        node = d
        *head, last = path.split(".")
        for part in head:
            node = node[part]
        node[last] = value
    return d


@pytest.fixture
def small() -> Scenario:
    return Scenario.from_dict(small_dict())


@pytest.fixture
def small_data() -> dict:
    return copy.deepcopy(small_dict())


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario()
