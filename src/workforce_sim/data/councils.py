"""A council's published workforce census, as a tidy table.

A council is named by its name (``"Herefordshire"``, ``"Herefordshire, County
of"``), its ONS code (``"E06000019"``) or its DfE code (``"884"``). Its series
is every census under its DfE code, whichever ONS code it had then: a council
reorganised in place (North Yorkshire, 2023) keeps its history; one that is new
(Cumberland, 2023) starts then. A joint return (``"North Northamptonshire /
West Northamptonshire"``) is found by either name.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from workforce_sim.data.tables import (
    DIMENSIONS,
    KEYS,
    NEIGHBOURS,
    DataError,
    local_authority_rows,
    number,
    read_rows,
)

CENSUS = "csww_indicators"


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def _names(la_name: str) -> set[str]:
    """The ways a council may be named: in full, before its comma ("Herefordshire,
    County of"), and each part of a joint return."""
    out = set()
    for part in [la_name, *la_name.split(" / ")]:
        out |= {_plain(part), _plain(part.split(",")[0])}
    return out


def _parts(code: str) -> list[str]:
    """The codes of a row: one, or each council's of a joint return (``"940 / 941"``)."""
    return [c.strip() for c in code.split("/")]


def dfe_code(council: str, rows: list[dict[str, str]], where: str) -> str:
    """The DfE (old_la_code) code of ``council`` among the census rows.

    Parameters
    ----------
    council : str
        A name, an ONS code or a DfE code.
    rows : list of dict
        The councils' rows of the census.
    where : str
        The file, for messages.

    Returns
    -------
    str
        The three-digit DfE code.

    Raises
    ------
    DataError
        No such council (with "did you mean"), or a name shared by two councils
        that both published the latest census (a name shared with a former council
        means today's: "Dorset" is 838, the county council before 2019 is "835").
    """
    text = str(council).strip()
    if re.fullmatch(r"E\d{8}", text.upper()):
        codes = {r["old_la_code"] for r in rows if text.upper() in _parts(r["new_la_code"])}
    elif re.fullmatch(r"\d{3}", text):
        codes = {r["old_la_code"] for r in rows if text in _parts(r["old_la_code"])}
    else:
        named = [r for r in rows if _plain(text) in _names(r["la_name"])]
        codes = {r["old_la_code"] for r in named}
        if len(codes) > 1:
            # A name means today's council: the county of Dorset (835, to 2018) gave
            # its name to the unitary Dorset (838); the older one is found by its code.
            latest = max(r["time_period"] for r in named)
            current = {r["old_la_code"] for r in named if r["time_period"] == latest}
            codes = current if len(current) == 1 else codes
    if len(codes) == 1:
        return codes.pop()
    if len(codes) > 1:
        names = sorted({r["la_name"] for r in rows if r["old_la_code"] in codes})
        raise DataError(f"council {text!r} names more than one council in {where}: "
                        f"{'; '.join(names)}; use its code")
    known = sorted({part.split(",")[0] for r in rows for part in r["la_name"].split(" / ")})
    close = difflib.get_close_matches(text, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise DataError(f"council {text!r}: no such council in {where} (a name, an ONS code such "
                    f"as E06000019 or a DfE code such as 884){hint}")


#: The published tables a council's series can be read from, by the name used here.
SERIES = {
    "workforce": "csww_indicators",
    "referrals": "c1_children_in_need_referrals",
    "children_in_need": "b1_children_in_need",
    "child_protection_plans": "d3_cpps_subsequent_plan",
    "child_protection_durations": "d5_cpps_at31march_by_duration",
    "looked_after": "cla_number_and_rate_per_10k_children",
    "population": "ons_mid-year_population_estimates",
}


def series(council: str, table: str = "workforce", *,
           data: str | Path | None = None) -> pd.DataFrame:
    """A council's published series from one of the DfE's tables, as a tidy table.

    Parameters
    ----------
    council : str
        Its name (``"Herefordshire"``), ONS code (``"E06000019"``) or DfE code
        (``"884"``).
    table : str, default "workforce"
        One of :data:`SERIES`: ``"workforce"`` (the census at 30 September),
        ``"referrals"``, ``"children_in_need"``, ``"child_protection_plans"``,
        ``"child_protection_durations"``, ``"looked_after"`` (years to 31 March),
        ``"population"`` (children aged 0–17, mid-year).
    data : str or Path, optional
        A folder with a newer release of the table, in the same format; default
        the release shipped with the package.

    Returns
    -------
    pandas.DataFrame
        One row per year, kind and measure: ``year`` (the table's
        ``time_period``), ``new_la_code``, ``old_la_code``, ``la_name`` (as
        published that year), ``category`` (the table's breakdown, such as the
        looked-after ``population_type``; ``""`` where it has none), ``measure``
        (the DfE's column name), ``value`` (NaN where suppressed) and
        ``status`` (``""``, or the suppression code and its meaning).

    Raises
    ------
    DataError
        An unknown table, a missing file or column, or no such council.
    """
    if table not in SERIES:
        raise DataError(f"table {table!r}: expected one of {', '.join(SERIES)}")
    name, rows = read_rows(SERIES[table], data)
    councils = local_authority_rows(rows)
    code = dfe_code(council, councils, name)
    dimension = next((d for d in DIMENSIONS if d in rows[0]), None) if rows else None
    records = []
    for r in councils:
        if r["old_la_code"] != code:
            continue
        kind = r[dimension] if dimension else ""
        for measure, text in r.items():
            if measure in KEYS or measure == dimension:
                continue
            value, status = number(text)
            records.append((int(r["time_period"]), r["new_la_code"], code, r["la_name"], kind,
                            measure, value, status))
    frame = pd.DataFrame(records, columns=["year", "new_la_code", "old_la_code", "la_name",
                                           "category", "measure", "value", "status"])
    return frame.sort_values(["year", "category", "measure"], kind="stable", ignore_index=True)


def census(council: str, *, data: str | Path | None = None) -> pd.DataFrame:
    """A council's children's social work workforce census, every year published.

    Parameters
    ----------
    council : str
        Its name (``"Herefordshire"``), ONS code (``"E06000019"``) or DfE code
        (``"884"``).
    data : str or Path, optional
        A folder with a newer release of the DfE's ``csww_indicators`` file, in
        the same format; default the release shipped with the package.

    Returns
    -------
    pandas.DataFrame
        One row per census year and measure: ``year`` (the September of the
        census), ``new_la_code``, ``old_la_code``, ``la_name`` (as published
        that year), ``measure`` (the DfE's column name, e.g. ``agency_rate_fte``),
        ``value`` (NaN where suppressed) and ``status`` (``""``, or the
        suppression code and its meaning, e.g. ``"c: confidential (small
        numbers)"``). Rates are in per cent, as published. Other tables:
        :func:`series`.

    Raises
    ------
    DataError
        The file is missing or lacks a column, or no such council.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> h = ws.census("Herefordshire")
    >>> h.query("year == 2025 and measure == 'agency_rate_fte'")["value"].item()
    18.3
    """
    return series(council, "workforce", data=data).drop(columns="category")


def neighbours(council: str, *, data: str | Path | None = None) -> pd.DataFrame:
    """A council's ten statistical neighbours (the DfE's model), closest first.

    Parameters
    ----------
    council : str
        Its name, ONS code or DfE code (as for :func:`census`).
    data : str or Path, optional
        A folder with a newer release of the DfE's ``sn_model`` file.

    Returns
    -------
    pandas.DataFrame
        ``rank`` (1 = closest), ``old_la_code``, ``la_name`` and ``closeness``
        (the DfE's words: "Extremely close", "Very close", "Close", ...).

    Raises
    ------
    DataError
        A missing file or column, or no such council.
    """
    code = dfe_code(council, local_authority_rows(read_rows(SERIES["workforce"])[1]),
                    "the workforce census")
    name, rows = read_rows(NEIGHBOURS, data)
    names = {r["old_la_code"]: r["la_name"] for r in rows}
    mine = [r for r in rows if r["old_la_code"] == code]
    if not mine:
        raise DataError(f"{name}: no row for council {code}")
    r = mine[0]
    out = [(i, r[f"SN_{i}"], names.get(r[f"SN_{i}"], ""), r[f"SN_{i}P"].strip())
           for i in range(1, 11)]
    return pd.DataFrame(out, columns=["rank", "old_la_code", "la_name", "closeness"])
