//! Benchmarks of the engine (children per second per core) and of the whole frame path.
//!
//! Run with `cargo bench --bench scoring`.
#![allow(missing_docs)] // criterion's macros generate undocumented functions
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // benchmark set-up, not a data path

use std::hint::black_box;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use cinscope::analytics::score::{score, Rulebooks, ScoreOptions};
use cinscope::domain::{build_timeline, Calendar, Convention, RawEvent};
use cinscope::rules::engine::{evaluate, evaluate_into, Evaluation, Options};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use polars::prelude::*;

/// One source row: event, date, qualifier.
type Row = (&'static str, NaiveDate, Option<&'static str>);

/// A history of one child with a given number of events.
type Shape = fn(usize) -> Vec<Row>;

/// A child's history: referral, assessment, plan, meetings, visits, reviews, end and closure.
fn history(child: usize) -> Vec<Row> {
    let start =
        NaiveDate::from_ymd_opt(2023, 1, 2).unwrap_or_default() + Duration::days((child * 37 % 900) as i64);
    let mut rows = vec![
        ("referral", start, None),
        ("assessment_start", start + Duration::days(1), None),
        ("assessment_authorised", start + Duration::days(30 + (child % 40) as i64), None),
        ("cin_plan_start", start + Duration::days(75), Some("assessment")),
        ("cin_initial_meeting", start + Duration::days(80 + (child % 9) as i64), None),
        ("minutes_distributed", start + Duration::days(90), None),
    ];
    for v in 0..6 {
        rows.push(("visit", start + Duration::days(75 + 25 * (v + 1) + (child % 11) as i64), Some("seen")));
    }
    for r in 0..3 {
        rows.push(("cin_review", start + Duration::days(80 + 84 * (r + 1) + (child % 13) as i64), None));
    }
    rows.push(("cin_plan_end", start + Duration::days(330), None));
    rows.push(("closure", start + Duration::days(330), Some("RC1")));
    rows
}

/// A history as the engine's raw rows, numbered in order.
fn raw(events: &[Row]) -> Vec<RawEvent<'_>> {
    events
        .iter()
        .enumerate()
        .map(|(r, (e, d, q))| RawEvent {
            row: r as u64,
            event: e,
            date: Some(*d),
            episode: None,
            qualifier: *q,
            kind: None,
        })
        .collect()
}

fn engine(c: &mut Criterion) {
    let calendar = Calendar::england_and_wales();
    let options = Options {
        as_of: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
        convention: Convention::ExcludeAnchor,
    };
    let children: Vec<Vec<Row>> = (0..1000).map(history).collect();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(children.len() as u64));
    for id in ["national", "kent", "portsmouth"] {
        let book = cinscope::rules::builtin(id).unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(format!("timeline_and_evaluate_1000_children_{id}"), |b| {
            b.iter(|| {
                let mut total = 0;
                for (i, events) in children.iter().enumerate() {
                    let rows = raw(events);
                    let timeline = build_timeline(black_box(if i % 2 == 0 { "a" } else { "b" }), &rows);
                    total += evaluate(&timeline, &book, &calendar, options).obligations.len();
                }
                total
            })
        });
    }
    // As the frame path evaluates: one `Evaluation` whose lists are reused from child to child.
    let kent = cinscope::rules::builtin("kent").unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("timeline_and_evaluate_into_1000_children_kent", |b| {
        let mut evaluation = Evaluation::default();
        b.iter(|| {
            let mut total = 0;
            for (i, events) in children.iter().enumerate() {
                let rows = raw(events);
                let timeline = build_timeline(black_box(if i % 2 == 0 { "a" } else { "b" }), &rows);
                evaluate_into(&timeline, &kent, &calendar, options, &mut evaluation);
                total += evaluation.obligations.len();
            }
            total
        })
    });
    group.finish();
}

/// One child with `n` events: a CIN plan that runs for years, with visits, reviews, minutes and
/// network meetings on successive days. Cost per event should not grow with `n`.
fn long_history(n: usize) -> Vec<Row> {
    let start = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
    let mut rows = vec![
        ("referral", start, None),
        ("assessment_start", start + Duration::days(1), None),
        ("assessment_authorised", start + Duration::days(30), None),
        ("cin_plan_start", start + Duration::days(35), Some("assessment")),
        ("cin_initial_meeting", start + Duration::days(40), None),
    ];
    let kinds = ["visit", "cin_review", "minutes_distributed", "network_meeting"];
    for i in 0..n.saturating_sub(rows.len()) {
        let kind = kinds.get(i % kinds.len()).copied().unwrap_or("visit");
        let qualifier = if kind == "visit" { Some("seen") } else { None };
        rows.push((kind, start + Duration::days(41 + i as i64), qualifier));
    }
    rows
}

/// One child with `n` events: one plan after another, each with its initial meeting, a visit, a
/// review and its minutes, on successive days.
fn many_plans(n: usize) -> Vec<Row> {
    let start = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
    let mut rows =
        vec![("referral", start, None), ("assessment_authorised", start + Duration::days(20), None)];
    let cycle = [
        "cin_plan_start",
        "cin_initial_meeting",
        "visit",
        "cin_review",
        "minutes_distributed",
        "cin_plan_end",
    ];
    for i in 0..n.saturating_sub(rows.len()) {
        let kind = cycle.get(i % cycle.len()).copied().unwrap_or("visit");
        let qualifier = match kind {
            "visit" => Some("seen"),
            "cin_plan_start" => Some("assessment"),
            _ => None,
        };
        rows.push((kind, start + Duration::days(30 + i as i64), qualifier));
    }
    rows
}

fn scaling(c: &mut Criterion) {
    let calendar = Calendar::england_and_wales();
    let options = Options {
        as_of: NaiveDate::from_ymd_opt(2035, 12, 1).unwrap_or_default(),
        convention: Convention::ExcludeAnchor,
    };
    let book = cinscope::rules::builtin("portsmouth").unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("scaling");
    group.sample_size(20);
    let shapes: [(&str, Shape); 2] = [("long_plan", long_history), ("many_plans", many_plans)];
    for (shape, n) in shapes.iter().flat_map(|s| [16usize, 256, 4096].map(|n| (s, n))) {
        let events = (shape.1)(n);
        let rows = raw(&events);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("one_child_{}_{n}_events_portsmouth", shape.0), |b| {
            b.iter(|| {
                evaluate(&build_timeline("a", black_box(&rows)), &book, &calendar, options).obligations.len()
            })
        });
    }
    group.finish();
}

fn frame(children: usize) -> DataFrame {
    let mut child = Vec::new();
    let mut event = Vec::new();
    let mut date = Vec::new();
    let mut qualifier = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for i in 0..children {
        for (e, d, q) in history(i) {
            child.push(format!("C{i}"));
            event.push(e);
            date.push((d - epoch).num_days() as i32);
            qualifier.push(q);
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("child_id".into(), child),
        Column::new("event".into(), event),
        Column::new("date".into(), date).cast(&DataType::Date).unwrap_or_else(|e| panic!("{e}")),
        Column::new("qualifier".into(), qualifier),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

fn frame_path(c: &mut Criterion) {
    let events = frame(20_000);
    let book = Arc::new(cinscope::rules::builtin("kent").unwrap_or_else(|e| panic!("{e}")));
    let options = ScoreOptions {
        as_of: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
        convention: Convention::ExcludeAnchor,
        calendar: Arc::new(Calendar::england_and_wales()),
        columns: None,
        label_codes: false,
    };
    let mut group = c.benchmark_group("frame");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.height() as u64));
    group.bench_function("score_20000_children_kent", |b| {
        b.iter(|| {
            score(&events, &Rulebooks::One(Arc::clone(&book)), &options).map(|s| s.obligations.height())
        })
    });
    // All six built-in rulebooks: one call each, against one call that builds each child's
    // timeline once for all of them (`Rulebooks::Each`). Only the columns a comparison table
    // counts are built.
    let books: Vec<Arc<cinscope::rules::Rulebook>> = cinscope::rules::builtin_ids()
        .iter()
        .map(|id| Arc::new(cinscope::rules::builtin(id).unwrap_or_else(|e| panic!("{e}"))))
        .collect();
    let narrow = ScoreOptions {
        columns: Some(["rulebook", "rule", "title", "kind", "status"].map(String::from).to_vec()),
        label_codes: true,
        ..options.clone()
    };
    group.bench_function("score_20000_children_six_rulebooks_one_call_each", |b| {
        b.iter(|| {
            books
                .iter()
                .map(|book| {
                    score(&events, &Rulebooks::One(Arc::clone(book)), &narrow).map(|s| s.obligations.height())
                })
                .sum::<PolarsResult<usize>>()
        })
    });
    group.bench_function("score_20000_children_six_rulebooks_in_one_call", |b| {
        b.iter(|| score(&events, &Rulebooks::Each(books.clone()), &narrow).map(|s| s.obligations.height()))
    });
    group.finish();
}

criterion_group!(benches, engine, scaling, frame_path);
criterion_main!(benches);
