//! Working-day and calendar arithmetic over Polars columns.
//!
//! Each function takes Date columns (and integer columns for counts, broadcast when of length
//! one), applies the domain calendar element by element, and names the column and row in every
//! error: `column 'referral_date', row 17: date 1999-05-01 is outside the calendar's range ...`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use cinscope_domain::{Calendar, CalendarError, CalendarSpec, Convention, Interval, Unit};
use polars::prelude::*;

/// What to do with a null in an input column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NullPolicy {
    /// Raise an error naming the column and row (the default: a missing date is a data problem).
    #[default]
    Raise,
    /// Give null in the output, as Polars expressions usually do.
    Propagate,
}

impl NullPolicy {
    /// Parses "raise" or "propagate".
    pub fn parse(text: &str) -> PolarsResult<Self> {
        match text {
            "raise" => Ok(NullPolicy::Raise),
            "propagate" => Ok(NullPolicy::Propagate),
            other => {
                polars_bail!(InvalidOperation: "unknown null policy '{other}': expected 'raise' or 'propagate'")
            }
        }
    }
}

static CALENDARS: LazyLock<Mutex<HashMap<CalendarSpec, Arc<Calendar>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The calendar for a spec, built once per spec and shared (expressions run once per group).
pub fn calendar_for(spec: &CalendarSpec) -> PolarsResult<Arc<Calendar>> {
    let mut cache = CALENDARS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(spec) {
        return Ok(Arc::clone(found));
    }
    let calendar = Arc::new(spec.build().map_err(|e| polars_err!(InvalidOperation: "{e}"))?);
    if cache.len() > 64 {
        cache.clear();
    }
    cache.insert(spec.clone(), Arc::clone(&calendar));
    Ok(calendar)
}

use crate::{to_date, to_days};

fn dates<'a>(series: &'a Series, role: &str) -> PolarsResult<&'a DateChunked> {
    match series.dtype() {
        DataType::Date => series.date(),
        DataType::Datetime(_, _) => polars_bail!(
            SchemaMismatch: "column '{}' ({role}) has dtype {}; expected Date: convert it with .dt.date() first",
            series.name(), series.dtype()
        ),
        DataType::String => polars_bail!(
            SchemaMismatch: "column '{}' ({role}) has dtype String; expected Date: parse it with .str.to_date() first",
            series.name()
        ),
        other => polars_bail!(
            SchemaMismatch: "column '{}' ({role}) has dtype {other}; expected Date", series.name()
        ),
    }
}

fn integers(series: &Series, role: &str) -> PolarsResult<Int64Chunked> {
    if !series.dtype().is_integer() {
        polars_bail!(
            SchemaMismatch: "column '{}' ({role}) has dtype {}; expected an integer type",
            series.name(), series.dtype()
        );
    }
    let cast = series.cast(&DataType::Int64)?;
    // A cast that cannot hold a value (a UInt64 above Int64's maximum) gives null: say so
    // rather than let it be taken for a missing value.
    if cast.null_count() != series.null_count() {
        let lost = cast.is_null() & series.is_not_null();
        let first = lost.iter().position(|l| l == Some(true));
        if let Some(row) = first {
            let value = series.get(row).map(|v| v.to_string()).unwrap_or_default();
            polars_bail!(
                ComputeError: "column '{}' ({role}), row {row}: {value} is too large for a count (at most {})",
                series.name(), i64::MAX
            );
        }
    }
    Ok(cast.i64()?.clone())
}

fn check_lengths(a: &Series, b: &Series) -> PolarsResult<usize> {
    let (la, lb) = (a.len(), b.len());
    if la == lb || lb == 1 {
        Ok(la)
    } else if la == 1 {
        Ok(lb)
    } else {
        polars_bail!(
            ShapeMismatch: "columns '{}' ({la} rows) and '{}' ({lb} rows) differ in length",
            a.name(), b.name()
        )
    }
}

fn at<T: Copy>(values: &[Option<T>], row: usize) -> Option<T> {
    if values.len() == 1 {
        values.first().copied().flatten()
    } else {
        values.get(row).copied().flatten()
    }
}

fn located(series: &Series, row: usize, error: CalendarError) -> PolarsError {
    polars_err!(ComputeError: "column '{}', row {row}: {error}", series.name())
}

fn null_error(series: &Series, row: usize) -> PolarsError {
    polars_err!(
        ComputeError: "column '{}', row {row}: null value; drop or fill nulls first, or pass nulls=\"propagate\"",
        series.name()
    )
}

/// Applies `f` to pairs of values from two columns (each broadcast when of length one).
fn zip_apply<A: Copy, B: Copy, R>(
    a: (&Series, &[Option<A>]),
    b: (&Series, &[Option<B>]),
    nulls: NullPolicy,
    f: impl Fn(usize, A, B) -> PolarsResult<R>,
) -> PolarsResult<Vec<Option<R>>> {
    let len = check_lengths(a.0, b.0)?;
    (0..len)
        .map(|row| match (at(a.1, row), at(b.1, row)) {
            (Some(x), Some(y)) => f(row, x, y).map(Some),
            (None, _) if nulls == NullPolicy::Raise => Err(null_error(a.0, row)),
            (_, None) if nulls == NullPolicy::Raise => Err(null_error(b.0, row)),
            _ => Ok(None),
        })
        .collect()
}

fn date_series(name: PlSmallStr, values: Vec<Option<i32>>) -> PolarsResult<Series> {
    Int32Chunked::from_iter_options(name, values.into_iter()).into_series().cast(&DataType::Date)
}

fn day_values(series: &Series, role: &str) -> PolarsResult<Vec<Option<i32>>> {
    Ok(dates(series, role)?.physical().iter().collect())
}

/// Adds an interval of `counts` units to each date: working days under `convention`, or
/// calendar days, weeks, months or years (month ends clamp). Returns a Date column named after
/// `dates`.
pub fn add_interval(
    dates_in: &Series,
    counts: &Series,
    unit: Unit,
    calendar: &Calendar,
    convention: Convention,
    nulls: NullPolicy,
) -> PolarsResult<Series> {
    let days = day_values(dates_in, "dates")?;
    let counts_ca = integers(counts, "counts")?;
    let counts_v: Vec<Option<i64>> = counts_ca.iter().collect();
    let out = zip_apply((dates_in, &days), (counts, &counts_v), nulls, |row, day, count| {
        let date = to_date(day).ok_or_else(
            || polars_err!(ComputeError: "column '{}', row {row}: date out of range", dates_in.name()),
        )?;
        let due = Interval::new(count, unit)
            .due_date(date, calendar, convention)
            .map_err(|e| located(dates_in, row, e))?;
        Ok(to_days(due))
    })?;
    date_series(dates_in.name().clone(), out)
}

/// Working days from each `start` to each `end` (see [`Calendar::count_working_days`]); Int32.
pub fn count_working_days(
    start: &Series,
    end: &Series,
    calendar: &Calendar,
    convention: Convention,
    nulls: NullPolicy,
) -> PolarsResult<Series> {
    let s = day_values(start, "start")?;
    let e = day_values(end, "end")?;
    let out = zip_apply((start, &s), (end, &e), nulls, |row, a, b| {
        let (Some(a_date), Some(b_date)) = (to_date(a), to_date(b)) else {
            polars_bail!(ComputeError: "column '{}', row {row}: date out of range", start.name());
        };
        calendar.check(b_date).map_err(|err| located(end, row, err))?;
        let count = calendar
            .count_working_days(a_date, b_date, convention)
            .map_err(|err| located(start, row, err))?;
        i32::try_from(count).map_err(|_| polars_err!(ComputeError: "row {row}: count overflows"))
    })?;
    Ok(Int32Chunked::from_iter_options(start.name().clone(), out.into_iter()).into_series())
}

/// Whether each date is a working day; Boolean.
pub fn is_working_day(dates_in: &Series, calendar: &Calendar, nulls: NullPolicy) -> PolarsResult<Series> {
    let days = day_values(dates_in, "dates")?;
    let out: Vec<Option<bool>> = days
        .iter()
        .enumerate()
        .map(|(row, day)| match day {
            Some(d) => {
                let date =
                    to_date(*d).ok_or_else(|| polars_err!(ComputeError: "row {row}: date out of range"))?;
                calendar.is_working_day(date).map(Some).map_err(|e| located(dates_in, row, e))
            }
            None if nulls == NullPolicy::Raise => Err(null_error(dates_in, row)),
            None => Ok(None),
        })
        .collect::<PolarsResult<_>>()?;
    Ok(BooleanChunked::from_iter_options(dates_in.name().clone(), out.into_iter()).into_series())
}

/// Parses a unit name as used by the Python API ("working_days", "days", "weeks", "months", "years").
pub fn parse_unit(text: &str) -> PolarsResult<Unit> {
    format!("1 {text}")
        .parse::<Interval>()
        .map(|i| i.unit)
        .map_err(|_| polars_err!(InvalidOperation: "unknown unit '{text}': expected working_days, days, weeks, months or years"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn date_col(name: &str, values: &[Option<&str>]) -> Series {
        let days: Vec<Option<i32>> = values
            .iter()
            .map(|v| v.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()).map(to_days))
            .collect();
        date_series(name.into(), days).unwrap()
    }

    fn as_text(series: &Series) -> Vec<Option<String>> {
        series.date().unwrap().physical().iter().map(|d| d.and_then(to_date).map(|d| d.to_string())).collect()
    }

    #[test]
    fn adds_working_days_with_broadcast_and_nulls() {
        let cal = Calendar::england_and_wales();
        let dates_in = date_col("referral_date", &[Some("2026-12-24"), None, Some("2026-11-07")]);
        let n = Series::new("n".into(), &[1i64]);
        let err = add_interval(
            &dates_in,
            &n,
            Unit::WorkingDays,
            &cal,
            Convention::ExcludeAnchor,
            NullPolicy::Raise,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("column 'referral_date', row 1: null value"), "{err}");
        let out = add_interval(
            &dates_in,
            &n,
            Unit::WorkingDays,
            &cal,
            Convention::ExcludeAnchor,
            NullPolicy::Propagate,
        )
        .unwrap();
        assert_eq!(out.name().as_str(), "referral_date");
        assert_eq!(as_text(&out), vec![Some("2026-12-29".to_string()), None, Some("2026-11-09".to_string())]);
    }

    #[test]
    fn months_clamp_and_errors_name_the_column() {
        let cal = Calendar::england_and_wales();
        let dates_in = date_col("plan_start", &[Some("2025-01-31"), Some("1999-06-01")]);
        let n = Series::new("n".into(), &[1i32, 1]);
        let err =
            add_interval(&dates_in, &n, Unit::Months, &cal, Convention::ExcludeAnchor, NullPolicy::Raise)
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("column 'plan_start', row 1: date 1999-06-01 is outside the calendar's range"),
            "{err}"
        );
        let ok = date_col("plan_start", &[Some("2025-01-31")]);
        let out = add_interval(
            &ok,
            &n.head(Some(1)),
            Unit::Months,
            &cal,
            Convention::ExcludeAnchor,
            NullPolicy::Raise,
        )
        .unwrap();
        assert_eq!(as_text(&out), vec![Some("2025-02-28".to_string())]);
    }

    #[test]
    fn counts_and_wrong_dtypes() {
        let cal = Calendar::england_and_wales();
        let a = date_col("start", &[Some("2026-12-24")]);
        let b = date_col("end", &[Some("2027-01-04")]);
        let out = count_working_days(&a, &b, &cal, Convention::ExcludeAnchor, NullPolicy::Raise).unwrap();
        assert_eq!(out.i32().unwrap().get(0), Some(4));
        let counted = count_working_days(&a, &b, &cal, Convention::CountAnchor, NullPolicy::Raise).unwrap();
        assert_eq!(counted.i32().unwrap().get(0), Some(5));
        let text = Series::new("start".into(), &["2026-12-24"]);
        let err = count_working_days(&text, &b, &cal, Convention::ExcludeAnchor, NullPolicy::Raise)
            .unwrap_err()
            .to_string();
        assert!(err.contains("column 'start' (start) has dtype String; expected Date"), "{err}");
        let short = date_col("end", &[Some("2027-01-04"), Some("2027-01-05")]);
        let long = date_col("start", &[Some("2027-01-04"), Some("2027-01-05"), None]);
        assert!(
            count_working_days(&long, &short, &cal, Convention::ExcludeAnchor, NullPolicy::Raise).is_err()
        );
        let working = is_working_day(&b, &cal, NullPolicy::Raise).unwrap();
        assert_eq!(working.bool().unwrap().get(0), Some(true));
    }

    #[test]
    fn counts_too_large_for_int64_are_named_not_taken_for_nulls() {
        let cal = Calendar::england_and_wales();
        let dates_in = date_col("d", &[Some("2026-01-05"), Some("2026-01-05")]);
        let n = Series::new("n".into(), &[Some(1u64), Some(u64::MAX)]);
        for nulls in [NullPolicy::Raise, NullPolicy::Propagate] {
            let err = add_interval(&dates_in, &n, Unit::Days, &cal, Convention::ExcludeAnchor, nulls)
                .unwrap_err()
                .to_string();
            assert!(err.contains("column 'n' (counts), row 1: 18446744073709551615 is too large"), "{err}");
            assert!(!err.contains("null"), "{err}");
        }
        let n = Series::new("n".into(), &[Some(1u64), None]);
        let out =
            add_interval(&dates_in, &n, Unit::Days, &cal, Convention::ExcludeAnchor, NullPolicy::Propagate)
                .unwrap();
        assert_eq!(as_text(&out), vec![Some("2026-01-06".to_string()), None]);
    }

    #[test]
    fn calendars_are_cached_per_spec() {
        let spec = CalendarSpec::default();
        let a = calendar_for(&spec).unwrap();
        let b = calendar_for(&spec).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(parse_unit("working_days").is_ok());
        assert!(parse_unit("fortnights").is_err());
    }
}
