//! Rendering a run: the findings, the inputs that failed, and a summary.
//! Detection never formats; these modules never decide.

pub mod json;
pub mod text;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::catalogue::Severity;
use crate::engine::{Finding, NotEvaluated};
use crate::source::{FileError, FileId, LineIndex, Loc, Sources, line_starts};

/// Everything a renderer needs.
pub struct Run<'a> {
    pub sources: &'a Sources,
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

/// File texts, read again when a finding in them is rendered (the model
/// keeps only spans), with what the terminal must never see replaced.
#[derive(Default)]
pub struct Texts {
    cache: HashMap<FileId, Arc<String>>,
    line_starts: HashMap<FileId, Vec<usize>>,
}

impl Texts {
    pub fn get(&mut self, sources: &Sources, file: FileId) -> Arc<String> {
        self.cache
            .entry(file)
            .or_insert_with(|| Arc::new(read_for_display(&sources.get(file).path)))
            .clone()
    }

    /// 1-based `(line, column, end_line, end_column)` of a location; the
    /// end column is exclusive.
    pub fn position(&mut self, sources: &Sources, loc: Loc) -> (usize, usize, usize, usize) {
        let text = self.get(sources, loc.file);
        let starts = self
            .line_starts
            .entry(loc.file)
            .or_insert_with(|| line_starts(&text));
        let index = LineIndex::with_line_starts(&text, starts);
        let (line, column) = index.line_col(loc.span.start as usize);
        let (end_line, end_column) = index.line_col(loc.span.end as usize);
        (line, column, end_line, end_column)
    }
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
    neutralise_controls(&text)
}

/// Replaces control and bidirectional-override characters with characters
/// of the same UTF-8 length, so byte spans still line up.
pub fn neutralise_controls(text: &str) -> String {
    // Most files hold none of them: one pass over the bytes says so. (Every
    // character replaced below starts with a control byte, 0xC2 or 0xE2.)
    let clean = !text.bytes().any(|b| {
        (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || matches!(b, 0x7f | 0xc2 | 0xe2)
    });
    if clean {
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

/// Writes `bytes` to `path` through a temporary file in the same
/// directory and a rename, so a reader never sees half a report.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
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
}
