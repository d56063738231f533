//! Loading a rulebook of many rules: the cost must stay linear in the number of rules.
//!
//! Run with `cargo bench -p cinscope-rules --bench loading`.
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A rulebook of `n` deadline rules extending `national`.
fn big_rulebook(n: usize) -> String {
    let mut text = String::from(
        "id = \"big\"\nname = \"Big\"\nauthority = \"A\"\ndocument = \"D\"\nextends = \"national\"\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "[[rules]]\ncode = \"BIG-{i}\"\nkind = \"deadline\"\ntitle = \"t\"\nseverity = \"must\"\n\
             anchor = \"referral\"\ntarget = \"assessment_authorised\"\nwithin = \"10 working days\"\n\
             citation = {{ section = \"1\", text = \"Within 10 working days.\" }}\n"
        ));
    }
    text
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("rulebook");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let text = big_rulebook(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("load_{n}_rules"), |b| {
            b.iter(|| cinscope_rules::from_str("big.toml", &text).map(|book| book.rules.len()).unwrap_or(0))
        });
    }
    group.finish();
}

criterion_group!(benches, loading);
criterion_main!(benches);
