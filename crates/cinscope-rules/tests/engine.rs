//! Engine semantics that the per-rule cases do not isolate: visibility at the as-of date,
//! one-to-one matching of repeated anchors, skipped rules, and bad dates as issues, not panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use chrono::NaiveDate;
use cinscope_domain::{build_timeline, Calendar, Convention, RawEvent};
use cinscope_rules::engine::{evaluate, Options, Status};
use cinscope_rules::{builtin, from_str};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// One child's rows, numbered in order: (event, date) without episode ids or qualifiers.
fn rows<'a>(events: &[(&'a str, &str)]) -> Vec<RawEvent<'a>> {
    events
        .iter()
        .enumerate()
        .map(|(i, (e, day))| RawEvent {
            row: i as u64,
            event: e,
            date: Some(d(day)),
            episode: None,
            qualifier: None,
            kind: None,
        })
        .collect()
}

fn run(
    book: &cinscope_rules::Rulebook,
    events: &[(&str, &str)],
    as_of: &str,
) -> Vec<(String, NaiveDate, Status)> {
    let timeline = build_timeline("C", &rows(events));
    let options = Options { as_of: d(as_of), convention: Convention::ExcludeAnchor };
    evaluate(&timeline, book, &Calendar::england_and_wales(), options)
        .obligations
        .iter()
        .map(|o| (book.rules[o.rule].code.clone(), o.due, o.status))
        .collect()
}

const MINUTES: &str = r#"
id = "minutes"
name = "m"
authority = "a"
document = "d"
[[rules]]
code = "M-01"
kind = "deadline"
title = "minutes within 10 working days of each meeting"
severity = "must"
anchor = ["cin_initial_meeting", "cin_review"]
target = "minutes_distributed"
within = "10 working days"
citation = { section = "s", text = "t" }
"#;

#[test]
fn each_meeting_takes_its_own_minutes() {
    let book = from_str("minutes.toml", MINUTES).unwrap();
    // Minutes of the first meeting never came; the second meeting's came on time.
    let got = run(
        &book,
        &[
            ("referral", "2025-01-06"),
            ("cin_initial_meeting", "2025-02-03"),
            ("cin_review", "2025-05-06"),
            ("minutes_distributed", "2025-05-12"),
        ],
        "2025-06-30",
    );
    assert_eq!(
        got,
        vec![
            ("M-01".to_string(), d("2025-02-17"), Status::Overdue),
            ("M-01".to_string(), d("2025-05-20"), Status::Met),
        ]
    );
}

#[test]
fn events_after_the_as_of_date_are_not_yet_known() {
    let book = builtin("national").unwrap();
    let events = [
        ("referral", "2025-01-06"),
        ("assessment_start", "2025-01-07"),
        ("assessment_authorised", "2025-02-20"),
    ];
    let early = run(&book, &events, "2025-02-19");
    assert_eq!(early, vec![("NAT-ASMT-01".to_string(), d("2025-03-10"), Status::Pending)]);
    let later = run(&book, &events, "2025-06-30");
    assert_eq!(later, vec![("NAT-ASMT-01".to_string(), d("2025-03-10"), Status::Met)]);
    // Nothing at all is due for an episode that starts after the as-of date.
    assert!(run(&book, &events, "2025-01-05").is_empty());
}

#[test]
fn rules_with_unset_parameters_are_skipped() {
    let book = builtin("leicester-leicestershire-rutland").unwrap();
    let got = run(&book, &[("referral", "2025-01-06"), ("cin_plan_start", "2025-01-31")], "2025-12-31");
    assert!(got.iter().all(|(code, _, _)| code != "LLR-REV-01"), "{got:?}");
    assert!(got.iter().any(|(code, _, _)| code == "LLR-NET-01"));
}

#[test]
fn dates_outside_the_calendar_are_issues_not_panics() {
    let book = builtin("national").unwrap();
    let rows = vec![
        RawEvent {
            row: 0,
            event: "referral",
            date: Some(d("1999-12-01")),
            episode: None,
            qualifier: None,
            kind: None,
        },
        RawEvent {
            row: 1,
            event: "assessment_start",
            date: Some(d("1999-12-02")),
            episode: None,
            qualifier: None,
            kind: None,
        },
    ];
    let timeline = build_timeline("C", &rows);
    let options = Options { as_of: d("2000-06-30"), convention: Convention::ExcludeAnchor };
    let evaluation = evaluate(&timeline, &book, &Calendar::england_and_wales(), options);
    assert!(evaluation.obligations.is_empty());
    assert_eq!(evaluation.issues.len(), 1);
    assert_eq!(evaluation.issues[0].row, Some(0));
    assert!(
        evaluation.issues[0].message.contains("1999-12-01 is outside the calendar's range"),
        "{:?}",
        evaluation.issues
    );
}

#[test]
fn every_builtin_scores_a_long_history_without_panicking() {
    // A busy five-year history touching every kind of event, scored under every rulebook.
    let mut events: Vec<(String, String)> = vec![("referral".into(), "2021-01-04".into())];
    let mut day = d("2021-01-05");
    let kinds = cinscope_domain::EVENTS.iter().map(|e| e.name).collect::<Vec<_>>();
    for i in 0..600 {
        let kind = kinds[i % kinds.len()];
        if kind != "referral" && kind != "closure" && !kind.starts_with("cohort") {
            events.push((kind.to_string(), day.to_string()));
        }
        day = day.succ_opt().unwrap().succ_opt().unwrap().succ_opt().unwrap();
    }
    let pairs: Vec<(&str, &str)> = events.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    for id in cinscope_rules::builtin_ids() {
        let book = builtin(id).unwrap();
        let got = run(&book, &pairs, "2026-06-30");
        assert!(!got.is_empty(), "{id}");
    }
}

#[test]
fn one_evaluation_reused_across_children_equals_a_fresh_one_for_each() {
    use cinscope_rules::engine::{evaluate_into, Evaluation};
    let book = builtin("kent").unwrap();
    let calendar = Calendar::england_and_wales();
    let options = Options { as_of: d("2025-06-30"), convention: Convention::ExcludeAnchor };
    // A child with many obligations, one with none, one with a few: the reused lists must not
    // keep anything of the child before.
    let histories: [&[(&str, &str)]; 3] = [
        &[
            ("referral", "2024-01-02"),
            ("assessment_start", "2024-01-03"),
            ("assessment_authorised", "2024-03-20"),
            ("cin_plan_start", "2024-04-01"),
            ("visit", "2024-04-10"),
            ("cin_review", "2024-07-01"),
        ],
        &[("visit", "2024-02-01")],
        &[("referral", "2025-05-01"), ("assessment_start", "2025-05-02")],
    ];
    let mut reused = Evaluation::default();
    let mut counts = Vec::new();
    for history in histories {
        let timeline = build_timeline("C", &rows(history));
        evaluate_into(&timeline, &book, &calendar, options, &mut reused);
        assert_eq!(reused, evaluate(&timeline, &book, &calendar, options));
        counts.push(reused.obligations.len());
    }
    assert!(counts[0] > counts[2] && counts[1] == 0, "{counts:?}");
}
