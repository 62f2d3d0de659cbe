"""Workforce invariants that hold exactly on every run of every valid scenario (Hypothesis).

Each example draws a random valid scenario that exercises the whole workforce
model: turnover (flat or by service band, caseload pressure), notice, retention
levers, recruitment rounds (success, time to hire, re-advertising), campaigns,
cohorts, establishment changes, agency cover (lead time, fill, placements,
renewal, early exit, release, conversion, pressure cover), academy intakes on
pathways with and without training, and teams that hold no cases
(``holds_cases = false``, ``caseload_cap = 0``). It runs one replication with
the staff log kept, and checks the month-end table against the staff log,
which is reconstructed independently of the recorder.

Attributing log events to months
--------------------------------
A month-end row is a snapshot taken *at* the month-end day ``D_m`` (the first
of the next month), before anything else due then: an event on day ``d``
belongs to month ``bisect_right(month_ends, d)``, so a cohort, an intake or an
establishment change dated the 1st of a month is in that month's row. The test
does not take this on trust: it records, for each spell of the staff log, how
many month-ends the recorder had closed when the spell opened and when it
ended (by wrapping the log's and the recorder's methods on the model instance,
without changing what they do), and checks that this is the month the rule
gives. Money is an integral over ``[D_{m-1}, D_m)``, so it needs no such
attribution.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.property.test_invariants import DISTS as INVARIANT_DISTS
from workforce_sim import Scenario
from workforce_sim.engine import Model, exact
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.scenario.calendar import add_months

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
KINDS = ("permanent", "nqsw", "agency", "trainee")
# The only changes of kind the model may make; anything else (agency -> nqsw, ...) is a bug.
ALLOWED_CHANGES = {("trainee", "nqsw"), ("nqsw", "permanent"), ("agency", "permanent")}
# Columns of the service row that must be the sums of the team rows; the rest are
# ratios and statistics (NOT_ADDITIVE, may be NaN) or recomputed from the service's
# totals (SERVICE: its vacancies and their agency cover, as the DfE counts a council's).
NOT_ADDITIVE = {"agency_rate", "vacancy_rate", "agency_cover_rate", "vacancy_agency_cover_rate",
                "caseload", "caseload_p90", "caseload_max", "load_ratio_mean", "mean_wait_days",
                "turnover_rate", "looked_after_3plus_rate"}
SERVICE = {"vacancy_fte", "agency_cover_fte"}
ADDITIVE = [c for c in COLUMNS if c not in NOT_ADDITIVE | SERVICE]
# Floating-point slack: sums of rate x time over many pieces, in days or pounds.
REL, ABS = 1e-9, 1e-6


# ------------------------------------------------------------------------ scenarios

# Durations (days): the families of tests/property/test_invariants.py.
DISTS = INVARIANT_DISTS
# Short delays (agency lead times, quick hiring), some landing on whole days.
SHORT_DISTS = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(1, 60)),
    st.builds(lambda v: {"dist": "fixed", "value": v}, st.sampled_from([1.0, 7.0, 14.0, 28.5, 31.0])),
    st.builds(lambda a, b: {"dist": "triangular", "min": a, "mode": a + b, "max": a + 2 * b},
              st.floats(0, 30), st.floats(1, 30)),
)


def pounds(most: float):
    """A price that accrues by the day: nothing, a tiny amount, or at least £1."""
    return st.one_of(st.just(0.0), st.floats(1e-7, 1e-5), st.floats(1, most))


@st.composite
def workforce_scenarios(draw) -> dict:
    """A random valid scenario (as a dict) that exercises every workforce process."""
    start = draw(st.sampled_from([dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2024, 9, 1)]))
    horizon = draw(st.one_of(st.integers(1, 6), st.integers(12, 36)))
    n_days = (add_months(start, horizon) - start).days

    def a_day() -> dt.date:
        return start + dt.timedelta(days=draw(st.integers(0, n_days - 1)))

    asye = draw(st.sampled_from([2.0, 6.0, 12.0]))
    n_teams = draw(st.integers(1, 3))
    teams = {}
    for i in range(n_teams):
        holds = i == 0 or draw(st.booleans())          # team0 always holds cases
        teams[f"team{i}"] = {
            "establishment_fte": draw(st.sampled_from([0.0, 1.0, 2.5, 4.0, 6.3, 8.0])),
            "caseload_cap": draw(st.sampled_from([2.5, 6, 12])) if holds else 0,
            "holds_cases": holds,
            "staff": {
                "permanent": [{"count": draw(st.integers(0, 4)),
                               "fte": draw(st.sampled_from([0.5, 0.8, 1.0])),
                               "service_years": draw(st.floats(0, 8))}],
                "nqsw": [{"count": draw(st.integers(0, 2)),
                          "months_served": draw(st.floats(0, asye - 0.01))}],
                "agency": [{"count": draw(st.integers(0, 2)),
                            "fte": draw(st.sampled_from([0.5, 1.0]))}],
            },
            "establishment_changes": [
                {"date": a_day(), "establishment_fte": draw(st.sampled_from([0.0, 2.0, 3.5, 7.0]))}
                for _ in range(draw(st.integers(0, 2)))],
        }
    holding = [t for t, v in teams.items() if v["holds_cases"]]
    if n_teams > 1 and draw(st.booleans()):            # a promotion route into one team
        into = draw(st.sampled_from(list(teams)))
        others = [t for t in teams if t != into]
        teams[into]["promotion"] = {
            "from_teams": {t: draw(st.sampled_from([0.0, 0.5, 1.0, 3.0])) for t in others},
            "internal_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "min_service_years": draw(st.sampled_from([0.0, 1.0, 3.0])),
            "time_days": draw(st.sampled_from([0.0, 14.0, 42.5])),
        }
        if not any(teams[into]["promotion"]["from_teams"].values()):
            teams[into]["promotion"]["from_teams"][others[0]] = 1.0

    n_types = draw(st.integers(1, 3))
    names = [f"type{j}" for j in range(n_types)]
    case_types = {}
    for name in names:
        targets = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        probs = draw(st.lists(st.floats(0, 0.45), min_size=len(targets), max_size=len(targets)))
        case_types[name] = {
            "team": draw(st.sampled_from(holding)),
            "weight": draw(st.sampled_from([0.5, 1.0, 2.0])),
            "referrals_per_year": draw(st.floats(0, 400)),
            "duration_days": draw(DISTS),
            "initial_open": draw(st.integers(0, 20)),
            "on_close": dict(zip(targets, probs, strict=True)),
            "priority": draw(st.integers(1, 2)),
        }

    bands = None
    if draw(st.booleans()):
        bands = [[0, draw(st.floats(0, 2))], [draw(st.floats(0.5, 6)), draw(st.floats(0, 1))]]
    permanent = {
        "annual_turnover": draw(st.floats(0, 1.5)),
        "turnover_by_service_years": bands,
        "pressure_threshold": draw(st.floats(0.5, 1.5)),
        "pressure_elasticity": draw(st.floats(0, 3)),
        "notice_days": draw(st.sampled_from([0.0, 14.0, 28.0, 45.5])),
        "salary": draw(st.floats(20_000, 60_000)),
        "on_cost_rate": draw(st.floats(0, 0.4)),
        "retention": [],
    }
    for _ in range(draw(st.integers(0, 2))):
        lever_start = a_day()
        length = draw(st.one_of(st.none(), st.integers(1, 400)))     # days; None: no end
        permanent["retention"].append({
            "start": lever_start,
            "end": lever_start + dt.timedelta(days=length) if length else None,
            "cost_per_fte_year": draw(pounds(7000)),
            "turnover_factor": draw(st.one_of(st.just(0.0), st.floats(0, 2))),
            "covers": draw(st.sampled_from([["permanent"], ["nqsw"], ["permanent", "nqsw"], []])),
        })
    cap_start = draw(st.floats(0, 1))
    nqsw = {"asye_months": asye, "capacity_start": cap_start,
            "capacity_end": draw(st.floats(cap_start, 1)), "salary": draw(st.floats(20_000, 40_000))}
    agency = {
        "cover_fraction": draw(st.floats(0, 1)),
        "lead_time_days": draw(SHORT_DISTS),
        "fill_probability": draw(st.floats(0.05, 1)),
        "placement_days": draw(DISTS),
        "renewal_probability": draw(st.floats(0, 1)),
        "early_exit_annual_rate": draw(st.floats(0, 3)),
        "conversion_annual_rate": draw(st.floats(0, 3)),
        "day_rate": draw(pounds(600)),
        "billable_days_per_year": draw(st.floats(100, 366)),
        "release_notice_days": draw(st.sampled_from([0.0, 28.0])),
        "capacity_factor": draw(st.sampled_from([0.5, 1.0, 1.5])),
        "pressure_cover_threshold": draw(st.floats(0.5, 1.5)),
        "pressure_cover_max_fte": draw(st.sampled_from([0.0, 0.0, 1.0, 3.0])),
        "return_as_agency": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "cooling_off_days": draw(st.sampled_from([0.0, 91.0])),
        "cooling_off_from": a_day(),
        "returner_available_days": draw(st.sampled_from([1.0, 30.0, 200.0])),
    }
    split = draw(st.lists(st.floats(0, 1), min_size=3, max_size=3).filter(lambda v: sum(v) > 0))
    permanent["destinations"] = dict(zip(("other_council", "agency", "out_of_la_social_work"),
                                         (v / sum(split) for v in split), strict=True))
    campaigns = []
    for _ in range(draw(st.integers(0, 2))):
        c_start = a_day()
        campaigns.append({"start": c_start,
                          "end": c_start + dt.timedelta(days=draw(st.integers(1, 300))),
                          "success_multiplier": draw(st.floats(0.5, 3)),
                          "speed_multiplier": draw(st.floats(0.5, 3)),
                          "cost": draw(st.floats(0, 100_000))})
    cohorts = [{"date": a_day(), "team": draw(st.sampled_from(list(teams))),
                "count": draw(st.integers(0, 4)), "early_months": draw(st.floats(0, 12)),
                "early_annual_turnover": draw(st.floats(0, 2)),
                "cost_per_hire": draw(st.floats(0, 10_000))}
               for _ in range(draw(st.integers(0, 2)))]
    recruitment = {
        "time_to_hire_days": draw(st.one_of(DISTS, SHORT_DISTS)),
        "success_probability": draw(st.floats(0, 1)),
        "readvertise_days": draw(st.sampled_from([0.0, 10.0, 30.0])),
        "cost_per_hire": draw(st.floats(0, 6000)),
        "campaigns": campaigns,
        "cohorts": cohorts,
    }

    pathways = {}
    for k in range(draw(st.integers(1, 3))):
        pathways[f"path{k}"] = {
            "training_months": draw(st.sampled_from([0.0, 1.5, 6.0, 16.0])),
            "completion_rate": draw(st.floats(0, 1)),
            "asye_pass_rate": draw(st.floats(0, 1)),
            "tie_in_months": draw(st.floats(0, 24)),
            "tie_in_turnover_factor": draw(st.one_of(st.just(0.0), st.floats(0, 2))),
            "cost_per_trainee_year": draw(pounds(30_000)),
            # graduates join at qualification, as the staff-log checks below expect
            # (placement in a post: tests/property/test_establishment.py)
            "when_no_post": "supernumerary",
        }
    # Distinct intake months, so each academy join identifies its pathway by its date.
    months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
    intakes = []
    for month in months:
        shares = draw(st.lists(st.floats(0.01, 1), min_size=n_teams, max_size=n_teams))
        total = sum(shares)
        intakes.append({"pathway": draw(st.sampled_from(list(pathways))), "month": month,
                        "sizes": draw(st.lists(st.integers(0, 6), min_size=1, max_size=3)),
                        "teams": {t: s / total for t, s in zip(teams, shares, strict=True)}})

    return {
        "schema_version": 1, "name": "random workforce", "start_date": start,
        "horizon_months": horizon, "teams": teams, "case_types": case_types,
        "workforce": {"permanent": permanent, "nqsw": nqsw, "agency": agency},
        "recruitment": recruitment,
        "academy": {"pathways": pathways, "intakes": intakes},
        "absence": {"rate": draw(st.sampled_from([0.0, 0.035, 0.1]))},
    }


# ---------------------------------------------------------------- running, with logs


class Run:
    """One replication with its staff log, each spell's month of opening and of
    ending (by the recorder's count of month-ends), and any moment at which a
    worker held more than their capacity."""

    def __init__(self, scenario: Scenario, seed: int):
        model = Model(scenario, seed, 0, keep_case_log=True)
        log, recorder, staffing = model.staff_log, model.recorder, model.staffing
        self.opened = [-1] * len(log.rows)      # rows so far: the workforce at the start
        self.ended: dict[int, int] = {}
        self.over_capacity: list[tuple] = []
        recorded = [0]                           # month-ends recorded so far
        change, end, settled = log.change, log.end, staffing._settled

        def logged_change(w, now):
            prev, n = w.spell, len(log.rows)
            change(w, now)
            if len(log.rows) > n:
                self.opened.append(recorded[0])
                if prev is not None:
                    self.ended[prev] = recorded[0]

        def logged_end(w, now):
            self.ended[w.spell] = recorded[0]
            end(w, now)

        def counted_close(month):              # a month-end hook, after the recorder's
            recorded[0] = month + 1

        def checked_settled(w):
            settled(w)
            for x in w.team.workers:
                if x.load > x.capacity + 1e-9:
                    self.over_capacity.append((model.env.now, x.id, x.kind, x.load, x.capacity))

        self.reviews, self.tally_errors = 0, []
        review = model.ctx.staffing_changed

        def checked_review(team):
            self.reviews += 1
            self.tally_errors += fte_tally_errors(team, model.env.now)
            review(team)

        log.change, log.end = logged_change, logged_end
        model.ctx.on_month_end(counted_close)
        staffing._settled = checked_settled
        model.ctx.staffing_changed = checked_review     # the "staffing changed" hook
        self.model = model.run()
        self.scenario = scenario
        self.monthly = pd.DataFrame(recorder.rows, columns=["m", "team", *COLUMNS])
        spells = log.frame()
        spells["opened"] = np.asarray(self.opened, dtype=np.int64)
        spells["ended"] = np.asarray([self.ended.get(i, -1) for i in range(len(spells))],
                                     dtype=np.int64)
        spells["start_day"] = spells["start_day"].astype(float)
        spells["end_day"] = spells["end_day"].astype(float)
        spells["fte"] = spells["fte"].astype(float)
        # a returner keeps their number: each stay in the council is a stint of its own
        left_before = spells["end"].eq("left").groupby(spells["worker_id"]).shift(1)
        stint = left_before.fillna(False).astype(int).groupby(spells["worker_id"]).cumsum()
        spells["stint"] = spells["worker_id"] + STINT * stint
        spells["first"] = ~spells.duplicated("stint", keep="first")
        spells["promoted_in"] = spells.groupby("stint")["end"].shift(1).eq("promoted")
        spells["initial"] = spells["opened"] == -1
        self.spells = spells


STINT = 10**6
"""Stint numbers: a worker's number plus this for each time they left before."""


def month_bounds(model) -> tuple[np.ndarray, np.ndarray]:
    ends = np.asarray(model.month_ends, dtype=float)
    return np.concatenate([[0.0], ends[:-1]]), ends


def per_month(spells: pd.DataFrame, month_col: str, weights, n_months: int) -> np.ndarray:
    """Sum of ``weights`` (per spell) by the month in ``month_col`` (months 0..n-1)."""
    out = np.zeros(n_months)
    w = np.broadcast_to(np.asarray(weights, dtype=float), (len(spells),))
    m = spells[month_col].to_numpy()
    ok = m >= 0
    np.add.at(out, m[ok], w[ok])
    return out


def overlap_days(spells: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, horizon: float,
                 window: tuple[float, float] = (0.0, math.inf)) -> np.ndarray:
    """Days of each spell (rows) inside each month (columns) and inside ``window``."""
    s = spells["start_day"].to_numpy()[:, None]
    e = spells["end_day"].fillna(horizon).to_numpy()[:, None]
    a = np.maximum(np.maximum(s, lo[None, :]), window[0])
    b = np.minimum(np.minimum(e, hi[None, :]), window[1])
    return np.clip(b - a, 0.0, None)


def close(a, b) -> bool:
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=REL, atol=ABS)


def intake_heads(s: Scenario, n_months: int, month_ends) -> dict:
    """Academy intake heads by (team, month index, trained or not), and each intake
    day's pathway, computed from the scenario (largest-remainder split, recomputed)."""
    heads = defaultdict(int)
    pathway_of_day = {}
    for intake in s.academy.intakes:
        p = s.academy.pathways[intake.pathway]
        d = dt.date(s.start_date.year, intake.month, 1)
        if d < s.start_date:
            d = dt.date(d.year + 1, d.month, 1)
        k = 0
        while d < s.end_date:
            size = intake.sizes[min(k, len(intake.sizes) - 1)]
            exact = {t: size * q for t, q in intake.teams.items()}
            split = {t: math.floor(x) for t, x in exact.items()}
            for t in sorted(exact, key=lambda t: -(exact[t] - split[t]))[:size - sum(split.values())]:
                split[t] += 1
            day = float((d - s.start_date).days)
            m = bisect.bisect_right(month_ends, day)       # the 1st belongs to its month
            pathway_of_day[day] = p
            for t, n in split.items():
                heads[t, m, p.training_months > 0] += n
            d, k = dt.date(d.year + 1, d.month, 1), k + 1
    return heads, pathway_of_day


# ------------------------------------------------------------------------- the test

COMMON = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# A fixed scenario that runs every process at once (two kinds of pathway, a tie-in
# with factor 0, levers, a campaign, a cohort, an establishment change, a team that
# holds no cases, conversions, pressure cover, leavers back as agency workers), checked
# on every test run.
RICH = {
    "schema_version": 1, "name": "every workforce process", "start_date": "2025-01-01",
    "horizon_months": 30,
    "teams": {
        "front": {"establishment_fte": 8, "caseload_cap": 6,
                  "staff": {"permanent": [{"count": 4, "fte": 0.8}], "agency": 2,
                            "nqsw": [{"count": 1, "months_served": 5}]},
                  "establishment_changes": [{"date": "2025-07-01", "establishment_fte": 10}]},
        "leads": {"establishment_fte": 2.5, "holds_cases": False,
                  "staff": {"permanent": 1, "agency": 1}},
    },
    "case_types": {"a": {"team": "front", "referrals_per_year": 150, "initial_open": 20,
                         "duration_days": {"dist": "exponential", "mean": 60}}},
    "workforce": {
        "permanent": {"annual_turnover": 0.8, "notice_days": 28,
                      "destinations": {"other_council": 0.2, "agency": 0.6,
                                       "out_of_la_social_work": 0.2},
                      "retention": [{"start": "2025-06-15", "end": "2026-03-01",
                                     "cost_per_fte_year": 3000, "turnover_factor": 0.5,
                                     "covers": ["permanent", "nqsw"]},
                                    {"start": "2026-04-01", "turnover_factor": 0.0,
                                     "cost_per_fte_year": 1000, "covers": ["permanent", "nqsw"]}]},
        "agency": {"conversion_annual_rate": 0.5, "early_exit_annual_rate": 1.0,
                   "pressure_cover_max_fte": 2, "capacity_factor": 1.0,
                   "return_as_agency": 0.8, "cooling_off_from": "2025-09-01"},
    },
    "recruitment": {
        "success_probability": 0.5, "readvertise_days": 20,
        "time_to_hire_days": {"dist": "triangular", "min": 20, "mode": 40, "max": 90},
        "campaigns": [{"start": "2025-03-10", "end": "2025-09-30", "success_multiplier": 1.5,
                       "speed_multiplier": 1.2, "cost": 30000}],
        "cohorts": [{"date": "2025-05-01", "team": "front", "count": 2, "cost_per_hire": 2500}],
    },
    "academy": {
        "pathways": {"direct": {"training_months": 0, "completion_rate": 0.8, "asye_pass_rate": 0.7,
                                "tie_in_months": 12, "tie_in_turnover_factor": 0.0,
                                "cost_per_trainee_year": 6000, "when_no_post": "supernumerary"},
                     "stepup": {"training_months": 6, "completion_rate": 0.7, "asye_pass_rate": 0.9,
                                "cost_per_trainee_year": 20000,
                                "when_no_post": "supernumerary"}},
        "intakes": [{"pathway": "direct", "month": 2, "sizes": [4, 6],
                     "teams": {"front": 0.75, "leads": 0.25}},
                    {"pathway": "stepup", "month": 9, "sizes": [5], "teams": {"front": 1.0}}],
    },
    "absence": {"rate": 0.035},
}


@COMMON
@example(RICH, 0)
@given(workforce_scenarios(), st.integers(0, 2**32 - 1))
def test_workforce_invariants(data, seed):
    """Exact identities between the month-end table and the staff log (each check's
    docstring says what it derives): a well-formed staff log with only the allowed
    changes of kind; nobody over capacity; nobody resigning at zero hazard;
    headcount stock-flow by kind; what each workforce flow column counts; the
    establishment, vacancy and DfE rates; FTE-days and every cost recomputed from
    the log; the service row as the sum of the teams; nothing negative."""
    s = Scenario.from_dict(data)
    run = Run(s, seed)
    model, df, spells = run.model, run.monthly, run.spells
    H = model.horizon_days
    M = s.horizon_months
    lo, hi = month_bounds(model)
    month_ends = list(model.month_ends)
    teams = list(s.teams)
    assert len(df) == M * (len(teams) + 1)
    assert list(df["m"].unique()) == list(range(M))

    check_staff_log(run, lo, hi, H)
    cases = model.case_log.frame()               # nothing in the case log at or after H either
    for col in ("queued_day", "allocated_day", "ended_day"):
        assert (cases[col].dropna() < H).all(), col
    assert set(cases["team"]) <= {t for t, v in s.teams.items() if v.holds_cases}
    check_nobody_over_capacity(run, df)
    check_no_resignation_at_zero_hazard(run, tie_in=True, levers=True)
    errors = run.tally_errors + [e for t in model.team_list for e in fte_tally_errors(t, H)]
    assert not errors, errors[:5]

    heads, pathway_of_day = intake_heads(s, M, month_ends)
    costs = s.workforce
    on = 1 + costs.permanent.on_cost_rate
    pay_perm = costs.permanent.salary * on / DAYS_PER_YEAR
    pay_nqsw = costs.nqsw.salary * on / DAYS_PER_YEAR
    agency_day = costs.agency.day_rate * costs.agency.billable_days_per_year / DAYS_PER_YEAR
    total_est = df[df.team == "all"].set_index("m")["establishment_fte"]

    for team in teams:
        t = df[df.team == team].set_index("m").sort_index()
        sp = spells[spells.team == team]
        check_stock_flow(s, team, t, sp, M)
        check_flow_columns(s, team, t, sp, M, heads)
        check_establishment_and_rates(s, team, t, model)
        check_money(s, team, t, sp, lo, hi, H, pay_perm, pay_nqsw, agency_day, on,
                    pathway_of_day, total_est, month_ends)

    check_service_row(df, teams)
    check_no_negatives(df)


# -------------------------------------------------------------------------- checks


def fte_tally_errors(team, now) -> list[tuple]:
    """The team's running FTE tallies (read by recruitment and agency cover) against
    the workers in post, summed exactly (``math.fsum`` is correctly rounded, as is
    the tallies' division): they must agree to the bit."""
    ws = team.workers
    truth = {
        "employed": math.fsum(w.fte for w in ws if w.kind in ("permanent", "nqsw")),
        "committed": math.fsum(w.fte for w in ws if w.kind in ("permanent", "nqsw")
                               and not w.leaving),
        "agency": math.fsum(w.fte for w in ws if w.kind == "agency" and not w.leaving),
    }
    kept = {k: exact.to_float(getattr(team, f"{k}_units")) for k in truth}
    return [(now, team.name, k, kept[k], truth[k]) for k in truth if kept[k] != truth[k]]


def check_staff_log(run: Run, lo, hi, H) -> None:
    """The staff log is well formed: nothing at or after the horizon, spells of a
    worker contiguous in one team at one FTE, only the allowed changes of kind
    (trainee -> nqsw, nqsw -> permanent, agency -> permanent: so no NQSW is
    ever an agency worker), and the recorder's month of each event is the one its day gives."""
    sp = run.spells
    s = run.scenario
    assert set(sp["kind"]) <= set(KINDS)
    assert (sp["start_day"] >= 0).all() and (sp["start_day"] < H).all()
    ended = sp["end_day"].notna()
    assert (sp.loc[ended, "end_day"] < H).all()
    assert (ended == sp["end"].isin(["left", "changed", "promoted"])).all()
    assert (sp.loc[ended, "end_day"] >= sp.loc[ended, "start_day"]).all()
    assert (sp.loc[sp["initial"], "start_day"] == 0).all()
    # The recorder's month of each event is the one its day gives: an event on a
    # month-end day D_m (the 1st) belongs to the month that starts then.
    month_ends = hi.tolist()
    for col, mcol in (("start_day", "opened"), ("end_day", "ended")):
        rows = sp[sp[mcol] >= 0]
        by_day = [bisect.bisect_right(month_ends, d) for d in rows[col]]
        assert rows[mcol].tolist() == by_day, col
    assert ((sp["ended"] >= 0) == ended).all()

    asye_days = s.workforce.nqsw.asye_months * DAYS_PER_MONTH
    for _, w in sp.groupby("stint", sort=False):
        rows = w.to_dict("records")
        assert len({r["fte"] for r in rows}) == 1
        for a, b in zip(rows, rows[1:], strict=False):
            assert a["end_day"] == b["start_day"]
            if a["end"] == "promoted":       # a permanent worker moves along a promotion route
                assert a["kind"] == b["kind"] == "permanent", (a, b)
                route = s.teams[b["team"]].promotion
                assert route is not None and route.from_teams.get(a["team"], 0) > 0, (a, b)
                continue
            assert a["end"] == "changed" and a["team"] == b["team"]
            assert (a["kind"], b["kind"]) in ALLOWED_CHANGES, (a, b)
        assert rows[-1]["end"] in ("left", "open")
        for r in rows:
            length = (r["end_day"] if r["end"] != "open" else H) - r["start_day"]
            if r["kind"] == "nqsw":
                # The ASYE: never longer than asye_months; a change to permanent comes
                # exactly at its end (for those who started it in the run).
                assert length <= asye_days + 1e-6
                if r["end"] == "changed" and not r["initial"]:
                    assert math.isclose(length, asye_days, abs_tol=1e-6)
            if r["kind"] == "trainee":
                p = pathway_for(s, r["start_day"])
                train = p.training_months * DAYS_PER_MONTH
                assert length <= train + 1e-6
                if r["end"] == "changed":    # academy graduates arrive exactly at intake + training
                    assert math.isclose(length, train, abs_tol=1e-6)
        if rows[0]["kind"] == "trainee":
            assert not rows[0]["initial"]


def pathway_for(s: Scenario, day: float):
    d = s.start_date + dt.timedelta(days=int(day))
    assert d.day == 1 and day == int(day)
    (intake,) = [i for i in s.academy.intakes if i.month == d.month]
    return s.academy.pathways[intake.pathway]


def check_nobody_over_capacity(run: Run, df: pd.DataFrame) -> None:
    """No case-holder's load exceeds their capacity: after any join, change of kind
    or departure, at any month end, nor at the horizon."""
    assert run.over_capacity == [], run.over_capacity[:5]
    assert (df["workers_over_cap"] == 0).all()
    for team in run.model.team_list:
        for w in team.workers:
            assert w.load <= w.capacity + 1e-9


def check_stock_flow(s: Scenario, team: str, t: pd.DataFrame, sp: pd.DataFrame, M: int) -> None:
    """Stock-flow by kind, per team and month, from the staff log:

    stock_k(m) = stock_k(m-1) + joins_k(m) + changes into k (m) - changes out of k (m)
                 - leavers_k(m),

    in FTE for permanent, nqsw and agency (the frame's ``*_fte`` columns) and by
    head for trainees, with stock_k(-1) the scenario's opening workforce. Joins
    are first spells of a worker (hires and cohorts: permanent; academy direct
    entry: nqsw; agency starts; trainees); changes are trainee -> nqsw
    (qualifying), nqsw -> permanent (end of the ASYE) and agency -> permanent
    (conversion), and a promotion is a change out of permanent in the old team and
    into permanent in the new one."""
    staff = s.teams[team].staff
    opening = {
        "permanent": sum(g.count * g.fte for g in staff.permanent),
        "nqsw": sum(g.count * g.fte for g in staff.nqsw),
        "agency": sum(g.count * g.fte for g in staff.agency),
        "trainee": 0.0,
    }
    column = {"permanent": "permanent_fte", "nqsw": "nqsw_fte", "agency": "agency_fte",
              "trainee": "trainees"}
    init = sp[sp["initial"]]
    for kind in KINDS:
        assert math.isclose(init.loc[init.kind == kind, "fte"].sum(), opening[kind], abs_tol=1e-9)
        k = sp[sp.kind == kind]
        size = k["fte"].to_numpy() if kind != "trainee" else np.ones(len(k))
        new = ~k["initial"].to_numpy()
        first = k["first"].to_numpy()
        changed, left = k.end.isin(["changed", "promoted"]).to_numpy(), (k.end == "left").to_numpy()
        joins = per_month(k[new & first], "opened", size[new & first], M)
        into = per_month(k[new & ~first], "opened", size[new & ~first], M)
        out = per_month(k[changed], "ended", size[changed], M)
        gone = per_month(k[left], "ended", size[left], M)
        stock = t[column[kind]].to_numpy()
        previous = np.concatenate([[opening[kind]], stock[:-1]])
        assert close(stock - previous, joins + into - out - gone), (team, kind)


def check_flow_columns(s: Scenario, team: str, t: pd.DataFrame, sp: pd.DataFrame, M: int,
                       heads: dict) -> None:
    """The monthly workforce flow columns count exactly these staff-log events:

    * ``hires``: workers whose first spell is permanent, opened in the month (every
      recruitment-round hire and every cohort hire; not conversions, not the end of
      an ASYE, not the opening workforce);
    * ``leavers_permanent`` / ``leavers_permanent_fte``: permanent and NQSW spells
      that end "left" (resigners after notice, ASYE failures), by head / FTE; their
      three destination columns add up to ``leavers_permanent``;
    * ``leavers_agency``: agency spells that end "left" (placement end, early exit,
      release); ``agency_releases`` is the part of these that were released, which
      the log does not record, so only ``0 <= agency_releases <= leavers_agency``;
    * ``agency_starts``: agency spells opened in the month (the opening workforce's
      placements are not starts); ``agency_returners`` is the part of these taken by
      returning former employees, which the log does not record, so only
      ``0 <= agency_returners <= agency_starts``;
    * ``conversions``: agency spells that end "changed" (always into permanent);
    * ``promotions``: spells opened in the team whose worker's previous spell ended
      "promoted" (in the source team);
    * ``academy_qualified``: trainee spells that end "changed" (into nqsw) plus
      workers whose first spell is nqsw (direct entry on a pathway with no training);
    * ``academy_dropouts``: trainee spells that end "left", plus the non-completers of
      pathways with no training, who never appear in the log: intake heads on such
      pathways less the NQSWs who joined from them.

    Intakes are checked too: trainees joining in a month = intake heads on pathways
    with training; NQSWs joining = at most the heads on pathways without."""
    new = ~sp["initial"]
    first = sp["first"]

    def count(mask, col):
        return per_month(sp[mask], col, 1.0, M)

    perm_joins = count(new & first & (sp.kind == "permanent"), "opened")
    assert (t["hires"].to_numpy() == perm_joins).all(), team
    assert (t["promotions"].to_numpy() == count(sp["promoted_in"], "opened")).all(), team
    employed_left = sp.kind.isin(["permanent", "nqsw"]) & (sp.end == "left")
    assert (t["leavers_permanent"].to_numpy() == count(employed_left, "ended")).all()
    assert close(t["leavers_permanent_fte"],
                 per_month(sp[employed_left], "ended", sp.loc[employed_left, "fte"], M))
    destinations = ["leavers_to_other_council", "leavers_to_agency",
                    "leavers_out_of_la_social_work"]
    assert (t[destinations].sum(axis=1) == t["leavers_permanent"]).all(), team
    agency_left = (sp.kind == "agency") & (sp.end == "left")
    assert (t["leavers_agency"].to_numpy() == count(agency_left, "ended")).all()
    assert ((t["agency_releases"] >= 0) & (t["agency_releases"] <= t["leavers_agency"])).all()
    assert (sp.loc[sp.kind == "agency", "first"]).all()          # nobody becomes agency
    assert (t["agency_starts"].to_numpy() == count(new & (sp.kind == "agency"), "opened")).all()
    assert ((t["agency_returners"] >= 0) & (t["agency_returners"] <= t["agency_starts"])).all()
    assert (t["conversions"].to_numpy()
            == count((sp.kind == "agency") & (sp.end == "changed"), "ended")).all()
    qualified = count((sp.kind == "trainee") & (sp.end == "changed"), "ended")
    direct = count(new & first & (sp.kind == "nqsw"), "opened")
    assert (t["academy_qualified"].to_numpy() == qualified + direct).all()
    untrained = np.array([heads.get((team, m, False), 0) for m in range(M)], dtype=float)
    trained = np.array([heads.get((team, m, True), 0) for m in range(M)], dtype=float)
    assert (direct <= untrained).all()
    assert (count(sp.kind == "trainee", "opened") == trained).all()
    dropouts = count((sp.kind == "trainee") & (sp.end == "left"), "ended") + untrained - direct
    assert (t["academy_dropouts"].to_numpy() == dropouts).all(), team


def check_establishment_and_rates(s: Scenario, team: str, t: pd.DataFrame, model) -> None:
    """Establishment follows its dated changes (one dated the 1st of a month first shows
    in that month's row; same-day changes apply in listed order); vacancy and
    over-establishment are max(0, ±(establishment - permanent - nqsw)); the DfE
    rates and the 12-month turnover follow their definitions."""
    spec = s.teams[team]
    changes = sorted(((float((c.date - s.start_date).days), i, c.establishment_fte)
                      for i, c in enumerate(spec.establishment_changes)))
    for m, day in enumerate(model.month_ends):
        est = spec.establishment_fte
        for d, _, fte in changes:
            if d < day:
                est = fte
        assert t.loc[m, "establishment_fte"] == est
    employed = t["permanent_fte"] + t["nqsw_fte"]
    assert close(t["vacancy_fte"], np.maximum(0.0, t["establishment_fte"] - employed))
    assert close(t["over_establishment_fte"], np.maximum(0.0, employed - t["establishment_fte"]))
    check_rates(t)


def check_rates(t: pd.DataFrame) -> None:
    assert close(t["fte_in_post"], t["permanent_fte"] + t["nqsw_fte"])
    employed = t["fte_in_post"].to_numpy()
    agency, vacancy = t["agency_fte"].to_numpy(), t["vacancy_fte"].to_numpy()
    assert close(t["vacancy_fte"], np.maximum(0.0, t["establishment_fte"] - t["fte_in_post"]))
    assert close(t["agency_cover_fte"], np.minimum(agency, vacancy))
    with np.errstate(invalid="ignore", divide="ignore"):
        agency_rate = np.where(agency + employed > 0, agency / (agency + employed), np.nan)
        vacancy_rate = np.where(vacancy + employed > 0, vacancy / (vacancy + employed), np.nan)
    np.testing.assert_allclose(t["agency_rate"], agency_rate, rtol=1e-12)
    np.testing.assert_allclose(t["vacancy_rate"], vacancy_rate, rtol=1e-12)
    cover = t["agency_cover_fte"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(t["agency_cover_rate"],
                                   np.where(agency > 0, cover / agency, np.nan), rtol=1e-12)
        np.testing.assert_allclose(t["vacancy_agency_cover_rate"],
                                   np.where(vacancy > 0, cover / vacancy, np.nan), rtol=1e-12)
        holders, held = t["case_holders_fte"].to_numpy(), t["allocated_cases"].to_numpy()
        np.testing.assert_allclose(t["caseload"], np.where(holders > 0, held / holders, np.nan),
                                   rtol=1e-12)
    parts = ["looked_after_no_worker", "looked_after_1_worker", "looked_after_2_workers",
             "looked_after_3plus_workers"]
    assert (t[parts].sum(axis=1) == t["looked_after"]).all()
    leavers = t["leavers_permanent_fte"].to_numpy()
    turnover = np.full(len(t), np.nan)
    for m in range(11, len(t)):
        turnover[m] = leavers[m - 11:m + 1].sum() / employed[m] if employed[m] > 0 else np.nan
    np.testing.assert_allclose(t["turnover_rate"], turnover, rtol=1e-9)


def check_money(s, team, t, sp, lo, hi, H, pay_perm, pay_nqsw, agency_day, on,
                pathway_of_day, total_est, month_ends) -> None:
    """Money recomputed from the staff log, per team and month ([D_{m-1}, D_m)):

    * ``<kind>_fte_days`` = sum over the kind's spells of FTE x days in the month;
    * ``cost_permanent`` = permanent FTE-days x salary x (1 + on-cost) / 365.25
      + NQSW FTE-days x NQSW salary x (1 + on-cost) / 365.25
      + for each retention lever and each kind it covers, FTE-days of that kind
        inside [start, end) x cost_per_fte_year x (1 + on-cost) / 365.25;
    * ``cost_agency`` = agency FTE-days x day_rate x billable_days_per_year / 365.25;
    * ``agency_premium`` = cost_agency - agency FTE-days x permanent pay a day;
    * ``cost_academy`` = trainee-days x cost_per_trainee_year / 365.25 of their
      pathway + (pathways with no training) days of the graduates' NQSW spell
      (the ASYE) x cost_per_trainee_year / 365.25;
    * ``cost_recruitment`` = cost_per_hire x recruitment-round hires + each cohort's
      count x its cost_per_hire in its month + campaign costs spread evenly over
      [start, end + 1 day) and shared between teams by month-end establishment;
    * ``cost_total`` = cost_permanent + cost_agency + cost_academy + cost_recruitment.
    """
    days = {k: overlap_days(sp[sp.kind == k], lo, hi, H) for k in KINDS}
    fte_days = {k: (sp.loc[sp.kind == k, "fte"].to_numpy()[:, None] * days[k]).sum(axis=0)
                for k in KINDS}
    assert close(t["permanent_fte_days"], fte_days["permanent"]), team
    assert close(t["nqsw_fte_days"], fte_days["nqsw"]), team
    assert close(t["agency_fte_days"], fte_days["agency"]), team

    retention = np.zeros(len(lo))
    for lever in s.workforce.permanent.retention:
        window = (float((lever.start - s.start_date).days),
                  float((lever.end - s.start_date).days) if lever.end else math.inf)
        for kind in lever.covers:
            k = sp[sp.kind == kind]
            d = overlap_days(k, lo, hi, H, window)
            retention += (k["fte"].to_numpy()[:, None] * d).sum(axis=0) \
                * lever.cost_per_fte_year * on / DAYS_PER_YEAR
    cost_permanent = fte_days["permanent"] * pay_perm + fte_days["nqsw"] * pay_nqsw + retention
    assert close(t["cost_permanent"], cost_permanent), team
    cost_agency = fte_days["agency"] * agency_day
    assert close(t["cost_agency"], cost_agency), team
    assert close(t["agency_premium"], cost_agency - fte_days["agency"] * pay_perm), team

    academy = np.zeros(len(lo))
    trainees = sp[sp.kind == "trainee"]
    graduates = sp[(sp.kind == "nqsw") & sp["first"] & ~sp["initial"]]   # direct entry
    for group in (trainees, graduates):
        if len(group):
            rate = np.array([pathway_of_day[d].cost_per_trainee_year for d in group["start_day"]])
            academy += (rate[:, None] * overlap_days(group, lo, hi, H)).sum(axis=0) / DAYS_PER_YEAR
    assert close(t["cost_academy"], academy), team

    cohort_heads = np.zeros(len(lo))
    cohort_cost = np.zeros(len(lo))
    for c in s.recruitment.cohorts:
        if c.team == team:
            m = bisect.bisect_right(month_ends, float((c.date - s.start_date).days))
            cohort_heads[m] += c.count
            cohort_cost[m] += c.count * c.cost_per_hire
    round_hires = t["hires"].to_numpy() - cohort_heads
    assert (round_hires >= 0).all()
    campaign = np.zeros(len(lo))
    for c in s.recruitment.campaigns:
        a = float((c.start - s.start_date).days)
        b = float((c.end - s.start_date).days) + 1
        campaign += c.cost * np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0, None) / (b - a)
    n_teams = len(s.teams)
    est = t["establishment_fte"].to_numpy()
    tot = total_est.sort_index().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(tot > 0, est / np.where(tot > 0, tot, 1), 1 / n_teams)
    recruitment = s.recruitment.cost_per_hire * round_hires + cohort_cost + campaign * share
    assert close(t["cost_recruitment"], recruitment), team
    total = t["cost_permanent"] + t["cost_agency"] + t["cost_academy"] + t["cost_recruitment"]
    assert close(t["cost_total"], total), team


def check_service_row(df: pd.DataFrame, teams: list[str]) -> None:
    """The "all" row is the sum of the team rows for every additive column, and its
    rates follow the same definitions."""
    service = df[df.team == "all"].set_index("m").sort_index()
    summed = df[df.team != "all"].groupby("m")[ADDITIVE].sum().sort_index()
    for c in ADDITIVE:
        assert close(service[c], summed[c]), c
    check_rates(service)


def check_no_negatives(df: pd.DataFrame) -> None:
    """No negative stock, flow, FTE-days or cost (the agency premium may be negative:
    a day rate below permanent pay is a saving)."""
    numeric = [c for c in COLUMNS if c != "agency_premium"]
    values = df[numeric]
    assert ((values >= 0) | values.isna()).all().all(), \
        values.columns[(values < 0).any()].tolist()
    no_nan = [c for c in numeric if c not in NOT_ADDITIVE]
    assert df[no_nan].notna().all().all()


# ------------------------------------------------------------------ capacity, in full


# Regression (a bug once): an agency worker with capacity_factor 1.5 holds 15
# cases against a cap of 10; they used to convert into the vacant post keeping all
# 15 cases against a permanent capacity of 10. They now convert only if the cases fit.
CONVERSION_OVERLOAD = {
    "schema_version": 1, "name": "conversion over capacity", "start_date": "2025-01-01",
    "horizon_months": 3,
    "teams": {"t": {"establishment_fte": 1, "caseload_cap": 10, "staff": {"agency": 1}}},
    "case_types": {"c": {"team": "t", "duration_days": {"dist": "fixed", "value": 1000},
                         "initial_open": 15}},
    "workforce": {"agency": {"capacity_factor": 1.5, "conversion_annual_rate": 50,
                             "early_exit_annual_rate": 0,
                             "placement_days": {"dist": "fixed", "value": 1000}}},
    "recruitment": {"success_probability": 0},
    "absence": {"rate": 0},
}


@COMMON
@example(CONVERSION_OVERLOAD, 0)
@given(workforce_scenarios(), st.integers(0, 2**32 - 1))
def test_nobody_over_capacity(data, seed):
    """No case-holder's load ever exceeds their capacity, for every valid scenario."""
    run = Run(Scenario.from_dict(data), seed)
    check_nobody_over_capacity(run, run.monthly)


# ---------------------------------------------------- nobody resigns at zero hazard


def resignations(run: Run) -> list[tuple[int, float, str]]:
    """(worker, day, kind at that day) of each resignation: a permanent or NQSW
    departure ``notice_days`` after resigning. ASYE failures (academy NQSWs who
    leave exactly at the end of their ASYE, without notice) are not resignations."""
    s, H = run.scenario, run.model.horizon_days
    notice = s.workforce.permanent.notice_days
    asye_days = s.workforce.nqsw.asye_months * DAYS_PER_MONTH
    out = []
    for wid, w in run.spells.groupby("stint", sort=False):
        last = w.iloc[-1]
        if last["end"] != "left" or last["kind"] not in ("permanent", "nqsw"):
            continue
        academy = w.iloc[0]["kind"] == "trainee" or (w.iloc[0]["kind"] == "nqsw"
                                                     and not w.iloc[0]["initial"])
        if academy and last["kind"] == "nqsw" and math.isclose(
                last["end_day"] - last["start_day"], asye_days, abs_tol=1e-6):
            continue                               # failed the ASYE
        day = last["end_day"] - notice
        ends = w["end_day"].fillna(H).to_numpy()
        (i,) = np.nonzero((w["start_day"].to_numpy() <= day) & (day <= ends))[0][-1:]
        out.append((wid, day, w.iloc[i]["kind"]))
    return out


def graduates(run: Run) -> list[tuple[int, float, object]]:
    """(worker, day qualified, pathway) of each academy graduate."""
    s, sp = run.scenario, run.spells
    out = []
    for wid, w in sp.groupby("stint", sort=False):
        first = w.iloc[0]
        if first["kind"] == "trainee" and first["end"] == "changed":
            out.append((wid, first["end_day"], pathway_for(s, first["start_day"])))
        elif first["kind"] == "nqsw" and not first["initial"]:
            out.append((wid, first["start_day"], pathway_for(s, first["start_day"])))
    return out


def check_no_resignation_at_zero_hazard(run: Run, tie_in: bool = True, levers: bool = True):
    """Nobody resigns while their leaving hazard is zero: inside the window of a
    retention lever with ``turnover_factor = 0`` that covers their kind *on that day*
    (an NQSW becomes permanent at the end of the ASYE), nor during the tie-in of an
    academy pathway with ``tie_in_turnover_factor = 0``."""
    s = run.scenario
    tol = 1e-7
    quits = resignations(run)
    if levers:
        for lever in s.workforce.permanent.retention:
            if lever.turnover_factor != 0:
                continue
            a = float((lever.start - s.start_date).days)
            b = float((lever.end - s.start_date).days) if lever.end else math.inf
            bad = [q for q in quits if a + tol < q[1] < b - tol and q[2] in lever.covers]
            assert not bad, (lever, bad)
    if tie_in:
        when = {wid: day for wid, day, _ in quits}
        for wid, day, p in graduates(run):
            if p.tie_in_turnover_factor == 0 and wid in when:
                assert not day + tol < when[wid] < day + p.tie_in_months * DAYS_PER_MONTH - tol, \
                    (wid, day, when[wid], p)


# Regression (a bug once): a lever with turnover_factor 0 covers permanent staff
# from day 0, for ever. Six NQSWs, 6 months into their ASYE, with a turnover of
# 1 a year and no caseload pressure. Three become permanent on day 182.625 and
# used to resign anyway (days 253.9, 291.2, 458.5 with seed 0), because their
# hazard to the horizon was integrated while they were NQSWs, whom the lever
# does not cover; the ASYE end is now a point where the hazard changes.
LEVER_KIND_LAG = {
    "schema_version": 1, "name": "permanent-only lever", "start_date": "2025-01-01",
    "horizon_months": 24,
    "teams": {"t": {"establishment_fte": 10, "caseload_cap": 10,
                    "staff": {"nqsw": [{"count": 6, "months_served": 6}]}}},
    "case_types": {"c": {"team": "t", "duration_days": {"dist": "fixed", "value": 30}}},
    "workforce": {"permanent": {"annual_turnover": 1.0, "pressure_elasticity": 0,
                                "notice_days": 0,
                                "retention": [{"start": "2025-01-01", "turnover_factor": 0.0,
                                               "covers": ["permanent"]}]},
                  "agency": {"cover_fraction": 0}},
    "recruitment": {"success_probability": 0},
    "absence": {"rate": 0},
}


@COMMON
@example(LEVER_KIND_LAG, 0)
@given(workforce_scenarios(), st.integers(0, 2**32 - 1))
def test_no_resignation_under_a_zero_lever(data, seed):
    """Nobody resigns while a retention lever with turnover_factor 0 covers their kind."""
    run = Run(Scenario.from_dict(data), seed)
    check_no_resignation_at_zero_hazard(run, tie_in=False, levers=True)


# ------------------------------------------------------- tiny rates still accrue


# Regression (a bug once): four trainees on a pathway costing £1e-7 a trainee-year (2.7e-10 £ a day each)
# join on day 0; a direct-entry NQSW (£1 a year) joins on 1 June; the trainees
# qualify on day 182.6 and the NQSW fails a 2-month ASYE on day 211.9. The
# trainees' cost used to be dropped while they trained (cost_academy 0 for
# January-May instead of 3.4e-8) and subtracted when they qualified, leaving a
# negative academy cost for ever.
TINY_RATES = {
    "schema_version": 1, "name": "tiny academy cost", "start_date": "2025-01-01",
    "horizon_months": 12,
    "teams": {"t": {"establishment_fte": 0, "caseload_cap": 10}},
    "case_types": {"c": {"team": "t", "duration_days": {"dist": "fixed", "value": 30}}},
    "workforce": {"nqsw": {"asye_months": 2}},
    "academy": {
        "pathways": {"slow": {"training_months": 6, "cost_per_trainee_year": 1e-7},
                     "direct": {"training_months": 0, "asye_pass_rate": 0,
                                "cost_per_trainee_year": 1.0}},
        "intakes": [{"pathway": "slow", "month": 1, "sizes": [4], "teams": {"t": 1}},
                    {"pathway": "direct", "month": 6, "sizes": [1], "teams": {"t": 1}}]},
}


def test_tiny_rates_accrue():
    """Costs accrued at any positive rate are never negative and match the staff log
    (degenerate prices: £1e-7 a trainee-year)."""
    run = Run(Scenario.from_dict(TINY_RATES), 0)
    t = run.monthly[run.monthly.team == "t"]
    assert (t["cost_academy"] >= 0).all(), t["cost_academy"].tolist()
    lo, hi = month_bounds(run.model)
    trainees = run.spells[run.spells.kind == "trainee"]
    expected = overlap_days(trainees, lo, hi, run.model.horizon_days).sum(axis=0) \
        * 1e-7 / DAYS_PER_YEAR
    assert np.allclose(t["cost_academy"].to_numpy()[:5], expected[:5], rtol=1e-6, atol=0)
