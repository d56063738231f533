//! cinscope: Child in Need (Section 17, Children Act 1989) procedure timescales, drift and DfE
//! census outputs.
//!
//! This front crate re-exports the layers in dependency order: [`domain`] (events, timelines,
//! the working-day calendar), [`rules`] (rulebooks and the engine), [`synth`] (synthetic case histories with ground truth) and
//! [`analytics`] (the same
//! over Polars columns and frames). The Python package `cinscope` wraps them.

pub use cinscope_analytics as analytics;
pub use cinscope_census as census;
pub use cinscope_domain as domain;
pub use cinscope_rules as rules;
pub use cinscope_synth as synth;
