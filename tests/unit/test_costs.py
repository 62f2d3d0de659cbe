"""Team accruals: rates are exact sums, so they return to zero when contributors leave."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from workforce_sim.engine.state.accrual import N_ACCRUED, Accrual

ZERO = (0.0,) * N_ACCRUED


def rates(x: float) -> tuple:
    return (x,) + (0.0,) * (N_ACCRUED - 1)


def test_a_rate_left_by_everyone_is_exactly_zero():
    """The case that once left a negative residue (and so a negative academy cost):
    a trainee cost of 4e-9 a day beside one of 0.34, added and removed in another order."""
    acc = Accrual()
    small, big = 1.4962189454786145e-06 / 365.25, 123.0 / 365.25
    acc.shift(0.0, ZERO, rates(small))
    acc.shift(1.0, ZERO, rates(big))
    acc.shift(2.0, rates(big), ZERO)
    acc.shift(3.0, rates(small), ZERO)
    assert acc.rates[0] == 0.0
    acc.advance(100.0)
    assert acc.take(100.0)[0] >= 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e4, allow_subnormal=True), min_size=1, max_size=30), st.randoms())
def test_rates_are_the_exact_sum_in_any_order(xs, rnd):
    """After adding every rate and removing them in a shuffled order, the running rate
    is exactly zero at the end, and after the additions it is the correctly rounded sum."""
    acc = Accrual()
    for x in xs:
        acc.shift(0.0, ZERO, rates(x))
    assert acc.rates[0] == math.fsum(xs)
    for x in rnd.sample(xs, len(xs)):
        acc.shift(0.0, rates(x), ZERO)
    assert acc.rates[0] == 0.0
