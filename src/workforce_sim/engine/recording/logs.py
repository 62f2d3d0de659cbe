"""Optional logs: one row per allocation spell of a case, and per spell of a worker in a kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from workforce_sim.engine.state.cases import Case
    from workforce_sim.engine.state.workers import Worker

SPELL_COLUMNS = ("case_id", "child_id", "case_type", "team", "queued_day", "allocated_day",
                 "worker_id", "ended_day", "end")


class CaseLog:
    """Spells are rows ``[case, child, type, team, queued, allocated, worker, ended, end]``;
    ``end`` is "closed", "handover", "open" (still allocated at the horizon, ``ended`` NaN)
    or "waiting" (unallocated at the horizon, ``allocated`` NaN)."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []

    def start_spell(self, case: Case, now: float) -> None:
        """The case is allocated now: a new spell (its row number kept on the case)."""
        worker = case.worker
        assert worker is not None
        case.spell = len(self.rows)
        self.rows.append([case.id, case.child.id, case.kind.name, case.kind.team.name,
                          case.queued_at, now, worker.id, float("nan"), "open"])

    def end_spell(self, case: Case, now: float, how: str) -> None:
        """The case's spell ends now, ``how`` ("closed" or "handover")."""
        assert case.spell is not None
        row = self.rows[case.spell]
        row[7], row[8] = now, how

    def still_waiting(self, case: Case) -> None:
        """A case that is unallocated at the horizon (``allocated_day`` is NaN)."""
        self.rows.append([case.id, case.child.id, case.kind.name, case.kind.team.name,
                          case.queued_at, float("nan"), -1, float("nan"), "waiting"])

    def frame(self) -> pd.DataFrame:
        """The spells as a table."""
        return pd.DataFrame(self.rows, columns=list(SPELL_COLUMNS))


STAFF_COLUMNS = ("worker_id", "team", "kind", "fte", "start_day", "end_day", "end", "role",
                 "pqe_years", "notice_day", "notice", "exception")


class StaffLog:
    """One row per spell of a worker in one kind and team: ``end`` is "left", "changed"
    (became another kind), "promoted" (moved to another team, the next spell opening
    there) or "open" (still in post at the horizon, ``end_day`` NaN).

    ``role`` is the team's role and ``pqe_years`` the worker's post-qualifying experience
    at the start of the spell; a leaver who comes back as an agency worker keeps their
    ``worker_id``. ``notice_day`` is the day a leaver gave (or was given) notice and
    ``notice`` how ("resigned" or "released"; NaN and "" when they left without notice);
    ``exception`` names the exception to the cooling-off that let a returner start
    ("probation"), "" otherwise."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []

    def change(self, w: Worker, now: float) -> None:
        """Open a spell for the worker's current kind and team, closing the previous one
        if any."""
        if w.spell is not None:
            row = self.rows[w.spell]
            if row[2] == w.kind and row[1] == w.team.name:
                return
            row[5], row[6] = now, "changed" if row[2] != w.kind else "promoted"
        w.spell = len(self.rows)
        self.rows.append([w.id, w.team.name, w.kind, w.fte, now, float("nan"), "open",
                          w.team.role, w.pqe_years(now), float("nan"), "", ""])

    def end(self, w: Worker, now: float) -> None:
        """The worker leaves now: their spell ends (with the notice they worked, if any)."""
        assert w.spell is not None
        row = self.rows[w.spell]
        row[5], row[6] = now, "left"
        if w.leaving:
            row[9], row[10] = w.notice_day, w.notice

    def exception(self, w: Worker, name: str) -> None:
        """The worker's spell opened through the cooling-off's exception ``name``."""
        assert w.spell is not None
        self.rows[w.spell][11] = name

    def frame(self) -> pd.DataFrame:
        """The spells as a table."""
        return pd.DataFrame(self.rows, columns=list(STAFF_COLUMNS))
