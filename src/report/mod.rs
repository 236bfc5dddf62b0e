//! Rendering a run: the findings, the inputs that failed, and a summary.
//! Detection never formats; these modules never decide.

pub mod audit;
pub mod diff;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::catalogue::{Rule, Severity};
use crate::engine::{Finding, NotEvaluated};
use crate::source::{FileError, FileId, LineIndex, Loc, Sources, Span};

/// Everything a renderer needs.
pub struct Run<'a> {
    pub sources: &'a Sources,
    /// The rules the run selected, in catalogue order (including those
    /// not evaluated).
    pub rules: &'a [&'static Rule],
    /// The metadata files the run read, in discovery order.
    pub checked: &'a [FileId],
    pub findings: &'a [Finding],
    pub errors: &'a [FileError],
    /// Crashes inside minpriv (not tied to a file).
    pub internal_errors: &'a [String],
    pub summary: Summary,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub integrations: usize,
    pub rules: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    pub not_evaluated: Vec<NotEvaluatedJson>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct NotEvaluatedJson {
    pub rule: &'static str,
    pub reason: &'static str,
}

impl Summary {
    /// The summary of a run that read `files` inputs and showed
    /// `findings` of `outcome` (`hidden` more hidden by a baseline).
    pub fn of(
        files: usize,
        integrations: usize,
        rules: usize,
        outcome: &crate::engine::Outcome,
        findings: &[Finding],
        hidden: usize,
    ) -> Summary {
        let mut summary = Summary {
            files,
            integrations,
            rules: rules - outcome.not_evaluated.len(),
            suppressed: outcome.suppressed + hidden,
            ..Summary::default()
        };
        summary.count(findings);
        summary.not_evaluated(&outcome.not_evaluated);
        summary
    }

    pub fn count(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }

    pub fn not_evaluated(&mut self, items: &[NotEvaluated]) {
        self.not_evaluated = items
            .iter()
            .map(|n| NotEvaluatedJson {
                rule: n.code,
                reason: n.reason,
            })
            .collect();
    }
}

impl Run<'_> {
    /// Whether some input could not be checked (or minpriv crashed).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || !self.internal_errors.is_empty()
    }

    /// The shown path of a file.
    pub fn display(&self, file: FileId) -> &str {
        &self.sources.get(file).display
    }
}

/// File texts, read again when a finding in them is rendered (the model
/// keeps only spans), with what the terminal must never see replaced.
/// Only a few files are held at a time: findings come sorted by file, so a
/// run over a gigabyte of metadata never holds more than a handful.
#[derive(Default)]
pub struct Texts {
    cache: HashMap<FileId, (Arc<String>, Arc<LineIndex>)>,
    /// Secrets to mask, per file, applied whenever the file is read.
    redactions: HashMap<FileId, Vec<Span>>,
}

/// Files held at once.
const CACHED_FILES: usize = 8;

impl Texts {
    fn entry(&mut self, sources: &Sources, file: FileId) -> &mut (Arc<String>, Arc<LineIndex>) {
        if !self.cache.contains_key(&file) && self.cache.len() >= CACHED_FILES {
            self.cache.clear();
        }
        let redactions = &self.redactions;
        self.cache.entry(file).or_insert_with(|| {
            let mut text = read_for_display(&sources.get(file).path);
            for span in redactions.get(&file).into_iter().flatten() {
                mask_element_text(&mut text, *span);
            }
            let index = LineIndex::new(&text);
            (Arc::new(text), Arc::new(index))
        })
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

/// 1-based start and end of a location; `end_column` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Replaces the text between an element's start and end tags with `*`,
/// byte for byte, so spans and lines stay where they were.
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
        .flat_map(|c| std::iter::repeat_n('*', c.len_utf8()))
        .collect();
    text.replace_range(start + open + 1..start + close, &masked);
}

/// A file's text with byte offsets intact: invalid UTF-8 becomes
/// replacement characters only where it is (so spans before it stay
/// right), and control characters are neutralised.
fn read_for_display(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
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
    if has_controls(&text) {
        neutralise_controls(&text)
    } else {
        text
    }
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

/// A string from metadata, made safe for one line of terminal output.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A string from metadata, made safe for XML 1.0 (which cannot carry most
/// control characters even escaped) and for log lines: controls other than
/// tab and newline, and bidirectional overrides, become U+FFFD.
pub fn printable(text: &str) -> String {
    text.chars().map(printable_char).collect()
}

/// [`printable`] for one character.
pub fn printable_char(c: char) -> char {
    match c {
        '\n' | '\t' => c,
        c if c.is_control() => '\u{fffd}',
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
        c => c,
    }
}

/// Writes a rendered report to `output` (atomically), or to standard
/// output when there is none.
pub fn emit(rendered: &str, output: Option<&Path>) -> Result<(), String> {
    use std::io::Write;
    match output {
        Some(path) => write_atomic(path, rendered.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(rendered.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same
/// directory and a rename, so a reader never sees half a report.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // `/dev/null`, a pipe, a terminal: not a file to replace, write to it.
    if path.metadata().is_ok_and(|m| !m.is_file()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(bytes);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralising_keeps_byte_offsets() {
        let text = "a\u{1b}[31mb\u{85}c\u{202e}d\n";
        let safe = neutralise_controls(text);
        assert_eq!(safe.len(), text.len());
        assert!(!safe.contains('\u{1b}'));
        assert_eq!(terminal_safe("x\u{1b}y"), "x\\u{1b}y");
    }

    #[test]
    fn atomic_writes_replace_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.json");
        std::fs::write(&file, "old and longer").unwrap();
        write_atomic(&file, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
    }
}
