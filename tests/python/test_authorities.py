"""A child whose rows name more than one authority (#26, item 11).

When rulebooks are given per authority, each child is scored under the rulebook of the authority
of its latest referral on or before the as-of date (else of its latest event; same-day ties to
the first name in alphabetical order), whatever the order of the rows, and the child is a
data-quality finding (DQ017) naming the authorities, their rows and the choice.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cinscope as cs
from cinscope.cli import main

D = dt.date
AS_OF = D(2025, 6, 30)
BOOKS = {"x": "national", "y": "leicester-leicestershire-rutland"}


def frame(rows: list[tuple[str, str, dt.date, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"child_id": [r[0] for r in rows], "event": [r[1] for r in rows], "date": [r[2] for r in rows],
         "authority": [r[3] for r in rows]},
        schema={"child_id": pl.String, "event": pl.String, "date": pl.Date, "authority": pl.String},
    )


# Child A: referred under x on 6 January 2025, assessed by 12 March, closed 20 March; referred
# again under y on 2 June; a referral under x dated after the as-of date (not counted). Child B:
# x only.
A_ROWS = [
    ("A", "referral", D(2025, 1, 6), "x"),
    ("A", "assessment_start", D(2025, 1, 7), "x"),
    ("A", "assessment_authorised", D(2025, 3, 12), "x"),
    ("A", "closure", D(2025, 3, 20), "x"),
    ("A", "referral", D(2025, 6, 2), "y"),
    ("A", "referral", D(2025, 7, 1), "x"),
    ("B", "referral", D(2025, 2, 3), "x"),
    ("B", "assessment_start", D(2025, 2, 4), "x"),
]


def obligations_in_order(obligations: pl.DataFrame) -> pl.DataFrame:
    return obligations.drop("anchor_row", "met_row").sort("child_id", "rulebook", "rule", "due_date", "sequence")


@pytest.mark.parametrize(
    "order", [[0, 1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1, 0], [4, 0, 1, 2, 3, 5, 6, 7], [5, 6, 0, 7, 1, 2, 3, 4]]
)
def test_the_latest_referral_chooses_whatever_the_row_order(order: list[int]) -> None:
    events = frame([A_ROWS[i] for i in order])
    scored = cs.score_report(events, BOOKS, as_of=AS_OF)
    books = dict(scored.obligations.select("child_id", pl.col("rulebook").cast(pl.String)).unique().iter_rows())
    # A's latest referral by 30 June is y's (2 June): LLR's rules, among them LLR-ASMT-01 (40
    # working days from 6 January: due 3 March, authorised 12 March, late), which national has
    # not. B is x's only.
    assert books == {"A": "leicester-leicestershire-rutland", "B": "national"}
    a = scored.obligations.filter(pl.col("child_id") == "A", pl.col("rule") == "LLR-ASMT-01", pl.col("anchor_date") == D(2025, 1, 6))
    assert a.select("due_date", "status").rows() == [(D(2025, 3, 3), "late")]
    found = scored.findings.filter(pl.col("code") == "DQ017")
    assert found.height == 1 and found["child_id"].to_list() == ["A"]
    position = {i: k for k, i in enumerate(order)}  # source row -> row in this frame
    x_rows = sorted(position[i] for i in (0, 1, 2, 3, 5))
    y_row = position[4]
    assert found["rows"][0] == ",".join(map(str, sorted([*x_rows, y_row])))
    assert found["row"][0] == min(*x_rows, y_row)
    message = found["message"][0]
    shown = ", ".join(map(str, x_rows))
    assert f"'x' (rows {shown}) and 'y' (row {y_row})" in message, message
    assert f"scored under the rulebook given for 'y', the authority of its latest referral on or before the as-of date, row {y_row} on 2025-06-02" in message
    assert "make the ids unique" in message
    # The same obligations whatever the order, and cs.score agrees (it does not return findings).
    first = obligations_in_order(cs.score_report(frame(A_ROWS), BOOKS, as_of=AS_OF).obligations)
    assert obligations_in_order(scored.obligations).equals(first)
    assert obligations_in_order(cs.score(events, BOOKS, as_of=AS_OF)).equals(first)


def test_same_day_referrals_go_to_the_first_name() -> None:
    rows = [("A", "referral", D(2025, 1, 6), "y"), ("A", "assessment_start", D(2025, 1, 7), "y"),
            ("A", "referral", D(2025, 1, 6), "x")]
    for events in (frame(rows), frame(rows[::-1])):
        scored = cs.score_report(events, BOOKS, as_of=AS_OF)
        assert set(scored.obligations["rulebook"].cast(pl.String)) == {"national"}
        assert "the rulebook given for 'x'" in scored.findings.filter(pl.col("code") == "DQ017")["message"][0]


def test_without_a_referral_the_latest_event_chooses() -> None:
    # Joined mid-plan: a plan started under x, visited under y later. The latest event is y's:
    # Kent's plan rules apply (national has none for a Child in Need plan).
    books = {"x": "national", "y": "kent"}
    rows = [("A", "cin_plan_start", D(2025, 2, 3), "x"), ("A", "visit", D(2025, 4, 1), "y")]
    scored = cs.score_report(frame(rows), books, as_of=AS_OF)
    assert scored.obligations.height > 0
    assert set(scored.obligations["rulebook"].cast(pl.String)) == {"kent"}
    message = scored.findings.filter(pl.col("code") == "DQ017")["message"][0]
    assert "the authority of its latest event (it has no referral by then) on or before the as-of date, row 1 on 2025-04-01" in message
    # Rows after the as-of date and rows with no authority do not choose.
    later = rows + [("A", "visit", D(2025, 9, 1), "x"), ("A", "visit", D(2025, 5, 1), None)]
    again = cs.score_report(frame(later), books, as_of=AS_OF)
    assert set(again.obligations["rulebook"].cast(pl.String)) == {"kent"}


def test_an_authority_with_no_rulebook_leaves_the_child_unscored_and_says_so() -> None:
    rows = [("A", "referral", D(2025, 1, 6), "x"), ("A", "referral", D(2025, 6, 2), "z")]
    scored = cs.score_report(frame(rows), BOOKS, as_of=AS_OF)
    assert scored.obligations.height == 0
    assert scored.findings.filter(pl.col("code") == "DQ000")["message"].to_list() == [
        "row 0: no rulebook for this child's authority ('z'); not scored",
        "row 1: no rulebook for this child's authority ('z'); not scored",
    ]
    assert "its authority is 'z'" in scored.findings.filter(pl.col("code") == "DQ017")["message"][0]
    with pytest.raises(cs.DataError, match="column 'authority' has values with no rulebook: 'z'"):
        cs.score(frame(rows), BOOKS, as_of=AS_OF)


def test_under_one_rulebook_the_finding_says_the_authority_chose_nothing() -> None:
    scored = cs.score_report(frame(A_ROWS), "national", as_of=AS_OF)
    message = scored.findings.filter(pl.col("code") == "DQ017")["message"][0]
    assert "the rulebook does not depend on the authority here" in message
    assert "rulebooks given per authority would score it under 'y'" in message
    # A frame of one authority, or none, has no such finding.
    assert not cs.score_report(frame(A_ROWS).with_columns(authority=pl.lit("x")), BOOKS, as_of=AS_OF).findings.filter(pl.col("code") == "DQ017").height
    assert not cs.score_report(frame(A_ROWS).drop("authority"), "national", as_of=AS_OF).findings.filter(pl.col("code") == "DQ017").height


def test_the_command_line_reports_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = frame(A_ROWS).with_columns(pl.col("authority").replace({"x": "kent", "y": "portsmouth"}))
    events.write_csv(tmp_path / "events.csv")
    code = main(["score", str(tmp_path / "events.csv"), "-o", str(tmp_path / "out.parquet"), "--as-of", str(AS_OF),
                 "--findings", str(tmp_path / "findings.csv"), "--raw-csv"])
    assert code == 0
    findings = pl.read_csv(tmp_path / "findings.csv")
    found = findings.filter(pl.col("code") == "DQ017")
    assert found["child_id"].to_list() == ["A"]
    assert "scored under the rulebook given for 'portsmouth'" in found["message"][0]
    assert f"{findings.height} data-quality findings written to" in capsys.readouterr().out
    books = pl.read_parquet(tmp_path / "out.parquet").filter(pl.col("child_id") == "A")["rulebook"].cast(pl.String)
    assert set(books) == {"portsmouth"}


def expected_authority(rows: list[tuple[str, str, dt.date | None, str | None]]) -> str | None:
    """The rule, written from its statement: latest referral on or before the as-of date, else
    latest event; ties to the first name; else the first name of all; else none."""
    named = [r for r in rows if r[3] is not None]
    dated = [r for r in named if r[2] is not None and r[2] <= AS_OF]
    pool = [r for r in dated if r[1] == "referral"] or dated
    if pool:
        latest = max(r[2] for r in pool if r[2] is not None)
        return min(str(r[3]) for r in pool if r[2] == latest)
    return min((str(r[3]) for r in named), default=None)


event_names = st.sampled_from(["referral", "assessment_start", "assessment_authorised", "cin_plan_start", "visit", "closure"])
row = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    event_names,
    st.one_of(st.none(), st.dates(D(2024, 6, 1), D(2025, 9, 30))),
    st.one_of(st.none(), st.sampled_from(["kent", "portsmouth", "south-west"])),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=14), seed=st.integers(0, 1000))
def test_any_history_in_any_order(rows: list[tuple[str, str, dt.date | None, str | None]], seed: int) -> None:
    books = {"kent": "kent", "portsmouth": "portsmouth", "south-west": "south-west"}
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    first = cs.score_report(frame(rows), books, as_of=AS_OF)
    second = cs.score_report(frame(shuffled), books, as_of=AS_OF)
    assert obligations_in_order(first.obligations).equals(obligations_in_order(second.obligations))
    for child in {r[0] for r in rows}:
        mine = [r for r in rows if r[0] == child]
        chosen = expected_authority(mine)
        scored = first.obligations.filter(pl.col("child_id") == child)
        if scored.height:
            assert set(scored["rulebook"].cast(pl.String)) == {chosen}, (child, mine)
        several = len({r[3] for r in mine if r[3] is not None}) > 1
        found = first.findings.filter(pl.col("code") == "DQ017", pl.col("child_id") == child)
        assert found.height == int(several)
        if several:
            assert f"the rulebook given for '{chosen}'" in found["message"][0], (found["message"][0], mine)
