//! Generated documentation: the rule reference and the timescale matrix, both made from the
//! rulebooks themselves so they cannot drift from them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::rulebook::{Duration, Rule, RuleKind, Rulebook, Selector};

fn list(selectors: &[Selector]) -> String {
    selectors.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")
}

fn approx(duration: &Duration) -> String {
    match duration.interval {
        Some(i) => format!(
            "{} (≈ {:.0} working days, {:.0} calendar days)",
            duration.text,
            i.approx_working_days(),
            i.approx_calendar_days()
        ),
        None => format!("{} (parameter, not set)", duration.text),
    }
}

/// What a rule asks for, in one line of Markdown.
pub fn requirement(rule: &Rule) -> String {
    match &rule.kind {
        RuleKind::Deadline { anchor, target, within } => {
            format!("{} within {} of {}", list(target), approx(within), list(anchor))
        }
        RuleKind::Recurring { anchor, target, first, then, every } => {
            let mut text = format!("{} first within {} of {}", list(target), approx(first), list(anchor));
            for d in then {
                let _ = write!(text, ", then within {}", approx(d));
            }
            let _ = write!(text, ", then every {} after the previous one", approx(every));
            text
        }
        RuleKind::MaxGap { anchor, target, every } => {
            format!(
                "no more than {} between {} (the first counted from {})",
                approx(every),
                list(target),
                list(anchor)
            )
        }
        RuleKind::Drift { span, after, requires, .. } if requires.is_empty() => {
            format!("`{}` expected to end within {}", span.name(), approx(after))
        }
        RuleKind::Drift { span, after, requires, window } => {
            let from = window
                .as_ref()
                .map_or(String::new(), |w| format!(", held at most {} before then", approx(w)));
            format!("{} by the time a `{}` has run {}{from}", list(requires), span.name(), approx(after))
        }
        RuleKind::MinDuration { span, at_least } => {
            format!("`{}` lasts at least {}", span.name(), approx(at_least))
        }
        RuleKind::Exclusivity { span, ends_when } => {
            format!("`{}` ends no later than {}", span.name(), list(ends_when))
        }
        RuleKind::Before { target, reference, window: Some(w) } if rule.lead => {
            format!("{} at least {} before `{reference}`", list(target), approx(w))
        }
        RuleKind::Before { target, reference, window: Some(w) } => {
            format!("{} within {} before `{reference}`", list(target), approx(w))
        }
        RuleKind::Before { target, reference, window: None } => {
            format!("{} before each `{reference}`, since the previous one", list(target))
        }
    }
}

fn conditions(rule: &Rule) -> String {
    let mut parts = Vec::new();
    if !rule.when.origin.is_empty() {
        parts.push(format!("plan origin {}", rule.when.origin.join(", ")));
    }
    if !rule.when.cohort.is_empty() {
        parts.push(format!("cohort {}", rule.when.cohort.join(" or ")));
    }
    if !rule.when.not_cohort.is_empty() {
        parts.push(format!("not cohort {}", rule.when.not_cohort.join(" or ")));
    }
    if rule.when.outside_plan {
        parts.push("no CIN plan already open on the anchor's date".to_string());
    }
    if let Some(has) = &rule.when.episode_has {
        parts.push(format!("episode has `{has}`"));
    }
    if parts.is_empty() {
        "all children".to_string()
    } else {
        parts.join("; ")
    }
}

/// The rule reference: one section per rulebook, one entry per rule.
pub fn rule_reference(rulebooks: &[Rulebook]) -> String {
    let mut out = String::from(
        "# Rule reference\n\n<!-- Generated from crates/cinscope-rules/rulebooks/*.toml by \
         `CINSCOPE_BLESS=1 cargo test --test docs`; do not edit by hand. -->\n\n\
         Severity: **must** (the procedure says must or will), **should** (should, is expected), \
         **good_practice** (wherever possible, good practice, most plans will).\n",
    );
    for book in rulebooks {
        let _ = write!(out, "\n## {} (`{}`)\n\n{}: *{}*.", book.name, book.id, book.authority, book.document);
        if let Some(parent) = &book.extends {
            let _ = write!(out, " Extends `{parent}`.");
        }
        out.push('\n');
        for (name, parameter) in &book.parameters {
            let value = parameter.value.as_deref().unwrap_or("not set");
            let _ = write!(out, "\n- Parameter `{name}` ({value}): {}\n", parameter.description);
        }
        for rule in &book.rules {
            let _ = write!(
                out,
                "\n### {}: {}\n\n- kind: `{}`; severity: **{}**; scope: {}; applies to: {}\n- requires: {}\n- source: {}, {}: \"{}\"\n",
                rule.code,
                rule.title,
                rule.kind.name(),
                rule.severity.name(),
                match rule.scope {
                    crate::rulebook::Scope::Episode => "episode",
                    crate::rulebook::Scope::CinPlan => "CIN plan",
                },
                conditions(rule),
                requirement(rule),
                rule.document,
                rule.citation.section,
                rule.citation.text.trim()
            );
            if let Some(fallback) = &rule.fallback {
                let scope_start = match rule.scope {
                    crate::rulebook::Scope::CinPlan => ", or else from the plan's start",
                    crate::rulebook::Scope::Episode => {
                        ", or else, when that rule did not arise, from the start of the episode's first plan"
                    }
                };
                let _ = writeln!(
                    out,
                    "- if the anchor never happened: the anchor held before the plan started counts (when the plan is the scope); failing that, the clock runs from the date {} was due{scope_start}, and the anchor is reported as assumed (`anchor_assumed`)",
                    fallback.code
                );
            }
            if !rule.until_next.is_empty() {
                let _ = writeln!(
                    out,
                    "- a target dated after the next {} belongs to that event, not to this anchor",
                    list(&rule.until_next)
                );
            }
            if !rule.unless_ended_by.is_empty() {
                let _ = writeln!(
                    out,
                    "- a period that ended early when {} happened in it is not held to the minimum (cancelled)",
                    list(&rule.unless_ended_by)
                );
            }
            if rule.supersede {
                let _ = writeln!(
                    out,
                    "- an anchor followed by another before any target is superseded by the later one and not scored"
                );
            }
            if rule.first_anchor_only {
                let _ = writeln!(
                    out,
                    "- only the first anchor in its scope starts the clock; later ones start nothing"
                );
            }
            if rule.met_before_anchor {
                let _ = writeln!(out, "- a target held in the scope before the anchor meets it");
            }
            if rule.pairing == crate::rulebook::Pairing::Latest {
                let _ = writeln!(
                    out,
                    "- pairing: each target is credited to the latest anchor before it that no earlier target took; anchors no target follows are not scored"
                );
            }
            if rule.defined_in != book.id {
                let _ = writeln!(out, "- defined in: `{}`", rule.defined_in);
            }
            if let Some(note) = &rule.note {
                let _ = writeln!(out, "- reading: {note}");
            }
        }
        let own: Vec<_> = book.not_encoded.iter().collect();
        if !own.is_empty() {
            out.push_str("\nStatements not encoded as rules:\n\n");
            for item in own {
                let _ = writeln!(out, "- {}: \"{}\" — {}", item.section, item.text.trim(), item.reason);
            }
        }
    }
    out
}

/// A labelled duration of a rule: which part of the rule it times (`within`, `first`, `then`,
/// `every`, `gap`, `after`, `at least`, `window`).
type Part<'a> = (&'static str, &'a Duration);

/// The matrix key of a rule: what is measured, so that like rules of different rulebooks share
/// a row.
fn matrix_key(rule: &Rule) -> Option<(String, Vec<Part<'_>>)> {
    let cohort = if rule.when.cohort.is_empty() {
        String::new()
    } else {
        format!(" [{}]", rule.when.cohort.join(", "))
    };
    let origin = if rule.when.origin.is_empty() {
        String::new()
    } else {
        format!(" (after {})", rule.when.origin.join(", "))
    };
    let names = |s: &[Selector]| s.iter().map(|x| x.kind.name()).collect::<Vec<_>>().join("/");
    let (what, durations) = match &rule.kind {
        RuleKind::Deadline { anchor, target, within } => {
            (format!("{} after {}", names(target), names(anchor)), vec![("within", within)])
        }
        RuleKind::Recurring { target, first, then, every, .. } => {
            let mut d = vec![("first", first)];
            d.extend(then.iter().map(|t| ("then", t)));
            d.push(("every", every));
            (format!("{} cycle (first / … / every)", names(target)), d)
        }
        RuleKind::MaxGap { target, every, .. } => {
            (format!("{} maximum gap", names(target)), vec![("gap", every)])
        }
        RuleKind::Drift { span, after, requires, .. } if requires.is_empty() => {
            (format!("{} drift point", span.name()), vec![("after", after)])
        }
        RuleKind::Drift { span, after, requires, .. } => {
            (format!("{} by {} drift point", names(requires), span.name()), vec![("after", after)])
        }
        RuleKind::MinDuration { span, at_least } => {
            (format!("{} minimum length", span.name()), vec![("at least", at_least)])
        }
        RuleKind::Exclusivity { .. } => return None,
        RuleKind::Before { target, reference, window } => (
            format!("{} before {}", names(target), reference.kind.name()),
            window.iter().map(|w| ("window", w)).collect(),
        ),
    };
    Some((format!("{what}{origin}{cohort}"), durations))
}

fn cell(durations: &[Part<'_>]) -> String {
    if durations.is_empty() {
        return "since previous".to_string();
    }
    durations
        .iter()
        .map(|(_, d)| match d.interval {
            Some(i) => {
                format!("{} ({:.0} wd / {:.0} d)", d.text, i.approx_working_days(), i.approx_calendar_days())
            }
            None => format!("{} (unset)", d.text),
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// One timed part of one rule, as data: the cells of the timescale matrix in long form.
#[derive(Debug, Clone, PartialEq)]
pub struct TimescaleEntry {
    /// The kind of obligation (the matrix row), e.g. `assessment_authorised after referral`.
    pub obligation: String,
    /// The rulebook's id.
    pub rulebook: String,
    /// The rule's code.
    pub rule: String,
    /// Which part of the rule this duration times: `within`, `first`, `then`, `every`, `gap`,
    /// `after`, `at least` or `window`.
    pub part: &'static str,
    /// The duration as the rulebook states it (`45 working days`).
    pub duration: String,
    /// Its rough length in working days (five in seven calendar days); `None` for an unset
    /// parameter.
    pub working_days: Option<f64>,
    /// Its rough length in calendar days (a month being 365.25/12 days); `None` for an unset
    /// parameter.
    pub calendar_days: Option<f64>,
}

/// The timescale matrix in long form: one entry per timed part of every rule that has one, in
/// rulebook order then rule order. Exclusivity rules (a plan ends when another starts) carry no
/// duration and are left out, as in [`timescale_matrix`].
pub fn timescale_entries(rulebooks: &[Rulebook]) -> Vec<TimescaleEntry> {
    let mut out = Vec::new();
    for book in rulebooks {
        for rule in &book.rules {
            let Some((obligation, parts)) = matrix_key(rule) else { continue };
            for (part, d) in parts {
                out.push(TimescaleEntry {
                    obligation: obligation.clone(),
                    rulebook: book.id.clone(),
                    rule: rule.code.clone(),
                    part,
                    duration: d.text.clone(),
                    working_days: d.interval.map(|i| i.approx_working_days()),
                    calendar_days: d.interval.map(|i| i.approx_calendar_days()),
                });
            }
        }
    }
    out
}

/// The timescale matrix: one row per kind of obligation, one column per rulebook, each cell the
/// rule's duration normalised to working days (wd) and calendar days (d).
pub fn timescale_matrix(rulebooks: &[Rulebook]) -> String {
    let mut rows: BTreeMap<String, BTreeMap<usize, Vec<String>>> = BTreeMap::new();
    for (column, book) in rulebooks.iter().enumerate() {
        for rule in &book.rules {
            if let Some((key, durations)) = matrix_key(rule) {
                rows.entry(key).or_default().entry(column).or_default().push(format!(
                    "{} {}",
                    cell(&durations),
                    rule.code
                ));
            }
        }
    }
    let mut out = String::from(
        "# Timescale matrix\n\n<!-- Generated from crates/cinscope-rules/rulebooks/*.toml by \
         `CINSCOPE_BLESS=1 cargo test --test docs`; do not edit by hand. -->\n\n\
         Each row is a kind of obligation; each cell gives the rulebook's duration with its rough \
         equivalents in working days (wd, five in seven calendar days before holidays) and calendar \
         days (d, a month being 365.25/12 days), and the rule code. Inherited national rules appear \
         in every column that extends `national`.\n\n| obligation |",
    );
    for book in rulebooks {
        let _ = write!(out, " {} |", book.name);
    }
    out.push_str("\n| --- |");
    for _ in rulebooks {
        out.push_str(" --- |");
    }
    out.push('\n');
    for (key, cells) in rows {
        let _ = write!(out, "| {key} |");
        for column in 0..rulebooks.len() {
            let text = cells.get(&column).map(|v| v.join("; ")).unwrap_or_else(|| "—".to_string());
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out
}
