//! Polars expression plugins. Each is elementwise, so it runs in eager, lazy, streaming and
//! `group_by` contexts alike; errors name the column and row at fault.
#![allow(unsafe_code)] // the `polars_expr` macro generates the FFI entry points

use cinscope_analytics::calendar_ops::{self, parse_unit};
use cinscope_domain::Convention;
use polars::prelude::*;
use pyo3_polars::derive::polars_expr;
use serde::Deserialize;

use crate::{null_policy, CalendarArgs};

#[derive(Debug, Deserialize)]
struct AddKwargs {
    calendar: CalendarArgs,
    unit: String,
    convention: String,
    nulls: String,
}

#[derive(Debug, Deserialize)]
struct CountKwargs {
    calendar: CalendarArgs,
    convention: String,
    nulls: String,
}

#[derive(Debug, Deserialize)]
struct DayKwargs {
    calendar: CalendarArgs,
    nulls: String,
}

fn convention(text: &str) -> PolarsResult<Convention> {
    Convention::parse(text).map_err(|e| polars_err!(InvalidOperation: "{e}"))
}

fn two<'a>(inputs: &'a [Series], what: &str) -> PolarsResult<(&'a Series, &'a Series)> {
    match inputs {
        [a, b] => Ok((a, b)),
        _ => polars_bail!(InvalidOperation: "{what} takes two inputs, got {}", inputs.len()),
    }
}

#[polars_expr(output_type=Date)]
fn cinscope_add_interval(inputs: &[Series], kwargs: AddKwargs) -> PolarsResult<Series> {
    let (dates, counts) = two(inputs, "add")?;
    let calendar = kwargs.calendar.calendar()?;
    calendar_ops::add_interval(
        dates,
        counts,
        parse_unit(&kwargs.unit)?,
        &calendar,
        convention(&kwargs.convention)?,
        null_policy(&kwargs.nulls)?,
    )
}

#[polars_expr(output_type=Int32)]
fn cinscope_count_working_days(inputs: &[Series], kwargs: CountKwargs) -> PolarsResult<Series> {
    let (start, end) = two(inputs, "count_working_days")?;
    let calendar = kwargs.calendar.calendar()?;
    calendar_ops::count_working_days(
        start,
        end,
        &calendar,
        convention(&kwargs.convention)?,
        null_policy(&kwargs.nulls)?,
    )
}

#[polars_expr(output_type=Boolean)]
fn cinscope_is_working_day(inputs: &[Series], kwargs: DayKwargs) -> PolarsResult<Series> {
    let Some(dates) = inputs.first() else {
        polars_bail!(InvalidOperation: "is_working_day takes one input");
    };
    let calendar = kwargs.calendar.calendar()?;
    calendar_ops::is_working_day(dates, &calendar, null_policy(&kwargs.nulls)?)
}
