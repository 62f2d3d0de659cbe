"""Month-end recording: stocks as a snapshot, flows over the month.

Definitions follow the DfE children's social work workforce census
(``calibration/README.md``); newly qualified social workers are employees, so
they count with permanent staff in the agency and vacancy rates:

* ``vacancy_fte = max(0, establishment − permanent FTE − NQSW FTE)``: an
  agency-covered post is still vacant;
* ``agency_rate = agency / (agency + permanent + NQSW)`` (FTE);
* ``vacancy_rate = vacancy / (vacancy + permanent + NQSW)`` (FTE);
* caseload statistics are over case-holding workers (every worker but
  trainees), by headcount.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .staff import AGENCY, NQSW, PERMANENT, TRAINEE

if TYPE_CHECKING:
    from .allocation import TeamState
    from .core import Model

STOCKS = (
    "permanent_fte", "nqsw_fte", "agency_fte", "trainees",
    "establishment_fte", "vacancy_fte", "over_establishment_fte", "agency_rate", "vacancy_rate",
    "open_cases", "allocated_cases", "unallocated_cases",
    "caseload_mean", "caseload_p90", "caseload_max", "load_ratio_mean", "workers_over_cap",
)
FLOWS = (
    "referrals", "pathway_starts", "allocations", "closures", "handovers",
    "mean_wait_days", "waiting_case_days", "worker_changes",
)
COLUMNS = STOCKS + FLOWS
EPS = 1e-9


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolation quantile (NumPy's default) of a sorted list."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    pos = q * (n - 1)
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class Recorder:
    """Collects one row per team (and one for the whole service) at each month end."""

    def __init__(self, model: Model):
        self.model = model
        self.rows: list[tuple] = []     # (month index, team name, *COLUMNS)

    def close_month(self, month: int) -> None:
        now = self.model.env.now
        teams = self.model.team_list
        per_team = [self._team_row(t, now) for t in teams]
        for t, row in zip(teams, per_team, strict=True):
            self.rows.append((month, t.name, *row))
        self.rows.append((month, "all", *self._service_row(teams, per_team)))
        for t in teams:
            t.reset_flows()

    # -- one team -------------------------------------------------------------

    def _team_row(self, team: TeamState, now: float) -> tuple:
        team._waiting_changes(now)
        fte = {PERMANENT: 0.0, NQSW: 0.0, AGENCY: 0.0}
        trainees = 0
        loads, ratios, over = [], [], 0
        for w in team.workers:
            if w.kind == TRAINEE:
                trainees += 1
                continue
            fte[w.kind] += w.fte
            loads.append(len(w.cases))
            ratios.append(w.load / w.capacity if w.capacity > 0 else math.nan)
            over += w.load > w.capacity + EPS
        stocks = self._stocks(fte, trainees, team.establishment_fte, team.n_open,
                              team.n_waiting, loads, ratios, over)
        flows = (team.referrals, team.pathway_starts, team.allocations, team.closures,
                 team.handovers, _ratio(team.wait_sum, team.allocations), team.waiting_area,
                 team.worker_changes)
        return stocks + flows

    @staticmethod
    def _stocks(fte, trainees, establishment, n_open, n_waiting, loads, ratios, over) -> tuple:
        employed = fte[PERMANENT] + fte[NQSW]
        vacancy = max(0.0, establishment - employed)
        loads = sorted(loads)
        finite = [r for r in ratios if r == r]
        return (
            fte[PERMANENT], fte[NQSW], fte[AGENCY], trainees,
            establishment, vacancy, max(0.0, employed - establishment),
            _ratio(fte[AGENCY], fte[AGENCY] + employed), _ratio(vacancy, vacancy + employed),
            n_open, n_open - n_waiting, n_waiting,
            _ratio(sum(loads), len(loads)), quantile(loads, 0.9),
            loads[-1] if loads else math.nan,
            _ratio(sum(finite), len(finite)), over,
        )

    # -- the whole service ----------------------------------------------------

    def _service_row(self, teams: list[TeamState], per_team: list[tuple]) -> tuple:
        col = {c: i for i, c in enumerate(COLUMNS)}

        def total(name):
            return sum(r[col[name]] for r in per_team)

        fte = {PERMANENT: total("permanent_fte"), NQSW: total("nqsw_fte"),
               AGENCY: total("agency_fte")}
        loads, ratios, over = [], [], 0
        for t in teams:
            for w in t.workers:
                if w.kind != TRAINEE:
                    loads.append(len(w.cases))
                    ratios.append(w.load / w.capacity if w.capacity > 0 else math.nan)
                    over += w.load > w.capacity + EPS
        stocks = self._stocks(fte, total("trainees"), total("establishment_fte"),
                              total("open_cases"), total("unallocated_cases"), loads, ratios, over)
        # Vacancy is counted team by team: a surplus in one team fills no post in another.
        i_vac, i_over = STOCKS.index("vacancy_fte"), STOCKS.index("over_establishment_fte")
        stocks = list(stocks)
        stocks[i_vac], stocks[i_over] = total("vacancy_fte"), total("over_establishment_fte")
        employed = fte[PERMANENT] + fte[NQSW]
        stocks[STOCKS.index("vacancy_rate")] = _ratio(stocks[i_vac], stocks[i_vac] + employed)
        allocations = total("allocations")
        wait = sum(r[col["mean_wait_days"]] * r[col["allocations"]]
                   for r in per_team if r[col["allocations"]])
        flows = (total("referrals"), total("pathway_starts"), allocations, total("closures"),
                 total("handovers"), _ratio(wait, allocations), total("waiting_case_days"),
                 total("worker_changes"))
        return tuple(stocks) + flows
