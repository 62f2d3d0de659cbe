"""The caseload-pressure multiplier of the leaving hazard, against its formula."""

from __future__ import annotations

import math
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from workforce_sim.engine.processes.attrition import Attrition

ratios = st.one_of(st.floats(0, 50), st.just(math.inf))


@settings(max_examples=300, deadline=None)
@given(load=st.floats(0, 60), capacity=st.floats(0, 30), team_ratio=ratios,
       elasticity=st.floats(0, 5), threshold=st.floats(0, 2))
def test_pressure_is_the_documented_formula(load, capacity, team_ratio, elasticity, threshold):
    """``1 + elasticity × max(0, min(max(own, team), 10) − threshold)`` with the
    builtins, to the bit (the method writes them out on a hot path); 1 without capacity."""
    attrition = SimpleNamespace(pressure_elasticity=elasticity, pressure_threshold=threshold)
    worker = SimpleNamespace(load=load, capacity=capacity)
    got = Attrition.pressure(attrition, worker, team_ratio)
    if capacity <= 0:
        assert got == 1.0
        return
    ratio = max(load / capacity, team_ratio)
    assert got == 1.0 + elasticity * max(0.0, min(ratio, 10.0) - threshold)
