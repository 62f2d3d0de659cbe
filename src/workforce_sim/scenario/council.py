"""A scenario for any English council, built from the DfE's published tables.

:func:`council_toml` writes a commented scenario file from one council's
children's social work workforce census (30 September of ``year``) and its
children-in-need, child-protection, looked-after and population tables (years
to 31 March of ``year``; mid-year population); :func:`council_scenario` loads
that text with the package's own loader, so the file and the object never
disagree. Nothing in the council's or England's tables dated after 30
September of ``year`` is read, so a scenario for an earlier year can serve a
backtest. What the tables cannot give is a default from the calibration
evidence, the same for every year: pay and prices, the shapes of the case
durations (England's child protection plans ending in 2024-25, child in need
episodes in 2017), seasonality; the file marks each.

How the figures map to the model (``scenarios/herefordshire_2025.toml`` is the
hand-built example of the same shape):

* Teams. The census's case-holding FTE (employed and agency) go to the three
  case-holding teams, ``assessment``, ``safeguarding`` (child in need and child
  protection) and ``children_in_care``, in proportion to the cases each holds;
  everyone else in post or on agency to ``practice_leadership``, a team that
  holds no cases. Agency FTE are in the service's agency rate in every team;
  vacancies are split in proportion to FTE in post, and each establishment is
  in post plus vacancies. FTE are written to 0.1 (the census's precision) and
  the splits keep every service total the census's own.
* Demand. Referrals (c1), child protection plans started (d3) and children
  starting to be looked after (cla) set the flows; the stocks at 31 March
  (b1 children in need, less those on plans and looked after; d5 plans; cla)
  split the census's cases among the case types. The census counts fewer cases
  than the DfE's tables count children open (some are held by staff who are
  not social workers), so every flow is scaled by the same share, cases /
  children open: each type's ``λ·E[D]`` is then its opening stock.
* Workforce. Turnover and absence are the census's; the recruitment success
  probability is chosen so that the model's hire rate per vacancy matches the
  census's starters; agency cover is agency FTE / vacancies.

A figure the census does not publish for the year (suppressed or missing) is
estimated from the council's latest earlier census, else from England's, and
the file says which and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workforce_sim._version import __version__
from workforce_sim.data.councils import SERIES, dfe_code
from workforce_sim.data.tables import NEIGHBOURS, DataError, local_authority_rows, number, read_rows
from workforce_sim.scenario.distributions import Empirical, Lognormal
from workforce_sim.scenario.history import (
    BOUNDS,
    READVERTISE_DAYS,
    TIME_TO_HIRE,
    CouncilTrend,
    caseload_response,
    council_trends,
    pressure_fit,
    success_from_starters,
    unreported_zero,
)
from workforce_sim.scenario.loading import scenario_from_text
from workforce_sim.scenario.schema import DESTINATIONS, LeaverDestinations, Scenario

#: The case-holding teams and the case types each holds.
CASE_TEAMS = {"assessment": ("assessment",), "safeguarding": ("cin", "cp"),
              "children_in_care": ("cla",)}
#: The team of social workers who hold no cases.
OTHER_TEAM = "practice_leadership"

#: England, child protection plans ending 2024-25, by duration (days) [S] S5.
CP_BINS = ((0, 91, 0.159), (91, 182, 0.110), (182, 365, 0.435), (365, 730, 0.252),
           (730, 1095, 0.044))
#: England, child in need episodes (2017), by duration (days) [S] S5.
CIN_BINS = ((0, 91, 0.383), (91, 182, 0.165), (182, 365, 0.190), (365, 730, 0.168),
            (730, 1095, 0.095))
#: Assessment: lognormal median and 90th percentile (days) [E], as the Herefordshire baseline.
ASSESSMENT = (27, 50)
#: Looked-after periods: the shape of the Herefordshire baseline (p90 / median) [E].
CLA_SPREAD = 2200 / 600
#: Child protection plans that end in care, and that step down to a child in need plan [E].
CP_TO_CLA, CP_TO_CIN = 0.15, 0.45
#: Soft caseload cap per FTE [E] calibration default, and the headroom above today's caseload.
SOFT_CAP, HEADROOM = 18, 1.1
DAYS_PER_YEAR = 365.25
LOOKED_AFTER = "Children looked after on 31 March each year"
STARTING = "Children starting to be looked after each year"
SEASONALITY = "[1.05, 1.05, 1.05, 0.95, 1.05, 1.05, 1.0, 0.85, 1.0, 1.05, 1.05, 0.85]"

OGL = ("Contains public sector information licensed under the Open Government Licence v3.0. "
       "Source: Department for Education; Office for National Statistics.")


@dataclass
class Figure:
    """A value and where it came from: ``tag`` is S (sourced), D (derived) or E (estimate)."""

    value: float
    tag: str
    note: str

    def says(self) -> str:
        return f"[{self.tag}] {self.note}"


@dataclass
class _Table:
    """One published table, rows dated no later than the scenario's year."""

    file: str
    rows: list[dict[str, str]]
    first: int = 0       # the first year in the file, before the cut
    by: dict[tuple[int, str, str], dict[str, str]] = field(default_factory=dict)
    england: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, stem: str, data: str | Path | None, year: int,
             dimension: str | None = None) -> _Table:
        file, rows = read_rows(stem, data)
        years = [_year(r, file) for r in rows]
        kept = [r for r, y in zip(rows, years, strict=True) if y <= year]
        t = cls(file, kept, min(years, default=0))
        for r in kept:
            kind = r[dimension] if dimension else ""
            key = (_year(r, file), kind)
            if r["geographic_level"] == "National":
                t.england[key] = r
            elif r["geographic_level"] == "Local authority":
                t.by.setdefault((*key[:1], r["old_la_code"], kind), r)
        return t

    def cell(self, year: int, code: str, column: str, kind: str = "") -> tuple[float, str]:
        r = self.by.get((year, code, kind))
        if r is None:
            return math.nan, "no row"
        return _number(r, column, self.file)

    def national(self, year: int, column: str, kind: str = "") -> float:
        r = self.england.get((year, kind))
        return _number(r, column, self.file)[0] if r is not None else math.nan

    def years(self, code: str) -> list[int]:
        return sorted({y for (y, c, _) in self.by if c == code})

    def latest(self, code: str, column: str, kind: str = "",
               before: int | None = None) -> tuple[int, float] | None:
        """The latest year (before ``before``) the council's ``column`` is published, and its value."""
        return next(((y, v) for y in reversed(self.years(code)) if (before is None or y < before)
                     and not math.isnan(v := self.cell(y, code, column, kind)[0])), None)


def _year(row: dict[str, str], file: str) -> int:
    try:
        return int(row["time_period"][:4])
    except ValueError:
        raise DataError(f"{file}: time_period {row['time_period']!r}: expected a year") from None


def _number(row: dict[str, str], column: str, file: str) -> tuple[float, str]:
    if column not in row:
        raise DataError(f"{file}: no column {column}; expected the DfE's published columns")
    try:
        return number(row[column])
    except DataError as exc:
        raise DataError(f"{file}, column {column}, {row['la_name'] or 'England'} "
                        f"{row['time_period']}: {exc}") from None


# ------------------------------------------------------------------- the census


#: Census measures read, and what an unpublished one is estimated from: None for a
#: rate or a level (the latest earlier census, then England's for a rate); a measure
#: name for a ratio to it (the council's latest earlier ratio, then England's).
CENSUS_MEASURES: dict[str, str | None] = {
    "inpost_fte": None, "agency_fte": "inpost_fte", "vacancy_fte": "inpost_fte",
    "case_holders_fte": "inpost_fte", "cases": "case_holders_fte", "starters_fte": "inpost_fte",
    "turnover_rate_fte": None, "absence_rate_fte": None,
}
RATES = ("turnover_rate_fte", "absence_rate_fte")


def _census_figures(t: _Table, code: str, year: int, name: str) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    earlier = [y for y in t.years(code) if y < year][::-1]
    for measure, base in CENSUS_MEASURES.items():
        value, status = t.cell(year, code, measure)
        where = f"census {year}, {measure}"
        if not math.isnan(value) and not (
                measure == "turnover_rate_fte"
                and unreported_zero(value, out["inpost_fte"].value)):
            out[measure] = Figure(value, "S", where)
            continue
        if not math.isnan(value):
            status = (f"published as 0 for {_fmt(out['inpost_fte'].value)} FTE in post, taken "
                      "as not reported")
        if status.startswith("low"):
            out[measure] = Figure(0.0, "S", f"{where} published as 'low' (rounds to zero): 0")
            continue
        why = f"{measure} {year} not published ({status})"
        if base is None:
            prev = t.latest(code, measure, before=year)
            if prev is not None:
                out[measure] = Figure(prev[1], "E", f"{why}: {name}'s census {prev[0]}")
            elif measure in RATES and not math.isnan(e := t.national(year, measure)):
                out[measure] = Figure(e, "E", f"{why}: England's census {year}")
            else:
                raise DataError(f"{t.file}: {name} {year}: {measure} not published "
                                f"({status}) and no earlier census to estimate it from")
            continue
        b = out[base].value
        prev_ratio = None
        for y in earlier:
            v, vb = t.cell(y, code, measure)[0], t.cell(y, code, base)[0]
            if not (math.isnan(v) or math.isnan(vb)) and vb > 0:
                prev_ratio = (y, v / vb)
                break
        if prev_ratio is not None:
            y, ratio = prev_ratio
            out[measure] = Figure(ratio * b, "E", f"{why}: {name}'s census {y} ratio to "
                                  f"{base} ({ratio:.3f}) × {base} {year}")
        else:
            num, den = t.national(year, measure), t.national(year, base)
            if math.isnan(num) or math.isnan(den) or den <= 0:
                raise DataError(f"{t.file}: {name} {year}: {measure} not published ({status}), "
                                f"with no earlier census or England figure to estimate it from")
            ratio = num / den
            out[measure] = Figure(ratio * b, "E", f"{why}: England's {year} ratio to {base} "
                                  f"({ratio:.3f}) × {base} {year}")
    return out


# -------------------------------------------------------------------- demand


def financial_year(year: int) -> str:
    """The DfE's label for the financial year to 31 March ``year`` (``2022-23`` for 2023)."""
    return f"{year - 1}-{year % 100:02d}"


def _demand(t: _Table, pop: _Table, parts: Sequence[str], year: int, column: str,
            kind: str = "", what: str = "", stock: bool = False) -> Figure:
    """A demand figure for the year to 31 March ``year``, summed over ``parts``; a
    missing one from the latest earlier year, else England's rate per child."""
    stem = t.file.split("_20")[0].split(".")[0]
    when: Callable[[int], str] = (lambda y: f"31 March {y}") if stock else financial_year
    total, tags, notes = 0.0, set(), []
    for code in parts:
        value, status = t.cell(year, code, column, kind)
        label = f"{stem} {column}{f' ({what})' if what else ''}"
        if not math.isnan(value):
            total += value
            tags.add("S")
            notes.append(f"{label}, {when(year)}")
            continue
        why = f"{label} {when(year)} not published ({status})"
        prev = t.latest(code, column, kind, before=year)
        if prev is not None:
            total += prev[1]
            tags.add("E")
            notes.append(f"{why}: {when(prev[0])} instead")
            continue
        if t.first > year:
            raise DataError(f"{t.file}: its first year is {t.first}, after {when(year)}; a "
                            f"scenario for {year} uses no later data: give a folder (data=, "
                            "--data) with an earlier release of this table")
        children = pop.latest(code, "population_estimate", "Children aged 0 to 17 years")
        rate = math.nan if children is None else t.national(year, column, kind) / pop.national(
            children[0], "population_estimate", "Children aged 0 to 17 years")
        if children is None or math.isnan(rate):
            raise DataError(f"{t.file}: {column} for council {code}, {when(year)}: not "
                            "published, no earlier year and no population to estimate it from")
        total += rate * children[1]
        tags.add("E")
        notes.append(f"{why} and no earlier year: England's rate per child × {children[1]:,.0f} "
                     f"children (ONS mid-{children[0]})")
    tag = "E" if "E" in tags else "S"
    if len(parts) > 1:
        notes = [f"sum of the joint return's {len(parts)} councils: " + "; ".join(dict.fromkeys(notes))]
    return Figure(total, tag, "; ".join(notes))


# ------------------------------------------------------------------ arithmetic


def _split(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """``total`` whole units in proportion to ``weights`` (largest remainder), each
    positive weight getting at least ``minimum`` when there are enough."""
    n = len(weights)
    positive = [i for i, w in enumerate(weights) if w > 0]
    if total <= 0 or not positive:
        return [0] * n
    base = [0] * n
    if minimum and total >= minimum * len(positive):
        for i in positive:
            base[i] = minimum
    rest = total - sum(base)
    s = sum(weights[i] for i in positive)
    exact = [rest * w / s if w > 0 else 0.0 for w in weights]
    out = [base[i] + math.floor(exact[i]) for i in range(n)]
    left = total - sum(out)
    for i in sorted(positive, key=lambda i: (-(exact[i] - math.floor(exact[i])), i))[:left]:
        out[i] += 1
    return out


def _fmt(x: float, digits: int = 1) -> str:
    text = f"{round(x, digits):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _tenths(x: float) -> str:
    return _fmt(x / 10, 1)


def _staff_groups(tenths: int) -> str:
    """Whole-time workers and one part-time worker for the remainder, in TOML."""
    whole, part = divmod(tenths, 10)
    if not part:
        return str(whole)
    groups = ([f"{{ count = {whole} }}"] if whole else []) + [f"{{ count = 1, fte = 0.{part} }}"]
    return f"[{', '.join(groups)}]"


def _worker_ftes(tenths: int) -> list[float]:
    whole, part = divmod(tenths, 10)
    return [1.0] * whole + ([part / 10] if part else [])


def _cap(cases: int, ftes: list[float], absence: float) -> int:
    """The smallest whole caseload cap, at least the soft cap and today's caseload with
    headroom, at which every worker's whole cases add up to ``cases``."""
    fte = sum(ftes)
    if fte <= 0:
        return SOFT_CAP
    cap = max(SOFT_CAP, math.ceil(HEADROOM * cases / fte / (1 - absence) - 1e-9))
    while sum(math.floor(cap * f * (1 - absence) + 1e-9) for f in ftes) < cases:
        cap += 1
    return cap


# ------------------------------------------------------------------- the file


class _Text:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str = "") -> None:
        self.lines.append(f"# {text}".rstrip())

    def blank(self) -> None:
        self.lines.append("")

    def rule(self, dashes: int, title: str) -> None:
        """A section's heading, after a blank line."""
        self.blank()
        self.comment(f"{'-' * dashes} {title}")

    def table(self, name: str, note: str = "") -> None:
        """A table's header, after a blank line."""
        self.blank()
        self.subtable(name, note)

    def subtable(self, name: str, note: str = "") -> None:
        """A table's header straight after its parent's values."""
        self.value(f"[{name}]", note) if note else self.lines.append(f"[{name}]")

    def value(self, code: str, note: str) -> None:
        self.lines.append(f"{code:<34}# {note}" if len(code) < 34 else f"{code}   # {note}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class _Council:
    code: str            # the census's old_la_code ("940 / 941" for a joint return)
    parts: list[str]     # the councils' own DfE codes
    name: str
    ons: str
    region: str
    year: int


def _find(council: str, year: int | None, census: _Table, all_rows: list[dict[str, str]]) -> _Council:
    councils = local_authority_rows(all_rows)
    code = dfe_code(council, councils, census.file)
    years = census.years(code)
    all_years = sorted({_year(r, census.file) for r in councils if r["old_la_code"] == code})
    if year is None:
        year = max(_year(r, census.file) for r in councils)
    if year not in years:
        name = next(r["la_name"] for r in councils if r["old_la_code"] == code)
        if year < all_years[0]:
            hint = f"its first is {all_years[0]} (reorganised councils start with their first census)"
        else:
            hint = f"it has {all_years[0]} to {all_years[-1]}"
        raise DataError(f"{census.file}: {name} has no census for {year}; {hint}")
    row = census.by[(year, code, "")]
    return _Council(code, [c.strip() for c in code.split("/")], row["la_name"],
                    row["new_la_code"], row["region_name"], year)


def _neighbours(c: _Council, data: str | Path | None) -> list[str]:
    try:
        file, rows = read_rows(NEIGHBOURS, data)
    except DataError:
        return []
    names = {r["old_la_code"]: r["la_name"] for r in rows}
    out = []
    for part in c.parts:
        for r in rows:
            if r["old_la_code"] == part:
                listed = [f"{names.get(r[f'SN_{i}'], r[f'SN_{i}'])} ({r[f'SN_{i}']}, "
                          f"{r[f'SN_{i}P'].strip().lower()})" for i in range(1, 11)]
                who = f"{r['la_name']}: " if len(c.parts) > 1 else ""
                out.append(f"{who}{'; '.join(listed)} [{file}]")
    return out


def council_toml(council: str, year: int | None = None, *, data: str | Path | None = None) -> str:
    """A commented scenario file for an English council, from the DfE's published data.

    Every value carries a comment naming its table, column and year, marked
    [S] sourced, [D] derived or [E] estimate. Nothing dated after 30 September
    of ``year`` is read: the census of ``year`` (30 September), the
    children-in-need, child-protection and looked-after tables for years to
    31 March of ``year`` or earlier, ONS mid-year populations to mid-``year``.

    Parameters
    ----------
    council : str
        Its name (``"Herefordshire"``, with "did you mean" if misspelt), ONS code
        (``"E06000019"``) or DfE code (``"884"``). A joint return (``"North
        Northamptonshire"``) gives the joint service: the census's joint figures
        and both councils' demand.
    year : int, optional
        The census year the scenario starts from: it starts on 1 October of that
        year. Default the latest census in the data.
    data : str or Path, optional
        A folder with the DfE's files (a newer release); default the shipped ones.

    Returns
    -------
    str
        The scenario as TOML text; :func:`council_scenario` loads it.

    Raises
    ------
    DataError
        No such council, no census for ``year`` (naming the years there are), or
        a file or column missing from ``data``.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> text = ws.council_toml("Herefordshire", 2024)
    >>> text.splitlines()[0]
    "# Herefordshire, County of: children's social work, from the DfE's data for 2024."
    """
    year = None if year is None else int(year)
    cut = 9999 if year is None else year
    census_file, census_rows = read_rows(SERIES["workforce"], data)
    census = _Table.read(SERIES["workforce"], data, cut)
    c = _find(council, year, census, census_rows)
    year = c.year
    if year != cut:
        census = _Table.read(SERIES["workforce"], data, year)
    ref = _Table.read(SERIES["referrals"], data, year, "category")
    cin_t = _Table.read(SERIES["children_in_need"], data, year, "category")
    cps = _Table.read(SERIES["child_protection_plans"], data, year, "category")
    cp_open = _Table.read(SERIES["child_protection_durations"], data, year, "category")
    cla_t = _Table.read(SERIES["looked_after"], data, year, "population_type")
    pop = _Table.read(SERIES["population"], data, year, "age_group")

    def dem(t: _Table, column: str, kind: str | None = None, stock: bool = False) -> Figure:
        if kind is None:        # a table with one category: its rows' own
            kind = min((k for (_, _, k) in t.by), default="")
            return _demand(t, pop, c.parts, year, column, kind, stock=stock)
        return _demand(t, pop, c.parts, year, column, kind, kind, stock)

    f = _census_figures(census, c.code, year, c.name)
    referrals = dem(ref, "referral_count")
    cin_all = dem(cin_t, "At31_episodes", stock=True)
    cp_starts = dem(cps, "CPP_start")
    cp_stock = dem(cp_open, "CPP_At31", stock=True)
    cla_stock = dem(cla_t, "children_count", LOOKED_AFTER, stock=True)
    cla_starts = dem(cla_t, "children_count", STARTING)
    return _write(_Sourced(c, f, referrals, cin_all, cp_starts, cp_stock, cla_stock, cla_starts,
                           census.file, [t.file for t in (ref, cin_t, cps, cp_open, cla_t, pop)],
                           _neighbours(c, data), council_trends(c.code, year, data),
                           _last_growth(census, c.code, year), data))


def published_referrals(code: str, data: str | Path | None = None) -> dict[int, float]:
    """A council's referrals (the c1 table's ``referral_count``) in each financial year
    the DfE published them for, by the year to 31 March; a joint return
    (``"940 / 941"``) sums its councils, in the years every one is published.

    Parameters
    ----------
    code : str
        The census's DfE code (``old_la_code``).
    data : str or Path, optional
        A folder with the DfE's files; default the shipped ones.

    Returns
    -------
    dict of int to float
        Years with a published count above 0.

    Raises
    ------
    DataError
        No referrals table in ``data``, or no such column.
    """
    t = _Table.read(SERIES["referrals"], data, 9999, "category")
    kind = min((k for (_, _, k) in t.by), default="")
    parts = [p.strip() for p in code.split("/")]
    out = {}
    for y in sorted({y for (y, c, _) in t.by if c in parts}):
        values = [t.cell(y, p, "referral_count", kind)[0] for p in parts]
        if all(v > 0 for v in values):      # NaN (suppressed, no row) compares False
            out[y] = sum(values)
    return out


def council_scenario(council: str, year: int | None = None, *,
                     data: str | Path | None = None) -> Scenario:
    """A scenario for an English council, from the DfE's published data.

    The scenario is :func:`council_toml`'s text loaded with the package's own
    loader, so it is validated as a user's file is and never differs from the
    file ``workforce-sim init`` writes.

    Parameters
    ----------
    council : str
        Its name, ONS code or DfE code (as for :func:`council_toml`).
    year : int, optional
        The census year it starts from (1 October of that year); default the latest.
    data : str or Path, optional
        A folder with the DfE's files; default the shipped ones.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    DataError
        No such council, no census for ``year``, or a file or column missing.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> s = ws.council_scenario("E06000019", 2024)
    >>> s.start_date.isoformat(), sorted(s.teams)[0]
    ('2024-10-01', 'assessment')
    """
    text = council_toml(council, year, data=data)
    slug = "".join(ch if ch.isalnum() else "_" for ch in council.strip().lower())
    return scenario_from_text(text, f"<council {slug} {year or 'latest'}>")


def default_file_name(council: str, year: int | None = None, *,
                      data: str | Path | None = None) -> str:
    """``herefordshire_2025.toml``: the file ``workforce-sim init`` writes by default.

    Parameters
    ----------
    council : str
        Its name, ONS code or DfE code.
    year : int, optional
        The census year; default the latest.
    data : str or Path, optional
        A folder with the DfE's files.

    Returns
    -------
    str
    """
    file, rows = read_rows(SERIES["workforce"], data)
    census = _Table.read(SERIES["workforce"], data, 9999 if year is None else int(year))
    c = _find(council, None if year is None else int(year), census, rows)
    names = [n.split(",")[0] for n in c.name.split(" / ")]
    stem = "_".join("".join(ch if ch.isalnum() else "_" for ch in n.lower()).strip("_")
                    for n in names)
    while "__" in stem:
        stem = stem.replace("__", "_")
    return f"{stem}_{c.year}.toml"


# ------------------------------------------------------------------ the writing


#: The model's reading of each case-holding team, for its table's comment.
TEAM_NOTES = {"assessment": "assessments of referrals",
              "safeguarding": "child in need and child protection",
              "children_in_care": "children looked after"}
BASELINE = "[E] as the Herefordshire baseline"


@dataclass
class _Sourced:
    """What :func:`council_toml` read for one council, and from which files."""

    council: _Council
    census: dict[str, Figure]
    referrals: Figure
    cin_all: Figure            # children in need at 31 March, on plans and looked after too
    cp_starts: Figure
    cp_stock: Figure
    cla_stock: Figure
    cla_starts: Figure
    census_file: str
    demand_files: list[str]
    neighbours: list[str]
    trends: dict[str, CouncilTrend]
    last_growth: Figure | None  # the establishment's growth over the year to the census
    data: str | Path | None


@dataclass
class _Staffing:
    """The census in tenths of an FTE, its published precision, so splits add back exactly."""

    in_post: int
    agency: int
    vacant: int
    holders: int               # case-holding FTE, employed and agency
    holders_agency: int
    cases: int
    capped: bool               # the census's case holders were more than in post and agency
    absence: float             # a fraction

    @property
    def holders_employed(self) -> int:
        return self.holders - self.holders_agency


@dataclass
class _Durations:
    """Mean durations (days) of each case type, and the shapes the file writes."""

    assessment: float
    cin: float
    cp_bins: list[tuple[int, int, float]]
    cp: float
    cp_scale: float            # the council's CP mean / England's, limited to 0.25-4
    cp_scale_raw: float
    cla_median: int
    cla_p90: int
    cla: float
    cla_own: bool              # from the council's own flows, not England's mean


@dataclass
class _Demand:
    """The census's cases split as the DfE's stocks; ``share`` scales every flow."""

    referrals: float
    cin_only: float
    cin_note: str
    stocks: dict[str, float]
    open_total: float
    share: float
    initial: dict[str, int]


@dataclass
class _Routing:
    """What a closing case continues as, and the scaled flows the file writes."""

    to_cp: float               # an assessment that leads to a plan
    to_cin: float              # an assessment that leads to a child in need plan
    to_cla: float              # an assessment that leads into care
    cp_to_cla: float
    cp_to_cin: float
    referrals: float
    cla_direct: float          # entries to care a year not from a plan (unscaled)
    steady: dict[str, float]   # open cases in steady state, by type


@dataclass
class _Teams:
    """Tenths of an FTE by team: the case-holding teams (in CASE_TEAMS order), then OTHER_TEAM."""

    names: list[str]
    cases: list[int]           # cases to caps: the case-holding teams only
    holders: list[int]
    holders_agency: list[int]
    caps: list[int]
    employed: list[int]        # employed to vacant: every team
    agency: list[int]
    vacant: list[int]


@dataclass
class _Build:
    """Everything a file is written from."""

    sourced: _Sourced
    staff: _Staffing
    durations: _Durations
    demand: _Demand
    routing: _Routing
    teams: _Teams

    @property
    def year(self) -> int:
        return self.sourced.council.year


def _staffing(s: _Sourced) -> _Staffing:
    f, c = s.census, s.council
    p10 = round(10 * f["inpost_fte"].value)
    a10 = round(10 * f["agency_fte"].value)
    h10 = round(10 * f["case_holders_fte"].value)
    if p10 + a10 <= 0:
        raise DataError(f"{s.census_file}: {c.name} {c.year}: no social workers in post or on "
                        "agency; nothing to build from")
    # case holders are at most everyone, agency among them at the service's rate, but
    # no more employed among them than are in post
    held = min(h10, p10 + a10)
    ha = max(min(a10, round(held * a10 / (a10 + p10))), held - p10)
    return _Staffing(p10, a10, round(10 * f["vacancy_fte"].value), held, ha,
                     round(f["cases"].value), h10 > p10 + a10,
                     f["absence_rate_fte"].value / 100)


def _durations(s: _Sourced) -> _Durations:
    """CP: England's shape at the council's own mean (stock / starts); CLA: the
    baseline's spread at the council's own mean; assessment and CIN as England's."""
    cp_mean_nat = Empirical(dist="empirical", bins=CP_BINS).mean
    lam_cp, lam_cla = s.cp_starts.value, s.cla_starts.value
    if lam_cp > 0 and s.cp_stock.value > 0:
        k_raw = s.cp_stock.value / lam_cp * DAYS_PER_YEAR / cp_mean_nat
        k = min(4.0, max(0.25, k_raw))
    else:
        k_raw = k = 1.0
    cp_bins = [(round(lo * k), round(hi * k), p) for lo, hi, p in CP_BINS]
    sigma = math.log(CLA_SPREAD) / 1.2815515655446004
    cla_own = lam_cla > 0 and s.cla_stock.value > 0
    cla_mean = s.cla_stock.value / lam_cla * DAYS_PER_YEAR if cla_own else 2.5 * DAYS_PER_YEAR
    cla_median = max(1, round(cla_mean / math.exp(sigma**2 / 2)))
    cla_p90 = max(cla_median + 1, round(cla_median * CLA_SPREAD))
    return _Durations(
        Lognormal(dist="lognormal", median=ASSESSMENT[0], p90=ASSESSMENT[1]).mean,
        Empirical(dist="empirical", bins=CIN_BINS).mean,
        cp_bins, Empirical(dist="empirical", bins=cp_bins).mean, k, k_raw,
        cla_median, cla_p90, Lognormal(dist="lognormal", median=cla_median, p90=cla_p90).mean,
        cla_own)


def _open_cases(s: _Sourced, cases: int, d: _Durations) -> _Demand:
    """The stocks at 31 March (assessments under way as referrals × mean duration) and
    the census's cases split among them."""
    c, y, r = s.council, s.council.year, s.referrals.value
    if r <= 0:
        raise DataError(f"{c.name} {financial_year(y)}: no referrals published; nothing to build demand from")
    cin_only = s.cin_all.value - s.cp_stock.value - s.cla_stock.value
    cin_note = (f"children in need at 31 March {y} ({_fmt(s.cin_all.value, 0)}) less those on "
                f"plans ({_fmt(s.cp_stock.value, 0)}) and looked after ({_fmt(s.cla_stock.value, 0)})")
    if cin_only < 0:
        cin_note += ": below 0 as published, taken as 0"
        cin_only = 0.0
    stocks = {"assessment": r * d.assessment / DAYS_PER_YEAR, "cin": cin_only,
              "cp": s.cp_stock.value, "cla": s.cla_stock.value}
    open_total = sum(stocks.values())
    if open_total <= 0:
        raise DataError(f"{c.name} {y}: no children open in the published tables")
    initial = dict(zip(stocks, _split(cases, list(stocks.values())), strict=True))
    return _Demand(r, cin_only, cin_note, stocks, open_total, cases / open_total, initial)


def _routing(s: _Sourced, dem: _Demand, d: _Durations) -> _Routing:
    """Routing from the unscaled flows (the share scales them all), written to 0.001
    rounded down so no probabilities sum above 1. Every entry to care comes through
    the front door: from a plan, else from an assessment (a child referred into care
    is assessed first, and the stability measure counts that worker)."""
    r, lam_cp, lam_cla = dem.referrals, s.cp_starts.value, s.cla_starts.value
    to_cp = min(1.0, lam_cp / r)
    cp_to_cla = min(CP_TO_CLA, lam_cla / lam_cp) if lam_cp > 0 else 0.0
    direct_cla = max(0.0, lam_cla - cp_to_cla * lam_cp)
    to_cla = min(1.0 - to_cp, direct_cla / r)
    # the entries to child in need that keep its stock: from plans first, then assessments
    need_cin = dem.cin_only * DAYS_PER_YEAR / d.cin
    cp_to_cin = min(CP_TO_CIN, need_cin / lam_cp, 1 - cp_to_cla) if lam_cp > 0 else 0.0
    to_cin = max(0.0, min(1.0 - to_cp - to_cla, (need_cin - cp_to_cin * lam_cp) / r))
    to_cp, to_cin, to_cla, cp_to_cla, cp_to_cin = (
        math.floor(x * 1000) / 1000 for x in (to_cp, to_cin, to_cla, cp_to_cla, cp_to_cin))
    ref_model = round(r * dem.share, 1)
    # the steady state the written values imply, for the header
    l_cp = ref_model * to_cp
    l_cin = ref_model * to_cin + cp_to_cin * l_cp
    l_cla = ref_model * to_cla + cp_to_cla * l_cp
    steady = {"assessment": ref_model * d.assessment, "cin": l_cin * d.cin, "cp": l_cp * d.cp,
              "cla": l_cla * d.cla}
    return _Routing(to_cp, to_cin, to_cla, cp_to_cla, cp_to_cin, ref_model, direct_cla,
                    {k: v / DAYS_PER_YEAR for k, v in steady.items()})


def _teams(staff: _Staffing, dem: _Demand) -> _Teams:
    """Case-holding FTE by cases held (0.1 at least to a team with cases), agency at the
    service's rate; vacancies in proportion to FTE in post."""
    team_cases = [sum(dem.initial[t] for t in types) for types in CASE_TEAMS.values()]
    team_h = _split(staff.holders, team_cases, minimum=1)
    team_a = _split(staff.holders_agency, team_h)
    for i in range(len(team_a)):           # never more agency than FTE in a team
        over = team_a[i] - team_h[i]
        if over > 0:
            team_a[i] -= over
            j = max(range(len(team_a)), key=lambda j: team_h[j] - team_a[j])
            team_a[j] += over
    team_e = [h - a for h, a in zip(team_h, team_a, strict=True)]
    employed = [*team_e, staff.in_post - staff.holders_employed]
    agency = [*team_a, staff.agency - staff.holders_agency]
    # a service with no one in post splits its vacancies by agency instead
    vacant = _split(staff.vacant, employed if sum(employed) else
                    [e + a for e, a in zip(employed, agency, strict=True)])
    caps = [_cap(n, _worker_ftes(e) + _worker_ftes(a), staff.absence)
            for n, e, a in zip(team_cases, team_e, team_a, strict=True)]
    return _Teams([*CASE_TEAMS, OTHER_TEAM], team_cases, team_h, team_a, caps,
                  employed, agency, vacant)


def _raw_success(staff: _Staffing, starters: float) -> float | None:
    return success_from_starters(staff.vacant / 10, starters)


def _success_probability(staff: _Staffing, year: int, starters: float) -> Figure:
    """The probability at which the model's hire rate per vacancy is the census's starters."""
    vacant = staff.vacant / 10
    raw = _raw_success(staff, starters)
    if raw is None:
        return Figure(0.5, "E", f"schema default: no vacancies or no starters in census {year}, "
                      "so no hire rate to match")
    fill_days = DAYS_PER_YEAR * vacant / starters
    note = (f"a post takes (time to hire + {READVERTISE_DAYS}) / p − {READVERTISE_DAYS} days to "
            f"fill; the census's {_fmt(starters)} starters FTE for {_fmt(vacant)} vacant FTE mean "
            f"{fill_days:.0f} days (starters_fte, vacancy_fte {year})")
    if raw > 1:
        note += "; capped at 1: hires come faster than the time to hire allows"
    return Figure(min(1.0, max(0.01, raw)), "D", note)


#: Agency FTE per vacant FTE, at most (the schema's bound on cover_fraction).
MAX_COVER = 5.0


def _agency_cover(staff: _Staffing, year: int) -> Figure:
    a10, v10 = staff.agency, staff.vacant
    if v10 <= 0:
        return Figure(1.0, "E", f"no vacancies in census {year}: all cover kept")
    note = f"agency_fte / vacancy_fte, census {year}: {_tenths(a10)} / {_tenths(v10)}"
    if a10 > v10:
        note += " (above 1: agency also covers absence or work beyond the establishment)"
    if a10 > MAX_COVER * v10:
        note += f"; capped at {MAX_COVER:g}"
    return Figure(min(MAX_COVER, a10 / v10), "D", note)


def _last_growth(census: _Table, code: str, year: int) -> Figure | None:
    """The establishment's growth (in post + vacancies) from the census a year before."""
    def establishment(y: int) -> float:
        return census.cell(y, code, "inpost_fte")[0] + census.cell(y, code, "vacancy_fte")[0]

    now, before = establishment(year), establishment(year - 1)
    if not (now > 0 and before > 0):
        return None
    lo, hi = BOUNDS["establishment_growth"]
    g = min(hi, max(lo, math.log(now / before)))
    return Figure(g, "D", f"log of inpost_fte + vacancy_fte, census {year - 1} to {year}: "
                  f"{_fmt(before)} to {_fmt(now)}")


def _write(s: _Sourced) -> str:
    """The file, in the order a reader checks it: where it came from, then each table."""
    staff = _staffing(s)
    durations = _durations(s)
    demand = _open_cases(s, staff.cases, durations)
    b = _Build(s, staff, durations, demand, _routing(s, demand, durations), _teams(staff, demand))
    w = _Text()
    _write_header(w, b)
    _write_summary(w, b)
    _write_neighbours(w, s.neighbours)
    _write_scenario(w, s.council)
    _write_teams(w, b)
    w.rule(69, f"demand, scaled by {demand.share:.3f} [D]")
    _write_assessment(w, b)
    _write_cin(w, b)
    _write_cp(w, b)
    _write_cla(w, b)
    w.rule(74, "workforce")
    _write_workforce(w, b)
    _write_recruitment(w, b)
    _write_trends(w, b)
    _write_review(w, b)
    return w.text()


def _write_header(w: _Text, b: _Build) -> None:
    """Who, when and from which files."""
    c, y = b.sourced.council, b.year
    w.comment(f"{c.name}: children's social work, from the DfE's data for {y}.")
    w.comment()
    w.comment(f"Council: {c.name}; ONS code {c.ons}; DfE code {c.code}; region {c.region}.")
    if len(c.parts) > 1:
        w.comment("A joint return: the census reports these councils' children's social work "
                  "together,")
        w.comment("so this scenario is the joint service: the census's joint figures and the sum "
                  "of the councils' demand.")
    w.comment(f"Starts 1 October {y} from the workforce census at 30 September {y}; demand from "
              f"the years to 31 March {y};")
    w.comment(f"nothing in the DfE's tables dated after 30 September {y} is used (the file "
              "serves a backtest);")
    w.comment("defaults the tables cannot give (pay, prices, the shapes of case durations) are the "
              "calibration evidence's, marked [E] or [S].")
    w.comment(f"Written by workforce-sim init (workforce_sim {__version__}); edit it as you would "
              "any scenario.")
    w.comment()
    w.comment("Sources (the DfE's and ONS's published files, read as released):")
    for file in [b.sourced.census_file, *b.sourced.demand_files]:
        w.comment(f"  {file}")
    w.comment(OGL)
    w.comment("  [S] sourced, [D] derived from sourced figures, [E] estimate (tunable; see "
              "docs/scenario-reference.md).")
    w.comment()


def _write_summary(w: _Text, b: _Build) -> None:
    """How the census and the tables became teams and cases, and every estimate made."""
    st, dem, y = b.staff, b.demand, b.year
    w.comment(f"The census at 30 September {y}: {_tenths(st.in_post)} FTE in post, "
              f"{_tenths(st.agency)} agency FTE, {_tenths(st.vacant)} vacant FTE,")
    w.comment(f"{_tenths(st.holders)} case-holding FTE (employed and agency) holding {st.cases} "
              "cases. The census has no count of newly")
    w.comment("qualified staff: all employees are permanent here [E] (add your ASYE cohort as "
              "nqsw groups).")
    w.comment("The case-holding teams hold the case-holding FTE, split by the cases each holds, "
              f"{_fmt(100 * st.holders_agency / max(st.holders, 1))} % agency")
    w.comment(f"(the service's agency rate) [D]; {OTHER_TEAM} holds everyone else (managers, "
              "senior practitioners, reviewing")
    w.comment("officers). Vacancies are split in proportion to FTE in post; establishment = in "
              "post + vacancies [D].")
    w.comment(f"The DfE's tables count {dem.open_total:,.0f} children open (assessments under way, "
              "children in need, on plans,")
    w.comment(f"looked after); the census counts {st.cases} cases held by social workers, a share "
              f"of {dem.share:.3f}. Cases are split in")
    w.comment("proportion to those stocks and every flow is scaled by that share, so that each "
              "type's λ·E[D] is its")
    steady = b.routing.steady
    w.comment(f"opening stock [D]. The parameters imply {sum(steady.values()):,.0f} open cases in "
              f"steady state ({st.cases} at the start): "
              + ", ".join(f"{k} {v:,.0f}" for k, v in steady.items()) + ".")
    if st.capped:
        w.comment("The census's case-holding FTE exceed its FTE in post and agency: taken as all "
                  "of them [D].")
    for x in b.sourced.census.values():
        if x.tag == "E":
            w.comment(f"Estimated: {x.note} [E].")
        elif "'low'" in x.note:
            w.comment(f"Note: {x.note} [S].")


def _write_neighbours(w: _Text, neighbours: list[str]) -> None:
    if neighbours:
        w.comment()
        w.comment("Statistical neighbours (the DfE's model; for comparison only, not used in any "
                  "value):")
        for line in neighbours:
            w.comment(f"  {line}")


def _write_scenario(w: _Text, c: _Council) -> None:
    """The scenario's own top-level keys."""
    y = c.year
    w.blank()
    w.value("schema_version = 1", "the file format this package reads")
    w.value(f'name = "{_toml_text(c.name)}, {y} (DfE data)"', "shown on every output")
    w.value(f'description = "The service as the DfE\'s {y} workforce census and {financial_year(y)} '
            'children in need and looked-after tables found it."', "what this scenario is for")
    w.value(f"start_date = {y}-10-01", f"[D] the day after the census of 30 September {y}")
    w.value("horizon_months = 60", "[E] five years")


def _write_teams(w: _Text, b: _Build) -> None:
    t, st, y = b.teams, b.staff, b.year
    w.rule(70, f"teams [D] from census {y}")
    for i, name in enumerate(t.names):
        holds = i < len(CASE_TEAMS)
        w.table(f"teams.{name}", TEAM_NOTES.get(name, "social workers who hold no cases"))
        w.value(f"establishment_fte = {_tenths(t.employed[i] + t.vacant[i])}",
                f"[D] {_tenths(t.employed[i])} in post + {_tenths(t.vacant[i])} of the "
                f"{_tenths(st.vacant)} vacant FTE (vacancy_fte, in proportion to FTE in post)")
        if holds:
            fte = t.holders[i] / 10
            load = t.cases[i] / fte if fte else 0.0
            w.value(f"caseload_cap = {t.caps[i]}",
                    f"[D/E] at least the soft cap {SOFT_CAP} [E] and {t.cases[i]} cases / "
                    f"{_fmt(fte)} FTE = {load:.1f} with {round(100 * (HEADROOM - 1))} % headroom "
                    "and absence, so every case is allocated")
        else:
            w.value("holds_cases = false", "[D] in the agency and vacancy rates, not in caseloads")
            w.value(f'role = "{OTHER_TEAM_ROLE}"', "[E] social workers who hold no cases are "
                    "mostly managers and reviewing officers; paid as team managers")
        w.subtable(f"teams.{name}.staff")
        if holds:
            permanent = (f"[D] its share of case_holders_fte {y} ({_tenths(t.holders[i])} FTE, by "
                         "cases held), less agency; all permanent [E]")
            agency = (f"[D] {_tenths(t.holders[i])} FTE × the agency rate (agency_fte / (agency_fte "
                      f"+ inpost_fte) {y})")
        else:
            permanent = (f"[D] inpost_fte {y} ({_tenths(st.in_post)}) less the case holders "
                         f"employed ({_tenths(st.holders_employed)})")
            agency = (f"[D] agency_fte {y} ({_tenths(st.agency)}) less the case holders on agency "
                      f"({_tenths(st.holders_agency)})")
        w.value(f"permanent = {_staff_groups(t.employed[i])}", permanent)
        w.value(f"agency = {_staff_groups(t.agency[i])}", agency)


def _initial_open(w: _Text, b: _Build, kind: str, why: str) -> None:
    """A case type's share of the census's cases, as its stock's share of those open."""
    dem = b.demand
    w.value(f"initial_open = {dem.initial[kind]}",
            f"[D] {b.staff.cases} cases × {dem.stocks[kind]:,.0f} / {dem.open_total:,.0f}{why}")


def _write_assessment(w: _Text, b: _Build) -> None:
    s, dem, rt = b.sourced, b.demand, b.routing
    r = dem.referrals
    w.table("case_types.assessment")
    w.value('team = "assessment"', "[D] assessments are held by the assessment team")
    w.value("weight = 1.0", "[E] one caseload point per case, as the census counts cases")
    w.value(f"referrals_per_year = {_fmt(rt.referrals)}",
            f"[D] {_fmt(r, 0)} referrals × {dem.share:.3f}; {s.referrals.says()}")
    w.value(f'duration_days = {{ dist = "lognormal", median = {ASSESSMENT[0]}, '
            f'p90 = {ASSESSMENT[1]} }}',
            f"[E] mean ≈ {b.durations.assessment:.0f} days, as the Herefordshire baseline")
    _initial_open(w, b, "assessment", " (referrals × mean duration: assessments under way)")
    w.value(f"on_close = {{ cin = {_fmt(rt.to_cin, 3)}, cp = {_fmt(rt.to_cp, 3)}, "
            f"cla = {_fmt(rt.to_cla, 3)} }}",
            f"[D] cp: {_fmt(s.cp_starts.value, 0)} plans started / {_fmt(r, 0)} referrals; cla: "
            f"the {_fmt(rt.cla_direct, 0)} entries to care a year not from a plan / "
            f"{_fmt(r, 0)} referrals (every child entering care is assessed first); cin: the "
            "rate that keeps the children-in-need stock")
    w.value("priority = 1", BASELINE)
    w.value(f"seasonality = {SEASONALITY}", "[E] ±10 %, dipping in August and December")


def _write_cin(w: _Text, b: _Build) -> None:
    s = b.sourced
    w.table("case_types.cin")
    w.value('team = "safeguarding"', "[D] child in need plans (not on a plan, not looked after)")
    w.value(f'duration_days = {{ dist = "empirical", bins = {_bins(CIN_BINS)} }}',
            f"[S] England, CIN episodes by duration (2017), "
            f"calibration README; mean ≈ {b.durations.cin:.0f} days")
    _initial_open(w, b, "cin", f": {b.demand.cin_note}; {s.cin_all.says()}; "
                  f"{s.cp_stock.says()}; {s.cla_stock.says()}")
    w.value("priority = 2", BASELINE)


def _write_cp(w: _Text, b: _Build) -> None:
    s, d, rt = b.sourced, b.durations, b.routing
    w.table("case_types.cp")
    w.value('team = "safeguarding"', "[D] child protection plans")
    if s.cp_starts.value <= 0 or s.cp_stock.value <= 0:
        note = "[S] England's CP plans ending 2024-25 by duration: no plans to scale by"
    else:
        note = (f"[D] England's CP plans ending 2024-25 by duration [S], time scaled × "
                f"{d.cp_scale:.2f} to the council's mean, plans open / started = {d.cp:.0f} days")
        if d.cp_scale != d.cp_scale_raw:
            note += f" (× {d.cp_scale_raw:.2f} limited to 0.25-4)"
    w.value(f'duration_days = {{ dist = "empirical", bins = {_bins(d.cp_bins)} }}', note)
    _initial_open(w, b, "cp", f"; {s.cp_stock.says()}")
    w.value(f"on_close = {{ cin = {_fmt(rt.cp_to_cin, 3)}, cla = {_fmt(rt.cp_to_cla, 3)} }}",
            f"[E] step-down {CP_TO_CIN} and entry to care {CP_TO_CLA} as the Herefordshire "
            "baseline, lowered if the flows are smaller; plans started: " + s.cp_starts.says())
    w.value("priority = 1", BASELINE)


def _write_cla(w: _Text, b: _Build) -> None:
    s, d, rt = b.sourced, b.durations, b.routing
    w.table("case_types.cla")
    w.value('team = "children_in_care"', "[D] children looked after")
    w.value("looked_after = true", "[D] counted in the DfE stability measure")
    w.comment(f"Entries to care: {_fmt(s.cla_starts.value, 0)} a year starting to be looked "
              f"after ({s.cla_starts.says()}), {_fmt(rt.cp_to_cla, 3)} × "
              f"{_fmt(s.cp_starts.value, 0)} from plans and the rest from assessments [D]:")
    w.comment("no child is referred straight into care, so each has an assessment worker "
              "first.")
    note = (f"[D] mean ≈ {d.cla / DAYS_PER_YEAR:.1f} years = looked after at 31 March / "
            f"starting in the year; spread as the Herefordshire baseline [E]"
            if d.cla_own else "[E] mean ≈ 2.5 years (England, calibration README): no flows "
            "to estimate the council's own")
    w.value(f'duration_days = {{ dist = "lognormal", median = {d.cla_median}, '
            f'p90 = {d.cla_p90} }}', note)
    _initial_open(w, b, "cla", f"; {s.cla_stock.says()}")
    w.value("priority = 1", BASELINE)


def _write_workforce(w: _Text, b: _Build) -> None:
    """Permanent, newly qualified and agency staff: the census's turnover and agency
    cover, the rest calibration defaults."""
    t = b.sourced.census["turnover_rate_fte"]
    w.table("workforce.permanent")
    w.value(f"annual_turnover = {_fmt(t.value / 100, 3)}", t.says())
    w.value("pressure_threshold = 1.0", "[E] turnover rises once open work exceeds capacity")
    fit = pressure_fit(b.year, b.sourced.data)
    if fit is None:
        w.value("pressure_elasticity = 1.5", "[E] calibration default")
    else:
        w.value(f"pressure_elasticity = {_fmt(max(0.0, fit.elasticity), 2)}", fit.says()
                + ("; below 0, taken as 0" if fit.elasticity < 0 else ""))
    w.value("notice_days = 28", "[E] calibration default")
    w.value("salary = 40000", "[E] published scales (calibration README)")
    w.value("on_cost_rate = 0.30", "[D] employer NI, pension and levy (calibration README)")
    _write_destinations(w)
    w.table("workforce.nqsw")
    w.value("asye_months = 12", "[S] ASYE framework")
    w.value("capacity_start = 0.4", "[S] ASYE workload ramp (Newham)")
    w.value("capacity_end = 0.9", "[S] ASYE workload ramp (Newham)")
    w.value("salary = 34000", "[E] published scales (calibration README)")
    cover = _agency_cover(b.staff, b.year)
    w.table("workforce.agency")
    w.value(f"cover_fraction = {_fmt(cover.value, 3)}", cover.says())
    w.value("day_rate = 370", "[E] ≈ £50 an hour (calibration README)")
    w.value("billable_days_per_year = 225", "[E] calibration default")
    w.value("return_as_agency = 0", "[E] no source gives the share of leavers to agency work "
            "who come back to their own council; off")
    # the agency rules (least experience, cooling-off, notice) are the schema's: S8's, dated
    _write_roles(w)


#: NJC pay points 2024-25 (£ a year) [S] the pay spine; 39 and 40 interpolated between
#: points 35 and 43 [E]. A role's salary is the builder's social worker salary (£40,000,
#: about point 30 with a supplement [E]) × its point / point 30, and its agency day
#: rate £370 × the same ratio [E] (no source gives agency rates by role).
NJC_POINTS = {30: 38_223.0, 35: 43_421.0, 39: 47_468.0, 40: 48_480.0, 43: 51_515.0}
ROLE_POINTS = {"senior_social_worker": 35, "advanced_practitioner": 39,
               "reviewing_officer": 40, "team_manager": 43}
SOCIAL_WORKER_SALARY, SOCIAL_WORKER_DAY_RATE = 40_000, 370
OTHER_TEAM_ROLE = "team_manager"


def role_pay(role: str) -> tuple[int, int]:
    """A role's salary and agency day rate in a council scenario (£, rounded)."""
    ratio = NJC_POINTS[ROLE_POINTS[role]] / NJC_POINTS[30]
    return int(round(SOCIAL_WORKER_SALARY * ratio, -1)), round(SOCIAL_WORKER_DAY_RATE * ratio)


def _write_roles(w: _Text) -> None:
    for role, point in ROLE_POINTS.items():
        salary, rate = role_pay(role)
        w.table(f"workforce.roles.{role}")
        w.value(f"salary = {salary}", f"[E] £40,000 × NJC point {point} / point 30 "
                f"({NJC_POINTS[point]:,.0f} / {NJC_POINTS[30]:,.0f}, 2024-25"
                + (", interpolated" if point in (39, 40) else "") + ")")
        w.value(f"agency_day_rate = {rate}", "[E] £370 × the same ratio")


#: Leavers' destinations: England's shares of leavers in 2020-21 (the schema's
#: defaults), from the DfE's attrition analysis of the census (S20).
DESTINATION_NOTES = {"other_council": "4.2 % of FTE moved to another council",
                     "agency": "2.6 % of FTE moved into agency work",
                     "out_of_la_social_work": "8.6 % of FTE left council children's social "
                                              "work (full attrition)"}


def _write_destinations(w: _Text) -> None:
    """Where leavers go: England's shares (the DfE publishes no council's own)."""
    w.subtable("workforce.permanent.destinations",
               "shares of permanent and NQSW leavers; England 2020-21, no council's own "
               "published")
    shares = LeaverDestinations()
    for name in DESTINATIONS:
        w.value(f"{name} = {getattr(shares, name)}",
                f"[D] S20 DfE attrition analysis 2021: {DESTINATION_NOTES[name]}, of 15.4 % "
                "who left their council")


def _write_recruitment(w: _Text, b: _Build) -> None:
    """Recruitment matched to the census's starters, and its absence."""
    success = _success_probability(b.staff, b.year, b.sourced.census["starters_fte"].value)
    w.table("recruitment")
    w.value('time_to_hire_days = { dist = "triangular", min = 56, mode = 84, max = 168 }',
            f"[E] 8-24 weeks, mode 12; mean {TIME_TO_HIRE.mean:.0f} days")
    w.value(f"success_probability = {_fmt(success.value, 3)}", success.says())
    w.value(f"readvertise_days = {READVERTISE_DAYS}", "[E] calibration default")
    w.value("cost_per_hire = 4000", "[E] calibration default")
    w.table("absence")
    w.value(f"rate = {_fmt(b.staff.absence, 3)}", b.sourced.census["absence_rate_fte"].says())
    w.blank()
    w.comment("No academy: the DfE's tables do not count one; add your intakes as "
              "scenarios/herefordshire_2025.toml does [E].")


TREND_NOTES = {
    "turnover": "leavers per FTE-year, on the log scale",
    "recruitment_success": "the success probability the census's starters imply, on the log "
                           "scale (above 1 acts as 1)",
    "agency_cover": "agency FTE / vacant FTE, on the log scale",
    "establishment_growth": "yearly log growth of in post + vacancies (0.02 ≈ 2 %), on 1 April",
    "demand": "the cases social workers hold (census cases), on the log scale: a factor on "
              "every referral rate, relative to today's",
}


def _write_trends(w: _Text, b: _Build) -> None:
    """The pooled AR(1) of each parameter from every council's census up to the year."""
    fits = b.sourced.trends
    if not fits:
        return
    w.rule(77, "trends")
    w.comment("How these parameters move after the census, from every council's history up to "
              f"{b.year} (see docs/model.md,")
    w.comment("\"Parameter trends\"): each replication draws its own path, so the bands hold "
              "what we do not know about")
    w.comment("them as well as chance. Delete a table, or set sd = 0, to hold or fix a "
              "parameter by hand.")
    starts: dict[str, Figure | float | None] = {
        "recruitment_success": _raw_success(b.staff, b.sourced.census["starters_fte"].value),
        "establishment_growth": b.sourced.last_growth,
        "turnover": b.sourced.census["turnover_rate_fte"].value / 100,
        "agency_cover": _agency_cover(b.staff, b.year).value}
    for name, fit in fits.items():
        w.table(f"trends.{name}", TREND_NOTES[name])
        if name == "demand":          # relative to the census's cases, which set the flows
            cases = b.staff.cases
            w.value(f"long_run = {_fmt(fit.long_run / cases, 3)}", fit.says() +
                    f"; long run {fit.long_run:,.0f} cases against {cases:,} at the census")
        else:
            w.value(f"long_run = {_fmt(fit.long_run, 3)}", fit.says())
        w.value(f"persistence = {_fmt(fit.fit.b, 3)}", "[D] the same fit (b)")
        w.value(f"sd = {_fmt(fit.fit.sd, 3)}", "[D] the same fit")
        start = starts.get(name)
        if isinstance(start, Figure):
            w.value(f"start = {_fmt(start.value, 3)}", start.says())
        elif start is not None and (start < BOUNDS[name][0]
                                    or name == "recruitment_success" and start > 1):
            lo, hi = BOUNDS[name]
            why = ("[D] the census's starters before the cap at 1 above" if start > 1 else
                   f"[E] the least the log scale starts from ({lo:g}; the value above is 0)")
            w.value(f"start = {_fmt(min(hi, max(lo, start)), 3)}", why)


def _write_review(w: _Text, b: _Build) -> None:
    """Case-holding posts set each 1 April from the caseload, as the census says councils do."""
    fit = caseload_response(b.sourced.council.code, b.year, b.sourced.data)
    if fit is None:
        return
    w.table("establishment_review", "case-holding posts follow the caseload on each 1 April")
    w.comment("Councils manage caseloads back: a council whose caseload is above its own mean "
              "grows its posts the next")
    w.comment("year (docs/model.md, \"Posts follow the caseload\"). The growth trend above is "
              "fitted beside it: delete")
    w.comment("this table and posts follow that trend alone, whose shock then leaves out what "
              "the caseload explained.")
    w.value(f"target_caseload = {_fmt(fit.target, 2)}",
            f"[D] the council's mean census caseload (caseload_fte), {fit.years}")
    w.value(f"response = {_fmt(fit.response, 3)}", fit.says())


def _bins(bins: Sequence[tuple[int, int, float]]) -> str:
    return "[" + ", ".join(f"[{lo}, {hi}, {p}]" for lo, hi, p in bins) + "]"


def _toml_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')

