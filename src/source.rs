//! Files, byte spans and the errors that point into them, and the one
//! reader every input goes through ([`read_text`], [`read_input`],
//! [`read_raw`], [`open_regular`]).
//!
//! Everything downstream of parsing locates things by a [`FileId`] and a
//! byte [`Span`]; line and column numbers are computed only when a finding
//! is printed, from the file's text read again at that point ([`Texts`]).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range in one file. `u32` keeps the model compact; files larger
/// than 4 GiB are refused by the reader long before this matters.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The bytes it covers, as a range to slice a text with.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start as usize, s.len()).into()
    }
}

/// Index into [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a file: what every finding and every error points at.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

/// One input file: where to read it and how to show its name.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path used to open the file.
    pub path: PathBuf,
    /// Path shown to the user: relative to the current directory when the
    /// file lies below it, always with `/` separators.
    pub display: String,
    /// SHA-256 of the bytes as read, taken while the file was read for
    /// parsing when the run asked for digests ([`Sources::keep_digests`]).
    pub sha256: std::sync::OnceLock<[u8; 32]>,
}

/// The table of every file the run looked at, in a deterministic order.
/// Files larger than this are refused unless `--max-file-size` says
/// otherwise (the largest real profiles are a few MB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// The size limit every read of these files applies (`--max-file-size`).
    limit: u64,
    /// Whether [`Sources::read_to_parse`] records each file's digest.
    digests: bool,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            files: vec![],
            limit: DEFAULT_MAX_FILE_SIZE,
            digests: false,
        }
    }
}

impl Sources {
    /// Sets the size limit of [`Sources::read`].
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit.max(1);
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The content of a file, through [`read_input`] with the run's limit.
    pub fn read(&self, id: FileId) -> Result<Vec<u8>, String> {
        read_input(&self.get(id).path, self.limit)
    }

    /// From now on, [`Sources::read_to_parse`] keeps the SHA-256 of each
    /// file it reads (the audit report lists them), so no file is read a
    /// second time only to be hashed.
    pub fn keep_digests(&mut self) {
        self.digests = true;
    }

    /// [`read_input`] with `limit`, keeping the digest of the bytes read
    /// (before masking: the file's own) when [`Sources::keep_digests`]
    /// asked for it. The first read of a file sets it.
    pub fn read_to_parse(&self, id: FileId, limit: u64) -> Result<Vec<u8>, String> {
        let file = self.get(id);
        let mut bytes = read_raw(&file.path, limit)?;
        if self.digests && file.sha256.get().is_none() {
            use sha2::Digest;
            let _ = file.sha256.set(sha2::Sha256::digest(&bytes).into());
        }
        crate::secrets::mask(&mut bytes);
        Ok(bytes)
    }

    pub fn add(&mut self, path: PathBuf, cwd: &Path) -> FileId {
        let display = display_path(&path, cwd);
        self.files.push(SourceFile {
            path,
            display,
            sha256: std::sync::OnceLock::new(),
        });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// `path` relative to `cwd` when it lies below it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = abs.strip_prefix(cwd).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in shown.components().enumerate() {
        use std::path::Component;
        match part {
            Component::RootDir => out.push('/'),
            Component::CurDir => continue,
            other => {
                if i > 0 && !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    if out.is_empty() { ".".to_owned() } else { out }
}

/// The content of an input file, through the one reader every input goes
/// through: [`read_raw`], then every committed secret masked
/// ([`crate::secrets`]) so nothing downstream ever holds one. Byte offsets
/// and line breaks are those of the file.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = read_raw(path, limit)?;
    crate::secrets::mask(&mut bytes);
    Ok(bytes)
}

/// Where the text of a file starts, from its first bytes: past a UTF-8
/// byte order mark, else at 0. A UTF-16 mark (either order) is refused
/// with its span: every input minpriv reads is UTF-8, and UTF-16 (what
/// PowerShell's `>` writes) would otherwise read as garbage.
pub fn text_start(head: &[u8]) -> Result<usize, Span> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Span::new(0, 2));
    }
    Ok(if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    })
}

/// Why bytes are not text minpriv reads, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecodable {
    /// A UTF-16 byte order mark, at this span.
    Utf16(Span),
    /// Invalid UTF-8: the first bad byte.
    NotUtf8(Span),
}

/// The text of `bytes` past a UTF-8 byte order mark, and the offset it
/// starts at (see [`text_start`]).
pub fn decode(bytes: &[u8]) -> Result<(&str, usize), Undecodable> {
    let base = text_start(bytes).map_err(Undecodable::Utf16)?;
    // simdutf8: the same verdict and error position as std, several times
    // faster on the large files that dominate a big org.
    match simdutf8::compat::from_utf8(&bytes[base..]) {
        Ok(text) => Ok((text, base)),
        Err(e) => {
            let at = base + e.valid_up_to();
            Err(Undecodable::NotUtf8(Span::new(at, at + 1)))
        }
    }
}

/// An input file's text, whole: offsets into [`Text::text`] are the
/// file's, a byte order mark included; [`Text::body`] is what follows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// Where the text proper starts: 3 past a UTF-8 byte order mark, else 0.
    pub start: usize,
}

impl Text {
    /// The text past its byte order mark.
    pub fn body(&self) -> &str {
        &self.text[self.start..]
    }
}

/// Why [`read_text`] gave no text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    /// The file could not be read ([`read_input`]'s message).
    Read(String),
    /// See [`Undecodable`].
    Undecodable(Undecodable),
}

impl TextError {
    /// What went wrong, in the words of the inputs' errors: the reader's
    /// message, `the file is UTF-16 encoded ...` or `it is not UTF-8`.
    pub fn message(&self) -> String {
        match self {
            TextError::Read(message) => message.clone(),
            TextError::Undecodable(Undecodable::Utf16(_)) => {
                "the file is UTF-16 encoded; minpriv reads UTF-8 (convert it, for example with iconv -f UTF-16 -t UTF-8)".to_owned()
            }
            TextError::Undecodable(Undecodable::NotUtf8(_)) => "it is not UTF-8".to_owned(),
        }
    }
}

/// The text of an input file, through the one reader every input goes
/// through ([`read_input`]: regular files only, `limit` checked before
/// opening, secrets masked), then decoded ([`decode`]: a UTF-8 byte order
/// mark skipped, UTF-16 and invalid UTF-8 refused).
pub fn read_text(path: &Path, limit: u64) -> Result<Text, TextError> {
    let bytes = read_input(path, limit).map_err(TextError::Read)?;
    let start = decode(&bytes).map_err(TextError::Undecodable)?.1;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        TextError::Undecodable(Undecodable::NotUtf8(Span::new(at, at + 1)))
    })?;
    Ok(Text { text, start })
}

/// A regular file opened for reading, with its size (what [`read_raw`]
/// and the streaming usage-log reader open files with), refused when it
/// is larger than `limit` bytes. Anything else — a
/// directory, a FIFO (opening one would block forever), a socket, a device
/// (it could be endless), a link to nowhere, a file deleted since it was
/// discovered — is an error saying so. The type and size are looked at
/// before the file is opened, and again on the open file (opened without
/// blocking, should a FIFO have taken its place meanwhile); reading stops
/// one byte past the limit, should the file grow.
pub fn open_regular(path: &Path, limit: u64) -> Result<(std::fs::File, u64), String> {
    let cannot = |e: std::io::Error| {
        match e.kind() {
        std::io::ErrorKind::NotFound => "cannot read the file: it does not exist (deleted during the run, or a link to a missing file)".to_owned(),
        _ => format!("cannot read the file: {e}"),
    }
    };
    let limit = limit.clamp(1, u32::MAX as u64);
    let check = |meta: &std::fs::Metadata| {
        if meta.is_dir() {
            return Err("is a directory, not a file minpriv can read".to_owned());
        }
        if !meta.is_file() {
            return Err(
                "is not a regular file (a FIFO, socket or device); minpriv reads only regular files"
                    .to_owned(),
            );
        }
        if meta.len() > limit {
            return Err(format!(
                "the file is {} bytes, more than the limit of {limit} bytes (--max-file-size)",
                meta.len()
            ));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(cannot)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(NONBLOCK);
    }
    let f = options.open(path).map_err(cannot)?;
    let meta = f.metadata().map_err(cannot)?;
    check(&meta).map_err(|e| format!("{e} (it was replaced while being read)"))?;
    Ok((f, meta.len()))
}

/// The whole content of a regular file, unmasked (read for parsing, then
/// masked, or for hashing); see [`open_regular`] for what is refused.
pub fn read_raw(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    read_regular(path, limit, |file, len| {
        let mut bytes = Vec::with_capacity(len as usize);
        std::io::Read::read_to_end(file, &mut bytes)?;
        let read = bytes.len() as u64;
        Ok((bytes, read))
    })
}

/// SHA-256 of a regular file as [`read_raw`] would read it, taken in
/// 64 KiB pieces: no copy of the whole file.
pub fn file_sha256(path: &Path, limit: u64) -> Result<[u8; 32], String> {
    use sha2::Digest;
    read_regular(path, limit, |file, _| {
        let mut sum = sha2::Sha256::new();
        let mut buffer = vec![0; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = std::io::Read::read(file, &mut buffer)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            sum.update(&buffer[..n]);
        }
        Ok((sum.finalize().into(), total))
    })
}

/// Opens `path` with [`open_regular`] and hands `read` the file, limited to
/// one byte past `limit`, and its size; `read` returns what it made and
/// the bytes it read, and a file that grew past the limit meanwhile is
/// refused.
fn read_regular<T>(
    path: &Path,
    limit: u64,
    read: impl FnOnce(&mut std::io::Take<std::fs::File>, u64) -> std::io::Result<(T, u64)>,
) -> Result<T, String> {
    let limit = limit.clamp(1, u32::MAX as u64);
    let (f, len) = open_regular(path, limit)?;
    let (made, read) = read(&mut std::io::Read::take(f, limit + 1), len)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if read > limit {
        return Err(format!(
            "the file grew past the limit of {limit} bytes while being read (--max-file-size)"
        ));
    }
    Ok(made)
}

/// `O_NONBLOCK`: opening a FIFO returns at once instead of waiting for a
/// writer (regular files ignore the flag).
#[cfg(any(target_os = "linux", target_os = "android"))]
const NONBLOCK: i32 = 0o4000;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const NONBLOCK: i32 = 0x0004;

/// Byte offsets where lines start, the first being 0. A line ends at
/// `\n`, `\r\n` or a lone `\r` (old Mac line ends), as XML reads them.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n') {
            starts.push(at + 1);
        }
    }
    starts
}

/// 1-based line and column (in characters) of byte offsets in one text.
/// Built once per file, then each lookup is a binary search and a count of
/// at most [`CHECKPOINT`] bytes: a file of one long line (a minified JSON
/// export) costs no more per lookup than one of short lines.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// `chars_at[i]`: the characters in the first `i * CHECKPOINT` bytes.
    chars_at: Vec<usize>,
}

/// Bytes between two character-count checkpoints of a [`LineIndex`].
pub const CHECKPOINT: usize = 4096;

/// Characters in `bytes`: the bytes that do not continue a UTF-8 sequence
/// (exact when `bytes` starts and ends on character boundaries).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut chars_at = Vec::with_capacity(bytes.len() / CHECKPOINT + 1);
        let mut total = 0;
        chars_at.push(0);
        for chunk in bytes.chunks(CHECKPOINT) {
            total += chars_in(chunk);
            chars_at.push(total);
        }
        LineIndex {
            line_starts: line_starts(bytes),
            chars_at,
        }
    }

    /// How many line ends (LF, CRLF, a lone CR: those miette counts too)
    /// come before `offset`: the 0-based line it is on.
    pub fn newlines_before(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Where 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// Characters before byte `at` of `bytes` (at a character boundary).
    fn chars_before(&self, bytes: &[u8], at: usize) -> usize {
        let i = at / CHECKPOINT;
        self.chars_at[i] + chars_in(&bytes[i * CHECKPOINT..at])
    }

    /// The position of `offset` in `text`, the text the index was built on.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let bytes = text.as_bytes();
        let col = if !text.is_char_boundary(offset) {
            offset - start
        } else if offset - start <= CHECKPOINT {
            // A line of ordinary length: its own characters, counted.
            chars_in(&bytes[start..offset])
        } else {
            self.chars_before(bytes, offset) - self.chars_before(bytes, start)
        };
        (line + 1, col + 1)
    }
}

/// What is wrong with an input, and where in it: the one shape every
/// error about a file's content takes before it is told which file it is
/// ([`FileError`]). `S` is the place: `Option<Span>` (the default), `None`
/// when the problem is the file as a whole; [`Span`] where a problem
/// always has a place, as every error of the XML cursor does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem<S = Option<Span>> {
    pub span: S,
    pub message: String,
    pub help: Option<String>,
}

impl<S> Problem<S> {
    /// A problem at `span`, without help.
    pub fn new(span: S, message: impl Into<String>) -> Self {
        Problem {
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl Problem {
    pub fn at(span: Span, message: impl Into<String>) -> Self {
        Problem::new(Some(span), message)
    }

    pub fn whole(message: impl Into<String>) -> Self {
        Problem::new(None, message)
    }

    /// Keeps the span inside a text that ends at `end` (a problem "at the
    /// next byte" of an empty or truncated file).
    pub fn within(mut self, end: usize) -> Self {
        if let Some(span) = &mut self.span {
            let start = (span.start as usize).min(end);
            *span = Span::new(start, (span.end as usize).min(end));
        }
        self
    }

    /// The problem, in `file`.
    pub fn in_file(self, file: FileId) -> FileError {
        FileError {
            file,
            problem: self,
        }
    }
}

impl From<Problem<Span>> for Problem {
    fn from(p: Problem<Span>) -> Self {
        Problem {
            span: Some(p.span),
            message: p.message,
            help: p.help,
        }
    }
}

impl<S> fmt::Display for Problem<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An input that could not be read or parsed. The run goes on without it
/// and exits with code 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub file: FileId,
    /// What is wrong; its span is `None` when the file could not be opened
    /// at all.
    pub problem: Problem,
}

impl FileError {
    pub fn at(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Problem::at(span, message).in_file(file)
    }

    pub fn whole(file: FileId, message: impl Into<String>) -> Self {
        Problem::whole(message).in_file(file)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.problem.help = Some(help.into());
        self
    }
}

/// A file's error reads as its problem: `error.span`, `error.message`.
impl std::ops::Deref for FileError {
    type Target = Problem;

    fn deref(&self) -> &Problem {
        &self.problem
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.problem.fmt(f)
    }
}

/// `a, b, c and 4 more`: the first `shown` names of a list.
pub(crate) fn name_list(names: &[&str], shown: usize) -> String {
    let mut list = names
        .iter()
        .take(shown)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = names.len().saturating_sub(shown);
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    list
}

/// File texts, read again when a finding in them is rendered (the model
/// keeps only spans), with what the terminal must never see replaced.
/// Only a few files are held at a time: findings come sorted by file, so a
/// run over a gigabyte of metadata never holds more than a handful.
///
/// A renderer that says beforehand in which order it will ask for files
/// ([`Texts::plan`]) gets them read ahead, the next few at once on the
/// thread pool, instead of one after the other on the main thread.
#[derive(Default)]
pub struct Texts {
    cache: HashMap<FileId, (Arc<String>, Arc<LineIndex>)>,
    /// Secrets to mask, per file, applied whenever the file is read.
    redactions: HashMap<FileId, Vec<Span>>,
    /// The files in the order they will be asked for (see [`Texts::plan`]).
    plan: Vec<FileId>,
    /// Where in `plan` the last read-ahead started.
    cursor: usize,
}

/// Files held at once.
const CACHED_FILES: usize = 8;

impl Texts {
    /// The order in which files will be asked for, repeats allowed: a miss
    /// then reads the file with the next ones of the plan, up to
    /// [`CACHED_FILES`] in all, in parallel. Only the speed depends on it:
    /// a file asked for out of plan is read as without one.
    pub fn plan(&mut self, order: impl IntoIterator<Item = FileId>) {
        self.plan = order.into_iter().collect();
        self.plan.dedup();
        self.cursor = 0;
    }

    /// The files to read along with `file`: it, then the next files of the
    /// plan from where it comes next, that are not held, without repeats.
    fn read_ahead(&mut self, file: FileId) -> Vec<FileId> {
        let at = self.plan[self.cursor..]
            .iter()
            .position(|&f| f == file)
            .map(|i| i + self.cursor)
            .or_else(|| self.plan.iter().position(|&f| f == file));
        let mut batch = vec![file];
        if let Some(at) = at {
            self.cursor = at;
            for &next in &self.plan[at..] {
                if batch.len() == CACHED_FILES {
                    break;
                }
                if !batch.contains(&next) && !self.cache.contains_key(&next) {
                    batch.push(next);
                }
            }
        }
        batch
    }

    fn entry(&mut self, sources: &Sources, file: FileId) -> &mut (Arc<String>, Arc<LineIndex>) {
        if !self.cache.contains_key(&file) {
            let batch = self.read_ahead(file);
            if self.cache.len() + batch.len() > CACHED_FILES {
                self.cache.clear();
            }
            let redactions = &self.redactions;
            if batch.len() > 1 {
                use rayon::prelude::*;
                let read: Vec<_> = batch
                    .par_iter()
                    .map(|&f| (f, shown_text(sources, redactions, f)))
                    .collect();
                self.cache.extend(read);
            }
        }
        let redactions = &self.redactions;
        self.cache
            .entry(file)
            .or_insert_with(|| shown_text(sources, redactions, file))
    }

    pub fn get(&mut self, sources: &Sources, file: FileId) -> Arc<String> {
        self.entry(sources, file).0.clone()
    }

    /// [`Texts::get`] with the file's line index, built once per read.
    pub fn get_indexed(
        &mut self,
        sources: &Sources,
        file: FileId,
    ) -> (Arc<String>, Arc<LineIndex>) {
        self.entry(sources, file).clone()
    }

    /// Masks the text content of the element at `loc` (a committed
    /// secret) with `*` from now on, keeping every byte offset.
    pub fn redact(&mut self, loc: Loc) {
        self.redactions.entry(loc.file).or_default().push(loc.span);
        self.cache.remove(&loc.file);
    }

    /// 1-based `(line, column, end_line, end_column)` of a location; the
    /// end column is exclusive.
    pub fn position(&mut self, sources: &Sources, loc: Loc) -> (usize, usize, usize, usize) {
        let (text, index) = self.entry(sources, loc.file).clone();
        let (line, column) = index.line_col(&text, loc.span.start as usize);
        let (end_line, end_column) = index.line_col(&text, loc.span.end as usize);
        (line, column, end_line, end_column)
    }

    /// [`Texts::position`] as a value with names.
    pub fn region(&mut self, sources: &Sources, loc: Loc) -> Region {
        let (line, column, end_line, end_column) = self.position(sources, loc);
        Region {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// A file's text as shown, with `redactions` masked, and its line index.
fn shown_text(
    sources: &Sources,
    redactions: &HashMap<FileId, Vec<Span>>,
    file: FileId,
) -> (Arc<String>, Arc<LineIndex>) {
    let mut text = read_for_display(sources, file);
    for span in redactions.get(&file).into_iter().flatten() {
        mask_element_text(&mut text, *span);
    }
    let index = LineIndex::new(&text);
    (Arc::new(text), Arc::new(index))
}

/// 1-based start and end of a location; `end_column` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Masks the text between an element's start and end tags as
/// [`crate::secrets`] does (a second line of defence: every file is masked
/// when read), so spans and lines stay where they were.
fn mask_element_text(text: &mut String, span: Span) {
    let (start, end) = (span.start as usize, span.end as usize);
    let Some(element) = text.get(start..end) else {
        return;
    };
    let (Some(open), Some(close)) = (element.find('>'), element.rfind("</")) else {
        return;
    };
    if open + 1 >= close {
        return;
    }
    let masked: String = element[open + 1..close]
        .chars()
        .map(|c| match c {
            ' ' | '\t' | '\n' | '\r' => c,
            c => crate::secrets::mask_char(c),
        })
        .collect();
    text.replace_range(start + open + 1..start + close, &masked);
}

/// A file's text with byte offsets intact: invalid UTF-8 becomes
/// replacement characters only where it is (so spans before it stay
/// right), and control characters are neutralised.
fn read_for_display(sources: &Sources, file: FileId) -> String {
    let bytes = sources.read(file).unwrap_or_default();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // Keep the byte length: each invalid byte becomes '?'.
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len());
            let mut rest = bytes.as_slice();
            while !rest.is_empty() {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let (good, bad) = rest.split_at(e.valid_up_to());
                        out.push_str(std::str::from_utf8(good).unwrap_or_default());
                        let n = e.error_len().unwrap_or(bad.len()).max(1);
                        out.extend(std::iter::repeat_n('?', n));
                        rest = &bad[n..];
                    }
                }
            }
            out
        }
    };
    let text = if has_controls(&text) {
        neutralise_controls(&text)
    } else {
        text
    };
    lone_cr_as_lf(text)
}

/// Whether `text` holds a byte [`neutralise_controls`] may replace: one
/// branch-free pass that the compiler turns into SIMD, since nearly every
/// file holds none.
fn has_controls(text: &str) -> bool {
    text.as_bytes().chunks(4096).any(|chunk| {
        chunk.iter().fold(false, |found, &b| {
            found
                | ((b < 0x20) & (b != b'\n') & (b != b'\r') & (b != b'\t'))
                | (b == 0x7f)
                | (b == 0xc2)
                | (b == 0xe2)
        })
    })
}

/// A lone CR (old Mac line ends) as LF, same length: every line count of
/// the display text, this crate's and the excerpt renderer's, then agrees
/// with [`crate::source::line_starts`].
fn lone_cr_as_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Replaces control and bidirectional-override characters with characters
/// of the same UTF-8 length, so byte spans still line up.
pub fn neutralise_controls(text: &str) -> String {
    // Most files hold none of them: one pass over the bytes says so. (Every
    // character replaced below starts with a control byte, 0xC2 or 0xE2.)
    if !has_controls(text) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c,
            c if c.is_ascii_control() => '?',
            '\u{80}'..='\u{9f}' => '\u{bf}',
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                '\u{fffd}'
            }
            c => c,
        })
        .collect()
}

/// Byte offset of a 1-based line and column.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns are characters from the line start, whatever the line's
    /// length: checkpoints change the cost, never the answer.
    #[test]
    fn columns_count_characters_on_long_and_short_lines() {
        let naive = |text: &str, offset: usize| {
            let start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            text[start..offset].chars().count() + 1
        };
        let mut text = String::new();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..30_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(match state % 23 {
                0 => '\n',
                1 => 'é',
                2 => '€',
                3 => '🦀',
                _ => 'a',
            });
            if state.is_multiple_of(997) {
                text.push_str(&"x".repeat(9_000));
            }
        }
        let index = LineIndex::new(&text);
        let mut checked = 0;
        for (offset, _) in text.char_indices().step_by(97) {
            assert_eq!(
                index.line_col(&text, offset).1,
                naive(&text, offset),
                "at {offset}"
            );
            checked += 1;
        }
        assert!(checked > 500, "{checked}");
        // One line of 100,000 characters.
        let long = "é".repeat(100_000);
        let index = LineIndex::new(&long);
        assert_eq!(index.line_col(&long, long.len()), (1, 100_001));
        assert_eq!(index.line_col(&long, 2 * 5_000), (1, 5_001));
    }

    #[test]
    fn offsets_from_line_and_column() {
        assert_eq!(offset_of("ab\ncd\n", 2, 2), 4);
        assert_eq!(offset_of("ab", 1, 1), 0);
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nc\u{e9}d\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        // 'd' follows a two-byte character: byte 6, character column 3.
        assert_eq!(idx.line_col(text, 6), (2, 3));
        assert_eq!(idx.line_col(text, 100), (3, 1));
    }

    #[test]
    fn text_starts_past_a_utf8_mark_and_utf16_is_refused() {
        assert_eq!(text_start(b"<a/>"), Ok(0));
        assert_eq!(text_start(b"\xEF\xBB\xBF<a/>"), Ok(3));
        assert_eq!(text_start(b"\xFF\xFE<\0"), Err(Span::new(0, 2)));
        assert_eq!(text_start(b"\xFE\xFF\0<"), Err(Span::new(0, 2)));
        assert_eq!(decode(b"\xEF\xBB\xBFab"), Ok(("ab", 3)));
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\xC3\x28"),
            Err(Undecodable::NotUtf8(Span::new(4, 5)))
        );
    }

    #[test]
    fn read_text_keeps_the_whole_file_and_where_its_body_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, b"\xEF\xBB\xBF{}\n").unwrap();
        let text = read_text(&path, 100).unwrap();
        assert_eq!((text.text.len(), text.start, text.body()), (6, 3, "{}\n"));
        std::fs::write(&path, b"{\xFF}").unwrap();
        assert_eq!(
            read_text(&path, 100).unwrap_err().message(),
            "it is not UTF-8"
        );
        assert!(
            read_text(dir.path(), 100)
                .unwrap_err()
                .message()
                .contains("is a directory")
        );
    }

    #[test]
    fn display_paths_are_relative_with_slashes() {
        let cwd = std::path::absolute(".").unwrap();
        assert_eq!(display_path(&cwd.join("a").join("b.xml"), &cwd), "a/b.xml");
        assert_eq!(display_path(Path::new("./x/y"), &cwd), "x/y");
    }

    #[test]
    fn texts_read_ahead_along_their_plan_and_answer_as_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Sources::default();
        let files: Vec<FileId> = (0..12)
            .map(|i| {
                let path = dir.path().join(format!("{i}.profile-meta.xml"));
                let text = format!(
                    "<Profile>\n{}<password>p{i}</password>\n</Profile>\n",
                    "é".repeat(i)
                );
                std::fs::write(&path, text).unwrap();
                sources.add(path, dir.path())
            })
            .collect();
        let loc = |file| Loc {
            file,
            span: Span::new(10, 30),
        };
        let mut planned = Texts::default();
        planned.redact(loc(files[3]));
        planned.plan(files.iter().copied().chain([files[0]]));
        let mut plain = Texts::default();
        plain.redact(loc(files[3]));
        for &f in &files {
            assert_eq!(
                planned.position(&sources, loc(f)),
                plain.position(&sources, loc(f))
            );
            assert_eq!(planned.get(&sources, f), plain.get(&sources, f));
        }
        assert!(!planned.get(&sources, files[3]).contains("p3"), "redacted");
        // The first miss read the next files of the plan too, never more
        // than CACHED_FILES at once.
        let mut ahead = Texts::default();
        ahead.plan(files.iter().copied());
        ahead.get(&sources, files[2]);
        assert_eq!(ahead.cache.len(), CACHED_FILES);
        assert!((2..2 + CACHED_FILES).all(|i| ahead.cache.contains_key(&files[i])));
        // Out of plan: read alone.
        let mut off = Texts::default();
        off.plan([files[0]]);
        off.get(&sources, files[5]);
        assert_eq!(off.cache.len(), 1);
    }
}
