"""Issue #26 ("Nothing lost, nothing crashes, nothing leaks"), the census items, through the
Python API: each test is the regression test of one item (4, 9, 10, 14, 16, 17)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import cinscope as cs


def clean(year: int = 2025, children: int = 5) -> cs.Census:
    return cs.generate_census(children, seed=11, year=year, error_rate=0.0)


# --- 4: the reader never loses or merges data silently -----------------------------------------


def test_a_repeated_la_child_id_is_a_note_and_does_not_replace_the_first() -> None:
    xml = clean().to_xml()
    first = cs.read_census(xml.encode()).tables["ChildIdentifiers"]["LAchildID"][0]
    twice = xml.replace(f"<LAchildID>{first}</LAchildID>", f"<LAchildID>{first}</LAchildID><LAchildID>OTHER</LAchildID>", 1)
    census = cs.read_census(twice.encode())
    assert census.tables["ChildIdentifiers"]["LAchildID"][0] == first
    notes = census.notes
    assert notes.height == 1
    assert "a second <LAchildID> (\"OTHER\")" in notes["message"][0] and "the first is kept" in notes["message"][0]


def test_a_repeated_referral_date_is_a_note_and_no_episode_changes() -> None:
    xml = clean().to_xml()
    census = cs.read_census(xml.encode())
    date = census.tables["CINdetails"]["CINreferralDate"][0].isoformat()
    twice = xml.replace(f"<CINreferralDate>{date}</CINreferralDate>", f"<CINreferralDate>{date}</CINreferralDate><CINreferralDate>2020-01-01</CINreferralDate>", 1)
    again = cs.read_census(twice.encode())
    assert again.tables["CINdetails"].equals(census.tables["CINdetails"])
    assert again.notes.filter(pl.col("message").str.contains("a second <CINreferralDate>", literal=True)).height == 1


def test_two_returns_in_one_file_are_an_error_not_a_merge() -> None:
    a, b = clean().to_xml(), cs.generate_census(3, seed=12, year=2025).to_xml()
    joined = a + b.replace('<?xml version="1.0" encoding="UTF-8"?>', "", 1)
    with pytest.raises(cs.CensusError, match="a second root element <Message>"):
        cs.read_census(joined.encode())
    inner = b[b.index("<Children>") : b.index("</Children>") + len("</Children>")]
    with pytest.raises(cs.CensusError, match="a second <Children>"):
        cs.read_census(a.replace("</Children>", "</Children>" + inner, 1).encode())


# --- 9: table column names are element names, checked ------------------------------------------


def test_a_crafted_column_name_cannot_add_children() -> None:
    census = cs.read_census(Path(__file__).resolve().parents[2] / "crates/cinscope-census/data/samples/CIN_Census_2026.xml")
    tables = census.tables
    crafted = (
        "PPOutcome>A</PPOutcome></PreProceedingsandFGDM></CINdetails></Child>"
        "<Child><ChildIdentifiers><LAchildID>INJECTED</LAchildID></ChildIdentifiers></Child>"
        "<Child><ChildIdentifiers><LAchildID>INJECTED2</LAchildID></ChildIdentifiers><ChildCharacteristics/>"
        "<CINdetails><PreProceedingsandFGDM><PPOutcome"
    )
    tables["PreProceedings"] = tables["PreProceedings"].with_columns(pl.lit("x").alias(crafted))
    with pytest.raises(cs.CensusError, match=r"table PreProceedings has a column .*PPOutcome>A.* the columns of PreProceedings are: LAchildID, CINdetailsID, PreProceedingsID, PPStartDate"):
        cs.census_from_tables(tables)


def test_a_column_name_with_a_space_is_an_error_naming_table_column_and_allowed_names() -> None:
    tables = clean().tables
    tables["CINdetails"] = tables["CINdetails"].rename({"ReferralSource": "Referral Source"})
    with pytest.raises(cs.CensusError) as raised:
        cs.census_from_tables(tables)
    message = str(raised.value)
    assert "table CINdetails has a column \"Referral Source\"" in message
    assert "ReferralSource" in message and "CINreferralDate" in message
    both = clean(2024).tables
    both["ChildIdentifiers"] = both["ChildIdentifiers"].with_columns(GenderCurrent=pl.col("Sex"))
    with pytest.raises(cs.CensusError, match="both a Sex and a GenderCurrent column"):
        cs.census_from_tables(both)


# --- 10: every value against its type in the return's schema year -------------------------------


def test_day_month_year_dates_are_findings_and_are_not_written_back_unchanged(tmp_path: Path) -> None:
    tables = clean().tables
    tables["CINdetails"] = tables["CINdetails"].with_columns(pl.col("CINreferralDate").dt.strftime("%d/%m/%Y"))
    census = cs.census_from_tables(tables)
    findings = census.validate().issues.filter(pl.col("rule") == "XSD-TYPE")
    assert findings["field"].unique().to_list() == ["CINreferralDate"]
    assert findings.height == tables["CINdetails"].height
    assert findings["value"].str.contains(r"^\d\d/\d\d/\d{4}$").all()
    out = tmp_path / "out.xml"
    with pytest.raises(cs.CensusError, match=r"<CINreferralDate> \"\d\d/\d\d/\d{4}\" is not an xs:date \(YYYY-MM-DD\)"):
        census.write(out)
    assert not out.exists()
    # Through the tables the dates are Date values again, written YYYY-MM-DD.
    fixed = cs.census_from_tables(cs.read_census(census.to_xml(invalid="keep").encode()).tables)
    assert fixed.validate(rules=["XSD-TYPE"]).issues.is_empty()


def test_codes_are_checked_with_the_return_s_own_year() -> None:
    # RC9 ("closed after assessment, referred to early help") is in the lists from 2023.
    for year, expected in [(2022, 1), (2023, 0)]:
        tables = clean(year).tables
        tables["CINdetails"] = tables["CINdetails"].with_columns(
            ReasonForClosure=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("RC9")).otherwise(pl.col("ReasonForClosure"))
        )
        issues = cs.census_from_tables(tables).validate(rules=["XSD-TYPE"]).issues
        assert issues.height == expected, year


# --- 14: elements the return's year does not have -----------------------------------------------


def test_a_2017_return_with_cin_plan_dates_is_noted_and_the_write_error_names_the_years() -> None:
    tables = clean(2017, 20).tables
    plans = clean(2025, 20).tables["CINplanDates"]
    assert plans.height > 0
    tables["CINplanDates"] = plans.filter(pl.col("LAchildID").is_in(tables["CINdetails"]["LAchildID"].to_list()))
    # Written in a year that has CIN plan dates (2022), with the header's Year still 2017.
    census = cs.read_census(cs.census_from_tables(tables).to_xml(2022).encode())
    assert census.year == 2017
    notes = census.notes.filter(pl.col("message").str.contains("<CINPlanDates>", literal=True))
    assert notes.height == 1
    assert "the 2022–2026 schemas have it" in notes["message"][0]
    with pytest.raises(cs.CensusError, match="<CINPlanDates> is not in the 2017 schema; the 2022–2026 schemas hold it"):
        census.to_xml(2017)


# --- 16: 2886Q ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "value", "fires"),
    [
        (2024, "0", True),  # GenderCurrent 0: "not recorded"
        (2025, "U", True),  # Sex U: "unknown"
        (2025, None, True),  # no sex at all
        (2025, "1", True),  # a GenderCurrent code in a 2025 return: no <Sex> recorded
        (2024, "9", False),  # "indeterminate" is a recorded gender
        (2025, "F", False),
    ],
)
def test_2886q_counts_sex_not_known_or_not_recorded(year: int, value: str | None, fires: bool) -> None:
    tables = clean(year, 100).tables
    ids = tables["ChildIdentifiers"]
    # 3 of 100 children (none unborn): over the DfE's 2%.
    tables["ChildIdentifiers"] = ids.with_columns(
        Sex=pl.when(pl.int_range(pl.len()) < 3).then(pl.lit(value, dtype=pl.String)).otherwise(pl.col("Sex"))
    )
    issues = cs.census_from_tables(tables).validate(rules=["2886Q"]).issues
    assert (issues.height == 1) == fires


# --- 17: translation between years --------------------------------------------------------------


def test_gender_current_codes_become_sex_codes_and_back() -> None:
    tables = clean(2024, 4).tables
    tables["ChildIdentifiers"] = tables["ChildIdentifiers"].with_columns(Sex=pl.Series(["1", "2", "0", "9"]))
    census = cs.census_from_tables(tables)
    written = cs.read_census(census.to_xml(2025).encode())
    assert written.tables["ChildIdentifiers"]["Sex"].to_list() == ["M", "F", "U", "U"]
    back = cs.read_census(written.to_xml(2024, invalid="keep").encode())
    # M and F go back to 1 and 2; a born child's U has no single GenderCurrent code.
    assert back.tables["ChildIdentifiers"]["Sex"].to_list() == ["1", "2", "U", "U"]
    problems = written.schema_problems(2024)
    assert problems["element"].to_list() == ["GenderCurrent", "GenderCurrent"]
    assert problems["written"].to_list() == ["U", "U"]
    with pytest.raises(cs.CensusError, match=r"<GenderCurrent> \"U\" is not in the code list \(1, 2, 0, 9\) in the 2024 schema"):
        written.to_xml(2024)


def test_invalid_must_be_refuse_or_keep() -> None:
    with pytest.raises(ValueError, match="'refuse' or 'keep'"):
        clean().to_xml(invalid="ignore")  # type: ignore[arg-type]
