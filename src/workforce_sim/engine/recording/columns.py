"""What each column of the monthly table means: one :class:`Column` per column.

The recorder (:mod:`workforce_sim.engine.recording.recorder`) writes one row per
team and month, and one for the whole service (``team == "all"``). This table
says, for every column it writes and in the same order, what kind of quantity
it is, how the service row is formed from the team rows, how a year or the
horizon is summarised, its unit, its human label, and how it stands against the
DfE children's social work workforce census definition (``dfe``, ``dfe_field``,
``dfe_match``, ``dfe_note``). Everything that summarises, labels or formats a
column (results, charts, report, workbook, command line) reads it from here.

Kinds
    ``stock``: a month-end level; the service row is the sum of the team rows,
    except for the vacancies and the agency cover of vacancies, which the DfE
    counts across the whole council (``"service"`` below).
    ``flow``: an amount over the month; it adds over teams and over months.
    ``ratio``: a quotient (or a mean over workers or allocations), recomputed
    for the service from its parts, never summed.
    ``statistic``: an order statistic over the case-holding workers (90th
    percentile, maximum), recomputed for the service over all its workers.

``across_teams`` (how the ``"all"`` row is formed from the team rows)
    ``"sum"``: the sum of the team rows.
    ``"service"``: recomputed from the service row's own totals by the same
    formula as a team's (``vacancy_fte = max(0, establishment_fte −
    fte_in_post)`` of the service, so one team over its establishment offsets
    another's vacancies, as the DfE counts a council's vacancies).
    ``"ratio of sums"``: the row's numerator columns over its denominator
    columns, where the service row's are its totals (the sums of the team
    rows, or the service's own figure for a ``"service"`` column). When
    ``months > 1`` the numerator is summed over the last ``months`` month rows
    and the denominator is taken at the last of them (the month of the row):
    ``Σ_months Σ numerator / Σ denominator``, NaN until ``months`` rows exist.
    ``"weighted mean"``: the mean of the team values weighted by ``weight``.
    ``"pooled workers"``: recomputed over the case-holding workers of every
    team pooled (for a mean, the team values weighted by each team's
    case-holding headcount, which the table does not hold).
    ``"max"``: the largest team value.

``across_months`` (how a financial year, the 12 months of a headline or the
horizon is summarised, as the code does it today)
    ``"sum"``: flows are totalled (``financial_year_totals``, the headline's
    "in the 12 months", ``horizon_total``).
    ``"last"``: stocks, ratios and statistics are read at the period's last
    month (the headline, the KPI dashboard, ``at_month``). They are never
    totalled; ``Comparison.differences`` given a bare column name takes its mean
    over the horizon instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["stock", "flow", "ratio", "statistic"]
AcrossTeams = Literal["sum", "service", "ratio of sums", "weighted mean", "pooled workers",
                      "max"]
AcrossMonths = Literal["sum", "last"]
Unit = Literal["FTE", "people", "cases", "cases per worker", "share", "days", "case-days",
               "FTE-days", "changes", "£"]
DfeMatch = Literal["exact", "component", "differs"]

INDEX = ("replication", "month", "team")
"""Columns of ``monthly`` that key a row rather than measure anything."""


@dataclass(frozen=True)
class Column:
    """One column of the monthly table.

    Parameters
    ----------
    name : str
        The column's name in ``monthly``.
    kind : {"stock", "flow", "ratio", "statistic"}
        What sort of quantity it is (see the module docstring).
    unit : str
        ``"FTE"``, ``"people"`` (headcount), ``"cases"``, ``"cases per worker"``,
        ``"share"`` (a fraction, shown as a percentage), ``"days"``, ``"case-days"``,
        ``"FTE-days"``, ``"changes"`` or ``"£"``.
    label : str
        The human label used by charts, the report, the workbook and the command line.
    description : str
        What the column measures, in one sentence.
    across_teams : str
        How the service row is formed from the team rows.
    across_months : {"sum", "last"}
        How a year or the horizon is summarised.
    numerator, denominator : tuple of str
        For ``"ratio of sums"``: the columns whose sums form the ratio (the
        numerator over ``months`` month rows, the denominator at the last).
    weight : tuple of str
        For ``"weighted mean"``: the columns whose sum weights each team's value.
    months : int
        For ``"ratio of sums"``: the number of month rows the numerator is summed
        over (12 for the turnover rate: leavers in the 12 months to the month end
        over FTE in post at it), else 1.
    dfe : str or None
        The DfE census definition this column sets beside, where there is one.
    dfe_field : str or None
        The matching field of ``csww_indicators_2017_to_2025.csv`` (None for the
        stability measure, from the children looked after statistics).
    dfe_match : {"exact", "component", "differs"} or None
        ``"exact"``: the same definition (read the September row, or the sum of
        the 12 months to September for a flow; ``dfe_note`` names another month
        where the DfE counts at another date); ``"component"``: one part of the
        DfE quantity; ``"differs"``: not the same definition (``dfe_note`` says how).
    dfe_note : str
        How the column stands against the DfE definition.
    """

    name: str
    kind: Kind
    unit: Unit
    label: str
    description: str
    across_teams: AcrossTeams = "sum"
    across_months: AcrossMonths = "last"
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    weight: tuple[str, ...] = ()
    months: int = 1
    dfe: str | None = None
    dfe_field: str | None = None
    dfe_match: DfeMatch | None = None
    dfe_note: str = ""

    def __post_init__(self) -> None:
        if (self.kind == "flow") != (self.across_months == "sum"):
            raise ValueError(f"{self.name}: flows, and only flows, are summed over months")
        if (self.across_teams == "ratio of sums") != bool(self.numerator and self.denominator):
            raise ValueError(f"{self.name}: a ratio of sums needs a numerator and a denominator")
        if (self.across_teams == "weighted mean") != bool(self.weight):
            raise ValueError(f"{self.name}: a weighted mean needs a weight")
        if (self.dfe is None) != (self.dfe_match is None):
            raise ValueError(f"{self.name}: a DfE definition needs its match, and only then")
        if self.months != 1 and self.across_teams != "ratio of sums":
            raise ValueError(f"{self.name}: only a ratio of sums runs over several months")
        if self.months < 1:
            raise ValueError(f"{self.name}: months must be at least 1")


_EMPLOYED = ("permanent_fte", "nqsw_fte")
_AT_30_SEPT = "Columns are month-end values; the September row is the census date."
_STABILITY = ("Children looked after at 31 March by the number of social workers they had "
              "in the 12 months to 31 March (DfE children looked after statistics, "
              "stability indicators): 1, 2, or 3 or more.")
_AT_31_MARCH = ("Columns are month-end values; read the March row (31 March). Until the run "
                "is 12 months old, the year is counted from the run's start.")

COLUMNS: tuple[Column, ...] = (
    # ---------------------------------------------------------------- stocks
    Column("permanent_fte", "stock", "FTE", "Permanent FTE",
           "FTE of permanent social workers in post at the month end.",
           dfe="FTE in post: employed (permanent and newly qualified) social workers at 30 September.",
           dfe_field="inpost_fte", dfe_match="component",
           dfe_note="The DfE's FTE in post is permanent_fte + nqsw_fte."),
    Column("nqsw_fte", "stock", "FTE", "Newly qualified FTE",
           "FTE of newly qualified social workers in their ASYE year at the month end.",
           dfe="FTE in post: employed (permanent and newly qualified) social workers at 30 September.",
           dfe_field="inpost_fte", dfe_match="component",
           dfe_note="The DfE's FTE in post is permanent_fte + nqsw_fte."),
    Column("fte_in_post", "stock", "FTE", "FTE in post",
           "FTE of employed social workers (permanent and newly qualified) in post at the "
           "month end: permanent_fte + nqsw_fte.",
           dfe="FTE in post: employed (permanent and newly qualified) social workers at 30 September.",
           dfe_field="inpost_fte", dfe_match="exact", dfe_note=_AT_30_SEPT),
    Column("agency_fte", "stock", "FTE", "Agency FTE",
           "FTE of agency social workers in post at the month end.",
           dfe="Agency FTE: agency social workers in post at 30 September.",
           dfe_field="agency_fte", dfe_match="exact", dfe_note=_AT_30_SEPT),
    Column("trainees", "stock", "people", "Academy trainees",
           "Headcount of grow-your-own academy trainees (not yet social workers) at the month end."),
    Column("long_absence_fte", "stock", "FTE", "On long absence (FTE)",
           "FTE of employees (permanent and NQSW) on a long absence at the month end "
           "(absence.long_leave: maternity, long-term sickness): in post, so in fte_in_post "
           "and not vacant, but holding no cases.",
           dfe="The census counts employees on leave as in post; its absence measure is "
               "working days lost to sickness, which counts long-term sickness but not "
               "maternity leave.", dfe_match="differs",
           dfe_note="Short-term sickness is absence.rate, a flat share of capacity; the "
                    "census's days lost correspond to it plus the long-term sickness kinds."),
    Column("establishment_fte", "stock", "FTE", "Establishment FTE",
           "Funded establishment at the month end."),
    Column("vacancy_fte", "stock", "FTE", "Vacancies (FTE)",
           "max(0, establishment − FTE in post): a post covered by agency staff is still "
           "vacant; for the service, from its total establishment and FTE in post, so one "
           "team over its establishment offsets another's vacancies.",
           across_teams="service",
           dfe="Vacancies FTE at 30 September; a vacancy covered by an agency worker still "
               "counts as vacant.",
           dfe_field="vacancy_fte", dfe_match="exact",
           dfe_note=_AT_30_SEPT + " Derived from the establishment rather than reported "
                    "posts; the service figure is the council's, as the DfE counts it."),
    Column("over_establishment_fte", "stock", "FTE", "FTE over establishment",
           "max(0, FTE in post − establishment) per team; for the service, the sum over "
           "teams (what offsets other teams' vacancies in the service's vacancy_fte)."),
    Column("agency_cover_fte", "stock", "FTE", "Agency FTE covering vacancies",
           "min(agency FTE, vacancies FTE): the agency process asks for cover of a share of "
           "the vacancies and adds pressure cover on top, without marking which worker is "
           "which, so agency FTE beyond the vacancies is counted as not covering one; for "
           "the service, from its own totals.",
           across_teams="service",
           dfe="Agency FTE covering vacancies at 30 September.",
           dfe_field="agency_cover_fte", dfe_match="exact",
           dfe_note=_AT_30_SEPT + " Vacancies as for vacancy_fte (the council's)."),
    Column("agency_rate", "ratio", "share", "Agency rate",
           "Agency FTE / (agency + permanent + NQSW FTE).",
           across_teams="ratio of sums", numerator=("agency_fte",),
           denominator=("agency_fte", *_EMPLOYED),
           dfe="Agency rate = agency FTE / (agency FTE + FTE in post) at 30 September.",
           dfe_field="agency_rate_fte", dfe_match="exact", dfe_note=_AT_30_SEPT),
    Column("vacancy_rate", "ratio", "share", "Vacancy rate",
           "Vacancies FTE / (vacancies + permanent + NQSW FTE).",
           across_teams="ratio of sums", numerator=("vacancy_fte",),
           denominator=("vacancy_fte", *_EMPLOYED),
           dfe="Vacancy rate = vacant FTE / (vacant FTE + FTE in post) at 30 September; a "
               "vacancy covered by an agency worker still counts as vacant.",
           dfe_field="vacancy_rate_fte", dfe_match="exact",
           dfe_note=_AT_30_SEPT + " Vacancies as for vacancy_fte (the council's)."),
    Column("agency_cover_rate", "ratio", "share", "Agency cover of vacancies, share of agency",
           "Agency FTE covering vacancies / agency FTE.",
           across_teams="ratio of sums", numerator=("agency_cover_fte",),
           denominator=("agency_fte",),
           dfe="Agency workers covering vacancies as a share of agency FTE at 30 September.",
           dfe_field="agency_cover_rate_fte", dfe_match="exact", dfe_note=_AT_30_SEPT),
    Column("vacancy_agency_cover_rate", "ratio", "share", "Vacancies covered by agency",
           "Agency FTE covering vacancies / vacancies FTE.",
           across_teams="ratio of sums", numerator=("agency_cover_fte",),
           denominator=("vacancy_fte",),
           dfe="Vacancies covered by agency workers as a share of vacancies FTE at 30 September.",
           dfe_field="vacancy_agency_cover_rate_fte", dfe_match="exact",
           dfe_note=_AT_30_SEPT),
    Column("open_cases", "stock", "cases", "Open cases",
           "Open cases at the month end, allocated or not."),
    Column("allocated_cases", "stock", "cases", "Allocated cases",
           "Open cases held by a worker at the month end (in a case-holding team).",
           dfe="Cases: children allocated to a case holder (employed or agency) at 30 September.",
           dfe_field="cases", dfe_match="exact",
           dfe_note=_AT_30_SEPT + " A case is a child's open episode; a child has one at a time."),
    Column("unallocated_cases", "stock", "cases", "Unallocated cases",
           "Open cases waiting for a worker at the month end."),
    Column("case_holders_fte", "stock", "FTE", "Case-holding FTE",
           "FTE of the case-holding workers at the month end: permanent, NQSW and agency "
           "(everyone but trainees) in teams that hold cases.",
           dfe="Case-holding FTE: employed and agency social workers holding cases at 30 "
               "September.",
           dfe_field="case_holders_fte", dfe_match="exact",
           dfe_note=_AT_30_SEPT + " Every worker of a case-holding team counts, whether "
                    "or not they hold a case at that moment."),
    Column("caseload", "ratio", "cases per worker", "Caseload (cases per case-holding FTE)",
           "Allocated cases / case-holding FTE.",
           across_teams="ratio of sums", numerator=("allocated_cases",),
           denominator=("case_holders_fte",),
           dfe="Caseload = cases held / case-holding FTE (employed and agency) at 30 September.",
           dfe_field="caseload_fte", dfe_match="exact", dfe_note=_AT_30_SEPT),
    Column("caseload_p90", "statistic", "cases per worker", "Caseload, 90th percentile",
           "90th percentile of cases held per worker, by headcount, over case-holding workers "
           "(linear interpolation).",
           across_teams="pooled workers"),
    Column("caseload_max", "statistic", "cases per worker", "Largest caseload",
           "Most cases held by one case-holding worker (per worker, by headcount).",
           across_teams="max"),
    Column("load_ratio_mean", "ratio", "share", "Load / capacity, mean",
           "Mean over case-holding workers with capacity of caseload points / capacity.",
           across_teams="pooled workers"),
    Column("workers_over_cap", "stock", "people", "Workers over their caseload cap",
           "Case-holding workers whose load exceeds their capacity at the month end."),
    Column("looked_after", "stock", "people", "Children looked after",
           "Children with an open case of a looked-after type at the month end, allocated or "
           "not (in the team of that case).",
           dfe="Children looked after at 31 March (the base of the stability measure).",
           dfe_match="exact", dfe_note=_AT_31_MARCH),
    Column("looked_after_no_worker", "stock", "people",
           "Children looked after with no social worker in the year",
           "Of looked_after, children no social worker held a case of in the 12 months to the "
           "month end (so the four looked_after_* parts add up to looked_after).",
           dfe=_STABILITY, dfe_match="component",
           dfe_note=_AT_31_MARCH + " The DfE publishes 1, 2 and 3 or more; a child with none "
                    "is counted here apart."),
    Column("looked_after_1_worker", "stock", "people", "Children looked after: 1 social worker",
           "Of looked_after, children one social worker held a case of (any type, any team) "
           "in the 12 months to the month end.",
           dfe=_STABILITY, dfe_match="exact",
           dfe_note=_AT_31_MARCH),
    Column("looked_after_2_workers", "stock", "people", "Children looked after: 2 social workers",
           "Of looked_after, children two distinct social workers held a case of (any type, "
           "any team) in the 12 months to the month end.",
           dfe=_STABILITY, dfe_match="exact",
           dfe_note=_AT_31_MARCH),
    Column("looked_after_3plus_workers", "stock", "people",
           "Children looked after: 3 or more social workers",
           "Of looked_after, children three or more distinct social workers held a case of "
           "(any type, any team) in the 12 months to the month end.",
           dfe=_STABILITY, dfe_match="exact",
           dfe_note=_AT_31_MARCH),
    Column("looked_after_3plus_rate", "ratio", "share",
           "Children looked after with 3+ social workers",
           "looked_after_3plus_workers / looked_after.",
           across_teams="ratio of sums", numerator=("looked_after_3plus_workers",),
           denominator=("looked_after",),
           dfe="Share of children looked after at 31 March who had 3 or more social workers in "
               "the year to 31 March (England 27 % in 2023-24).",
           dfe_match="exact",
           dfe_note=_AT_31_MARCH),
    # ---------------------------------------------------------------- flows
    Column("referrals", "flow", "cases", "Referrals", "New cases referred in the month.",
           across_months="sum"),
    Column("pathway_starts", "flow", "cases", "Pathway starts",
           "Cases that began as the continuation of a closed case in the month.",
           across_months="sum"),
    Column("allocations", "flow", "cases", "Allocations",
           "Cases allocated to a worker in the month.", across_months="sum"),
    Column("closures", "flow", "cases", "Closures", "Cases closed in the month.",
           across_months="sum"),
    Column("handovers", "flow", "cases", "Cases handed back by leavers",
           "Cases returned to the queue when their worker left or was promoted out of the "
           "team, in the month.",
           across_months="sum"),
    Column("mean_wait_days", "ratio", "days", "Mean wait for allocation (days)",
           "Mean days from queueing to allocation of the cases allocated in the month.",
           across_teams="weighted mean", weight=("allocations",)),
    Column("waiting_case_days", "flow", "case-days", "Case-days unallocated",
           "Days spent unallocated, summed over cases, in the month.", across_months="sum"),
    Column("worker_changes", "flow", "changes", "Changes of social worker",
           "Allocations of a child to a worker other than their last one, and managers' "
           "moves of a held case to another worker, in the month.",
           across_months="sum"),
    Column("caseload_moves", "flow", "changes", "Cases moved by managers",
           "Held cases a manager moved to another worker of the team to manage caseloads, in "
           "the month (each is also a change of social worker).",
           across_months="sum"),
    Column("hires", "flow", "people", "Permanent hires",
           "Permanent social workers recruited in the month (headcount).", across_months="sum",
           dfe="Starters: employed social workers who started in the 12 months to 30 September.",
           dfe_field="starters_headcount", dfe_match="differs",
           dfe_note="Recruitment hires only: academy trainees qualifying as NQSWs "
                    "(academy_qualified) and agency workers converting (conversions) are "
                    "starters for the DfE but not counted here."),
    Column("leavers_permanent", "flow", "people", "Permanent and NQSW leavers",
           "Permanent and newly qualified social workers who left in the month (headcount).",
           across_months="sum",
           dfe="Leavers: employed social workers who left in the 12 months to 30 September.",
           dfe_field="leavers_headcount", dfe_match="exact",
           dfe_note="Monthly: the sum of the 12 months to September is the census figure."),
    Column("leavers_permanent_fte", "flow", "FTE", "Permanent and NQSW leavers (FTE)",
           "FTE of the permanent and newly qualified social workers who left in the month.",
           across_months="sum",
           dfe="Leavers FTE: employed social workers who left in the 12 months to 30 September.",
           dfe_field="leavers_fte", dfe_match="exact",
           dfe_note="Monthly: the sum of the 12 months to September is the census figure."),
    Column("leavers_to_other_council", "flow", "people", "Leavers to another council",
           "Permanent and NQSW leavers in the month (headcount) whose destination is a social "
           "work post at another council.", across_months="sum",
           dfe="Leavers who moved to another council's children's social work (DfE attrition "
               "analysis, 2021: 4.2 % of FTE in 2020-21).",
           dfe_match="component",
           dfe_note="A drawn destination, one of three that add up to leavers_permanent; the DfE "
                    "follows leavers to 30 September, by FTE."),
    Column("leavers_to_agency", "flow", "people", "Leavers to agency work",
           "Permanent and NQSW leavers in the month (headcount) whose destination is agency "
           "social work.", across_months="sum",
           dfe="Attrition into agency: leavers who became agency children's social workers (DfE "
               "attrition analysis, 2021: 2.6 % of FTE in 2020-21).",
           dfe_match="component",
           dfe_note="A drawn destination, one of three that add up to leavers_permanent; the DfE "
                    "follows leavers to 30 September, by FTE."),
    Column("leavers_out_of_la_social_work", "flow", "people",
           "Leavers out of council social work",
           "Permanent and NQSW leavers in the month (headcount) whose destination is out of "
           "council children's social work (the DfE's full attrition).", across_months="sum",
           dfe="Full attrition: leavers not found in council or agency children's social work "
               "(DfE attrition analysis, 2021: 8.6 % of FTE in 2020-21).",
           dfe_match="component",
           dfe_note="A drawn destination, one of three that add up to leavers_permanent; the DfE "
                    "follows leavers to 30 September, by FTE."),
    Column("leavers_agency", "flow", "people", "Agency leavers",
           "Agency workers who left in the month (headcount).", across_months="sum"),
    Column("agency_starts", "flow", "people", "Agency starts",
           "Agency placements that began in the month.", across_months="sum"),
    Column("agency_returners", "flow", "people", "Former employees back as agency",
           "Agency placements in the month taken by a former permanent social worker of the "
           "council returning as an agency worker (also counted in agency_starts).",
           across_months="sum"),
    Column("agency_releases", "flow", "people", "Agency releases",
           "Agency workers released by the council in the month.", across_months="sum"),
    Column("conversions", "flow", "people", "Agency conversions to permanent",
           "Agency workers who took a permanent post in the month.", across_months="sum"),
    Column("promotions", "flow", "people", "Promotions into the team",
           "Social workers of other teams promoted into this team's vacant posts in the "
           "month (headcount; teams.<name>.promotion). A promotion is neither a hire nor a "
           "leaver: the worker stays with the council, and their old post falls vacant.",
           across_months="sum"),
    Column("long_absence_starts", "flow", "people", "Long absences started",
           "Employees who started a long absence (maternity, long-term sickness) in the "
           "month (headcount).", across_months="sum"),
    Column("academy_qualified", "flow", "people", "Academy trainees qualified",
           "Academy graduates who started as NQSWs in the month (in the team whose post "
           "they took; a graduate waiting for a post counts when they start).",
           across_months="sum"),
    Column("academy_dropouts", "flow", "people", "Academy trainees dropped out",
           "Academy trainees who left before qualifying, in the month.", across_months="sum"),
    Column("academy_not_placed", "flow", "people", "Academy graduates not placed",
           "Academy graduates lost for want of a funded vacant post, in the month: at once "
           "(when_no_post = \"not_placed\") or at the end of wait_months (\"wait\"); "
           "counted in the team of their intake.", across_months="sum"),
    Column("turnover_rate", "ratio", "share", "Turnover rate",
           "Permanent and NQSW leavers' FTE in the 12 months to the month end / FTE in post "
           "at the month end (NaN before month 12).",
           across_teams="ratio of sums", numerator=("leavers_permanent_fte",),
           denominator=("fte_in_post",), months=12,
           dfe="Turnover rate = leavers FTE in the 12 months to 30 September / FTE in post at "
               "30 September.",
           dfe_field="turnover_rate_fte", dfe_match="exact",
           dfe_note=_AT_30_SEPT + " The 12 months are the month rows to it."),
    # ---------------------------------------------------------------- money (flows)
    Column("permanent_fte_days", "flow", "FTE-days", "Permanent FTE-days",
           "Permanent FTE × days in post, in the month.", across_months="sum"),
    Column("nqsw_fte_days", "flow", "FTE-days", "Newly qualified FTE-days",
           "NQSW FTE × days in post, in the month.", across_months="sum"),
    Column("agency_fte_days", "flow", "FTE-days", "Agency FTE-days",
           "Agency FTE × days in post, in the month.", across_months="sum"),
    Column("agency_above_cap_starts", "flow", "people", "Agency assignments above cap",
           "Agency assignments started or renewed in the month at a day rate above the price "
           "cap in force (approved breaches, which the DfE's rules have councils report).",
           across_months="sum"),
    Column("agency_above_cap_fte_days", "flow", "FTE-days", "Agency FTE-days above cap",
           "Agency FTE × days on assignments charged above their price cap, in the month.",
           across_months="sum"),
    Column("agency_above_cap_spend", "flow", "£", "Agency spend above cap",
           "What assignments above their price cap cost beyond the cap: (day rate − cap) × "
           "billable share × FTE-days, in the month (also in cost_agency).",
           across_months="sum"),
    Column("cost_permanent", "flow", "£", "Permanent pay",
           "Pay with on-costs of permanent and newly qualified staff, and retention "
           "payments, in the month.", across_months="sum"),
    Column("cost_agency", "flow", "£", "Agency spend", "Agency day rates paid in the month.",
           across_months="sum"),
    Column("cost_academy", "flow", "£", "Academy cost",
           "Grow-your-own academy costs in the month.", across_months="sum"),
    Column("cost_recruitment", "flow", "£", "Recruitment cost",
           "Recruitment costs per hire, and campaign costs shared by establishment, in the month.",
           across_months="sum"),
    Column("cost_total", "flow", "£", "Total cost",
           "cost_permanent + cost_agency + cost_academy + cost_recruitment.", across_months="sum"),
    Column("agency_premium", "flow", "£", "Agency premium",
           "Agency spend − agency FTE-days at the permanent day cost, in the month.",
           across_months="sum"),
    # ---------------------------------------------------------------- the budget's actions
    Column("budget_recruitment_pause", "statistic", "share", "Recruitment paused by the budget",
           "1 if the budget's recruitment pause was in force in the month (spend over "
           "profile at the last month end: no round advertised), else 0; the same in every "
           "row of the month. Averaged over replications: the share of runs paused.",
           across_teams="max"),
    Column("budget_agency_cap", "statistic", "share", "Agency capped by the budget",
           "1 if the budget's agency cap was in force in the month (spend over profile at "
           "the last month end: no new agency request), else 0; the same in every row of "
           "the month. Averaged over replications: the share of runs capped.",
           across_teams="max"),
)

_BY_NAME = {c.name: c for c in COLUMNS}
NAMES: tuple[str, ...] = tuple(_BY_NAME)


def column(name: str) -> Column:
    """The :class:`Column` called ``name``.

    Parameters
    ----------
    name : str
        A column of the monthly table.

    Returns
    -------
    Column

    Raises
    ------
    KeyError
        If the monthly table has no such column (the message lists them).
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no column {name!r}; columns: {', '.join(NAMES)}") from None


def find(name: str) -> Column | None:
    """The :class:`Column` called ``name``, or None if there is none.

    Parameters
    ----------
    name : str
        Any name (a monthly column or not).

    Returns
    -------
    Column or None
    """
    return _BY_NAME.get(name)


def of_kind(*kinds: Kind) -> tuple[Column, ...]:
    """The columns of the given kinds, in table order.

    Parameters
    ----------
    *kinds : {"stock", "flow", "ratio", "statistic"}

    Returns
    -------
    tuple of Column
    """
    return tuple(c for c in COLUMNS if c.kind in kinds)


def flows() -> tuple[Column, ...]:
    """The flow columns (amounts over the month, totalled over a year), in table order.

    Returns
    -------
    tuple of Column
    """
    return of_kind("flow")


def stocks() -> tuple[Column, ...]:
    """The stock columns (month-end levels that add over teams), in table order.

    Returns
    -------
    tuple of Column
    """
    return of_kind("stock")


def ratios() -> tuple[Column, ...]:
    """The ratio columns (recomputed for the service, never summed), in table order.

    Returns
    -------
    tuple of Column
    """
    return of_kind("ratio")


def of_unit(unit: Unit) -> tuple[Column, ...]:
    """The columns measured in ``unit``, in table order.

    Parameters
    ----------
    unit : str
        One of the units of :class:`Column`.

    Returns
    -------
    tuple of Column
    """
    return tuple(c for c in COLUMNS if c.unit == unit)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def columns_markdown() -> str:
    """The column table as Markdown, as ``docs/outputs.md`` shows it.

    Returns
    -------
    str
        Two tables (what each column is and how it aggregates; its DfE
        definition and how it matches) and the columns with no DfE
        counterpart, ending with a newline.
    """
    def how_teams(c: Column) -> str:
        if c.across_teams == "ratio of sums":
            num, den = " + ".join(c.numerator), " + ".join(c.denominator)
            den = f"Σ ({den})" if len(c.denominator) > 1 else f"Σ {den}"
            if c.months > 1:
                return (f"Σ {num} over the last {c.months} months / {den} at the last "
                        f"(NaN before {c.months} months)")
            return f"Σ {num} / {den}"
        if c.across_teams == "service":
            return "recomputed from the service's totals"
        if c.across_teams == "weighted mean":
            return f"mean weighted by {' + '.join(c.weight)}"
        return c.across_teams

    lines = ["| column | kind | unit | label | service row (\"all\") | over a year | what |",
             "|---|---|---|---|---|---|---|"]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {c.kind} | {c.unit} | {_cell(c.label)} | "
                     f"{_cell(how_teams(c))} | {c.across_months} | {_cell(c.description)} |")
    lines += ["", "| column | DfE definition | DfE field | match | note |",
              "|---|---|---|---|---|"]
    for c in COLUMNS:
        if c.dfe is not None:
            field = f"`{c.dfe_field}`" if c.dfe_field else "(children looked after)"
            lines.append(f"| `{c.name}` | {_cell(c.dfe)} | {field} | {c.dfe_match} | "
                         f"{_cell(c.dfe_note)} |")
    others = ", ".join(f"`{c.name}`" for c in COLUMNS if c.dfe is None)
    lines += ["", f"No DfE census counterpart: {others}."]
    return "\n".join(lines) + "\n"
