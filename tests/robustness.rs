//! A bounded, deterministic stand-in for the fuzzers (fuzz/), run by
//! `cargo test`: every seed file is mutated in fixed ways — cut at many
//! places, bytes flipped, `<` inserted, tags and lines duplicated or
//! dropped, hostile constructs spliced in — and each loader must return
//! `Ok` or an error located inside the file, never panic. The inputs the
//! fuzzers once crashed on (testdata/fuzz/) are replayed too. And for
//! every seed and mutant, the cursor's fast path for plain leaves must read
//! exactly what quick-xml alone reads: the same model, or the same error
//! at the same place.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use minpriv::parse::{FileKind, parse_bytes, parse_bytes_both_ways};

/// Mutants per seed stay in the low hundreds, so the whole test runs in a
/// few seconds even unoptimised.
const CUTS: usize = 48;
const FLIPS: usize = 48;
const INSERTS: usize = 24;

const SPLICES: [&[u8]; 22] = [
    b"<",
    b"</",
    b"<!DOCTYPE Profile [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>",
    b"&b;",
    b"&#0;",
    b"&#xFFFFFFFF;",
    b"&#55296;",
    b"<![CDATA[",
    b"]]>",
    b"\xEF\xBB\xBF",
    b"\r",
    b"\xC3",
    b"<?xml version=\"1.0\"?>",
    b"<a:b:c>",
    // What the fast path must hand back to quick-xml.
    b"&amp;",
    b"<!-- note -->",
    b" attr=\"1\"",
    b"\r\n",
    b"<x>1</x >",
    b"<x>1</y>",
    // What a light profile's skip of plain records must hand back.
    b"</fieldPermissions>",
    b"<fieldPermissions><field>A.b</field>",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every metadata file of the sample org, the rule fixtures and the bad
/// inputs, and the corpus files under 16 KB: (kind, path).
fn seeds() -> Vec<(FileKind, PathBuf)> {
    let mut files = vec![];
    for dir in [
        "testdata/acme",
        "testdata/rules",
        "testdata/bad",
        "testdata/corpus",
    ] {
        files_under(&root().join(dir), &mut files);
    }
    files
        .into_iter()
        .filter(|p| !p.starts_with(root().join("testdata/corpus")) || size(p) < 16 * 1024)
        .filter_map(|p| {
            let (kind, _) = FileKind::classify(p.file_name()?.to_str()?)?;
            Some((kind, p))
        })
        .collect()
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// A small deterministic generator (xorshift), so every run tries the
/// same mutants.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn mutants(seed: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let len = seed.len();
    let mut out = vec![];
    let step = (len / CUTS).max(1);
    for cut in (0..len).step_by(step) {
        out.push((format!("cut at {cut}"), seed[..cut].to_vec()));
    }
    if len == 0 {
        return out;
    }
    for _ in 0..FLIPS {
        let at = rng.below(len);
        let mut m = seed.to_vec();
        m[at] ^= 1 << rng.below(8);
        out.push((format!("bit flipped at {at}"), m));
        let mut m = seed.to_vec();
        m[at] = rng.below(256) as u8;
        out.push((format!("byte replaced at {at}"), m));
    }
    for _ in 0..INSERTS {
        let at = rng.below(len + 1);
        let splice = SPLICES[rng.below(SPLICES.len())];
        let mut m = seed[..at].to_vec();
        m.extend_from_slice(splice);
        m.extend_from_slice(&seed[at..]);
        out.push((
            format!("{:?} inserted at {at}", String::from_utf8_lossy(splice)),
            m,
        ));
    }
    // Structure: a start tag duplicated (now unbalanced), a line
    // duplicated, dropped, or swapped with the next.
    let tags: Vec<usize> = (0..len)
        .filter(|&i| seed[i] == b'<' && seed.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
        .collect();
    for _ in 0..8.min(tags.len()) {
        let start = tags[rng.below(tags.len())];
        if let Some(end) = seed[start..].iter().position(|&b| b == b'>') {
            let tag = &seed[start..=start + end];
            let mut m = seed[..start].to_vec();
            m.extend_from_slice(tag);
            m.extend_from_slice(&seed[start..]);
            out.push((format!("start tag at {start} duplicated"), m));
        }
    }
    let lines: Vec<&[u8]> = seed.split_inclusive(|&b| b == b'\n').collect();
    for _ in 0..8.min(lines.len()) {
        let i = rng.below(lines.len());
        let mut dup = lines.clone();
        dup.insert(i, lines[i]);
        out.push((format!("line {} duplicated", i + 1), dup.concat()));
        let mut drop = lines.clone();
        drop.remove(i);
        out.push((format!("line {} dropped", i + 1), drop.concat()));
        if i + 1 < lines.len() {
            let mut swap = lines.clone();
            swap.swap(i, i + 1);
            out.push((
                format!("lines {} and {} swapped", i + 1, i + 2),
                swap.concat(),
            ));
        }
    }
    out
}

/// Parses `bytes` as `kind`: no panic, an error inside the file, and the
/// fast path in agreement with quick-xml alone.
fn assert_robust(kind: FileKind, bytes: &[u8], what: &dyn Fn() -> String) {
    for light in [false, true] {
        let ways = catch_unwind(AssertUnwindSafe(|| {
            parse_bytes_both_ways(kind, bytes, light)
        }));
        let Ok([fast, slow]) = ways else {
            panic!("{kind:?} loader panicked on {}", what());
        };
        assert!(
            fast == slow,
            "{} (light: {light}): the fast path read\n{fast}\nquick-xml alone read\n{slow}",
            what()
        );
        if kind != FileKind::Profile {
            break;
        }
    }
    let result = catch_unwind(AssertUnwindSafe(|| parse_bytes(kind, bytes)));
    match result {
        Err(_) => panic!("{kind:?} loader panicked on {}", what()),
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            assert!(
                e.span.start <= e.span.end && e.span.end as usize <= bytes.len(),
                "{}: span {:?} outside {} bytes ({})",
                what(),
                e.span,
                bytes.len(),
                e.message
            );
            assert!(
                !e.message.is_empty() && e.message.len() < 1000,
                "{}: {}",
                what(),
                e.message
            );
        }
    }
}

#[test]
fn mutated_metadata_never_panics_and_errors_are_located() {
    let seeds = seeds();
    assert!(seeds.len() > 60, "{} seeds", seeds.len());
    let mut kinds: Vec<FileKind> = seeds.iter().map(|(k, _)| *k).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds.len(),
        FileKind::all().count(),
        "a seed for every kind"
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut tried = 0;
    for (kind, path) in &seeds {
        let seed = std::fs::read(path).unwrap();
        assert_robust(*kind, &seed, &|| path.display().to_string());
        for (mutation, bytes) in mutants(&seed, &mut rng) {
            assert_robust(*kind, &bytes, &|| {
                format!("{} ({mutation})", path.display())
            });
            tried += 1;
        }
    }
    assert!(tried > 10_000, "{tried} mutants");
}

/// The files under testdata/ that `pick` takes.
fn testdata_files(pick: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut files = vec![];
    files_under(&root().join("testdata"), &mut files);
    files.retain(|p| pick(p));
    files
}

/// A text seed as is, then its mutants that are still UTF-8 (the text
/// parsers take `&str`): (mutation, text).
fn text_cases(seed: &[u8], rng: &mut Rng) -> Vec<(String, String)> {
    let mut all = vec![("as is".to_owned(), seed.to_vec())];
    all.extend(mutants(seed, rng));
    all.into_iter()
        .filter_map(|(mutation, bytes)| Some((mutation, String::from_utf8(bytes).ok()?)))
        .collect()
}

#[test]
fn mutated_inventories_never_panic_and_errors_are_located() {
    let seeds = testdata_files(|p| p.extension().is_some_and(|e| e == "toml"));
    assert!(seeds.len() > 20, "{} seeds", seeds.len());
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for path in &seeds {
        let seed = std::fs::read(path).unwrap();
        for (mutation, text) in text_cases(&seed, &mut rng) {
            let len = text.len();
            let result = catch_unwind(|| minpriv::config::parse(Path::new("minpriv.toml"), text));
            let Ok(result) = result else {
                panic!("config::parse panicked on {} ({mutation})", path.display());
            };
            if let Err(errors) = result {
                assert!(!errors.errors.is_empty());
                for e in &errors.errors {
                    if let Some(span) = &e.span {
                        assert!(
                            span.start <= span.end && span.end as usize <= len,
                            "{} ({mutation}): span {span:?} outside {len} bytes",
                            path.display()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn mutated_org_snapshots_never_panic_and_errors_are_located() {
    let seeds = testdata_files(|p| {
        p.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with("org-snapshot"))
            && p.extension().is_some_and(|e| e == "json" || e == "csv")
            && !minpriv::usage::is_event_log(p)
    });
    assert!(seeds.len() >= 6, "{} seeds", seeds.len());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for path in &seeds {
        let csv = path.extension().is_some_and(|e| e == "csv");
        let seed = std::fs::read(path).unwrap();
        for (mutation, text) in text_cases(&seed, &mut rng) {
            let result = catch_unwind(|| minpriv::orgdata::parse_export(&text, csv));
            let Ok(result) = result else {
                panic!(
                    "orgdata::parse_export panicked on {} ({mutation})",
                    path.display()
                );
            };
            if let Err((Some(span), message)) = result {
                assert!(
                    span.start <= span.end && span.end as usize <= text.len(),
                    "{} ({mutation}): span {span:?} outside {} bytes: {message}",
                    path.display(),
                    text.len()
                );
            }
        }
    }
}

#[test]
fn mutated_event_logs_never_panic_and_errors_are_located() {
    let seeds = testdata_files(|p| {
        p.extension().is_some_and(|e| e == "csv") && minpriv::usage::is_event_log(p)
    });
    assert!(seeds.len() >= 10, "{} seeds", seeds.len());
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut tried = 0;
    for path in &seeds {
        let seed = std::fs::read(path).unwrap();
        let (rows, errors) = minpriv::usage::scan_log(&seed);
        assert!(
            rows > 0 && errors.is_empty(),
            "{}: {errors:?}",
            path.display()
        );
        let mut all = vec![("as is".to_owned(), seed.clone())];
        all.extend(mutants(&seed, &mut rng));
        for (mutation, bytes) in all {
            tried += 1;
            assert_log_robust(&bytes, &format!("{} ({mutation})", path.display()));
        }
    }
    assert!(tried > 1_000, "{tried} mutants");
}

/// Inputs a fuzz target once failed on, kept in testdata/fuzz/TARGET/.
#[test]
fn inputs_the_fuzzers_crashed_on_stay_fixed() {
    let mut files = vec![];
    files_under(&root().join("testdata/fuzz/metadata_xml"), &mut files);
    assert!(!files.is_empty());
    let kinds: Vec<FileKind> = FileKind::all().collect();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        // As the target reads it: the first byte picks the kind.
        if let Some((&pick, file)) = data.split_first() {
            let kind = kinds[pick as usize % kinds.len()];
            assert_robust(kind, file, &|| path.display().to_string());
        }
    }
    let mut files = vec![];
    files_under(&root().join("testdata/fuzz/inventory"), &mut files);
    for path in files {
        if let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) {
            let parsed = catch_unwind(|| minpriv::config::parse(Path::new("minpriv.toml"), text));
            assert!(parsed.is_ok(), "{}", path.display());
        }
    }
    // The usage-log reader: every error inside the bytes (a file holding
    // only a byte order mark once had its header error one byte past them).
    let mut files = vec![];
    files_under(&root().join("testdata/fuzz/usage_log"), &mut files);
    assert!(!files.is_empty());
    for path in files {
        assert_log_robust(&std::fs::read(&path).unwrap(), &path.display().to_string());
    }
}

/// The usage-log reader on `bytes`: no panic, every error inside them.
fn assert_log_robust(bytes: &[u8], label: &str) {
    let Ok((_, errors)) = catch_unwind(|| minpriv::usage::scan_log(bytes)) else {
        panic!("usage::scan_log panicked on {label}");
    };
    for (span, message) in errors {
        if let Some(span) = span {
            assert!(
                span.start <= span.end && span.end as usize <= bytes.len().max(1),
                "{label}: span {span:?} outside {} bytes: {message}",
                bytes.len()
            );
        }
    }
}

/// The org-data reader from bytes, as a file of them is read (masked,
/// decoded, parsed): never a panic, errors inside the bytes and short, on
/// every mutant, the ones that are not UTF-8 included.
#[test]
fn mutated_org_snapshot_bytes_never_panic_and_errors_are_located() {
    let seeds = testdata_files(|p| {
        p.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with("org-snapshot"))
            && p.extension().is_some_and(|e| e == "json" || e == "csv")
    });
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut tried = 0;
    for path in &seeds {
        let csv = path.extension().is_some_and(|e| e == "csv");
        let seed = std::fs::read(path).unwrap();
        let mut cases = vec![("as is".to_owned(), seed.clone())];
        cases.push((
            "UTF-8 BOM".to_owned(),
            [&[0xEF, 0xBB, 0xBF][..], &seed].concat(),
        ));
        cases.push(("UTF-16 BOM".to_owned(), [&[0xFF, 0xFE][..], &seed].concat()));
        cases.extend(mutants(&seed, &mut rng));
        for (mutation, bytes) in cases {
            let result = catch_unwind(|| minpriv::orgdata::parse_export_bytes(&bytes, csv));
            let Ok(result) = result else {
                panic!(
                    "parse_export_bytes panicked on {} ({mutation})",
                    path.display()
                );
            };
            if let Err((span, message)) = result {
                if let Some(span) = span {
                    assert!(
                        span.start <= span.end && span.end as usize <= bytes.len(),
                        "{} ({mutation}): span {span:?} outside {} bytes: {message}",
                        path.display(),
                        bytes.len()
                    );
                }
                assert!(
                    message.len() < 1000,
                    "{} ({mutation}): {message}",
                    path.display()
                );
            }
            tried += 1;
        }
    }
    assert!(tried > 1000, "{tried} cases");
}

/// Masking on every metadata seed and mutant: its invariants hold
/// (`secrets::check_invariants`), and a file that parses says the same
/// once masked.
#[test]
fn masking_keeps_positions_and_meaning_on_every_mutant() {
    let mut rng = Rng(0x1405_7B7E_F767_814F);
    let mut masked_some = 0;
    let mut tried = 0;
    for (kind, path) in seeds() {
        let seed = std::fs::read(&path).unwrap();
        let mut cases = vec![("as is".to_owned(), seed.clone())];
        cases.extend(mutants(&seed, &mut rng));
        for (mutation, bytes) in cases {
            let what = || format!("{} ({mutation})", path.display());
            let masked = match minpriv::secrets::check_invariants(&bytes) {
                Ok(masked) => masked,
                Err(e) => panic!("{}: {e}", what()),
            };
            tried += 1;
            if masked == bytes || bytes.contains(&b'&') {
                continue;
            }
            masked_some += 1;
            let [before, _] = parse_bytes_both_ways(kind, &bytes, false);
            if before.starts_with("Ok(") {
                let [after, _] = parse_bytes_both_ways(kind, &masked, false);
                assert!(
                    before == after,
                    "{}: masking changed what the file says",
                    what()
                );
            }
        }
    }
    assert!(tried > 10_000, "{tried} cases");
    assert!(masked_some > 100, "{masked_some} cases held a secret");
}
