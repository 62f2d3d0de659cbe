"""The scenario: a frozen, validated description of one council's service and plan.

A scenario is written as a TOML file (see ``scenarios/``), a Python dict, or a
shipped scenario changed with :meth:`Scenario.with_changes`. All three go
through the same pydantic schema, so a misspelt key, a negative rate or a
probability above 1 is refused in the same words wherever it comes from,
before anything runs.

Units are in the field names (``_days``, ``_fte``, ``_per_year``) or in the
field's description. Each default names its source, using the keys of the
calibration sources in ``docs/model.md``: [S] sourced, [D] derived, [E] estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic import Strict as StrictType
from pydantic_core import PydanticCustomError

from workforce_sim.data.deflators import SHIPPED as SHIPPED_DEFLATORS
from workforce_sim.scenario.calendar import add_months
from workforce_sim.scenario.changes import apply_changes
from workforce_sim.scenario.checks import cross_problems
from workforce_sim.scenario.distributions import Distribution, Duration, Lognormal, Triangular
from workforce_sim.scenario.errors import NO_VALUE, Problem, ScenarioError, problems_from_validation
from workforce_sim.scenario.strict import Strict
from workforce_sim.scenario.values import (
    MAX_NESTING,
    CaseloadCap,
    Cases,
    CaseWeight,
    Count,
    Date,
    Days,
    Factor,
    FrozenDict,
    Fte,
    Headcount,
    Items,
    Key,
    Money,
    Months,
    Name,
    Number,
    Rate,
    Referrals,
    Text,
    Years,
    at_most,
    nesting_depth,
)

SCHEMA_VERSION = 1
Flag = Annotated[bool, StrictType()]
"""true or false, nothing that Python would take for one (1, "yes")."""
Priority = Annotated[Count, at_most(100, "100 priority levels, more than any service uses")]
ROLES = ("social_worker", "senior_social_worker", "advanced_practitioner", "team_manager",
         "reviewing_officer")
"""The DfE's five agency job types (S8), as roles of posts and workers: social worker,
senior social worker, advanced practitioner, team manager, and independent reviewing
officer or child protection chair."""
Role = Literal["social_worker", "senior_social_worker", "advanced_practitioner", "team_manager",
               "reviewing_officer"]


PQE_BEFORE_SERVICE_YEARS = 2.0
"""Years of post-qualifying experience before joining the council, for a starting group
that does not give its own [E]."""


def _counts_to_groups(value: Any) -> Any:
    """Allow ``permanent = 14`` as shorthand for ``permanent = [{ count = 14 }]``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [{"count": value}] if value else []
    return value


# --------------------------------------------------------------------------- teams


class PermanentGroup(Strict):
    """Permanent social workers in post at the start."""

    count: Headcount = Field(ge=0, description="headcount")
    fte: Number = Field(1.0, gt=0, le=1, description="FTE of each worker")
    service_years: Years = Field(
        4.0, ge=0, description="years of service with the council so far [E]"
    )
    pqe_years: Years | None = Field(
        None, ge=0, description="years since qualifying as a social worker (post-qualifying "
        "experience); none: service_years + 2 [E] a quarter of leavers move to another council "
        "(S20), so most staff worked elsewhere before"
    )

    def pqe(self) -> float:
        """Post-qualifying experience of each worker in the group (years)."""
        return self.service_years + PQE_BEFORE_SERVICE_YEARS if self.pqe_years is None \
            else self.pqe_years


class NqswGroup(Strict):
    """Newly qualified social workers in their ASYE year at the start."""

    count: Headcount = Field(ge=0, description="headcount")
    fte: Number = Field(1.0, gt=0, le=1, description="FTE of each worker")
    months_served: Months = Field(0.0, ge=0, description="months of the ASYE year already served")


class AgencyGroup(Strict):
    """Agency (locum) social workers on placement at the start."""

    count: Headcount = Field(ge=0, description="headcount")
    fte: Number = Field(1.0, gt=0, le=1, description="FTE of each worker")


class Staff(Strict):
    """Today's workforce of a team. Each kind takes a headcount or a list of groups."""

    permanent: Items[PermanentGroup] = Field(default=(), description="permanent social workers")
    nqsw: Items[NqswGroup] = Field(default=(), description="newly qualified, in their ASYE")
    agency: Items[AgencyGroup] = Field(default=(), description="agency workers on placement")

    _shorthand = field_validator("permanent", "nqsw", "agency", mode="before")(
        lambda v: _counts_to_groups(v)
    )


class EstablishmentChange(Strict):
    """From ``date`` on, the team's funded establishment is ``establishment_fte``."""

    date: Date = Field(description="the day the change takes effect")
    establishment_fte: Fte = Field(ge=0, description="funded posts from that day (FTE)")


class Promotion(Strict):
    """Filling the team's vacant posts by promoting social workers of other teams (senior
    practitioners, practice leads and team managers appointed from the council's own
    case holders) before advertising outside."""

    from_teams: FrozenDict[Key, Number] = Field(
        min_length=1, description="the teams whose social workers may be promoted into this "
        "one, with weights: a vacancy goes to an eligible worker of a source team with "
        "probability proportional to the team's weight × the worker's FTE"
    )
    internal_share: Number = Field(
        ge=0, le=1, description="probability that a vacancy of this team is filled by "
        "promotion rather than advertised outside (while someone is eligible); no default: no "
        "source found gives the share of senior posts filled inside [E] the council's own"
    )
    min_service_years: Years = Field(
        2.5, ge=0, description="least years of service with the council for promotion "
        "[E] councils' career pathways: at least 2½ years from qualifying to an experienced "
        "social worker"
    )
    time_days: Days = Field(
        42, ge=0, description="from the post falling vacant to the promoted worker starting "
        "in it (internal advert, interview) [E] six weeks"
    )


class Team(Strict):
    """A team that holds cases: assessment, safeguarding/court, children in care, ..."""

    establishment_fte: Fte = Field(ge=0, description="funded social worker posts (FTE)")
    caseload_cap: CaseloadCap = Field(
        0.0,
        ge=0,
        description="caseload points one full-time experienced worker may hold; "
        "calibration: soft cap 18, hard cap 22 per FTE [E]; 0 for a team that holds no cases",
    )
    holds_cases: Flag = Field(
        True,
        description="false for social workers who hold no cases (managers, reviewing officers, "
        "...): in the agency and vacancy rates, not in caseloads",
    )
    role: Role = Field(
        "social_worker", description="the DfE agency job type of the team's posts (S8): "
        "social_worker, senior_social_worker, advanced_practitioner, team_manager or "
        "reviewing_officer (independent reviewing officer / child protection chair); sets "
        "the pay and agency charge in workforce.roles"
    )
    staff: Staff = Field(default_factory=Staff, description="today's workforce")
    establishment_changes: Items[EstablishmentChange] = Field(
        default=(), description="dated changes of establishment"
    )
    promotion: Promotion | None = Field(
        None, description="vacancies filled by promotion from other teams first; none: "
        "every vacancy is advertised outside"
    )
    manages: Items[Key] = Field(
        default=(), description="the teams this team's posts manage and supervise (a team "
        "of team managers); while its posts are vacant and not covered by agency staff, the "
        "managed teams' employees leave faster (workforce.permanent.manager_vacancy_elasticity)"
    )


# ---------------------------------------------------------------------- case types


class DemandChange(Strict):
    """A dated step in a case type's referral rate (a "shock"): from ``date`` on,
    referrals are multiplied by ``multiplier`` (on top of earlier changes)."""

    date: Date = Field(description="the day the change takes effect")
    multiplier: Factor = Field(ge=0, description="factor on the referral rate from this date")


class CaseType(Strict):
    """A kind of open case: assessment, child in need, child protection, looked after, ..."""

    team: Key = Field(description="the team that holds these cases")
    weight: CaseWeight = Field(1.0, gt=0, description="caseload points per case")
    referrals_per_year: Referrals = Field(
        0.0, ge=0, description="mean new cases a year (Poisson) at the start date"
    )
    duration_days: Duration = Field(description="time from allocation to closure (days)")
    initial_open: Cases = Field(0, ge=0, description="cases open at the start date")
    on_close: FrozenDict[Key, Number] = Field(
        default_factory=FrozenDict,
        description="probability that a closing case continues as each other case type; "
        "the rest close for good",
    )
    priority: Priority = Field(
        1, ge=1, description="allocation priority: 1 is allocated first, then 2, ..."
    )
    seasonality: Items[Factor] | None = Field(
        None,
        min_length=12,
        max_length=12,
        description="12 multipliers on the referral rate, January to December, mean 1",
    )
    growth_per_year: Number = Field(
        0.0, gt=-1, le=1, description="yearly growth of the referral rate (0.02 = 2 %/year, "
        "compounding); at most 1 (doubling every year) [bound: beyond any demand forecast]"
    )
    demand_changes: Items[DemandChange] = Field(
        default=(), description="dated steps in the referral rate"
    )
    looked_after: bool = Field(
        False, description="these cases are children looked after (counted in the DfE's "
        "stability measure: looked-after children by how many social workers they had in the year)"
    )

    @field_validator("on_close")
    @classmethod
    def _probabilities(cls, v: FrozenDict[str, float]) -> FrozenDict[str, float]:
        for name, p in v.items():
            if not (0 <= p <= 1):
                raise ValueError(f"probability for {name!r} is {p}; expected a value in [0, 1]")
        total = sum(v.values())
        if total > 1 + 1e-9:
            raise ValueError(f"probabilities sum to {total:g}; expected at most 1")
        return v

    @field_validator("seasonality")
    @classmethod
    def _mean_one(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is None:
            return v
        if any(m < 0 for m in v):
            raise ValueError("multipliers must be >= 0")
        mean = sum(v) / 12
        if abs(mean - 1) > 0.01:
            raise ValueError(f"multipliers average {mean:.3f}; expected a mean of 1 (within 0.01)")
        return tuple(m / mean for m in v)


# ----------------------------------------------------------------------- workforce


class RetentionLever(Strict):
    """A dated retention lever (market supplement, retention payment, ...): it costs
    money per FTE-year and multiplies the turnover hazard of the staff it covers."""

    name: Name = Field("retention payment", description="label for reports")
    start: Date = Field(description="first day in force")
    end: Date | None = Field(None, description="day it stops (none: to the horizon)")
    cost_per_fte_year: Money = Field(
        0.0, ge=0, description="£ per covered FTE-year, before on-costs [S] S13: £2-7k"
    )
    turnover_factor: Factor = Field(
        1.0, ge=0, description="multiplier on the leaving hazard while in force [E]"
    )
    covers: Items[str] = Field(
        default=("permanent",),
        description='kinds covered: "permanent" and/or "nqsw"',
    )

    @field_validator("covers")
    @classmethod
    def _kinds(cls, v):
        bad = [k for k in v if k not in ("permanent", "nqsw")]
        if bad:
            raise ValueError(f"unknown kind {bad[0]!r}; expected 'permanent' or 'nqsw'")
        return v


class LeaverDestinations(Strict):
    """Where permanent and newly qualified leavers go: shares of leavers, summing to 1.

    The DfE's attrition analysis of the 2021 census (S20) follows each leaver
    to 30 September: of the 15.4 % of FTE who left their council in 2020-21,
    4.2 % moved to another council, 2.6 % became agency social workers and
    8.6 % were not found in council children's social work ("full attrition":
    out of the profession, or into the voluntary or private sector, adult
    services or a career break). The defaults are those shares of leavers.
    """

    other_council: Number = Field(
        0.273, ge=0, le=1, description="share moving to a social work post at another council "
        "[D] S20: 4.2 % of 15.4 % (2020-21)"
    )
    agency: Number = Field(
        0.169, ge=0, le=1, description="share becoming agency social workers [D] S20: 2.6 % of "
        "15.4 % (2020-21)"
    )
    out_of_la_social_work: Number = Field(
        0.558, ge=0, le=1, description="share leaving council children's social work (the "
        "DfE's full attrition) [D] S20: 8.6 % of 15.4 % (2020-21)"
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> LeaverDestinations:
        total = self.other_council + self.agency + self.out_of_la_social_work
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"the destination shares sum to {total:g}; they must sum to 1 "
                             "(other_council + agency + out_of_la_social_work)")
        return self

    def shares(self) -> tuple[float, float, float]:
        """The shares in :data:`DESTINATIONS` order."""
        return (self.other_council, self.agency, self.out_of_la_social_work)


DESTINATIONS = ("other_council", "agency", "out_of_la_social_work")
"""Where a permanent or newly qualified leaver goes, in the order the draw reads them."""


class OnCostChange(Strict):
    """From ``date`` on, employer on-costs are ``on_cost_rate`` of salary (employer
    National Insurance, pension): a level, not a rise."""

    date: Date = Field(description="the day the new rate takes effect; on or before the "
                       "start date: in force from the start")
    on_cost_rate: Factor = Field(
        ge=0, description="employer on-costs as a share of salary from that day [D] employer "
        "NI from 6 April 2025: 15 % above £5,000 (was 13.8 % above £9,100), +2.47 points of "
        "a £40,000 salary"
    )


class PermanentPolicy(Strict):
    """Permanent social workers: turnover, pressure, notice, pay and where leavers go."""

    annual_turnover: Rate = Field(
        0.15, ge=0, description="leavers per FTE-year (DfE definition) [D] England mean 14.6 %"
    )
    turnover_by_service_years: Items[tuple[Years, Rate]] | None = Field(
        None,
        description="[[from_years, leavers per FTE-year], ...] by length of service; "
        "replaces annual_turnover when given [E] split of the national mean",
    )
    pressure_threshold: Factor = Field(
        1.0, ge=0, description="caseload pressure (see docs/model.md) above which turnover rises [E]"
    )
    pressure_elasticity: Factor = Field(
        1.5, ge=0, description="turnover multiplier per unit of load/capacity above threshold [E]"
    )
    notice_days: Days = Field(28, ge=0, description="notice worked after resigning [E]")
    manager_vacancy_elasticity: Factor = Field(
        0.0, ge=0, description="the leaving hazard of a managed team's employees is "
        "multiplied by 1 + this × the share of its managers' posts vacant and not covered by "
        "agency staff, read at each month end (0: no effect) [E] no estimate found; exit "
        "evidence names supervision and caseload as the main stated reasons for leaving"
    )
    salary: Money = Field(40_000, ge=0, description="£ a year per FTE [E] published scales")
    hire_pqe_years: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", median=4, p90=12),
        description="post-qualifying experience of a permanent hire, in years (drawn from "
        "stream pqe.hires) [E] experienced hires; the newly qualified come as NQSWs",
    )
    on_cost_rate: Factor = Field(
        0.30, ge=0, description="employer on-costs as a share of salary [D]"
    )
    on_cost_changes: Items[OnCostChange] = Field(
        default=(), description="dated changes of on_cost_rate (none: the rate holds "
        "throughout); they apply to pay and retention levers alike"
    )
    retention: Items[RetentionLever] = Field(
        default=(), description="dated retention levers"
    )
    destinations: LeaverDestinations = Field(
        default_factory=LeaverDestinations,
        description="where permanent and NQSW leavers go (shares of leavers) [D] S20",
    )

    @field_validator("turnover_by_service_years")
    @classmethod
    def _bands(cls, v):
        if v is None:
            return v
        if not v or v[0][0] != 0:
            raise ValueError("the first band must start at 0 years")
        starts = [b[0] for b in v]
        if starts != sorted(set(starts)):
            raise ValueError("bands must start at increasing years")
        if any(b[1] < 0 for b in v):
            raise ValueError("turnover rates must be >= 0")
        return v


class NqswPolicy(Strict):
    """Newly qualified social workers in the Assessed and Supported Year in Employment."""

    asye_months: Months = Field(12, gt=0, description="length of the ASYE [S] ASYE framework")
    capacity_start: Number = Field(
        0.4, ge=0, le=1, description="share of a full caseload at the start of the ASYE [S]"
    )
    capacity_end: Number = Field(
        0.9, ge=0, le=1, description="share of a full caseload at the end of the ASYE [S]"
    )
    salary: Money = Field(34_000, ge=0, description="£ a year per FTE [E] published scales")


AGENCY_RULES_FROM = dt.date(2024, 10, 31)
"""The DfE's agency rules (S8) apply to new assignments from this day."""
COOLING_OFF_EXCEPTIONS: tuple[Literal["probation"], ...] = ("probation",)
"""The exceptions to the cooling-off the model represents: a leaver who left during
probation (S8). Redundancy, a move into a permanent role and another region are not
represented (docs/model.md says why)."""


class AgencyRule(Strict):
    """One dated set of the agency rules: it applies to agency assignments starting on or
    after ``start``, until the next set's ``start``."""

    start: Date = Field(description="first day of assignments these rules apply to")
    min_pqe_years: Years = Field(
        3.0, ge=0, description="least post-qualifying experience of an agency worker (years) "
        "[S] S8: 3 years"
    )
    cooling_off_days: Days = Field(
        91, ge=0, description="days after leaving a permanent post before the leaver may work "
        "as an agency worker in the same council or region [S] S8: 3 months"
    )
    cooling_off_scope: Literal["council", "region"] = Field(
        "region", description="where the cooling-off holds: the leaver's council or its whole "
        "region [S] S8: region (the same for the model's one council)"
    )
    cooling_off_exceptions: Items[Literal["probation"]] = Field(
        default=COOLING_OFF_EXCEPTIONS, description="leavers the cooling-off does not hold "
        "for: 'probation' (left within probation_days of joining) [S] S8"
    )
    probation_days: Days = Field(
        182, ge=0, description="a permanent post's probation, for the cooling-off's exception "
        "[E] councils' probation of 6 months"
    )
    notice_days: Days = Field(
        28, ge=0, description="notice either side to end an assignment: a release by the "
        "council or an agency worker leaving early [S] S8: 4 weeks"
    )


def _agency_shorthand(data: Any) -> Any:
    """Map the older ``cooling_off_days``, ``cooling_off_from`` and ``release_notice_days``
    into ``rules``: the default rules, notice set to ``release_notice_days``, and a
    cooling-off of ``cooling_off_days`` on assignments from ``cooling_off_from`` (none
    before, from the rules' own date)."""
    old = ("cooling_off_days", "cooling_off_from", "release_notice_days")
    if not isinstance(data, dict) or not any(k in data for k in old):
        return data
    if "rules" in data:
        raise ValueError("give either rules or the shorthand cooling_off_days, "
                         "cooling_off_from and release_notice_days, not both")
    data = dict(data)
    base = AgencyRule(start=AGENCY_RULES_FROM).model_dump()
    days = data.pop("cooling_off_days", base["cooling_off_days"])
    since = data.pop("cooling_off_from", dt.date(2025, 10, 1))
    base["notice_days"] = data.pop("release_notice_days", base["notice_days"])
    since = dt.date.fromisoformat(since) if isinstance(since, str) else since
    rules = []
    if isinstance(since, dt.date) and since > AGENCY_RULES_FROM:
        rules.append({**base, "cooling_off_days": 0})
    rules.append({**base, "start": since, "cooling_off_days": days})
    data["rules"] = rules
    return data


class AgencyRateChange(Strict):
    """From ``date`` on, the council offers ``factor`` × its day rates for new agency
    assignments and renewals (on top of earlier changes)."""

    date: Date = Field(description="the day the change takes effect")
    factor: Factor = Field(gt=0, description="factor on the council's agency day rates")


class PriceCap(Strict):
    """The region's agency price caps by role, for assignments and renewals from ``start``
    until the next set's ``start`` (S8: agreed by the councils of each region; new
    assignments from 1 October 2025). The caps were not published nationally: every value
    is the scenario's own estimate [E]."""

    start: Date = Field(description="first day of assignments the caps apply to")
    caps: FrozenDict[Role, Money] = Field(
        min_length=1, description="£ per billable day, the most the council pays for an agency "
        "worker in each role listed (a role not listed has no cap) [E] not published nationally; "
        "S8: regions' caps differ by up to 37 %"
    )
    approval_probability: Number = Field(
        0.0, ge=0, le=1, description="chance an assignment whose rate is above the cap is "
        "approved at that rate (S8: a senior leader may sign off a breach, reported to the DfE); "
        "otherwise the council offers the cap [E]"
    )


class AgencyPolicy(Strict):
    """Agency (locum) cover of vacancies."""

    cover_fraction: Number = Field(
        0.8, ge=0, le=5, description="agency FTE sought per vacant FTE [S] England 74-81 %; above "
        "1 where agency also covers absence or work beyond the establishment (a third of councils "
        "in the census) [bound: 5, beyond the census's 95th percentile]"
    )
    lead_time_days: Duration = Field(
        default_factory=lambda: Triangular(dist="triangular", min=7, mode=10, max=21),
        description="time to fill an agency request [E]",
    )
    fill_probability: Number = Field(0.9, ge=0, le=1, description="chance a request is filled [E]")
    placement_days: Duration = Field(
        default_factory=lambda: Lognormal(dist="lognormal", median=182, p90=450),
        description="length of a placement [E] median 26 weeks",
    )
    renewal_probability: Number = Field(
        0.5, ge=0, le=1, description="chance a placement is renewed while needed [E]"
    )
    early_exit_annual_rate: Rate = Field(
        0.97, ge=0, description="agency leavers per FTE-year before placement end, no notice "
        "[E] 20 % within 12 weeks"
    )
    conversion_annual_rate: Rate = Field(
        0.05, ge=0, description="agency-to-permanent conversions per FTE-year [E]"
    )
    day_rate: Money = Field(370, ge=0, description="£ charged per billable day [E] ≈ £50/hour")
    billable_days_per_year: Number = Field(
        225, gt=0, le=366, description="billable days per FTE-year [E]"
    )
    capacity_factor: Number = Field(
        1.0, ge=0, le=2, description="caseload of an agency worker relative to permanent staff"
    )
    pressure_cover_threshold: Factor = Field(
        1.0, gt=0, description="team load/capacity above which extra agency cover is sought"
    )
    pressure_cover_max_fte: Fte = Field(
        0.0, ge=0, description="most extra agency FTE per team for caseload pressure (0: none)"
    )
    return_as_agency: Number = Field(
        0.0, ge=0, le=1, description="chance a permanent leaver who goes to agency work comes "
        "back to this council as an agency worker (0: none) [E] no source gives it"
    )
    rules: Items[AgencyRule] = Field(
        default=(AgencyRule(start=AGENCY_RULES_FROM),), description="the DfE's agency rules "
        "as dated sets, each applying to assignments starting from its start until the next "
        "(none before the first: no least experience, no cooling-off, placements released on "
        "the first set's notice, early exits without notice) [S] S8: new assignments from "
        "31 October 2024. The older keys cooling_off_days, cooling_off_from and "
        "release_notice_days are a shorthand for them"
    )
    pqe_above_min_years: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", median=3, p90=10),
        description="post-qualifying experience of an agency worker from the market above "
        "the rules' least, in years (stream agency.pqe) [E]",
    )
    returner_available_days: Days = Field(
        30, gt=0, description="days a returner waits for a placement here, from the day they "
        "may return, before taking one elsewhere [E] agency fill times of 1-3 weeks"
    )
    market_day_rates: FrozenDict[Role, Money] = Field(
        default_factory=FrozenDict, description="the regional market's going day rate by role "
        "(£ per billable day), at which fill_probability holds; a role not listed: the "
        "council's own rate for it before any rate_changes (so the council pays the market "
        "rate until it changes its rates) [E]"
    )
    price_elasticity: Number = Field(
        1.0, ge=0, le=10, description="the chance a request is filled per attempt is "
        "fill_probability × (offered / market rate) ** price_elasticity, at most 1 [E] no "
        "estimate for agency social workers found; 1: a rate 10 % below the market fills "
        "10 % fewer attempts"
    )
    rate_changes: Items[AgencyRateChange] = Field(
        default=(), description="dated changes of the council's agency day rates"
    )
    price_caps: Items[PriceCap] = Field(
        default=(), description="the region's dated price caps by role (none: no caps)"
    )

    _shorthand = model_validator(mode="before")(lambda data: _agency_shorthand(data))

    @field_validator("rules")
    @classmethod
    def _dated_in_order(cls, v):
        starts = [r.start for r in v]
        if starts != sorted(set(starts)):
            raise ValueError("the rule sets must start on different days, in order")
        return v

    @field_validator("price_caps")
    @classmethod
    def _caps_in_order(cls, v):
        starts = [c.start for c in v]
        if starts != sorted(set(starts)):
            raise ValueError("the price cap sets must start on different days, in order")
        return v


class PayAward(Strict):
    """A dated pay award: from ``date`` on, every salary (permanent by role, NQSW) is
    multiplied by ``1 + rise``, on top of earlier awards (compounding). Retention
    levers' ``cost_per_fte_year`` does not rise: a lever is a fixed sum per FTE."""

    date: Date = Field(description="the day the award takes effect; before the start date: "
                       "taken to be in the salaries given already, no effect")
    rise: Number = Field(
        gt=-1, le=1, description="the rise as a share of salary (0.032 = 3.2 %) [S] NJC "
        "2025-26: 3.2 % from 1 April 2025"
    )


class RolePay(Strict):
    """Pay and agency charge of one role; a value left out is the whole workforce's."""

    salary: Money | None = Field(
        None, ge=0, description="£ a year per FTE of a permanent worker in this role; none: "
        "workforce.permanent.salary"
    )
    agency_day_rate: Money | None = Field(
        None, ge=0, description="£ charged per billable day for an agency worker in this "
        "role; none: workforce.agency.day_rate"
    )


class Workforce(Strict):
    """Policies for each kind of worker."""

    permanent: PermanentPolicy = Field(default_factory=PermanentPolicy)
    nqsw: NqswPolicy = Field(default_factory=NqswPolicy)
    agency: AgencyPolicy = Field(default_factory=AgencyPolicy)
    roles: FrozenDict[Role, RolePay] = Field(
        default_factory=FrozenDict, description="pay and agency charge by role (a team's "
        "role is teams.<name>.role); a role not listed is paid as workforce.permanent and "
        "workforce.agency say"
    )
    pay_awards: Items[PayAward] = Field(
        default=(), description="dated pay awards on every salary, compounding (none: "
        "salaries hold throughout)"
    )

    def salary(self, role: str) -> float:
        """A permanent worker's salary in ``role`` (£ a year per FTE)."""
        pay = self.roles.get(role)  # type: ignore[call-overload]
        return self.permanent.salary if pay is None or pay.salary is None else pay.salary

    def agency_day_rate(self, role: str) -> float:
        """An agency worker's charge in ``role`` (£ a billable day)."""
        pay = self.roles.get(role)  # type: ignore[call-overload]
        rate = None if pay is None else pay.agency_day_rate
        return self.agency.day_rate if rate is None else rate


# --------------------------------------------------------------------- recruitment


class Campaign(Strict):
    """A dated recruitment campaign."""

    start: Date = Field(description="first day of the campaign")
    end: Date = Field(description="last day of the campaign")
    success_multiplier: Factor = Field(1.0, ge=0, description="factor on success_probability")
    speed_multiplier: Factor = Field(
        1.0, gt=0, description="factor on hiring speed (2 = time to hire halved)"
    )
    cost: Money = Field(0.0, ge=0, description="£ over the campaign window")


class Cohort(Strict):
    """A dated batch of hires (international or "urban to rural" recruitment)."""

    date: Date = Field(description="day the cohort starts")
    team: Key = Field(description="the team they join")
    count: Headcount = Field(ge=0, description="headcount, full time")
    early_months: Months = Field(12, ge=0, description="months of early turnover")
    early_annual_turnover: Rate = Field(
        0.3, ge=0, description="leavers per FTE-year during the early months [E]"
    )
    cost_per_hire: Money = Field(0.0, ge=0, description="£ per hire (travel, visas, relocation)")


class Recruitment(Strict):
    """Advertising and filling vacant posts."""

    time_to_hire_days: Duration = Field(
        default_factory=lambda: Triangular(dist="triangular", min=56, mode=84, max=168),
        description="advert to start date [E] 8-24 weeks, mode 12",
    )
    success_probability: Number = Field(
        0.5, ge=0, le=1, description="chance an advertising round fills the post [E]"
    )
    readvertise_days: Days = Field(30, ge=0, description="gap before re-advertising [E]")
    cost_per_hire: Money = Field(4_000, ge=0, description="£ per hire [E]")
    part_time_share: Number = Field(
        0.0, ge=0, le=1, description="share of outside hires who work part time, at "
        "part_time_fte; the rest of the round's post stays vacant and is advertised again. "
        "0 (off) by default. [E] split of the census mean: 0.11 at 0.5 FTE gives England's "
        "mean FTE of permanent staff, inpost_fte / inpost_headcount = 0.945 in 2025 [D]"
    )
    part_time_fte: Number = Field(
        0.5, gt=0, le=1, description="FTE of a part-time hire (at most the round's FTE) [E]"
    )
    campaigns: Items[Campaign] = Field(default=(), description="dated recruitment campaigns")
    cohorts: Items[Cohort] = Field(default=(), description="dated batches of hires")


# -------------------------------------------------------------------------- trends


class Trend(Strict):
    """A parameter that moves year by year toward a long-run level, with a shock a year.

    On the log scale ``f``, the value for year ``k`` of the run is
    ``f(x_k) = f(L) + persistence × (f(x_{k-1}) − f(L)) + sd × ε_k`` with
    ``x_0 = start`` and ``ε_k`` standard normal, drawn afresh in each replication
    (see docs/model.md, "Parameter trends"). ``sd = 0`` gives the mean path.
    """

    long_run: Number = Field(gt=0, description="the level the parameter returns to (L)")
    persistence: Number = Field(
        ge=-1, le=1, description="share of the gap to the long run kept each year (0: back at "
        "once, 1: stays where it is; below 0 the gap changes sign, as a misreported year is "
        "put right the next)"
    )
    sd: Number = Field(
        0.0, ge=0, le=5, description="yearly shock, on the parameter's own scale [bound: 5, a "
        "factor of 150 in a year]"
    )
    start: Number | None = Field(
        None, gt=0, description="the value at the start (x_0); default: the scenario's value"
    )


class GrowthTrend(Strict):
    """Yearly log growth of every team's establishment, an AR(1) on the growth itself:
    ``g_k = long_run + persistence × (g_{k-1} − long_run) + sd × ε_k``, each
    establishment multiplied by ``exp(g_k)`` on the 1 April in run year ``k`` (when
    a budget sets the year's posts)."""

    long_run: Number = Field(ge=-1, le=1, description="long-run yearly log growth "
                             "(0.02 ≈ 2 %; ±1 is a factor of 2.7 a year)")
    persistence: Number = Field(ge=-1, le=1, description="share of last year's gap kept "
                                "(below 0: a blip is reversed the next year)")
    sd: Number = Field(0.0, ge=0, le=0.5, description="yearly shock to the growth")
    start: Number | None = Field(
        None, ge=-1, le=1, description="the growth of the year before the start; "
        "default: long_run"
    )


class Trends(Strict):
    """Parameters that change over the run, drawn per replication: the bands then hold
    what we do not know about them as well as the model's own random variation."""

    turnover: Trend | None = Field(
        None, description="leavers per FTE-year: a factor on every employee's leaving hazard, "
        "start default workforce.permanent.annual_turnover"
    )
    recruitment_success: Trend | None = Field(
        None, description="recruitment.success_probability, read when a round is advertised "
        "(above 1 acts as 1: hires as fast as the time to hire allows)"
    )
    agency_cover: Trend | None = Field(
        None, description="workforce.agency.cover_fraction (agency FTE sought per vacant FTE)"
    )
    establishment_growth: GrowthTrend | None = Field(
        None, description="growth of every team's establishment"
    )
    demand: Trend | None = Field(
        None, description="a factor on every case type's referral rate, relative to today's "
        "(start default 1; long_run 0.9: demand returns toward 90 % of today's)"
    )


class EstablishmentReview(Strict):
    """The yearly budget review that sets case-holding posts from the caseload: on each
    1 April (when the establishment growth trend, if any, also applies) every team that
    holds cases has its establishment multiplied by
    ``(caseload measured / target_caseload) ** response``, to a tenth of an FTE. The
    caseload measured is the service's (cases held / case-holding FTE, agency included, as
    the monthly ``caseload`` column) averaged over the month ends since the last review
    (since the start, for the first). Teams that hold no cases keep their posts: their
    work is not counted in cases (see docs/model.md, "Posts follow the caseload")."""

    target_caseload: CaseloadCap = Field(
        gt=0, description="cases per case-holding FTE the council manages its posts toward; "
        "a council scenario's is the council's own mean census caseload up to its year [D]"
    )
    response: Number = Field(
        ge=0, le=1, description="share of the log gap between the caseload measured and the "
        "target closed at each review (0: posts do not follow the caseload; 1: the whole "
        "gap). [D] a council scenario's is the census's pooled fit up to its year, beside the "
        "establishment growth trend, with its n and standard error in the file"
    )


# ------------------------------------------------------------------------- academy


class Pathway(Strict):
    """A grow-your-own route into social work."""

    training_months: Months = Field(0, ge=0, description="months before qualifying")
    completion_rate: Number = Field(1.0, ge=0, le=1, description="share who qualify")
    asye_pass_rate: Number = Field(0.95, ge=0, le=1, description="share who pass the ASYE [E]")
    tie_in_months: Months = Field(0, ge=0, description="months of tie-in after qualifying")
    tie_in_turnover_factor: Factor = Field(
        1.0, ge=0, description="hazard multiplier during the tie-in"
    )
    cost_per_trainee_year: Money = Field(0, ge=0, description="£ per trainee-year in training")
    when_no_post: Literal["wait", "not_placed", "supernumerary"] = Field(
        "wait", description="a graduate takes a funded vacant post (their team's, else the "
        "case-holding team with the largest vacancy); with none: \"wait\" up to wait_months "
        "for a post to fall vacant, else lost (academy_not_placed); \"not_placed\": lost at "
        "once; \"supernumerary\": joins their team above its establishment (a costed choice)"
    )
    wait_months: Months = Field(
        6, ge=0, description="with when_no_post = \"wait\": months a graduate waits for a post "
        "[E] a graduate with no post in half a year has taken one elsewhere"
    )


class Intake(Strict):
    """Yearly academy intakes of one pathway."""

    pathway: Key = Field(description="a name in academy.pathways")
    month: Count = Field(9, ge=1, le=12, description="calendar month of each intake")
    sizes: Items[Headcount] = Field(
        min_length=1, description="intake sizes, first year on; the last repeats"
    )
    teams: FrozenDict[Key, Number] = Field(description="share of each intake per team (sums to 1)")

    @field_validator("sizes")
    @classmethod
    def _non_negative(cls, v):
        if any(s < 0 for s in v):
            raise ValueError("intake sizes must be >= 0")
        return v


class Academy(Strict):
    """Grow-your-own: routes and their intakes."""

    intakes: Items[Intake] = Field(default=(), description="yearly intakes per pathway")
    pathways: FrozenDict[Key, Pathway] = Field(default_factory=FrozenDict, description="routes, by name")


class CaseloadManagement(Strict):
    """Team managers moving held cases between workers to manage caseloads."""

    moves_per_case_year: Rate = Field(
        0.28, ge=0, description="times a year a held case is moved by its team's manager to "
        "the colleague with the lowest load/capacity who has room for it (none: it stays); "
        "each move is a change of social worker. [D] S6 stability measures 2023-24: "
        "\"managing caseloads\" was the reason for 13 % of looked-after children's social "
        "worker episodes, about 0.28 changes per child-year with the unrecorded reasons (41 %) "
        "spread like the recorded ones (0.16 if none of them were); 0 turns moves off"
    )


class LongLeave(Strict):
    """A kind of long absence of employees (maternity, long-term sickness): spells in which
    the worker stays in post but holds no cases."""

    annual_rate: Rate = Field(
        0.0, ge=0, description="spells starting per FTE-year of employees not already on "
        "long absence; 0 turns this kind off [E]"
    )
    duration_days: Duration = Field(
        default_factory=lambda: Lognormal(dist="lognormal", median=273, p90=364),
        description="length of a spell [E] maternity: median 39 weeks, statutory maternity "
        "pay's length, p90 52 weeks (most return within the year of leave); "
        "long-term sickness: at least 28 days"
    )
    cover: Flag = Field(
        False, description="the service asks for agency cover of the absent FTE (added to "
        "the team's agency target)"
    )


class Absence(Strict):
    """Sickness absence, as capacity lost, and long absences as spells."""

    rate: Number = Field(
        0.035, ge=0, lt=1, description="share of capacity lost to short-term sickness "
        "[S] England 3.5 %"
    )
    long_leave: FrozenDict[Key, LongLeave] = Field(
        default_factory=FrozenDict, description="long absences (maternity, long-term "
        "sickness), by name; none by default"
    )


# --------------------------------------------------------------------------- money


class Deflator(Strict):
    """A user's own price index by financial year, for real-terms money figures."""

    name: Name = Field(description="how money figures name it (\"GDP deflator, March 2026\")")
    source: Text = Field("", description="where the values come from")
    index: Items[tuple[Count, Number]] = Field(
        min_length=1, description="[[financial year, index], ...]: 2025 is 2025-26 (from 1 "
        "April 2025); any base (only ratios are used), years increasing"
    )
    forecast_growth: Number = Field(
        0.02, gt=-1, le=1, description="yearly growth of the index beyond the years given "
        "(and before them, backwards) [E] the OBR's 2 % inflation target"
    )

    @field_validator("index")
    @classmethod
    def _years(cls, v):
        years = [y for y, _ in v]
        if years != sorted(set(years)):
            raise ValueError("years must increase, each given once")
        if any(x <= 0 for _, x in v):
            raise ValueError("index values must be > 0")
        return v


class RealTerms(Strict):
    """Money shown in the prices of one financial year, deflated by a named series."""

    real: Count = Field(ge=2000, le=2100, description="the financial year of the prices: "
                        "2025 is 2025-26 prices")
    deflator: Key = Field(
        "gdp_deflator", description="the series: \"gdp_deflator\" (shipped, HM Treasury's "
        "GDP deflator [E], data/deflators.py) or a name in money.deflators"
    )


class MoneySettings(Strict):
    """The price base of every money figure: simulated in cash, shown in cash or real terms."""

    price_base: Literal["cash"] | RealTerms = Field(
        "cash", description="\"cash\" (the pounds of each month) or {real = <year>, "
        "deflator = <series>}: each month's cash divided by its financial year's index over "
        "the base year's"
    )
    deflators: FrozenDict[Key, Deflator] = Field(
        default_factory=FrozenDict, description="the user's own deflator series, by name"
    )

    @model_validator(mode="after")
    def _known_deflator(self) -> MoneySettings:
        base = self.price_base
        if isinstance(base, RealTerms) and base.deflator not in self.deflators \
                and base.deflator not in SHIPPED_DEFLATORS:
            known = ", ".join([*SHIPPED_DEFLATORS, *self.deflators])
            raise ValueError(f"no deflator {base.deflator!r}; known: {known}")
        return self


class Budget(Strict):
    """A yearly budget for the service that acts when spend runs ahead of its profile
    (the budget spread evenly over each financial year from 1 April): at each month end
    over profile, the actions named come on until a month end finds spend back on it."""

    amount_per_year: Money = Field(
        ge=0, description="£ a financial year (cash), for everything in cost_total; a part "
        "year at the start has its share by days"
    )
    recruitment_pause: Flag = Field(
        True, description="over profile: no recruitment round is advertised (rounds due wait "
        "for the next month end)"
    )
    agency_cap: Flag = Field(
        True, description="over profile: no new agency request (agency FTE held at most at "
        "its current level)"
    )


# ------------------------------------------------------------------------ scenario


class Scenario(Strict):
    """One council's service and plan: teams, demand, workforce and levers."""

    schema_version: Count = Field(description=f"file format version; this package reads {SCHEMA_VERSION}")
    name: Name = Field(min_length=1, description="shown on every output; printable, not blank")
    description: Text = Field("", description="free text: what this scenario is for")
    start_date: Date = Field(description="day 0 of the simulation: the first of a month, "
                             "2000 to 2100")
    horizon_months: Count = Field(ge=1, le=600, description="length of the projection; at most "
                                  "600 (50 years: longer is not a plan, and would take long to run)")
    teams: FrozenDict[Key, Team] = Field(min_length=1, description="case-holding teams, by name")
    case_types: FrozenDict[Key, CaseType] = Field(min_length=1, description="kinds of case, by name")
    workforce: Workforce = Field(default_factory=Workforce, description="staff policies and pay")
    recruitment: Recruitment = Field(default_factory=Recruitment, description="filling vacancies")
    academy: Academy = Field(default_factory=Academy, description="grow-your-own routes")
    absence: Absence = Field(default_factory=Absence, description="sickness absence")
    trends: Trends = Field(default_factory=Trends, description="parameters that change year "
                           "by year, drawn per replication")
    establishment_review: EstablishmentReview | None = Field(
        None, description="case-holding posts set each 1 April from the caseload "
        "(none: posts change only by establishment_changes and the growth trend)")
    caseload_management: CaseloadManagement = Field(
        default_factory=CaseloadManagement, description="managers moving cases between workers")
    money: MoneySettings = Field(
        default_factory=MoneySettings, description="the price base of money figures")
    budget: Budget | None = Field(
        None, description="a yearly budget that pauses recruitment and caps agency while "
        "spend runs over profile (none: spend is only reported)")

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise ValueError(f"this package reads schema_version {SCHEMA_VERSION}")
        return v

    @field_validator("start_date")
    @classmethod
    def _first_of_month(cls, v: dt.date) -> dt.date:
        if v.day != 1:
            raise ValueError("expected the first day of a month (reports follow calendar months)")
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        problems = list(cross_problems(self))
        if problems:
            raise PydanticCustomError(
                "cross_field", "{summary}", {"summary": "; ".join(map(str, problems)),
                                             "problems": problems}
            )
        return self

    # ------------------------------------------------------------------ API

    @property
    def end_date(self) -> dt.date:
        """The first day after the horizon: ``start_date`` plus ``horizon_months``."""
        return add_months(self.start_date, self.horizon_months)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Scenario:
        """Validate plain data (as read from TOML).

        Parameters
        ----------
        data : Mapping
            The scenario's fields, as in a scenario file.
        source : str, optional
            Where the data came from, for messages.

        Returns
        -------
        Scenario
            The validated, deeply immutable scenario.

        Raises
        ------
        ScenarioError
            Naming every problem: its path, value and what was expected.
        """
        if nesting_depth(data) > MAX_NESTING:
            # Checked first: pydantic and repr recurse, and would fail on deeper data.
            raise ScenarioError([Problem("", NO_VALUE, f"nested more than {MAX_NESTING} levels deep; "
                                         "a scenario's deepest field is 6 levels down")], source)
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise ScenarioError(problems_from_validation(err), source) from None

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (dicts and lists), in the file's own key names.

        Returns
        -------
        dict
            A new dict; changing it does not change the scenario.
        """
        return self.model_dump(mode="python", by_alias=True)

    def with_changes(self, changes: Mapping[str, Any], source: str = "with_changes") -> Scenario:
        """A new validated scenario with values replaced at dotted paths.

        Parameters
        ----------
        changes : Mapping
            ``{dotted path: new value}``; list items are addressed by index
            (``academy.intakes.0.sizes``).
        source : str
            A name for messages.

        Returns
        -------
        Scenario
            The changed scenario, validated; this one is untouched.

        Raises
        ------
        ScenarioError
            If a path does not exist or is not text, or the changed scenario is not valid.

        Examples
        --------
        >>> from workforce_sim import load_scenario
        >>> s = load_scenario()
        >>> s.with_changes({"teams.assessment.caseload_cap": 20}).teams["assessment"].caseload_cap
        20.0
        """
        data = self.to_dict()
        problems = apply_changes(data, changes)
        if problems:
            raise ScenarioError(problems, source)
        return Scenario.from_dict(data, source)
