"""Exact running sums of floats.

Every finite float is a whole number of 2**-1074, so a sum kept as an integer
count of those units is exact whatever the order of additions and removals,
and reads back as the correctly rounded float (Python divides integers with
correct rounding). A team's FTE tallies and cost rates are kept this way:
when the last contributor goes the sum is exactly zero, never a rounding
residue, and no sum drifts over a long run.
"""

from __future__ import annotations

UNIT = 1 << 1074


def units(x: float) -> int:
    """``x`` as a whole number of 2**-1074."""
    p, q = x.as_integer_ratio()          # q is a power of two, at most 2**1074
    return p << (1075 - q.bit_length())


def to_float(n: int) -> float:
    """A sum of units, correctly rounded to a float."""
    return n / UNIT
