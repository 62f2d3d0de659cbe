"""Case life: referrals open cases, closures end them, pathways continue them.

A referral opens a new case for a new child, which joins its team's queue
(``state/teams.py`` holds the queue and the allocation rule). When a case's
closure falls due, the worker's load drops, the case may continue as another
type (the child's identity kept; in the same team it stays with the same
worker if they have room), and the freed room goes to the queue.

Referrals and closures are the kernel's lean paths (``kernel.py``): the kernel
calls :meth:`Allocation.referral` and :meth:`Allocation.close` directly, not
through the context's scheduling, because they are about 60 % of a run's time.

Managers also move held cases between workers to manage caseloads
(:class:`CaseloadMoves`): each held case is moved at ``moves_per_case_year``
(a Poisson process while it is held) to the colleague the team's
:meth:`~workforce_sim.engine.state.teams.TeamState.move_target` names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workforce_sim.engine.state.cases import Case, CaseKind, Child
from workforce_sim.engine.state.teams import INF
from workforce_sim.engine.streams import EXP1, buffered_sampler
from workforce_sim.scenario.calendar import DAYS_PER_YEAR

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


class CaseloadMoves:
    """Managers' moves of held cases between the workers of a team.

    Each allocated case carries a clock: at each allocation (or move) a time
    ``Exp(1) / moves_per_case_year`` years ahead is drawn from the stream
    ``caseload_moves.<case type>`` (one per type, as for durations and pathways,
    so that a change to one type's cases leaves the other types' clocks alone:
    common random numbers), and if the case is still held by the same worker then
    (the closure's event id unchanged), the team's manager moves it to
    :meth:`~workforce_sim.engine.state.teams.TeamState.move_target` (the colleague
    with the lowest load/capacity who has room for it). With nobody to move it
    to, it stays and the next attempt is drawn. The exponential clock is memoryless,
    so drawing it afresh at each allocation makes the attempts of a held case a
    Poisson process at the rate, however often it changes hands; only attempts due
    before the case closes are scheduled, so a move costs one event and a case
    that closes first costs one draw.

    Parameters
    ----------
    ctx : Context
        The replication's context (streams ``caseload_moves.<case type>``).
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.env = ctx.env
        rate = ctx.scenario.caseload_management.moves_per_case_year
        self.days_per_unit = DAYS_PER_YEAR / rate if rate > 0 else INF
        self.exp1: dict[str, Callable[[], float]] = {     # Exp(1) draws by case type
            name: buffered_sampler(EXP1, ctx.streams[f"caseload_moves.{name}"])
            for name in ctx.scenario.case_types} if rate > 0 else {}

    @property
    def on(self) -> bool:
        """Whether moves happen at all (a rate above 0)."""
        return self.days_per_unit < INF

    def assigned(self, case: Case, worker: Worker) -> None:
        """``worker`` has just taken ``case`` (the team's ``on_assign`` hook): draw when
        a manager next looks at moving it.

        Parameters
        ----------
        case : Case
        worker : Worker
        """
        self._next(case, worker, case.closes)

    def _next(self, case: Case, worker: Worker, token: int | None) -> None:
        day = self.env._now + self.exp1[case.kind.name]() * self.days_per_unit
        if day < case.ends_at:           # the case closes first: nothing to schedule
            self.ctx.at(day, self._attempt, case, worker, token)

    def _attempt(self, case: Case, worker: Worker, token: int | None) -> None:
        if case.closes != token or case.worker is not worker:
            return                       # closed, handed over or moved since
        team = case.kind.team
        to = team.move_target(case)
        if to is None:
            self._next(case, worker, token)
            return
        team.move(case, to)             # the move draws the case's next clock
