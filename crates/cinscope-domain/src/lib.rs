//! Domain types of cinscope: the event vocabulary of a Child in Need case history, timelines
//! built from events, and the England and Wales working-day calendar with the interval
//! arithmetic that turns "within 45 working days" or "every 6 months" into due dates.
//!
//! This crate knows nothing of Polars or Python.
//!
//! ```
//! use cinscope_domain::{Calendar, Convention, Interval};
//! use chrono::NaiveDate;
//!
//! let calendar = Calendar::england_and_wales();
//! let referral = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
//! let due = "10 working days".parse::<Interval>().unwrap()
//!     .due_date(referral, &calendar, Convention::ExcludeAnchor).unwrap();
//! // Christmas Day, the Boxing Day substitute (28th) and New Year's Day are skipped.
//! assert_eq!(due, NaiveDate::from_ymd_opt(2027, 1, 6).unwrap());
//! ```

pub mod calendar;
pub mod error;
pub mod event;
pub mod interval;
pub mod timeline;

pub use calendar::{Calendar, CalendarSpec, Convention, Holiday};
pub use error::CalendarError;
pub use event::{EventGroup, EventKind, EventSpec, QualifierKind, EVENTS};
pub use interval::{Interval, Unit};
pub use timeline::{build_timeline, Episode, Event, Finding, FindingCode, RawEvent, Span, Timeline};
