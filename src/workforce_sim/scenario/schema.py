"""The scenario: a frozen, validated description of one council's service and plan.

A scenario is written as a TOML file (see ``scenarios/``), a Python dict, or a
shipped scenario changed with :meth:`Scenario.with_changes`. All three go
through the same pydantic schema, so a misspelt key, a negative rate or a
probability above 1 is refused in the same words wherever it comes from,
before anything runs.

Units are in the field names (``_days``, ``_fte``, ``_per_year``) or in the
field's description. Each default names its source, using the keys of
``calibration/README.md``: [S] sourced, [D] derived, [E] estimate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workforce_sim.scenario.calendar import add_months
from workforce_sim.scenario.changes import set_path
from workforce_sim.scenario.checks import cross_problems
from workforce_sim.scenario.distributions import Distribution, Lognormal, Triangular
from workforce_sim.scenario.errors import Problem, ScenarioError, problems_from_validation
from workforce_sim.scenario.strict import Strict

SCHEMA_VERSION = 1
Probability = Field(ge=0, le=1)


def _counts_to_groups(value: Any) -> Any:
    """Allow ``permanent = 14`` as shorthand for ``permanent = [{ count = 14 }]``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [{"count": value}] if value else []
    return value


# --------------------------------------------------------------------------- teams


class PermanentGroup(Strict):
    """Permanent social workers in post at the start."""

    count: int = Field(ge=0, description="headcount")
    fte: float = Field(1.0, gt=0, le=1, description="FTE of each worker")
    service_years: float = Field(
        4.0, ge=0, description="years of service with the council so far [E]"
    )


class NqswGroup(Strict):
    """Newly qualified social workers in their ASYE year at the start."""

    count: int = Field(ge=0, description="headcount")
    fte: float = Field(1.0, gt=0, le=1, description="FTE of each worker")
    months_served: float = Field(0.0, ge=0, description="months of the ASYE year already served")


class AgencyGroup(Strict):
    """Agency (locum) social workers on placement at the start."""

    count: int = Field(ge=0, description="headcount")
    fte: float = Field(1.0, gt=0, le=1, description="FTE of each worker")


class Staff(Strict):
    """Today's workforce of a team. Each kind takes a headcount or a list of groups."""

    permanent: list[PermanentGroup] = Field(default_factory=list, description="permanent social workers")
    nqsw: list[NqswGroup] = Field(default_factory=list, description="newly qualified, in their ASYE")
    agency: list[AgencyGroup] = Field(default_factory=list, description="agency workers on placement")

    _shorthand = field_validator("permanent", "nqsw", "agency", mode="before")(
        lambda v: _counts_to_groups(v)
    )


class EstablishmentChange(Strict):
    """From ``date`` on, the team's funded establishment is ``establishment_fte``."""

    date: dt.date = Field(description="the day the change takes effect")
    establishment_fte: float = Field(ge=0, description="funded posts from that day (FTE)")


class Team(Strict):
    """A team that holds cases: assessment, safeguarding/court, children in care, ..."""

    establishment_fte: float = Field(ge=0, description="funded social worker posts (FTE)")
    caseload_cap: float = Field(
        0.0,
        ge=0,
        description="caseload points one full-time experienced worker may hold; "
        "calibration: soft cap 18, hard cap 22 per FTE [E]; 0 for a team that holds no cases",
    )
    holds_cases: bool = Field(
        True,
        description="false for social workers who hold no cases (managers, reviewing officers, "
        "...): in the agency and vacancy rates, not in caseloads",
    )
    staff: Staff = Field(default_factory=Staff, description="today's workforce")
    establishment_changes: list[EstablishmentChange] = Field(
        default_factory=list, description="dated changes of establishment"
    )


# ---------------------------------------------------------------------- case types


class DemandChange(Strict):
    """A dated step in a case type's referral rate (a "shock"): from ``date`` on,
    referrals are multiplied by ``multiplier`` (on top of earlier changes)."""

    date: dt.date = Field(description="the day the change takes effect")
    multiplier: float = Field(ge=0, description="factor on the referral rate from this date")


class CaseType(Strict):
    """A kind of open case: assessment, child in need, child protection, looked after, ..."""

    team: str = Field(description="the team that holds these cases")
    weight: float = Field(1.0, gt=0, description="caseload points per case")
    referrals_per_year: float = Field(
        0.0, ge=0, description="mean new cases a year (Poisson) at the start date"
    )
    duration_days: Distribution = Field(description="time from allocation to closure (days)")
    initial_open: int = Field(0, ge=0, description="cases open at the start date")
    on_close: dict[str, float] = Field(
        default_factory=dict,
        description="probability that a closing case continues as each other case type; "
        "the rest close for good",
    )
    priority: int = Field(
        1, ge=1, description="allocation priority: 1 is allocated first, then 2, ..."
    )
    seasonality: list[float] | None = Field(
        None,
        min_length=12,
        max_length=12,
        description="12 multipliers on the referral rate, January to December, mean 1",
    )
    growth_per_year: float = Field(
        0.0, gt=-1, description="yearly growth of the referral rate (0.02 = 2 %/year, compounding)"
    )
    demand_changes: list[DemandChange] = Field(
        default_factory=list, description="dated steps in the referral rate"
    )

    @field_validator("on_close")
    @classmethod
    def _probabilities(cls, v: dict[str, float]) -> dict[str, float]:
        for name, p in v.items():
            if not (0 <= p <= 1):
                raise ValueError(f"probability for {name!r} is {p}; expected a value in [0, 1]")
        total = sum(v.values())
        if total > 1 + 1e-9:
            raise ValueError(f"probabilities sum to {total:g}; expected at most 1")
        return v

    @field_validator("seasonality")
    @classmethod
    def _mean_one(cls, v: list[float] | None) -> list[float] | None:
        if v is None:
            return v
        if any(m < 0 for m in v):
            raise ValueError("multipliers must be >= 0")
        mean = sum(v) / 12
        if abs(mean - 1) > 0.01:
            raise ValueError(f"multipliers average {mean:.3f}; expected a mean of 1 (within 0.01)")
        return [m / mean for m in v]


# ----------------------------------------------------------------------- workforce


class RetentionLever(Strict):
    """A dated retention lever (market supplement, retention payment, ...): it costs
    money per FTE-year and multiplies the turnover hazard of the staff it covers."""

    name: str = Field("retention payment", description="label for reports")
    start: dt.date = Field(description="first day in force")
    end: dt.date | None = Field(None, description="day it stops (none: to the horizon)")
    cost_per_fte_year: float = Field(
        0.0, ge=0, description="£ per covered FTE-year, before on-costs [S] S13: £2-7k"
    )
    turnover_factor: float = Field(
        1.0, ge=0, description="multiplier on the leaving hazard while in force [E]"
    )
    covers: list[str] = Field(
        default_factory=lambda: ["permanent"],
        description='kinds covered: "permanent" and/or "nqsw"',
    )

    @field_validator("covers")
    @classmethod
    def _kinds(cls, v):
        bad = [k for k in v if k not in ("permanent", "nqsw")]
        if bad:
            raise ValueError(f"unknown kind {bad[0]!r}; expected 'permanent' or 'nqsw'")
        return v


class PermanentPolicy(Strict):
    """Permanent social workers: turnover, pressure, notice and pay."""

    annual_turnover: float = Field(
        0.15, ge=0, description="leavers per FTE-year (DfE definition) [D] England mean 14.6 %"
    )
    turnover_by_service_years: list[tuple[float, float]] | None = Field(
        None,
        description="[[from_years, leavers per FTE-year], ...] by length of service; "
        "replaces annual_turnover when given [E] split of the national mean",
    )
    pressure_threshold: float = Field(
        1.0, ge=0, description="caseload pressure (see docs/model.md) above which turnover rises [E]"
    )
    pressure_elasticity: float = Field(
        1.5, ge=0, description="turnover multiplier per unit of load/capacity above threshold [E]"
    )
    notice_days: float = Field(28, ge=0, description="notice worked after resigning [E]")
    salary: float = Field(40_000, ge=0, description="£ a year per FTE [E] published scales")
    on_cost_rate: float = Field(
        0.30, ge=0, description="employer on-costs as a share of salary [D]"
    )
    retention: list[RetentionLever] = Field(
        default_factory=list, description="dated retention levers"
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

    asye_months: float = Field(12, gt=0, description="length of the ASYE [S] ASYE framework")
    capacity_start: float = Field(
        0.4, ge=0, le=1, description="share of a full caseload at the start of the ASYE [S]"
    )
    capacity_end: float = Field(
        0.9, ge=0, le=1, description="share of a full caseload at the end of the ASYE [S]"
    )
    salary: float = Field(34_000, ge=0, description="£ a year per FTE [E] published scales")


class AgencyPolicy(Strict):
    """Agency (locum) cover of vacancies."""

    cover_fraction: float = Field(
        0.8, ge=0, le=1, description="share of vacant FTE covered by agency [S] England 74-81 %"
    )
    lead_time_days: Distribution = Field(
        default_factory=lambda: Triangular(dist="triangular", min=7, mode=10, max=21),
        description="time to fill an agency request [E]",
    )
    fill_probability: float = Field(0.9, ge=0, le=1, description="chance a request is filled [E]")
    placement_days: Distribution = Field(
        default_factory=lambda: Lognormal(dist="lognormal", median=182, p90=450),
        description="length of a placement [E] median 26 weeks",
    )
    renewal_probability: float = Field(
        0.5, ge=0, le=1, description="chance a placement is renewed while needed [E]"
    )
    early_exit_annual_rate: float = Field(
        0.97, ge=0, description="agency leavers per FTE-year before placement end, no notice "
        "[E] 20 % within 12 weeks"
    )
    conversion_annual_rate: float = Field(
        0.05, ge=0, description="agency-to-permanent conversions per FTE-year [E]"
    )
    day_rate: float = Field(370, ge=0, description="£ charged per billable day [E] ≈ £50/hour")
    billable_days_per_year: float = Field(
        225, gt=0, le=366, description="billable days per FTE-year [E]"
    )
    release_notice_days: float = Field(28, ge=0, description="notice to end a placement [S] S8")
    capacity_factor: float = Field(
        1.0, ge=0, le=2, description="caseload of an agency worker relative to permanent staff"
    )
    pressure_cover_threshold: float = Field(
        1.0, gt=0, description="team load/capacity above which extra agency cover is sought"
    )
    pressure_cover_max_fte: float = Field(
        0.0, ge=0, description="most extra agency FTE per team for caseload pressure (0: none)"
    )


class Workforce(Strict):
    """Policies for each kind of worker."""

    permanent: PermanentPolicy = Field(default_factory=PermanentPolicy)
    nqsw: NqswPolicy = Field(default_factory=NqswPolicy)
    agency: AgencyPolicy = Field(default_factory=AgencyPolicy)


# --------------------------------------------------------------------- recruitment


class Campaign(Strict):
    """A dated recruitment campaign."""

    start: dt.date = Field(description="first day of the campaign")
    end: dt.date = Field(description="last day of the campaign")
    success_multiplier: float = Field(1.0, ge=0, description="factor on success_probability")
    speed_multiplier: float = Field(
        1.0, gt=0, description="factor on hiring speed (2 = time to hire halved)"
    )
    cost: float = Field(0.0, ge=0, description="£ over the campaign window")


class Cohort(Strict):
    """A dated batch of hires (international or "urban to rural" recruitment)."""

    date: dt.date = Field(description="day the cohort starts")
    team: str = Field(description="the team they join")
    count: int = Field(ge=0, description="headcount, full time")
    early_months: float = Field(12, ge=0, description="months of early turnover")
    early_annual_turnover: float = Field(
        0.3, ge=0, description="leavers per FTE-year during the early months [E]"
    )
    cost_per_hire: float = Field(0.0, ge=0, description="£ per hire (travel, visas, relocation)")


class Recruitment(Strict):
    """Advertising and filling vacant posts."""

    time_to_hire_days: Distribution = Field(
        default_factory=lambda: Triangular(dist="triangular", min=56, mode=84, max=168),
        description="advert to start date [E] 8-24 weeks, mode 12",
    )
    success_probability: float = Field(
        0.5, ge=0, le=1, description="chance an advertising round fills the post [E]"
    )
    readvertise_days: float = Field(30, ge=0, description="gap before re-advertising [E]")
    cost_per_hire: float = Field(4_000, ge=0, description="£ per hire [E]")
    campaigns: list[Campaign] = Field(default_factory=list, description="dated recruitment campaigns")
    cohorts: list[Cohort] = Field(default_factory=list, description="dated batches of hires")


# ------------------------------------------------------------------------- academy


class Pathway(Strict):
    """A grow-your-own route into social work."""

    training_months: float = Field(0, ge=0, description="months before qualifying")
    completion_rate: float = Field(1.0, ge=0, le=1, description="share who qualify")
    asye_pass_rate: float = Field(0.95, ge=0, le=1, description="share who pass the ASYE [E]")
    tie_in_months: float = Field(0, ge=0, description="months of tie-in after qualifying")
    tie_in_turnover_factor: float = Field(
        1.0, ge=0, description="hazard multiplier during the tie-in"
    )
    cost_per_trainee_year: float = Field(0, ge=0, description="£ per trainee-year in training")


class Intake(Strict):
    """Yearly academy intakes of one pathway."""

    pathway: str = Field(description="a name in academy.pathways")
    month: int = Field(9, ge=1, le=12, description="calendar month of each intake")
    sizes: list[int] = Field(
        min_length=1, description="intake sizes, first year on; the last repeats"
    )
    teams: dict[str, float] = Field(description="share of each intake per team (sums to 1)")

    @field_validator("sizes")
    @classmethod
    def _non_negative(cls, v):
        if any(s < 0 for s in v):
            raise ValueError("intake sizes must be >= 0")
        return v


class Academy(Strict):
    """Grow-your-own: routes and their intakes."""

    intakes: list[Intake] = Field(default_factory=list, description="yearly intakes per pathway")
    pathways: dict[str, Pathway] = Field(default_factory=dict, description="routes, by name")


class Absence(Strict):
    """Sickness absence, as capacity lost."""

    rate: float = Field(
        0.035, ge=0, lt=1, description="share of capacity lost to sickness [S] England 3.5 %"
    )


# ------------------------------------------------------------------------ scenario


class Scenario(Strict):
    """One council's service and plan: teams, demand, workforce and levers."""

    schema_version: int = Field(description=f"file format version; this package reads {SCHEMA_VERSION}")
    name: str = Field(min_length=1, description="shown on every output")
    description: str = Field("", description="free text: what this scenario is for")
    start_date: dt.date = Field(description="day 0 of the simulation: the first of a month")
    horizon_months: int = Field(ge=1, le=600, description="length of the projection")
    teams: dict[str, Team] = Field(min_length=1, description="case-holding teams, by name")
    case_types: dict[str, CaseType] = Field(min_length=1, description="kinds of case, by name")
    workforce: Workforce = Field(default_factory=Workforce, description="staff policies and pay")
    recruitment: Recruitment = Field(default_factory=Recruitment, description="filling vacancies")
    academy: Academy = Field(default_factory=Academy, description="grow-your-own routes")
    absence: Absence = Field(default_factory=Absence, description="sickness absence")

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
        return add_months(self.start_date, self.horizon_months)

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> Scenario:
        """Validate a plain dict (as read from TOML); raise :class:`ScenarioError` if bad."""
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise ScenarioError(problems_from_validation(err), source) from None

    def to_dict(self) -> dict:
        """The scenario as plain data, in the file's own key names."""
        return self.model_dump(mode="python", by_alias=True)

    def with_changes(self, changes: dict[str, Any], source: str = "with_changes") -> Scenario:
        """A new validated scenario with values replaced at dotted paths.

        >>> from workforce_sim import load_scenario
        >>> s = load_scenario()
        >>> s.with_changes({"teams.assessment.caseload_cap": 20}).teams["assessment"].caseload_cap
        20.0
        """
        data = self.to_dict()
        problems = []
        for path, value in changes.items():
            try:
                set_path(data, path, value)
            except KeyError as exc:
                problems.append(Problem(path, value, exc.args[0]))
        if problems:
            raise ScenarioError(problems, source)
        return Scenario.from_dict(data, source)


def __getattr__(name: str) -> Any:
    """``load_scenario`` and ``shipped_scenarios`` moved to :mod:`.loading`; old imports
    from here still work (imported lazily: loading imports this module)."""
    if name in ("load_scenario", "shipped_scenarios", "DEFAULT_SCENARIO"):
        from workforce_sim.scenario import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
