//! Secret masking (src/secrets.rs), applied to every input as it is read:
//! its invariants hold on any bytes (same length, line breaks in place,
//! UTF-8 as valid as before, idempotent, no plain secret value left), and
//! for a metadata file that parses, the masked file parses to the same
//! model (the first byte picks the kind).

#![no_main]

use libfuzzer_sys::fuzz_target;
use minpriv::parse::{FileKind, parse_bytes_both_ways};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let masked = match minpriv::secrets::check_invariants(file) {
        Ok(masked) => masked,
        Err(e) => panic!("{e}"),
    };
    // A character reference can turn a blank value into a masked one.
    if file.contains(&b'&') || masked == file {
        return;
    }
    let kinds: Vec<FileKind> = FileKind::all().collect();
    let kind = kinds[pick as usize % kinds.len()];
    let [before, _] = parse_bytes_both_ways(kind, file, false);
    if before.starts_with("Ok(") {
        let [after, _] = parse_bytes_both_ways(kind, &masked, false);
        assert_eq!(before, after, "{kind:?}: masking changed what the file says");
    }
});
