//! Every rule of every built-in rulebook against hand-computed cases taken from the
//! procedure's own words (`tests/cases/<rulebook>.toml`), plus the completeness test: every
//! rule has cases covering each status its kind can produce, and a line in the reference.
//!
//! A case lists a child's events, an as-of date and the obligations the rule must produce,
//! written as `<due> <status>[ by <event> <date>][ +<days>d/<working days>wd]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cinscope_domain::{build_timeline, Calendar, Convention, RawEvent};
use cinscope_rules::engine::{created_by_ending, evaluate, explain, Options, Status};
use cinscope_rules::{builtin, builtin_ids, from_str, Pairing, Rule, RuleKind, Rulebook};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    rule: String,
    name: String,
    as_of: String,
    #[serde(default)]
    convention: Option<String>,
    #[serde(default)]
    set: BTreeMap<String, String>,
    events: Vec<String>,
    expect: Vec<String>,
    /// Data-quality findings the history is built to have (codes), if any.
    #[serde(default)]
    findings: Vec<String>,
}

/// The package's directory. Cargo sets it when it runs the tests; the value compiled in is only
/// the fallback, as a build reused from another checkout (a shared target directory) holds that
/// checkout's path.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {text}"))
}

fn case_file(id: &str) -> CaseFile {
    let path = manifest_dir().join(format!("tests/cases/{id}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rulebook_for(id: &str, case: &Case) -> Rulebook {
    if case.set.is_empty() {
        return builtin(id).unwrap();
    }
    let mut text = format!(
        "id = \"{id}-test\"\nname = \"t\"\nauthority = \"t\"\ndocument = \"t\"\nextends = \"{id}\"\n[set]\n"
    );
    for (name, value) in &case.set {
        text.push_str(&format!("{name} = \"{value}\"\n"));
    }
    from_str("case", &text).unwrap()
}

struct Outcome {
    lines: Vec<String>,
    explanations: Vec<String>,
    statuses: Vec<Status>,
}

fn run(id: &str, case: &Case) -> Outcome {
    let book = rulebook_for(id, case);
    let index = book
        .rules
        .iter()
        .position(|r| r.code == case.rule)
        .unwrap_or_else(|| panic!("no rule {}", case.rule));
    let parsed: Vec<(String, String, Option<String>)> = case
        .events
        .iter()
        .map(|line| {
            let mut parts = line.split_whitespace();
            let event = parts.next().unwrap_or_default().to_string();
            let day = parts.next().unwrap_or_default().to_string();
            (event, day, parts.next().map(str::to_string))
        })
        .collect();
    let rows: Vec<RawEvent<'_>> = parsed
        .iter()
        .enumerate()
        .map(|(i, (event, day, qualifier))| RawEvent {
            row: i as u64,
            event,
            date: Some(date(day)),
            episode: None,
            qualifier: qualifier.as_deref(),
            kind: None,
        })
        .collect();
    let timeline = build_timeline("C1", &rows);
    // Missing qualifiers taken as their documented default (DQ016) are tested with the timeline;
    // here a case lists them only when it is about them.
    let about_defaults = case.findings.iter().any(|c| c == "DQ016");
    let codes: Vec<String> = timeline
        .findings
        .iter()
        .map(|f| f.code.to_string())
        .filter(|c| about_defaults || c != "DQ016")
        .collect();
    assert_eq!(codes, case.findings, "{} / {}: data findings {:?}", case.rule, case.name, timeline.findings);
    let convention = match case.convention.as_deref() {
        Some(name) => Convention::parse(name).unwrap(),
        None => Convention::ExcludeAnchor,
    };
    let options = Options { as_of: date(&case.as_of), convention };
    let calendar = Calendar::england_and_wales();
    let evaluation = evaluate(&timeline, &book, &calendar, options);
    assert!(evaluation.issues.is_empty(), "{:?}", evaluation.issues);
    let mine: Vec<_> = evaluation.obligations.iter().filter(|o| o.rule == index).collect();
    let lines = mine
        .iter()
        .map(|o| {
            let mut line = format!("{} {}", o.due, o.status.name());
            if let Some(by) = o.met_by {
                line.push_str(&format!(" by {} {}", by.kind.name(), by.date));
            }
            if let (Some(d), Some(w)) = (o.days_late, o.working_days_late) {
                line.push_str(&format!(" +{d}d/{w}wd"));
            }
            line
        })
        .collect();
    let explanations = mine.iter().map(|o| explain(o, &book, options)).collect();
    Outcome { lines, explanations, statuses: mine.iter().map(|o| o.status).collect() }
}

fn required_statuses(rule: &Rule) -> BTreeSet<Status> {
    use Status::*;
    let all = [Met, Late, Overdue, Pending, Cancelled];
    // A deadline that applies only once its own target has happened (the plan the assessment
    // led to), or that scores only anchors a target follows, is met or late: events after the
    // as-of date are not known, so nothing can be outstanding.
    let own_target = |target: &[cinscope_rules::Selector]| {
        rule.when.episode_has.as_ref().is_some_and(|has| target.iter().any(|t| t.kind == has.kind))
    };
    // Paperwork that follows a closure is still owed when the episode closes first.
    let owed_after_closure = |target: &[cinscope_rules::Selector]| {
        rule.scope == cinscope_rules::rulebook::Scope::Episode
            && target.iter().all(|t| t.kind.may_follow_closure())
    };
    let set: &[Status] = match &rule.kind {
        RuleKind::Deadline { target, .. } if rule.pairing == Pairing::Latest || own_target(target) => {
            &[Met, Late]
        }
        RuleKind::Deadline { target, .. } if owed_after_closure(target) => &[Met, Late, Overdue, Pending],
        RuleKind::Deadline { anchor, .. } if anchor.iter().all(|a| created_by_ending(a.kind)) => {
            &[Met, Late, Overdue, Pending]
        }
        RuleKind::Drift { requires, .. } if requires.is_empty() => &[Met, Late, Overdue, Pending],
        RuleKind::MinDuration { .. } => &[Met, Late, Pending],
        RuleKind::Exclusivity { .. } => &[Met, Late, Overdue, Pending],
        // A lead time ends before the reference, which must be known by the as-of date.
        RuleKind::Before { .. } if rule.lead => &[Met, Late, Overdue],
        RuleKind::Before { .. } => &[Met, Overdue, Pending],
        _ => &all,
    };
    set.iter().copied().collect()
}

#[test]
fn rules_against_hand_computed_cases() {
    let mut failures = Vec::new();
    for id in builtin_ids() {
        let mut snapshot = String::new();
        for case in case_file(id).cases {
            let outcome = run(id, &case);
            if outcome.lines != case.expect {
                failures.push(format!(
                    "{id} {} '{}':\n  expected {:?}\n  got      {:?}",
                    case.rule, case.name, case.expect, outcome.lines
                ));
            }
            snapshot.push_str(&format!("## {} / {}\n", case.rule, case.name));
            for line in outcome.explanations {
                snapshot.push_str(&format!("{line}\n"));
            }
        }
        insta::assert_snapshot!(format!("explanations_{id}"), snapshot);
    }
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_has_cases_for_every_status_and_a_reference_entry() {
    let books: Vec<Rulebook> = builtin_ids().into_iter().map(|id| builtin(id).unwrap()).collect();
    let reference = cinscope_rules::reference::rule_reference(&books);
    let mut missing = Vec::new();
    for (id, book) in builtin_ids().into_iter().zip(&books) {
        let cases = case_file(id).cases;
        for rule in book.rules.iter().filter(|r| r.defined_in == id) {
            if rule.citation.section.trim().is_empty() || rule.citation.text.trim().is_empty() {
                missing.push(format!("{}: no citation", rule.code));
            }
            if !reference.contains(&format!("### {}: ", rule.code)) {
                missing.push(format!("{}: no entry in the rule reference", rule.code));
            }
            let mine: Vec<&Case> = cases.iter().filter(|c| c.rule == rule.code).collect();
            if mine.is_empty() {
                missing.push(format!("{}: no test case", rule.code));
                continue;
            }
            let seen: BTreeSet<Status> = mine.iter().flat_map(|c| run(id, c).statuses).collect();
            for status in required_statuses(rule).difference(&seen) {
                missing.push(format!("{}: no case ends {}", rule.code, status.name()));
            }
        }
        for case in &cases {
            if book.rule(&case.rule).is_none_or(|r| r.defined_in != id) {
                missing
                    .push(format!("{id}: case '{}' names rule {} not defined there", case.name, case.rule));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
