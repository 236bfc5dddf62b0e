//! The per-file cache of `minpriv check` (README, "Cache"): what parsing
//! each metadata file gave, kept in `.minpriv_cache/` so that the next run
//! reads again only the files that changed. pre-commit runs minpriv on
//! every commit; on a large org nearly all of its time is reading XML that
//! did not change.
//!
//! What is kept per file is the typed model of that file alone (the
//! `Parsed` value of `crate::parse`), never findings: integrations, the
//! effective access and every rule are computed again on each run, so a
//! changed `minpriv.toml`, `.forceignore`, org snapshot or option can never
//! meet a stale verdict. The model holds names, flags and byte spans, no
//! element text that is a secret (a named credential's password is kept as
//! the element's name and place only), and file text is never cached.
//!
//! An entry is used only when everything matches: the file's path, size,
//! modification and change times and inode, its kind and full name, how it
//! was read (a light profile or a whole one), the minpriv build (version
//! and the executable's own size and time, so a rebuild drops the cache),
//! the format, and a SHA-256 of the whole cache file. A file changed less than
//! [`SETTLE`] before it was read is not kept (its time stamp could hide a
//! second change). Anything unreadable, corrupt or from another build makes
//! the run read the files themselves: the cache can make a run faster,
//! never different.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use lasso::{Key, Spur, ThreadedRodeo};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::parse::{FileKind, Parsed};
use crate::source::FileId;

/// The cache's folder, in the project's root (where minpriv.toml is, or
/// the current directory).
pub const DIR: &str = ".minpriv_cache";
/// Setting this environment variable to anything but `0` or an empty
/// string turns the cache off, like `--no-cache`.
pub const ENV_OFF: &str = "MINPRIV_NO_CACHE";
const FILE: &str = "parsed.bin";
const MAGIC: &[u8; 8] = b"MPCACHE1";
/// How long a file must have been left alone before its entry is kept.
pub const SETTLE: Duration = Duration::from_secs(2);

/// Whether `--no-cache` or the environment turns the cache off.
pub fn disabled_by_env() -> bool {
    std::env::var_os(ENV_OFF).is_some_and(|v| !v.is_empty() && v != "0")
}

/// What the cached models depend on besides each file: the build of
/// minpriv that wrote them, and the size limit.
fn build_key(max_file_size: u64) -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| (m.len(), nanos(m.modified().ok())))
        .unwrap_or((0, 0));
    format!(
        "minpriv {} format 1 exe {}:{} max {max_file_size}",
        env!("CARGO_PKG_VERSION"),
        exe.0,
        exe.1
    )
}

fn nanos(t: Option<SystemTime>) -> i128 {
    match t.map(|t| t.duration_since(SystemTime::UNIX_EPOCH)) {
        Some(Ok(d)) => d.as_nanos() as i128,
        Some(Err(e)) => -(e.duration().as_nanos() as i128),
        None => 0,
    }
}

/// What says a file is the one an entry was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    modified: i128,
    changed: i128,
    inode: u64,
    device: u64,
}

impl Stamp {
    /// The stamp of a regular file (links followed, as the reader does);
    /// `None` for anything else or when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let modified = nanos(Some(meta.modified().ok()?));
        #[cfg(unix)]
        let (changed, inode, device) = {
            use std::os::unix::fs::MetadataExt;
            (
                meta.ctime() as i128 * 1_000_000_000 + meta.ctime_nsec() as i128,
                meta.ino(),
                meta.dev(),
            )
        };
        #[cfg(not(unix))]
        let (changed, inode, device) = (modified, 0, 0);
        Some(Stamp {
            size: meta.len(),
            modified,
            changed,
            inode,
            device,
        })
    }

    /// Whether the file was last touched at least [`SETTLE`] before `now`.
    fn settled(&self, now: i128) -> bool {
        let settle = SETTLE.as_nanos() as i128;
        self.modified.max(self.changed) <= now - settle
    }
}

// The file the entries of one thread decode or encode: a file's model
// points only into that file, so its `FileId`s are not stored and take
// the id the file has in the current run.
thread_local! {
    static CURRENT: Cell<Option<FileId>> = const { Cell::new(None) };
}

fn with_current<T>(file: FileId, f: impl FnOnce() -> T) -> T {
    CURRENT.with(|c| c.set(Some(file)));
    let out = f();
    CURRENT.with(|c| c.set(None));
    out
}

impl Serialize for FileId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match CURRENT.with(Cell::get) {
            Some(file) if file == *self => serializer.serialize_unit(),
            _ => Err(serde::ser::Error::custom(
                "a file's model points into another file",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for FileId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <()>::deserialize(deserializer)?;
        CURRENT
            .with(Cell::get)
            .ok_or_else(|| serde::de::Error::custom("no current file"))
    }
}

/// One file's entry.
#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    /// The path as the run opened it, in the platform's bytes.
    path: Vec<u8>,
    kind: FileKind,
    full_name: String,
    light: bool,
    stamp: Stamp,
    /// Where the file's `Parsed`, in postcard, lies in the models that
    /// follow the entries in the cache file.
    model: (u64, u64),
}

/// One entry of this run, with its model.
struct Made {
    entry: Entry,
    model: Model,
}

enum Model {
    /// Where it lies in the cache file read.
    Old(std::ops::Range<usize>),
    New(Vec<u8>),
}

/// The cache file: after [`MAGIC`], the SHA-256 of the rest, the length
/// of this in 8 bytes (little-endian), this, and the entries' models.
#[derive(Serialize, Deserialize)]
struct Stored {
    build: String,
    /// The interner's strings in key order: restoring them in this order
    /// gives every name the key the entries were written with.
    names: Vec<String>,
    /// How many names a run that read every file had; past twice as many,
    /// the cache is started again rather than grow with stale names.
    names_fresh: u64,
    entries: Vec<Entry>,
}

/// The cache of one run.
pub struct Cache {
    file: PathBuf,
    build: String,
    names: Vec<String>,
    names_fresh: u64,
    old: HashMap<Vec<u8>, Entry>,
    /// The models of the cache file read.
    models: Vec<u8>,
    /// This run's entries, in no particular order.
    new: Mutex<Vec<Made>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// Entries made this run (misses kept).
    stored: AtomicUsize,
    /// When the run started, in nanoseconds since the epoch.
    now: i128,
}

fn path_key(path: &Path) -> Vec<u8> {
    path.as_os_str().as_encoded_bytes().to_vec()
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Cache {
    /// The cache in `root`/[`DIR`], empty when there is none or it cannot
    /// be trusted.
    pub fn open(root: &Path, max_file_size: u64) -> Cache {
        let file = root.join(DIR).join(FILE);
        let build = build_key(max_file_size);
        let mut cache = Cache {
            file,
            build,
            names: vec![],
            names_fresh: 0,
            old: HashMap::new(),
            models: vec![],
            new: Mutex::new(vec![]),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            stored: AtomicUsize::new(0),
            now: nanos(Some(SystemTime::now())),
        };
        if let Some((stored, models)) =
            read_stored(&cache.file).filter(|s| s.0.build == cache.build)
        {
            cache.models = models;
            cache.names = stored.names;
            cache.names_fresh = stored.names_fresh;
            cache.old = stored
                .entries
                .into_iter()
                .map(|e| (e.path.clone(), e))
                .collect();
        }
        cache
    }

    /// The interner to parse with: the cached names, each with the key the
    /// entries use. When they do not come back with those keys (a corrupt
    /// cache), every entry is dropped and the interner starts empty.
    pub fn interner(&mut self) -> ThreadedRodeo {
        let names: ThreadedRodeo = ThreadedRodeo::new();
        let restored = self
            .names
            .iter()
            .enumerate()
            .all(|(i, name)| names.get_or_intern(name.as_str()).into_usize() == i);
        if restored {
            return names;
        }
        self.old.clear();
        self.names.clear();
        self.models.clear();
        ThreadedRodeo::new()
    }

    /// The cached model of `path` read as `kind` / `full_name` (`light`:
    /// a profile without its object and field permissions), when the file
    /// is still the one it was made from. On a miss, the stamp to give
    /// [`Cache::store`] (taken before the file is read).
    pub(crate) fn lookup(
        &self,
        file: FileId,
        path: &Path,
        kind: FileKind,
        full_name: &str,
        light: bool,
    ) -> Result<Parsed, Option<Stamp>> {
        let stamp = Stamp::of(path);
        let hit = stamp.as_ref().and_then(|stamp| {
            let entry = self.old.get(&path_key(path))?;
            let same = entry.stamp == *stamp
                && entry.kind == kind
                && entry.full_name == full_name
                && entry.light == light
                && entry.stamp.settled(self.now);
            if !same {
                return None;
            }
            let (at, len) = entry.model;
            let start = usize::try_from(at).ok()?;
            let range = start..start.checked_add(usize::try_from(len).ok()?)?;
            let bytes = self.models.get(range.clone())?;
            let parsed = with_current(file, || postcard::from_bytes::<Parsed>(bytes)).ok()?;
            Some((parsed, entry.clone(), range))
        });
        match hit {
            Some((parsed, entry, range)) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                let made = Made {
                    entry,
                    model: Model::Old(range),
                };
                self.new
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(made);
                Ok(parsed)
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                Err(stamp)
            }
        }
    }

    /// Keeps what reading `path` gave, when the file was left alone long
    /// enough and did not change while it was read.
    pub(crate) fn store(
        &self,
        file: FileId,
        path: &Path,
        (kind, full_name, light): (FileKind, &str, bool),
        before: Option<Stamp>,
        parsed: &Parsed,
    ) {
        let Some(stamp) = before else { return };
        if !stamp.settled(self.now) || Stamp::of(path).as_ref() != Some(&stamp) {
            return;
        }
        let Ok(model) = with_current(file, || postcard::to_allocvec(parsed)) else {
            return;
        };
        let entry = Entry {
            path: path_key(path),
            kind,
            full_name: full_name.to_owned(),
            light,
            stamp,
            model: (0, 0),
        };
        let made = Made {
            entry,
            model: Model::New(model),
        };
        self.new
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(made);
        self.stored.fetch_add(1, Ordering::Relaxed);
    }

    /// How many files came from the cache and how many were read.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Writes this run's entries, with the interner's names, unless no
    /// entry is new (every file came from the cache, or changed too
    /// recently to be kept: entries of files gone or changed are never
    /// used, and go at the next write). Failing to write is not an error:
    /// the next run reads the files.
    pub fn save(self, names: &ThreadedRodeo) {
        let (hits, _) = self.counts();
        if self.stored.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut made = self.new.into_inner().unwrap_or_else(|e| e.into_inner());
        let names_fresh = if hits == 0 {
            names.len() as u64
        } else {
            self.names_fresh
        };
        if names.len() as u64 > 2 * names_fresh + 4096 {
            // Too many names of files that changed since: start again.
            let _ = std::fs::remove_file(&self.file);
            return;
        }
        made.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));
        let mut models = Vec::new();
        let entries = made
            .into_iter()
            .map(|Made { mut entry, model }| {
                let bytes = match &model {
                    Model::Old(range) => &self.models[range.clone()],
                    Model::New(bytes) => bytes.as_slice(),
                };
                entry.model = (models.len() as u64, bytes.len() as u64);
                models.extend_from_slice(bytes);
                entry
            })
            .collect();
        let names: Vec<String> = (0..names.len())
            .filter_map(|i| Spur::try_from_usize(i).map(|k| names.resolve(&k).to_owned()))
            .collect();
        let stored = Stored {
            build: self.build,
            names,
            names_fresh,
            entries,
        };
        let _ = write_stored(&self.file, &stored, &models);
    }
}

/// What the cache file holds, and its models, when it is whole.
fn read_stored(file: &Path) -> Option<(Stored, Vec<u8>)> {
    // minpriv writes the file itself, never as a link: a link (committed,
    // say, to /dev/zero or to a file outside the project) is no cache.
    if file.symlink_metadata().ok()?.is_symlink() {
        return None;
    }
    // The file's own bytes, binary and unmasked, through the reader's
    // checks: a regular file (no FIFO to wait on), at most 4 GiB.
    let mut bytes = crate::source::read_raw(file, u64::MAX).ok()?;
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (sum, body) = rest.split_at_checked(32)?;
    if digest(body) != sum {
        return None;
    }
    let (len, body) = body.split_at_checked(8)?;
    let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
    let stored = postcard::from_bytes(body.get(..len)?).ok()?;
    let models_at = MAGIC.len() + 32 + 8 + len;
    Some((stored, bytes.split_off(models_at)))
}

fn write_stored(file: &Path, stored: &Stored, models: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            &ignore,
            "# Written by minpriv: this folder is its cache; never commit it.\n*\n",
        )?;
    }
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by minpriv.\n",
        )?;
    }
    let body = postcard::to_allocvec(stored).map_err(std::io::Error::other)?;
    let len = (body.len() as u64).to_le_bytes();
    let mut sum = Sha256::new();
    sum.update(len);
    sum.update(&body);
    sum.update(models);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(MAGIC)?;
    tmp.write_all(&sum.finalize())?;
    tmp.write_all(&len)?;
    tmp.write_all(&body)?;
    tmp.write_all(models)?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_settled_only_some_time_after_its_last_change() {
        let stamp = Stamp {
            size: 1,
            modified: 10_000_000_000,
            changed: 11_000_000_000,
            inode: 1,
            device: 1,
        };
        assert!(!stamp.settled(12_000_000_000));
        assert!(stamp.settled(13_000_000_000));
    }

    #[test]
    fn a_corrupt_or_foreign_cache_file_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        let stored = Stored {
            build: "b".into(),
            names: vec!["Account".into()],
            names_fresh: 1,
            entries: vec![],
        };
        write_stored(&file, &stored, b"models").unwrap();
        let (read, models) = read_stored(&file).unwrap();
        assert_eq!(read.names, ["Account"]);
        assert_eq!(models, b"models");
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(read_stored(&file).is_none());
        std::fs::write(&file, b"MPCACHE0").unwrap();
        assert!(read_stored(&file).is_none());
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore"))
                .unwrap()
                .lines()
                .last(),
            Some("*")
        );
    }
}
