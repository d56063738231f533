//! The England and Wales working-day calendar.
//!
//! A [`Calendar`] covers a fixed range of years. On construction it precomputes, for every
//! day in range, how many working days come before it, and the list of working days in order.
//! With those two tables, adding N working days to a date and counting the working days between
//! two dates are both O(1), whatever N is.
//!
//! Bank holidays are computed from the rules of the Banking and Financial Dealings Act 1971 as
//! applied in England and Wales (fixed dates with Monday substitutes, Easter, the May and August
//! Mondays) plus the table of one-off and moved days proclaimed since 2000 ([`ONE_OFF_CHANGES`]).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::CalendarError;

/// First year of the built-in calendar.
pub const DEFAULT_FIRST_YEAR: i32 = 2000;
/// Last year of the built-in calendar.
pub const DEFAULT_LAST_YEAR: i32 = 2035;

/// How working days are counted from an anchor date (see `CONVENTIONS.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// The anchor day is not counted: "within 5 working days of X" is due on the 5th working
    /// day after X, whether or not X is itself a working day. The default.
    #[default]
    ExcludeAnchor,
    /// The anchor day counts as day 1 (the reading of some case-management systems and of the
    /// public CIN census validator). Every due date moves one working day earlier.
    CountAnchor,
}

impl Convention {
    /// The stable name used in files, frames and the Python API.
    pub fn name(self) -> &'static str {
        match self {
            Convention::ExcludeAnchor => "exclude_anchor",
            Convention::CountAnchor => "count_anchor",
        }
    }

    /// Parses a convention name as written by [`Convention::name`].
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        match text {
            "exclude_anchor" => Ok(Convention::ExcludeAnchor),
            "count_anchor" => Ok(Convention::CountAnchor),
            other => Err(CalendarError::UnknownConvention(other.to_string())),
        }
    }
}

/// A day on which offices are closed, with its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Holiday {
    /// The date.
    pub date: NaiveDate,
    /// Its name, e.g. "Christmas Day (substitute day)".
    pub name: String,
}

/// A change to the ordinary bank-holiday rules for one year.
#[derive(Debug, Clone, Copy)]
pub enum OneOff {
    /// An extra day, on top of the usual ones.
    Extra(&'static str),
    /// A usual holiday moved to another date: (usual date, new date).
    Moved(&'static str, &'static str),
}

/// One-off and moved bank holidays in England and Wales since 2000, as proclaimed.
pub const ONE_OFF_CHANGES: &[(&str, OneOff)] = &[
    // Golden Jubilee: spring bank holiday moved to Tuesday 4 June, jubilee on Monday 3 June.
    ("Spring bank holiday", OneOff::Moved("2002-05-27", "2002-06-04")),
    ("Golden Jubilee bank holiday", OneOff::Extra("2002-06-03")),
    ("Royal wedding bank holiday", OneOff::Extra("2011-04-29")),
    // Diamond Jubilee: spring bank holiday moved to Monday 4 June, jubilee on Tuesday 5 June.
    ("Spring bank holiday", OneOff::Moved("2012-05-28", "2012-06-04")),
    ("Diamond Jubilee bank holiday", OneOff::Extra("2012-06-05")),
    // VE Day 75: early May bank holiday moved from Monday 4 May to Friday 8 May.
    ("Early May bank holiday (VE day)", OneOff::Moved("2020-05-04", "2020-05-08")),
    // Platinum Jubilee: spring bank holiday moved to Thursday 2 June, jubilee on Friday 3 June.
    ("Spring bank holiday", OneOff::Moved("2022-05-30", "2022-06-02")),
    ("Platinum Jubilee bank holiday", OneOff::Extra("2022-06-03")),
    ("Bank holiday for the State Funeral of Queen Elizabeth II", OneOff::Extra("2022-09-19")),
    ("Bank holiday for the coronation of King Charles III", OneOff::Extra("2023-05-08")),
];

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn first_weekday_of_month(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, 1)
}

fn last_weekday_of_month(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut day = first_next.pred_opt()?;
    while day.weekday() != weekday {
        day = day.pred_opt()?;
    }
    Some(day)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_iso(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// The bank holidays of England and Wales in one year, in date order.
///
/// Years before 1971 are not modelled and return an error.
pub fn england_and_wales_bank_holidays(year: i32) -> Result<Vec<Holiday>, CalendarError> {
    let rule_error = || CalendarError::YearNotModelled(year);
    if !(1971..=9998).contains(&year) {
        return Err(rule_error());
    }
    let mut days: Vec<Holiday> = Vec::with_capacity(9);
    let push = |days: &mut Vec<Holiday>, date: NaiveDate, name: &str| {
        days.push(Holiday { date, name: name.to_string() })
    };

    // New Year's Day, moved to the Monday when it falls at a weekend.
    let new_year = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(rule_error)?;
    match new_year.weekday() {
        Weekday::Sat => push(&mut days, new_year + Duration::days(2), "New Year's Day (substitute day)"),
        Weekday::Sun => push(&mut days, new_year + Duration::days(1), "New Year's Day (substitute day)"),
        _ => push(&mut days, new_year, "New Year's Day"),
    }

    let easter = easter_sunday(year).ok_or_else(rule_error)?;
    push(&mut days, easter - Duration::days(2), "Good Friday");
    push(&mut days, easter + Duration::days(1), "Easter Monday");
    push(
        &mut days,
        first_weekday_of_month(year, 5, Weekday::Mon).ok_or_else(rule_error)?,
        "Early May bank holiday",
    );
    push(
        &mut days,
        last_weekday_of_month(year, 5, Weekday::Mon).ok_or_else(rule_error)?,
        "Spring bank holiday",
    );
    push(
        &mut days,
        last_weekday_of_month(year, 8, Weekday::Mon).ok_or_else(rule_error)?,
        "Summer bank holiday",
    );

    // Christmas and Boxing Day: a day at the weekend is replaced by the next free weekday.
    let christmas = NaiveDate::from_ymd_opt(year, 12, 25).ok_or_else(rule_error)?;
    let boxing = NaiveDate::from_ymd_opt(year, 12, 26).ok_or_else(rule_error)?;
    match christmas.weekday() {
        Weekday::Fri => {
            push(&mut days, christmas, "Christmas Day");
            push(&mut days, christmas + Duration::days(3), "Boxing Day (substitute day)");
        }
        Weekday::Sat => {
            push(&mut days, christmas + Duration::days(2), "Christmas Day (substitute day)");
            push(&mut days, christmas + Duration::days(3), "Boxing Day (substitute day)");
        }
        Weekday::Sun => {
            push(&mut days, boxing, "Boxing Day");
            push(&mut days, christmas + Duration::days(2), "Christmas Day (substitute day)");
        }
        _ => {
            push(&mut days, christmas, "Christmas Day");
            push(&mut days, boxing, "Boxing Day");
        }
    }

    for (name, change) in ONE_OFF_CHANGES {
        match change {
            OneOff::Extra(date) => {
                let date = parse_iso(date).ok_or_else(rule_error)?;
                if date.year() == year {
                    push(&mut days, date, name);
                }
            }
            OneOff::Moved(from, to) => {
                let from = parse_iso(from).ok_or_else(rule_error)?;
                let to = parse_iso(to).ok_or_else(rule_error)?;
                if from.year() == year {
                    days.retain(|h| h.date != from);
                    days.push(Holiday { date: to, name: (*name).to_string() });
                }
            }
        }
    }
    days.sort();
    Ok(days)
}

/// Builds a [`Calendar`]: the range of years, the holiday list and any local closure days.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// First year covered (1 January of it is the first date in range).
    pub first_year: i32,
    /// Last year covered (31 December of it is the last date in range).
    pub last_year: i32,
    /// A holiday list that replaces the England and Wales bank holidays, when given.
    pub holidays: Option<Vec<NaiveDate>>,
    /// Extra closure days on top of the holidays (e.g. the days between Christmas and New Year).
    pub closures: Vec<NaiveDate>,
}

impl Default for CalendarSpec {
    fn default() -> Self {
        CalendarSpec {
            first_year: DEFAULT_FIRST_YEAR,
            last_year: DEFAULT_LAST_YEAR,
            holidays: None,
            closures: Vec::new(),
        }
    }
}

impl CalendarSpec {
    /// Builds the calendar this spec describes.
    pub fn build(&self) -> Result<Calendar, CalendarError> {
        Calendar::from_spec(self)
    }
}

/// A working-day calendar over a fixed range of dates.
#[derive(Debug, Clone)]
pub struct Calendar {
    spec: CalendarSpec,
    first: NaiveDate,
    last: NaiveDate,
    /// `before[i]`: the number of working days in `[first, first + i)`; one entry more than days.
    before: Vec<u32>,
    /// The working days, in order (a table, so that finding the n-th costs no date arithmetic).
    working: Vec<NaiveDate>,
    /// `first` as a day number from the common era, so that a date's offset is one subtraction.
    first_ce: i32,
    /// Non-working weekdays with their names (bank holidays and closures).
    closed: BTreeMap<NaiveDate, String>,
}

impl Default for Calendar {
    /// The England and Wales calendar for 2000–2035.
    fn default() -> Self {
        Calendar::england_and_wales()
    }
}

impl Calendar {
    /// The England and Wales calendar for 2000–2035 with no local closures.
    pub fn england_and_wales() -> Self {
        match Calendar::from_spec(&CalendarSpec::default()) {
            Ok(calendar) => calendar,
            // The default spec is a constant whose construction is covered by tests; this arm
            // can only be reached if the built-in rules themselves are broken.
            Err(_) => Calendar::empty(),
        }
    }

    fn empty() -> Self {
        Calendar {
            spec: CalendarSpec::default(),
            first: NaiveDate::MIN,
            last: NaiveDate::MIN,
            before: vec![0],
            working: Vec::new(),
            first_ce: NaiveDate::MIN.num_days_from_ce(),
            closed: BTreeMap::new(),
        }
    }

    /// Builds a calendar from a spec; errors when the range is empty or a listed day is outside it.
    pub fn from_spec(spec: &CalendarSpec) -> Result<Self, CalendarError> {
        if spec.first_year > spec.last_year {
            return Err(CalendarError::EmptyRange { first_year: spec.first_year, last_year: spec.last_year });
        }
        let first = NaiveDate::from_ymd_opt(spec.first_year, 1, 1)
            .ok_or(CalendarError::YearNotModelled(spec.first_year))?;
        let last = NaiveDate::from_ymd_opt(spec.last_year, 12, 31)
            .ok_or(CalendarError::YearNotModelled(spec.last_year))?;

        let mut closed: BTreeMap<NaiveDate, String> = BTreeMap::new();
        match &spec.holidays {
            Some(list) => {
                for &date in list {
                    check_in_range(date, first, last, "holiday list")?;
                    closed.insert(date, "holiday".to_string());
                }
            }
            None => {
                for year in spec.first_year..=spec.last_year {
                    for holiday in england_and_wales_bank_holidays(year)? {
                        closed.insert(holiday.date, holiday.name);
                    }
                }
            }
        }
        for &date in &spec.closures {
            check_in_range(date, first, last, "closure days")?;
            closed.entry(date).or_insert_with(|| "local closure".to_string());
        }

        let days = usize::try_from((last - first).num_days() + 1).unwrap_or(0);
        let mut before = Vec::with_capacity(days + 1);
        let mut working = Vec::with_capacity(days * 5 / 7 + 1);
        let mut count = 0u32;
        let mut date = first;
        for _ in 0..days {
            before.push(count);
            if !is_weekend(date) && !closed.contains_key(&date) {
                working.push(date);
                count += 1;
            }
            date = date.succ_opt().unwrap_or(date);
        }
        before.push(count);
        let first_ce = first.num_days_from_ce();
        Ok(Calendar { spec: spec.clone(), first, last, before, working, first_ce, closed })
    }

    /// The spec this calendar was built from.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    /// The first date in range.
    pub fn first_date(&self) -> NaiveDate {
        self.first
    }

    /// The last date in range.
    pub fn last_date(&self) -> NaiveDate {
        self.last
    }

    /// The non-working weekdays and weekend holidays in range (holidays and closures), with names.
    pub fn closed_days(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.closed.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// The holidays and closures that fall in one year.
    pub fn holidays_in(&self, year: i32) -> Vec<Holiday> {
        self.closed
            .iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, n)| Holiday { date: *d, name: n.clone() })
            .collect()
    }

    fn offset(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        if date < self.first || date > self.last {
            return Err(CalendarError::OutOfRange { date, first: self.first, last: self.last });
        }
        usize::try_from(date.num_days_from_ce() - self.first_ce).map_err(|_| CalendarError::OutOfRange {
            date,
            first: self.first,
            last: self.last,
        })
    }

    fn before(&self, offset: usize) -> i64 {
        i64::from(self.before.get(offset).copied().unwrap_or(0))
    }

    fn working_day_at(&self, rank: i64, anchor: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
        let found = usize::try_from(rank).ok().and_then(|r| self.working.get(r));
        match found {
            Some(&day) => Ok(day),
            None => Err(CalendarError::ResultOutOfRange {
                anchor,
                working_days: n,
                first: self.first,
                last: self.last,
            }),
        }
    }

    /// Whether `date` is a working day (a weekday that is neither a holiday nor a closure).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let offset = self.offset(date)?;
        Ok(self.before(offset + 1) > self.before(offset))
    }

    /// The `n`-th working day after `date` (before it when `n` is negative); `date` itself is
    /// never counted. `n = 0` returns `date` unchanged.
    pub fn add_working_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
        let offset = self.offset(date)?;
        match n.cmp(&0) {
            std::cmp::Ordering::Equal => Ok(date),
            // Working days strictly after `date` start at rank before[offset + 1].
            std::cmp::Ordering::Greater => self.working_day_at(self.before(offset + 1) + n - 1, date, n),
            // Working days strictly before `date` end at rank before[offset] - 1.
            std::cmp::Ordering::Less => self.working_day_at(self.before(offset) + n, date, n),
        }
    }

    /// The due date of "within `n` working days of `date`" under a counting convention.
    ///
    /// With [`Convention::CountAnchor`] the anchor is day 1, so the due date is the
    /// `(n - 1)`-th working day after it (the anchor itself when `n = 1`).
    pub fn due_in_working_days(
        &self,
        date: NaiveDate,
        n: i64,
        convention: Convention,
    ) -> Result<NaiveDate, CalendarError> {
        match convention {
            Convention::ExcludeAnchor => self.add_working_days(date, n),
            Convention::CountAnchor if n > 0 => self.add_working_days(date, n - 1),
            Convention::CountAnchor => self.add_working_days(date, n),
        }
    }

    /// The number of working days in `(start, end]`: how many working days after `start` the date
    /// `end` is. Negative when `end` is before `start`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Result<i64, CalendarError> {
        let s = self.offset(start)?;
        let e = self.offset(end)?;
        Ok(self.before(e + 1) - self.before(s + 1))
    }

    /// The working days from `start` to `end` under a counting convention: with
    /// [`Convention::CountAnchor`] the anchor counts as day 1 (one more in magnitude).
    pub fn count_working_days(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        convention: Convention,
    ) -> Result<i64, CalendarError> {
        let excluded = self.working_days_between(start, end)?;
        Ok(match convention {
            Convention::ExcludeAnchor => excluded,
            Convention::CountAnchor if end >= start => excluded + 1,
            Convention::CountAnchor => excluded - 1,
        })
    }

    /// Checks that a date is in range, naming it in the error when not.
    pub fn check(&self, date: NaiveDate) -> Result<(), CalendarError> {
        self.offset(date).map(|_| ())
    }
}

fn check_in_range(
    date: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
    what: &'static str,
) -> Result<(), CalendarError> {
    if date < first || date > last {
        Err(CalendarError::ListedDayOutOfRange { date, what, first, last })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_iso(text).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2000), Some(d("2000-04-23")));
        assert_eq!(easter_sunday(2008), Some(d("2008-03-23")));
        assert_eq!(easter_sunday(2011), Some(d("2011-04-24")));
        assert_eq!(easter_sunday(2019), Some(d("2019-04-21")));
        assert_eq!(easter_sunday(2024), Some(d("2024-03-31")));
        assert_eq!(easter_sunday(2038), Some(d("2038-04-25")));
    }

    #[test]
    fn add_and_count_around_christmas_2026() {
        let cal = Calendar::england_and_wales();
        // Christmas 2026 is a Friday, Boxing Day Saturday: substitute on Monday 28 December.
        assert_eq!(cal.add_working_days(d("2026-12-24"), 1).ok(), Some(d("2026-12-29")));
        assert_eq!(cal.add_working_days(d("2026-12-29"), -1).ok(), Some(d("2026-12-24")));
        assert_eq!(cal.working_days_between(d("2026-12-24"), d("2026-12-29")).ok(), Some(1));
        assert_eq!(
            cal.count_working_days(d("2026-12-24"), d("2026-12-29"), Convention::CountAnchor).ok(),
            Some(2)
        );
    }

    #[test]
    fn weekend_anchor() {
        let cal = Calendar::england_and_wales();
        // Saturday 7 November 2026: day 1 is Monday 9th, day 5 is Friday 13th.
        assert_eq!(cal.add_working_days(d("2026-11-07"), 5).ok(), Some(d("2026-11-13")));
        assert_eq!(cal.add_working_days(d("2026-11-08"), -1).ok(), Some(d("2026-11-06")));
        assert_eq!(
            cal.due_in_working_days(d("2026-11-07"), 5, Convention::CountAnchor).ok(),
            Some(d("2026-11-12"))
        );
        assert_eq!(
            cal.due_in_working_days(d("2026-11-07"), 1, Convention::CountAnchor).ok(),
            Some(d("2026-11-07"))
        );
    }

    #[test]
    fn out_of_range_is_an_error() {
        let cal = Calendar::england_and_wales();
        assert!(matches!(cal.add_working_days(d("1999-12-31"), 1), Err(CalendarError::OutOfRange { .. })));
        assert!(matches!(
            cal.add_working_days(d("2035-12-31"), 1),
            Err(CalendarError::ResultOutOfRange { .. })
        ));
        assert!(matches!(cal.is_working_day(d("2036-01-01")), Err(CalendarError::OutOfRange { .. })));
    }

    #[test]
    fn closures_and_custom_lists() {
        let spec = CalendarSpec {
            closures: vec![d("2026-12-29"), d("2026-12-30"), d("2026-12-31")],
            ..CalendarSpec::default()
        };
        let cal = spec.build().unwrap_or_default();
        assert_eq!(cal.add_working_days(d("2026-12-24"), 1).ok(), Some(d("2027-01-04")));
        let custom =
            CalendarSpec { holidays: Some(vec![]), first_year: 2026, last_year: 2026, closures: vec![] };
        let plain = custom.build().unwrap_or_default();
        assert_eq!(plain.add_working_days(d("2026-12-24"), 1).ok(), Some(d("2026-12-25")));
        let bad = CalendarSpec { closures: vec![d("2040-01-02")], ..CalendarSpec::default() };
        assert!(matches!(bad.build(), Err(CalendarError::ListedDayOutOfRange { .. })));
    }
}
