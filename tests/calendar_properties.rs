//! Property tests of working-day and calendar arithmetic against a day-by-day reference.
//!
//! The reference walks one day at a time and asks only "is this a weekend or a listed
//! holiday?", so it shares nothing with the calendar's precomputed index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use cinscope::domain::calendar::england_and_wales_bank_holidays;
use cinscope::domain::{Calendar, Convention};
use proptest::prelude::*;

static HOLIDAYS: LazyLock<BTreeSet<NaiveDate>> = LazyLock::new(|| {
    (2000..=2035).flat_map(|y| england_and_wales_bank_holidays(y).unwrap()).map(|h| h.date).collect()
});
static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::england_and_wales);

fn holidays() -> &'static BTreeSet<NaiveDate> {
    &HOLIDAYS
}

fn is_working(date: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

fn reference_add(date: NaiveDate, n: i64, holidays: &BTreeSet<NaiveDate>) -> NaiveDate {
    let step = if n >= 0 { 1 } else { -1 };
    let mut left = n.abs();
    let mut day = date;
    while left > 0 {
        day += Duration::days(step);
        if is_working(day, holidays) {
            left -= 1;
        }
    }
    day
}

fn reference_count(start: NaiveDate, end: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> i64 {
    let (lo, hi, sign) = if start <= end { (start, end, 1) } else { (end, start, -1) };
    let mut count = 0;
    let mut day = lo + Duration::days(1);
    while day <= hi {
        if is_working(day, holidays) {
            count += 1;
        }
        day += Duration::days(1);
    }
    sign * count
}

fn date_in(first: NaiveDate, days: i64) -> impl Strategy<Value = NaiveDate> {
    (0..days).prop_map(move |offset| first + Duration::days(offset))
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2002 to 2033, so that 400 working days either way stays inside 2000-2035.
    date_in(NaiveDate::from_ymd_opt(2002, 1, 1).unwrap(), 365 * 32)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn add_matches_reference(date in any_date(), n in -400i64..400) {
        let calendar = &*CALENDAR;
        let hol = holidays();
        prop_assert_eq!(calendar.add_working_days(date, n).unwrap(), reference_add(date, n, hol));
    }

    #[test]
    fn count_matches_reference(a in any_date(), span in -500i64..500) {
        let calendar = &*CALENDAR;
        let hol = holidays();
        let b = a + Duration::days(span);
        prop_assume!(b.year() <= 2035 && b.year() >= 2000);
        prop_assert_eq!(calendar.working_days_between(a, b).unwrap(), reference_count(a, b, hol));
    }

    #[test]
    fn add_then_count_round_trips(date in any_date(), n in 1i64..300) {
        let calendar = &*CALENDAR;
        let due = calendar.add_working_days(date, n).unwrap();
        prop_assert_eq!(calendar.working_days_between(date, due).unwrap(), n);
        prop_assert!(calendar.is_working_day(due).unwrap());
        // Counting the anchor as day 1 moves the due date one working day earlier (n >= 2).
        let counted = calendar.due_in_working_days(date, n, Convention::CountAnchor).unwrap();
        prop_assert_eq!(calendar.count_working_days(date, counted, Convention::CountAnchor).unwrap(), n);
        if n >= 2 {
            prop_assert_eq!(calendar.add_working_days(counted, 1).unwrap(), due);
        }
    }

    #[test]
    fn month_arithmetic_clamps_like_a_calendar(date in any_date(), months in -60i64..60) {
        let got = cinscope::domain::interval::add_months(date, months).unwrap();
        let total = date.year() as i64 * 12 + date.month0() as i64 + months;
        let (year, month0) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u32);
        let last_day = (28..=31).rev().find(|d| NaiveDate::from_ymd_opt(year, month0 + 1, *d).is_some()).unwrap();
        let want = NaiveDate::from_ymd_opt(year, month0 + 1, date.day().min(last_day)).unwrap();
        prop_assert_eq!(got, want);
    }
}
