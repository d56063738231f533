"""What each source can support (issue #23): cs.coverage, cs.source_matrix, the sources matrix
page, and scoring that leaves out rules a source cannot judge.

The expectations are read off the rule texts (what starts a rule, what meets it) and the source
descriptions (docs/annex-a.md, docs/ssd.md, docs/census.md), not computed by the code tested.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs
from cinscope._coverage import source_matrix_markdown

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "crates" / "cinscope-census" / "data" / "samples"


def _frame(rows: list[tuple[str, str, dt.date]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"child_id": pl.String, "event": pl.String, "date": pl.Date}, orient="row")


# A child referred on Monday 6 January 2025 whose assessment started the next day; an enquiry
# on the 8th and a conference on the 24th (12 working days later: met). No authorisation.
CHILD = _frame([
    ("A", "referral", dt.date(2025, 1, 6)),
    ("A", "assessment_start", dt.date(2025, 1, 7)),
    ("A", "s47_start", dt.date(2025, 1, 8)),
    ("A", "icpc", dt.date(2025, 1, 24)),
])
AS_OF = dt.date(2025, 6, 30)


def test_a_rule_nothing_in_the_events_can_meet_is_not_scorable() -> None:
    table = cs.coverage(CHILD, "national", as_of=AS_OF)
    rows = {r["rule"]: r for r in table.iter_rows(named=True)}
    assert rows["NAT-ASMT-01"]["scorable"] is False
    assert rows["NAT-ASMT-01"]["met_by"] == ["assessment_authorised"]
    assert "assessment_authorised" in rows["NAT-ASMT-01"]["reason"]
    # Scored anyway (no source was declared), it is one overdue assessment.
    assert rows["NAT-ASMT-01"]["obligations"] == 1
    assert rows["NAT-CP-01"]["scorable"] is True
    assert rows["NAT-CP-01"]["reason"] is None
    assert rows["NAT-CP-01"]["obligations"] == 1


def test_a_rule_nothing_starts_is_not_scorable_and_yields_nothing() -> None:
    only_conference = _frame([("A", "referral", dt.date(2025, 1, 6)), ("A", "icpc", dt.date(2025, 1, 24))])
    table = cs.coverage(only_conference, "national", as_of=AS_OF)
    cp = table.filter(pl.col("rule") == "NAT-CP-01").row(0, named=True)
    assert cp["scorable"] is False
    assert cp["reason"] == "nothing in these events starts it: it holds no s47_start"
    assert cp["obligations"] == 0


def test_declared_source_events_decide_rather_than_what_the_extract_holds() -> None:
    # The census cannot hold visits: Kent's visit rule is not scorable from it, whatever this
    # extract holds; from the SSD it is (visits and plan starts are both in the SSD).
    with_visit = CHILD.vstack(_frame([("A", "cin_plan_start", dt.date(2025, 2, 3)), ("A", "visit", dt.date(2025, 2, 10))]))
    from_census = cs.coverage(with_visit, "kent", source_events=cs.SOURCE_EVENTS["census"], as_of=AS_OF)
    from_ssd = cs.coverage(with_visit, "kent", source_events=cs.SOURCE_EVENTS["ssd"], as_of=AS_OF)
    assert from_census.filter(pl.col("rule") == "KENT-VIS-01")["scorable"].item() is False
    assert "nothing in the source can meet it: it holds no visit" == from_census.filter(
        pl.col("rule") == "KENT-VIS-01"
    )["reason"].item()
    assert from_ssd.filter(pl.col("rule") == "KENT-VIS-01")["scorable"].item() is True


def test_an_imported_source_carries_what_it_can_hold() -> None:
    imported = cs.Imported(events=CHILD, source_format="census", as_of=AS_OF, source_events=cs.SOURCE_EVENTS["census"])
    table = cs.coverage(imported, "national")
    # The census holds assessment authorisations, so the rule is scorable from it even though
    # this extract has none: the missing authorisation is a real overdue.
    assert table.filter(pl.col("rule") == "NAT-ASMT-01")["scorable"].item() is True


def test_score_leaves_out_rules_the_source_cannot_judge_with_a_warning() -> None:
    # Annex A holds no CIN reviews: Kent's review rules must not show as overdue from it.
    events = _frame([
        ("A", "referral", dt.date(2025, 1, 6)),
        ("A", "assessment_start", dt.date(2025, 1, 7)),
        ("A", "assessment_authorised", dt.date(2025, 2, 3)),
        ("A", "cin_plan_start", dt.date(2025, 2, 3)),
        ("A", "visit", dt.date(2025, 2, 10)),
    ])
    imported = cs.Imported(
        events=events, source_format="annex_a", as_of=AS_OF,
        source_events=cs.SOURCE_EVENTS["annex_a"] | {"cin_plan_start"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        everything = cs.score(events, "kent", as_of=AS_OF)
    assert "KENT-REV-01" in everything["rule"].cast(pl.String).to_list()
    with pytest.warns(cs.CoverageWarning, match="KENT-REV-01"):
        scored = cs.score(imported, "kent")
    rules = set(scored["rule"].cast(pl.String).to_list())
    assert "KENT-REV-01" not in rules
    assert "KENT-VIS-01" in rules  # visits and plan starts are in this source
    # The same through an explicit list of source events, and through score_report.
    with pytest.warns(cs.CoverageWarning):
        again = cs.score(events, "kent", as_of=AS_OF, source_events=imported.source_events)
    assert again.height == scored.height
    with pytest.warns(cs.CoverageWarning):
        report = cs.score_report(imported, "kent")
    assert report.obligations.height == scored.height


def test_score_of_a_plain_frame_leaves_nothing_out() -> None:
    # A plan with no review at all is the worst case, not a gap in the source: it stays overdue.
    events = _frame([
        ("A", "referral", dt.date(2025, 1, 6)),
        ("A", "cin_plan_start", dt.date(2025, 2, 3)),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error", cs.CoverageWarning)
        warnings.simplefilter("ignore", cs.UnsetParameterWarning)
        scored = cs.score(events, "kent", as_of=AS_OF)
    assert scored.filter(pl.col("rule") == "KENT-REV-01")["status"].cast(pl.String).to_list()[0] == "overdue"


@pytest.mark.parametrize(
    ("source", "rulebook", "rule", "scorable"),
    [
        # NAT-CP-01: an enquiry (s47_start) met by a conference (icpc): all three sources.
        ("census", "national", "NAT-CP-01", True),
        ("annex_a", "national", "NAT-CP-01", True),
        ("ssd", "national", "NAT-CP-01", True),
        # Visits: not in the census; in Annex A, but with no plan start to count from.
        ("census", "kent", "KENT-VIS-01", False),
        ("annex_a", "kent", "KENT-VIS-01", False),
        ("ssd", "kent", "KENT-VIS-01", True),
        # CIN reviews are in none of them.
        ("ssd", "kent", "KENT-REV-01", False),
        ("census", "portsmouth", "PORT-REV-01", False),
        # Portsmouth's interim plan counts from the opening to a team: only the SSD has it,
        # and no source has the interim plan itself.
        ("ssd", "portsmouth", "PORT-PLAN-01", False),
        # LLR's 40-working-day assessment: referral and authorisation are in all three.
        ("annex_a", "leicester-leicestershire-rutland", "LLR-ASMT-01", True),
    ],
)
def test_source_matrix_cells(source: str, rulebook: str, rule: str, scorable: bool) -> None:
    m = cs.source_matrix([rulebook])
    cell = m.filter((pl.col("source") == source) & (pl.col("rule") == rule))
    assert cell.height == 1
    assert cell["scorable"].item() is scorable


def test_the_sources_matrix_page_is_up_to_date() -> None:
    page = ROOT / "docs" / "coverage.md"
    text = page.read_text(encoding="utf-8")
    begin, end = "<!-- matrix: begin -->\n", "<!-- matrix: end -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    fresh = head + begin + source_matrix_markdown() + end + tail
    if os.environ.get("CINSCOPE_BLESS"):
        page.write_text(fresh, encoding="utf-8")
    assert text == fresh, "docs/coverage.md is out of date: run CINSCOPE_BLESS=1 pytest tests/python/test_coverage.py"


def test_detect_format(tmp_path: Path) -> None:
    from cinscope.cli import bundled_events_path

    assert cs.detect_format(bundled_events_path()) == "events"
    assert cs.detect_format(next(SAMPLES.glob("*.xml"))) == "census"
    ssd = tmp_path / "ssd"
    ssd.mkdir()
    (ssd / "ssd_cin_episodes.csv").write_text("cine_referral_id\n", encoding="utf-8")
    assert cs.detect_format(ssd) == "ssd"
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "list3.csv").write_text("Child Unique ID,Date of referral\n", encoding="utf-8")
    assert cs.detect_format(lists) == "annex_a"
    odd = tmp_path / "odd.bin"
    odd.write_bytes(b"\x00\x01\x02")
    with pytest.raises(cs.CinscopeError, match="input_format"):
        cs.detect_format(odd)
    with pytest.raises(cs.CinscopeError, match="no such file"):
        cs.detect_format(tmp_path / "missing.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(cs.CinscopeError, match="neither"):
        cs.detect_format(empty)


def test_read_source_census_gives_events_and_what_the_census_can_hold() -> None:
    sample = SAMPLES / "CIN_Census_2024.xml"
    source = cs.read_source(sample)
    assert source.source_format == "census"
    assert source.source_events == cs.SOURCE_EVENTS["census"]
    assert source.as_of is not None
    events = set(source.events["event"].to_list())
    # The census's section 47 starts and CP reviews are events now (they were left out before).
    assert {"referral", "s47_start"} <= events
    assert source.events.columns[:5] == ["child_id", "episode_id", "event", "date", "qualifier"]


def test_read_source_annex_a_needs_the_inspection_date(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "list3.csv").write_text("Child Unique ID,Date of referral\n", encoding="utf-8")
    with pytest.raises(cs.CinscopeError, match="inspection date"):
        cs.read_source(lists)
    with pytest.raises(cs.CinscopeError, match="unknown input format"):
        cs.read_source(lists, input_format="excel")


def test_cli_scores_a_census_return_and_notes_what_it_cannot_judge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cinscope.cli import main

    sample = SAMPLES / "CIN_Census_2024.xml"
    out = tmp_path / "obligations.csv"
    assert main(["score", str(sample), "-o", str(out), "--rulebook", "kent"]) == 0
    err = capsys.readouterr().err
    assert "as census" in err
    assert "KENT-REV-01: no cin_review" in err
    obligations = pl.read_csv(out)
    assert obligations.height >= 1
    assert "KENT-REV-01" not in obligations["rule"].to_list()
    # The census's own reference date is the default as-of date.
    census = cs.read_census(sample)
    assert obligations["as_of"].unique().to_list() == [str(census.reference_date)]
    report = tmp_path / "report.html"
    assert main(["report", str(sample), "-o", str(report), "--rulebook", "portsmouth"]) == 0
    html = report.read_text(encoding="utf-8")
    assert "What the source can support" in html
    assert "PORT-REV-01" in html


def test_cli_annex_a_without_an_inspection_date_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cinscope.cli import main

    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "list3.csv").write_text("Child Unique ID,Date of referral\n", encoding="utf-8")
    assert main(["score", str(lists), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "inspection date" in err and "--as-of" in err


EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize(
    ("path", "as_of", "fmt"),
    [
        ("annex_a.xlsx", dt.date(2024, 10, 14), "annex_a"),
        ("ssd", dt.date(2026, 3, 31), "ssd"),
        ("census.xml", None, "census"),
    ],
)
def test_each_example_source_goes_from_file_to_scored_obligations(path: str, as_of: dt.date | None, fmt: str) -> None:
    source = cs.read_source(EXAMPLES / path, as_of=as_of)
    assert source.source_format == fmt
    assert source.source_events == cs.SOURCE_EVENTS[fmt]
    assert source.events.height > 0
    with pytest.warns(cs.CoverageWarning, match="KENT-REV-01: no cin_review"):
        scored = cs.score(source, "kent")
    rules = set(scored["rule"].cast(pl.String).to_list())
    assert "NAT-ASMT-01" in rules and "KENT-REV-01" not in rules
    table = cs.coverage(source, "kent")
    assert set(table.filter(pl.col("scorable"))["rule"].to_list()) >= {"NAT-ASMT-01", "NAT-CP-01"}


def test_a_mapping_can_hold_the_events_it_names() -> None:
    extract = pl.DataFrame({"PersonID": ["P1"], "Ref": ["2025-01-06"], "Auth": ["2025-02-03"]})
    mapping = {"tables": [{"name": "extract", "child_id": "PersonID", "events": [
        {"event": "referral", "date": "Ref"}, {"event": "assessment_authorised", "date": "Auth"},
    ]}]}
    source = cs.read_mapped(extract, mapping)
    assert source.source_events == frozenset({"referral", "assessment_authorised"})


@pytest.mark.parametrize(
    "argv",
    [
        ["annex_a.xlsx", "--as-of", "2024-10-14"],
        ["ssd", "--as-of", "2026-03-31"],
        ["census.xml"],
    ],
    ids=["annex_a", "ssd", "census"],
)
def test_the_readme_commands_go_from_each_example_to_a_report(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cinscope.cli import main

    out = tmp_path / "report.html"
    assert main(["report", str(EXAMPLES / argv[0]), *argv[1:], "--rulebook", "kent", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "What the source can support" in html and "KENT-REV-01" in html
    assert "not scored" in capsys.readouterr().err


def test_score_through_a_mapping_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cinscope.cli import main

    data = ROOT / "tests" / "python" / "data" / "mapping"
    out = tmp_path / "obligations.csv"
    code = main(["score", str(data / "mosaic_referrals.csv"), "--mapping", str(data / "mosaic.toml"),
                 "--as-of", "2025-07-31", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "as mapping" in capsys.readouterr().err
    assert pl.read_csv(out).height > 0
