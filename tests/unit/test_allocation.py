"""The allocation rule, hand-over and the ASYE ramp, checked event by event on tiny services."""

from __future__ import annotations

import pytest

from tests.conftest import small_dict
from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.engine.processes.staffing import RAMP_STEP_DAYS
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.engine.state.workers import NQSW, PERMANENT


def one_team(workers=2, cap=3, cases=None, moves=0.0, **extra) -> Scenario:
    """One team of permanent staff; managers' caseload moves off unless ``moves`` is set
    (a case moves only when a test says so)."""
    d = {
        "schema_version": 1, "name": "tiny", "start_date": "2025-01-01", "horizon_months": 12,
        "teams": {"t": {"establishment_fte": workers, "caseload_cap": cap,
                        "staff": {"permanent": workers}}},
        "case_types": cases or {"c": {"team": "t", "duration_days": {"dist": "fixed", "value": 50}}},
        "absence": {"rate": 0.0},
        "caseload_management": {"moves_per_case_year": moves},
    }
    d.update(extra)
    return Scenario.from_dict(d)


def open_case(model, kind="c", remaining=10.0):
    return model.allocation.open(model.kinds[kind], model.allocation.new_child(), remaining)


def test_least_loaded_worker_gets_the_case():
    m = Model(one_team(workers=3, cap=4))
    a, b, c = m.teams["t"].workers
    cases = [open_case(m) for _ in range(5)]
    # Ties go to the first worker in the list, so loads fill evenly: 2, 2, 1.
    assert [len(w.cases) for w in (a, b, c)] == [2, 2, 1]
    assert all(case.worker is not None for case in cases)


def test_load_ratio_not_headcount_decides():
    """A half-time worker with one case (ratio 1/2) loses to a full-timer with one (1/4)."""
    s = one_team(workers=1, cap=4)
    s = s.with_changes({"teams.t.staff.permanent": [{"count": 1, "fte": 0.5}, {"count": 1}]})
    m = Model(s)
    half, full = m.teams["t"].workers
    open_case(m)
    open_case(m)
    assert (len(half.cases), len(full.cases)) == (1, 1)
    open_case(m)
    assert (len(half.cases), len(full.cases)) == (1, 2)


def test_head_of_queue_is_never_overtaken():
    """A heavy case at the head waits even though a light case behind it would fit."""
    cases = {"heavy": {"team": "t", "weight": 2.0, "duration_days": {"dist": "fixed", "value": 50}},
             "light": {"team": "t", "weight": 1.0, "duration_days": {"dist": "fixed", "value": 50}}}
    m = Model(one_team(workers=1, cap=3, cases=cases))
    team = m.teams["t"]
    open_case(m, "heavy")                   # load 2 of 3
    second = open_case(m, "heavy")          # needs 2, only 1 free: waits
    light = open_case(m, "light")           # would fit, but the head blocks it
    assert second.worker is None and light.worker is None
    assert team.n_waiting == 2


def test_priority_then_first_come_first_served():
    cases = {"urgent": {"team": "t", "priority": 1, "duration_days": {"dist": "fixed", "value": 50}},
             "routine": {"team": "t", "priority": 2, "duration_days": {"dist": "fixed", "value": 50}}}
    m = Model(one_team(workers=1, cap=1, cases=cases))
    team = m.teams["t"]
    open_case(m, "routine", 5.0)            # allocated: the worker is full
    r2 = open_case(m, "routine")
    u1 = open_case(m, "urgent")
    u2 = open_case(m, "urgent")
    order = [c for q in team.queues for c in q]
    assert order == [u1, u2, r2]


def test_hand_over_puts_cases_at_the_front_keeping_served_time():
    m = Model(one_team(workers=2, cap=2))
    team = m.teams["t"]
    leaver, stayer = team.workers
    held = [open_case(m, remaining=40.0) for _ in range(4)]   # both workers full
    waiting = open_case(m, remaining=7.0)
    mine = [c for c in held if c.worker is leaver]
    m.env.run(until=15)
    m.depart(leaver)
    queue = list(team.queues[0])
    assert queue[:2] == mine and queue[2] is waiting          # handed-over cases first, oldest first
    assert all(c.remaining == pytest.approx(25.0) for c in mine)
    assert team.handovers == 2
    m.staffing.add(PERMANENT, team)                           # a new worker takes both
    assert all(c.worker is not None and c.worker is not leaver for c in mine)
    assert team.worker_changes == 2
    assert all(c.ends_at == pytest.approx(15 + 25) for c in mine)


def test_stale_closure_after_hand_over_is_ignored():
    m = Model(one_team(workers=1, cap=1))
    team = m.teams["t"]
    (leaver,) = team.workers
    case = open_case(m, remaining=10.0)
    m.env.run(until=4)
    m.depart(leaver)
    m.env.run(until=6)
    m.staffing.add(PERMANENT, team)
    m.env.run(until=10.5)                   # the old closure (day 10) must not close it
    assert case.worker is not None and team.closures == 0
    m.env.run(until=12.5)                   # it closes at 6 + 6 = 12
    assert case.worker is None and team.closures == 1


def test_same_team_pathway_stays_with_the_worker():
    cases = {"cp": {"team": "t", "on_close": {"cin": 1.0}, "duration_days": {"dist": "fixed", "value": 5}},
             "cin": {"team": "t", "duration_days": {"dist": "fixed", "value": 100}}}
    m = Model(one_team(workers=3, cap=5, cases=cases))
    case = open_case(m, "cp", remaining=5.0)
    worker = case.worker
    m.env.run(until=6)
    (cin,) = worker.cases
    assert cin.kind.name == "cin" and cin.child is case.child
    assert m.teams["t"].worker_changes == 0


def test_cross_team_pathway_counts_a_change_of_worker():
    d = small_dict(**{"case_types.assessment.on_close": {"cin": 1.0},
                      "case_types.cp.on_close": {}})
    m = Model(Scenario.from_dict(d))
    m.env.run(until=29.9)                   # before the first month end resets the counters
    team = m.teams["safeguarding"]
    assert team.allocations > 0
    # Only stepped-across cases are allocated here, and each one is a change of worker
    # (as is each case a manager moved within the team).
    assert team.worker_changes - team.caseload_moves == team.allocations


def test_asye_ramp_and_becoming_permanent():
    # 13 months: the ASYE ends at day 365.25, after a 12-month horizon (nothing is scheduled there)
    s = one_team(workers=1, cap=10, horizon_months=13).with_changes(
        {"teams.t.staff": {"nqsw": [{"count": 1, "months_served": 0}]}})
    m = Model(s)
    (w,) = m.teams["t"].workers
    assert w.kind == NQSW and w.capacity == pytest.approx(4.0)        # 0.4 of 10
    m.env.run(until=RAMP_STEP_DAYS * 26 + 1e-6)                       # half a year of weekly steps
    progress = RAMP_STEP_DAYS * 26 / (12 * 365.25 / 12)
    assert w.capacity == pytest.approx(10 * (0.4 + 0.5 * progress))
    m.env.run(until=366)
    assert w.kind == PERMANENT and w.capacity == pytest.approx(10.0)


def test_capacity_counts_absence_and_fte():
    s = one_team(workers=1, cap=18, absence={"rate": 0.05}).with_changes(
        {"teams.t.staff.permanent": [{"count": 1, "fte": 0.6}]})
    (w,) = Model(s).teams["t"].workers
    assert w.capacity == pytest.approx(18 * 0.6 * 0.95)


def test_joining_worker_takes_waiting_cases():
    m = Model(one_team(workers=1, cap=1))
    team = m.teams["t"]
    open_case(m)
    waiting = open_case(m)
    assert waiting.worker is None
    new = m.staffing.add(PERMANENT, team)
    assert waiting.worker is new and team.n_waiting == 0


# -- managers' caseload moves -----------------------------------------------------------

def test_move_target_is_the_least_loaded_colleague_with_room():
    m = Model(one_team(workers=3, cap=2))
    team = m.teams["t"]
    a, b, c = team.workers
    cases = [open_case(m, remaining=40.0) for _ in range(5)]     # loads 2, 2, 1
    assert [len(w.cases) for w in (a, b, c)] == [2, 2, 1]
    held_by_a = next(x for x in cases if x.worker is a)
    assert team.move_target(held_by_a) is c                       # b is full
    held_by_c = next(x for x in cases if x.worker is c)
    assert team.move_target(held_by_c) is None                    # a and b are full: it stays


def test_a_move_changes_the_worker_and_keeps_the_closure_day():
    m = Model(one_team(workers=2, cap=3), keep_case_log=True)
    team = m.teams["t"]
    a, b = team.workers
    first = open_case(m, remaining=30.0)
    second = open_case(m, remaining=30.0)
    assert (first.worker, second.worker) == (a, b)
    m.env.run(until=10)
    allocations = team.allocations
    team.move(first, b)
    assert first.worker is b and first.ends_at == 30.0 and first.remaining == pytest.approx(20.0)
    assert (a.load, b.load) == (0.0, 2.0) and a.ratio == 0.0 and b.ratio == pytest.approx(2 / 3)
    assert first.child.last_worker is b and first.child.past == {a: 10.0}
    assert (team.caseload_moves, team.worker_changes, team.allocations) == (1, 1, allocations)
    log = m.case_log.frame()
    assert log["end"].tolist() == ["moved", "open", "open"]
    assert log.iloc[2][["queued_day", "allocated_day", "worker_id"]].tolist() == [10.0, 10.0, b.id]
    m.env.run(until=29.9)
    assert first.worker is b
    m.env.run(until=30.1)                    # it closes on its own day, with its new holder
    assert first.worker is None and team.closures == 2 and b.load == 0.0


def test_a_move_frees_room_for_the_queue():
    """The holder's freed room goes to the head of the queue at once."""
    cases = {"heavy": {"team": "t", "weight": 2.0, "duration_days": {"dist": "fixed", "value": 50}},
             "light": {"team": "t", "weight": 1.0, "duration_days": {"dist": "fixed", "value": 50}}}
    m = Model(one_team(workers=2, cap=3, cases=cases))
    team = m.teams["t"]
    a, b = team.workers
    light = open_case(m, "light")            # a: 1
    open_case(m, "heavy")                    # b: 2
    open_case(m, "light")                    # a: 2
    waiting = open_case(m, "heavy")          # needs 2: nobody has room
    assert waiting.worker is None and light.worker is a
    team.move(light, b)                      # a: 1, b: 3
    assert waiting.worker is a and team.n_waiting == 0


def test_moves_happen_at_the_rate_and_only_with_room():
    """With a colleague always free, a case held for a year at 2 moves a year moves
    (a Poisson number of times); with the only colleague full it never moves."""
    m = Model(one_team(workers=2, cap=50, moves=2.0, horizon_months=24,
                       cases={"c": {"team": "t", "initial_open": 40,
                                    "duration_days": {"dist": "fixed", "value": 36_525}}}))
    m.run()
    moves = sum(row[2 + COLUMNS.index("caseload_moves")] for row in m.recorder.rows
                if row[1] == "t")
    assert 100 < moves < 220                 # Poisson(about 40 × 2 × 2 = 160): ±4.7 sd
    # (the rate itself is checked at a stated error rate in tests/theory/test_caseload_moves.py)
    full = Model(one_team(workers=2, cap=1, moves=2.0, horizon_months=24,
                          cases={"c": {"team": "t", "initial_open": 2,
                                       "duration_days": {"dist": "fixed", "value": 36_525}}}))
    full.run()
    assert all(row[2 + COLUMNS.index("caseload_moves")] == 0 for row in full.recorder.rows)
