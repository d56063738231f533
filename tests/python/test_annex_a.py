"""cs.read_annex_a: Ofsted ILACS Annex A workbooks (and CSV folders) as events.

The workbooks come from tests/python/annex_a_workbooks.py, written from the Annex A reference
(docs/annex-a.md); the expectations are counted by hand from the rows written there and from
the reference's mapping of lists to events, never read off the importer's output.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cinscope as cs
from cinscope import annex_a as annex_a_module
from cinscope._imported import Imported

import annex_a_workbooks as wb
from annex_a_workbooks import D, INSPECTION, Layout

pytest.importorskip("fastexcel")


def read(path: Path, **kwargs: Any) -> Imported:
    return cs.read_annex_a(path, inspection_date=INSPECTION, **kwargs)


def event_set(imported: Imported) -> set[tuple[Any, ...]]:
    return set(imported.events.select("child_id", "event", "date", "qualifier").rows())


def codes(imported: Imported, code: str) -> pl.DataFrame:
    return imported.findings.filter(pl.col("code") == code)


@pytest.fixture(scope="module")
def annex() -> wb.Annex:
    return wb.standard_annex()


@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory, annex: wb.Annex) -> Path:
    """Template headers, real dates, prefixed codes, a cover and a notes sheet, List 8 on a
    hidden sheet and "Age" computed by formulas (saved with their results)."""
    folder = tmp_path_factory.mktemp("annex")
    return wb.write_xlsx(folder / "annex_a.xlsx", annex, Layout(hidden=(8,), formula_age=True))


# --------------------------------------------------------------------------------------------
# The events, by hand


def test_the_standard_workbook_gives_the_events_the_reference_maps_it_to(standard: Path, annex: wb.Annex) -> None:
    imported = read(standard)
    assert imported.source_format == "annex_a"
    assert imported.as_of == INSPECTION
    assert imported.window_start == D(2024, 4, 14)  # six months before 14 October 2024
    assert imported.counts == wb.STANDARD_COUNTS["rows"]
    assert event_set(imported) == wb.expected_events(annex)
    events = imported.events
    assert events.columns == list(annex_a_module.EVENT_COLUMNS)
    assert events["episode_id"].null_count() == events.height  # episodes are derived when scoring


def test_event_counts_by_hand(standard: Path) -> None:
    # Counted from standard_annex()'s docstring:
    # referral: 7 distinct List 3 referrals + the List 6 starts of 1005 (11/03/2024) and 1007
    #   (02/10/2023); the List 6 starts of 1001, 1002, A0004 and A0009 are List 3 referrals.
    # assessment_start 6 (every List 4 row), assessment_authorised 4 (1001, A0004, 1005, A0009).
    # s47_start 4 (5 rows less 1002's repeat), icpc 3 (1001, 1002, 1005).
    # visit 7: List 6's six last-seen dates (1001, 1002, A0004, 1005, 1007, A0009), of which
    #   List 7 repeats three and List 8 one, + 1008's List 8 visit.
    # closure 2 (A0004 RC7, A0009 RC8); cp_plan_start 3; cp_review 2 (1001, 1005);
    # cp_plan_end 1 (1005); looked_after_start 2; looked_after_end 1 (1007, E4A).
    imported = read(standard)
    counts = dict(imported.events.group_by("event").len().rows())
    assert counts == {
        "referral": 9, "assessment_start": 6, "assessment_authorised": 4, "s47_start": 4, "icpc": 3,
        "visit": 7, "closure": 2, "cp_plan_start": 3, "cp_review": 2, "cp_plan_end": 1,
        "looked_after_start": 2, "looked_after_end": 1,
    }
    rows = {(c, e, d): q for c, e, d, q in event_set(imported)}
    assert rows[("1001", "visit", D(2024, 10, 1))] == "seen_alone"  # List 7: seen alone "a) Yes"
    assert rows[("1002", "visit", D(2024, 10, 8))] == "seen"  # "b) No"
    assert rows[("1005", "visit", D(2024, 9, 23))] == "seen"  # "c) Unknown"
    assert rows[("A0004", "closure", D(2024, 7, 31))] == "RC7"
    assert rows[("A0009", "closure", D(2024, 9, 20))] == "RC8"
    assert rows[("1007", "looked_after_end", D(2024, 9, 27))] == "return_home_planned"
    assert ("1005", "referral", D(2024, 3, 11)) in rows  # List 6's CIN start, read as the referral


def test_team_worker_and_source_columns(standard: Path) -> None:
    events = read(standard).events
    referral = events.filter((pl.col("child_id") == "1001") & (pl.col("event") == "referral")).row(0, named=True)
    assert (referral["team"], referral["worker"]) == ("Front Door", "Sam Patel")
    # 1001 is the first data row of List 3: sheet row 2 (row 1 holds the headers).
    assert (referral["source"], referral["source_row"], referral["source_column"]) == (
        "annex_a.xlsx[List 3]", 2, "Date of referral")
    icpc = events.filter((pl.col("child_id") == "1002") & (pl.col("event") == "icpc")).row(0, named=True)
    assert (icpc["team"], icpc["worker"]) == ("Locality North", "Zo\u00eb O\u2019Neil")
    assert (icpc["source_row"], icpc["source_column"]) == (3, "Date of Initial Child Protection Conference")


@pytest.mark.parametrize(
    "layout",
    [
        Layout(headers="variant", dates="text", codes="bare", sheet_names="misleading"),
        Layout(headers="camel", dates="text", ids="number", cover=False),
        Layout(dates="mixed", date_format="mm-dd-yy", ids="number"),
        Layout(dates="text_time", codes="bare"),
    ],
    ids=["variant-text-bare-misleading", "camelcase-text-numeric-ids", "mixed-dates", "text-with-time"],
)
def test_every_layout_gives_the_same_events(tmp_path: Path, annex: wb.Annex, layout: Layout) -> None:
    imported = read(wb.write_xlsx(tmp_path / "annex.xlsx", annex, layout))
    assert event_set(imported) == wb.expected_events(annex)
    assert imported.counts == wb.STANDARD_COUNTS["rows"]


def test_sheets_are_identified_by_headers_not_names(tmp_path: Path, annex: wb.Annex) -> None:
    # The sheet called "List 3" holds List 5 and the one called "List 6" holds List 3.
    imported = read(wb.write_xlsx(tmp_path / "a.xlsx", annex, Layout(sheet_names="misleading")))
    source = {(c, e): s for c, e, s in imported.events.select("child_id", "event", "source").rows()}
    assert source[("1001", "referral")] == "a.xlsx[List 6]"  # List 3, in the sheet named "List 6"
    assert source[("1001", "s47_start")] == "a.xlsx[List 3]"  # List 5, in the sheet named "List 3"
    assert source[("1005", "referral")] == "a.xlsx[CIN]"  # List 6's CIN start
    assert imported.counts == wb.STANDARD_COUNTS["rows"]


# --------------------------------------------------------------------------------------------
# Row accounting: every row in is an event or a finding


def test_row_accounting(standard: Path, annex: wb.Annex) -> None:
    imported = read(standard)
    events, findings = imported
    assert sum(imported.counts.values()) == sum(len(annex.rows(n)) for n in range(1, 10))

    def rows_of(list_number: int) -> set[tuple[str, int]]:
        source = f"annex_a.xlsx[{wb.SHEET_NAMES[list_number]}]"
        return {(source, i + 2) for i in range(len(annex.rows(list_number)))}

    def from_list(frame: pl.DataFrame, list_number: int, row_column: str) -> pl.DataFrame:
        return frame.filter(pl.col("source") == f"annex_a.xlsx[{wb.SHEET_NAMES[list_number]}]").rename(
            {row_column: "r"})

    row_findings = findings.filter(pl.col("row").is_not_null())
    # Every data row of an event list is named by an event or a finding.
    for n in range(3, 9):
        named = {(s, r) for s, r in from_list(events, n, "source_row").select("source", "r").rows()}
        named |= {(s, r) for s, r in from_list(row_findings, n, "row").select("source", "r").rows()}
        assert rows_of(n) <= named, f"List {n}"
    # Lists 1, 2 and 9 are named once each as not an event.
    for n in (1, 2, 9):
        named = findings.filter((pl.col("source") == f"annex_a.xlsx[List {n}]") & (pl.col("action") == "not_an_event"))
        assert named.height == 1 and named["row"].is_null().all()

    def anchored(event: str, n: int) -> int:
        return from_list(events, n, "source_row").filter(pl.col("event") == event).height

    def skipped_rows(n: int, column: str) -> int:
        return from_list(row_findings, n, "row").filter(
            (pl.col("column") == column) & pl.col("code").is_in(["AA_DUPLICATE", "AA_NO_ANCHOR_DATE", "AA_NO_CHILD_ID"])
        ).height

    # referrals: 8 rows in = 7 referral events + 1 duplicate
    assert imported.counts["List 3"] == 8 == anchored("referral", 3) + skipped_rows(3, "Date of referral")
    assert anchored("referral", 3) == wb.STANDARD_COUNTS["referrals"] == 7
    # assessments: 6 rows = 6 assessment_start events
    assert imported.counts["List 4"] == 6 == anchored("assessment_start", 4) == wb.STANDARD_COUNTS["assessments"]
    # enquiries: 5 rows = 4 s47_start + 1 duplicate
    strategy = "Strategy discussion initiating Section 47 Enquiry Start Date"
    assert imported.counts["List 5"] == 5 == anchored("s47_start", 5) + skipped_rows(5, strategy)
    assert anchored("s47_start", 5) == wb.STANDARD_COUNTS["enquiries"] == 4
    # conferences: 4 rows with an ICPC date (1002's twice) = 3 icpc events + 1 duplicate row
    assert anchored("icpc", 5) == wb.STANDARD_COUNTS["conferences"] == 3
    # plans: 3 rows = 3 cp_plan_start events
    assert imported.counts["List 7"] == 3 == anchored("cp_plan_start", 7) == wb.STANDARD_COUNTS["plans"]
    # children on Lists 3-8
    assert events["child_id"].n_unique() == wb.STANDARD_COUNTS["children"] == 9
    # List 6: 6 rows; 2 starts are referrals of their own, 4 are List 3's (a finding each).
    same = from_list(row_findings, 6, "row").filter(pl.col("code") == "AA_SAME_EVENT")
    assert anchored("referral", 6) == 2 and same.filter(pl.col("column") == "CIN Start Date").height == 4


def test_messy_rows_are_findings_with_row_and_column(tmp_path: Path, annex: wb.Annex) -> None:
    messy = wb.Annex({n: [dict(r) for r in rows] for n, rows in annex.lists.items()})
    base = dict(annex.rows(3)[0])
    messy.lists[3] += [
        {**base, "child_id": None, "referral_date": D(2024, 6, 5)},  # row 10: no child id
        {**base, "child_id": "1012", "referral_date": "TBC"},  # row 11: text in a date column
        {**base, "child_id": "1013", "referral_date": None},  # row 12: no date
        {**base, "child_id": "1014", "referral_date": D(2024, 6, 6), "worker": "#N/A"},  # row 13: #N/A worker
    ]
    enquiry = dict(annex.rows(5)[0])
    messy.lists[5] += [{**enquiry, "child_id": "1015", "strategy": D(2024, 7, 1), "icpc": "unknown"}]  # row 7
    imported = read(wb.write_xlsx(tmp_path / "messy.xlsx", messy, Layout()))
    findings = imported.findings
    src3, src5 = "messy.xlsx[List 3]", "messy.xlsx[List 5]"

    def at(source: str, row: int) -> list[tuple[str, str | None, str]]:
        return findings.filter((pl.col("source") == source) & (pl.col("row") == row)).select(
            "code", "column", "action").rows()

    assert at(src3, 10) == [("AA_NO_CHILD_ID", "Child Unique ID", "skipped")]
    assert ("AA_DATE_UNREADABLE", "Date of referral", "skipped") in at(src3, 11)
    assert ("AA_NO_ANCHOR_DATE", "Date of referral", "skipped") in at(src3, 11)
    assert at(src3, 12) == [("AA_NO_ANCHOR_DATE", "Date of referral", "skipped")]
    message = findings.filter((pl.col("source") == src3) & (pl.col("row") == 11)).row(0, named=True)["message"]
    assert "'TBC'" in message and "B11" not in message and "cell F11" in message  # Date of referral is column F
    worker = findings.filter((pl.col("source") == src3) & (pl.col("code") == "AA_ERROR_VALUE"))
    assert worker.select("column", "row").rows() == [("Allocated Worker", None)] and "13" in worker["message"][0]
    e1014 = imported.events.filter(pl.col("child_id") == "1014").row(0, named=True)
    assert e1014["worker"] is None and e1014["team"] == "Front Door"
    assert at(src5, 7) == [("AA_DATE_UNREADABLE", "Date of Initial Child Protection Conference", "skipped")]
    assert imported.events.filter(pl.col("child_id") == "1015")["event"].to_list() == ["s47_start"]
    # referrals: 12 rows in = 8 referral events + the duplicate and the three rows above
    assert imported.counts["List 3"] == 12
    l3 = imported.events.filter((pl.col("source") == src3) & (pl.col("event") == "referral")).height
    skipped = findings.filter((pl.col("source") == src3) & pl.col("code").is_in(
        ["AA_DUPLICATE", "AA_NO_ANCHOR_DATE", "AA_NO_CHILD_ID"])).height
    assert (l3, skipped) == (8, 4)


# --------------------------------------------------------------------------------------------
# Dates


def _list3_csv(folder: Path, dates: list[str], *, encoding: str = "utf-8", ids: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["Child Unique ID,Date of referral,Referral Source,Allocated Team,Allocated Worker"]
    for i, day in enumerate(dates):
        child = ids[i] if ids else f"C{i + 1}"
        lines.append(f"{child},{day},q) 6: Police,Front Door,Sam")
    path = folder / "referrals.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def referral_dates(imported: Imported) -> list[dt.date]:
    return list(imported.events.sort("source_row")["date"])


def test_text_dates_are_day_first(tmp_path: Path) -> None:
    # 13/04/2024 can only be day-first, so the column is day-first: 03/04/2024 is 3 April.
    imported = read(_list3_csv(tmp_path, ["03/04/2024", "13/04/2024", "03/04/2024 00:00:00"]))
    assert referral_dates(imported) == [D(2024, 4, 3), D(2024, 4, 13), D(2024, 4, 3)]
    assert codes(imported, "AA_DATE_AMBIGUOUS").height == 0


def test_an_ambiguous_column_is_read_day_first_and_reported(tmp_path: Path) -> None:
    imported = read(_list3_csv(tmp_path, ["03/04/2024", "05/06/2024", "07/07/2024"]))
    assert referral_dates(imported) == [D(2024, 4, 3), D(2024, 6, 5), D(2024, 7, 7)]
    ambiguous = codes(imported, "AA_DATE_AMBIGUOUS")
    assert ambiguous.select("source", "row", "column", "action").rows() == [
        ("referrals.csv", None, "Date of referral", "kept")]
    assert "2 with both readings different" in ambiguous["message"][0]  # 07/07 reads the same both ways


def test_a_month_first_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(cs.DataError, match=r"referrals\.csv.*'Date of referral'.*row\(s\) 3.*04/13/2024"):
        read(_list3_csv(tmp_path, ["03/04/2024", "04/13/2024"]))


def test_a_month_first_value_in_a_day_first_column_is_a_finding(tmp_path: Path) -> None:
    imported = read(_list3_csv(tmp_path, ["13/04/2024", "04/13/2024", "01/05/2024"]))
    assert referral_dates(imported) == [D(2024, 4, 13), D(2024, 5, 1)]
    found = codes(imported, "AA_DATE_MONTH_FIRST")
    assert found.select("row", "column", "action").rows() == [(3, "Date of referral", "skipped")]


def test_real_dates_and_text_dates_in_one_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral", "Allocated Team", "Allocated Worker"],
                                ["C1", D(2024, 4, 3), "T", "W"], ["C2", "03/04/2024", "T", "W"],
                                ["C3", "13/04/2024 00:00:00", "T", "W"], ["C4", "#N/A", "T", "W"]]
    imported = read(wb.write_sheets(tmp_path / "m.xlsx", {"Referrals": rows}))
    assert referral_dates(imported) == [D(2024, 4, 3), D(2024, 4, 3), D(2024, 4, 13)]
    mixed = codes(imported, "AA_DATE_MIXED")
    assert mixed.select("column", "action").rows() == [("Date of referral", "kept")]
    assert "1 cell(s) hold real dates" in mixed["message"][0] and "2 hold dd/mm/yyyy text" in mixed["message"][0]
    error = codes(imported, "AA_ERROR_VALUE")
    assert error.select("row", "column", "action").rows() == [(5, "Date of referral", "repaired")]


def test_excel_serial_numbers_and_numeric_ids(tmp_path: Path) -> None:
    # 45292 is 1 January 2024 in Excel's 1900 date system; + 31 + 29 + 31 = 45383 is 1 April,
    # so 45385 is 3 April 2024.
    imported = read(_list3_csv(tmp_path, ["45385", "13/04/2024"], ids=["1234.0", "0042"]))
    assert referral_dates(imported) == [D(2024, 4, 3), D(2024, 4, 13)]
    assert codes(imported, "AA_DATE_SERIAL").select("row", "action").rows() == [(2, "repaired")]
    assert imported.events.sort("source_row")["child_id"].to_list() == ["1234", "0042"]
    assert codes(imported, "AA_CHILD_ID_NUMBER").select("row", "column").rows() == [(2, "Child Unique ID")]


def test_numeric_ids_in_a_workbook_are_text(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral"], [1234, D(2024, 5, 1)], [77.0, D(2024, 5, 2)]]
    imported = read(wb.write_sheets(tmp_path / "n.xlsx", {"L3": rows}))
    assert imported.events["child_id"].to_list() == ["1234", "77"]
    assert imported.events.schema["child_id"] == pl.String


# --------------------------------------------------------------------------------------------
# Options


def test_list6_start_as_cin_plan_start(tmp_path: Path, standard: Path, annex: wb.Annex) -> None:
    default = read(standard)
    assert default.events.filter(pl.col("event") == "cin_plan_start").height == 0
    imported = read(standard, list6_start_as="cin_plan_start")
    assert event_set(imported) == wb.expected_events(annex, list6_start_as="cin_plan_start")
    plans = imported.events.filter(pl.col("event") == "cin_plan_start")
    assert plans.height == 6 and set(plans["source_column"]) == {"CIN Start Date"}
    assert imported.events.filter(pl.col("event") == "referral").height == 7  # List 3 only
    with pytest.raises(ValueError, match="list6_start_as"):
        read(standard, list6_start_as="plan")


def test_strategy_discussion_option(standard: Path) -> None:
    imported = read(standard, strategy_discussion=True)
    s47 = imported.events.filter(pl.col("event") == "s47_start").select("child_id", "date").sort("child_id")
    strategy = imported.events.filter(pl.col("event") == "strategy_discussion").select("child_id", "date").sort("child_id")
    assert strategy.height == 4 and strategy.equals(s47)


def test_the_window_and_history_before_it(standard: Path) -> None:
    assert annex_a_module.default_window_start(D(2024, 10, 14)) == D(2024, 4, 14)
    assert annex_a_module.default_window_start(D(2024, 8, 31)) == D(2024, 2, 29)
    assert annex_a_module.default_window_start(D(2025, 8, 31)) == D(2025, 2, 28)
    imported = read(standard)
    before = codes(imported, "AA_BEFORE_WINDOW").select("source", "row", "action").sort("source", "row").rows()
    # 1005's assessment (12/03), enquiry (25/03) and CIN episode (11/03), and 1007's CIN episode
    # (02/10/2023) start before 14 April 2024; 1005's plan (16/04) does not.
    assert before == [("annex_a.xlsx[List 4]", 5, "kept"), ("annex_a.xlsx[List 5]", 5, "kept"),
                      ("annex_a.xlsx[List 6]", 5, "kept"), ("annex_a.xlsx[List 6]", 6, "kept")]
    assert imported.events.filter(pl.col("child_id") == "1005").height == 9  # kept, not dropped
    wide = read(standard, window_start=D(2023, 1, 1))
    assert wide.window_start == D(2023, 1, 1) and codes(wide, "AA_BEFORE_WINDOW").height == 0
    with pytest.raises(ValueError, match="after inspection_date"):
        read(standard, window_start=D(2024, 12, 1))
    with pytest.raises(TypeError, match="inspection_date"):
        cs.read_annex_a(standard, inspection_date=dt.datetime(2024, 10, 14))


# --------------------------------------------------------------------------------------------
# Workbook features and bad input


def test_hidden_sheets_formulas_and_cover_sheets(standard: Path) -> None:
    imported = read(standard)
    hidden = codes(imported, "AA_HIDDEN_SHEET")
    assert hidden.select("source", "action").rows() == [("annex_a.xlsx[List 8]", "kept")]
    assert imported.events.filter(pl.col("event") == "looked_after_start").height == 2  # read all the same
    formulas = codes(imported, "AA_FORMULA").filter(pl.col("source") == "annex_a.xlsx[List 3]")
    assert "8 cell(s) hold formulas" in formulas["message"][0]  # one Age formula per List 3 row
    skipped = codes(imported, "AA_NOT_A_LIST").select("source", "action").rows()
    assert skipped == [("annex_a.xlsx[Cover]", "skipped"), ("annex_a.xlsx[Notes]", "skipped")]


def test_a_formula_without_a_saved_result_is_a_finding(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral"], ["C1", None], ["C2", D(2024, 5, 2)],
                                ["C3", None]]
    path = wb.write_sheets(tmp_path / "f.xlsx", {"Referrals": rows},
                           formulas={("Referrals", 1, 1): ("=DATE(2024,5,1)", ""),
                                     ("Referrals", 3, 1): ("=DATE(2024,5,3)", "03/05/2024")})
    assert "<f>DATE(2024,5,1)</f><v></v>" in wb.sheet_xml(path)  # written with no result
    imported = read(path)
    assert imported.events.select("child_id", "date").rows() == [("C2", D(2024, 5, 2)), ("C3", D(2024, 5, 3))]
    found = codes(imported, "AA_FORMULA_NO_VALUE")
    assert found.select("row", "column", "action").rows() == [(2, "Date of referral", "skipped")]
    assert "cell B2" in found["message"][0]
    assert codes(imported, "AA_NO_ANCHOR_DATE").select("row").rows() == [(2,)]


def test_an_error_value_cell_reads_as_blank(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral", "Allocated Worker"], ["C1", D(2024, 5, 1), None]]
    path = wb.write_sheets(tmp_path / "e.xlsx", {"Referrals": rows},
                           formulas={("Referrals", 1, 2): ("=NA()", "#N/A")})
    imported = read(path)
    assert imported.events["worker"].to_list() == [None]
    assert codes(imported, "AA_ERROR_VALUE").select("column").rows() == [("Allocated Worker",)]


def test_merged_header_cells_are_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", None, "Date of referral"], ["C1", "x", D(2024, 5, 1)]]
    path = wb.write_sheets(tmp_path / "h.xlsx", {"Referrals": rows}, merge="A1:B1", merge_sheet="Referrals")
    with pytest.raises(cs.SchemaError, match=r"h\.xlsx\[Referrals\].*A1:B1.*merged"):
        read(path)


def test_merged_data_cells_are_read_in_each_cell(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral", "Allocated Team"],
                                ["C1", D(2024, 5, 1), "Front Door"], ["C2", D(2024, 5, 2), None]]
    path = wb.write_sheets(tmp_path / "d.xlsx", {"Referrals": rows}, merge="C2:C3", merge_sheet="Referrals")
    imported = read(path)
    assert imported.events.sort("child_id")["team"].to_list() == ["Front Door", "Front Door"]
    assert codes(imported, "AA_MERGED_CELLS").select("row", "column", "action").rows() == [
        (2, "Allocated Team", "repaired")]


def test_a_workbook_with_no_list_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Annex A"], ["Inspection date", D(2024, 10, 14)]]
    with pytest.raises(cs.SchemaError, match=r"cover\.xlsx: no Annex A list recognised"):
        read(wb.write_sheets(tmp_path / "cover.xlsx", {"Cover": rows}))


def test_a_list_without_a_required_column_is_refused(tmp_path: Path) -> None:
    headers = [h for _, h, _, _ in wb.COLUMNS[5] if h != "Strategy discussion initiating Section 47 Enquiry Start Date"]
    rows: list[list[object]] = [headers, ["C1"] + [None] * (len(headers) - 1)]
    with pytest.raises(cs.SchemaError, match=r"s47\.xlsx\[Enquiries\].*List 5.*no 'Strategy discussion initiating "
                                             r"Section 47 Enquiry Start Date' column.*StratDiscussionDate"):
        read(wb.write_sheets(tmp_path / "s47.xlsx", {"Enquiries": rows}))


def test_two_columns_for_one_date_are_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral", "ReferralDate"], ["C1", D(2024, 5, 1), None]]
    with pytest.raises(cs.SchemaError, match=r"columns B \('Date of referral'\) and C \('ReferralDate'\)"):
        read(wb.write_sheets(tmp_path / "two.xlsx", {"L3": rows}))


def test_headers_below_a_title_and_a_range_not_at_a1(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Referrals in the last six months"], [],
                                ["Child Unique ID", "Date of referral"], ["C1", D(2024, 5, 1)]]
    imported = read(wb.write_sheets(tmp_path / "t.xlsx", {"L3": rows}))
    assert imported.events.select("source_row").item() == 4
    assert codes(imported, "AA_HEADER_ROW").select("row").item() == 3
    # A sheet whose first filled cell is C3: sheet rows are still the sheet's own.
    shifted: list[list[object]] = [[], [], [None, None, "Child Unique ID", "Date of referral"],
                                   [None, None, "C1", "13/05/2024"], [None, None, "C2", "TBC"]]
    imported = read(wb.write_sheets(tmp_path / "s.xlsx", {"L3": shifted}))
    assert imported.events.select("source_row", "date").rows() == [(4, D(2024, 5, 13))]
    bad = codes(imported, "AA_DATE_UNREADABLE").row(0, named=True)
    assert bad["row"] == 5 and "cell D5" in bad["message"]


def test_unknown_and_headerless_columns_are_named(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Child Unique ID", "Date of referral", "Notes", None],
                                ["C1", D(2024, 5, 1), "phoned", "x"]]
    imported = read(wb.write_sheets(tmp_path / "u.xlsx", {"L3": rows}))
    unknown = codes(imported, "AA_UNKNOWN_COLUMN").select("column", "action").rows()
    assert unknown == [("Notes", "not_an_event"), ("D", "not_an_event")]
    missing = codes(imported, "AA_COLUMN_MISSING")["column"].to_list()
    assert missing == ["Referral Source", "Allocated Team", "Allocated Worker"]


def test_csv_folders_in_windows_1252_and_utf8_with_bom(tmp_path: Path, annex: wb.Annex) -> None:
    folder = wb.write_csv_folder(tmp_path / "cp1252", annex, Layout(headers="camel", dates="text"), encoding="cp1252")
    raw = (folder / "list_4.csv").read_bytes()
    assert "Zo\u00eb".encode("cp1252") in raw and "Zo\u00eb".encode("utf-8") not in raw
    imported = read(folder)
    assert event_set(imported) == wb.expected_events(annex)
    assert set(imported.events["worker"].drop_nulls()) == {"Sam Patel", "Zo\u00eb O\u2019Neil", "Alex Moore"}
    encoding = codes(imported, "AA_ENCODING")
    assert set(encoding["source"]) == {"list_4.csv", "list_5.csv", "list_6.csv", "list_7.csv"}  # the ones with Zoë
    assert set(encoding["action"]) == {"repaired"}

    bom = wb.write_csv_folder(tmp_path / "bom", annex, Layout(dates="text"), encoding="utf-8-sig")
    assert (bom / "list_3.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    imported = read(bom)
    assert event_set(imported) == wb.expected_events(annex)
    assert codes(imported, "AA_ENCODING").height == 0


def test_undecodable_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l3.csv"
    path.write_bytes(b"Child Unique ID,Date of referral\r\nC1,01/05/2024\r\nC\x81,02/05/2024\r\n")
    with pytest.raises(cs.DataError, match=r"l3\.csv: line 3: byte 0x81"):
        read(path)
    assert read(path, encoding="latin-1").events.height == 2


def test_missing_fastexcel_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, standard: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(annex_a_module.importlib.util, "find_spec",
                        lambda name, *a: None if name == "fastexcel" else real(name, *a))
    with pytest.raises(cs.CinscopeError, match=r"fastexcel.*cinscope\[excel\]"):
        read(standard)


def test_paths_that_are_not_annex_a(tmp_path: Path) -> None:
    with pytest.raises(cs.CinscopeError, match="no such file or folder"):
        read(tmp_path / "missing.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(cs.CinscopeError, match=r"old\.xls: not an Annex A source"):
        read(tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(cs.CinscopeError, match=r"broken\.xlsx: not a readable \.xlsx workbook"):
        read(tmp_path / "broken.xlsx")
    (tmp_path / "empty").mkdir()
    with pytest.raises(cs.SchemaError, match="holds no .csv file"):
        read(tmp_path / "empty")


def test_an_ods_workbook(tmp_path: Path, annex: wb.Annex) -> None:
    imported = read(wb.write_ods(tmp_path / "annex_a.ods", annex, hidden=(9,)))
    assert event_set(imported) == wb.expected_events(annex)
    assert imported.counts == wb.STANDARD_COUNTS["rows"]
    assert codes(imported, "AA_HIDDEN_SHEET")["source"].to_list() == ["annex_a.ods[List 9]"]


# --------------------------------------------------------------------------------------------
# Scoring what was read


def test_scoring_the_imported_events_nat_cp_01(standard: Path) -> None:
    """NAT-CP-01: the initial child protection conference within 15 working days of the strategy
    discussion that started the section 47 enquiry (the List 5 start date). The due date is the
    15th working day after it (the day itself is not counted); England's bank holidays in 2024
    include Good Friday 29 March, Easter Monday 1 April, 6 May, 27 May and 26 August.

    - 1001: strategy Thu 02/05/2024. Fri 3 (1), Mon 6 May holiday, Tue 7 (2) ... Fri 10 (5),
      Mon 13 - Fri 17 (6-10), Mon 20 - Fri 24 (11-15): due Fri 24/05/2024. ICPC Tue 28/05:
      Mon 27 is a holiday, so 28 is the first working day after the due date: late by 1
      working day (4 calendar days).
    - 1002: strategy Tue 20/08/2024. Wed 21 - Fri 23 (1-3), Mon 26 August holiday, Tue 27 -
      Fri 30 (4-7), Mon 2 - Fri 6 September (8-12), Mon 9 - Wed 11 (13-15): due Wed 11/09.
      ICPC Wed 11/09: met (on the due date is on time).
    - 1005: strategy Mon 25/03/2024 (before the window). Tue 26 - Thu 28 (1-3), Fri 29 and
      Mon 1 April holidays, Tue 2 - Fri 5 (4-7), Mon 8 - Fri 12 (8-12), Mon 15 - Wed 17
      (13-15): due Wed 17/04. ICPC Tue 16/04: met.
    - 1006: strategy 30/09/2024 and no conference yet: its episode has no ICPC, so the rule
      does not apply (the rulebook's ``episode_has = "icpc"``).
    """
    imported = read(standard)
    obligations = cs.score(imported.events, "national", as_of=imported.as_of)
    cp01 = (
        obligations.filter(pl.col("rule") == "NAT-CP-01")
        .select("child_id", "anchor_date", "due_date", "met_date", "status", "days_late", "working_days_late")
        .with_columns(pl.col("status").cast(pl.String))
        .sort("child_id")
    )
    # Lateness is given for late obligations only (null when met).
    assert cp01.rows() == [
        ("1001", D(2024, 5, 2), D(2024, 5, 24), D(2024, 5, 28), "late", 4, 1),
        ("1002", D(2024, 8, 20), D(2024, 9, 11), D(2024, 9, 11), "met", None, None),
        ("1005", D(2024, 3, 25), D(2024, 4, 17), D(2024, 4, 16), "met", None, None),
    ]
    # The due dates agree with the calendar's own arithmetic.
    for _, anchor, due, *_ in cp01.rows():
        assert cs.due_date(anchor, "15 working days") == due


def test_the_documented_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "annex-a.md").read_text(encoding="utf-8")
    example = doc.split("## A runnable example", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(example, "docs/annex-a.md", "exec"), namespace)
    scored = namespace["obligations"].filter(pl.col("rule") == "NAT-CP-01").sort("child_id")
    assert scored.select(pl.col("status").cast(pl.String)).to_series().to_list() == ["late", "met"]
    assert "2024-05-24" in capsys.readouterr().out
