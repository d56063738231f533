"""Engine semantics on messy extracts: what is done with each kind of mess, and that it is said.

The dates below are worked out by hand from the procedures' words (see docs/semantics.md); the
independent implementation in `tests/python/independent/` checks the same decisions on many more
histories (`test_independent_engine.py`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cinscope as cs
from independent.messy import messy_cohort

SCHEMA = {"child_id": pl.String, "event": pl.String, "date": pl.Date, "qualifier": pl.String}


def frame(*rows: tuple[str, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "child_id": ["A"] * len(rows),
            "event": [r[0] for r in rows],
            "date": [dt.date.fromisoformat(r[1]) for r in rows],
            "qualifier": [r[2] for r in rows],
        },
        schema=SCHEMA,
    )


def rule_rows(scored: pl.DataFrame, rule: str, *columns: str) -> list[tuple[object, ...]]:
    return scored.filter(pl.col("rule") == rule).select(columns).rows()


def test_a_visit_with_no_qualifier_is_seen_and_the_default_is_reported() -> None:
    # Kent, Child in Need Plans and Meetings Policy, 5: visits "no less than every 4 weeks".
    # Plan 2024-01-08 + 4 weeks = 2024-02-05; the visit of 2024-01-15 meets it.
    events = frame(
        ("referral", "2024-01-08", None),
        ("cin_plan_start", "2024-01-08", None),
        ("visit", "2024-01-15", None),
        ("visit", "2024-02-05", "  "),
    )
    result = cs.score_report(events, "kent", as_of=dt.date(2024, 2, 20))
    assert rule_rows(result.obligations, "KENT-VIS-01", "due_date", "status", "met_date", "met_row") == [
        (dt.date(2024, 2, 5), "met", dt.date(2024, 1, 15), 2),
        (dt.date(2024, 2, 12), "met", dt.date(2024, 2, 5), 3),
        (dt.date(2024, 3, 4), "pending", None, None),
    ]
    defaulted = result.findings.filter((pl.col("code") == "DQ016") & pl.col("message").str.contains("'visit'"))
    assert defaulted.height == 1
    assert defaulted["rows"][0] == "2,3"
    assert "taken as 'seen'" in defaulted["message"][0]
    # A plan with no origin is taken as one from an assessment, and said so.
    plans = result.findings.filter(pl.col("message").str.contains("cin_plan_start"))
    assert plans["code"].to_list() == ["DQ016"] and "'assessment'" in plans["message"][0]


def test_a_misspelt_outcome_is_not_taken_as_seen() -> None:
    events = frame(
        ("referral", "2024-01-08", None),
        ("cin_plan_start", "2024-01-08", "assessment"),
        ("visit", "2024-01-15", "Not Seen"),  # the case system's spelling of not_seen
        ("visit", "2024-01-22", "seen-together"),  # unreadable: counts for no seen rule
    )
    result = cs.score_report(events, "kent", as_of=dt.date(2024, 3, 1))
    assert rule_rows(result.obligations, "KENT-VIS-01", "status") == [("overdue",)]
    bad = result.findings.filter(pl.col("code") == "DQ002")
    assert bad.height == 1 and "seen-together" in bad["message"][0]
    assert "counts only for rules that name none" in bad["message"][0]


def test_events_after_the_as_of_date_neither_create_nor_satisfy() -> None:
    # Portsmouth, CIN Procedures, 3: a review after the as-of date creates no obligation; 2.1: a
    # plan that starts after the as-of date does not make the interim-plan rule apply.
    events = frame(
        ("referral", "2024-01-08", None),
        ("cin_plan_start", "2024-06-03", None),
        ("cin_review", "2024-07-01", None),
        ("visit", "2024-06-10", "seen_alone"),
    )
    result = cs.score_report(events, "portsmouth", as_of=dt.date(2024, 3, 1))
    assert result.obligations.filter(pl.col("rule").cast(pl.String).str.starts_with("PORT")).is_empty()
    assert sorted(result.findings.filter(pl.col("code") == "DQ015")["row"].to_list()) == [1, 2, 3]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), day=st.dates(dt.date(2022, 3, 1), dt.date(2025, 12, 31)))
def test_scoring_at_a_past_date_is_scoring_the_extract_of_that_day(seed: int, day: dt.date) -> None:
    events = messy_cohort(40, seed).with_row_index("source_row")
    truncated = events.filter(pl.col("date") <= day)
    for book in ["kent", "portsmouth", "brighton-and-hove", "leicester-leicestershire-rutland"]:
        full = cs.score(events, book, as_of=day)
        cut = cs.score(truncated, book, as_of=day)
        # Row numbers differ between the two frames: compare the source rows they point at.
        def keyed(scored: pl.DataFrame, source: pl.DataFrame) -> pl.DataFrame:
            rows = source["source_row"]
            return scored.with_columns(
                anchor_row=rows.gather(scored["anchor_row"]),
                met_row=pl.Series([None if r is None else rows[r] for r in scored["met_row"]], dtype=pl.UInt32),
            ).sort(pl.all())
        assert keyed(full, events).equals(keyed(cut, truncated)), f"{book} at {day}"


def test_missing_initial_meeting_is_overdue_and_the_cycle_runs_from_when_it_was_due() -> None:
    # Brighton and Hove, 5: the initial meeting "no later than fifteen working days after the
    # establishment of a Child in Need Plan": 2024-01-08 + 15 WD = 2024-01-29. 1 and 5: network
    # meetings "at a minimum of once every 3 months", counted from then: 2024-04-29.
    events = frame(("referral", "2024-01-08", None), ("cin_plan_start", "2024-01-08", None))
    scored = cs.score(events, "brighton-and-hove", as_of=dt.date(2025, 5, 8))
    assert rule_rows(scored, "BH-MTG-01", "due_date", "status") == [(dt.date(2024, 1, 29), "overdue")]
    assert rule_rows(scored, "BH-MTG-02", "anchor_date", "anchor_assumed", "anchor_row", "due_date", "status") == [
        (dt.date(2024, 1, 29), True, 1, dt.date(2024, 4, 29), "overdue")
    ]


def test_a_conference_is_paired_with_the_enquiry_that_led_to_it() -> None:
    # Working Together 2023, ch. 3: conference within 15 working days. Enquiries 03-01 and 03-08,
    # conference 03-20: paired with 03-08, due 2024-04-02 (Good Friday and Easter Monday skipped).
    events = frame(
        ("referral", "2024-02-26", None),
        ("s47_start", "2024-03-01", None),
        ("s47_start", "2024-03-08", None),
        ("icpc", "2024-03-20", None),
    )
    scored = cs.score(events, "national", as_of=dt.date(2024, 6, 1))
    assert rule_rows(scored, "NAT-CP-01", "anchor_date", "due_date", "status", "met_date") == [
        (dt.date(2024, 3, 8), dt.date(2024, 4, 2), "met", dt.date(2024, 3, 20))
    ]


def test_a_plan_ended_by_closure_points_at_the_closure_row() -> None:
    # Kent, 9: a child stepped down from child protection stays on a CIN plan "for a minimum of
    # three months": 2024-01-15 + 3 months = 2024-04-15; the plan ends when the episode closes.
    events = frame(
        ("referral", "2024-01-08", None),
        ("cin_plan_start", "2024-01-15", "step_down_cp"),
        ("closure", "2024-09-30", "RC1"),
    )
    scored = cs.score(events, "kent", as_of=dt.date(2025, 3, 1))
    assert rule_rows(scored, "KENT-SD-01", "due_date", "status", "met_event", "met_date", "met_row") == [
        (dt.date(2024, 4, 15), "met", "closure", dt.date(2024, 9, 30), 2)
    ]


def test_a_meeting_after_the_plan_ended_does_not_meet_the_plans_rule() -> None:
    # Brighton and Hove, 5: initial meeting within 15 working days of the plan: 2024-01-29.
    events = frame(
        ("referral", "2024-01-08", None),
        ("cin_plan_start", "2024-01-08", None),
        ("cin_plan_end", "2024-02-15", "stepped down"),
        ("cin_initial_meeting", "2024-03-01", None),
    )
    scored = cs.score(events, "brighton-and-hove", as_of=dt.date(2024, 6, 1))
    assert rule_rows(scored, "BH-MTG-01", "status", "met_date") == [("overdue", None)]


def test_events_after_closure_are_reported_with_what_was_done() -> None:
    events = frame(
        ("referral", "2024-01-08", None),
        ("cin_plan_start", "2024-01-08", None),
        ("closure", "2024-03-01", "RC1"),
        ("visit", "2024-03-10", "seen"),
        ("case_note", "2024-03-04", None),
    )
    result = cs.score_report(events, "kent", as_of=dt.date(2024, 6, 1))
    after = result.findings.filter(pl.col("code") == "DQ005")
    assert after["row"].to_list() == [3]
    assert "not scored" in after["message"][0] and "new referral" in after["message"][0]
    assert 3 not in result.obligations["met_row"].drop_nulls().to_list()


def test_a_reassessment_during_an_open_plan_opens_no_new_first_plan_obligations() -> None:
    # LLR, Child in Need plans: "The initial plan must be agreed within 10 working days of
    # completion of the assessment": 2024-02-01 + 10 WD = 2024-02-15.
    events = frame(
        ("referral", "2024-01-08", None),
        ("assessment_start", "2024-01-09", None),
        ("assessment_authorised", "2024-02-01", None),
        ("cin_plan_start", "2024-02-08", None),
        ("cin_initial_meeting", "2024-02-08", None),
        ("assessment_start", "2024-05-01", None),
        ("assessment_authorised", "2024-05-20", None),
    )
    for book, rules in [
        ("leicester-leicestershire-rutland", ["LLR-PLAN-01", "LLR-MTG-01", "LLR-MTG-02"]),
        ("kent", ["KENT-MTG-01"]),
        ("south-west", ["SW-PLAN-01"]),
    ]:
        scored = cs.score(events, book, as_of=dt.date(2024, 9, 1))
        for rule in rules:
            assert rule_rows(scored, rule, "anchor_date") == [(dt.date(2024, 2, 1),)], (book, rule)


def test_llr_reviews_without_the_local_first_period_warn_and_score_the_cycle() -> None:
    # LLR, Child in Need Reviews: "further reviews should take place at least every 6 months
    # thereafter": from the first review held, 2025-04-01 + 6 months = 2025-10-01.
    events = frame(
        ("referral", "2025-01-06", None),
        ("cin_plan_start", "2025-01-06", "assessment"),
        ("cin_review", "2025-04-01", None),
        ("cin_review", "2025-09-15", None),
    )
    with pytest.warns(cs.UnsetParameterWarning, match=r"LLR-REV-01 needs \$first_review"):
        scored = cs.score(events, "leicester-leicestershire-rutland", as_of=dt.date(2026, 1, 5))
    assert rule_rows(scored, "LLR-REV-01", "due_date", "status", "met_date") == [
        (dt.date(2025, 10, 1), "met", dt.date(2025, 9, 15)),
        (dt.date(2026, 3, 15), "pending", None),
    ]


def test_corrected_readings() -> None:
    book = cs.load_rulebook("portsmouth").rules()
    assert book.filter(pl.col("rule") == "PORT-SD-01")["severity"].item() == "good_practice"
    # Brighton and Hove 7, with the local period set to 3 months: a lead time before the expiry
    # (2026-03-31 - 3 months = 2025-12-31); the meeting of 2026-01-15 is late by 15 days.
    local = cs.Rulebook.from_toml(
        'id = "bh-local"\nname = "B"\nauthority = "B"\ndocument = "D"\nextends = "brighton-and-hove"\n'
        '[set]\nsupervision_order_meeting = "3 months"\n'
    )
    events = frame(
        ("referral", "2025-02-03", None),
        ("supervision_order_start", "2025-03-31", None),
        ("network_meeting", "2026-01-15", None),
        ("supervision_order_end", "2026-03-31", None),
    )
    scored = cs.score(events, local, as_of=dt.date(2026, 4, 14))
    assert rule_rows(scored, "BH-SO-01", "due_date", "status", "days_late") == [(dt.date(2025, 12, 31), "late", 15)]
    # Portsmouth 3: a plan open at thirteen months with the Service Leader review held is compliant.
    events = frame(
        ("referral", "2024-01-15", None),
        ("cin_plan_start", "2024-02-29", "assessment"),
        ("senior_review", "2025-02-20", None),
    )
    scored = cs.score(events, "portsmouth", as_of=dt.date(2025, 3, 31))
    assert rule_rows(scored, "PORT-DRIFT-01", "due_date", "status") == [(dt.date(2025, 2, 28), "met")]
    # LLR: short-break care does not end the plan; other care does, the day it starts.
    for qualifier, expected in [("short_breaks", []), (None, [("late",)])]:
        events = frame(
            ("referral", "2025-01-06", None),
            ("cin_plan_start", "2025-01-06", "assessment"),
            ("looked_after_start", "2025-03-03", qualifier),
            ("cin_plan_end", "2025-03-10", "accommodated"),
        )
        scored = cs.score(events, "leicester-leicestershire-rutland", as_of=dt.date(2025, 6, 2))
        assert rule_rows(scored, "LLR-END-01", "status") == expected, qualifier
    # Kent 9: a step-down plan ended by a new child protection plan is not held to three months.
    events = frame(
        ("referral", "2025-01-06", None),
        ("cin_plan_start", "2025-01-06", "step_down_cp"),
        ("cp_plan_start", "2025-02-20", None),
        ("cin_plan_end", "2025-02-20", None),
    )
    scored = cs.score(events, "kent", as_of=dt.date(2025, 9, 1))
    assert rule_rows(scored, "KENT-SD-01", "due_date", "status") == [(dt.date(2025, 4, 6), "cancelled")]
