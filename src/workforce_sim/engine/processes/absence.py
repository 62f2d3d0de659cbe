"""Long absences of employees: maternity and long-term sickness, with or without cover.

Each kind of leave in ``absence.long_leave`` starts spells at ``annual_rate`` per
FTE-year of employees (permanent and NQSW) in post who are not already away.
Spells start at month ends: at each one, an employee of FTE ``f`` starts a spell of a
kind with probability ``1 − exp(−annual_rate · f · days of the month / 365.25)``
(the kinds in scenario order, one spell at a time). A spell lasts ``duration_days``.
During it the worker stays in post (in the FTE in post and not vacant, by the DfE's
definition) but holds no capacity: their cases go back to the head of the team's
queue for colleagues (``Staffing.absent``), as a service reallocates the caseload of
someone on leave. With ``cover`` the team's agency target rises by the absent FTE
(:meth:`LongAbsence.covered_fte`, added to the target before the agency rounds it).
On return the worker takes cases again. A worker who leaves during a spell is gone.

The short-term sickness of ``absence.rate`` stays a flat share of capacity.
Nothing is drawn and nothing is scheduled without a kind of leave with a rate
above 0 (the model then builds no process at all).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from workforce_sim.engine.state.workers import EMPLOYED
from workforce_sim.engine.streams import UNIFORM, buffered_sampler
from workforce_sim.scenario.calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context, Workforce
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.engine.state.workers import Worker
    from workforce_sim.scenario.schema import LongLeave


def enabled(ctx: Context) -> bool:
    """Whether the scenario has a kind of long leave with a rate above 0."""
    return any(k.annual_rate > 0 for k in ctx.scenario.absence.long_leave.values())


class LongAbsence:
    """Spells of long absence: their starts at month ends, their ends, and their cover.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``absence.long``).
    staffing : Workforce
        Who takes a worker's capacity away and gives it back (``Staffing``).
    """

    def __init__(self, ctx: Context, staffing: Workforce):
        self.ctx = ctx
        self.staffing = staffing
        rng = ctx.streams["absence.long"]
        self.uniform = buffered_sampler(UNIFORM, rng)
        self.kinds = [(name, k, buffered_sampler(k.duration_days, rng))
                      for name, k in ctx.scenario.absence.long_leave.items() if k.annual_rate > 0]
        self.on_leave: dict[Worker, LongLeave] = {}
        """The employees away now and the kind of their spell."""
        self._last = 0.0

    def month_end(self, month: int) -> None:
        """Start the spells of the month just closed.

        Parameters
        ----------
        month : int
            The month that has just closed.
        """
        now = self.ctx.now
        years = (now - self._last) / DAYS_PER_YEAR
        self._last = now
        for team in self.ctx.team_list:
            for w in list(team.workers):
                if w.kind in EMPLOYED and not w.leaving and w not in self.on_leave:
                    self._maybe_away(w, years)

    def _maybe_away(self, w: Worker, years: float) -> None:
        for _, kind, duration in self.kinds:
            if self.uniform() < -math.expm1(-kind.annual_rate * w.fte * years):
                self._away(w, kind, duration())
                return

    def _away(self, w: Worker, kind: LongLeave, days: float) -> None:
        self.on_leave[w] = kind
        w.team.long_absence_starts += 1
        self.staffing.absent(w)
        self.ctx.after(days, self._back, w)

    def _back(self, w: Worker) -> None:
        self.on_leave.pop(w, None)
        self.staffing.returns(w)                   # then the team's cover is reviewed

    def covered_fte(self, team: TeamState) -> float:
        """FTE of the team's employees away on a kind of leave with ``cover`` (still in post).

        Parameters
        ----------
        team : TeamState

        Returns
        -------
        float
        """
        return sum(w.fte for w, k in self.on_leave.items()
                   if k.cover and w.active and w.team is team)
