"""Where permanent and newly qualified leavers go.

Each employee who leaves (at the end of their notice, or an academy NQSW who
fails the ASYE) is given one destination, drawn from its own stream
``destinations`` with the shares of ``workforce.permanent.destinations``:

* ``other_council``: a social work post at another council;
* ``agency``: agency (locum) social work;
* ``out_of_la_social_work``: out of council children's social work (the
  DfE's "full attrition": out of the profession, or into the voluntary or
  private sector, adult services or a career break).

One uniform draw a leaver, ``U``, read against the cumulative shares, so the
counts over leavers are multinomial with the shares, and no other stream's
draws change with them: the destination alone changes nothing else in the run.
A leaver to agency work is handed on (``returns``, the agency process's pool
of returners), which may bring them back as an agency worker here.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from itertools import accumulate
from typing import TYPE_CHECKING

from workforce_sim.engine.state.workers import Worker
from workforce_sim.engine.streams import UNIFORM, buffered_sampler
from workforce_sim.scenario.schema import DESTINATIONS

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context

AGENCY = DESTINATIONS.index("agency")


class Destinations:
    """Draws each permanent or NQSW leaver's destination and counts it on their team.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``destinations``).
    returns : callable
        ``returns(worker)`` for a leaver to agency work (``Agency.left_for_agency``).
    """

    def __init__(self, ctx: Context, returns: Callable[[Worker], None]):
        shares = ctx.scenario.workforce.permanent.destinations.shares()
        self.cumulative = list(accumulate(shares))
        self.last = len(shares) - 1
        self.uniform = buffered_sampler(UNIFORM, ctx.streams["destinations"])
        self.returns = returns

    def destination(self, u: float) -> int:
        """The destination (its index in ``DESTINATIONS``) of the uniform draw ``u``.

        Parameters
        ----------
        u : float
            In [0, 1).

        Returns
        -------
        int
            The first destination whose cumulative share exceeds ``u`` (the last
            one if rounding leaves the total just under 1).
        """
        return min(bisect.bisect_right(self.cumulative, u), self.last)

    def left(self, w: Worker) -> None:
        """An employee has left: draw where they go and count it.

        Parameters
        ----------
        w : Worker
            A permanent or newly qualified social worker, just gone.
        """
        where = self.destination(self.uniform())
        w.team.leavers_by_destination[where] += 1
        if where == AGENCY:
            self.returns(w)
