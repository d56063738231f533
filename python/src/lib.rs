//! The `cinscope._core` extension module: Polars expression plugins for calendar arithmetic,
//! scalar calendar functions, and the events-frame checks. The Python package `cinscope` wraps
//! these in a typed, documented API; nothing here is meant to be called directly.

use std::sync::Arc;

use cinscope_analytics::calendar_ops::{self, calendar_for, NullPolicy};
use cinscope_domain::calendar::england_and_wales_bank_holidays;
use cinscope_domain::{Calendar, CalendarSpec, Convention, Interval};
use polars::prelude::*;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;
use serde::Deserialize;

mod census;
mod plugins;
mod scoring;
mod synth;

/// mimalloc rather than the system allocator: scoring, generation and census reading allocate
/// many short-lived buffers from several threads at once, and glibc's allocator returns large
/// ones to the kernel only to fault them back in on the next call.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(_core, CinscopeError, PyException, "Base class of every error cinscope raises.");
create_exception!(
    _core,
    CalendarError,
    CinscopeError,
    "A date outside the calendar, or a bad calendar or interval."
);
create_exception!(
    _core,
    SchemaError,
    CinscopeError,
    "An input frame lacks a required column or has one of the wrong type."
);
create_exception!(
    _core,
    DataError,
    CinscopeError,
    "Rows of an input frame cannot be scored (unknown events, nulls, authorities with no rulebook)."
);
create_exception!(_core, RulebookError, CinscopeError, "A rulebook is invalid or unknown.");
create_exception!(
    _core,
    CensusError,
    CinscopeError,
    "A census file is malformed, hostile or not a census, or cannot be written for the year asked."
);

/// The calendar part of a plugin's keyword arguments, also used by the scalar functions.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CalendarArgs {
    first_year: i32,
    last_year: i32,
    /// Days since 1970-01-01; replaces the bank holidays when present.
    holidays: Option<Vec<i32>>,
    /// Days since 1970-01-01.
    closures: Vec<i32>,
}

impl CalendarArgs {
    fn spec(&self) -> Result<CalendarSpec, String> {
        let convert = |days: &[i32]| -> Result<Vec<chrono::NaiveDate>, String> {
            days.iter()
                .map(|d| {
                    cinscope_analytics::to_date(*d)
                        .ok_or_else(|| format!("day number {d} is not a valid date"))
                })
                .collect()
        };
        Ok(CalendarSpec {
            first_year: self.first_year,
            last_year: self.last_year,
            holidays: match &self.holidays {
                Some(list) => Some(convert(list)?),
                None => None,
            },
            closures: convert(&self.closures)?,
        })
    }

    pub(crate) fn calendar(&self) -> PolarsResult<Arc<Calendar>> {
        let spec = self.spec().map_err(|e| polars_err!(InvalidOperation: "{e}"))?;
        calendar_for(&spec)
    }
}

pub(crate) fn convention(text: &str) -> PyResult<Convention> {
    Convention::parse(text).map_err(|e| CalendarError::new_err(e.to_string()))
}

pub(crate) fn date_of(days: i32) -> PyResult<chrono::NaiveDate> {
    cinscope_analytics::to_date(days)
        .ok_or_else(|| CalendarError::new_err(format!("day number {days} is not a valid date")))
}

/// A calendar built from its spec, shared with the expression plugins' cache.
#[pyclass(module = "cinscope._core", name = "_Calendar", frozen)]
pub(crate) struct PyCalendar {
    pub(crate) inner: Arc<Calendar>,
}

#[pymethods]
impl PyCalendar {
    #[new]
    #[pyo3(signature = (first_year, last_year, holidays, closures))]
    fn new(
        first_year: i32,
        last_year: i32,
        holidays: Option<Vec<i32>>,
        closures: Vec<i32>,
    ) -> PyResult<Self> {
        let args = CalendarArgs { first_year, last_year, holidays, closures };
        let inner = args.calendar().map_err(|e| CalendarError::new_err(strip_polars_prefix(&e)))?;
        Ok(PyCalendar { inner })
    }

    fn first_day(&self) -> i32 {
        cinscope_analytics::to_days(self.inner.first_date())
    }

    fn last_day(&self) -> i32 {
        cinscope_analytics::to_days(self.inner.last_date())
    }

    fn is_working_day(&self, day: i32) -> PyResult<bool> {
        self.inner.is_working_day(date_of(day)?).map_err(|e| CalendarError::new_err(e.to_string()))
    }

    fn add(&self, day: i32, count: i64, unit: &str, convention_name: &str) -> PyResult<i32> {
        let unit =
            calendar_ops::parse_unit(unit).map_err(|e| CalendarError::new_err(strip_polars_prefix(&e)))?;
        let due = Interval::new(count, unit)
            .due_date(date_of(day)?, &self.inner, convention(convention_name)?)
            .map_err(|e| CalendarError::new_err(e.to_string()))?;
        Ok(cinscope_analytics::to_days(due))
    }

    fn count_working_days(&self, start: i32, end: i32, convention_name: &str) -> PyResult<i64> {
        self.inner
            .count_working_days(date_of(start)?, date_of(end)?, convention(convention_name)?)
            .map_err(|e| CalendarError::new_err(e.to_string()))
    }

    /// (day number, name) of every holiday and closure in range.
    fn closed_days(&self) -> Vec<(i32, String)> {
        self.inner.closed_days().map(|(d, n)| (cinscope_analytics::to_days(d), n.to_string())).collect()
    }
}

/// The England and Wales bank holidays of one year as (day number, name) pairs.
#[pyfunction]
fn bank_holidays(year: i32) -> PyResult<Vec<(i32, String)>> {
    england_and_wales_bank_holidays(year)
        .map(|list| list.into_iter().map(|h| (cinscope_analytics::to_days(h.date), h.name)).collect())
        .map_err(|e| CalendarError::new_err(e.to_string()))
}

/// Parses an interval such as "45 working days" into (count, unit name).
#[pyfunction]
fn parse_interval(text: &str) -> PyResult<(i64, String)> {
    let interval: Interval =
        text.parse().map_err(|e: cinscope_domain::CalendarError| CalendarError::new_err(e.to_string()))?;
    let unit = serde_unit_name(interval.unit);
    Ok((interval.count, unit.to_string()))
}

fn serde_unit_name(unit: cinscope_domain::Unit) -> &'static str {
    match unit {
        cinscope_domain::Unit::WorkingDays => "working_days",
        cinscope_domain::Unit::Days => "days",
        cinscope_domain::Unit::Weeks => "weeks",
        cinscope_domain::Unit::Months => "months",
        cinscope_domain::Unit::Years => "years",
    }
}

/// The event vocabulary as a DataFrame.
#[pyfunction]
fn event_vocabulary() -> PyResult<PyDataFrame> {
    cinscope_analytics::vocabulary_frame().map(PyDataFrame).map_err(|e| CinscopeError::new_err(e.to_string()))
}

/// Checks an events frame's schema, raising SchemaError naming the column at fault.
#[pyfunction]
fn check_schema(frame: PyDataFrame) -> PyResult<()> {
    cinscope_analytics::check_schema(&frame.0).map_err(|e| SchemaError::new_err(e.to_string()))
}

/// The data-quality findings of an events frame, computed without holding the GIL.
#[pyfunction]
fn event_findings(py: Python<'_>, frame: PyDataFrame) -> PyResult<PyDataFrame> {
    cinscope_analytics::check_schema(&frame.0).map_err(|e| SchemaError::new_err(e.to_string()))?;
    let frame = frame.0;
    detached(py, "check_events", move || cinscope_analytics::findings_frame(&frame))?
        .map(PyDataFrame)
        .map_err(|e| CinscopeError::new_err(strip_polars_prefix(&e)))
}

/// Every period (plans, looked-after periods, orders) of an events frame.
#[pyfunction]
fn event_periods(py: Python<'_>, frame: PyDataFrame) -> PyResult<PyDataFrame> {
    cinscope_analytics::check_schema(&frame.0).map_err(|e| SchemaError::new_err(e.to_string()))?;
    let frame = frame.0;
    detached(py, "event_periods", move || cinscope_analytics::events::periods_frame(&frame))?
        .map(PyDataFrame)
        .map_err(|e| CinscopeError::new_err(strip_polars_prefix(&e)))
}

/// Runs `work` without the GIL. A panic in it (a bug: the data paths return errors) becomes a
/// `CinscopeError` naming `what`, rather than pyo3's `PanicException`, which derives from
/// `BaseException` and so escapes `except Exception`.
pub(crate) fn detached<T, F>(py: Python<'_>, what: &str, work: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))).map_err(|panic| {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        CinscopeError::new_err(format!("{what}: internal error ({text}); please report it"))
    })
}

/// The message of a Polars error without the error-kind prefix Polars adds.
pub(crate) fn strip_polars_prefix(error: &PolarsError) -> String {
    match error {
        PolarsError::ComputeError(m)
        | PolarsError::InvalidOperation(m)
        | PolarsError::SchemaMismatch(m)
        | PolarsError::ShapeMismatch(m) => m.to_string(),
        other => other.to_string(),
    }
}

/// A convenience for the plugins: parse the null policy, naming the argument on error.
pub(crate) fn null_policy(text: &str) -> PolarsResult<NullPolicy> {
    NullPolicy::parse(text)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CinscopeError", py.get_type::<CinscopeError>())?;
    m.add("CalendarError", py.get_type::<CalendarError>())?;
    m.add("SchemaError", py.get_type::<SchemaError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("RulebookError", py.get_type::<RulebookError>())?;
    m.add("CensusError", py.get_type::<CensusError>())?;
    m.add_class::<census::PyCensus>()?;
    m.add_function(wrap_pyfunction!(census::read_census_path, m)?)?;
    m.add_function(wrap_pyfunction!(census::read_census_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(census::generate_census, m)?)?;
    m.add_function(wrap_pyfunction!(census::census_rules, m)?)?;
    m.add_function(wrap_pyfunction!(census::census_from_tables, m)?)?;
    m.add_class::<scoring::PyRulebook>()?;
    m.add_function(wrap_pyfunction!(scoring::builtin_rulebooks, m)?)?;
    m.add_function(wrap_pyfunction!(scoring::score, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_rules, m)?)?;
    m.add_function(wrap_pyfunction!(scoring::timescale_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(scoring::timescale_entries, m)?)?;
    m.add_class::<PyCalendar>()?;
    m.add_function(wrap_pyfunction!(bank_holidays, m)?)?;
    m.add_function(wrap_pyfunction!(parse_interval, m)?)?;
    m.add_function(wrap_pyfunction!(event_vocabulary, m)?)?;
    m.add_function(wrap_pyfunction!(check_schema, m)?)?;
    m.add_function(wrap_pyfunction!(event_findings, m)?)?;
    m.add_function(wrap_pyfunction!(event_periods, m)?)?;
    m.add("OBLIGATION_COLUMNS", cinscope_analytics::score::OBLIGATION_COLUMNS.to_vec())?;
    m.add("STATUSES", cinscope_analytics::labels::STATUSES.to_vec())?;
    m.add("SEVERITIES", cinscope_analytics::labels::SEVERITIES.to_vec())?;
    m.add("KINDS", cinscope_analytics::labels::KINDS.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
