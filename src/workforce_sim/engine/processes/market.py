"""The agency market: what the council offers for an agency worker, the region's price
caps, and how the offer changes the chance a request is filled.

* The council's offer for a role on a day is its day rate for the role
  (``workforce.roles``, else ``workforce.agency.day_rate``) times every
  ``rate_changes`` factor dated on or before that day.
* Under a price cap in force for the role (``price_caps``: the set whose start
  is the latest on or before the day), an offer above the cap is approved at
  its own rate with ``approval_probability`` (drawn from stream
  ``agency.market``, only then), else the council offers the cap.
* Each attempt to fill a request succeeds with probability
  ``fill_probability × (offer / market rate) ** price_elasticity``, at most 1.
  The market rate of a role is ``market_day_rates`` or the council's own rate
  before any rate change, so with no rate changes and no caps every offer is the
  market rate and the chance is ``fill_probability`` itself.

An assignment keeps its charge until it is renewed, when it is offered again.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from workforce_sim.engine.streams import UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import day_of
from workforce_sim.scenario.schema import ROLES

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context

NO_CAP = float("inf")


class Market:
    """The council's offers, the caps on them and the market's answer.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``agency.market`` when caps allow approvals).
    """

    def __init__(self, ctx: Context):
        s = ctx.scenario
        a = s.workforce.agency
        self.ctx = ctx
        self.rates = {role: s.workforce.agency_day_rate(role) for role in ROLES}
        self.market = {role: a.market_day_rates.get(role, self.rates[role])  # type: ignore[call-overload]
                       for role in ROLES}
        self.elasticity = a.price_elasticity
        self.base_fill = a.fill_probability
        factor, self.change_days, self.factors = 1.0, [], []
        for ch in sorted(a.rate_changes, key=lambda c: c.date):     # cumulative, by day
            factor *= ch.factor
            self.change_days.append(day_of(s.start_date, ch.date))
            self.factors.append(factor)
        self.cap_days = [day_of(s.start_date, c.start) for c in a.price_caps]
        self.caps = list(a.price_caps)
        approvals = any(c.approval_probability > 0 for c in self.caps)
        self.approve = buffered_sampler(UNIFORM, ctx.streams["agency.market"]) \
            if approvals else None

    def rate(self, role: str, day: float) -> float:
        """The council's day rate for ``role`` on ``day``, before any cap."""
        i = bisect.bisect_right(self.change_days, day) - 1
        return self.rates[role] * self.factors[i] if i >= 0 else self.rates[role]

    def offer(self, role: str) -> tuple[float, float]:
        """What the council offers for a new assignment or renewal in ``role`` today.

        Parameters
        ----------
        role : str

        Returns
        -------
        (charge, cap) : tuple of float
            The day rate agreed and the cap it is held to (``NO_CAP`` without one); the
            charge is above the cap only when the breach was approved.
        """
        now = self.ctx.now
        rate = self.rate(role, now)
        i = bisect.bisect_right(self.cap_days, now) - 1
        cap = self.caps[i].caps.get(role) if i >= 0 else None  # type: ignore[call-overload]
        if cap is None:
            return rate, NO_CAP
        if rate <= cap:
            return rate, cap
        p = self.caps[i].approval_probability
        if p > 0 and self.approve is not None and self.approve() < p:
            return rate, cap
        return cap, cap

    def fill_probability(self, role: str, charge: float) -> float:
        """The chance one attempt to fill a request at ``charge`` a day succeeds.

        Parameters
        ----------
        role : str
        charge : float
            The day rate offered.

        Returns
        -------
        float
            ``fill_probability × (charge / market rate) ** price_elasticity``, at most 1;
            ``fill_probability`` itself (to the bit) at the market rate.
        """
        market = self.market[role]
        if charge == market or market <= 0:     # no market rate to measure against
            return self.base_fill
        return min(1.0, self.base_fill * (charge / market) ** self.elasticity)
