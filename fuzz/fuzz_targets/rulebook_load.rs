//! Any text given to the rulebook loader: a rulebook or an error naming the file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match cinscope_rules::from_str("fuzz.toml", &text) {
        Ok(book) => {
            // A rulebook that loads can be documented.
            let _ = cinscope_rules::reference::rule_reference(std::slice::from_ref(&book));
            let _ = cinscope_rules::reference::timescale_matrix(std::slice::from_ref(&book));
        }
        Err(e) => assert!(e.to_string().contains("fuzz.toml"), "error without the file name: {e}"),
    }
});
