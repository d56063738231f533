//! Any bytes given to the census reader: an error or a census, never a panic; what is read
//! validates, and writes for every schema year (refusing what the year's schema would reject,
//! or keeping it), without panicking.
#![no_main]

use cinscope_census::{read_bytes, validate, write_string, write_string_with, Invalid, Limits};
use cinscope_domain::Calendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits so that the limit paths are reached too.
    let limits = Limits { max_text: 256, max_depth: 12, max_children: 50, max_notes: 20 };
    let Ok((census, notes)) = read_bytes(data, limits) else { return };
    assert!(notes.len() <= 21);
    let calendar = Calendar::england_and_wales();
    let _ = validate(&census, &calendar, None);
    for year in [2017, 2022, 2025, 2026] {
        if let Ok(xml) = write_string(&census, year) {
            // What we write, we read back.
            let again = read_bytes(xml.as_bytes(), Limits::default());
            assert!(again.is_ok(), "written XML does not read back: {again:?}");
        }
        if let Ok((xml, _)) = write_string_with(&census, year, Invalid::Keep) {
            let again = read_bytes(xml.as_bytes(), Limits::default());
            assert!(again.is_ok(), "written XML does not read back: {again:?}");
        }
    }
});
