//! The org-data importer (`sf data query` JSON and CSV exports): never a
//! panic, and every error points inside the text. The first byte picks
//! the format.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Err((Some(span), message)) = minpriv::orgdata::parse_export(text, pick % 2 == 1) {
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "span {span:?} outside a text of {} bytes: {message}",
            text.len()
        );
    }
});
