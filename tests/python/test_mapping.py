"""Declarative mappings (cs.read_mapped, cs.mapping_template, ``cinscope map``): the worked
examples of docs/mapping.md, row accounting, dates, codes, every validation message and the
command line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cinscope as cs
from cinscope.cli import main
from cinscope.mapping import FINDING_CODES

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "python" / "data" / "mapping"
DOC = ROOT / "docs" / "mapping.md"

MOSAIC = DATA / "mosaic.toml"
MOSAIC_CSV = DATA / "mosaic_referrals.csv"
LIQUIDLOGIC = DATA / "liquidlogic.toml"
LIQUIDLOGIC_SOURCES = {
    "event_log": DATA / "liquidlogic_event_log.csv",
    "allocations": DATA / "liquidlogic_allocations.csv",
}


# --------------------------------------------------------------------------------------------
# Helpers


def readings(imported: cs._imported.Imported, entries: dict[str, int]) -> int:
    """Rows times events entries, per table: what the accounting must add up to."""
    return sum(imported.counts[name] * n for name, n in entries.items())


def accounted(imported: cs._imported.Imported) -> int:
    """Events plus the findings that stand for a reading of a row (not_an_event or skipped)."""
    per_row = imported.findings.filter(
        pl.col("row").is_not_null() & pl.col("action").is_in(["not_an_event", "skipped"])
    )
    return imported.events.height + per_row.height


def expected_events(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    return frame.with_columns(pl.col("date").str.to_date(), pl.col("source_row").cast(pl.Int64))


def expected_findings(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False).with_columns(pl.col("row").cast(pl.Int64))


def write(tmp_path: Path, text: str, name: str = "local.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


#: A small wide extract, used by the validation tests.
EXTRACT = pl.DataFrame({
    "PersonID": ["P1", "P2"],
    "RefDate": ["14/01/2025", "20/02/2025"],
    "CloseDate": ["28/02/2025", None],
    "Reason": ["NFA", None],
})

VALID = """\
[[tables]]
name = "referrals"
child_id = "PersonID"

[[tables.events]]
event = "referral"
date = "RefDate"

[[tables.events]]
event = "closure"
date = "CloseDate"
qualifier = {column = "Reason", values = {"NFA" = "RC8"}}
"""


# --------------------------------------------------------------------------------------------
# The worked examples of docs/mapping.md


def doc_files() -> dict[str, str]:
    """The files docs/mapping.md shows, by path: each block follows a ``<!-- file: ... -->``."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", text, flags=re.DOTALL)
    return {name: body for name, body in blocks}


def test_the_docs_show_the_example_files_verbatim() -> None:
    shown = doc_files()
    on_disk = {str(p.relative_to(ROOT)) for p in DATA.iterdir()}
    assert set(shown) == on_disk, "every example file is shown in docs/mapping.md, and nothing else"
    for name, body in shown.items():
        assert (ROOT / name).read_text(encoding="utf-8") == body, f"{name} differs from its copy in docs/mapping.md"


def test_the_docs_error_messages_are_what_the_mistakes_give(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = re.search(r"### Checks\n.*?```text\n(.*?)```", text, flags=re.DOTALL)
    assert shown is not None
    lines = shown.group(1).splitlines()
    mistakes = [
        ('child_id = "PersonID"', 'child = "PersonID"'),
        ('event = "assessment_start"', 'event = "asessment_start"'),
        ('"NFA" = "RC8"', '"NFA" = "R8"'),
        ("null_values", 'date_format = "%d/%m"\nnull_values'),
        ('date = "AssessmentAuthorised"', 'date = "AssessmentAuthorized"'),
    ]
    assert len(lines) == len(mistakes)
    for line, (old, new) in zip(lines, mistakes):
        path = write(tmp_path, MOSAIC.read_text(encoding="utf-8").replace(old, new, 1), "mosaic.toml")
        with pytest.raises(cs.SchemaError) as raised:
            cs.read_mapped(MOSAIC_CSV, path)
        assert line.endswith("...") and str(raised.value).startswith(line[:-3]), (line, str(raised.value))


def test_mosaic_example_wide_referrals() -> None:
    imported = cs.read_mapped(MOSAIC_CSV, MOSAIC)
    assert imported.source_format == "mapping"
    assert imported.counts == {"referrals": 8}
    got = imported.events
    want = expected_events(DATA / "mosaic_events.csv")
    assert got.columns == want.columns
    assert got.schema["date"] == pl.Date and got.schema["child_id"] == pl.String
    assert got.to_dicts() == want.to_dicts()
    findings = imported.findings.select("source", "row", "column", "code", "action")
    assert findings.to_dicts() == expected_findings(DATA / "mosaic_findings.csv").to_dicts()
    # 8 rows x 4 entries = 32 readings: 20 events, 10 documented non-events, 2 problems.
    assert readings(imported, {"referrals": 4}) == 32 == accounted(imported)
    assert dict(imported.findings.group_by("action").len().iter_rows()) == {
        "not_an_event": 10, "skipped": 2, "repaired": 1,
    }
    messages = imported.findings["message"].to_list()
    assert "row 7: 'ClosureDate' has no date: no closure on this row" in messages  # 31/12/9999, a null value
    assert "row 6: 'PersonID' (the child id) is empty; the referral dated '12/05/2025' is not read" in messages
    assert (
        "row 5: 'AssessmentAuthorised' '31/02/2025' is not a date (expected DD/MM/YYYY or YYYY-MM-DD; set "
        "date_format for another layout); the assessment_authorised is not read"
    ) in messages
    assert (
        "row 8: 'ClosureReason' 'XFER-LA' is not under the qualifier's values; the closure is kept without a qualifier"
    ) in messages


def test_liquidlogic_example_long_event_log() -> None:
    imported = cs.read_mapped(LIQUIDLOGIC_SOURCES, LIQUIDLOGIC, as_of=dt.date(2025, 7, 31))
    assert imported.as_of == dt.date(2025, 7, 31)
    assert imported.counts == {"event_log": 19, "allocations": 2}
    want = expected_events(DATA / "liquidlogic_events.csv")
    assert imported.events.columns == want.columns  # no table has an episode id, so no such column
    assert imported.events.to_dicts() == want.to_dicts()
    findings = imported.findings.select("source", "row", "column", "code", "action")
    assert findings.to_dicts() == expected_findings(DATA / "liquidlogic_findings.csv").to_dicts()
    # 19 + 2 readings: 16 events, 2 documented non-events (a contact, a phone call), 3 problems.
    assert readings(imported, {"event_log": 1, "allocations": 1}) == 21 == accounted(imported)
    messages = imported.findings["message"].to_list()
    assert "row 2: 'EventType' 'CONTACT' is not an event (listed under ignore)" in messages
    assert "row 17: 'EventDate' is empty; the closure ('EventType' 'CLO') is not read" in messages
    assert "row 20: 'EventType' is empty: no event type; the row is not read" in messages


def test_mapped_events_score_nat_asmt_01_as_counted_by_hand() -> None:
    events = cs.read_mapped(MOSAIC_CSV, MOSAIC).events
    obligations = cs.score(events, "national", as_of=dt.date(2025, 7, 31))
    asmt = obligations.filter(pl.col("rule") == "NAT-ASMT-01").sort("child_id")
    got = {
        r["child_id"]: (r["due_date"], r["met_date"], r["status"], r["working_days_late"])
        for r in asmt.select("child_id", "due_date", "met_date", "status", "working_days_late").iter_rows(named=True)
    }
    # 45 working days after the referral, its own day not counted; England 2025 bank holidays:
    # Good Friday 18 Apr, Easter Monday 21 Apr, early May 5 May, spring 26 May.
    # 1001 and 1002, referred Mon 24 Mar: 25-28 Mar = 4, 31 Mar-4 Apr = 9, 7-11 Apr = 14,
    #   14-17 Apr = 18 (18 Apr holiday), 22-25 Apr = 22 (21 Apr holiday), 28 Apr-2 May = 27,
    #   6-9 May = 31 (5 May holiday), 12-16 May = 36, 19-23 May = 41, 27-30 May = 45 (26 May
    #   holiday): due Fri 30 May. 1001 authorised 30 May: met. 1002 authorised Mon 2 Jun
    #   ("02/06/2025", day-first): late by 1 working day.
    # 1004, referred Thu 10 Apr: 11 Apr = 1, 14-17 Apr = 5, 22-25 Apr = 9, 28 Apr-2 May = 14,
    #   6-9 May = 18, 12-16 May = 23, 19-23 May = 28, 27-30 May = 32, 2-6 Jun = 37, 9-13 Jun = 42,
    #   16-18 Jun = 45: due Wed 18 Jun. Its authorisation "31/02/2025" is not a date, so at
    #   31 Jul it is overdue by 19-20 Jun = 2, 23 Jun-25 Jul = 27 (five weeks), 28-31 Jul = 31.
    # 1006, referred Tue 7 Jan: 8-10 Jan = 3, then five a week to 7 Mar = 43, 10-11 Mar = 45:
    #   due Tue 11 Mar; authorised 21 Feb: met.
    # 1007, referred Mon 13 Jan: 14-17 Jan = 4, then five a week to 14 Mar = 44, 17 Mar = 45:
    #   due Mon 17 Mar; authorised 10 Mar: met.
    # 1008, referred Tue 1 Apr (ISO): 2-4 Apr = 3, 7-11 Apr = 8, 14-17 Apr = 12, 22-25 Apr = 16,
    #   28 Apr-2 May = 21, 6-9 May = 25, 12-16 May = 30, 19-23 May = 35, 27-30 May = 39,
    #   2-6 Jun = 44, 9 Jun = 45: due Mon 9 Jun; never authorised: at 31 Jul overdue by
    #   10-13 Jun = 4, 16 Jun-25 Jul = 34 (six weeks), 28-31 Jul = 38.
    # 1003 had no assessment: the rule does not apply to it.
    d = dt.date
    assert got == {
        "1001": (d(2025, 5, 30), d(2025, 5, 30), "met", None),
        "1002": (d(2025, 5, 30), d(2025, 6, 2), "late", 1),
        "1004": (d(2025, 6, 18), None, "overdue", 31),
        "1006": (d(2025, 3, 11), d(2025, 2, 21), "met", None),
        "1007": (d(2025, 3, 17), d(2025, 3, 10), "met", None),
        "1008": (d(2025, 6, 9), None, "overdue", 38),
    }
    # The labels the mapping gave travel to the obligations.
    assert asmt.filter(pl.col("child_id") == "1006")["team"].item() == "CIN2"
    assert asmt.filter(pl.col("child_id") == "1001")["worker"].item() == "Sam Okafor"


# --------------------------------------------------------------------------------------------
# Row accounting


def test_every_reading_of_every_row_is_an_event_or_a_finding() -> None:
    # One wide table (3 entries) and one long table (1 entry), with every outcome.
    wide = pl.DataFrame({
        "Child": ["A", "B", None, "D", "E"],
        "Ref": ["15/01/2025", "16/01/2025", "17/01/2025", "not a date", None],
        "Start": ["20/01/2025", None, None, "21/01/2025", "22/01/2025"],
        "Closed": [None, "31/01/2025", "31/01/2025", None, None],
        "Why": [None, "NFA", "NFA", None, None],
        "Extra": ["x", "y", "z", "w", "v"],
    })
    log = pl.DataFrame({
        "Child": ["A", "A", "A", "B", None, "B", "C"],
        "Type": ["VIS", "CALL", "ZZZ", None, "VIS", "VIS", "VIS"],
        "When": ["2025-02-03", "2025-02-04", "2025-02-05", "2025-02-06", "2025-02-07", None, "2025-02-31"],
    })
    mapping: dict[str, Any] = {"tables": [
        {"name": "wide", "child_id": "Child", "ignore_columns": ["Extra"], "events": [
            {"event": "referral", "date": "Ref"},
            {"event": "assessment_start", "date": "Start"},
            {"event": "closure", "date": "Closed", "qualifier": {"column": "Why", "values": {"NFA": "RC8"}}},
        ]},
        {"name": "log", "child_id": "Child", "date": "When",
         "event": {"column": "Type", "values": {"VIS": "visit"}, "ignore": ["CALL"]}},
    ]}
    imported = cs.read_mapped({"wide": wide, "log": log}, mapping)
    assert imported.counts == {"wide": 5, "log": 7}
    # wide: A ref+start (closure empty); B ref+closure (start empty); C no child: ref and closure
    # skipped, start empty; D ref unreadable, start; E ref empty, start (closure empty).
    # log: A VIS event, CALL ignored, ZZZ unmapped; B no type; no child; B VIS no date; C bad date.
    assert imported.events.height == 2 + 2 + 0 + 1 + 1 + 1
    codes = imported.findings.group_by("source", "code").len().sort("source", "code").rows()
    assert codes == [
        ("log", "MAP_DATE_MISSING", 1), ("log", "MAP_DATE_UNREADABLE", 1), ("log", "MAP_NOT_AN_EVENT", 1),
        ("log", "MAP_NO_CHILD_ID", 1), ("log", "MAP_NO_EVENT_CODE", 1), ("log", "MAP_UNMAPPED_CODE", 1),
        ("wide", "MAP_DATE_UNREADABLE", 1), ("wide", "MAP_NO_CHILD_ID", 2), ("wide", "MAP_NO_DATE", 6),
    ]
    assert readings(imported, {"wide": 3, "log": 1}) == 15 + 7 == accounted(imported)
    # Frames number their rows from 1.
    assert imported.findings.filter(pl.col("code") == "MAP_NO_CHILD_ID")["row"].to_list() == [3, 3, 5]
    assert set(imported.findings["code"]) <= set(FINDING_CODES)


def test_columns_the_mapping_does_not_name_are_reported_once_each(tmp_path: Path) -> None:
    frame = EXTRACT.with_columns(Gender=pl.lit("F"), Postcode=pl.lit("AB1"))
    imported = cs.read_mapped(frame, write(tmp_path, VALID.replace('child_id = "PersonID"',
                                                                     'child_id = "PersonID"\nignore_columns = ["Postcode"]')))
    unused = imported.findings.filter(pl.col("code") == "MAP_UNUSED_COLUMN")
    assert unused.select("row", "column", "action").rows() == [(None, "Gender", "not_an_event")]
    assert "list it under ignore_columns" in unused["message"].item()


# --------------------------------------------------------------------------------------------
# Dates


def read_dates(values: list[str | None], date_format: str | None = None) -> cs._imported.Imported:
    table: dict[str, Any] = {"name": "t", "child_id": "C", "event": "referral", "date": "D"}
    if date_format:
        table["date_format"] = date_format
    return cs.read_mapped(pl.DataFrame({"C": [f"c{i}" for i in range(len(values))], "D": values}), {"tables": [table]})


def test_text_dates_are_read_day_first_never_month_first() -> None:
    imported = read_dates(["03/02/2025", "13/02/2025", "1/2/2025", "04.03.2025", "05-03-2025 14:30", "2025-02-07T09:00:00"])
    assert imported.events.sort("child_id")["date"].to_list() == [
        dt.date(2025, 2, 3), dt.date(2025, 2, 13), dt.date(2025, 2, 1), dt.date(2025, 3, 4), dt.date(2025, 3, 5),
        dt.date(2025, 2, 7),
    ]
    assert imported.findings.is_empty()


def test_a_date_that_reads_only_month_first_is_not_read() -> None:
    imported = read_dates(["25/12/2024", "12/25/2024"])
    assert imported.events["date"].to_list() == [dt.date(2024, 12, 25)]
    (message,) = imported.findings["message"].to_list()
    assert message == (
        "row 2: 'D' '12/25/2024' reads only month-first, and cinscope reads text dates day-first (DD/MM/YYYY); "
        "the referral is not read"
    )


def test_a_column_of_month_first_dates_is_an_error_that_says_so() -> None:
    with pytest.raises(cs.SchemaError) as raised:
        read_dates(["01/13/2025", "02/14/2025", "03/03/2025"])
    message = str(raised.value)
    assert message.startswith("mapping: table 't': key 'date': column 'D' of the frame given for table 't': its text "
                              "dates are month-first (")
    # The example row named is one that cannot be day-first.
    assert "'01/13/2025' has no month 13" in message or "'02/14/2025' has no month 14" in message
    assert 'date_format = "%m/%d/%Y"' in message
    # Given as month-first on purpose, they are read so.
    imported = read_dates(["01/13/2025", "02/14/2025"], "%m/%d/%Y")
    assert imported.events["date"].to_list() == [dt.date(2025, 1, 13), dt.date(2025, 2, 14)]


def test_a_column_whose_every_date_reads_both_ways_is_read_day_first_and_noted() -> None:
    imported = read_dates(["03/02/2025", "04/05/2025", "06/06/2025"])
    assert imported.events["date"].to_list() == [dt.date(2025, 2, 3), dt.date(2025, 5, 4), dt.date(2025, 6, 6)]
    note = imported.findings.row(0, named=True)
    assert (note["row"], note["column"], note["code"], note["action"]) == (None, "D", "MAP_DATE_AMBIGUOUS", "kept")
    assert "(2 with different readings); read day-first (DD/MM/YYYY)" in note["message"]


def test_two_digit_years_are_not_guessed_without_a_format() -> None:
    imported = read_dates(["03/02/25", "2025-02-03"])
    assert imported.events.height == 1
    assert imported.findings["code"].to_list() == ["MAP_DATE_UNREADABLE"]
    assert read_dates(["03/02/25"], "%d/%m/%y").events["date"].to_list() == [dt.date(2025, 2, 3)]


def test_date_format_is_followed_exactly() -> None:
    imported = read_dates(["03-Feb-2025", "2025-02-03", "31-Feb-2025"], "%d-%b-%Y")
    assert imported.events["date"].to_list() == [dt.date(2025, 2, 3)]
    assert imported.findings["message"].to_list() == [
        "row 2: 'D' '2025-02-03' is not a date in the mapping's date_format '%d-%b-%Y'; the referral is not read",
        "row 3: 'D' '31-Feb-2025' is not a date in the mapping's date_format '%d-%b-%Y'; the referral is not read",
    ]


def test_date_and_datetime_columns_need_no_format(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "C": [1, 2],
        "D": [dt.date(2025, 2, 3), None],
        "T": [dt.datetime(2025, 3, 4, 23, 59), dt.datetime(2025, 3, 5, 0, 1)],
    })
    path = tmp_path / "extract.parquet"
    frame.write_parquet(path)
    mapping = {"tables": [{"name": "t", "child_id": "C", "date_format": "%d/%m/%Y", "events": [
        {"event": "referral", "date": "D"}, {"event": "assessment_start", "date": "T"},
    ]}]}
    imported = cs.read_mapped(path, mapping)
    assert imported.events.select("child_id", "event", "date").rows() == [
        ("1", "referral", dt.date(2025, 2, 3)),
        ("1", "assessment_start", dt.date(2025, 3, 4)),
        ("2", "assessment_start", dt.date(2025, 3, 5)),
    ]
    # Parquet rows are numbered from 1.
    assert imported.findings.select("row", "code").rows() == [(2, "MAP_NO_DATE")]


# --------------------------------------------------------------------------------------------
# Codes, qualifiers and labels


LOG = pl.DataFrame({
    "Child": ["A", "A", "A", "A", "A", "A"],
    "Type": ["REF", " REF ", "REFF", "CALL", "VIS", "CLO"],
    "When": ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10", "2025-01-13"],
    "Detail": [None, "x", None, None, "Alone", "Custody"],
})


def log_mapping(**event: Any) -> dict[str, Any]:
    codes = {"column": "Type", "values": {"REF": "referral", "VIS": "visit", "CLO": "closure"}, **event}
    return {"tables": [{"name": "log", "child_id": "Child", "date": "When", "event": codes,
                        "qualifier": {"column": "Detail", "values": {"Alone": "seen_alone", "NFA": "RC8"}}}]}


def test_unmapped_event_codes_are_findings_with_the_closest_code() -> None:
    imported = cs.read_mapped(LOG, log_mapping())
    # Codes are trimmed: " REF " is REF. The referral takes no qualifier, so its Detail is not read.
    assert imported.events.select("event", "qualifier").rows() == [
        ("referral", None), ("referral", None), ("visit", "seen_alone"), ("closure", None),
    ]
    rows = imported.findings.select("row", "code", "action", "message").rows()
    assert rows == [
        (3, "MAP_UNMAPPED_CODE", "skipped",
         "row 3: 'Type' 'REFF' is not under values (did you mean 'REF'?); the row is not read: map the code under "
         "values, or list it under ignore if it is not an event"),
        (4, "MAP_UNMAPPED_CODE", "skipped",
         "row 4: 'Type' 'CALL' is not under values; the row is not read: map the code under values, or list it "
         "under ignore if it is not an event"),
        (6, "MAP_QUALIFIER_UNMAPPED", "repaired",
         "row 6: 'Detail' 'Custody' is not under the qualifier's values; the closure is kept without a qualifier"),
    ]


def test_unmapped_ignore_makes_unknown_codes_documented_non_events() -> None:
    imported = cs.read_mapped(LOG, log_mapping(unmapped="ignore", ignore=["CALL"]))
    found = imported.findings.filter(pl.col("action") != "repaired").select("row", "code", "action", "message").rows()
    assert found == [
        (3, "MAP_NOT_AN_EVENT", "not_an_event", "row 3: 'Type' 'REFF' is not under values: not an event (unmapped = \"ignore\")"),
        (4, "MAP_NOT_AN_EVENT", "not_an_event", "row 4: 'Type' 'CALL' is not an event (listed under ignore)"),
    ]
    assert imported.events.height + len(found) == LOG.height


def test_qualifier_codes_kept_as_given_and_checked_against_the_event() -> None:
    mapping = log_mapping()
    mapping["tables"][0]["qualifier"] = {"column": "Detail", "values": {"Alone": "seen_alone"}, "unmapped": "keep"}
    imported = cs.read_mapped(LOG, mapping)
    assert imported.events.filter(pl.col("event") == "closure")["qualifier"].item() == "Custody"
    (finding,) = imported.findings.filter(pl.col("code") == "MAP_QUALIFIER_NOT_ALLOWED").rows(named=True)
    assert (finding["row"], finding["column"], finding["code"], finding["action"]) == (
        6, "Detail", "MAP_QUALIFIER_NOT_ALLOWED", "kept")
    assert finding["message"] == (
        "row 6: 'Custody' is not a qualifier of closure (allowed: RC1, RC2, RC3, RC4, RC5, RC6, RC7, RC8, RC9); "
        "kept as given: scoring reports it (DQ002)"
    )


def test_a_code_can_fix_the_qualifier_and_an_empty_qualifier_means_none() -> None:
    frame = pl.DataFrame({"C": ["A", "A", "A"], "T": ["CLO-NFA", "CINP", "VIS"], "D": ["2025-01-06"] * 3,
                          "Q": [None, "Unknown", "Unknown"]})
    mapping = {"tables": [{"name": "t", "child_id": "C", "date": "D", "event": {"column": "T", "values": {
        "CLO-NFA": {"event": "closure", "qualifier": "RC8"},
        "CINP": {"event": "cin_plan_start", "qualifier": "assessment"},
        "VIS": "visit",
    }}, "qualifier": {"column": "Q", "values": {"Unknown": ""}}}]}
    imported = cs.read_mapped(frame, mapping)
    assert imported.events.select("event", "qualifier").rows() == [
        ("closure", "RC8"), ("cin_plan_start", "assessment"), ("visit", None),
    ]
    assert imported.findings.is_empty()


def test_labels_from_columns_codes_and_constants() -> None:
    frame = pl.DataFrame({"C": [7, 8, 9], "D": ["2025-01-06"] * 3, "Team": ["T1", "T2", None],
                          "Worker": pl.Series(["Ann", "Bob", "Cy"], dtype=pl.Categorical)})
    mapping = {"tables": [{"name": "t", "child_id": "C", "event": "referral", "date": "D",
                           "team": {"column": "Team", "values": {"T1": "North"}}, "worker": "Worker",
                           "authority": {"value": "kent"}}]}
    events = cs.read_mapped(frame, mapping).events
    assert events.select("child_id", "authority", "team", "worker").rows() == [
        ("7", "kent", "North", "Ann"), ("8", "kent", "T2", "Bob"), ("9", "kent", None, "Cy"),
    ]
    assert "episode_id" not in events.columns


def test_source_columns_may_have_any_names() -> None:
    # Columns named like the output's (team, worker, source) or like cinscope's working columns.
    frame = pl.DataFrame({"_child": ["A"], "team": ["2025-01-06"], "worker": ["T1"], "source": ["W1"],
                          "__cinscope_row": [99], "_event": ["x"]})
    mapping = {"tables": [{"name": "t", "child_id": "_child", "event": "referral", "date": "team", "team": "worker",
                           "worker": "source", "ignore_columns": ["__cinscope_row", "_event"]}]}
    imported = cs.read_mapped(frame, mapping)
    assert imported.events.select("child_id", "event", "date", "team", "worker", "source", "source_row").rows() == [
        ("A", "referral", dt.date(2025, 1, 6), "T1", "W1", "t", 1),
    ]
    assert imported.findings.is_empty()


# --------------------------------------------------------------------------------------------
# Validation: each message names the file, the table, the key, and suggests


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(("[[tables]]", "tabels = 1\n[[tables]]"),
                     "local.toml: key 'tabels': unknown key (did you mean 'tables'?", id="top-level key"),
        pytest.param(('child_id = "PersonID"', 'child = "PersonID"'),
                     "local.toml: table 'referrals': key 'child': unknown key (did you mean 'child_id'? the keys here "
                     "are: name, description, child_id,", id="table key"),
        pytest.param(('date = "RefDate"', 'dates = "RefDate"'),
                     "local.toml: table 'referrals': events entry 1 (referral): key 'dates': unknown key (did you "
                     "mean 'date'?", id="entry key"),
        pytest.param(('event = "referral"', 'event = "refferal"'),
                     "local.toml: table 'referrals': events entry 1 (refferal): key 'event': 'refferal' is not an "
                     "event cinscope knows (did you mean 'referral'? see cinscope.event_vocabulary()", id="event name"),
        pytest.param(('"NFA" = "RC8"', '"NFA" = "R8"'),
                     "local.toml: table 'referrals': events entry 2 (closure): key 'qualifier.values.'NFA'': 'R8' is "
                     "not a qualifier of 'closure' (did you mean 'RC8'? allowed: RC1, RC2,", id="qualifier value"),
        pytest.param(('qualifier = {column = "Reason", values = {"NFA" = "RC8"}}', 'qualifier = "Reason"'),
                     "local.toml: table 'referrals': events entry 2 (closure): key 'qualifier': 'Reason' is not a "
                     "qualifier of 'closure'", id="qualifier constant"),
        pytest.param(('qualifier = {column = "Reason", values = {"NFA" = "RC8"}}',
                      'qualifier = {column = "Reason", values = {"NFA" = "RC8"}, unmapped = "findings"}'),
                     "local.toml: table 'referrals': events entry 2 (closure): key 'qualifier.unmapped': 'findings' "
                     "is not an option here (did you mean 'finding'? one of: 'finding', 'keep')", id="unmapped"),
        pytest.param(('event = "referral"\ndate = "RefDate"', 'event = "referral"\ndate = "RefDate"\nqualifier = "RC8"'),
                     "local.toml: table 'referrals': events entry 1 (referral): key 'qualifier': 'referral' takes no "
                     "qualifier (see the qualifier column of cinscope.event_vocabulary())", id="qualifier for none"),
        pytest.param(('child_id = "PersonID"', 'child_id = "PersonID"\ndate_format = "%d/%m"'),
                     "local.toml: table 'referrals': key 'date_format': '%d/%m' does not give the day, the month and "
                     "the year of a date (use strftime codes: %d day, %m month, %Y year", id="date format incomplete"),
        pytest.param(('child_id = "PersonID"', 'child_id = "PersonID"\ndate_format = "%d/%Q/%Y"'),
                     "local.toml: table 'referrals': key 'date_format': '%d/%Q/%Y' is not a date format",
                     id="date format directive"),
        pytest.param(('"NFA" = "RC8"}}', '"NFA" = "RC8"}}\n\n[[tables]]\nname = "referrals"'),
                     "local.toml: table 2: key 'name': another table is already named 'referrals'", id="duplicate"),
        pytest.param(("[[tables]]", "[tables]"),
                     "local.toml: key 'tables': must be an array of tables: write [[tables]], not [tables]",
                     id="tables not an array"),
        pytest.param(('child_id = "PersonID"', 'child_id = "PersonID"\nevent = "referral"'),
                     "local.toml: table 'referrals': key 'event': a table has either [[tables.events]] entries or "
                     "event and date of its own, not both", id="both forms"),
        pytest.param(('child_id = "PersonID"\n', ""),
                     "local.toml: table 'referrals': key 'child_id': missing: name the column that holds the child's "
                     "id", id="no child id"),
        pytest.param(('date = "RefDate"', 'date = 2025-01-01'),
                     "local.toml: table 'referrals': events entry 1 (referral): key 'date': must be a column name (a "
                     "non-empty string), got the TOML date 2025-01-01", id="date not a string"),
        pytest.param(('name = "referrals"', 'name = "referrals'),
                     "local.toml: not valid TOML: ", id="toml syntax"),
    ],
)
def test_mapping_errors_name_the_file_table_and_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(cs.SchemaError) as raised:
        cs.read_mapped(EXTRACT, path)
    assert str(raised.value).startswith(expected), str(raised.value)


def test_a_toml_syntax_error_gives_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('name = "referrals"', 'name = "referrals'))
    with pytest.raises(cs.SchemaError, match=r"local\.toml: not valid TOML: .*line 2"):
        cs.read_mapped(EXTRACT, path)


def test_missing_columns_are_named_with_the_columns_the_source_has(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('date = "RefDate"', 'date = "Ref Date"').replace(
        'column = "Reason"', 'column = "Reasons"'))
    with pytest.raises(cs.SchemaError) as raised:
        cs.read_mapped(EXTRACT, path)
    assert str(raised.value) == (
        "local.toml: table 'referrals': events entry 1 (referral): key 'date': column 'Ref Date' is not in the frame "
        "given for table 'referrals' (did you mean 'RefDate'?); events entry 2 (closure): key 'qualifier.column': "
        "column 'Reasons' is not in the frame given for table 'referrals' (did you mean 'Reason'?); its columns: "
        "PersonID, RefDate, CloseDate, Reason"
    )
    path = write(tmp_path, VALID.replace('child_id = "PersonID"', 'child_id = "PersonID"\nignore_columns = ["Gendr"]'))
    with pytest.raises(cs.SchemaError, match=r"key 'ignore_columns': column 'Gendr' is not in the frame given"):
        cs.read_mapped(EXTRACT, path)


def test_a_column_of_the_wrong_dtype_is_named(tmp_path: Path) -> None:
    frame = EXTRACT.with_columns(pl.Series("PersonID", [1.0, 2.0]))
    with pytest.raises(cs.SchemaError) as raised:
        cs.read_mapped(frame, write(tmp_path, VALID))
    assert str(raised.value) == (
        "local.toml: table 'referrals': key 'child_id': column 'PersonID' of the frame given for table 'referrals' has "
        "dtype Float64; expected String or integer"
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"column": "Type", "values": {"VIS": "vist"}},
         "mapping: table 'log': key 'event.values.'VIS'': 'vist' is not an event cinscope knows (did you mean 'visit'?"),
        ({"column": "Type", "values": {"VIS": "visit"}, "ignore": ["VIS"]},
         "mapping: table 'log': key 'event.ignore': the code 'VIS' is both under values and under ignore"),
        ({"column": "Type", "values": {"VIS": "visit", " VIS": "visit"}},
         "mapping: table 'log': key 'event.values.' VIS'': the code 'VIS' is mapped twice"),
        ({"column": "Type", "values": {"REF": {"event": "referral", "qualifier": "RC8"}}},
         "mapping: table 'log': key 'event.values.'REF'.qualifier': 'referral' takes no qualifier"),
        ({"column": "Type", "values": {"CLO": {"event": "closure", "qualifer": "RC8"}}},
         "mapping: table 'log': key 'event.values.'CLO'.qualifer': unknown key (did you mean 'qualifier'?"),
        ({"column": "Type"},
         "mapping: table 'log': key 'event.values': missing: map the column's codes to events"),
        ({"column": "Type", "values": {}},
         "mapping: table 'log': key 'event.values': is empty: map at least one source code"),
        ({"column": "Type", "values": {"VIS": "visit"}, "unmapped": "keep"},
         "mapping: table 'log': key 'event.unmapped': 'keep' is not an option here (one of: 'finding', 'ignore')"),
    ],
)
def test_event_code_errors(event: dict[str, Any], expected: str) -> None:
    mapping = {"tables": [{"name": "log", "child_id": "Child", "date": "When", "event": event}]}
    with pytest.raises(cs.SchemaError) as raised:
        cs.read_mapped(LOG, mapping)
    assert str(raised.value).startswith(expected), str(raised.value)


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    yield path


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (replaced(v, rest, new) if k == head else v) for k, v in value.items()}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def test_no_broken_mapping_gives_anything_but_a_cinscope_error() -> None:
    import tomllib

    mapping = tomllib.loads(MOSAIC.read_text(encoding="utf-8"))
    source = pl.read_csv(MOSAIC_CSV, infer_schema=False)
    tried = 0
    for path in leaves(mapping):
        if not path:
            continue
        for new in (None, 0, True, "", "x", [], {}, ["x"], {"x": 1}):
            tried += 1
            try:
                cs.read_mapped(source, replaced(mapping, path, new))
            except cs.CinscopeError as error:
                assert str(error).startswith("mapping"), str(error)
    assert tried > 300


# --------------------------------------------------------------------------------------------
# Sources


def test_sources_must_match_the_tables(tmp_path: Path) -> None:
    with pytest.raises(cs.CinscopeError, match=r"liquidlogic\.toml has 2 tables \(event_log, allocations\): pass the "
                                               r"sources as a dict"):
        cs.read_mapped(LIQUIDLOGIC_SOURCES["event_log"], LIQUIDLOGIC)
    with pytest.raises(cs.CinscopeError, match=r"source 'event_logs' is not a table of liquidlogic\.toml \(did you mean "
                                               r"'event_log'\?\); its tables: event_log, allocations"):
        cs.read_mapped({"event_logs": LIQUIDLOGIC_SOURCES["event_log"], "allocations": DATA / "x.csv"}, LIQUIDLOGIC)
    with pytest.raises(cs.CinscopeError, match=r"no source given for table 'allocations' of liquidlogic\.toml"):
        cs.read_mapped({"event_log": LIQUIDLOGIC_SOURCES["event_log"]}, LIQUIDLOGIC)
    with pytest.raises(cs.CinscopeError, match=r"nowhere\.csv: no such file \(the source of table 'referrals'\)"):
        cs.read_mapped(tmp_path / "nowhere.csv", MOSAIC)
    with pytest.raises(cs.CinscopeError, match=r"expected a \.csv or \.parquet file"):
        cs.read_mapped(write(tmp_path, "x", "extract.xlsx"), MOSAIC)
    with pytest.raises(cs.CinscopeError, match=r"no such mapping file"):
        cs.read_mapped(EXTRACT, tmp_path / "nowhere.toml")
    with pytest.raises(cs.CinscopeError, match=r"as_of must be a datetime\.date"):
        cs.read_mapped(EXTRACT, MOSAIC, as_of="2025-01-01")  # type: ignore[arg-type]


def test_a_windows_1252_semicolon_csv_is_read_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes("PersonID;RefDate;CloseDate;Reason\nP1;14/01/2025;;\nP2;20/02/2025;;Zoë\n".encode("cp1252"))
    imported = cs.read_mapped(path, write(tmp_path, VALID))
    assert imported.events["child_id"].to_list() == ["P1", "P2"]
    encoding = imported.findings.filter(pl.col("code") == "MAP_ENCODING")
    assert encoding.select("row", "action", "message").rows() == [
        (None, "repaired", "extract.csv is not UTF-8 (first at line 3); read as Windows-1252"),
    ]


def test_csv_codes_keep_their_leading_zeros_and_a_lazyframe_is_read(tmp_path: Path) -> None:
    path = tmp_path / "extract.csv"
    path.write_text("ID,Type,When\n007,01,2025-01-06\n008,02,2025-01-07\n", encoding="utf-8")
    mapping: dict[str, Any] = {"tables": [{"name": "t", "child_id": "ID", "date": "When",
                           "event": {"column": "Type", "values": {"01": "referral", "02": "visit"}}}]}
    assert cs.read_mapped(path, mapping).events.select("child_id", "event").rows() == [
        ("007", "referral"), ("008", "visit"),
    ]
    lazy = pl.LazyFrame({"ID": [7], "Type": [1], "When": ["2025-01-06"]})
    mapping["tables"][0]["event"]["values"] = {"1": "referral"}
    assert cs.read_mapped(lazy, mapping).events.select("child_id", "event").rows() == [("7", "referral")]


# --------------------------------------------------------------------------------------------
# The template


def test_the_template_loads_and_reads_an_extract_with_its_columns() -> None:
    import tomllib

    text = cs.mapping_template()
    mapping = tomllib.loads(text)
    (table,) = mapping["tables"]
    extract = pl.DataFrame({
        "PersonID": ["P1"], "ReferralID": ["R1"], "TeamCode": ["RA1"], "AllocatedWorker": ["Sam"],
        "ReferralDate": ["06/01/2025"], "AssessmentStart": ["07/01/2025"], "AssessmentAuthorised": [None],
        "ClosureDate": ["31/12/9999"], "ClosureReason": [None], "Ethnicity": ["WBRI"], "DateOfBirth": ["01/01/2015"],
    })
    imported = cs.read_mapped(extract, mapping)
    assert imported.events.select("event", "date", "team", "authority").rows() == [
        ("referral", dt.date(2025, 1, 6), "Referral and Assessment", "national"),
        ("assessment_start", dt.date(2025, 1, 7), "Referral and Assessment", "national"),
    ]
    assert imported.findings["code"].to_list() == ["MAP_NO_DATE", "MAP_NO_DATE"]
    # Filled in minimally: a different child id column and one event.
    minimal = text.replace('child_id = "PersonID"', 'child_id = "ChildRef"')
    imported = cs.read_mapped(extract.rename({"PersonID": "ChildRef"}), tomllib.loads(minimal))
    assert imported.events["child_id"].unique().to_list() == ["P1"]
    assert table["name"] == "referrals"


def test_the_templates_commented_long_form_is_a_valid_mapping_too() -> None:
    import tomllib

    text = cs.mapping_template()
    marker = "# [[tables]]"
    head, tail = text.split(marker)
    uncommented = head + "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in (marker + tail).splitlines())
    mapping = tomllib.loads(uncommented)
    assert [t["name"] for t in mapping["tables"]] == ["referrals", "event_log"]
    log = pl.DataFrame({"ChildID": ["A", "A", "A"], "EventType": ["REF", "VIS", "PHONE"],
                        "EventDate": ["06/01/2025", "13/01/2025", "14/01/2025"], "Outcome": [None, "Seen alone", None]})
    referrals = pl.DataFrame({c: [None] for c in ("PersonID", "ReferralID", "TeamCode", "AllocatedWorker",
                                                   "ReferralDate", "AssessmentStart", "AssessmentAuthorised",
                                                   "ClosureDate", "ClosureReason", "Ethnicity", "DateOfBirth")},
                             schema={c: pl.String for c in ("PersonID", "ReferralID", "TeamCode", "AllocatedWorker",
                                                           "ReferralDate", "AssessmentStart", "AssessmentAuthorised",
                                                           "ClosureDate", "ClosureReason", "Ethnicity", "DateOfBirth")})
    imported = cs.read_mapped({"referrals": referrals.clear(), "event_log": log}, mapping)
    assert imported.events.select("event", "qualifier").rows() == [("referral", None), ("visit", "seen_alone")]
    assert imported.findings.select("code").to_series().to_list() == ["MAP_NOT_AN_EVENT"]


def test_the_template_explains_every_key() -> None:
    from cinscope import mapping as module

    text = cs.mapping_template()
    keys = set(module._TOP_KEYS + module._TABLE_KEYS + module._ENTRY_KEYS + module._EVENT_CODES_KEYS
               + module._TARGET_KEYS + module._QUALIFIER_KEYS + module._LABEL_KEYS)
    missing = [k for k in sorted(keys) if not re.search(rf"\b{k}\b", text)]
    assert not missing, f"the template does not mention {missing}"
    doc = DOC.read_text(encoding="utf-8")
    assert not [k for k in sorted(keys) if not re.search(rf"\b{k}\b", doc)]
    assert not [code for code in FINDING_CODES if f"`{code}`" not in doc]


# --------------------------------------------------------------------------------------------
# The command line


def test_cli_map_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "--template"]) == 0
    assert capsys.readouterr().out == cs.mapping_template()
    target = tmp_path / "mine.toml"
    assert main(["map", "--template", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == cs.mapping_template()
    assert f"mapping template written to {target}" in capsys.readouterr().out
    target.write_text("# my filled-in mapping\n", encoding="utf-8")
    assert main(["map", "--template", "-o", str(target)]) == 2
    assert "exists: map --template does not write over a file" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# my filled-in mapping\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name != "mine.toml"], "no temporary file is left"


def test_cli_map_writes_events_and_findings_that_score_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events, findings = tmp_path / "events.csv", tmp_path / "findings.csv"
    assert main(["map", str(MOSAIC), str(MOSAIC_CSV), "-o", str(events), "--findings", str(findings)]) == 0
    out = capsys.readouterr().out
    assert "referrals: 8 rows read" in out
    assert f"20 events of 7 children written to {events}" in out
    assert f"13 findings (10 not events, 2 skipped, 1 repaired) written to {findings}" in out
    assert pl.read_csv(events, infer_schema=False).height == 20
    assert pl.read_csv(findings).height == 13
    # The authority column says "national", so `cinscope score` picks that rulebook.
    obligations = tmp_path / "obligations.parquet"
    assert main(["score", str(events), "-o", str(obligations), "--as-of", "2025-07-31"]) == 0
    scored = pl.read_parquet(obligations).filter(pl.col("rule") == "NAT-ASMT-01")
    assert scored.height == 6 and set(scored["rulebook"].cast(pl.String)) == {"national"}


def test_cli_map_several_tables_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.parquet"
    args = ["map", str(LIQUIDLOGIC), *(f"{name}={path}" for name, path in LIQUIDLOGIC_SOURCES.items()), "-o", str(events)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "16 events of 3 children" in out
    assert "6 findings (3 not events, 3 skipped); write them with --findings FILE" in out
    assert pl.read_parquet(events).to_dicts() == expected_events(DATA / "liquidlogic_events.csv").to_dicts()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["map", "MAPPING", "SOURCE"], "map needs -o/--output EVENTS.parquet or EVENTS.csv"),
        (["map", "MAPPING"], "map needs a mapping and the extract"),
        (["map", "--template", "MAPPING"], "map --template takes no mapping"),
        (["map", "MAPPING", "SOURCE", "-o", "events.txt"], "events.txt: expected a file ending .parquet or .csv"),
        (["map", "MAPPING", "SOURCE", "SOURCE", "-o", "e.csv"], "map: 2 sources given; name each by its table: NAME=FILE"),
        (["map", "MAPPING", "SOURCE", "-o", "SOURCE"], "is the source"),
        (["map", "BROKEN", "SOURCE", "-o", "e.csv"], "broken.toml: table 'referrals': key 'child': unknown key"),
    ],
)
def test_cli_map_errors_are_messages_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str,
) -> None:
    broken = write(tmp_path, VALID.replace("child_id", "child"), "broken.toml")
    source = tmp_path / "extract.csv"
    EXTRACT.write_csv(source)
    names = {"MAPPING": str(MOSAIC), "SOURCE": str(source), "BROKEN": str(broken)}
    resolved = [names.get(a, str(tmp_path / a) if a.endswith((".csv", ".txt")) else a) for a in args]
    assert main(resolved) == 2
    err = capsys.readouterr().err
    assert err.startswith("cinscope map: error: ") and message in err, err
    assert "Traceback" not in err


def test_boolean_and_integer_code_columns_are_compared_as_text() -> None:
    frame = pl.DataFrame({"C": ["a", "b", "c"], "T": [3, 3, 9], "D": ["2025-01-06", "2025-01-07", "2025-01-08"],
                          "Alone": [True, False, None]})
    mapping = {"tables": [{"name": "t", "child_id": "C", "date": "D",
                           "event": {"column": "T", "values": {"3": "visit", "9": "visit"}},
                           "qualifier": {"column": "Alone", "values": {"true": "seen_alone", "false": "seen"}}}]}
    assert cs.read_mapped(frame, mapping).events["qualifier"].to_list() == ["seen_alone", "seen", None]
