"""An optional per-case log: one row per allocation spell of a case."""

from __future__ import annotations

import pandas as pd

SPELL_COLUMNS = ("case_id", "child_id", "case_type", "team", "queued_day", "allocated_day",
                 "worker_id", "ended_day", "end")


class CaseLog:
    """Spells are rows ``[case, child, type, team, queued, allocated, worker, ended, end]``;
    ``end`` is "closed", "handover", "open" (still allocated at the horizon, ``ended`` NaN)
    or "waiting" (unallocated at the horizon, ``allocated`` NaN)."""

    def __init__(self):
        self.rows: list[list] = []

    def start_spell(self, case, now: float) -> None:
        case.spell = len(self.rows)
        self.rows.append([case.id, case.child.id, case.kind.name, case.kind.team.name,
                          case.queued_at, now, case.worker.id, float("nan"), "open"])

    def end_spell(self, case, now: float, how: str) -> None:
        row = self.rows[case.spell]
        row[7], row[8] = now, how

    def still_waiting(self, case) -> None:
        """A case that is unallocated at the horizon (``allocated_day`` is NaN)."""
        self.rows.append([case.id, case.child.id, case.kind.name, case.kind.team.name,
                          case.queued_at, float("nan"), -1, float("nan"), "waiting"])

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(SPELL_COLUMNS))
