//! The three DfE sample files (kept in `data/samples`): read, validate, and written for every
//! schema year: refused exactly where the year's schema would reject them, and otherwise (or
//! with `Invalid::Keep`) read back as what was written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use cinscope_census::{
    check, converted, read_bytes, read_path, validate, write_string, write_string_with, CensusError, Invalid,
    Limits,
};
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

const SAMPLES: [&str; 3] = ["CIN_Census_2021.xml", "CIN_Census_2024.xml", "CIN_Census_2026.xml"];

#[test]
fn samples_read_validate_and_round_trip_in_every_year() {
    let cal = Calendar::england_and_wales();
    for name in SAMPLES {
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
        for year in 2017..=2026 {
            let problems = check(&census, year).unwrap();
            match write_string(&census, year) {
                Ok(xml) => {
                    assert!(problems.is_empty(), "{name} {year}: written despite {problems:?}");
                    let (again, notes) = read_bytes(xml.as_bytes(), Limits::default()).unwrap();
                    assert_eq!(again, converted(&census, year).unwrap(), "{name} {year}");
                    assert!(again.same_data(&census), "{name} {year}");
                    // The header's Year is data, kept as it is: written for another year, the
                    // file's elements are that year's, and reading it back says so.
                    if census.schema_year() == Some(year) {
                        assert!(notes.is_empty(), "{name} {year}: {notes:?}");
                    } else {
                        assert!(
                            notes.iter().all(|n| n.message.contains("the return's schema year is")),
                            "{notes:?}"
                        );
                    }
                }
                Err(CensusError::NotInSchema { year: y, what }) => {
                    assert_eq!(y, year);
                    assert!(!problems.is_empty(), "{name} {year}: refused without a problem: {what}");
                    for p in &problems {
                        assert!(
                            what.contains(&format!("<{}>", p.element)),
                            "{name} {year}: {what} misses {p:?}"
                        );
                    }
                }
                Err(e) => panic!("{name} {year}: {e}"),
            }
            // Kept as they are, the values are written and read back: nothing lost.
            let (xml, kept) = write_string_with(&census, year, Invalid::Keep).unwrap();
            assert_eq!(kept, problems, "{name} {year}");
            let (again, _) = read_bytes(xml.as_bytes(), Limits::default()).unwrap();
            assert_eq!(again, converted(&census, year).unwrap(), "{name} {year}");
            assert!(again.same_data(&census), "{name} {year}");
        }
    }
}

#[test]
fn the_years_each_sample_can_be_written_to_follow_the_schemas() {
    let writable = |name: &str| -> Vec<i32> {
        let (census, _) = read_path(&sample(name), Limits::default()).unwrap();
        (2017..=2026).filter(|y| write_string(&census, *y).is_ok()).collect()
    };
    // The 2021 sample holds a <CINPlanDates> (the schemas have it from 2022); its GenderCurrent
    // 1 becomes Sex M from 2025 and its ICPCnotRequired `false` is written 0; everything else
    // is in every year's lists.
    assert_eq!(writable("CIN_Census_2021.xml"), (2022..=2026).collect::<Vec<_>>());
    // The other two hold assessment factor "RB", which no year lists, and an empty
    // <FactorsIdentifiedAtAssessment/> (every schema needs at least one <AssessmentFactors>).
    assert_eq!(writable("CIN_Census_2024.xml"), Vec::<i32>::new());
    assert_eq!(writable("CIN_Census_2026.xml"), Vec::<i32>::new());
}
