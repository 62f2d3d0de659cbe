"""Children, their cases, and the case types compiled for a run."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np

from workforce_sim.engine.streams import UNIFORM, RandomStreams, buffered_sampler

if TYPE_CHECKING:
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.engine.state.workers import Worker
    from workforce_sim.scenario.schema import CaseType


class Child:
    """A child: the identity a case keeps across its pathway, and who last held it.

    ``past`` (None until needed) maps each social worker who stopped holding a case
    of the child to the day they last stopped (a hand-over, or a pathway that moved
    the child on): with the holder of the open case, it is everyone who held a
    case of the child since that day, for the DfE's stability measure. The
    recorder prunes it to the last 12 months at each month end
    (``recorder.py``); a worker is noted only when a spell ends, never on the
    referral or allocation path.
    """

    __slots__ = ("id", "last_worker", "changes", "past")

    def __init__(self, cid: int):
        self.id = cid
        self.last_worker: Worker | None = None
        self.changes = 0
        self.past: dict[Worker, float] | None = None

    def stopped(self, worker: Worker, day: float) -> None:
        """``worker`` stops holding the child's case on ``day``.

        Parameters
        ----------
        worker : Worker
        day : float
        """
        past = self.past
        if past is None:
            self.past = {worker: day}
        else:
            past[worker] = day


class CaseKind:
    """A case type compiled for the run: its team, weight and samplers.

    Parameters
    ----------
    name : str
        The case type's name in the scenario.
    ct : CaseType
        Its specification.
    team : TeamState
        The team that holds it.
    streams : RandomStreams
        The replication's streams (``durations.<name>`` and ``pathways.<name>`` are used).
    """

    def __init__(self, name: str, ct: CaseType, team: TeamState, streams: RandomStreams):
        self.name = name
        self.team = team
        self.weight = ct.weight
        self.looked_after = ct.looked_after
        self.queue_index = team.queue_index(ct.priority)
        self.duration = buffered_sampler(ct.duration_days, streams[f"durations.{name}"])
        self._pathway_u = buffered_sampler(UNIFORM, streams[f"pathways.{name}"])
        self.next_names = list(ct.on_close)
        self._next_cum: list[float] = np.cumsum(list(ct.on_close.values())).tolist()
        self.next_kinds: list[CaseKind] = []    # filled once every kind exists

    def next_kind(self) -> CaseKind | None:
        """What a closing case continues as.

        Returns
        -------
        CaseKind or None
            The first kind whose cumulative probability exceeds a uniform draw
            (None: the case closes for good).
        """
        i = bisect.bisect_right(self._next_cum, self._pathway_u())
        return self.next_kinds[i] if i < len(self.next_kinds) else None


class Case:
    """One open episode of a child's case of a given kind.

    Parameters
    ----------
    cid : int
        The case's number.
    child : Child
        Whose case it is.
    kind : CaseKind
        Its type.
    remaining : float
        Days of work still to do when next allocated.
    now : float
        The day it joins the queue.
    """

    __slots__ = ("id", "child", "kind", "weight", "remaining", "queued_at",
                 "worker", "closes", "ends_at", "spell")

    def __init__(self, cid: int, child: Child, kind: CaseKind, remaining: float, now: float):
        self.id = cid
        self.child = child
        self.kind = kind
        self.weight = kind.weight
        self.remaining = remaining   # days of work still to do when next allocated
        self.queued_at = now
        self.worker: Worker | None = None
        # eid of the pending closure (kernel.py), while allocated: the hot path's own
        # stale-event token, compared by the kernel (context.py explains why not a Ticket)
        self.closes: int | None = None
        self.ends_at = 0.0           # day it closes, while allocated
        self.spell: int | None = None   # row of the case log, when kept
