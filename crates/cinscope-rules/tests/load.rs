//! Every built-in rulebook loads and validates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use cinscope_rules::{builtin, builtin_ids};

#[test]
fn every_builtin_loads() {
    for id in builtin_ids() {
        let book = builtin(id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.id, id);
        assert!(!book.rules.is_empty(), "{id}");
        eprintln!("{id}: {} rules", book.rules.len());
    }
}
