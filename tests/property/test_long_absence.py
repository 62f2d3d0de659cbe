"""Invariant of long absences (absence.long_leave): nobody on long absence holds a case,
and everyone away is still in post (in the FTE in post, never vacant)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_working_patterns import service
from workforce_sim.engine import Model
from workforce_sim.engine.state.workers import EMPLOYED


@settings(max_examples=25, deadline=None)
@given(rate=st.floats(0.5, 30.0), days=st.floats(20.0, 200.0), cover=st.booleans(),
       share=st.sampled_from([0.0, 0.5]), turnover_seed=st.integers(0, 2**32 - 1),
       checks=st.lists(st.floats(1.0, 360.0), min_size=1, max_size=5))
def test_nobody_on_long_absence_holds_a_case(rate, days, cover, share, turnover_seed, checks):
    leave = {"sick": {"annual_rate": rate, "cover": cover,
                      "duration_days": {"dist": "fixed", "value": days}}}
    model = Model(service(share=share, leave=leave, staff=5, cover_fraction=0.5),
                  seed=turnover_seed)
    for day in sorted(checks):
        model.env.run(until=day)
        for w in model.long_absence.on_leave:
            if not w.active:
                continue
            assert not w.cases and w.load == 0 and w.capacity == 0
            assert w.kind in EMPLOYED and w in w.team.workers
        for team in model.team_list:
            away = sum(w.fte for w in model.staffing.away if w.team is team)
            assert abs(team.away_fte - away) < 1e-9
