"""A team at run time: its workers, its queue, its flow counters, and the allocation rule.

A team's queue is ordered by priority, then first come first served; a case
handed back by a leaver goes to the front of its priority class. Whenever the
team has room, the case at the head goes to the worker with the lowest
load/capacity ratio who can take its weight without passing their capacity.
The head waits until it fits and is never overtaken. A case's duration runs
from allocation; a handed-back case keeps the time it has already served.

Each allocated case costs one closure on the kernel's heap
(``Kernel.schedule_closure``); a closure made stale by a hand-over is
recognised by the kernel and ignored, so nothing is ever cancelled or searched
for. The rule lives with the team's state because it runs on every referral
and closure (the hot path): its methods read the slots directly.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from workforce_sim.engine import exact
from workforce_sim.engine.state.accrual import Accrual

if TYPE_CHECKING:
    from collections.abc import Callable

    from workforce_sim.engine.kernel import Kernel
    from workforce_sim.engine.recording.logs import CaseLog
    from workforce_sim.engine.state.cases import Case
    from workforce_sim.engine.state.workers import Worker

EPS = 1e-9  # slack for floating-point sums of case weights and FTE
INF = float("inf")


def committed_fte(team: TeamState) -> float:
    """FTE of employees in post who are staying (not working their notice).

    Parameters
    ----------
    team : TeamState

    Returns
    -------
    float
        The team's exact committed tally, as a float.
    """
    return exact.to_float(team.committed_units)


def vacancy_fte(team: TeamState) -> float:
    """DfE: establishment less employees in post (an agency-covered post is still vacant).

    Parameters
    ----------
    team : TeamState

    Returns
    -------
    float
        The vacant FTE, at least 0.
    """
    return max(0.0, team.establishment_fte - exact.to_float(team.employed_units))


class TeamState:
    """A team at run time: its workers, its queue, and its flow counters.

    Parameters
    ----------
    env : Kernel
        The event loop (its clock, and closures are scheduled on it).
    case_log : CaseLog or None
        The case log, when kept.
    name : str
        The team's name in the scenario.
    index : int
        Its position among the teams.
    caseload_cap : float
        Caseload points a full-time permanent worker may hold.
    establishment_fte : float
        Funded posts.
    priorities : list of int
        The priorities of the case types it holds (one queue per distinct value).
    holds_cases : bool
        False for teams whose workers hold no cases.
    """

    # slots: the case path reads and writes these several times a case
    __slots__ = (
        "env", "case_log", "name", "index", "holds_cases", "role", "caseload_cap",
        "establishment_fte", "workers",
        "employed_units", "committed_units", "agency_units", "priorities", "queues", "_single",
        "n_waiting", "n_open", "_wait_t", "full_for", "accrual", "on_assign",
        # flows of the month (reset_flows)
        "referrals", "pathway_starts", "allocations", "closures", "handovers", "worker_changes",
        "caseload_moves",
        "wait_sum", "waiting_area", "hires", "leavers_permanent", "leavers_agency", "agency_starts",
        "agency_releases", "conversions", "academy_qualified", "academy_dropouts", "academy_not_placed",
        "leavers_permanent_fte", "recruitment_cost", "leavers_by_destination", "agency_returners",
        "promotions", "long_absence_starts", "agency_above_cap_starts",
        # FTE of employees on long absence (kept by Staffing)
        "away_fte",
    )

    def __init__(self, env: Kernel, case_log: CaseLog | None, name: str, index: int,
                 caseload_cap: float, establishment_fte: float, priorities: list[int],
                 holds_cases: bool = True, role: str = "social_worker"):
        self.env = env
        self.case_log = case_log
        self.name = name
        self.index = index
        self.holds_cases = holds_cases
        self.role = role             # the DfE agency job type of the team's posts
        self.caseload_cap = caseload_cap
        self.establishment_fte = establishment_fte
        self.workers: list[Worker] = []
        # exact FTE totals (exact.py), kept by Worker.retally
        self.employed_units = self.committed_units = self.agency_units = 0
        self.priorities = sorted(set(priorities))
        self.queues: list[deque[Case]] = [deque() for _ in self.priorities]
        self._single = len(self.queues) == 1    # one priority class: the head is easy
        self.n_waiting = 0
        self.n_open = 0
        self._wait_t = 0.0           # last time n_waiting changed, for the waiting area
        self.full_for = INF          # nobody has room for a case this heavy (see freed)
        self.away_fte = 0.0
        self.accrual = Accrual()     # FTE-days and £ by kind (costs.py)
        # called as on_assign(case, worker) after every allocation and move, when set
        # (the model sets it to the caseload moves' clock when moves are on)
        self.on_assign: Callable[[Case, Worker], None] | None = None
        self.reset_flows()

    def reset_flows(self) -> None:
        """Zero the flow counters of the month (the recorder has read them)."""
        self.referrals = self.pathway_starts = self.allocations = 0
        self.closures = self.handovers = self.worker_changes = self.caseload_moves = 0
        self.wait_sum = 0.0
        self.waiting_area = 0.0      # case-days spent unallocated in the period
        self.hires = self.leavers_permanent = self.leavers_agency = 0
        self.agency_starts = self.agency_releases = self.conversions = self.promotions = 0
        self.academy_qualified = self.academy_dropouts = self.academy_not_placed = 0
        self.leavers_permanent_fte = 0.0
        self.recruitment_cost = 0.0
        # permanent and NQSW leavers by destination, in DESTINATIONS order (destinations.py)
        self.leavers_by_destination = [0, 0, 0]
        self.long_absence_starts = 0
        self.agency_returners = 0    # agency placements taken by a returning former employee
        self.agency_above_cap_starts = 0   # assignments and renewals charged above their cap

    def queue_index(self, priority: int) -> int:
        """The index of the queue of ``priority`` (0: the most urgent).

        Parameters
        ----------
        priority : int

        Returns
        -------
        int
        """
        return self.priorities.index(priority)

    def _head(self) -> deque[Case] | None:
        if self._single:
            return self.queues[0] if self.n_waiting else None
        for q in self.queues:
            if q:
                return q
        return None

    def _waiting_changes(self, now: float) -> None:
        self.waiting_area += self.n_waiting * (now - self._wait_t)
        self._wait_t = now

    # -- the queue ------------------------------------------------------------

    def join(self, case: Case) -> None:
        """A new case joins the back of its priority class, and is allocated at once
        if it is the head and fits. Into an empty queue it goes straight to a worker
        when anyone has room (the same choice, without queueing it first).

        Parameters
        ----------
        case : Case
        """
        now = self.env._now       # the property costs a call on the hot path
        case.queued_at = now
        if not self.n_waiting:
            best = self._best(case.weight)
            if best is not None:
                self.assign(case, best)
                return
            self.full_for = case.weight
            self._enqueue(case, now)
            return
        q = self._enqueue(case, now)
        if q[0] is case and self._head() is q:   # it is the new head: it may fit
            self.allocate()

    def _enqueue(self, case: Case, now: float) -> deque[Case]:
        self.waiting_area += self.n_waiting * (now - self._wait_t)
        self._wait_t = now
        q = self.queues[case.kind.queue_index]
        q.append(case)
        self.n_waiting += 1
        return q

    def hand_over(self, worker: Worker) -> None:
        """Every case of a departing worker goes back to the head of its class.

        Parameters
        ----------
        worker : Worker
            The leaver (already out of ``workers``).
        """
        now = self.env.now
        self._waiting_changes(now)
        log = self.case_log
        for case in reversed(list(worker.cases)):    # oldest ends up first
            case.remaining = max(0.0, case.ends_at - now)
            case.closes = None
            case.worker = None
            case.queued_at = now
            case.child.stopped(worker, now)
            if log is not None:
                log.end_spell(case, now, "handover")
            self.queues[case.kind.queue_index].appendleft(case)
            self.n_waiting += 1
            self.handovers += 1
        worker.cases.clear()
        worker.load = 0.0
        self.allocate()

    def demand_ratio(self) -> float:
        """Weight of every open case (held or waiting) over the team's capacity.

        Returns
        -------
        float
            ``inf`` with demand and no capacity, 0 with neither.
        """
        capacity = sum(w.capacity for w in self.workers)
        demand = sum(w.load for w in self.workers) + \
            sum(c.weight for q in self.queues for c in q)
        return demand / capacity if capacity > 0 else (float("inf") if demand else 0.0)

    def room_changed(self) -> None:
        """Capacity appeared (a joiner, an ASYE step): try the queue again."""
        if self.n_waiting:
            self.allocate()

    # -- the rule -------------------------------------------------------------

    def _best(self, weight: float) -> Worker | None:
        """The worker with the lowest load/capacity who has room for ``weight``
        (the first in the team's list on a tie), or None."""
        need = weight - EPS
        best, best_ratio = None, INF
        for w in self.workers:               # the ratio test first: it rules most out
            ratio = w.ratio
            if ratio < best_ratio and w.load + need <= w.capacity:
                best, best_ratio = w, ratio
        return best

    def allocate(self) -> None:
        """Allocate from the head of the queue while the head fits somewhere. When it
        stops, nobody has room for a case of weight ``full_for`` (the head's)."""
        while self.n_waiting:
            q = self._head()
            if TYPE_CHECKING:        # someone waits, so there is a head (no check at run time)
                assert q is not None
            case = q[0]
            best = self._best(case.weight)
            if best is None:
                self.full_for = case.weight
                return
            self._take_head(q, best)

    def freed(self, worker: Worker) -> None:
        """``worker`` has just closed a case while others wait. Every other worker's
        room has only shrunk since the queue last stopped, so none can take a head
        of weight ``full_for`` or more: only ``worker`` is looked at for those (the
        rule's own answer, without the scan over the team).

        Parameters
        ----------
        worker : Worker
        """
        while self.n_waiting:
            q = self._head()
            if TYPE_CHECKING:        # someone waits, so there is a head (no check at run time)
                assert q is not None
            case = q[0]
            if case.weight < self.full_for:
                self.allocate()
                return
            if not worker.load + (case.weight - EPS) <= worker.capacity:   # as _best tests it
                self.full_for = case.weight
                return
            self._take_head(q, worker)

    def _take_head(self, q: deque[Case], worker: Worker) -> None:
        """The case at the head of ``q`` leaves the queue for ``worker``."""
        self._waiting_changes(self.env._now)
        self.n_waiting -= 1
        self.assign(q.popleft(), worker)

    def assign(self, case: Case, worker: Worker) -> None:
        """``worker`` takes ``case`` now; its closure goes on the kernel's heap.

        Parameters
        ----------
        case : Case
        worker : Worker
        """
        env = self.env
        now = env._now
        case.worker = worker
        worker.load += case.weight
        worker.ratio = worker.load / worker.capacity
        worker.cases[case] = None
        self.allocations += 1
        self.wait_sum += now - case.queued_at
        child = case.child
        if child.last_worker is not None and child.last_worker is not worker:
            self.worker_changes += 1
            child.changes += 1
        child.last_worker = worker
        case.ends_at = now + case.remaining
        case.closes = env.schedule_closure(case, case.remaining)
        if self.case_log is not None:
            self.case_log.start_spell(case, now)
        if self.on_assign is not None:
            self.on_assign(case, worker)

    # -- managers' caseload moves -----------------------------------------------

    def move_target(self, case: Case) -> Worker | None:
        """Who a manager would move ``case`` to: the worker other than its holder with
        the lowest load/capacity who has room for it (the first in the team's list on
        a tie), or None.

        Parameters
        ----------
        case : Case
            An allocated case of this team.

        Returns
        -------
        Worker or None
        """
        holder = case.worker
        need = case.weight - EPS
        best, best_ratio = None, INF
        for w in self.workers:
            ratio = w.ratio
            if ratio < best_ratio and w is not holder and w.load + need <= w.capacity:
                best, best_ratio = w, ratio
        return best

    def move(self, case: Case, to: Worker) -> None:
        """A manager moves an allocated ``case`` from its holder to ``to`` now, to manage
        caseloads: it keeps the time it has already served (its closure day stays), the
        child changes social worker, and the holder's freed room goes to the queue. A
        move is not an allocation: the case never waits (``allocations``,
        ``mean_wait_days`` and the waiting case-days leave it out); it is counted in
        ``caseload_moves`` (and in ``worker_changes``).

        Parameters
        ----------
        case : Case
            An allocated case of this team.
        to : Worker
            Another worker of the team with room for it (:meth:`move_target`).
        """
        env = self.env
        now = env._now
        holder = case.worker
        if TYPE_CHECKING:            # an allocated case has a holder (no check at run time)
            assert holder is not None
        del holder.cases[case]
        holder.load = holder.load - case.weight if holder.cases else 0.0
        holder.ratio = holder.load / holder.capacity if holder.capacity > 0 else INF
        case.child.stopped(holder, now)
        if self.case_log is not None:
            self.case_log.end_spell(case, now, "moved")
        case.remaining = max(0.0, case.ends_at - now)
        case.queued_at = now
        case.worker = to
        to.load += case.weight
        to.ratio = to.load / to.capacity
        to.cases[case] = None
        self.caseload_moves += 1
        self.worker_changes += 1
        child = case.child
        child.changes += 1
        child.last_worker = to
        case.closes = env.schedule_closure(case, case.remaining)
        if self.case_log is not None:
            self.case_log.start_spell(case, now)
        if self.on_assign is not None:
            self.on_assign(case, to)
        if self.n_waiting:
            self.freed(holder)
