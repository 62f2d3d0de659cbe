"""The DfE's census read as published: every value checked against the shipped
file read independently with the csv module, suppression codes, reorganised
councils, a joint return, and a user's newer release."""

from __future__ import annotations

import csv
import gzip
import io
import math
from importlib import resources

import pytest

import workforce_sim as ws
from workforce_sim.data import SERIES, SUPPRESSION, DataError
from workforce_sim.data.tables import DIMENSIONS, number

FILE = "csww_indicators_2017_to_2025.csv"


def published_text() -> str:
    raw = (resources.files("workforce_sim.data") / "published" / f"{FILE}.gz").read_bytes()
    return gzip.decompress(raw).decode("utf-8")


def published_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(published_text())))


def test_every_value_of_a_council_is_the_published_cell():
    rows = [r for r in published_rows() if r["old_la_code"] == "884"]
    table = ws.census("Herefordshire")
    assert sorted(table["year"].unique()) == list(range(2017, 2026))
    assert len(table) == sum(len(r) - 10 for r in rows)
    for r in rows:
        got = table[table["year"] == int(r["time_period"])].set_index("measure")
        for measure, text in r.items():
            if measure in got.index:
                value = got.at[measure, "value"]
                if text in SUPPRESSION:
                    assert math.isnan(value) and got.at[measure, "status"].startswith(text)
                else:
                    assert value == float(text.replace(",", "")), (r["time_period"], measure)


def test_the_2025_census_of_herefordshire():
    h = ws.census("E06000019").query("year == 2025").set_index("measure")["value"]
    assert (h["inpost_fte"], h["agency_rate_fte"], h["leavers_fte"]) == (125.5, 18.3, 13.6)


@pytest.mark.parametrize("name", ["Herefordshire", "herefordshire, county of", "884", "E06000019",
                                  "  HEREFORDSHIRE "])
def test_a_council_is_found_by_name_or_code(name):
    assert set(ws.census(name)["old_la_code"]) == {"884"}


def test_suppressed_values_are_missing_with_their_reason():
    s = ws.census("Sunderland")
    low = s[s["status"].str.startswith("low")]
    assert len(low) > 0 and low["value"].isna().all()
    assert set(low["status"]) == {"low: rounds to zero"}
    assert s.loc[s["status"] == "", "value"].notna().all()      # a number, or a reason


def test_a_council_reorganised_in_place_keeps_its_history():
    ny = ws.census("North Yorkshire")
    codes = ny.groupby("year")["new_la_code"].first()
    assert set(codes.loc[:2022]) == {"E10000023"} and set(codes.loc[2023:]) == {"E06000065"}
    assert ws.census("E10000023").equals(ny)                 # either ONS code, one series


def test_a_new_council_starts_when_it_was_made_and_its_predecessor_stops():
    assert sorted(ws.census("Cumberland")["year"].unique()) == [2023, 2024, 2025]
    assert sorted(ws.census("Cumbria")["year"].unique()) == list(range(2017, 2023))


def test_a_joint_return_is_found_by_either_name():
    north, west = ws.census("North Northamptonshire"), ws.census("West Northamptonshire")
    assert north.equals(west)
    assert set(north["la_name"]) == {"North Northamptonshire / West Northamptonshire"}


def test_an_unknown_council_says_what_it_may_have_meant():
    with pytest.raises(DataError, match="'Herefordshre'.*did you mean 'Herefordshire'"):
        ws.census("Herefordshre")
    with pytest.raises(DataError, match="no such council"):
        ws.census("E06999999")


def test_a_newer_release_in_a_folder_is_read_and_preferred(tmp_path):
    text = published_text()
    (tmp_path / FILE).write_text(text, encoding="utf-8")
    newer = text.replace("2025,Reporting year", "2026,Reporting year")
    (tmp_path / "csww_indicators_2017_to_2026.csv").write_text(newer, encoding="utf-8")
    assert ws.census("Herefordshire", data=tmp_path)["year"].max() == 2026


def test_a_release_without_a_column_names_it(tmp_path):
    rows = published_rows()
    columns = [c for c in rows[0] if c != "caseload_fte"]
    with open(tmp_path / FILE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataError, match=f"{FILE}: no column caseload_fte"):
        ws.census("Herefordshire", data=tmp_path)


def test_a_folder_without_the_file_or_no_folder_says_so(tmp_path):
    with pytest.raises(DataError, match="no file csww_indicators"):
        ws.census("Herefordshire", data=tmp_path)
    with pytest.raises(DataError, match="no such folder"):
        ws.census("Herefordshire", data=tmp_path / "nope")
    (tmp_path / FILE).write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataError, match="not UTF-8"):
        ws.census("Herefordshire", data=tmp_path)


@pytest.mark.parametrize("text, expected", [
    ("125.5", (125.5, "")), ("1,234", (1234.0, "")), (" 7 ", (7.0, "")),
    ("c", (math.nan, "c: confidential (small numbers)")), ("", (math.nan, "blank")),
])
def test_number_reads_values_and_codes(text, expected):
    value, status = number(text)
    assert status == expected[1]
    assert (math.isnan(value) and math.isnan(expected[0])) or value == expected[0]


def test_number_refuses_what_is_neither():
    with pytest.raises(DataError, match="'12a'"):
        number("12a")


def test_the_shipped_files_are_the_published_bytes_with_their_licence():
    folder = resources.files("workforce_sim.data") / "published"
    names = sorted(f.name for f in folder.iterdir())
    assert "README.md" in names and len([n for n in names if n.endswith(".csv.gz")]) == 8
    assert "Open Government Licence v3.0" in (folder / "README.md").read_text(encoding="utf-8")


def published(stem: str) -> list[dict[str, str]]:
    folder = resources.files("workforce_sim.data") / "published"
    f = next(f for f in folder.iterdir() if f.name.startswith(stem))
    return list(csv.DictReader(io.StringIO(gzip.decompress(f.read_bytes()).decode("utf-8-sig"))))


@pytest.mark.parametrize("table", sorted(SERIES))
def test_every_table_gives_the_published_cells_of_a_council(table):
    from workforce_sim.data import series

    rows = [r for r in published(SERIES[table]) if r["old_la_code"] == "884"
            and r["geographic_level"] == "Local authority"]
    got = series("Herefordshire", table)
    assert len(rows) > 0 and set(got["year"]) == {int(r["time_period"]) for r in rows}
    dimension = next((d for d in DIMENSIONS if d in rows[0]), None)
    cells = {(r["time_period"], r[dimension] if dimension else "", k): v
             for r in rows for k, v in r.items()}
    for _, g in got.iterrows():
        text = cells[(str(g["year"]), g["category"], g["measure"])]
        if text in SUPPRESSION:
            assert math.isnan(g["value"]) and g["status"].startswith(text)
        else:
            assert g["value"] == float(text.replace(",", ""))


def test_an_unknown_table_lists_the_known_ones():
    from workforce_sim.data import series

    with pytest.raises(DataError, match="expected one of workforce, referrals"):
        series("Herefordshire", "agency")


def test_neighbours_are_the_dfe_models_ten_closest_first():
    row = next(r for r in published("sn_model") if r["old_la_code"] == "884")
    got = ws.neighbours("Herefordshire")
    assert list(got["rank"]) == list(range(1, 11))
    assert list(got["old_la_code"]) == [row[f"SN_{i}"] for i in range(1, 11)]
    assert list(got["closeness"]) == [row[f"SN_{i}P"].strip() for i in range(1, 11)]
    assert got["la_name"].ne("").all()


def test_the_newest_release_is_chosen_by_its_years_not_its_name(tmp_path):
    text = published_text()
    (tmp_path / "csww_indicators_2017_to_2025.csv").write_text(text, encoding="utf-8")
    newer = text.replace("2025,Reporting year", "2026,Reporting year")
    (tmp_path / "csww_indicators_2009_to_2026.csv").write_text(newer, encoding="utf-8")
    (tmp_path / "csww_indicators_notes.csv").write_text("not a table\n", encoding="utf-8")
    assert ws.census("Herefordshire", data=tmp_path)["year"].max() == 2026


def test_a_name_shared_with_a_former_council_means_todays():
    """The county of Dorset (835, 2017-18) and the unitary Dorset (838, from 2019)."""
    today = ws.census("Dorset")
    assert set(today["old_la_code"]) == {"838"} and today["year"].min() == 2019
    former = ws.census("835")
    assert sorted(set(former["year"])) == [2017, 2018]
    assert "Dorset" in ws.council_toml("Dorset", 2024)
