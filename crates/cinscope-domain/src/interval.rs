//! Durations as procedures state them ("45 working days", "6 weeks", "3 months") and the
//! calendar arithmetic that turns an anchor date and a duration into a due date.

use std::fmt;
use std::str::FromStr;

use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Convention};
use crate::error::CalendarError;

/// The unit of an [`Interval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Working days of the calendar (counting convention applies).
    WorkingDays,
    /// Calendar days.
    Days,
    /// Weeks of seven calendar days.
    Weeks,
    /// Calendar months, clamped to the end of a shorter month.
    Months,
    /// Calendar years, clamped (29 February + 1 year = 28 February).
    Years,
}

impl Unit {
    /// The unit's name in the singular and plural.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Unit::WorkingDays => ("working day", "working days"),
            Unit::Days => ("day", "days"),
            Unit::Weeks => ("week", "weeks"),
            Unit::Months => ("month", "months"),
            Unit::Years => ("year", "years"),
        }
    }

    /// The short suffix used in compact interval strings ("45wd", "6w").
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::WorkingDays => "wd",
            Unit::Days => "d",
            Unit::Weeks => "w",
            Unit::Months => "mo",
            Unit::Years => "y",
        }
    }

    fn from_word(word: &str) -> Option<Unit> {
        Some(match word {
            "wd" | "working day" | "working days" | "working_day" | "working_days" | "working-day"
            | "working-days" => Unit::WorkingDays,
            "d" | "day" | "days" => Unit::Days,
            "w" | "wk" | "week" | "weeks" => Unit::Weeks,
            "mo" | "month" | "months" => Unit::Months,
            "y" | "yr" | "year" | "years" => Unit::Years,
            _ => return None,
        })
    }
}

/// A duration in one unit, e.g. 45 working days or 3 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Interval {
    /// How many units (may be negative for "before").
    pub count: i64,
    /// The unit.
    pub unit: Unit,
}

impl Interval {
    /// An interval of `count` units.
    pub const fn new(count: i64, unit: Unit) -> Self {
        Interval { count, unit }
    }

    /// The date this interval after `anchor` falls on, under a working-day counting convention.
    ///
    /// The anchor must be inside the calendar's range, and so must the result.
    pub fn due_date(
        &self,
        anchor: NaiveDate,
        calendar: &Calendar,
        convention: Convention,
    ) -> Result<NaiveDate, CalendarError> {
        calendar.check(anchor)?;
        let out_of_range = || CalendarError::IntervalOutOfRange { anchor, interval: self.to_string() };
        let due = match self.unit {
            Unit::WorkingDays => return calendar.due_in_working_days(anchor, self.count, convention),
            Unit::Days => add_days(anchor, self.count),
            Unit::Weeks => self.count.checked_mul(7).and_then(|days| add_days(anchor, days)),
            Unit::Months => add_months(anchor, self.count),
            Unit::Years => self.count.checked_mul(12).and_then(|months| add_months(anchor, months)),
        }
        .ok_or_else(out_of_range)?;
        calendar.check(due).map_err(|_| out_of_range())?;
        Ok(due)
    }

    /// A rough length in calendar days, for comparing intervals of different units (a working
    /// week of five days is seven calendar days; a month is 365.25 / 12 days).
    pub fn approx_calendar_days(&self) -> f64 {
        let n = self.count as f64;
        match self.unit {
            Unit::WorkingDays => n * 7.0 / 5.0,
            Unit::Days => n,
            Unit::Weeks => n * 7.0,
            Unit::Months => n * 365.25 / 12.0,
            Unit::Years => n * 365.25,
        }
    }

    /// A rough length in working days (five in seven calendar days, before holidays).
    pub fn approx_working_days(&self) -> f64 {
        match self.unit {
            Unit::WorkingDays => self.count as f64,
            _ => self.approx_calendar_days() * 5.0 / 7.0,
        }
    }
}

/// `date` plus `days` calendar days; `None` past chrono's range.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(Duration::try_days(days)?)
}

/// `date` plus `months` calendar months, clamped to the last day of a shorter month
/// (31 January + 1 month = 28 or 29 February); `None` past chrono's range.
pub fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let magnitude = u32::try_from(months.unsigned_abs()).ok()?;
    if months >= 0 {
        date.checked_add_months(Months::new(magnitude))
    } else {
        date.checked_sub_months(Months::new(magnitude))
    }
}

/// `date` plus `years` calendar years (29 February + 1 year = 28 February).
pub fn add_years(date: NaiveDate, years: i64) -> Option<NaiveDate> {
    add_months(date, years.checked_mul(12)?)
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (one, many) = self.unit.words();
        let word = if self.count.abs() == 1 { one } else { many };
        write!(f, "{} {}", self.count, word)
    }
}

impl FromStr for Interval {
    type Err = CalendarError;

    /// Reads "45 working days", "45wd", "10 days", "6 weeks", "6w", "3 months", "3mo", "1 year".
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad =
            |reason: &str| CalendarError::BadInterval { text: text.to_string(), reason: reason.to_string() };
        let trimmed = text.trim();
        let split = trimmed
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+'))))
            .map(|(i, _)| i)
            .unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(split);
        if number.is_empty() || number == "-" || number == "+" {
            return Err(bad("it must start with a whole number, e.g. '45 working days' or '6w'"));
        }
        let count: i64 = number.parse().map_err(|_| bad("the number is too large"))?;
        let unit_text = unit.trim().to_ascii_lowercase();
        let unit = Unit::from_word(&unit_text).ok_or_else(|| {
            bad("the unit must be one of working days (wd), days (d), weeks (w), months (mo), years (y)")
        })?;
        Ok(Interval { count, unit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn parses_long_and_short_forms() {
        for (text, want) in [
            ("45 working days", Interval::new(45, Unit::WorkingDays)),
            ("45wd", Interval::new(45, Unit::WorkingDays)),
            ("1 working day", Interval::new(1, Unit::WorkingDays)),
            ("10 days", Interval::new(10, Unit::Days)),
            (" 6 Weeks ", Interval::new(6, Unit::Weeks)),
            ("3mo", Interval::new(3, Unit::Months)),
            ("-2 years", Interval::new(-2, Unit::Years)),
        ] {
            assert_eq!(text.parse::<Interval>().ok(), Some(want), "{text}");
        }
        for text in ["", "weeks", "3 fortnights", "99999999999999999999 days", "-"] {
            assert!(text.parse::<Interval>().is_err(), "{text}");
        }
    }

    #[test]
    fn display_round_trips() {
        for interval in [
            Interval::new(1, Unit::Weeks),
            Interval::new(45, Unit::WorkingDays),
            Interval::new(12, Unit::Months),
        ] {
            assert_eq!(interval.to_string().parse::<Interval>().ok(), Some(interval));
        }
    }

    #[test]
    fn month_ends_clamp() {
        assert_eq!(add_months(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2025-01-31"), 1), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2025-03-31"), -1), Some(d("2025-02-28")));
        assert_eq!(add_years(d("2024-02-29"), 1), Some(d("2025-02-28")));
        assert_eq!(add_years(d("2024-02-29"), 4), Some(d("2028-02-29")));
        // Computed once from the anchor, never month by month: 31 Jan + 2 months = 31 March.
        assert_eq!(add_months(d("2025-01-31"), 2), Some(d("2025-03-31")));
    }

    #[test]
    fn due_dates_in_each_unit() {
        let cal = Calendar::england_and_wales();
        let anchor = d("2026-11-23");
        let due = |text: &str| {
            text.parse::<Interval>()
                .ok()
                .and_then(|i| i.due_date(anchor, &cal, Convention::ExcludeAnchor).ok())
        };
        assert_eq!(due("10 days"), Some(d("2026-12-03")));
        assert_eq!(due("6 weeks"), Some(d("2027-01-04")));
        assert_eq!(due("3 months"), Some(d("2027-02-23")));
        assert_eq!(due("1 year"), Some(d("2027-11-23")));
        // 23 Nov 2026 + 45 working days: Christmas 25th, Boxing Day substitute 28th, New Year 1st.
        assert_eq!(due("45wd"), Some(d("2027-01-28")));
        assert!(Interval::new(1, Unit::Years)
            .due_date(d("2035-06-01"), &cal, Convention::ExcludeAnchor)
            .is_err());
    }
}
