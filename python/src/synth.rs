//! Synthetic case histories for Python.

use cinscope_analytics::synth_frames;
use cinscope_synth::{Behaviour, Options};
use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use crate::scoring::PyRulebook;
use crate::{convention, date_of, CinscopeError, PyCalendar};

/// Generates a synthetic cohort under one rulebook; returns (events, truth).
#[pyfunction]
#[pyo3(signature = (
    rulebook, children, seed, first_child, as_of, years, teams, workers_per_team,
    on_time, late_days, undone, drift, lapsing_workers, convention_name, calendar, authority, prefix
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn synth(
    py: Python<'_>,
    rulebook: &PyRulebook,
    children: u64,
    seed: u64,
    first_child: u64,
    as_of: i32,
    years: u32,
    teams: u32,
    workers_per_team: u32,
    on_time: f64,
    late_days: f64,
    undone: f64,
    drift: f64,
    lapsing_workers: f64,
    convention_name: &str,
    calendar: &PyCalendar,
    authority: &str,
    prefix: &str,
) -> PyResult<(PyDataFrame, PyDataFrame)> {
    let options = Options {
        seed,
        children,
        first_child,
        as_of: date_of(as_of)?,
        years,
        teams,
        workers_per_team,
        behaviour: Behaviour { on_time, late_days, undone, drift, lapsing_workers },
        convention: convention(convention_name)?,
    };
    let book = std::sync::Arc::clone(&rulebook.inner);
    let cal = std::sync::Arc::clone(&calendar.inner);
    let frames = py
        .detach(move || synth_frames(&book, &cal, &options, authority, prefix))
        .map_err(CinscopeError::new_err)?;
    Ok((PyDataFrame(frames.events), PyDataFrame(frames.truth)))
}

/// The codes of the rules whose breaches the generator's ground truth records
/// (`cinscope_synth::models`).
#[pyfunction]
pub(crate) fn synth_rules(rulebook: &PyRulebook) -> Vec<String> {
    rulebook.inner.rules.iter().filter(|r| cinscope_synth::models(r)).map(|r| r.code.clone()).collect()
}
