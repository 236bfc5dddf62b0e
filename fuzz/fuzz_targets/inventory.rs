//! The inventory parser (`minpriv.toml`): never a panic, and every error
//! points inside the text.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = minpriv::config::parse(Path::new("minpriv.toml"), text.to_owned()) {
        assert!(!errors.errors.is_empty());
        for e in &errors.errors {
            if let Some(span) = &e.span {
                assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "span {span:?} outside a text of {} bytes: {}",
                    text.len(),
                    e.message
                );
            }
        }
    }
});
