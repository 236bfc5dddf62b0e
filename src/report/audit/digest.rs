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
            // Taken as the file was read for parsing, or else read again.
            let sum = match source.sha256.get() {
                Some(sum) => Some(*sum),
                None => crate::source::file_sha256(&source.path, sources.limit()).ok(),
            };
            InputDigest {
                path: source.display.clone(),
                kind,
                sha256: sum.map(|sum| hex_of(&sum)),
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup();
    out
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
    hex_of(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
fn hex_of(sum: &[u8]) -> String {
    sum.iter().map(|b| format!("{b:02x}")).collect()
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
        let file_sha256 = |path: &std::path::Path, limit| {
            crate::source::file_sha256(path, limit)
                .ok()
                .map(|s| hex_of(&s))
        };
        assert_eq!(file_sha256(&path, 1 << 20), Some(hex(&bytes)));
        assert_eq!(file_sha256(&path, 1_000), None, "over the limit");
        assert_eq!(file_sha256(dir.path(), 1 << 20), None, "a directory");
        // `printf abc | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            csp_hash("abc"),
            "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn the_digest_kept_while_parsing_is_of_the_file_not_of_its_masked_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("App.connectedApp-meta.xml");
        let text = b"<ConnectedApp><consumerSecret>s3cret</consumerSecret></ConnectedApp>\n";
        std::fs::write(&path, text).unwrap();
        let mut sources = Sources::default();
        let app = sources.add(path.clone(), dir.path());
        let copy = dir.path().join("Copy.connectedApp-meta.xml");
        std::fs::write(&copy, text).unwrap();
        let other = sources.add(copy, dir.path());
        sources.keep_digests();
        let read = sources.read_to_parse(app, 1 << 20).unwrap();
        assert_ne!(read, text, "what the run holds is masked");
        let kept = *sources.get(app).sha256.get().expect("kept while read");
        assert_eq!(hex_of(&kept), hex(text));
        // Unread: hashed from the file, to the same digest.
        assert!(sources.get(other).sha256.get().is_none());
        let listed = digest_inputs(&sources, &[app, other], &[], None);
        assert_eq!(listed[0].sha256.as_deref(), Some(hex(text).as_str()));
        assert_eq!(listed[0].sha256, listed[1].sha256);
        // Without keep_digests nothing is kept.
        let mut plain = Sources::default();
        let id = plain.add(path, dir.path());
        plain.read_to_parse(id, 1 << 20).unwrap();
        assert!(plain.get(id).sha256.get().is_none());
    }
}
