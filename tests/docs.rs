//! Generated documentation must match its source. Regenerate with
//! `CINSCOPE_BLESS=1 cargo test --test docs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::path::PathBuf;

fn check(relative: &str, generated: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("CINSCOPE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{relative} is out of date: run `CINSCOPE_BLESS=1 cargo test --test docs` and commit the result"
    );
}

#[test]
fn event_vocabulary_page_is_current() {
    check("docs/events.md", cinscope::domain::event::vocabulary_markdown());
}

fn builtins() -> Vec<cinscope::rules::Rulebook> {
    cinscope::rules::builtin_ids().into_iter().map(|id| cinscope::rules::builtin(id).unwrap()).collect()
}

#[test]
fn rule_reference_is_current() {
    check("docs/rules.md", cinscope::rules::reference::rule_reference(&builtins()));
}

#[test]
fn timescale_matrix_is_current() {
    check("docs/timescales.md", cinscope::rules::reference::timescale_matrix(&builtins()));
}
