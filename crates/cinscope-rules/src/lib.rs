//! Rulebooks of Child in Need procedure timescales, and the engine that evaluates a child's
//! timeline against one.
//!
//! Parsing, validating and evaluating are separate stages: a rulebook file (TOML) is loaded and
//! validated into typed [`Rule`]s once ([`builtin::from_file`], [`builtin::builtin`]), then
//! evaluated for many children ([`engine::evaluate`]). Every obligation carries the index of the
//! rule that made it, and so its code and citation. This crate knows nothing of Polars or Python.

pub mod builtin;
pub mod engine;
pub mod error;
pub mod reference;
pub mod rulebook;

pub use builtin::{builtin, builtin_ids, from_file, from_file_with, from_str};
pub use engine::{evaluate, evaluate_into, explain, Evaluation, Obligation, Options, Status};
pub use error::RulebookError;
pub use rulebook::{Fallback, Pairing, Rule, RuleKind, Rulebook, Selector, Severity};
