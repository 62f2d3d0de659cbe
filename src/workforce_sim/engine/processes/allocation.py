"""Case life: referrals open cases, closures end them, pathways continue them.

A referral opens a new case for a new child, which joins its team's queue
(``state/teams.py`` holds the queue and the allocation rule). When a case's
closure falls due, the worker's load drops, the case may continue as another
type (the child's identity kept; in the same team it stays with the same
worker if they have room), and the freed room goes to the queue.

Referrals and closures are the kernel's lean paths (``kernel.py``): the kernel
calls :meth:`Allocation.referral` and :meth:`Allocation.close` directly, not
through the context's scheduling, because they are about 60 % of a run's time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workforce_sim.engine.state.cases import Case, CaseKind, Child
from workforce_sim.engine.state.teams import INF

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context
    from workforce_sim.engine.state.workers import Worker


class Allocation:
    """Opens, closes and continues cases; numbers cases and children.

    Parameters
    ----------
    ctx : Context
        The replication's context.
    """

    def __init__(self, ctx: Context):
        self.env = ctx.env
        self.case_log = ctx.case_log
        self._next_case = 0
        self._next_child = 0

    def new_child(self) -> Child:
        """A new child (the next number)."""
        self._next_child += 1
        return Child(self._next_child)

    def open(self, kind: CaseKind, child: Child, remaining: float) -> Case:
        """Open a case of ``kind`` for ``child`` with ``remaining`` days of work; it joins the queue.

        Parameters
        ----------
        kind : CaseKind
        child : Child
        remaining : float

        Returns
        -------
        Case
        """
        self._next_case += 1
        case = Case(self._next_case, child, kind, remaining, self.env.now)
        kind.team.n_open += 1
        kind.team.join(case)
        return case

    def referral(self, kind: CaseKind) -> None:
        """A referral of ``kind`` now (called by the kernel)."""
        # new_child and open written out: this runs once per referral, the hottest path.
        kind.team.referrals += 1
        self._next_child += 1
        self._next_case += 1
        case = Case(self._next_case, Child(self._next_child), kind, kind.duration(), self.env._now)
        kind.team.n_open += 1
        kind.team.join(case)

    def close(self, case: Case) -> None:
        """A case's closure falls due (called by the kernel, which has dropped stale ones)."""
        now = self.env._now
        worker, team = case.worker, case.kind.team
        if TYPE_CHECKING:            # an allocated case has a worker (no check at run time)
            assert worker is not None
        del worker.cases[case]
        worker.load = worker.load - case.weight if worker.cases else 0.0
        worker.ratio = worker.load / worker.capacity if worker.capacity > 0 else INF
        case.worker = case.closes = None
        team.closures += 1
        team.n_open -= 1
        if self.case_log is not None:
            self.case_log.end_spell(case, now, "closed")
        if case.kind.next_kinds:
            nxt = case.kind.next_kind()
            if nxt is not None:
                self._continue(case, nxt, worker)
        if team.n_waiting:
            team.freed(worker)

    def _continue(self, case: Case, kind: CaseKind, worker: Worker) -> None:
        """The child's case goes on as another type; in the same team it stays with
        the same worker if they have room for it."""
        kind.team.pathway_starts += 1
        duration = kind.duration()
        if kind.team is case.kind.team and worker.active and \
                worker.load + kind.weight <= worker.capacity + 1e-9:
            self._next_case += 1
            new = Case(self._next_case, case.child, kind, duration, self.env.now)
            kind.team.n_open += 1
            kind.team.assign(new, worker)
        else:
            case.child.stopped(worker, self.env._now)
            self.open(kind, case.child, duration)
