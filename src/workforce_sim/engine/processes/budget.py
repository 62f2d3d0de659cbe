"""A budget that acts: a recruitment pause and an agency cap while spend runs over profile.

With ``[budget]``, the service has ``amount_per_year`` (£, cash) for each
financial year from 1 April, spent evenly over the year: the profile on a day
is ``amount_per_year × days of the year so far / days in the year``, counted
from the run's start in its first, part year. At each month end, after the
recorder has closed the month, the spend to date (the service's ``cost_total``
since the financial year began, or since the start) is set against the profile:

* over profile: the actions the budget names come on, and stay on until a
  later month end finds spend back on profile. ``recruitment_pause``: no round
  is advertised (a round due to be advertised waits to the next month end and
  tries again); ``agency_cap``: no new agency request (placements run on, and
  may be renewed, released or converted as ever);
* on or under profile: they are off.

The flags live on the context (``ctx.recruitment_paused``, ``ctx.agency_capped``),
read by a one-line guard in recruitment's advertising and agency's requests;
the recorder writes them as the monthly ``budget_recruitment_pause`` and
``budget_agency_cap`` columns (1 for a month they were in force).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from workforce_sim.scenario.calendar import add_months, day_of

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context
    from workforce_sim.scenario.schema import Budget as BudgetSpec


def financial_year_start(d: dt.date) -> dt.date:
    """The 1 April on or before ``d``."""
    return dt.date(d.year if d.month >= 4 else d.year - 1, 4, 1)


class Budget:
    """The month-end review of spend against the budget's profile.

    Parameters
    ----------
    ctx : Context
        The replication's context: the flags are set on it.
    spec : Budget
        The scenario's ``[budget]``.
    month_cost : callable
        ``month_cost(m)``: the service's ``cost_total`` of month ``m`` (the recorder's).
    """

    def __init__(self, ctx: Context, spec: BudgetSpec, month_cost: Callable[[int], float]):
        self.ctx = ctx
        self.spec = spec
        self.month_cost = month_cost
        self.spent = 0.0                 # since the financial year began (or the start)
        start = ctx.scenario.start_date
        self.start = start
        self.year_start = financial_year_start(start)

    def profile(self, day: float) -> float:
        """The budget's profile on ``day``: what may have been spent this year so far.

        Parameters
        ----------
        day : float
            A day of the run.

        Returns
        -------
        float
            ``amount_per_year × days since max(1 April, start) / days in the year``.
        """
        fy = self.year_start
        year_days = day_of(fy, dt.date(fy.year + 1, 4, 1))
        since = max(0.0, day_of(self.start, fy))     # the run's first year: from the start
        return self.spec.amount_per_year * (day - since) / year_days

    def month_end(self, month: int) -> None:
        """Add the month's spend, start a new year on 1 April, and set the flags.

        Parameters
        ----------
        month : int
            The month that has just closed.
        """
        self.spent += self.month_cost(month)
        over = self.spent > self.profile(self.ctx.now)
        self.ctx.recruitment_paused = over and self.spec.recruitment_pause
        self.ctx.agency_capped = over and self.spec.agency_cap
        following = add_months(self.start, month + 1)       # the first day of the next month
        if following.month == 4:
            self.year_start, self.spent = following, 0.0
