"""Differential test: cinscope's census validation against the DfE reference validator.

The comparison is opt-in (it needs the reference validator in its own environment, made by
``scripts/reference_env.sh``): run with ``CINSCOPE_REFERENCE=1``. The three DfE samples,
generated returns of several years and one crafted return are validated by both; the children
each rule flags must be identical, except for the differences listed in ``KNOWN`` — each one a
place where the reference implementation is demonstrably wrong, with the reason.

The reference's own mistakes in rules 8540, 8832, 8870Q, 8898, 4003, 8841 and 8565 are pinned
by ``MISTAKES``: one small crafted return each. What cinscope must find there is derived from a
literal reading of the DfE rule's text (quoted with the reasoning beside each case) and checked
on every run; what the reference gets wrong is checked when the reference is run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl
import pytest

import cinscope as cs

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "crates" / "cinscope-census" / "data" / "samples"

needs_reference = pytest.mark.skipif(
    os.environ.get("CINSCOPE_REFERENCE") != "1", reason="differential test: set CINSCOPE_REFERENCE=1 to run"
)

#: (file stem, rule) -> why the reference's answer is wrong. The test fails if a listed
#: difference disappears (so the list stays true) or an unlisted one appears.
GENDER = (
    "Before 2025 the sex is in <GenderCurrent>; the reference reads only <Sex>, so it treats every "
    "pre-2025 child as having no sex. cinscope reads GenderCurrent as the sex."
)
NONE_COUNT = (
    "2887Q asks whether fewer than 8 different disability codes are used; the reference counts the "
    "rows coded NONE instead, so it passes a return using 2 codes and fails one using all 12."
)
PANDAS_RANGE = (
    "pandas cannot hold dates before 1677, so the reference reads the sample's expected birth date "
    "1066-04-13 as missing; it is present (and absurd), which 8525Q and 8530Q exist to catch."
)
FACTOR_LIST = (
    "The reference keeps an assessment's factors as a Python list (Assessments.AssessmentFactors) "
    "and compares it, as text such as \"['21', '2A']\", with a single code, so 8869 (21 with other "
    "factors), 8945Q (18A) and 8950Q (19A) never fire on XML input."
)
DUMMY_TABLE = (
    "For child protection plans the reference checks the closure date against a hard-coded dummy "
    "table (one plan ending 27/05/2022) instead of the return's own plans, so a plan that ends "
    "after its episode closed is not found."
)
BY_POSITION = (
    "The reference tells child protection plans apart by their position within the episode "
    "(CPPID): 8935 counts open plans per position, so two plans open at once in one episode are "
    "never two; 8940 compares plans per position, so plans of different episodes that overlap "
    "are never compared."
)
YEAR_CODES = (
    "2886Q counts children with no sex recorded. cinscope reads it with the codes of the return's own "
    "year, as the DfE's rule of that year does (2023/24: GenderCurrent 0 or missing; 2024/25 on: Sex U "
    "or missing). These samples declare Year 2023 but hold <Sex> (an element from 2025), with M: no "
    "GenderCurrent code is recorded for that child. The reference reads every return with the 2025 codes."
)
LENGTH_MISMATCH = (
    "The reference's 8565 builds the CIN-plan failures' error keys from the section 47 failures; "
    "when their numbers differ it raises ValueError (length mismatch), prints it, and reports "
    "nothing. The generated returns' deliberate mistakes include episodes closed before their "
    "referral, so activity after closure is there to find."
)
KNOWN: dict[tuple[str, str], str] = {
    ("CIN_Census_2021", "2886Q"): GENDER,
    ("generated_2023", "2886Q"): GENDER,
    ("CIN_Census_2024", "2886Q"): YEAR_CODES,
    ("CIN_Census_2026", "2886Q"): YEAR_CODES,
    ("generated_2023", "8565"): LENGTH_MISMATCH,
    ("generated_2025", "8565"): LENGTH_MISMATCH,
    ("generated_2026", "8565"): LENGTH_MISMATCH,
    ("CIN_Census_2021", "8525Q"): PANDAS_RANGE,
    ("CIN_Census_2021", "8530Q"): PANDAS_RANGE,
    ("generated_2023", "2887Q"): NONE_COUNT,
    ("generated_2025", "2887Q"): NONE_COUNT,
    ("generated_2026", "2887Q"): NONE_COUNT,
    ("crafted_2025", "8869"): FACTOR_LIST,
    ("crafted_2025", "8945Q"): FACTOR_LIST,
    ("crafted_2025", "8950Q"): FACTOR_LIST,
    ("crafted_2025", "8565"): DUMMY_TABLE,
    ("crafted_2025", "8935"): BY_POSITION,
    ("crafted_2025", "8940"): BY_POSITION,
}


def reference_run(paths: list[Path]) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """The reference's findings per file, and the lines it printed for rules that crashed (it
    catches a rule's exception, prints "Error with rule CODE: ..." and goes on)."""
    python = subprocess.run(["bash", str(ROOT / "scripts" / "reference_env.sh")], check=True, capture_output=True, text=True).stdout.strip()
    out = subprocess.run(
        [python, str(ROOT / "scripts" / "reference_census_findings.py"), *map(str, paths)],
        check=True, capture_output=True, text=True,
    ).stdout
    *printed, last = out.strip().splitlines()
    return json.loads(last), [line for line in printed if line.startswith("Error with rule")]


def reference(paths: list[Path]) -> dict[str, dict[str, list[str]]]:
    return reference_run(paths)[0]


def ours(path: Path) -> dict[str, list[str]]:
    # The DfE's rules only: the schema checks (XSD-*) are not rules the reference implements.
    issues = cs.read_census(path).validate().issues.filter(~pl.col("rule").str.starts_with("XSD-"))
    found: dict[str, set[str]] = {}
    for rule, child in zip(issues["rule"].to_list(), issues["child_id"].to_list()):
        found.setdefault(rule, set()).add(child if child is not None else "(return)")
    return {k: sorted(v) for k, v in found.items()}


def crafted(path: Path) -> Path:
    """A clean generated 2025 return, edited through its tables to hold what the reference
    cannot see: factor 21 with another factor (C0000000), the retired factors 18A (C0000001) and
    19A (C0000002), a child protection plan ending after its episode closed (C0000003), two
    plans open at once in one episode (C0000000), and overlapping plans in two episodes
    (C0000005)."""
    d = dt.date
    tables = dict(cs.generate_census(6, seed=7, year=2025, error_rate=0.0).tables)
    factors = tables["AssessmentFactorsList"]
    child, code = pl.col("LAchildID"), pl.col("AssessmentFactor")
    with_21 = factors.filter(child == "C0000000").head(1).with_columns(AssessmentFactor=pl.lit("21"))
    tables["AssessmentFactorsList"] = pl.concat([factors, with_21]).with_columns(
        AssessmentFactor=pl.when((child == "C0000001") & (code == "3B")).then(pl.lit("18A"))
        .when((child == "C0000002") & (code == "8D")).then(pl.lit("19A"))
        .otherwise(code)
    )
    episodes = tables["CINdetails"]
    second = episodes.filter(child == "C0000005").with_columns(
        CINdetailsID=pl.lit(2, pl.UInt32), CINreferralDate=pl.lit(d(2024, 9, 2)),
        CINclosureDate=pl.lit(d(2024, 12, 2)), ReasonForClosure=pl.lit("RC8"),
    )
    tables["CINdetails"] = pl.concat([episodes, second])
    plans = tables["ChildProtectionPlans"]
    extra = pl.DataFrame(
        {
            "LAchildID": ["C0000000", "C0000000", "C0000003", "C0000005", "C0000005"],
            "CINdetailsID": [1, 1, 1, 1, 2],
            "CPPID": [1, 2, 1, 1, 1],
            "CPPstartDate": [d(2024, 11, 1), d(2024, 12, 2), d(2024, 6, 10), d(2024, 8, 20), d(2024, 10, 1)],
            "CPPendDate": [None, None, d(2024, 9, 2), d(2024, 11, 1), d(2024, 11, 20)],
            "InitialCategoryOfAbuse": ["NEG", "NEG", "PHY", "NEG", "NEG"],
            "LatestCategoryOfAbuse": ["NEG", "NEG", "PHY", "NEG", "NEG"],
            "NumberOfPreviousCPP": ["0", "1", "0", "0", "1"],
        },
        schema=plans.schema,
    )
    tables["ChildProtectionPlans"] = pl.concat([plans, extra])
    cs.census_from_tables(tables).write(path, 2025)
    return path


def files(tmp: Path) -> list[Path]:
    paths = sorted(SAMPLES.glob("*.xml"))
    for year in (2023, 2025, 2026):
        p = tmp / f"generated_{year}.xml"
        cs.generate_census(400, seed=year, year=year, error_rate=0.2).write(p, year)
        paths.append(p)
    paths.append(crafted(tmp / "crafted_2025.xml"))
    return paths


@needs_reference
def test_findings_agree_rule_by_rule(tmp_path: Path) -> None:
    paths = files(tmp_path)
    theirs = reference(paths)
    differences: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for path in paths:
        mine, ref = ours(path), theirs[str(path)]
        for rule in sorted(set(mine) | set(ref)):
            a, b = mine.get(rule, []), ref.get(rule, [])
            if a != b:
                differences[(path.stem, rule)] = (a, b)
    unexplained = {k: v for k, v in differences.items() if k not in KNOWN}
    assert not unexplained, "findings differ from the reference (ours, reference):\n" + "\n".join(
        f"{k}: {v}" for k, v in sorted(unexplained.items())
    )
    vanished = [k for k in KNOWN if k not in differences]
    assert not vanished, f"listed differences no longer occur: {vanished}"


# --- The reference validator's own mistakes ----------------------------------------------------


def _tables() -> dict[str, pl.DataFrame]:
    """A clean generated 2025 return of four children (C0000000-C0000003), every referral
    going on to further action (ReferralNFA 0), to edit through its tables."""
    tables = dict(cs.generate_census(4, seed=21, year=2025, error_rate=0.0).tables)
    tables["CINdetails"] = tables["CINdetails"].with_columns(ReferralNFA=pl.lit("0"))
    return tables


def _add(tables: dict[str, pl.DataFrame], name: str, rows: list[dict[str, object]]) -> None:
    table = tables[name]
    extra = pl.DataFrame(rows, schema={k: table.schema[k] for k in rows[0]})
    extra = extra.select([pl.col(c) if c in extra.columns else pl.lit(None, table.schema[c]).alias(c) for c in table.columns])
    tables[name] = pl.concat([table, extra]).sort("LAchildID", maintain_order=True)


def _drop(tables: dict[str, pl.DataFrame], who: str, *names: str) -> None:
    for name in names:
        tables[name] = tables[name].filter(pl.col("LAchildID") != who)


def _plan(who: str, cpp_id: int, start: dt.date, end: dt.date | None = None) -> dict[str, object]:
    return {
        "LAchildID": who, "CINdetailsID": 1, "CPPID": cpp_id, "CPPstartDate": start, "CPPendDate": end,
        "InitialCategoryOfAbuse": "NEG", "LatestCategoryOfAbuse": "NEG", "NumberOfPreviousCPP": "0",
    }


def _review(who: str, day: dt.date) -> dict[str, object]:
    return {"LAchildID": who, "CINdetailsID": 1, "CPPID": 1, "CPPreviewDate": day}


def crafted_8540() -> dict[str, pl.DataFrame]:
    # DfE 8540: "If <PersonBirthDate> is present and at least one <ReferralNFA> is false or 0,
    # then one or more instances of <Disability> must be present, and all instances must be
    # valid code values." Every child here is born and went on to further action: C0000000 has
    # no <Disabilities> at all, C0000001 the code XYZ, which is in no list -> both fail.
    tables = _tables()
    tables["Disabilities"] = tables["Disabilities"].filter(pl.col("LAchildID") != "C0000000").with_columns(
        Disability=pl.when(pl.col("LAchildID") == "C0000001").then(pl.lit("XYZ")).otherwise(pl.col("Disability"))
    )
    return tables


def crafted_8832() -> dict[str, pl.DataFrame]:
    # DfE 8832: "If a <CINdetails> module has <ReferralNFA> = true or 1, then there should be no
    # Child Protection module present." C0000002's only referral is NFA (1) and has a plan ->
    # fails. C0000000 (two plans) and C0000001 (one) went on to further action -> pass. The
    # plans are laid out so that C0000002's episode row (2) and plan row (3) differ.
    tables = _tables()
    tables["CINdetails"] = tables["CINdetails"].with_columns(
        ReferralNFA=pl.when(pl.col("LAchildID") == "C0000002").then(pl.lit("1")).otherwise(pl.lit("0"))
    )
    tables["ChildProtectionPlans"] = tables["ChildProtectionPlans"].clear()
    tables["Reviews"] = tables["Reviews"].clear()
    d = dt.date
    _add(tables, "ChildProtectionPlans", [
        _plan("C0000000", 1, d(2024, 6, 3), d(2024, 8, 30)), _plan("C0000000", 2, d(2024, 9, 2)),
        _plan("C0000001", 1, d(2024, 9, 2)), _plan("C0000002", 1, d(2024, 9, 2)),
    ])
    return tables


def crafted_8870q() -> dict[str, pl.DataFrame]:
    # DfE 8870Q: "<InitialCPCtarget> should not be a Saturday, Sunday." C0000000's target is
    # Saturday 14 September 2024 -> fails.
    tables = _tables()
    tables["Section47"] = tables["Section47"].clear()
    _add(tables, "Section47", [{
        "LAchildID": "C0000000", "CINdetailsID": 1, "S47ActualStartDate": dt.date(2024, 8, 27),
        "InitialCPCtarget": "2024-09-14", "DateOfInitialCPC": dt.date(2024, 9, 13), "ICPCnotRequired": "0",
    }])
    return tables


def crafted_8898() -> dict[str, pl.DataFrame]:
    # DfE 8898: "If there is more than one <AssessmentFactors> for an assessment recorded, then
    # none of the values should appear more than once for an assessment." C0000000's assessment
    # lists its first factor twice -> fails.
    tables = _tables()
    factors = tables["AssessmentFactorsList"]
    tables["AssessmentFactorsList"] = pl.concat([factors, factors.filter(pl.col("LAchildID") == "C0000000").head(1)]).sort(
        "LAchildID", "CINdetailsID", "AssessmentID", maintain_order=True
    )
    return tables


def crafted_4003() -> dict[str, pl.DataFrame]:
    # DfE 4003: "Within a <CINDetails> module, no <CPPReviewDate> can fall between any
    # <CINPlanStartDate> or <CINPlanEndDate> unless <CPPReviewDate> is equal to <CPPendDate>."
    # C0000000: a CIN plan from 1 October to 31 December 2024; a child protection plan ending
    # 30 September 2024 whose <Reviews> holds 1 August 2024 (outside the CIN plan) and then
    # 15 November 2024 (inside it, and not the plan's end date) -> the second review fails.
    tables = _tables()
    d = dt.date
    _drop(tables, "C0000000", "CINplanDates", "ChildProtectionPlans", "Reviews")
    _add(tables, "CINplanDates", [{"LAchildID": "C0000000", "CINdetailsID": 1, "CINPlanStartDate": d(2024, 10, 1), "CINPlanEndDate": d(2024, 12, 31)}])
    _add(tables, "ChildProtectionPlans", [_plan("C0000000", 1, d(2024, 6, 3), d(2024, 9, 30))])
    _add(tables, "Reviews", [_review("C0000000", d(2024, 8, 1)), _review("C0000000", d(2024, 11, 15))])
    return tables


def crafted_8841() -> dict[str, pl.DataFrame]:
    # DfE 8841: "Within a <ChildProtectionPlans> group, there should be no <CPPreviewDate> that
    # is the same as or before the <CPPstartDate>." C0000000's plan starts 2 September 2024; its
    # <Reviews> holds 2 December 2024 and then 2 September 2024 (the start date) -> fails.
    tables = _tables()
    d = dt.date
    _drop(tables, "C0000000", "ChildProtectionPlans", "Reviews")
    _add(tables, "ChildProtectionPlans", [_plan("C0000000", 1, d(2024, 9, 2))])
    _add(tables, "Reviews", [_review("C0000000", d(2024, 12, 2)), _review("C0000000", d(2024, 9, 2))])
    return tables


def crafted_8565() -> dict[str, pl.DataFrame]:
    # DfE 8565: "If <CINclosureDate> is present then it must be on or after all of the following
    # dates that are present: ... <CINPlanStartDate>, <CINPlanEndDate>." C0000000's episode
    # closes 31 January 2025 and its CIN plan ends 28 February 2025 -> fails. No section 47
    # enquiry anywhere ends after its episode closed.
    tables = _tables()
    who = pl.col("LAchildID") == "C0000000"
    tables["CINdetails"] = tables["CINdetails"].with_columns(
        CINclosureDate=pl.when(who).then(pl.lit(dt.date(2025, 1, 31))).otherwise(pl.col("CINclosureDate")),
        ReasonForClosure=pl.when(who).then(pl.lit("RC1")).otherwise(pl.col("ReasonForClosure")),
    )
    _drop(tables, "C0000000", "CINplanDates", "ChildProtectionPlans", "Reviews", "Section47")
    _add(tables, "CINplanDates", [{"LAchildID": "C0000000", "CINdetailsID": 1, "CINPlanStartDate": dt.date(2024, 12, 2), "CINPlanEndDate": dt.date(2025, 2, 28)}])
    return tables


@dataclass(frozen=True)
class Mistake:
    build: Callable[[], dict[str, pl.DataFrame]]
    #: Children cinscope flags, from the rule's text (see the builder's comment).
    ours: list[str]
    #: Children the reference flags on the same return.
    theirs: list[str]
    #: The reference's exception, when the rule crashes there (it is printed and swallowed).
    crash: str | None
    why: str


MISTAKES: dict[str, Mistake] = {
    "8540": Mistake(crafted_8540, ["C0000000", "C0000001"], [], None,
        "The reference computes the failing rows, then groups them under a column named ROW_ID_x; "
        "turning them into locations looks for ROW_ID, and the KeyError is swallowed with all of the "
        "rule's findings, so 8540 never fires."),
    "8832": Mistake(crafted_8832, ["C0000002"], ["C0000001"], None,
        "The reference merges episodes with plans with the suffixes swapped (_cpp on the episode "
        "columns, _cin on the plan's), so it flags the plan whose row number is the failing "
        "episode's (a child that went on to further action) and misses the right one."),
    "8870Q": Mistake(crafted_8870q, ["C0000000"], [], None,
        "The reference re-parses the already parsed target date as day-month-year text "
        "(format %d-%m-%Y), which never matches, so no target date is ever a weekend."),
    "8898": Mistake(crafted_8898, ["C0000000"], [], "TypeError",
        "On a repeated factor the reference builds an error key holding the assessment's list of "
        "factors, which cannot be hashed: the rule crashes and finds nothing."),
    "4003": Mistake(crafted_4003, ["C0000000"], [], None,
        "The reference makes one Reviews row per <Reviews> block from its first <CPPreviewDate>, "
        "so every later review of a plan is never checked."),
    "8841": Mistake(crafted_8841, ["C0000000"], [], None,
        "As for 4003: only the first <CPPreviewDate> of each <Reviews> block is read."),
    "8565": Mistake(crafted_8565, ["C0000000"], [], "ValueError",
        "The reference builds the CIN-plan failures' error keys from the section 47 failures; when "
        "their numbers differ the rule crashes (length mismatch) and finds nothing."),
}


def _write(rule: str, tmp: Path) -> Path:
    path = tmp / f"mistake_{rule}.xml"
    # Kept as they are: the 8540 return holds a disability code the schema refuses on purpose.
    cs.census_from_tables(MISTAKES[rule].build()).write(path, 2025, invalid="keep")
    return path


@pytest.mark.parametrize("rule", list(MISTAKES))
def test_cinscope_finds_what_the_rule_text_says_where_the_reference_does_not(rule: str, tmp_path: Path) -> None:
    """On each crafted return cinscope flags exactly the children the DfE rule's text makes fail
    (reasoning beside each builder). The reference validator csc-validator-be-cin 0.1.13 gets
    these wrong (see ``MISTAKES``): it never fires 8540, 8870Q, 4003 or 8841 here, flags the wrong
    child for 8832, and crashes on 8898 and 8565 (finding nothing)."""
    path = _write(rule, tmp_path)
    issues = cs.read_census(path).validate(rules=[rule]).issues
    assert sorted(set(issues["child_id"].to_list())) == MISTAKES[rule].ours, MISTAKES[rule].why
    # The crafted return is otherwise a clean file: it passes its year's schema (but for the
    # invalid disability code 8540 is about).
    problems = cs.read_census(path).schema_problems(2025)
    assert problems.select("element", "value").rows() == ([("Disability", "XYZ")] if rule == "8540" else [])


@needs_reference
def test_the_reference_validator_gets_these_rules_wrong(tmp_path: Path) -> None:
    """Pins the reference's mistakes: if a new version fixes one, this fails, and the entry in
    ``MISTAKES`` (and the note in docs/census.md) should go."""
    paths = {rule: _write(rule, tmp_path) for rule in MISTAKES}
    theirs, crashes = reference_run(list(paths.values()))
    for rule, mistake in MISTAKES.items():
        found = theirs[str(paths[rule])].get(rule, [])
        assert found == mistake.theirs, (rule, found, mistake.why)
        assert found != mistake.ours, rule
        crashed = [line for line in crashes if line.startswith(f"Error with rule {rule}:")]
        if mistake.crash:
            assert crashed and mistake.crash in crashed[0], (rule, crashes)
        else:
            assert not crashed, (rule, crashed)
