//! SHA-256 of the inputs, so a reader can tell whether the files in front
//! of them are the files the report describes (`sha256sum -c`).

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::source::{FileId, Sources};

/// One input file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputDigest {
    /// As shown everywhere else: relative to the current directory.
    pub path: String,
    /// `metadata`, `org snapshot` or `inventory`.
    pub kind: &'static str,
    /// Lower-case hex; `None` when the file could not be read again.
    pub sha256: Option<String>,
}

/// The digest of every metadata file, org snapshot file and of the
/// inventory, sorted by path.
pub fn digest_inputs(
    sources: &Sources,
    metadata: &[FileId],
    snapshot: &[FileId],
    inventory: Option<FileId>,
) -> Vec<InputDigest> {
    let files: Vec<(FileId, &'static str)> = metadata
        .iter()
        .map(|&f| (f, "metadata"))
        .chain(snapshot.iter().map(|&f| (f, "org snapshot")))
        .chain(inventory.map(|f| (f, "inventory")))
        .collect();
    let mut out: Vec<InputDigest> = files
        .par_iter()
        .map(|&(file, kind)| {
            let source = sources.get(file);
            InputDigest {
                path: source.display.clone(),
                kind,
                sha256: file_sha256(&source.path, sources.limit()),
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup();
    out
}

/// SHA-256 of a file, lower-case hex, read through the hardened opener
/// (regular files only, the size limit) in 64 KiB pieces: no copy of the
/// whole file, so hashing 80 MB of metadata costs the hash, not the
/// allocation and page faults of reading it whole again. `None` when the
/// file cannot be read, or grew past the limit.
fn file_sha256(path: &std::path::Path, limit: u64) -> Option<String> {
    use std::io::Read;
    let limit = limit.clamp(1, u32::MAX as u64);
    let (file, _) = crate::source::open_regular(path, limit).ok()?;
    let mut file = file.take(limit + 1);
    let mut sum = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer).ok()?;
        if n == 0 {
            break;
        }
        total += n as u64;
        sum.update(&buffer[..n]);
    }
    (total <= limit).then(|| sum.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// One digest over the whole input set: SHA-256 of the listing
/// `sha256sum` would print for it (`<hex>  <path>\n`, sorted by path).
pub fn digest_of_listing(inputs: &[InputDigest]) -> String {
    let mut listing = String::new();
    for input in inputs {
        listing.push_str(input.sha256.as_deref().unwrap_or("unreadable"));
        listing.push_str("  ");
        listing.push_str(&input.path);
        listing.push('\n');
    }
    hex(listing.as_bytes())
}

/// `sha256-<base64>`: how a Content-Security-Policy names an inline
/// script or stylesheet it allows.
pub fn csp_hash(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::from("sha256-");
    for chunk in digest.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(bytes)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_hex() {
        assert_eq!(
            hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // A file in pieces hashes as the whole: 200,000 bytes, four reads.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(file_sha256(&path, 1 << 20), Some(hex(&bytes)));
        assert_eq!(file_sha256(&path, 1_000), None, "over the limit");
        assert_eq!(file_sha256(dir.path(), 1 << 20), None, "a directory");
        // `printf abc | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            csp_hash("abc"),
            "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }
}
