"""The calendar against independent references: the `holidays` package for the bank-holiday
list, numpy's business-day functions for working-day arithmetic, dateutil for months."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from conftest import reference_bank_holidays
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

import cinscope as cs

N_RANDOM = 100_000
FIRST = dt.date(2004, 1, 1)
LAST = dt.date(2031, 12, 31)


def test_bank_holidays_match_reference_2000_to_2035() -> None:
    ours = cs.default_calendar().holidays()["date"].to_list()
    assert ours == reference_bank_holidays()


def test_named_one_off_days() -> None:
    h2022 = cs.bank_holidays(2022)
    assert h2022["date"].to_list() == [
        dt.date(2022, 1, 3), dt.date(2022, 4, 15), dt.date(2022, 4, 18), dt.date(2022, 5, 2),
        dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 8, 29), dt.date(2022, 9, 19),
        dt.date(2022, 12, 26), dt.date(2022, 12, 27),
    ]
    assert dt.date(2020, 5, 8) in cs.bank_holidays(2020)["date"].to_list()
    assert dt.date(2020, 5, 4) not in cs.bank_holidays(2020)["date"].to_list()


def _random_frame(seed: int, max_n: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    span = (LAST - FIRST).days
    start = np.datetime64(FIRST) + rng.integers(0, span, N_RANDOM).astype("timedelta64[D]")
    other = start + rng.integers(-600, 600, N_RANDOM).astype("timedelta64[D]")
    n = rng.integers(-max_n, max_n + 1, N_RANDOM)
    return pl.DataFrame({"start": start, "other": other, "n": n}).with_columns(
        pl.col("start").cast(pl.Date), pl.col("other").cast(pl.Date)
    )


def test_add_working_days_matches_numpy_on_100k_cases(reference_holidays: np.ndarray) -> None:
    df = _random_frame(1, 250)
    got = df.select(
        exclude=cs.add_working_days("start", "n"),
        counted=cs.add_working_days("start", "n", convention="count_anchor"),
    )
    start = df["start"].to_numpy().astype("datetime64[D]")
    n = df["n"].to_numpy()
    forward = np.busday_offset(start, n, roll="backward", holidays=reference_holidays)
    backward = np.busday_offset(start, n, roll="forward", holidays=reference_holidays)
    want = np.where(n > 0, forward, np.where(n < 0, backward, start))
    assert np.array_equal(got["exclude"].to_numpy().astype("datetime64[D]"), want)
    # Counting the anchor as day 1: the (n-1)-th working day after it for n >= 1.
    m = np.where(n >= 1, n - 1, n)
    forward_m = np.busday_offset(start, m, roll="backward", holidays=reference_holidays)
    backward_m = np.busday_offset(start, m, roll="forward", holidays=reference_holidays)
    want_counted = np.where(m > 0, forward_m, np.where(m < 0, backward_m, start))
    assert np.array_equal(got["counted"].to_numpy().astype("datetime64[D]"), want_counted)


def test_count_working_days_matches_numpy_on_100k_cases(reference_holidays: np.ndarray) -> None:
    df = _random_frame(2, 1)
    got = df.select(
        exclude=cs.count_working_days("start", "other"),
        counted=cs.count_working_days("start", "other", convention="count_anchor"),
    )
    a = df["start"].to_numpy().astype("datetime64[D]")
    b = df["other"].to_numpy().astype("datetime64[D]")
    one = np.timedelta64(1, "D")
    # numpy counts [begin, end) forwards but (end, begin] backwards, so the backward case is
    # written as the negated forward count over (b, a].
    forward = np.busday_count(a + one, b + one, holidays=reference_holidays)
    backward = -np.busday_count(b + one, a + one, holidays=reference_holidays)
    want = np.where(b >= a, forward, backward)
    assert np.array_equal(got["exclude"].to_numpy(), want)
    assert np.array_equal(got["counted"].to_numpy(), want + np.where(b >= a, 1, -1))


def test_months_match_dateutil_on_100k_cases() -> None:
    df = _random_frame(3, 36)
    got = df.select(cs.add("start", "n", "months"))["start"].to_list()
    want = [d + relativedelta(months=int(k)) for d, k in zip(df["start"].to_list(), df["n"].to_list())]
    assert got == want


@settings(max_examples=2000, deadline=None)
@given(
    start=st.dates(min_value=FIRST, max_value=LAST),
    n=st.integers(min_value=-300, max_value=300),
)
def test_scalar_add_matches_numpy(start: dt.date, n: int) -> None:
    hol = np.array(reference_bank_holidays(), dtype="datetime64[D]")
    if n == 0:
        want = start
    else:
        roll = "backward" if n > 0 else "forward"
        want = np.busday_offset(np.datetime64(start), n, roll=roll, holidays=hol).astype(dt.date)
    assert cs.add_working_days(start, n) == want
    if n > 0:
        assert cs.count_working_days(start, want) == n


@settings(max_examples=2000, deadline=None)
@given(start=st.dates(min_value=FIRST, max_value=LAST), years=st.integers(min_value=-3, max_value=3))
def test_scalar_years_match_dateutil(start: dt.date, years: int) -> None:
    assert cs.add(start, years, "years") == start + relativedelta(years=years)


@pytest.mark.parametrize(
    ("anchor", "n", "convention", "due"),
    [
        # Weekend anchors: Saturday and Sunday count from the Monday.
        (dt.date(2026, 11, 7), 1, "exclude_anchor", dt.date(2026, 11, 9)),
        (dt.date(2026, 11, 8), 5, "exclude_anchor", dt.date(2026, 11, 13)),
        (dt.date(2026, 11, 7), 5, "count_anchor", dt.date(2026, 11, 12)),
        # Bank-holiday anchor: Easter Monday 2026 (6 April).
        (dt.date(2026, 4, 6), 1, "exclude_anchor", dt.date(2026, 4, 7)),
        (dt.date(2026, 4, 2), 1, "exclude_anchor", dt.date(2026, 4, 7)),
        # Christmas and New Year 2026/27: 25 Dec (Fri), 28 Dec (Boxing Day substitute), 1 Jan.
        (dt.date(2026, 12, 24), 1, "exclude_anchor", dt.date(2026, 12, 29)),
        (dt.date(2026, 12, 24), 4, "exclude_anchor", dt.date(2027, 1, 4)),
        (dt.date(2026, 12, 24), 4, "count_anchor", dt.date(2026, 12, 31)),
        # Christmas 2021 at a weekend: substitutes on 27 and 28 December.
        (dt.date(2021, 12, 24), 1, "exclude_anchor", dt.date(2021, 12, 29)),
        # 29 February as an anchor.
        (dt.date(2024, 2, 29), 1, "exclude_anchor", dt.date(2024, 3, 1)),
        # Working Together: assessment within 45 working days of a referral on 23 Nov 2026.
        (dt.date(2026, 11, 23), 45, "exclude_anchor", dt.date(2027, 1, 28)),
        (dt.date(2026, 11, 23), 45, "count_anchor", dt.date(2027, 1, 27)),
        # Going backwards over the 2023 coronation bank holiday (Monday 8 May).
        (dt.date(2023, 5, 9), -1, "exclude_anchor", dt.date(2023, 5, 5)),
    ],
)
def test_working_day_edge_cases(anchor: dt.date, n: int, convention: str, due: dt.date) -> None:
    assert cs.add_working_days(anchor, n, convention=convention) == due  # type: ignore[arg-type]
    df = pl.DataFrame({"anchor": [anchor]})
    expr = cs.add_working_days("anchor", n, convention=convention)  # type: ignore[arg-type]
    assert df.select(expr)["anchor"].item() == due


@pytest.mark.parametrize(
    ("anchor", "interval", "due"),
    [
        (dt.date(2025, 1, 31), "1 month", dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), "1mo", dt.date(2024, 2, 29)),
        (dt.date(2025, 1, 31), "2 months", dt.date(2025, 3, 31)),
        (dt.date(2024, 2, 29), "1 year", dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), "4y", dt.date(2028, 2, 29)),
        (dt.date(2025, 8, 31), "6 months", dt.date(2026, 2, 28)),
        (dt.date(2025, 12, 31), "12 weeks", dt.date(2026, 3, 25)),
        (dt.date(2025, 12, 25), "28 days", dt.date(2026, 1, 22)),
    ],
)
def test_calendar_unit_edge_cases(anchor: dt.date, interval: str, due: dt.date) -> None:
    assert cs.due_date(anchor, interval) == due
    assert pl.select(pl.lit(anchor).cin.due_date(interval)).item() == due


def test_expressions_in_lazy_group_by() -> None:
    lf = pl.LazyFrame(
        {
            "team": ["A", "A", "B", "B"],
            "referral": [dt.date(2026, 12, 24), dt.date(2026, 12, 18), dt.date(2026, 11, 23), dt.date(2026, 4, 2)],
            "assessed": [dt.date(2027, 1, 4), dt.date(2027, 1, 6), dt.date(2027, 1, 29), dt.date(2026, 4, 7)],
        }
    )
    out = (
        lf.with_columns(due=cs.add_working_days("referral", 45), wd=cs.count_working_days("referral", "assessed"))
        .group_by("team")
        .agg(
            pl.col("wd").sum(),
            first_due=pl.col("referral").cin.add_working_days(10).min(),
            late=(cs.count_working_days("referral", "assessed") > 10).sum(),
        )
        .sort("team")
        .collect()
    )
    assert out["wd"].to_list() == [4 + 10, 46 + 1]
    assert out["first_due"].to_list() == [dt.date(2027, 1, 6), dt.date(2026, 4, 20)]
    assert out["late"].to_list() == [0, 1]


def test_custom_calendar_and_closures() -> None:
    closures = [dt.date(2026, 12, 29), dt.date(2026, 12, 30), dt.date(2026, 12, 31)]
    cal = cs.Calendar(closures=closures)
    assert cal.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2027, 1, 4)
    df = pl.DataFrame({"d": [dt.date(2026, 12, 24)]})
    assert df.select(cs.add_working_days("d", 1, calendar=cal))["d"].item() == dt.date(2027, 1, 4)
    plain = cs.Calendar(holidays=[], first_year=2026, last_year=2026)
    assert plain.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 25)
    assert "3 closure days" in repr(cal)
    with pytest.raises(cs.CalendarError, match="closure days is outside the calendar's range"):
        cs.Calendar(closures=[dt.date(2040, 1, 2)])


def test_null_dates_raise_naming_the_column() -> None:
    df = pl.DataFrame({"referral_date": [dt.date(2025, 1, 6), None]})
    with pytest.raises(pl.exceptions.ComputeError, match=r"column 'referral_date', row 1: null value"):
        df.select(cs.add_working_days("referral_date", 45))
    out = df.select(cs.add_working_days("referral_date", 45, nulls="propagate"))
    assert out["referral_date"].to_list() == [dt.date(2025, 3, 10), None]


def test_out_of_range_dates_raise_naming_the_column() -> None:
    df = pl.DataFrame({"plan_start": [dt.date(2025, 1, 6), dt.date(1999, 12, 31)]})
    with pytest.raises(pl.exceptions.ComputeError, match=r"column 'plan_start', row 1: date 1999-12-31 is outside"):
        df.select(cs.add_months("plan_start", 3))
    with pytest.raises(pl.exceptions.ComputeError, match=r"falls outside the calendar's range"):
        pl.DataFrame({"d": [dt.date(2035, 12, 20)]}).select(cs.add_working_days("d", 20))
    with pytest.raises(cs.CalendarError, match="outside the calendar's range"):
        cs.add_working_days(dt.date(2036, 1, 1), 1)


def test_wrong_dtypes_raise_naming_the_column() -> None:
    df = pl.DataFrame({"referral_date": ["2025-01-06"], "n": ["3"]})
    # Errors raised inside a plugin reach Python as ComputeError, with the message intact.
    with pytest.raises(pl.exceptions.ComputeError, match=r"column 'referral_date' \(dates\) has dtype String"):
        df.select(cs.add_working_days("referral_date", 1))
    stamped = pl.DataFrame({"when": [dt.datetime(2025, 1, 6, 9, 30)]})
    with pytest.raises(pl.exceptions.ComputeError, match=r"column 'when' \(dates\) has dtype datetime.*\.dt\.date\(\)"):
        stamped.select(cs.add_working_days("when", 1))
    dates = pl.DataFrame({"d": [dt.date(2025, 1, 6)], "n": ["3"]})
    with pytest.raises(pl.exceptions.ComputeError, match=r"column 'n' \(counts\) has dtype str"):
        dates.select(cs.add_working_days("d", "n"))
    with pytest.raises(TypeError, match="must be a datetime.date"):
        cs.add_working_days(dt.datetime(2025, 1, 6, 9), 1)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="unknown convention 'inclusive'"):
        cs.add_working_days(dt.date(2025, 1, 6), 1, convention="inclusive")  # type: ignore[call-overload]
    with pytest.raises(cs.CalendarError, match="cannot read the interval '3 fortnights'"):
        cs.due_date(dt.date(2025, 1, 6), "3 fortnights")


def test_is_working_day() -> None:
    df = pl.DataFrame({"d": [dt.date(2023, 5, 8), dt.date(2023, 5, 9), dt.date(2023, 5, 13)]})
    assert df.select(cs.is_working_day("d"))["d"].to_list() == [False, True, False]
    assert df.select(pl.col("d").cin.is_working_day())["d"].to_list() == [False, True, False]
