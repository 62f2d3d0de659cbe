"""The DfE's stability measure in the shipped scenarios, against the published figures.

Children looked after at 31 March with 3 or more social workers in the year
(S6 in docs/model.md): England 27 % in 2023-24 and 24 % in 2024-25;
Herefordshire 44 % in 2023-24. Changes of social worker come from leavers,
moves between teams on the child's pathway (every entry to care comes through
assessment or a child protection plan) and managers' caseload moves; the
decomposition is in docs/model.md ("Stability of children looked after").

Means are over 20 replications, seed 0, of the first 18 months (to the first
March whose 12-month window lies wholly inside the run). Across replications
the rate's standard deviation is about 4 points for the 2025 baseline and 7
for the 2022 crisis, so the standard error of each mean is 1-1.6 points
(printed in the messages); the bands are wider than that because they are
judgements about the model against published figures, not sampling bounds:
each says why it is where it is.
"""

from __future__ import annotations

import numpy as np
import pytest

from workforce_sim import load_scenario, run, simulate

REPLICATIONS = 20


def _march_rate(name: str, march: str) -> tuple[float, float]:
    scenario = load_scenario(name).with_changes({"horizon_months": 18})
    res = run(scenario, replications=REPLICATIONS, seed=0, workers=1, progress=False)
    m = res.monthly
    rows = m[(m["team"] == "all") & (m["month"] == march)]
    assert len(rows) == REPLICATIONS
    rate = rows["looked_after_3plus_rate"]
    return float(rate.mean()), float(rate.std(ddof=1) / np.sqrt(len(rate)))


def test_2025_baseline_moves_towards_the_published_range():
    """31 March 2027. Before caseload moves and entries to care through assessment the
    baseline gave about 12 %; it now gives about 24 %. Band 18-30 %: above 18 % because
    managers' moves (0.25 changes a child-year) and the front door's worker for entries
    to care (0.21) are now there; at most 30 %, a little above England's 24-27 %,
    because Herefordshire's 2025 workforce is steadier than England's (turnover 10.8 %
    against 15-17 %, agency falling from 18 %): the leavers' share of changes is smaller.
    The model still lacks workers' moves within the council and absence cover, so it
    should not exceed England by much."""
    mean, se = _march_rate("herefordshire_2025.toml", "2027-03-01")
    assert 0.18 <= mean <= 0.30, f"3+ rate at 31 March 2027: {mean:.3f} ± {se:.3f}"


@pytest.mark.slow
def test_2022_crisis_is_near_herefordshires_published_rate():
    """31 March 2024, the year Herefordshire published 44 %. The crisis scenario (no
    new levers) gives about 52 %, the levers the council pulled about 48 %; before
    caseload moves and entries to care through assessment, 36 % and 34 %. Band
    38-60 %: the published figure is within one replication standard deviation of
    the mean; the model's agency churn (early exits and 26-week placements, [E]) is
    the largest cause of changes in the crisis, so an overshoot points there."""
    mean, se = _march_rate("herefordshire_2022_crisis.toml", "2024-03-01")
    assert 0.38 <= mean <= 0.60, f"3+ rate at 31 March 2024: {mean:.3f} ± {se:.3f}"


@pytest.mark.parametrize("name", ["herefordshire_2025.toml", "herefordshire_2022_crisis.toml"])
def test_every_entry_to_care_comes_through_the_front_door(name):
    """No child enters care unseen: every looked-after case opened during the run
    continues another case of the same child (an assessment or a child protection
    plan), so the worker who held it counts among the child's social workers in the
    year, as the DfE's measure counts them (exact, from the case log of one run)."""
    scenario = load_scenario(name).with_changes({"horizon_months": 12})
    looked_after = {n for n, ct in scenario.case_types.items() if ct.looked_after}
    assert all(scenario.case_types[n].referrals_per_year == 0 for n in looked_after)
    cases = simulate(scenario, seed=0, case_log=True).cases
    first = cases.groupby("case_id").agg(child=("child_id", "first"), kind=("case_type", "first"),
                                         opened=("queued_day", "min"))
    entries = first[first["kind"].isin(looked_after) & (first["opened"] > 0)]
    assert len(entries) > 30
    earlier = first.reset_index().merge(entries.reset_index(), on="child",
                                        suffixes=("", "_entry"))
    earlier = earlier[earlier["case_id"] < earlier["case_id_entry"]]
    assert set(earlier["child"]) == set(entries["child"])
