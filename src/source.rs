//! Files, byte spans and the errors that point into them.
//!
//! Everything downstream of parsing locates things by a [`FileId`] and a
//! byte [`Span`]; line and column numbers are computed only when a finding
//! is printed, from the file's text read again at that point.

use std::fmt;
use std::path::{Path, PathBuf};

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
}

/// The table of every file the run looked at, in a deterministic order.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, cwd: &Path) -> FileId {
        let display = display_path(&path, cwd);
        self.files.push(SourceFile { path, display });
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

/// 1-based line and column (in characters) of byte offsets in one text.
/// Built once per file, then each lookup is a binary search.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Offsets of the `\r` not followed by `\n`: miette ends a line there
    /// too (almost always empty).
    lone_cr: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let lone_cr = memchr::memchr_iter(b'\r', bytes)
            .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .collect();
        LineIndex {
            line_starts,
            lone_cr,
        }
    }

    /// How many `\n` come before `offset`: the 0-based line it is on.
    pub fn newlines_before(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Where 0-based line `line` starts (lines end at `\n`).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// How many line ends miette counts before `offset`: every `\n` and
    /// every `\r` not followed by one.
    pub fn line_ends_before(&self, offset: usize) -> usize {
        self.newlines_before(offset) + self.lone_cr.partition_point(|&r| r < offset)
    }

    /// The position of `offset` in `text`, the text the index was built on.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

/// An input that could not be read or parsed. The run goes on without it
/// and exits with code 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub file: FileId,
    /// Where in the file; `None` when the file could not be opened at all.
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
}

impl FileError {
    pub fn at(file: FileId, span: Span, message: impl Into<String>) -> Self {
        FileError {
            file,
            span: Some(span),
            message: message.into(),
            help: None,
        }
    }

    pub fn whole(file: FileId, message: impl Into<String>) -> Self {
        FileError {
            file,
            span: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn display_paths_are_relative_with_slashes() {
        let cwd = std::path::absolute(".").unwrap();
        assert_eq!(display_path(&cwd.join("a").join("b.xml"), &cwd), "a/b.xml");
        assert_eq!(display_path(Path::new("./x/y"), &cwd), "x/y");
    }
}
