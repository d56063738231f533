//! The DfE Children in Need census for cinscope.
//!
//! * [`read`]: a streaming, hardened XML reader for every schema year 2017–2026;
//! * [`write`]: the census back to XML for a chosen year, translating what the DfE maps between
//!   years and refusing (or reporting) what that year's schema would reject;
//! * [`schema`]: the DfE's XSDs of 2017–2026 as a table of elements and value types;
//! * [`validate`]: the DfE's 109 validation rules for 2024/25 and 2025/26, one function per
//!   rule, each finding naming rule, child, table, field, row and value;
//! * [`measures`]: the published measures (referrals, re-referrals, assessment durations in
//!   the published bands, S47 to conference, children in need at 31 March, plans, ...).
//!
//! This crate knows nothing of Polars or Python; the analytics crate turns the census into
//! tables and the canonical events frame.

pub mod generate;
pub mod measures;
pub mod model;
pub mod read;
pub mod rules;
pub mod schema;
pub mod validate;
pub mod write;

pub use generate::generate;
pub use model::{
    Assessment, Census, Child, CinPlan, CpPlan, Episode, Header, Section47, SexElement,
    PRE_PROCEEDINGS_FIELDS,
};
pub use read::{read, read_bytes, read_path, Limits, ReadNote};
pub use rules::RULES;
pub use validate::{validate, Issue, Kind, Loc, Rule, Table};
pub use write::{
    check, converted, write, write_string, write_string_with, write_with, Invalid, Problem, ProblemKind,
    SchemaYear,
};

/// Why a census could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CensusError {
    /// The XML is not well formed.
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// What the parser found.
        message: String,
    },
    /// A safety limit was reached.
    #[error("census file refused at line {line}: {message}")]
    Limit {
        /// 1-based line.
        line: u64,
        /// Which limit.
        message: String,
    },
    /// The document is well formed but is not a census.
    #[error("not a CIN census: {0}")]
    Structure(String),
    /// Reading or writing a file failed.
    #[error("cannot read or write {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A schema year cinscope does not know.
    #[error("schema year {0} is not supported (2017 to 2026 are)")]
    Year(i32),
    /// The census holds data the chosen schema year cannot carry.
    #[error("cannot write the {year} schema: {what}")]
    NotInSchema {
        /// The year asked for.
        year: i32,
        /// What does not fit.
        what: String,
    },
    /// A rule code that does not exist.
    #[error("unknown validation rule {0:?}; `cinscope census rules` lists them")]
    UnknownRule(String),
}
