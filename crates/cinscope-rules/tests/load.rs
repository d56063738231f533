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

#[test]
fn timescale_entries_give_the_matrix_as_data() {
    use cinscope_rules::reference::timescale_entries;
    let books: Vec<_> = ["national", "leicester-leicestershire-rutland", "kent"]
        .iter()
        .map(|id| builtin(id).unwrap())
        .collect();
    let entries = timescale_entries(&books);
    let find = |book: &str, rule: &str| {
        entries.iter().filter(|e| e.rulebook == book && e.rule == rule).collect::<Vec<_>>()
    };
    // LLR's own assessment timescale (40 working days) beside the inherited national one.
    let llr = find("leicester-leicestershire-rutland", "LLR-ASMT-01");
    assert_eq!(llr.len(), 1);
    assert_eq!(llr[0].obligation, "assessment_authorised after referral");
    assert_eq!(llr[0].duration, "40 working days");
    assert_eq!(llr[0].part, "within");
    assert_eq!(llr[0].working_days, Some(40.0));
    assert_eq!(find("kent", "NAT-ASMT-01")[0].working_days, Some(45.0));
    // Every rulebook row sits in the matrix row of the same obligation.
    let matrix = cinscope_rules::reference::timescale_matrix(&books);
    for e in &entries {
        assert!(matrix.contains(&format!("| {} |", e.obligation)), "{}", e.obligation);
    }
    // A recurring rule is timed in parts: first, then (optional), every.
    let recurring: Vec<_> = entries.iter().filter(|e| e.part == "every").collect();
    assert!(!recurring.is_empty());
    for every in recurring {
        let parts: Vec<_> = find(&every.rulebook, &every.rule).iter().map(|e| e.part).collect();
        assert_eq!(parts.first(), Some(&"first"), "{}", every.rule);
        assert_eq!(parts.last(), Some(&"every"), "{}", every.rule);
    }
}
