"""Measures per child on hand-built histories (dates worked out by hand)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cinscope as cs

D = dt.date


def events(rows: list[tuple[str, str, dt.date, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"child_id": pl.String, "event": pl.String, "date": pl.Date, "qualifier": pl.String}, orient="row"
    )


# Kent, 5: visits "no less than every 4 weeks". A is visited weekly for a month, then not for six
# weeks; B every four weeks exactly.
HISTORY = events([
    ("A", "referral", D(2025, 1, 6), None), ("A", "cin_plan_start", D(2025, 1, 6), "assessment"),
    ("A", "visit", D(2025, 1, 13), "seen"), ("A", "visit", D(2025, 1, 20), "seen"),
    ("A", "visit", D(2025, 1, 27), "seen"), ("A", "visit", D(2025, 2, 3), "seen"),
    ("A", "visit", D(2025, 3, 17), "seen"),
    ("B", "referral", D(2025, 1, 6), None), ("B", "cin_plan_start", D(2025, 1, 6), "assessment"),
    ("B", "visit", D(2025, 2, 3), "seen"), ("B", "visit", D(2025, 3, 3), None),
])
AS_OF = D(2025, 3, 24)


def visits() -> pl.DataFrame:
    scored = cs.score(HISTORY, "kent", as_of=AS_OF)
    return scored.filter(pl.col("rule") == "KENT-VIS-01")


def test_per_obligation_compliance_favours_the_often_visited_child() -> None:
    # A: due 3 Feb met 13 Jan, 10 Feb met 20 Jan, 17 Feb met 27 Jan, 24 Feb met 3 Feb,
    # 3 Mar late (17 Mar), 14 Apr pending. B: 3 Feb met 3 Feb, 3 Mar met 3 Mar, 31 Mar pending.
    by_obligation = cs.compliance(visits(), by="rule")
    assert by_obligation.select("met", "late", "compliance").row(0) == (6, 1, 6 / 7)
    # One child of two had every visit on time.
    assert cs.children_compliance(visits()).select("children", "all_met", "children_compliance").row(0) == (2, 1, 0.5)


def test_time_in_standard() -> None:
    got = cs.time_in_standard(visits()).select("child_id", "days_in_standard", "days_past_standard")
    # A: 6 Jan to 3 Mar in standard (56 days), 3 to 17 Mar past it (14), 17 to 24 Mar in (7).
    # B: 6 Jan to 24 Mar, all in standard (77 days).
    assert got.rows() == [("A", 63, 14), ("B", 77, 0)]
    share = cs.time_in_standard(visits())["share_in_standard"].to_list()
    assert share == pytest.approx([63 / 77, 1.0])


def test_days_since_seen() -> None:
    extra = events([
        ("C", "referral", D(2025, 3, 1), None), ("C", "visit", D(2025, 3, 5), "not_seen"),
        ("D", "referral", D(2025, 1, 6), None), ("D", "closure", D(2025, 2, 1), "RC1"),
        ("A", "visit", D(2025, 3, 30), "seen"),  # after the as-of date: not looked at
    ])
    got = cs.days_since_seen(pl.concat([HISTORY, extra]), AS_OF)
    assert got.select("child_id", "last_seen", "days_since_seen").rows() == [
        ("C", None, None),  # never seen: first
        ("B", D(2025, 3, 3), 21),
        ("A", D(2025, 3, 17), 7),
    ]


def test_suppression_and_bad_arguments() -> None:
    small = cs.children_compliance(visits(), suppress_below=3)
    assert small.select("children", "all_met", "children_compliance").row(0) == (None, None, None)
    with pytest.raises(ValueError, match="suppress_below"):
        cs.children_compliance(visits(), suppress_below=0)
    with pytest.raises(ValueError, match="as_of"):
        cs.time_in_standard(visits().drop("as_of"))
