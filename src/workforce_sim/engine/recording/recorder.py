"""Month-end recording: stocks as a snapshot, flows and money over the month.

What each column means, and whether it matches the DfE children's social work
workforce census definition, is in the column table (:mod:`.columns`; two do
not match yet: turnover and caseload). Newly qualified social workers are
employees, so they count with permanent staff in the agency and vacancy rates:

* ``vacancy_fte = max(0, establishment − permanent FTE − NQSW FTE)``: an
  agency-covered post is still vacant; for the service, summed team by team;
* ``agency_rate = agency / (agency + permanent + NQSW)`` (FTE);
* ``vacancy_rate = vacancy / (vacancy + permanent + NQSW)`` (FTE);
* ``turnover_rate_12m`` = permanent and NQSW leavers' FTE over the last 12
  months / mean permanent and NQSW FTE at those 12 month ends (NaN before
  month 12);
* caseload statistics are over case-holding workers (all but trainees and
  teams that hold no cases), by headcount.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from workforce_sim.engine.recording.columns import COLUMNS as COLUMN_TABLE
from workforce_sim.engine.recording.columns import NAMES
from workforce_sim.engine.state.accrual import (
    ACADEMY,
    AGENCY_FTE,
    AGENCY_SPEND,
    NQSW_FTE,
    PAY,
    PERM_FTE,
    RETENTION,
)
from workforce_sim.engine.state.workers import NQSW, PERMANENT, TRAINEE

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context
    from workforce_sim.engine.processes.costs import Costs
    from workforce_sim.engine.state.teams import TeamState

# The columns, in order, and which of the service row's are plain sums of the team
# rows: both read from the one table of output columns (columns.py).
COLUMNS = NAMES
ADDITIVE = tuple(c.name for c in COLUMN_TABLE if c.across_teams == "sum")
EPS = 1e-9
_additive = itemgetter(*ADDITIVE)
_in_order = itemgetter(*COLUMNS)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (NumPy's default) of a sorted list."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    pos = q * (n - 1)
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class _Census:
    """A team's workers at a month end: FTE by kind, trainees, and of the
    case-holding workers their caseloads (cases held), load/capacity ratios and
    how many hold more than their capacity."""

    __slots__ = ("permanent", "nqsw", "agency", "trainees", "loads", "ratios", "over")

    def __init__(self) -> None:
        self.permanent = self.nqsw = self.agency = 0.0
        self.trainees = self.over = 0
        self.loads: list[int] = []
        self.ratios: list[float] = []


class Recorder:
    """Collects one row per team (and one for the whole service) at each month end.

    Parameters
    ----------
    ctx : Context
        The replication's context.
    costs : Costs
        The costs process (campaign spend, permanent pay for the agency premium).
    """

    def __init__(self, ctx: Context, costs: Costs):
        self.ctx = ctx
        self.costs = costs
        self.rows: list[tuple[Any, ...]] = []     # (month index, team name, *COLUMNS)
        self._history: dict[str, list[tuple[float, float]]] = {}   # (leavers FTE, employed FTE)
        self._month_start = 0.0

    def close_month(self, month: int) -> None:
        """Record month ``month`` (its row per team and for the service), then reset the flows.

        Parameters
        ----------
        month : int
            The month's index from 0.
        """
        ctx = self.ctx
        now = ctx.env.now
        campaign = self.costs.campaign_cost(self._month_start, now)
        total_est = sum(t.establishment_fte for t in ctx.team_list)
        rows: list[dict[str, Any]] = []
        loads: list[int] = []
        ratios: list[float] = []
        over = 0
        for t in ctx.team_list:
            share = _ratio(t.establishment_fte, total_est) if total_est > 0 else 1 / len(ctx.team_list)
            census = self._census(t)
            rows.append(self._team(t, now, campaign * share, census))
            loads += census.loads
            ratios += census.ratios
            over += census.over
        # column sums over the teams, in team order (sum of each column's tuple)
        sums = map(sum, zip(*map(_additive, rows), strict=True))
        service: dict[str, Any] = dict(zip(ADDITIVE, sums, strict=True))
        service.update(self._caseloads(loads, ratios, over))
        service["wait_sum"] = sum(r["wait_sum"] for r in rows)
        service["turnover_rate_12m"] = self._turnover("all", service)
        for t, r in zip(ctx.team_list, rows, strict=True):
            self.rows.append((month, t.name, *self._finish(r)))
        self.rows.append((month, "all", *self._finish(service)))
        for t in ctx.team_list:
            t.reset_flows()
        self._month_start = now

    # -- pieces -----------------------------------------------------------------

    def _team(self, team: TeamState, now: float, campaign_cost: float,
              c: _Census) -> dict[str, Any]:
        team._waiting_changes(now)
        employed = c.permanent + c.nqsw
        acc = team.accrual.take(now)
        pay_perm = self.costs.pay[PERMANENT]
        r = {
            "permanent_fte": c.permanent, "nqsw_fte": c.nqsw, "agency_fte": c.agency,
            "trainees": c.trainees, "establishment_fte": team.establishment_fte,
            "vacancy_fte": max(0.0, team.establishment_fte - employed),
            "over_establishment_fte": max(0.0, employed - team.establishment_fte),
            "open_cases": team.n_open, "allocated_cases": team.n_open - team.n_waiting,
            "unallocated_cases": team.n_waiting,
            "referrals": team.referrals, "pathway_starts": team.pathway_starts,
            "allocations": team.allocations, "closures": team.closures,
            "handovers": team.handovers, "waiting_case_days": team.waiting_area,
            "worker_changes": team.worker_changes, "wait_sum": team.wait_sum,
            "hires": team.hires, "leavers_permanent": team.leavers_permanent,
            "leavers_permanent_fte": team.leavers_permanent_fte,
            "leavers_agency": team.leavers_agency, "agency_starts": team.agency_starts,
            "agency_releases": team.agency_releases, "conversions": team.conversions,
            "academy_qualified": team.academy_qualified,
            "academy_dropouts": team.academy_dropouts,
            "permanent_fte_days": acc[PERM_FTE], "nqsw_fte_days": acc[NQSW_FTE],
            "agency_fte_days": acc[AGENCY_FTE],
            "cost_permanent": acc[PAY] + acc[RETENTION], "cost_agency": acc[AGENCY_SPEND],
            "cost_academy": acc[ACADEMY],
            "cost_recruitment": team.recruitment_cost + campaign_cost,
            "agency_premium": acc[AGENCY_SPEND] - acc[AGENCY_FTE] * pay_perm,
        }
        r["cost_total"] = (r["cost_permanent"] + r["cost_agency"] + r["cost_academy"]
                           + r["cost_recruitment"])
        r.update(self._caseloads(c.loads, c.ratios, c.over))
        r["turnover_rate_12m"] = self._turnover(team.name, r)
        return r

    @staticmethod
    def _census(team: TeamState) -> _Census:
        """One pass over the team's workers (in team order, as every sum here runs)."""
        c = _Census()
        holds = team.holds_cases
        for w in team.workers:
            kind = w.kind
            if kind == TRAINEE:
                c.trainees += 1
                continue
            if kind == PERMANENT:
                c.permanent += w.fte
            elif kind == NQSW:
                c.nqsw += w.fte
            else:                      # agency
                c.agency += w.fte
            if holds:
                c.loads.append(len(w.cases))
                if w.capacity > 0:
                    c.ratios.append(w.load / w.capacity)
                c.over += w.load > w.capacity + EPS
        return c

    @staticmethod
    def _caseloads(loads: list[int], ratios: list[float], over: int) -> dict[str, Any]:
        loads = sorted(loads)
        return {"caseload_mean": _ratio(sum(loads), len(loads)),
                "caseload_p90": quantile(loads, 0.9),
                "caseload_max": loads[-1] if loads else math.nan,
                "load_ratio_mean": _ratio(sum(ratios), len(ratios)),
                "workers_over_cap": over}

    def _turnover(self, key: str, r: dict[str, Any]) -> float:
        history = self._history.setdefault(key, [])
        history.append((r["leavers_permanent_fte"], r["permanent_fte"] + r["nqsw_fte"]))
        if len(history) < 12:
            return math.nan
        leavers, employed = zip(*history[-12:], strict=True)
        return _ratio(sum(leavers), sum(employed) / 12)

    @staticmethod
    def _finish(r: dict[str, Any]) -> tuple[Any, ...]:
        """The derived rates, then the row in column order."""
        employed = r["permanent_fte"] + r["nqsw_fte"]
        r["agency_rate"] = _ratio(r["agency_fte"], r["agency_fte"] + employed)
        r["vacancy_rate"] = _ratio(r["vacancy_fte"], r["vacancy_fte"] + employed)
        r["mean_wait_days"] = _ratio(r["wait_sum"], r["allocations"])
        return _in_order(r)
