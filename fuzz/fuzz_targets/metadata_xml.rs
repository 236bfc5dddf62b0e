//! Every XML loader (profile, permission set, group, muting set, connected
//! app, the five External Client App parts, named and external
//! credentials): the first byte picks the kind, the rest is the file.
//! A loader must never panic, an error must point inside the file, and
//! the cursor's fast path for plain leaves must read exactly what
//! quick-xml alone reads (profiles both whole and light).

#![no_main]

use libfuzzer_sys::fuzz_target;
use minpriv::parse::{FileKind, parse_bytes, parse_bytes_both_ways};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let kinds: Vec<FileKind> = FileKind::all().collect();
    let kind = kinds[pick as usize % kinds.len()];
    if let Err(e) = parse_bytes(kind, file) {
        assert!(
            e.span.start <= e.span.end && e.span.end as usize <= file.len(),
            "{kind:?}: span {:?} outside a file of {} bytes: {}",
            e.span,
            file.len(),
            e.message
        );
        assert!(!e.message.is_empty());
        assert!(e.message.len() < 1000, "message of {} bytes", e.message.len());
    }
    for light in [false, true] {
        let [fast, slow] = parse_bytes_both_ways(kind, file, light);
        assert_eq!(fast, slow, "{kind:?} (light: {light}): fast path and quick-xml disagree");
    }
});
