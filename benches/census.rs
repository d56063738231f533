//! Census benchmarks: read (XML → model), validate (109 rules) and measures for a 10,000-child
//! return. `cargo bench --bench census`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // benchmark code

use cinscope_census::{generate, measures::measures, read_bytes, validate, write_string, Limits};
use cinscope_domain::Calendar;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn census(c: &mut Criterion) {
    let cal = Calendar::england_and_wales();
    let children = 10_000;
    let census = generate(children, 2026, 2025, 0.02);
    let xml = write_string(&census, 2025).unwrap();
    let mut group = c.benchmark_group("census_10k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(children as u64));
    group.bench_function("read", |b| b.iter(|| read_bytes(xml.as_bytes(), Limits::default()).unwrap()));
    group.bench_function("validate", |b| b.iter(|| validate(&census, &cal, None).unwrap()));
    group.bench_function("measures", |b| b.iter(|| measures(&census, &cal)));
    group.bench_function("write", |b| b.iter(|| write_string(&census, 2025).unwrap()));
    group.finish();
}

criterion_group!(benches, census);
criterion_main!(benches);
