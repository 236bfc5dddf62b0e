//! Rendering a run: the findings, the inputs that failed, and a summary.
//! Detection never formats; these modules never decide.

pub mod access;
pub mod audit;
pub mod diff;
pub mod github;
pub mod gitlab;
pub mod identities;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use std::path::Path;

use crate::catalogue::Severity;
use crate::engine::{Finding, NotEvaluated, Rule};
use crate::source::{FileError, FileId, Region, Sources, Texts, neutralise_controls};

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
    /// How many files of each kind `.forceignore` hid (REF003); absent
    /// when it hid none.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub forceignored: std::collections::BTreeMap<String, usize>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct NotEvaluatedJson {
    pub rule: &'static str,
    pub reason: String,
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

    /// Totals per kind of what `.forceignore` hid (plural labels:
    /// `profiles`).
    pub fn forceignored(&mut self, hidden: &[crate::model::Hidden]) {
        for h in hidden {
            for (kind, n) in &h.counts {
                *self
                    .forceignored
                    .entry(crate::model::plural_kind(kind, 2))
                    .or_default() += n;
            }
        }
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
                reason: n.reason.clone(),
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

    /// The files a renderer reads, in the order it reads them: each
    /// finding's file, its elements' and related locations' files, then
    /// the files of input errors with a place. Given to
    /// [`Texts::plan`], so the next files are read ahead in parallel.
    pub fn read_order(&self) -> impl Iterator<Item = FileId> + '_ {
        self.findings
            .iter()
            .flat_map(|f| {
                std::iter::once(f.loc.file)
                    .chain(f.elements.iter().map(|e| e.loc.file))
                    .chain(f.related.iter().map(|r| r.loc.file))
            })
            .chain(
                self.errors
                    .iter()
                    .filter(|e| e.span.is_some())
                    .map(|e| e.file),
            )
    }
}

/// JSON text with every bidirectional control written as a `\uXXXX`
/// escape: the same JSON value, but nothing that reorders what a terminal
/// or a log viewer shows. (Such characters can only be inside strings, and
/// the serialiser already escapes every other control character.)
pub fn json_safe(json: String) -> String {
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}');
    if !json.chars().any(bidi) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if bidi(c) {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
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
/// output when there is none; no line of it can pass for a workflow
/// command ([`no_commands`]).
pub fn emit(rendered: &str, output: Option<&Path>) -> Result<(), String> {
    emit_commands(&no_commands(rendered), output)
}

/// [`emit`] for `--format github`, whose lines are workflow commands
/// minpriv means (every input in them escaped).
pub fn emit_commands(rendered: &str, output: Option<&Path>) -> Result<(), String> {
    match output {
        Some(path) => write_atomic(path, rendered.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            write_stdout(rendered);
            match stdout_failed() {
                Some(e) => Err(format!("cannot write to standard output: {e}")),
                None => Ok(()),
            }
        }
    }
}

/// The first error writing to standard output, other than a closed pipe.
static STDOUT_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Writes to standard output. A closed pipe (`| head`) is not an error
/// worth reporting; any other failure (`> /dev/full`) is recorded, and the
/// run then exits 2 ([`stdout_failed`]).
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let mut first = STDOUT_ERROR.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert_with(|| e.to_string());
    }
}

/// The error that stopped output from reaching standard output, if any.
pub fn stdout_failed() -> Option<String> {
    STDOUT_ERROR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// Text for a CI log or terminal where no line may start (after blanks)
/// with `::` or `##[`: GitHub's runner (and Azure's) would take it for a
/// workflow command (`::error`, `::stop-commands::`, `##[error]`). Such a
/// line gets a ZERO WIDTH SPACE (U+200B, not blank to the runner) before
/// it. Every output but `--format github` (whose every line is a command
/// minpriv means, with input escaped) goes through this.
pub fn no_commands(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("::") && !text.contains("##[") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at_start = true;
    let mut changed = false;
    for (i, c) in text.char_indices() {
        if at_start && !matches!(c, '\n' | '\r') && !c.is_whitespace() {
            let rest = &text[i..];
            if rest.starts_with("::") || rest.starts_with("##[") {
                out.push('\u{200b}');
                changed = true;
            }
            at_start = false;
        }
        if matches!(c, '\n' | '\r') {
            at_start = true;
        }
        out.push(c);
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes `bytes` to `path` through a temporary file in the same
/// directory and a rename, so a reader never sees half a report. The file
/// gets the permissions the umask gives a new file (0644 under the usual
/// 022), not the temporary file's 0600.
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
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
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
