//! The DfE census for Python: a `Census` object read from XML (or generated), with its tables,
//! validation, measures, events frame and writer.

use cinscope_analytics::census::{
    census_events, census_tables, issues_frame, measures_frame, rule_summary_frame,
};
use cinscope_census::{measures::measures, CensusError as RustCensusError, Limits, RULES};
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3_polars::PyDataFrame;

use crate::{CensusError, CinscopeError, PyCalendar};

fn census_error(e: RustCensusError) -> PyErr {
    CensusError::new_err(e.to_string())
}

fn polars_error(e: polars::prelude::PolarsError) -> PyErr {
    CinscopeError::new_err(crate::strip_polars_prefix(&e))
}

fn invalid(keep: bool) -> cinscope_census::Invalid {
    if keep {
        cinscope_census::Invalid::Keep
    } else {
        cinscope_census::Invalid::Refuse
    }
}

/// Problems as a frame: `problem`, `child_id`, `table`, `row`, `field`, `element`, `value`,
/// `written`, `message`.
fn problems_frame(
    problems: &[cinscope_census::Problem],
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    df!(
        "problem" => problems.iter().map(|p| p.kind.name()).collect::<Vec<_>>(),
        "child_id" => problems.iter().map(|p| p.child.clone()).collect::<Vec<_>>(),
        "table" => problems.iter().map(|p| p.table.map(|t| t.name())).collect::<Vec<_>>(),
        "row" => problems.iter().map(|p| p.row.and_then(|r| u32::try_from(r).ok())).collect::<Vec<_>>(),
        "field" => problems.iter().map(|p| p.field).collect::<Vec<_>>(),
        "element" => problems.iter().map(|p| p.element.clone()).collect::<Vec<_>>(),
        "value" => problems.iter().map(|p| p.value.clone()).collect::<Vec<_>>(),
        "written" => problems.iter().map(|p| p.written.clone()).collect::<Vec<_>>(),
        "message" => problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
    )
}

/// A Children in Need census return held in memory.
#[pyclass(name = "Census", module = "cinscope._core", frozen)]
pub(crate) struct PyCensus {
    inner: cinscope_census::Census,
    notes: Vec<cinscope_census::ReadNote>,
}

fn limits(max_text: Option<usize>) -> Limits {
    let mut l = Limits::default();
    if let Some(m) = max_text {
        l.max_text = m;
    }
    l
}

/// Rebuilds a census from (name, DataFrame) tables.
#[pyfunction]
pub(crate) fn census_from_tables(py: Python<'_>, tables: Vec<(String, PyDataFrame)>) -> PyResult<PyCensus> {
    let tables: Vec<(String, polars::prelude::DataFrame)> =
        tables.into_iter().map(|(n, df)| (n, df.0)).collect();
    let inner =
        crate::detached(py, "census_from_tables", || cinscope_analytics::census_from_tables(&tables))?
            .map_err(|e| CensusError::new_err(e.to_string()))?;
    Ok(PyCensus { inner, notes: Vec::new() })
}

/// Reads a census file.
#[pyfunction]
#[pyo3(signature = (path, max_text=None))]
pub(crate) fn read_census_path(
    py: Python<'_>,
    path: std::path::PathBuf,
    max_text: Option<usize>,
) -> PyResult<PyCensus> {
    let (inner, notes) =
        crate::detached(py, "read_census", || cinscope_census::read_path(&path, limits(max_text)))?
            .map_err(census_error)?;
    Ok(PyCensus { inner, notes })
}

/// Reads a census from bytes.
#[pyfunction]
#[pyo3(signature = (data, max_text=None))]
pub(crate) fn read_census_bytes(
    py: Python<'_>,
    data: Vec<u8>,
    max_text: Option<usize>,
) -> PyResult<PyCensus> {
    let (inner, notes) =
        crate::detached(py, "read_census", || cinscope_census::read_bytes(&data, limits(max_text)))?
            .map_err(census_error)?;
    Ok(PyCensus { inner, notes })
}

/// Generates a realistic census.
#[pyfunction]
pub(crate) fn generate_census(
    py: Python<'_>,
    children: usize,
    seed: u64,
    year: i32,
    error_rate: f64,
) -> PyResult<PyCensus> {
    if !(2017..=2026).contains(&year) {
        return Err(census_error(RustCensusError::Year(year)));
    }
    if !(0.0..=1.0).contains(&error_rate) {
        return Err(CinscopeError::new_err(format!("error_rate must be between 0 and 1, not {error_rate}")));
    }
    let inner = py.detach(|| cinscope_census::generate(children, seed, year, error_rate));
    Ok(PyCensus { inner, notes: Vec::new() })
}

/// Every validation rule: code, type, message, fields.
#[pyfunction]
pub(crate) fn census_rules() -> PyResult<PyDataFrame> {
    rule_summary_frame(&[]).map(PyDataFrame).map_err(polars_error)
}

#[pymethods]
impl PyCensus {
    /// Number of children.
    fn __len__(&self) -> usize {
        self.inner.children.len()
    }

    /// The header's `Year`, if it is a number.
    #[getter]
    fn year(&self) -> Option<i32> {
        self.inner.year()
    }

    /// The header's reference date as ISO text.
    #[getter]
    fn reference_date(&self) -> Option<String> {
        self.inner.reference_date().map(|d| d.to_string())
    }

    /// What the reader skipped: list of (line, path, message).
    fn notes(&self) -> Vec<(u64, String, String)> {
        self.notes.iter().map(|n| (n.line, n.path.clone(), n.message.clone())).collect()
    }

    /// The tables (the DfE's eleven and the pre-proceedings blocks) as (name, DataFrame) pairs.
    fn tables<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let tables = py.detach(|| census_tables(&self.inner)).map_err(polars_error)?;
        let items: Vec<(String, PyDataFrame)> =
            tables.into_iter().map(|(n, df)| (n.to_owned(), PyDataFrame(df))).collect();
        PyList::new(py, items)
    }

    /// The canonical events frame.
    fn events(&self, py: Python<'_>, authority: &str) -> PyResult<PyDataFrame> {
        py.detach(|| census_events(&self.inner, authority)).map(PyDataFrame).map_err(polars_error)
    }

    /// Validate: returns (issues, per-rule summary).
    #[pyo3(signature = (calendar, rules=None))]
    fn validate(
        &self,
        py: Python<'_>,
        calendar: &PyCalendar,
        rules: Option<Vec<String>>,
    ) -> PyResult<(PyDataFrame, PyDataFrame)> {
        let cal = calendar.inner.clone();
        let issues = py
            .detach(|| {
                let codes: Option<Vec<&str>> = rules.as_ref().map(|r| r.iter().map(String::as_str).collect());
                cinscope_census::validate(&self.inner, &cal, codes.as_deref())
            })
            .map_err(census_error)?;
        let frame = issues_frame(&issues, RULES).map_err(polars_error)?;
        let summary = rule_summary_frame(&issues).map_err(polars_error)?;
        Ok((PyDataFrame(frame), PyDataFrame(summary)))
    }

    /// The published measures.
    fn measures(&self, py: Python<'_>, calendar: &PyCalendar) -> PyResult<PyDataFrame> {
        let cal = calendar.inner.clone();
        let m = py.detach(|| measures(&self.inner, &cal));
        measures_frame(&m).map(PyDataFrame).map_err(polars_error)
    }

    /// Write XML for schema `year` to `path`. What the year's schema would reject fails the
    /// write, or with `keep` is written as it is; returns the problems written as they are.
    #[pyo3(signature = (path, year, keep=false))]
    fn write(
        &self,
        py: Python<'_>,
        path: std::path::PathBuf,
        year: i32,
        keep: bool,
    ) -> PyResult<PyDataFrame> {
        let problems = py
            .detach(|| {
                // Checked before the file is created, so a refused write leaves no file behind.
                let found = cinscope_census::check(&self.inner, year)?;
                if found.iter().any(|p| !keep || p.kind == cinscope_census::ProblemKind::Unwritable) {
                    // Refused: the error names every problem.
                    return cinscope_census::write_with(&self.inner, year, invalid(keep), std::io::sink());
                }
                let file = std::fs::File::create(&path).map_err(|e| RustCensusError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                cinscope_census::write_with(&self.inner, year, invalid(keep), file)
            })
            .map_err(census_error)?;
        problems_frame(&problems).map(PyDataFrame).map_err(polars_error)
    }

    /// The XML for schema `year` as text (with `keep`, what the schema would reject is kept).
    #[pyo3(signature = (year, keep=false))]
    fn to_xml(&self, py: Python<'_>, year: i32, keep: bool) -> PyResult<String> {
        py.detach(|| cinscope_census::write_string_with(&self.inner, year, invalid(keep)))
            .map(|(xml, _)| xml)
            .map_err(census_error)
    }

    /// What the schema of `year` would reject, after the writer's translations.
    fn schema_problems(&self, py: Python<'_>, year: i32) -> PyResult<PyDataFrame> {
        let problems = py.detach(|| cinscope_census::check(&self.inner, year)).map_err(census_error)?;
        problems_frame(&problems).map(PyDataFrame).map_err(polars_error)
    }

    /// Whether two censuses hold the same data (the sex element's name is not data).
    fn same_as(&self, other: &PyCensus) -> bool {
        self.inner.same_data(&other.inner)
    }
}
