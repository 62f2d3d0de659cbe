"""The 2022 crisis: held where it was, the spiral holds; the levers take the agency share down.

The crisis file is the builder's (``council_toml("Herefordshire", 2022)``), with
the trends fitted to every council's census up to 2022 (docs/model.md,
"Parameter trends"). With its trends held (nothing reverts: the census's 50 %
turnover stays), it is the spiral: Herefordshire's 2022 census showed 54.9 %
agency and a caseload of 18.7, against England's 13-18 % and a soft cap of 18.
With the trends, every replication draws how the service's parameters move, as
councils' did in 2017-2022; the levers (docs/levers.md) then act on top, on
common random numbers (same seed, same replications, the same drawn trends), so
the comparison is paired.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from workforce_sim import load_scenario, run

MONTHS = 36
REPS = 20
pytestmark = pytest.mark.slow        # four 20-replication runs of 36 months: about 35 s


def _at_horizon(name: str, **changes):
    s = load_scenario(name).with_changes({"horizon_months": MONTHS, **changes})
    res = run(s, replications=REPS, seed=2022, workers=2, progress=False)
    m = res.monthly
    return m[(m["team"] == "all") & (m["month"] == m["month"].max())].set_index("replication")


@pytest.fixture(scope="module")
def crisis():
    return _at_horizon("herefordshire_2022_crisis.toml")


@pytest.fixture(scope="module")
def levers():
    return _at_horizon("herefordshire_2022_levers_all.toml")


def test_held_where_it_was_the_spiral_holds():
    """The crisis with its trends held (none drawn) and without the DfE's agency rules
    (they apply from 31 October 2024, two years into the run): after three years the
    mean agency rate is still at least 45 % (three times the national 13-18 %) and the
    mean caseload is above the soft cap of 18. With the rules from their date the agency
    rate holds at 45 % or more too, and the caseload is lower: agency workers leaving
    early work 4 weeks' notice, so more of them hold cases at any time."""
    before_rules = _at_horizon("herefordshire_2022_crisis.toml", trends={},
                               **{"workforce.agency.rules": [{"start": "2099-01-01"}]})
    assert before_rules["agency_rate"].mean() >= 0.45
    assert before_rules["caseload"].mean() > 18
    held = _at_horizon("herefordshire_2022_crisis.toml", trends={})
    assert held["agency_rate"].mean() >= 0.45
    assert held["caseload"].mean() < before_rules["caseload"].mean()


def test_with_the_levers_the_agency_share_falls(crisis, levers):
    """Paired by replication: the levers give a lower agency rate after three years in
    every one of the 20 replications (a sign test's p-value under "no effect"
    would be 2⁻²⁰ ≈ 10⁻⁶), and the paired mean difference's 99.9 % t-interval lies
    below 0."""
    diff = levers["agency_rate"] - crisis["agency_rate"]
    assert (diff < 0).all(), diff.describe()
    half = stats.t.ppf(1 - 0.0005, REPS - 1) * diff.std(ddof=1) / math.sqrt(REPS)
    assert diff.mean() + half < 0, diff.describe()
