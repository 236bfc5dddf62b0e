//! The usage-log reader (event log CSVs as `EventLogFile.LogFile`
//! downloads them): never a panic, and every error points inside the
//! bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, errors) = minpriv::usage::scan_log(data);
    for (span, message) in errors {
        if let Some(span) = span {
            assert!(
                span.start <= span.end && span.end as usize <= data.len().max(1),
                "span {span:?} outside {} bytes: {message}",
                data.len()
            );
        }
    }
});
