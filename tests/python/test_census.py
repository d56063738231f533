"""The census through Python: read, tables, validate, measures, write, round trip, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs

SAMPLES = Path(__file__).resolve().parents[2] / "crates" / "cinscope-census" / "data" / "samples"


def test_samples_read_validate_and_round_trip(tmp_path: Path) -> None:
    samples = sorted(SAMPLES.glob("*.xml"))
    assert len(samples) == 3, f"the DfE samples are missing from {SAMPLES}"
    for sample in samples:
        census = cs.read_census(sample)
        assert len(census) >= 1
        assert set(census.tables) == {
            "Header", "ChildIdentifiers", "ChildCharacteristics", "Disabilities", "CINdetails", "Assessments",
            "AssessmentFactorsList", "CINplanDates", "Section47", "ChildProtectionPlans", "Reviews", "PreProceedings",
        }
        checked = census.validate()
        assert checked.issues.height > 0
        assert checked.summary.height == 109 + 3  # the DfE's rules and the three schema checks
        out = tmp_path / sample.name
        # The samples are built to break rules, some of them the schema's (an assessment factor
        # "RB"): kept as they are, they are written and read back whole, in every year.
        for year in range(2017, 2027):
            problems = census.write(out, year, invalid="keep")
            assert problems.equals(census.schema_problems(year))
            assert cs.read_census(out).same_as(census), (sample.name, year)


def test_same_as_compares_data_not_the_sex_element_name(tmp_path: Path) -> None:
    # The 2021 sample names sex GenderCurrent; written as 2026 it is Sex: the same data.
    sample = SAMPLES / "CIN_Census_2021.xml"
    census = cs.read_census(sample)
    out = tmp_path / "as-2026.xml"
    census.write(out, 2026)
    assert "<GenderCurrent>" in sample.read_text() and "<GenderCurrent>" not in out.read_text()
    assert cs.read_census(out).same_as(census)
    # GenderCurrent 1 is written as Sex M; a changed value is different data.
    assert "<GenderCurrent>1</GenderCurrent>" in sample.read_text() and "<Sex>M</Sex>" in out.read_text()
    changed = out.read_text().replace("<Sex>M</Sex>", "<Sex>F</Sex>", 1)
    assert changed != out.read_text()
    assert not cs.read_census(changed.encode()).same_as(census)


def test_sample_findings_name_rule_child_table_field_row_and_value() -> None:
    issues = cs.read_census(SAMPLES / "CIN_Census_2024.xml").validate().issues
    row = issues.filter((pl.col("rule") == "1570")).row(0, named=True)
    assert row["child_id"] == "child_fails_assessments"
    assert (row["table"], row["field"], row["row"], row["value"]) == ("ChildIdentifiers", "LAchildID", 1, "child_fails_assessments")
    assert "20 characters" in row["message"]
    # The stray text in the sample is reported, not silently dropped.
    notes = cs.read_census(SAMPLES / "CIN_Census_2024.xml").notes
    assert notes.filter(pl.col("message").str.contains("PersonBirthDate")).height == 1


def test_generated_returns_of_every_year_round_trip(tmp_path: Path) -> None:
    for year in range(2017, 2027):
        census = cs.generate_census(300, seed=year, year=year)
        path = tmp_path / f"{year}.xml"
        census.write(path, year)
        text = path.read_text()
        assert ("<Sex>" in text) == (year >= 2025) and ("<GenderCurrent>" in text) == (year < 2025)
        assert ("<CINPlanDates>" in text) <= (year >= 2022)
        again = cs.read_census(path)
        assert all(again.tables[name].equals(table) for name, table in census.tables.items()), year
        assert again.to_xml(year) == text, year
        assert again.validate().summary.height == 109 + 3


def test_tables_back_to_a_census_and_to_xml() -> None:
    # Samples and generated returns of every year: tables -> census -> XML is the XML itself.
    sources = [(cs.read_census(p), 2026 if "<Sex>" in p.read_text() else 2024) for p in sorted(SAMPLES.glob("*.xml"))]
    sources += [(cs.generate_census(200, seed=year, year=year, error_rate=0.05), year) for year in range(2017, 2027)]
    for census, year in sources:
        rebuilt = cs.census_from_tables(census.tables)
        assert rebuilt.to_xml(year, invalid="keep") == census.to_xml(year, invalid="keep"), year
        assert rebuilt.validate().issues.equals(census.validate().issues), year
    # The 2026 sample's pre-proceedings block is a table of its own, and survives. No schema
    # year 2017-2026 has the block, so it is written only when asked to keep what the schema
    # would reject.
    sample = cs.read_census(SAMPLES / "CIN_Census_2026.xml")
    pre = sample.tables["PreProceedings"]
    assert pre.height >= 1 and pre.schema["PPStartDate"] == pl.Date
    assert "<PPOutcome>A</PPOutcome>" in cs.census_from_tables(sample.tables).to_xml(2026, invalid="keep")
    with pytest.raises(cs.CensusError, match="<PreProceedingsandFGDM> is not in the 2026 schema; no schema year 2017–2026 holds it"):
        cs.census_from_tables(sample.tables).to_xml(2026)


def test_edited_tables_are_validated_and_written() -> None:
    census = cs.generate_census(100, seed=4, year=2025, error_rate=0.0)
    tables = census.tables
    first = tables["CINdetails"]["LAchildID"][0]
    tables["CINdetails"] = tables["CINdetails"].with_columns(
        ReferralSource=pl.when(pl.col("LAchildID") == first).then(pl.lit("ZZ")).otherwise(pl.col("ReferralSource"))
    )
    edited = cs.census_from_tables({k: v.lazy() for k, v in tables.items()})
    issues = edited.validate().issues.filter(pl.col("field") == "ReferralSource")
    assert issues["child_id"].unique().to_list() == [first]
    # What cannot be placed is an error naming the table, row and value.
    orphan = tables["Assessments"].with_columns(CINdetailsID=pl.lit(99, dtype=pl.UInt32))
    with pytest.raises(cs.CensusError, match=r"table Assessments, row 0: no CINdetails row .* CINdetailsID 99"):
        cs.census_from_tables({**tables, "Assessments": orphan})
    twice = pl.concat([tables["ChildIdentifiers"], tables["ChildIdentifiers"].head(1)])
    with pytest.raises(cs.CensusError, match="appears twice"):
        cs.census_from_tables({**tables, "ChildIdentifiers": twice})
    with pytest.raises(cs.CensusError, match="unknown table 'Child'"):
        cs.census_from_tables({**tables, "Child": tables["ChildIdentifiers"]})
    with pytest.raises(cs.CensusError, match="there is no Header table"):
        cs.census_from_tables({k: v for k, v in tables.items() if k != "Header"})
    with pytest.raises(TypeError, match="must be a polars DataFrame"):
        cs.census_from_tables({"Header": {"Year": 2025}})  # type: ignore[dict-item]


def test_tables_are_keyed_and_typed() -> None:
    census = cs.generate_census(50, year=2025)
    cin = census.tables["CINdetails"]
    assert cin.columns[:2] == ["LAchildID", "CINdetailsID"]
    assert cin.schema["CINreferralDate"] == pl.Date
    assert census.tables["ChildIdentifiers"].height == 50


def test_hand_built_return_breaks_exactly_the_expected_rules() -> None:
    xml = b"""<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>
      <ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails><Source><LEA>201</LEA></Source></Header>
      <Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2015-06-01</PersonBirthDate>
      <Sex>F</Sex><UPNunknown>UN2</UPNunknown></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
      <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
      <CINdetails><CINreferralDate>2024-06-03</CINreferralDate><ReferralSource>1A</ReferralSource>
      <PrimaryNeedCode>N1</PrimaryNeedCode><CINclosureDate>2024-05-31</CINclosureDate><ReasonForClosure>RC1</ReasonForClosure>
      <Assessments><AssessmentActualStartDate>2024-06-03</AssessmentActualStartDate>
      <AssessmentAuthorisationDate>2024-06-10</AssessmentAuthorisationDate>
      <FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors><AssessmentFactors>1A</AssessmentFactors>
      </FactorsIdentifiedAtAssessment></Assessments><ReferralNFA>0</ReferralNFA></CINdetails></Child></Children></Message>"""
    checked = cs.read_census(xml).validate(rules=["8630", "8869", "8565", "8840"])
    assert sorted(set(checked.issues["rule"])) == ["8565", "8630", "8869"]
    f = checked.issues.filter(pl.col("rule") == "8869")
    assert f["value"].to_list() == ["1A"] and f["table"].to_list() == ["AssessmentFactorsList"]


def test_measures_and_suppression() -> None:
    census = cs.generate_census(2_000, year=2025)
    m = census.measures()
    get = lambda measure, breakdown="all": m.filter((pl.col("measure") == measure) & (pl.col("breakdown") == breakdown))["value"].item()  # noqa: E731
    assert get("children") == 2_000
    bands = m.filter(pl.col("measure") == "assessment_duration_wd").filter(~pl.col("breakdown").str.contains("quartile|median"))
    assert bands["value"].sum() == get("assessments_completed")
    hidden = census.measures(suppress_below=10)
    assert hidden.filter(pl.col("suppressed"))["value"].null_count() == hidden["suppressed"].sum() > 0


def test_census_compliance_scores_census_derivable_rules() -> None:
    table = cs.census_compliance(cs.generate_census(500, year=2025), ["kent", "portsmouth"])
    assert set(table["rulebook"]) == {"kent", "portsmouth"}
    assert table.height > 0 and table["compliance"].drop_nulls().is_between(0, 1).all()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"<Message><Children><Child>", "truncated"),
        (b"<Message><Header></Message>", "line 1"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><Message><Children/></Message>', "DOCTYPE"),
        (b"<Message><Children><Child><ChildIdentifiers><LAchildID>&xxe;</LAchildID></ChildIdentifiers></Child></Children></Message>", "unknown entity"),
        (b"<Foo/>", "no <Message>"),
    ],
)
def test_bad_xml_is_a_census_error(data: bytes, fragment: str) -> None:
    with pytest.raises(cs.CensusError, match=fragment):
        cs.read_census(data)


def test_writer_refuses_data_the_year_cannot_hold() -> None:
    census = cs.generate_census(200, year=2025, seed=3)
    with pytest.raises(cs.CensusError, match="<CINPlanDates> is not in the 2019 schema; the 2022–2026 schemas hold it"):
        census.to_xml(2019)
    with pytest.raises(cs.CensusError, match="2017 to 2026"):
        census.to_xml(2030)


def test_cli_census_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cinscope.cli import main

    out = tmp_path / "g.xml"
    assert main(["census", "generate", "-o", str(out), "--children", "100", "--year", "2026"]) == 0
    code = main(["census", "validate", str(out), "-o", str(tmp_path / "issues.csv")])
    assert code in (0, 1) and (tmp_path / "issues.csv").exists()
    assert main(["census", "measures", str(out), "--suppress-below", "5"]) == 0
    assert main(["census", "convert", str(out), "--year", "2024", "-o", str(tmp_path / "c.xml")]) == 0
    assert main(["census", "validate", str(tmp_path / "missing.xml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert cs.read_census(tmp_path / "c.xml").reference_date == dt.date(2026, 3, 31)
