//! Rulebooks and scoring for Python: `_Rulebook` and `score`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use cinscope_analytics::score::{score as score_frame, score_checked, RowError, Rulebooks, ScoreOptions};
use cinscope_rules::reference::requirement;
use cinscope_rules::rulebook::Scope;
use cinscope_rules::{builtin, builtin_ids, from_file_with, from_str, Rulebook};
use polars::prelude::*;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use crate::{convention, date_of, CinscopeError, DataError, PyCalendar, RulebookError, SchemaError};

/// A compiled rulebook.
#[pyclass(module = "cinscope._core", name = "_Rulebook", frozen)]
pub(crate) struct PyRulebook {
    pub(crate) inner: Arc<Rulebook>,
}

fn rulebook_error(error: cinscope_rules::RulebookError) -> PyErr {
    RulebookError::new_err(error.to_string())
}

fn frame_error(error: PolarsError) -> PyErr {
    CinscopeError::new_err(crate::strip_polars_prefix(&error))
}

#[pymethods]
impl PyRulebook {
    #[staticmethod]
    fn builtin(id: &str) -> PyResult<Self> {
        builtin(id).map(|b| PyRulebook { inner: Arc::new(b) }).map_err(rulebook_error)
    }

    #[staticmethod]
    #[pyo3(signature = (path, allow_outside = false))]
    fn from_file(path: PathBuf, allow_outside: bool) -> PyResult<Self> {
        from_file_with(&path, allow_outside)
            .map(|b| PyRulebook { inner: Arc::new(b) })
            .map_err(rulebook_error)
    }

    #[staticmethod]
    fn from_toml(text: &str, name: &str) -> PyResult<Self> {
        from_str(name, text).map(|b| PyRulebook { inner: Arc::new(b) }).map_err(rulebook_error)
    }

    fn id(&self) -> String {
        self.inner.id.clone()
    }

    fn name(&self) -> String {
        self.inner.name.clone()
    }

    fn authority(&self) -> String {
        self.inner.authority.clone()
    }

    fn document(&self) -> String {
        self.inner.document.clone()
    }

    fn extends(&self) -> Option<String> {
        self.inner.extends.clone()
    }

    /// (name, description, value) of every declared parameter.
    fn parameters(&self) -> Vec<(String, String, Option<String>)> {
        self.inner
            .parameters
            .iter()
            .map(|(n, p)| (n.clone(), p.description.clone(), p.value.clone()))
            .collect()
    }

    /// One row per rule.
    fn rules(&self) -> PyResult<PyDataFrame> {
        let rules = &self.inner.rules;
        let column = |name: &str, values: Vec<Option<String>>| Column::new(name.into(), values);
        let text =
            |f: &dyn Fn(&cinscope_rules::Rule) -> Option<String>| rules.iter().map(f).collect::<Vec<_>>();
        let frame = DataFrame::new_infer_height(vec![
            column("rule", text(&|r| Some(r.code.clone()))),
            column("title", text(&|r| Some(r.title.clone()))),
            column("severity", text(&|r| Some(r.severity.name().to_string()))),
            column("kind", text(&|r| Some(r.kind.name().to_string()))),
            column(
                "scope",
                text(&|r| {
                    Some(match r.scope {
                        Scope::Episode => "episode".to_string(),
                        Scope::CinPlan => "cin_plan".to_string(),
                    })
                }),
            ),
            column("requires", text(&|r| Some(requirement(r).replace('`', "")))),
            column("section", text(&|r| Some(r.citation.section.clone()))),
            column("citation", text(&|r| Some(r.citation.text.trim().to_string()))),
            column("defined_in", text(&|r| Some(r.defined_in.clone()))),
            column("note", text(&|r| r.note.clone())),
            column("fallback", text(&|r| r.fallback.as_ref().map(|f| f.code.clone()))),
            column("pairing", text(&|r| Some(r.pairing.name().to_string()))),
            column("starts_on", text(&|r| Some(kind_names(&r.starts_on())))),
            column("met_by", text(&|r| Some(kind_names(&r.met_by())))),
            column(
                "unset_parameters",
                text(&|r| {
                    let unset = r.unset_parameters();
                    (!unset.is_empty()).then(|| unset.join(", "))
                }),
            ),
        ])
        .map_err(frame_error)?;
        Ok(PyDataFrame(frame))
    }

    fn reference(&self) -> String {
        cinscope_rules::reference::rule_reference(std::slice::from_ref(&self.inner))
    }

    fn __repr__(&self) -> String {
        format!("Rulebook('{}': {} rules, {})", self.inner.id, self.inner.rules.len(), self.inner.document)
    }
}

/// Event names, comma-separated.
fn kind_names(kinds: &[cinscope_domain::EventKind]) -> String {
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// The timescale matrix (Markdown) of the given rulebooks, side by side.
#[pyfunction]
pub(crate) fn timescale_matrix(rulebooks: Vec<Py<PyRulebook>>) -> String {
    let books: Vec<Rulebook> = rulebooks.iter().map(|b| (*b.get().inner).clone()).collect();
    cinscope_rules::reference::timescale_matrix(&books)
}

/// One row of the long-form timescale matrix: (obligation, rulebook, rule, part, duration,
/// approximate working days, approximate calendar days).
pub(crate) type TimescaleRow = (String, String, String, &'static str, String, Option<f64>, Option<f64>);

/// The timescale matrix of the given rulebooks in long form, one row per timed part of a rule.
#[pyfunction]
pub(crate) fn timescale_entries(rulebooks: Vec<Py<PyRulebook>>) -> Vec<TimescaleRow> {
    let books: Vec<Rulebook> = rulebooks.iter().map(|b| (*b.get().inner).clone()).collect();
    cinscope_rules::reference::timescale_entries(&books)
        .into_iter()
        .map(|e| (e.obligation, e.rulebook, e.rule, e.part, e.duration, e.working_days, e.calendar_days))
        .collect()
}

/// Ids of the built-in rulebooks.
#[pyfunction]
pub(crate) fn builtin_rulebooks() -> Vec<&'static str> {
    builtin_ids()
}

/// Scores an events frame. `rulebooks` is either one `(None, rulebook)` pair or one pair per
/// authority; with `each`, pairs `(None, rulebook)` under each of which every child is scored.
/// With `errors="raise"`, bad rows raise `DataError`; with `"report"`, they are returned as
/// findings. `columns` names the obligation columns to build (all when `None`). Returns
/// (obligations with their label columns as codes, the labels, findings): see [`Label`].
#[pyfunction]
#[pyo3(signature = (frame, rulebooks, as_of, convention_name, calendar, errors, columns=None, each=false))]
#[allow(clippy::too_many_arguments)] // one per argument of cinscope.score, which Python names
pub(crate) fn score(
    py: Python<'_>,
    frame: PyDataFrame,
    rulebooks: Vec<(Option<String>, Py<PyRulebook>)>,
    as_of: i32,
    convention_name: &str,
    calendar: &PyCalendar,
    errors: &str,
    columns: Option<Vec<String>>,
    each: bool,
) -> PyResult<Scores> {
    cinscope_analytics::check_schema(&frame.0).map_err(|e| SchemaError::new_err(e.to_string()))?;
    if let Some(wanted) = &columns {
        let present: Vec<&str> = frame.0.get_column_names().iter().map(|n| n.as_str()).collect();
        cinscope_analytics::check_obligation_columns(&present, wanted).map_err(PyValueError::new_err)?;
    }
    let books = match rulebooks.as_slice() {
        pairs if each => {
            if pairs.iter().any(|(key, _)| key.is_some()) {
                return Err(CinscopeError::new_err(
                    "rulebooks that each score every child are given without authorities",
                ));
            }
            Rulebooks::Each(pairs.iter().map(|(_, book)| Arc::clone(&book.get().inner)).collect())
        }
        [(None, book)] => Rulebooks::One(Arc::clone(&book.get().inner)),
        pairs => {
            let mut map = HashMap::new();
            for (key, book) in pairs {
                let Some(key) = key else {
                    return Err(CinscopeError::new_err("give either one rulebook, or one per authority"));
                };
                map.insert(key.clone(), Arc::clone(&book.get().inner));
            }
            Rulebooks::ByAuthority(map)
        }
    };
    let options = ScoreOptions {
        as_of: date_of(as_of)?,
        convention: convention(convention_name)?,
        calendar: Arc::clone(&calendar.inner),
        columns,
        // Python rebuilds the label columns from their codes (cinscope.scoring._labelled).
        label_codes: true,
    };
    let frame = frame.0;
    let raise = match errors {
        "raise" => true,
        "report" => false,
        other => {
            return Err(CinscopeError::new_err(format!(
                "unknown errors mode '{other}': expected 'raise' or 'report'"
            )))
        }
    };
    let result = crate::detached(py, "score", move || -> Result<_, PyErrState> {
        if raise {
            return score_checked(&frame, &books, &options)
                .map_err(PyErrState::Frame)?
                .map_err(PyErrState::Rows);
        }
        score_frame(&frame, &books, &options).map_err(PyErrState::Frame)
    })?;
    match result {
        Ok(scored) => {
            let labels = scored.labels.into_iter().map(|l| (l.column, l.categories, l.vocabulary)).collect();
            let order = scored.obligations.get_column_names().iter().map(|n| n.to_string()).collect();
            let (varying, constants) = split_constants(scored.obligations).map_err(frame_error)?;
            Ok((PyDataFrame(varying), labels, PyDataFrame(scored.findings), PyDataFrame(constants), order))
        }
        Err(PyErrState::Frame(e)) => Err(frame_error(e)),
        Err(PyErrState::Rows(problems)) => {
            let text = problems.iter().map(RowError::to_string).collect::<Vec<_>>().join("\n");
            Err(DataError::new_err(format!(
                "{text}\n(pass errors=\"report\" to score the other rows and get these as findings)"
            )))
        }
    }
}

/// What `score` hands to Python: the obligations' columns that vary from row to row (label
/// columns as codes), the labels of those codes, the findings, a frame of one row holding the
/// columns that have one value for every row, and the order of all the columns.
type Scores = (PyDataFrame, Vec<Label>, PyDataFrame, PyDataFrame, Vec<String>);

/// The obligations' columns that hold one value for every row (Polars scalar columns), taken out
/// as a frame of one row, and the other columns. Handing a scalar column to Python would write
/// out its value once per row; Python adds each back as a literal, which stays one value. When
/// every column is a constant the first stays in the frame, which gives the frame its height.
fn split_constants(frame: DataFrame) -> PolarsResult<(DataFrame, DataFrame)> {
    let height = frame.height();
    let (mut varying, mut constants) = (Vec::new(), Vec::new());
    for column in frame.into_columns() {
        match column.as_scalar_column() {
            Some(scalar) => constants.push(scalar.scalar().clone().into_column(scalar.name().clone())),
            None => varying.push(column),
        }
    }
    if varying.is_empty() && !constants.is_empty() {
        let first = constants.remove(0);
        varying.push(first.new_from_index(0, height));
    }
    Ok((DataFrame::new(height, varying)?, DataFrame::new(1, constants)?))
}

/// A label column handed to Python as its integer codes: (column name, the label of each code,
/// whether the column is an Enum rather than a Categorical); see `ScoreOptions::label_codes`.
pub(crate) type Label = (String, Vec<String>, bool);

enum PyErrState {
    Frame(PolarsError),
    Rows(Vec<RowError>),
}
