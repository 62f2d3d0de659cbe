"""Reproducible to the bit, whatever the number of workers; common random numbers by purpose."""

from __future__ import annotations

import pandas as pd

from workforce_sim import run, simulate


def test_workers_one_and_two_give_identical_results(small):
    one = run(small, replications=6, seed=11, workers=1, progress=False).monthly
    two = run(small, replications=6, seed=11, workers=2, progress=False).monthly
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["replication"].is_monotonic_increasing


def test_replication_alone_equals_replication_in_a_batch(small):
    batch = run(small, replications=4, seed=5, workers=1, progress=False).monthly
    alone = simulate(small, seed=5, replication=3).monthly
    third = batch[batch["replication"] == 3].drop(columns="replication").reset_index(drop=True)
    pd.testing.assert_frame_equal(third, alone, check_exact=True)


def test_different_seeds_differ(small):
    a = simulate(small, seed=1).monthly["referrals"]
    b = simulate(small, seed=2).monthly["referrals"]
    assert not a.equals(b)


def test_changing_one_case_type_leaves_the_others_draws_alone(small):
    """Doubling CIN durations changes no assessment referral, duration or pathway draw:
    the assessment spells (queue and allocation times) are identical while the
    assessment team is unaffected by the safeguarding team's load."""
    changed = small.with_changes({"case_types.cin.duration_days": {"dist": "gamma", "mean": 400, "sd": 300}})
    a = simulate(small, seed=3, case_log=True).cases
    b = simulate(changed, seed=3, case_log=True).cases
    pick = ["queued_day", "allocated_day", "ended_day"]   # ids interleave with other teams
    a_ass = a[a["case_type"] == "assessment"][pick].reset_index(drop=True)
    b_ass = b[b["case_type"] == "assessment"][pick].reset_index(drop=True)
    pd.testing.assert_frame_equal(a_ass, b_ass, check_exact=True)
    cin_a = a[a["case_type"] == "cin"]["ended_day"] - a[a["case_type"] == "cin"]["allocated_day"]
    cin_b = b[b["case_type"] == "cin"]["ended_day"] - b[b["case_type"] == "cin"]["allocated_day"]
    assert cin_b.mean() > cin_a.mean()
