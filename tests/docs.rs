//! Generated documentation must match its source. Regenerate with
//! `CINSCOPE_BLESS=1 cargo test --test docs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

/// The package's directory. Cargo sets it when it runs the tests; the value compiled in is only
/// the fallback, as a build reused from another checkout (a shared target directory) holds that
/// checkout's path.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn check(relative: &str, generated: String) {
    let path = manifest_dir().join(relative);
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
