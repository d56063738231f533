//! The three DfE sample files (kept in `data/samples`): read, validate, round-trip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use cinscope_census::{read_path, validate, write_string, Limits};
use cinscope_domain::Calendar;

/// The package's directory. Cargo sets it when it runs the tests; the value compiled in is only
/// the fallback, as a build reused from another checkout (a shared target directory) holds that
/// checkout's path.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn sample(name: &str) -> std::path::PathBuf {
    manifest_dir().join("data/samples").join(name)
}

#[test]
fn samples_read_validate_and_round_trip() {
    let cal = Calendar::england_and_wales();
    for name in ["CIN_Census_2021.xml", "CIN_Census_2024.xml", "CIN_Census_2026.xml"] {
        let (census, notes) = read_path(&sample(name), Limits::default()).unwrap();
        assert!(!census.children.is_empty(), "{name}");
        let issues = validate(&census, &cal, None).unwrap();
        if std::env::var_os("CINSCOPE_SHOW").is_some() {
            eprintln!("== {name}: {} children, notes {notes:?}", census.children.len());
            for i in &issues {
                eprintln!(
                    "{} {:?} {:?} {:?} row {:?} = {:?}",
                    i.rule,
                    i.child,
                    i.table.map(|t| t.name()),
                    i.field,
                    i.row,
                    i.value
                );
            }
        }
        assert!(!issues.is_empty(), "the samples are built to break rules: {name}");
        // The samples mix eras (a 2023 header with the 2025 `Sex` element), so write each in
        // the schema that can hold everything it contains.
        let uses_sex = census.children.iter().any(|c| c.sex_element == cinscope_census::SexElement::Sex);
        let year = if uses_sex { 2026 } else { census.year().unwrap().clamp(2022, 2024) };
        let xml = write_string(&census, year).unwrap();
        let (again, _) = cinscope_census::read_bytes(xml.as_bytes(), Limits::default()).unwrap();
        assert_eq!(census, again, "{name} round trip");
    }
}
