//! Errors from loading and validating rulebooks. Each names the file, the rule and the field,
//! and offers a suggestion where one is obvious.

use std::fmt;

/// A problem with a rulebook file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulebookError {
    /// The file (or built-in name) the problem is in.
    pub file: String,
    /// The rule's code, when the problem is in one rule.
    pub rule: Option<String>,
    /// The field at fault, when there is one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when obvious.
    pub help: Option<String>,
}

impl RulebookError {
    /// A new error in `file`.
    pub fn new(file: &str, message: impl Into<String>) -> Self {
        RulebookError { file: file.to_string(), rule: None, field: None, message: message.into(), help: None }
    }

    /// Names the rule at fault.
    pub fn rule(mut self, code: &str) -> Self {
        self.rule = Some(code.to_string());
        self
    }

    /// Names the field at fault.
    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// Adds a suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean ...?" when a close candidate exists.
    pub fn suggest<'a>(self, wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match closest(wanted, candidates) {
            Some(best) => self.help(format!("did you mean '{best}'?")),
            None => self,
        }
    }
}

impl fmt::Display for RulebookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(rule) = &self.rule {
            write!(f, ": rule {rule}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field '{field}'")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// The candidate closest to `wanted` by edit distance, if close enough to be a likely typo.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (cinscope_domain::event::edit_distance(wanted, c), c))
        .filter(|(d, c)| *d <= (c.len().max(wanted.len()) / 3).max(2))
        .min()
        .map(|(_, c)| c)
}
