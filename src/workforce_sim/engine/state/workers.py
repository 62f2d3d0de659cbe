"""Social workers: the kinds of worker and what every process may read of one.

A :class:`Worker` carries only what several processes read: kind, team, FTE,
capacity and load, the cases held, whether they are still in post and whether
they are working their notice. What one process keeps about a worker (the
attrition plan, the agency placement) lives in that process, keyed by the
worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce_sim.engine import exact
from workforce_sim.engine.state.accrual import ZERO
from workforce_sim.scenario.calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from workforce_sim.engine.state.cases import Case
    from workforce_sim.engine.state.teams import TeamState

PERMANENT, NQSW, AGENCY, TRAINEE = "permanent", "nqsw", "agency", "trainee"
EMPLOYED = (PERMANENT, NQSW)
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class Worker:
    """One social worker (or trainee) in a team.

    Parameters
    ----------
    wid : int
        The worker's number.
    kind : str
        ``PERMANENT``, ``NQSW``, ``AGENCY`` or ``TRAINEE``.
    team : TeamState
        Their team.
    fte : float
        Their full-time equivalent.
    joined_day : float
        The day they joined.
    """

    __slots__ = (
        "id", "kind", "team", "fte", "factor", "capacity", "load", "ratio", "cases", "active",
        "joined_day", "service_days_at_join", "asye_day0", "pathway", "rates", "spell",
        # an agency worker's assignment: day rate charged, and the price cap it is held to
        "charge", "cap",
        # working their notice: a resigning employee or a released agency worker
        "leaving", "notice", "notice_day",
        # the day they qualified as a social worker (NaN for a trainee): PQE counts from it
        "qualified_day",
        # what the worker adds to the team's FTE tallies (retally, exact.py)
        "units", "counted",
    )

    def __init__(self, wid: int, kind: str, team: TeamState, fte: float, joined_day: float):
        self.id = wid
        self.kind = kind
        self.team = team
        self.fte = fte
        self.factor = 0.0
        self.capacity = 0.0
        self.load = 0.0
        self.ratio = float("inf")      # load / capacity (inf without capacity): allocation reads it
        self.cases: dict[Case, None] = {}   # insertion-ordered set of the cases held
        self.active = True
        self.joined_day = joined_day
        self.service_days_at_join = 0.0
        self.asye_day0 = 0.0           # day the ASYE started (NQSWs only)
        self.pathway: Any = None       # the academy pathway they came through, if any
        self.rates: tuple[float, ...] = ZERO     # what they add to the team's accruals
        self.charge: float | None = None    # None: the council's day rate for the role
        self.cap = float("inf")
        self.spell: int | None = None  # row of the staff log, when kept
        self.leaving = False
        self.notice = ""               # "resigned" or "released" while working their notice
        self.notice_day = float("nan")  # the day notice was given
        self.qualified_day = float("nan")
        self.units = exact.units(fte)
        self.counted = (False, False, False)   # (employed, committed, agency cover)

    def retally(self) -> None:
        """Bring the team's FTE tallies in line with this worker, after a change to
        their kind, ``active`` or ``leaving``: employed (permanent and NQSW),
        committed (employed and not working their notice), and agency cover (on
        placement and not released)."""
        employed = self.active and self.kind in EMPLOYED
        committed = employed and not self.leaving
        cover = self.active and self.kind == AGENCY and not self.leaving
        was_employed, was_committed, was_cover = self.counted
        team, u = self.team, self.units
        team.employed_units += (employed - was_employed) * u
        team.committed_units += (committed - was_committed) * u
        team.agency_units += (cover - was_cover) * u
        self.counted = (employed, committed, cover)

    def service_years(self, day: float) -> float:
        """Years of service on ``day``.

        Parameters
        ----------
        day : float
            A day of the run.

        Returns
        -------
        float
            Service at joining plus the time since.
        """
        return (self.service_days_at_join + day - self.joined_day) / DAYS_PER_YEAR

    def pqe_years(self, day: float) -> float:
        """Post-qualifying experience on ``day`` (years since qualifying).

        Parameters
        ----------
        day : float
            A day of the run.

        Returns
        -------
        float
            Calendar years since qualifying, whatever the FTE (the DfE's rules count
            years since qualifying); NaN for a trainee.
        """
        return (day - self.qualified_day) / DAYS_PER_YEAR

    def give_notice(self, how: str, day: float) -> None:
        """The worker starts working their notice on ``day`` (``how``: "resigned" or
        "released"); the FTE tallies follow.

        Parameters
        ----------
        how : str
        day : float
        """
        self.leaving = True
        self.notice, self.notice_day = how, day
        self.retally()

    def __repr__(self) -> str:
        return (f"Worker({self.id}, {self.kind}, team={self.team.name}, "
                f"load={self.load:g}/{self.capacity:g})")
