"""Month-end recording: stocks as a snapshot, flows and money over the month.

What each column means, and how it stands against the DfE children's social
work workforce census definition, is in the column table (:mod:`.columns`).
Newly qualified social workers are employees, so they count with permanent
staff in the FTE in post and the agency, vacancy and turnover rates:

* ``fte_in_post = permanent FTE + NQSW FTE`` (the DfE's ``inpost_fte``);
* ``vacancy_fte = max(0, establishment − fte_in_post)``: an agency-covered
  post is still vacant; for the service, from its total establishment and FTE
  in post (one team over establishment offsets another's vacancies, as the DfE
  counts a council's);
* ``agency_cover_fte = min(agency FTE, vacancy_fte)``, and for the service the
  same from its own totals; ``agency_cover_rate = agency_cover_fte / agency FTE``,
  ``vacancy_agency_cover_rate = agency_cover_fte / vacancy_fte``;
* ``agency_rate = agency / (agency + fte_in_post)`` (FTE);
* ``vacancy_rate = vacancy / (vacancy + fte_in_post)`` (FTE);
* ``turnover_rate`` = permanent and NQSW leavers' FTE in the 12 months to the
  month end / ``fte_in_post`` at the month end (NaN before month 12);
* ``case_holders_fte``: FTE of everyone but trainees in teams that hold cases;
  ``caseload = allocated_cases / case_holders_fte``; ``caseload_p90`` and
  ``caseload_max`` are per worker, by headcount;
* the stability measure: children with an open looked-after case at the month
  end (``looked_after``, in that case's team) by the number of distinct social
  workers who held a case of the child (any type, any team) in the 12 months
  to the month end (from the run's start, until it is 12 months old): the
  holder of the open case, if any, and the workers in ``Child.past`` who
  stopped on or after the window's first day. Only the open looked-after cases
  are visited, at the month end; ``Child.past`` is pruned to the window then.

Rows of the service (``team == "all"``) sum the team rows' ``"sum"`` columns
(:data:`ADDITIVE`, in team order); every other column is then recomputed from
the service row's own values by the same formula as a team's, except the
statistics over workers, which pool the workers of every team.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from workforce_sim.engine.recording.columns import COLUMNS as COLUMN_TABLE
from workforce_sim.engine.recording.columns import NAMES
from workforce_sim.engine.state.accrual import (
    ABOVE_CAP_FTE,
    ABOVE_CAP_SPEND,
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
    from workforce_sim.engine.state.cases import Child
    from workforce_sim.engine.state.teams import TeamState
    from workforce_sim.engine.state.workers import Worker

# The columns, in order, and which of the service row's are plain sums of the team
# rows: both read from the one table of output columns (columns.py).
COLUMNS = NAMES
ADDITIVE = tuple(c.name for c in COLUMN_TABLE if c.across_teams == "sum")
TURNOVER_MONTHS = next(c.months for c in COLUMN_TABLE if c.name == "turnover_rate")
STABILITY_MONTHS = 12
EPS = 1e-9
_additive = itemgetter(*ADDITIVE)
_COST_TOTAL = COLUMNS.index("cost_total")
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


_STABILITY = ("looked_after", "looked_after_no_worker", "looked_after_1_worker",
              "looked_after_2_workers", "looked_after_3plus_workers")


class _Census:
    """A team's workers at a month end: FTE by kind, trainees, and of the
    case-holding workers their caseloads (cases held), load/capacity ratios and
    how many hold more than their capacity."""

    __slots__ = ("permanent", "nqsw", "agency", "holders", "trainees", "loads", "ratios", "over")

    def __init__(self) -> None:
        self.permanent = self.nqsw = self.agency = self.holders = 0.0
        self.trainees = self.over = 0
        self.loads: list[int] = []
        self.ratios: list[float] = []


def _workers_since(child: Child, since: float, holder: Worker | None) -> int:
    """Distinct social workers who held a case of ``child`` since ``since``: its
    holder now (if any) and those who stopped on or after ``since`` (the others are
    pruned from ``Child.past``; a child with no ``past`` costs a test)."""
    past = child.past
    if past is not None and child.oldest < since:
        past = child.prune(since)
    if past is None:
        return 0 if holder is None else 1
    return len(past) + (holder is not None and holder not in past)


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
        self._leavers: dict[str, deque[float]] = {}   # leavers FTE of the last 12 months
        self._month_start = 0.0
        # team -> whether every case type it holds is looked after (teams with none: absent)
        types = ctx.scenario.case_types.values()
        self._looked_after_teams = {
            ct.team: all(o.looked_after for o in types if o.team == ct.team)
            for ct in types if ct.looked_after}

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
        # the stability window: the 12 months to now (from the run's start until then)
        since = ctx.month_ends[month - STABILITY_MONTHS] if month >= STABILITY_MONTHS else 0.0
        total_est = sum(t.establishment_fte for t in ctx.team_list)
        rows: list[dict[str, Any]] = []
        loads: list[int] = []
        ratios: list[float] = []
        over = 0
        for t in ctx.team_list:
            share = _ratio(t.establishment_fte, total_est) if total_est > 0 else 1 / len(ctx.team_list)
            census = self._census(t)
            rows.append(self._team(t, now, campaign * share, census, since))
            loads += census.loads
            ratios += census.ratios
            over += census.over
        # column sums over the teams, in team order (sum of each column's tuple)
        sums = map(sum, zip(*map(_additive, rows), strict=True))
        service: dict[str, Any] = dict(zip(ADDITIVE, sums, strict=True))
        service.update(self._caseloads(loads, ratios, over))
        service["wait_sum"] = sum(r["wait_sum"] for r in rows)
        service["turnover_rate"] = self._turnover("all", service)
        service.update(self._budget())
        for t, r in zip(ctx.team_list, rows, strict=True):
            self.rows.append((month, t.name, *self._finish(r)))
        self.rows.append((month, "all", *self._finish(service)))
        for t in ctx.team_list:
            t.reset_flows()
        self._month_start = now

    def month_cost(self, month: int) -> float:
        """The service's ``cost_total`` of month ``month`` (closed already), for the budget."""
        for row in reversed(self.rows):
            if row[0] == month and row[1] == "all":
                return float(row[2 + _COST_TOTAL])
        raise KeyError(f"month {month} is not closed")

    # -- pieces -----------------------------------------------------------------

    def _budget(self) -> dict[str, float]:
        """The budget's actions in force during the month (set at the last month end)."""
        return {"budget_recruitment_pause": float(self.ctx.recruitment_paused),
                "budget_agency_cap": float(self.ctx.agency_capped)}

    def _team(self, team: TeamState, now: float, campaign_cost: float,
              c: _Census, since: float) -> dict[str, Any]:
        team._waiting_changes(now)
        employed = c.permanent + c.nqsw
        acc = team.accrual.take(now)
        pay_perm = self.costs.pay[PERMANENT, team.role]
        r = {
            "permanent_fte": c.permanent, "nqsw_fte": c.nqsw, "fte_in_post": employed,
            "agency_fte": c.agency,
            "trainees": c.trainees, "establishment_fte": team.establishment_fte,
            "over_establishment_fte": max(0.0, employed - team.establishment_fte),
            "open_cases": team.n_open, "allocated_cases": team.n_open - team.n_waiting,
            "unallocated_cases": team.n_waiting, "case_holders_fte": c.holders,
            "referrals": team.referrals, "pathway_starts": team.pathway_starts,
            "allocations": team.allocations, "closures": team.closures,
            "handovers": team.handovers, "waiting_case_days": team.waiting_area,
            "worker_changes": team.worker_changes, "caseload_moves": team.caseload_moves,
            "wait_sum": team.wait_sum,
            "hires": team.hires, "leavers_permanent": team.leavers_permanent,
            "leavers_permanent_fte": team.leavers_permanent_fte,
            "leavers_to_other_council": team.leavers_by_destination[0],
            "leavers_to_agency": team.leavers_by_destination[1],
            "leavers_out_of_la_social_work": team.leavers_by_destination[2],
            "agency_returners": team.agency_returners,
            "leavers_agency": team.leavers_agency, "agency_starts": team.agency_starts,
            "agency_releases": team.agency_releases, "conversions": team.conversions,
            "promotions": team.promotions,
            "long_absence_fte": team.away_fte, "long_absence_starts": team.long_absence_starts,
            "academy_qualified": team.academy_qualified,
            "academy_dropouts": team.academy_dropouts,
            "academy_not_placed": team.academy_not_placed,
            "permanent_fte_days": acc[PERM_FTE], "nqsw_fte_days": acc[NQSW_FTE],
            "agency_fte_days": acc[AGENCY_FTE],
            "agency_above_cap_starts": team.agency_above_cap_starts,
            "agency_above_cap_fte_days": acc[ABOVE_CAP_FTE],
            "agency_above_cap_spend": acc[ABOVE_CAP_SPEND],
            "cost_permanent": acc[PAY] + acc[RETENTION], "cost_agency": acc[AGENCY_SPEND],
            "cost_academy": acc[ACADEMY],
            "cost_recruitment": team.recruitment_cost + campaign_cost,
            "agency_premium": acc[AGENCY_SPEND] - acc[AGENCY_FTE] * pay_perm,
        }
        r["cost_total"] = (r["cost_permanent"] + r["cost_agency"] + r["cost_academy"]
                           + r["cost_recruitment"])
        r.update(self._caseloads(c.loads, c.ratios, c.over))
        r.update(self._budget())
        r.update(self._stability(team, since))
        r["turnover_rate"] = self._turnover(team.name, r)
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
        if holds:                      # everyone but trainees holds cases
            c.holders = c.permanent + c.nqsw + c.agency
        return c

    @staticmethod
    def _caseloads(loads: list[int], ratios: list[float], over: int) -> dict[str, Any]:
        loads = sorted(loads)
        return {"caseload_p90": quantile(loads, 0.9),
                "caseload_max": loads[-1] if loads else math.nan,
                "load_ratio_mean": _ratio(sum(ratios), len(ratios)),
                "workers_over_cap": over}

    def _stability(self, team: TeamState, since: float) -> dict[str, int]:
        """The team's children looked after now, by the number of distinct social
        workers who held a case of theirs since ``since``: the holder of the open
        case, and those in ``Child.past`` who stopped on or after ``since`` (the
        others are pruned from it). Only the open cases of teams that hold a
        looked-after type are visited; a child with no ``past`` costs a test."""
        only = self._looked_after_teams.get(team.name)
        if only is None:                 # the team holds no looked-after type
            return dict.fromkeys(_STABILITY, 0)
        counts = [0, 0, 0, 0]            # no worker, 1, 2, 3 or more
        for w in team.workers:
            for case in w.cases:
                if only or case.kind.looked_after:
                    counts[min(3, _workers_since(case.child, since, w))] += 1
        for q in team.queues:
            for case in q:
                if only or case.kind.looked_after:
                    counts[min(3, _workers_since(case.child, since, None))] += 1
        none, one, two, more = counts
        return {"looked_after": none + one + two + more, "looked_after_no_worker": none,
                "looked_after_1_worker": one, "looked_after_2_workers": two,
                "looked_after_3plus_workers": more}

    def _turnover(self, key: str, r: dict[str, Any]) -> float:
        """Leavers FTE in the last 12 month rows / FTE in post at this one (NaN before 12)."""
        leavers = self._leavers.get(key)
        if leavers is None:
            leavers = self._leavers[key] = deque(maxlen=TURNOVER_MONTHS)
        leavers.append(r["leavers_permanent_fte"])
        if len(leavers) < TURNOVER_MONTHS:
            return math.nan
        return _ratio(sum(leavers), r["fte_in_post"])

    @staticmethod
    def _finish(r: dict[str, Any]) -> tuple[Any, ...]:
        """The columns recomputed from the row's own values (a team's, or the service's
        totals), then the row in column order."""
        employed = r["fte_in_post"]
        vacancy = r["vacancy_fte"] = max(0.0, r["establishment_fte"] - employed)
        agency = r["agency_fte"]
        cover = r["agency_cover_fte"] = min(agency, vacancy)
        r["agency_rate"] = _ratio(agency, agency + employed)
        r["vacancy_rate"] = _ratio(vacancy, vacancy + employed)
        r["agency_cover_rate"] = _ratio(cover, agency)
        r["vacancy_agency_cover_rate"] = _ratio(cover, vacancy)
        r["caseload"] = _ratio(r["allocated_cases"], r["case_holders_fte"])
        r["looked_after_3plus_rate"] = _ratio(r["looked_after_3plus_workers"], r["looked_after"])
        r["mean_wait_days"] = _ratio(r["wait_sum"], r["allocations"])
        return _in_order(r)
