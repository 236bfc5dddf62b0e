//! The org-data reader (`sf data query` JSON and CSV exports), from bytes
//! as a file of them is read: masked, decoded (BOM, UTF-16 refused,
//! UTF-8), parsed. Never a panic, and every error points inside the
//! bytes. The first byte picks the format.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let csv = pick % 2 == 1;
    if let Err((Some(span), message)) = minpriv::orgdata::parse_export_bytes(rest, csv) {
        assert!(
            span.start <= span.end && span.end as usize <= rest.len(),
            "span {span:?} outside {} bytes: {message}",
            rest.len()
        );
        assert!(message.len() < 1000, "message of {} bytes", message.len());
    }
    // The text parser alone agrees on valid UTF-8 without a BOM.
    if let Ok(text) = std::str::from_utf8(rest)
        && !text.starts_with('\u{feff}')
        && !text.contains('<')
    {
        let alone = minpriv::orgdata::parse_export(text, csv).map(|_| ());
        let bytes = minpriv::orgdata::parse_export_bytes(rest, csv).map(|_| ());
        assert_eq!(alone.is_ok(), bytes.is_ok(), "{alone:?} / {bytes:?}");
    }
});
