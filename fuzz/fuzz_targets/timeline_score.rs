//! Any sequence of events (names, dates, qualifiers, episodes drawn from the bytes) builds a
//! timeline and is scored under a built-in rulebook and convention (picked by the first byte)
//! without a panic; scoring is deterministic. Up to 64 events per input: enough for every
//! pathway, and fast enough for a million runs.
#![no_main]

use std::sync::OnceLock;

use chrono::NaiveDate;
use cinscope_domain::{build_timeline, Calendar, Convention, RawEvent, EVENTS};
use cinscope_rules::{builtin, builtin_ids, evaluate, Options, Rulebook};
use libfuzzer_sys::fuzz_target;

const QUALIFIERS: &[&str] = &["RC1", "RC8", "step_down_cp", "seen_alone", "not_seen", "", "x"];

fn books() -> &'static (Calendar, Vec<Rulebook>) {
    static BOOKS: OnceLock<(Calendar, Vec<Rulebook>)> = OnceLock::new();
    BOOKS.get_or_init(|| {
        let books = builtin_ids().iter().filter_map(|id| builtin(id).ok()).collect();
        (Calendar::england_and_wales(), books)
    })
}

fuzz_target!(|data: &[u8]| {
    let (calendar, books) = books();
    // The first byte picks the rulebook and the counting convention.
    let Some((&pick, data)) = data.split_first() else { return };
    let Some(book) = books.get(usize::from(pick >> 1) % books.len().max(1)) else { return };
    let convention = if pick & 1 == 0 { Convention::ExcludeAnchor } else { Convention::CountAnchor };
    let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let mut raw = Vec::new();
    for (row, chunk) in data.chunks_exact(4).enumerate().take(64) {
        let [kind, day_hi, day_lo, extra] = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let event = EVENTS.get(usize::from(kind) % (EVENTS.len() + 1)).map_or("not_an_event", |s| s.name);
        // Days from 2020-01-01, reaching past both ends of the calendar now and then.
        let offset = i64::from(u16::from_be_bytes([day_hi, day_lo])) - 9000;
        let date =
            if extra & 0x80 != 0 { None } else { base.checked_add_signed(chrono::Duration::days(offset)) };
        let qualifier = (extra & 0x40 != 0).then(|| QUALIFIERS[usize::from(extra) % QUALIFIERS.len()]);
        let episode = (extra & 0x20 != 0).then(|| if extra & 1 == 0 { "E1" } else { "E2" });
        raw.push(RawEvent { row: row as u64, event, date, episode, qualifier, kind: None });
    }
    let timeline = build_timeline("child", &raw);
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default();
    let options = Options { as_of, convention };
    let first = evaluate(&timeline, book, calendar, options);
    let second = evaluate(&timeline, book, calendar, options);
    assert_eq!(first, second, "scoring is not deterministic");
});
