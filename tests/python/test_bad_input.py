"""The bad-input battery: messy extracts, broken rulebooks and hostile census files.

Every case either scores correctly, reports data-quality findings, or raises a cinscope error
whose message names the column, the value and (where it helps) the row. None may surface as a
PanicException (which derives from BaseException, not Exception) or crash the interpreter.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs

AS_OF = dt.date(2026, 3, 31)


def history(child: str = "A") -> pl.DataFrame:
    """A small clean history: referral, assessment, CIN plan with meetings and visits, closure."""
    rows = [
        ("referral", dt.date(2025, 1, 6)),
        ("assessment_start", dt.date(2025, 1, 7)),
        ("assessment_authorised", dt.date(2025, 2, 20)),
        ("cin_plan_start", dt.date(2025, 2, 24)),
        ("cin_initial_meeting", dt.date(2025, 3, 3)),
        ("visit", dt.date(2025, 3, 10)),
        ("visit", dt.date(2025, 4, 7)),
        ("cin_review", dt.date(2025, 5, 19)),
        ("cin_plan_end", dt.date(2025, 8, 1)),
        ("closure", dt.date(2025, 8, 1)),
    ]
    return pl.DataFrame(
        {"child_id": [child] * len(rows), "event": [r[0] for r in rows], "date": [r[1] for r in rows]}
    )


def scored(frame: pl.DataFrame | pl.LazyFrame, book: str = "kent") -> pl.DataFrame:
    return cs.score(frame, book, as_of=AS_OF).sort("rule", "due_date", "sequence")


def report(frame: pl.DataFrame | pl.LazyFrame, book: str = "kent") -> cs.Scored:
    return cs.score_report(frame, book, as_of=AS_OF)


def codes(result: cs.Scored) -> set[str]:
    return set(result.findings["code"].to_list())


def raises(call: Callable[[], object], error: type[BaseException], *fragments: str) -> str:
    """Calls, requires a cinscope error of the given type, and that its message has every fragment."""
    with pytest.raises(BaseException) as info:
        call()
    assert isinstance(info.value, error), f"{type(info.value).__name__}: {info.value}"
    assert isinstance(info.value, (cs.CinscopeError, ValueError, TypeError)), type(info.value)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


BASELINE = scored(history())


def test_the_clean_history_scores() -> None:
    assert BASELINE.height > 5
    # Only the documented defaults of the qualifiers the history leaves out are reported.
    assert set(report(history()).findings["code"]) <= {"DQ016"}


# --- schema ------------------------------------------------------------------------------------


def test_missing_required_column() -> None:
    raises(lambda: scored(history().drop("event")), cs.SchemaError, "no column 'event'", "child_id, date")


def test_extra_columns_are_carried_or_ignored() -> None:
    extra = history().with_columns(note=pl.lit("x"), amount=pl.lit(1.5), flag=pl.lit(True))
    assert scored(extra).equals(BASELINE)


def test_strings_for_dates() -> None:
    frame = history().with_columns(pl.col("date").cast(pl.String))
    raises(lambda: scored(frame), cs.SchemaError, "'date'", "String", "str.to_date()")


def test_datetimes_with_a_time_zone() -> None:
    frame = history().with_columns(pl.col("date").cast(pl.Datetime("us", "Europe/London")))
    raises(lambda: scored(frame), cs.SchemaError, "'date'", "Europe/London", ".dt.date()")


def test_numbers_for_event_names() -> None:
    frame = history().with_columns(pl.int_range(pl.len()).alias("event"))
    raises(lambda: scored(frame), cs.SchemaError, "'event'")


def test_categoricals_and_enums_score_like_strings() -> None:
    frame = history().with_columns(pl.col("event").cast(pl.Categorical), pl.col("child_id").cast(pl.Enum(["A"])))
    assert scored(frame).equals(BASELINE)


def test_integer_child_ids_score() -> None:
    frame = history().with_columns(pl.lit(42, dtype=pl.Int64).alias("child_id"))
    out = scored(frame)
    assert out.height == BASELINE.height and set(out["child_id"].cast(pl.String)) == {"42"}


def test_empty_frame_gives_empty_obligations() -> None:
    out = scored(history().clear())
    assert out.height == 0 and out.columns == BASELINE.columns


def test_not_a_frame() -> None:
    raises(lambda: cs.score({"child_id": ["A"]}, "kent", as_of=AS_OF), TypeError, "DataFrame")  # type: ignore[arg-type]


# --- rows --------------------------------------------------------------------------------------


def test_null_child_ids() -> None:
    frame = history().with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("child_id")).alias("child_id"))
    raises(lambda: scored(frame), cs.DataError, "'child_id'", "1 null", "rows 3", 'errors="report"')
    result = report(frame)
    unused = result.findings.filter(pl.col("code") == "DQ000")
    assert unused["row"].to_list() == [3] and "child_id is null" in unused["message"][0]


def test_null_dates() -> None:
    frame = history().with_columns(pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("date")).alias("date"))
    raises(lambda: scored(frame), cs.DataError, "'date'", "1 null", "rows 5")
    result = report(frame)
    assert "DQ010" in codes(result)
    assert result.findings.filter(pl.col("code") == "DQ010")["row"].to_list() == [5]


def test_dates_in_1900_are_outside_the_calendar() -> None:
    frame = history().with_columns(pl.col("date") - pl.duration(days=365 * 125))
    message = raises(lambda: scored(frame), cs.DataError, "could not be scored", "child 'A'", "1900", "outside the calendar")
    assert "rule KENT-" in message or "rule NAT-" in message
    result = report(frame)
    assert "DQ000" in codes(result) and result.obligations.height < BASELINE.height


def test_dates_in_2100_are_after_the_as_of_date() -> None:
    frame = history().with_columns(pl.col("date").dt.offset_by("75y"))
    assert scored(frame).height == 0
    result = report(frame)
    after = result.findings.filter(pl.col("code") == "DQ015")
    assert after.height == frame.height
    assert sorted(after["row"].to_list()) == list(range(frame.height))
    assert "after the as-of date 2026-03-31" in after["message"][0]


def test_an_as_of_date_outside_the_calendar() -> None:
    raises(lambda: cs.score(history(), "kent", as_of=dt.date(2100, 1, 1)), cs.CinscopeError, "2100")


def test_duplicate_rows_are_reported_and_counted_once() -> None:
    frame = pl.concat([history(), history().slice(4, 3)])
    assert scored(frame).equals(BASELINE)
    dups = report(frame).findings.filter(pl.col("code") == "DQ003")
    assert dups.height == 3


def test_out_of_order_rows() -> None:
    assert scored(history().reverse()).drop("anchor_row", "met_row").equals(BASELINE.drop("anchor_row", "met_row"))
    shuffled = history().sample(fraction=1.0, shuffle=True, seed=5)
    assert scored(shuffled).drop("anchor_row", "met_row").equals(BASELINE.drop("anchor_row", "met_row"))


def test_unknown_event_names() -> None:
    frame = history().with_columns(
        pl.when(pl.col("event") == "cin_review").then(pl.lit("cin_reveiw")).otherwise(pl.col("event")).alias("event")
    )
    raises(lambda: scored(frame), cs.DataError, "'cin_reveiw'", "row 7", "did you mean 'cin_review'")
    assert "DQ001" in codes(report(frame))


def test_events_after_closure() -> None:
    frame = pl.concat([history(), pl.DataFrame({"child_id": ["A"], "event": ["visit"], "date": [dt.date(2025, 9, 1)]})])
    result = report(frame)
    late = result.findings.filter(pl.col("code") == "DQ005")
    assert late["row"].to_list() == [10]


def test_plan_end_before_start() -> None:
    frame = history().with_columns(
        pl.when(pl.col("event") == "cin_plan_end").then(pl.lit(dt.date(2025, 2, 1))).otherwise(pl.col("date")).alias("date")
    )
    assert "DQ006" in codes(report(frame))


def test_two_open_plans() -> None:
    extra = pl.DataFrame({"child_id": ["A"], "event": ["cin_plan_start"], "date": [dt.date(2025, 3, 20)]})
    result = report(pl.concat([history(), extra]))
    assert "DQ009" in codes(result)
    assert result.obligations.height > 0


def test_unknown_authority() -> None:
    frame = history().with_columns(authority=pl.lit("atlantis"))
    raises(lambda: cs.score(frame, {"kent": "kent"}, as_of=AS_OF), cs.DataError, "atlantis")


def test_unknown_rulebook() -> None:
    raises(lambda: cs.score(history(), "knet", as_of=AS_OF), cs.RulebookError, "knet", "kent")
    # In a list of rulebooks too; and a list or mapping must name at least one.
    raises(lambda: cs.score(history(), ["national", "knet"], as_of=AS_OF), cs.RulebookError, "knet")
    raises(lambda: cs.score(history(), [], as_of=AS_OF), ValueError, "list of rulebooks is empty")
    raises(lambda: cs.score(history(), ["kent", "national", cs.Rulebook.builtin("kent")], as_of=AS_OF),
           ValueError, "'kent' listed more than once")
    raises(lambda: cs.score(history(), {}, as_of=AS_OF), ValueError, "mapping of authorities to rulebooks is empty")
    raises(lambda: cs.compare_rulebooks(history(), [], as_of=AS_OF), ValueError, "list of rulebooks is empty")


def test_ten_million_rows_of_one_child() -> None:
    n = 10_000_000
    visits = pl.DataFrame(
        {
            "child_id": pl.repeat("A", n, eager=True),
            "event": pl.repeat("visit", n, eager=True),
            "date": pl.repeat(dt.date(2025, 6, 2), n, eager=True),
        }
    )
    frame = pl.concat([history(), visits])
    result = report(frame)
    # One child, its obligations, and the repeated rows reported as duplicates, not lost.
    assert set(result.obligations["child_id"]) == {"A"}
    assert result.findings.filter(pl.col("code") == "DQ003").height >= 1


# --- never a panic ------------------------------------------------------------------------------


def test_scoring_runs_in_threads_without_panics() -> None:
    # Scoring releases the GIL: several threads at once give the same answer.
    results: list[pl.DataFrame] = []
    threads = [threading.Thread(target=lambda: results.append(scored(history()))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r.equals(BASELINE) for r in results)


# --- rulebooks -----------------------------------------------------------------------------------

HEAD = 'id = "mine"\nname = "Mine"\nauthority = "A"\ndocument = "D"\n'
RULE = (
    '[[rules]]\ncode = "MINE-01"\nkind = "deadline"\ntitle = "t"\nseverity = "must"\nanchor = "referral"\n'
    'target = "assessment_authorised"\nwithin = "10 working days"\n'
    'citation = { section = "1", text = "Within 10 working days." }\n'
)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (HEAD + "[[rules]\ncode = 1", ["mine.toml", "line 5", "expected `]`"]),
        (HEAD + "colour = 'red'\n", ["mine.toml", "colour"]),
        (HEAD + RULE.replace('within = "10 working days"', "within = 10"), ["mine.toml", "MINE-01", "within"]),
        (HEAD + RULE.replace("10 working days", "900 years"), ["mine.toml", "MINE-01", "within"]),
        (HEAD + RULE.replace("10 working days", "-2 days"), ["mine.toml", "MINE-01", "within"]),
        (HEAD + RULE.replace("assessment_authorised", "asessment_authorised"), ["MINE-01", "target", "assessment_authorised"]),
        (HEAD + 'extends = "nationl"\n', ["mine.toml", "extends", "national"]),
        ("", ["mine.toml"]),
    ],
    ids=["syntax", "unknown key", "wrong type", "absurd duration", "negative duration", "unknown event", "extends typo", "empty"],
)
def test_invalid_rulebooks_name_file_and_field(text: str, fragments: list[str], tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    raises(lambda: cs.Rulebook.from_file(path), cs.RulebookError, *fragments)


def test_rulebook_extends_cycle_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(HEAD.replace("mine", "a") + 'extends = "b"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text(HEAD.replace("mine", "b") + 'extends = "a"\n', encoding="utf-8")
    raises(lambda: cs.Rulebook.from_file(tmp_path / "a.toml"), cs.RulebookError, "cycle", "a -> b -> a")
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00garbage")
    raises(lambda: cs.Rulebook.from_file(tmp_path / "bin.toml"), cs.RulebookError, "bin.toml")
    raises(lambda: cs.Rulebook.from_file(tmp_path / "missing.toml"), cs.RulebookError, "missing.toml")


# --- census XML -----------------------------------------------------------------------------------

CENSUS_HEAD = (
    "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
    "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails></Header><Children>"
)


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (b"<Message><Children><Child></Message>", ["malformed XML", "line 1"]),
        (CENSUS_HEAD.encode() + b"<Child><ChildIdentifiers>", ["truncated"]),
        (
            b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<Message>&b;</Message>",
            ["DOCTYPE"],
        ),
        (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>', ["DOCTYPE"]),
        (CENSUS_HEAD.encode() + b"<Child>&x;</Child></Children></Message>", ["unknown entity &x;"]),
        (b"\x00\x01\x02binary", ["census"]),
        (b"", ["no <Message> root"]),
    ],
    ids=["malformed", "truncated", "billion laughs", "external entity", "undeclared entity", "binary", "empty"],
)
def test_broken_census_files_are_census_errors(data: bytes, fragments: list[str]) -> None:
    raises(lambda: cs.read_census(data), cs.CensusError, *fragments)


def test_wrong_namespace_unknown_elements_and_wrong_codes_are_findings() -> None:
    xml = cs.generate_census(5, seed=3, year=2025, error_rate=0.0).to_xml()
    xml = xml.replace("<Message>", '<Message xmlns="urn:example:wrong">', 1)
    xml = xml.replace("<ChildIdentifiers>", "<ChildIdentifiers><Nickname>Bob</Nickname>", 1)
    xml = xml.replace("<ReferralSource>", "<ReferralSource>ZZ", 1)
    census = cs.read_census(xml.encode())
    assert len(census) == 5
    notes = census.notes["message"].to_list()
    assert any("urn:example:wrong" in n for n in notes) and any("Nickname" in n for n in notes)
    issues = census.validate().issues
    assert issues.filter(pl.col("field") == "ReferralSource").height >= 1


GUARDED_READ = textwrap.dedent(
    """
    import sys, threading
    import cinscope as cs

    path = sys.argv[1]
    head = sys.argv[2].encode()
    total = int(sys.argv[3])

    def feed():
        unit = b"<Nickname>x</Nickname>" * 4096
        with open(path, "wb") as pipe:
            pipe.write(head)
            written = len(head)
            while written < total:
                pipe.write(unit)
                written += len(unit)
            pipe.write(b"</Children></Message>")

    writer = threading.Thread(target=feed)
    writer.start()
    census = cs.read_census(path)
    writer.join()
    # VmHWM: this process's own peak (ru_maxrss would count the parent's memory at fork).
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    peak_mb = int(status.split()[0]) // 1024
    print(len(census), census.notes.height, peak_mb)
    """
)


@pytest.mark.skipif(not (hasattr(os, "mkfifo") and Path("/proc/self/status").exists()), reason="needs Linux")
def test_a_2_gb_census_of_unknown_elements_reads_in_bounded_memory(tmp_path: Path) -> None:
    # Streamed through a named pipe, so the 2 GB never touch the disk.
    pipe = tmp_path / "census.xml"
    os.mkfifo(pipe)
    size = 2 * 1024**3
    result = subprocess.run(
        [sys.executable, "-c", GUARDED_READ, str(pipe), CENSUS_HEAD, str(size)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    children, notes, peak_mb = map(int, result.stdout.split())
    assert children == 0 and notes == 10_001
    assert peak_mb < 200, f"peak memory {peak_mb} MB for a 2 GB file"  # about 64 MB measured


# --- messages (issue #26) ------------------------------------------------------------------------


def test_census_generate_with_a_negative_count_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cinscope.cli import main

    assert main(["census", "generate", "--children", "-1", "-o", str(tmp_path / "c.xml")]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0, err
    assert err.startswith("cinscope census: error: children must be a whole number of at least 0, got -1"), err
    assert not (tmp_path / "c.xml").exists()
    raises(lambda: cs.generate_census(-1), ValueError, "children", "-1")
    raises(lambda: cs.generate_census(10, seed=-5), ValueError, "seed", "-5")


def test_uint64_values_above_int64s_maximum_are_not_called_null() -> None:
    big = 2**64 - 1
    frame = history().with_columns(pl.lit(big, dtype=pl.UInt64).alias("child_id"))
    out = scored(frame)
    assert out.height == BASELINE.height and set(out["child_id"]) == {str(big)}
    assert set(cs.check_events(frame)["child_id"]) <= {str(big)}
    counts = pl.DataFrame({"d": [dt.date(2025, 1, 6)] * 2, "n": pl.Series([1, big], dtype=pl.UInt64)})
    with pytest.raises(pl.exceptions.ComputeError) as info:
        counts.select(cs.add_working_days("d", "n", nulls="propagate"))
    message = str(info.value)
    assert f"column 'n' (counts), row 1: {big} is too large for a count" in message and "null" not in message


def test_a_null_authority_is_shown_as_null() -> None:
    frame = pl.concat(
        [history("A").with_columns(authority=pl.lit("kent")), history("B").with_columns(authority=pl.lit(None, pl.String))]
    )
    message = raises(lambda: cs.score(frame, {"kent": "kent"}, as_of=AS_OF), cs.DataError, "column 'authority'")
    assert "no rulebook: null (" in message and "''" not in message, message
    findings = cs.score_report(frame, {"kent": "kent"}, as_of=AS_OF).findings
    unscored = findings.filter(pl.col("child_id") == "B", pl.col("code") == "DQ000")["message"]
    assert unscored.len() > 0 and all("authority (null)" in m for m in unscored), unscored.to_list()


def test_counts_beyond_int64_are_named() -> None:
    frame = pl.DataFrame({"d": [dt.date(2025, 1, 6)]})
    for call in (
        lambda: frame.select(cs.add_working_days("d", 2**70)),
        lambda: cs.add_working_days(dt.date(2025, 1, 6), 2**70),
        lambda: cs.default_calendar().add(dt.date(2025, 1, 6), -(2**64), "days"),
    ):
        raises(call, ValueError, "is too large for a count")
