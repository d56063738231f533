//! Errors of the domain layer. Messages are lowercase and name the value at fault.

use chrono::NaiveDate;
use thiserror::Error;

/// An error from calendar or interval arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// A date outside the calendar's range was given.
    #[error("date {date} is outside the calendar's range {first} to {last}")]
    OutOfRange {
        /// The date given.
        date: NaiveDate,
        /// First date in range.
        first: NaiveDate,
        /// Last date in range.
        last: NaiveDate,
    },
    /// The result of an addition would fall outside the calendar's range.
    #[error(
        "{working_days} working days from {anchor} falls outside the calendar's range {first} to {last}"
    )]
    ResultOutOfRange {
        /// The anchor date.
        anchor: NaiveDate,
        /// The number of working days added.
        working_days: i64,
        /// First date in range.
        first: NaiveDate,
        /// Last date in range.
        last: NaiveDate,
    },
    /// A date computed with calendar units falls outside the calendar's range or chrono's.
    #[error("{interval} from {anchor} falls outside the calendar's range")]
    IntervalOutOfRange {
        /// The anchor date.
        anchor: NaiveDate,
        /// The interval, as written.
        interval: String,
    },
    /// A holiday or closure day listed by the user is outside the calendar's range.
    #[error("{date} in the {what} is outside the calendar's range {first} to {last}")]
    ListedDayOutOfRange {
        /// The date listed.
        date: NaiveDate,
        /// Which list it came from.
        what: &'static str,
        /// First date in range.
        first: NaiveDate,
        /// Last date in range.
        last: NaiveDate,
    },
    /// The first year is after the last.
    #[error("calendar range is empty: first year {first_year} is after last year {last_year}")]
    EmptyRange {
        /// First year asked for.
        first_year: i32,
        /// Last year asked for.
        last_year: i32,
    },
    /// The bank-holiday rules are not modelled for this year.
    #[error("bank holidays are not modelled for the year {0} (supported: 1971 to 9998)")]
    YearNotModelled(i32),
    /// An unknown counting convention name.
    #[error("unknown working-day convention '{0}': expected 'exclude_anchor' or 'count_anchor'")]
    UnknownConvention(String),
    /// An interval that could not be parsed.
    #[error("cannot read the interval '{text}': {reason}")]
    BadInterval {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}
