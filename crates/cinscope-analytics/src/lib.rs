//! The Polars layer of cinscope: the domain's calendar arithmetic over Date columns, the
//! canonical events frame (schema checks, timelines, data-quality findings as frames), and
//! scoring whole frames against rulebooks, in parallel across children.
//!
//! Dependencies point inward: this crate uses `cinscope-domain` and Polars; the Python binding
//! uses this crate. Nothing here knows of Python.

pub mod calendar_ops;
pub mod census;
pub mod census_build;
pub mod events;
pub mod labels;
pub mod score;
pub mod synth;

pub use calendar_ops::{add_interval, calendar_for, count_working_days, is_working_day, NullPolicy};
pub use census_build::{census_from_tables, TablesError};
pub use events::{check_schema, findings_frame, timelines, vocabulary_frame, SchemaError};
pub use score::{
    check_obligation_columns, check_rows, score, LabelCodes, Rulebooks, ScoreOptions, Scored,
    OBLIGATION_COLUMNS,
};
pub use synth::{synth_frames, SynthFrames};

use chrono::{Datelike, NaiveDate};

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A Polars Date value (days since 1970-01-01) as a date.
pub fn to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

/// A date as a Polars Date value (days since 1970-01-01).
pub fn to_days(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}
