"""Drift measures on hand-built histories."""

from __future__ import annotations

import datetime as dt

import polars as pl

import cinscope as cs

D = dt.date


def events(rows: list[tuple[str, str, dt.date, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"child_id": pl.String, "event": pl.String, "date": pl.Date,
                                      "qualifier": pl.String}, orient="row")


def test_long_plans_and_the_twelve_month_step() -> None:
    ev = events([
        # A: complex needs plan from 15 March 2023, still open: over 24 months by 30 June 2025,
        # panel referral made late (South West SW-PANEL-01 is due at 12 months, 15 March 2024).
        ("A", "referral", D(2023, 3, 1), None), ("A", "cohort_start", D(2023, 3, 1), "complex_needs"),
        ("A", "cin_plan_start", D(2023, 3, 15), "assessment"), ("A", "panel_referral", D(2024, 4, 2), None),
        # B: plan from 31 January 2025 ended on 28 February 2025: one month.
        ("B", "referral", D(2025, 1, 6), None), ("B", "cin_plan_start", D(2025, 1, 31), "assessment"),
        ("B", "cin_plan_end", D(2025, 2, 28), None),
    ])
    as_of = D(2025, 6, 30)
    obligations = cs.score(ev, "south-west", as_of=as_of)
    plans = cs.long_plans(ev, as_of, obligations)
    got = plans.select("child_id", "months", "open", "over_12_months", "over_24_months", "step_rule", "step_status")
    assert got.rows() == [
        ("A", 27, True, True, True, "SW-PANEL-01", "late"),
        ("B", 1, False, False, False, None, None),
    ]
    assert plans.filter(pl.col("child_id") == "A")["days"].item() == (as_of - D(2023, 3, 15)).days


def test_creep_and_stalling_from_scored_visits() -> None:
    # Portsmouth: no more than 4 weeks between visits (PORT-VIS-02). Intervals 28, 35, 42 days,
    # then nothing for three months.
    ev = events([
        ("A", "referral", D(2024, 12, 2), None), ("A", "cin_plan_start", D(2025, 1, 6), "assessment"),
        ("A", "visit", D(2025, 2, 3), "seen"), ("A", "visit", D(2025, 3, 10), "seen"),
        ("A", "visit", D(2025, 4, 21), "seen"),
    ])
    obligations = cs.score(ev, "portsmouth", as_of=D(2025, 7, 31)).filter(pl.col("rule") == "PORT-VIS-02")
    creep = cs.interval_creep(obligations)
    assert creep.select("cycles", "first_interval", "last_interval", "nominal", "slope", "creeping").row(0) == (
        3, 28, 42, 28.0, 7.0, True,
    )
    # The fourth visit was due 19 May (21 April + 28 days); by 31 July it is 73 days overdue:
    # 1 + 73 // 28 = 3 cycles missed in a row.
    stall = cs.stalled(obligations)
    assert stall.select("missed_in_a_row", "cycles_missed", "stalled").row(0) == (3, 3, True)


def test_compliance_trend_detects_worsening() -> None:
    d = D(2025, 1, 15)
    rows = []
    for month in range(6):
        due = d.replace(month=month + 1)
        met = 9 if month < 3 else 3
        rows += [("met", due)] * met + [("late", due)] * (10 - met)
    obligations = pl.DataFrame(rows, schema={"status": pl.String, "due_date": pl.Date}, orient="row")
    trend = cs.compliance_trend(obligations)
    row = trend.row(0, named=True)
    assert row["periods"] == 6
    assert row["earlier_compliance"] == 0.9 and row["later_compliance"] == 0.3
    assert round(row["change"], 6) == -0.6
    assert row["trend"] == "worsening" and row["p_value"] < 0.001
    assert row["slope_per_period"] < 0
    flat = cs.compliance_trend(obligations.filter(pl.col("due_date") < D(2025, 4, 1)))
    assert flat["trend"].item() == "no clear change"


def test_periods_lists_every_kind() -> None:
    ev = events([
        ("A", "referral", D(2025, 1, 6), None), ("A", "cin_plan_start", D(2025, 1, 20), "assessment"),
        ("A", "cin_plan_end", D(2025, 3, 3), None), ("A", "cp_plan_start", D(2025, 3, 3), None),
        ("A", "looked_after_start", D(2025, 5, 1), None), ("A", "looked_after_end", D(2025, 6, 2), "return_home_planned"),
    ])
    got = cs.periods(ev).select("period", "start", "end", "origin", "end_reason").rows()
    assert got == [
        ("cin_plan", D(2025, 1, 20), D(2025, 3, 3), "assessment", None),
        ("cp_plan", D(2025, 3, 3), None, None, None),
        ("looked_after", D(2025, 5, 1), D(2025, 6, 2), None, "return_home_planned"),
    ]
