//! The generated histories follow the published national figures the generator documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cinscope_domain::{Calendar, EventKind};
use cinscope_rules::builtin;
use cinscope_synth::{generate, Options};

#[test]
fn distributions_follow_the_national_figures() {
    let calendar = Calendar::england_and_wales();
    let rulebook = builtin("national").unwrap();
    let synth = generate(&rulebook, &calendar, &Options { children: 40_000, ..Options::default() }).unwrap();
    // Per episode: referral, assessment authorised, closure.
    type Dates = (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>);
    let mut episodes: BTreeMap<(u64, u32), Dates> = BTreeMap::new();
    for e in &synth.events {
        let entry = episodes.entry((e.child, e.episode)).or_default();
        match e.kind {
            EventKind::Referral => entry.0 = Some(e.date),
            EventKind::AssessmentAuthorised => entry.1 = Some(e.date),
            EventKind::Closure => entry.2 = Some(e.date),
            _ => {}
        }
    }
    let mut durations: Vec<i64> = episodes
        .values()
        .filter_map(|(r, a, _)| {
            Some(calendar.working_days_between(r.as_ref()?.to_owned(), a.as_ref()?.to_owned()).unwrap())
        })
        .collect();
    durations.sort_unstable();
    let within = durations.iter().filter(|d| **d <= 45).count() as f64 / durations.len() as f64;
    let median = durations[durations.len() / 2];
    println!("assessments: {} within 45 wd {within:.3}, median {median} wd", durations.len());
    assert!((0.83..=0.89).contains(&within), "{within}");
    assert!((28..=36).contains(&median), "{median}");

    let ended: Vec<i64> = episodes
        .values()
        .filter_map(|(r, _, c)| Some((c.as_ref()?.to_owned() - r.as_ref()?.to_owned()).num_days()))
        .collect();
    let short = ended.iter().filter(|d| **d <= 91).count() as f64 / ended.len() as f64;
    println!("ended episodes: {} lasting 3 months or less {short:.3}", ended.len());
    assert!((0.40..=0.60).contains(&short), "{short}");

    // Re-referrals: referrals within 12 months of the child's previous referral.
    let mut previous: BTreeMap<u64, NaiveDate> = BTreeMap::new();
    let (mut referrals, mut re) = (0usize, 0usize);
    for ((child, _), (r, _, _)) in &episodes {
        let Some(r) = r else { continue };
        referrals += 1;
        if previous.get(child).is_some_and(|p| (*r - *p).num_days() <= 365) {
            re += 1;
        }
        previous.insert(*child, *r);
    }
    let share = re as f64 / referrals as f64;
    println!("referrals {referrals}, re-referrals within 12 months {share:.3}");
    assert!((0.18..=0.27).contains(&share), "{share}");
}
