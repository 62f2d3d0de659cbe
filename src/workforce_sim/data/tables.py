"""The DfE's published tables, read as the DfE publishes them.

A table is found by the stem of its file name (``csww_indicators``): the
shipped release in ``published/`` (gzip-compressed), or a newer one in a
folder the user names (``data=``), plain or gzip-compressed, whose name starts
with the same stem (``csww_indicators_2017_to_2026.csv``). Columns keep the
DfE's names. A suppression code (``c``, ``x``, ``u``, ``z``, ``low``, ``:``)
is a missing value that keeps its reason.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

#: What each suppression or missing-value code means (the DfE's own words).
SUPPRESSION = {
    "c": "confidential (small numbers)",
    "x": "not available",
    "u": "low reliability",
    "z": "not applicable",
    "low": "rounds to zero",
    ":": "not available",
}

#: The columns that name a row rather than measure something.
KEYS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
        "region_code", "region_name", "old_la_code", "new_la_code", "la_name")

#: A column that splits a council's year into kinds (a table has at most one).
DIMENSIONS = ("category", "population_type", "age_group")

#: The tables the package knows, by stem, and the columns each must have
#: besides :data:`KEYS`.
TABLES = {
    "csww_indicators": (
        "inpost_fte", "inpost_headcount", "starters_fte", "leavers_fte", "turnover_rate_fte",
        "agency_fte", "agency_rate_fte", "agency_cover_fte", "agency_cover_rate_fte",
        "vacancy_fte", "vacancy_rate_fte", "case_holders_fte", "cases", "caseload_fte",
    ),
    "c1_children_in_need_referrals": ("category", "referral_count"),
    "b1_children_in_need": ("category", "Started_episodes", "At31_episodes"),
    "d3_cpps_subsequent_plan": ("category", "CPP_start"),
    "d5_cpps_at31march_by_duration": ("category", "CPP_At31"),
    "cla_number_and_rate_per_10k_children": ("population_type", "children_count"),
    "ons_mid-year_population_estimates": ("age_group", "population_estimate"),
}
#: The statistical neighbours' table (no year or geography keys).
NEIGHBOURS = "sn_model"
NEIGHBOUR_COLUMNS = ("old_la_code", "la_name", *(f"SN_{i}{p}" for i in range(1, 11) for p in ("", "P")))


class DataError(ValueError):
    """A data file is missing, unreadable, or lacks a column the package reads."""


def _published() -> Any:
    return resources.files("workforce_sim.data") / "published"


def _find(stem: str, data: str | Path | None) -> tuple[str, bytes]:
    """The name and bytes of table ``stem``: the newest matching file in ``data``, or
    the shipped one."""
    if data is None:
        folder: Any = _published()
        where = "the shipped data"
    else:
        folder = Path(data)
        where = str(folder)
        if not folder.is_dir():
            raise DataError(f"data = {where!r}: no such folder; expected a folder holding the "
                            f"DfE's files ({stem}_*.csv)")
    matches = [f for f in folder.iterdir() if f.name.endswith((".csv", ".csv.gz"))
               and (f.name.startswith(stem + "_") or f.name.split(".")[0] == stem)]
    if not matches:
        raise DataError(f"{where}: no file {stem}[_*].csv (or .csv.gz); expected the DfE's "
                        f"{stem} table as published")
    chosen = max(matches, key=_release)      # the newest release: the latest year in its name
    raw = chosen.read_bytes()
    return chosen.name, gzip.decompress(raw) if chosen.name.endswith(".gz") else raw


def _release(file: Any) -> tuple[int, str]:
    """Order releases by the last year in the file's name (``…_2017_to_2026``), then name."""
    years = re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", file.name)
    return (int(years[-1]) if years else 0, file.name)


def read_rows(stem: str, data: str | Path | None = None,
              required: Sequence[str] | None = None) -> tuple[str, list[dict[str, str]]]:
    """The rows of a published table, every value as the text the DfE wrote.

    Parameters
    ----------
    stem : str
        The start of the file's name, e.g. ``"csww_indicators"``.
    data : str or Path, optional
        A folder with a newer release; default the shipped files.
    required : sequence of str, optional
        Columns that must be there besides the keys (default :data:`TABLES` ``[stem]``;
        the neighbours' table needs its own columns and no keys).

    Returns
    -------
    (str, list of dict)
        The file's name and its rows.

    Raises
    ------
    DataError
        No such file, a file that is not UTF-8 CSV, or a missing column (named).
    """
    name, raw = _find(stem, data)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{name}: not UTF-8 text; expected the DfE's CSV file") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    if stem == NEIGHBOURS:
        needed = list(NEIGHBOUR_COLUMNS)
    else:
        needed = [*KEYS, *(TABLES.get(stem, ()) if required is None else required)]
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DataError(f"{name}: no column {', '.join(missing)}; expected the DfE's published "
                        f"columns (this file has {len(columns)})")
    return name, list(reader)


def number(text: str) -> tuple[float, str]:
    """A published value as a number and its status.

    Parameters
    ----------
    text : str
        The cell as published: ``"125.5"``, ``"1,234"``, or a suppression code.

    Returns
    -------
    (float, str)
        The value (NaN when suppressed or blank) and ``""``, or NaN and the
        code's meaning (``"c: confidential (small numbers)"``).

    Raises
    ------
    DataError
        Text that is neither a number nor a known code.
    """
    t = text.strip()
    if t in SUPPRESSION:
        return math.nan, f"{t}: {SUPPRESSION[t]}"
    if not t:
        return math.nan, "blank"
    try:
        return float(t.replace(",", "")), ""
    except ValueError:
        raise DataError(f"value {text!r}: expected a number or a suppression code "
                        f"({', '.join(SUPPRESSION)})") from None


def local_authority_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """The rows of councils (``geographic_level == "Local authority"``)."""
    return [r for r in rows if r["geographic_level"] == "Local authority"]
