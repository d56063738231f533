"""Every census file cinscope writes passes the target year's schema, checked by an independent
XSD validator (``xmlschema``) against the DfE schemas in ``crates/cinscope-census/data/schemas``.

Each bundled sample and a generated return of every year is written to every schema year
2017-2026. Where the writer writes, the file must be valid for that year; where it refuses, the
refusal must have been needed: the same census written keeping its values fails that year's
XSD. Both ways, cinscope's own reading of the schemas (``Census.schema_problems``) must agree
with the validator on whether a file is valid.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import polars as pl
import pytest
import xmlschema

import cinscope as cs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "crates" / "cinscope-census" / "data"
YEARS = range(2017, 2027)


@functools.cache
def xsd(year: int) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(DATA / "schemas" / f"CIN_schema_{year}.xsd")


def sample(name: str) -> cs.Census:
    return cs.read_census(DATA / "samples" / name)


def generated(year: int) -> cs.Census:
    return cs.generate_census(150, seed=year, year=year, error_rate=0.1)


def edited(year: int, table: str, column: str, value: object, dtype: type[pl.DataType] = pl.String) -> cs.Census:
    """A clean generated return of ``year`` with ``column`` of ``table`` set to ``value`` on every row."""
    tables = generated(year).tables
    tables[table] = tables[table].with_columns(pl.lit(value, dtype=dtype).alias(column))
    return cs.census_from_tables(tables)


#: name -> (census, the years it can be written to, from the schemas' own differences).
SOURCES: dict[str, tuple[cs.Census, list[int]]] = {
    # A <CINPlanDates> (the schemas have it from 2022); GenderCurrent 1 becomes Sex M from 2025
    # and ICPCnotRequired "false" is written 0.
    "sample 2021": (sample("CIN_Census_2021.xml"), list(range(2022, 2027))),
    # Assessment factor "RB" is in no year's list, and an empty <FactorsIdentifiedAtAssessment/>
    # breaks every year's minOccurs=1 <AssessmentFactors>.
    "sample 2024": (sample("CIN_Census_2024.xml"), []),
    # Also a <PreProceedingsandFGDM>, which no schema 2017-2026 has.
    "sample 2026": (sample("CIN_Census_2026.xml"), []),
    # Generated returns: 2017-2020 hold codes every year lists; 2021 adds factors 18B/18C/19B/19C
    # (listed from 2021); from 2022 there are CIN plan dates (from 2022).
    **{f"generated {y}": (generated(y), list(YEARS) if y <= 2020 else list(range(y if y == 2021 else 2022, 2027))) for y in YEARS},
    # Crafted: a date written day/month/year is no xs:date in any year.
    "dd/mm/yyyy referral date": (edited(2025, "CINdetails", "CINreferralDate", "03/06/2024"), []),
    # RC9 is listed from 2023 (every generated 2025 episode gets it here).
    "RC9": (edited(2025, "CINdetails", "ReasonForClosure", "RC9"), list(range(2023, 2027))),
    # A born child's sex U has no single GenderCurrent code (0 not recorded, 9 indeterminate).
    "Sex U": (edited(2025, "ChildIdentifiers", "Sex", "U"), [2025, 2026]),
    # true/false flags are translated to 1/0, which every year takes.
    "true/false flags": (edited(2025, "CINdetails", "ReferralNFA", "false"), list(range(2022, 2027))),
    # A UPN of the wrong pattern, an LEA of two digits, a negative count: no year takes them.
    "bad UPN": (edited(2025, "ChildIdentifiers", "UPN", "A12345"), []),
    "bad LEA": (edited(2025, "Header", "LEA", "20"), []),
    "negative previous plans": (edited(2026, "ChildProtectionPlans", "NumberOfPreviousCPP", "-1"), []),
}


@pytest.mark.parametrize("name", list(SOURCES))
def test_written_files_pass_the_target_year_schema(name: str) -> None:
    census, expected = SOURCES[name]
    writable = []
    for year in YEARS:
        problems = census.schema_problems(year)
        kept = census.to_xml(year, invalid="keep")
        # cinscope's reading of the schema agrees with the XSD validator on this file.
        assert xsd(year).is_valid(kept) == problems.is_empty(), (name, year, problems["message"].to_list()[:5], list(xsd(year).iter_errors(kept))[:3])
        try:
            xml = census.to_xml(year)
        except cs.CensusError as e:
            # Refused: needed (the file kept as it is fails the XSD), and the error names every
            # element concerned.
            assert not problems.is_empty()
            for element in problems["element"].unique():
                assert f"<{element}>" in str(e), (name, year, element, str(e))
            continue
        assert xml == kept
        errors = [str(err)[:300] for err in xsd(year).iter_errors(xml)]
        assert not errors, (name, year, errors[:3])
        writable.append(year)
    assert writable == expected, name


def test_generated_flags_and_sex_are_translated_in_the_file(tmp_path: Path) -> None:
    census = edited(2025, "CINdetails", "ReferralNFA", "false")
    xml = census.to_xml(2024)
    assert "<ReferralNFA>0</ReferralNFA>" in xml and "false" not in xml
    assert "<GenderCurrent>1</GenderCurrent>" in xml or "<GenderCurrent>2</GenderCurrent>" in xml
    assert "<Sex>" not in xml
    assert xsd(2024).is_valid(xml)
    # Written for 2024 and read back, the data is the same (1/2 and 0/1 are M/F and false/true).
    out = tmp_path / "2024.xml"
    assert census.write(out, 2024).is_empty()
    assert cs.read_census(out).same_as(census)
    assert cs.read_census(out).reference_date == dt.date(2025, 3, 31)
