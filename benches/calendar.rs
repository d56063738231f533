//! Benchmarks of the calendar: O(1) working-day arithmetic and calendar construction.
//!
//! Run with `cargo bench --bench calendar`.
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use cinscope::domain::{build_timeline, Calendar, CalendarSpec, Convention, Interval, RawEvent, Unit};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn dates(n: usize) -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2001, 1, 1).unwrap_or_default();
    (0..n).map(|i| first + Duration::days(((i * 7919) % 12_000) as i64)).collect()
}

fn calendar(c: &mut Criterion) {
    let cal = Calendar::england_and_wales();
    let days = dates(10_000);
    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(days.len() as u64));
    for n in [1i64, 45, 400] {
        group.bench_function(format!("add_working_days_{n}"), |b| {
            b.iter(|| {
                days.iter()
                    .map(|d| cal.add_working_days(*d, black_box(n)).ok())
                    .filter(Option::is_some)
                    .count()
            })
        });
    }
    group.bench_function("count_working_days", |b| {
        b.iter(|| {
            days.iter()
                .zip(days.iter().skip(1))
                .map(|(a, b)| cal.count_working_days(*a, *b, Convention::ExcludeAnchor).unwrap_or(0))
                .sum::<i64>()
        })
    });
    group.bench_function("due_date_3_months", |b| {
        let interval = Interval::new(3, Unit::Months);
        b.iter(|| {
            days.iter().filter_map(|d| interval.due_date(*d, &cal, Convention::ExcludeAnchor).ok()).count()
        })
    });
    group.finish();
    c.bench_function("calendar_build_2000_2035", |b| {
        b.iter(|| CalendarSpec::default().build().map(|c| c.last_date()))
    });
}

fn timeline(c: &mut Criterion) {
    let events = [
        ("referral", "2025-01-06"),
        ("assessment_start", "2025-01-07"),
        ("assessment_authorised", "2025-02-20"),
        ("cin_plan_start", "2025-03-01"),
        ("cin_initial_meeting", "2025-03-10"),
        ("visit", "2025-03-20"),
        ("visit", "2025-04-15"),
        ("cin_review", "2025-05-30"),
        ("visit", "2025-06-10"),
        ("cin_plan_end", "2025-09-30"),
        ("closure", "2025-09-30"),
    ];
    let rows: Vec<RawEvent<'_>> = events
        .iter()
        .enumerate()
        .map(|(i, (event, date))| RawEvent {
            row: i as u64,
            event,
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
            episode: None,
            qualifier: None,
            kind: None,
        })
        .rev()
        .collect();
    let mut group = c.benchmark_group("timeline");
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("build_11_events", |b| {
        b.iter(|| build_timeline(black_box("C1"), &rows).episodes.len())
    });
    group.finish();
}

criterion_group!(benches, calendar, timeline);
criterion_main!(benches);
