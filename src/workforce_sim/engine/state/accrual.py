"""Totals of quantities that grow at piecewise-constant rates (a team's FTE-days and £).

A team keeps the sum of its workers' rates exactly (``exact.py``: when the
last contributor goes the rate is zero, not a rounding residue) and accrues it
lazily, so costs are exact integrals over time with no per-day events. What
each kind of worker contributes is the costs process's business
(``processes/costs.py``); the indices of what is accrued are here so that the
recorder reads them without importing a process.
"""

from __future__ import annotations

from workforce_sim.engine import exact

# What a team accrues.
PERM_FTE, NQSW_FTE, AGENCY_FTE, TRAINEES, PAY, AGENCY_SPEND, ACADEMY, RETENTION = range(8)
# agency FTE-days on assignments charged above their price cap, and the £ above it
ABOVE_CAP_FTE, ABOVE_CAP_SPEND = 8, 9
N_ACCRUED = 10
ZERO: tuple[float, ...] = (0.0,) * N_ACCRUED


class Accrual:
    """Totals of quantities that grow at piecewise-constant rates.

    Parameters
    ----------
    start : float
        The day the totals start from.
    """

    __slots__ = ("rates", "units", "totals", "t")

    def __init__(self, start: float = 0.0):
        self.rates = [0.0] * N_ACCRUED
        self.units = [0] * N_ACCRUED   # the rates as exact sums (exact.py): no residue
        self.totals = [0.0] * N_ACCRUED
        self.t = start

    def advance(self, now: float) -> None:
        """Accrue the current rates up to ``now``."""
        dt = now - self.t
        if dt:
            totals = self.totals
            for i, r in enumerate(self.rates):
                if r:
                    totals[i] += r * dt
            self.t = now

    def shift(self, now: float, old: tuple[float, ...], new: tuple[float, ...]) -> None:
        """A contributor's rates change from ``old`` to ``new`` now.

        Parameters
        ----------
        now : float
            The current day.
        old, new : tuple of float
            The contributor's rates before and after, indexed as ``PERM_FTE`` ... ``RETENTION``.
        """
        self.advance(now)
        for i in range(N_ACCRUED):
            if new[i] != old[i]:
                self.units[i] += exact.units(new[i]) - exact.units(old[i])
                self.rates[i] = exact.to_float(self.units[i])

    def take(self, now: float) -> list[float]:
        """The totals since the last take (then start again from zero).

        Parameters
        ----------
        now : float
            The current day.

        Returns
        -------
        list of float
            The totals, indexed as ``PERM_FTE`` ... ``RETENTION``.
        """
        self.advance(now)
        out, self.totals = self.totals, [0.0] * N_ACCRUED
        return out
