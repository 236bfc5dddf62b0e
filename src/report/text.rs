//! `--format text`: miette's graphical reports — code, message, the source
//! excerpt with the offending element underlined, related locations, help.
//! All miette use is in this module.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SpanContents,
};

use super::{Run, Texts, terminal_safe};
use crate::catalogue::Severity;
use crate::source::{FileError, Sources};
use crate::source::{FileId, LineIndex, Span};

/// Fixed, so output does not depend on the terminal it was produced in.
const WIDTH: usize = 100;

/// One report as miette sees it.
#[derive(Debug)]
struct Report {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<Limited>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn Diagnostic))
                as Box<dyn Iterator<Item = _>>
        })
    }
}

/// Source lines longer than this many bytes are never shown: a minified
/// or hostile file can hold all of its 50 MB on one line.
const MAX_SHOWN_LINE: usize = 400;
/// A label over more lines than this is cut to its first line.
const MAX_LABEL_LINES: usize = 12;
/// Elements of a grouped finding shown with it (the first and the next
/// ones, each in its own excerpt).
const ELEMENTS_SHOWN: usize = 5;
/// Messages and labels from metadata are cut to this many characters.
const MAX_MESSAGE: usize = 1000;

/// The span as it can be shown: cut to its first line when it covers
/// many, `None` when one of its lines is too long to show.
fn fit(text: &str, span: Span) -> Option<Span> {
    let bytes = text.as_bytes();
    let start = (span.start as usize).min(bytes.len());
    let end = (span.end as usize).clamp(start, bytes.len());
    let (_, first_end) = short_line(bytes, start)?;
    let many = bytes[start..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .nth(MAX_LABEL_LINES)
        .is_some();
    if many {
        return Some(Span::new(start, first_end));
    }
    short_lines(bytes, start, end)?;
    Some(Span::new(start, end))
}

/// The start and end of the line holding offset `at`, when it is no
/// longer than [`MAX_SHOWN_LINE`]. Looks at no more than that many bytes
/// either side, so a 50 MB line costs no more than a short one.
fn short_line(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let at = at.min(bytes.len());
    let back = &bytes[at.saturating_sub(MAX_SHOWN_LINE + 1)..at];
    let start = match back.iter().rposition(|&b| b == b'\n') {
        Some(i) => at - back.len() + i + 1,
        None if back.len() == at => 0,
        None => return None,
    };
    let ahead = &bytes[at..(start + MAX_SHOWN_LINE + 1).min(bytes.len())];
    let end = match ahead.iter().position(|&b| b == b'\n') {
        Some(i) => at + i,
        None if at + ahead.len() == bytes.len() => bytes.len(),
        None => return None,
    };
    (end - start <= MAX_SHOWN_LINE).then_some((start, end))
}

/// The start of the first and the end of the last line of `start..end`,
/// when every line there is short.
fn short_lines(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let (from, mut to) = short_line(bytes, start)?;
    while to < end {
        (_, to) = short_line(bytes, to + 1)?;
    }
    Some((from, to))
}

/// A file's text as miette reads it, except that context lines too long
/// to show are left out, and excerpts that would hold one are refused
/// (miette then shows two labels apart rather than the lines between).
/// Reading an excerpt costs the excerpt, not the file: the line index
/// (built once per file, shared by all its findings) says where to start.
#[derive(Debug)]
struct Limited {
    text: Arc<String>,
    index: Arc<LineIndex>,
}

impl Limited {
    fn new(text: Arc<String>, index: Arc<LineIndex>) -> Limited {
        Limited { text, index }
    }

    /// Exactly what miette's own `str` implementation returns, found by
    /// running it from a line start a few lines above the span instead of
    /// from the start of the file, then moving its answer back into place.
    fn as_miette<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let offset = span.offset().min(self.text.len());
        // One line more than the context: miette's scan then holds, at
        // `from`, the same state as a scan from the file's start would.
        let line = self.index.newlines_before(offset);
        let from = self.index.line_start(line.saturating_sub(before + 1));
        if from == 0 {
            return self.text.as_str().read_span(span, before, after);
        }
        let lines_above = self.index.newlines_before(from);
        let tail = &self.text[from..];
        let moved: miette::SourceSpan = (span.offset() - from, span.len()).into();
        let contents = tail.read_span(&moved, before, after)?;
        Ok(Box::new(MietteSpanContents::new(
            contents.data(),
            (contents.span().offset() + from, contents.span().len()).into(),
            contents.line() + lines_above,
            contents.column(),
            contents.line_count() + lines_above,
        )))
    }
}

impl SourceCode for Limited {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        let start = span.offset().min(bytes.len());
        let end = (start + span.len()).min(bytes.len());
        let (mut from, mut to) = short_lines(bytes, start, end).ok_or(MietteError::OutOfBounds)?;
        let mut all_short = true;
        for _ in 0..before {
            match from.checked_sub(1).map(|prev| short_line(bytes, prev)) {
                Some(Some((line_start, _))) => from = line_start,
                Some(None) => all_short = false,
                None => {}
            }
        }
        for _ in 0..after {
            match (to + 1 < bytes.len()).then(|| short_line(bytes, to + 1)) {
                Some(Some((_, line_end))) => to = line_end,
                Some(None) => all_short = false,
                None => {}
            }
        }
        if all_short || before + after == 0 {
            // What miette would show anyway.
            return self.as_miette(span, before, after);
        }
        let line = self.index.newlines_before(from);
        let lines = bytes[from..to].iter().filter(|&&b| b == b'\n').count();
        Ok(Box::new(MietteSpanContents::new(
            &bytes[from..to],
            (from, to - from).into(),
            line,
            0,
            line + lines + 1,
        )))
    }
}

/// A string from metadata for the terminal: neutralised and cut short.
fn shown(text: &str) -> String {
    let safe = terminal_safe(text);
    match safe.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}… ({} more bytes)", &safe[..cut], safe.len() - cut),
        None => safe,
    }
}

/// One file's excerpt: its labels that can be shown, and where the
/// primary one is when it cannot.
struct Excerpt {
    source: Option<NamedSource<Limited>>,
    labels: Vec<LabeledSpan>,
    /// `file:line:column` of a primary label that cannot be shown.
    hidden_at: Option<String>,
}

impl Excerpt {
    /// `labels`: the primary first.
    fn new(
        name: &str,
        text: Arc<String>,
        index: Arc<LineIndex>,
        labels: &[(Span, Option<String>)],
    ) -> Excerpt {
        let mut shown_labels = vec![];
        for (i, (span, label)) in labels.iter().enumerate() {
            match fit(&text, *span) {
                Some(span) if i == 0 => {
                    shown_labels.push(LabeledSpan::new_primary_with_span(label.clone(), span))
                }
                Some(span) => shown_labels.push(LabeledSpan::new_with_span(label.clone(), span)),
                None if i == 0 => {
                    let (line, column) = index.line_col(&text, span.start as usize);
                    return Excerpt {
                        source: None,
                        labels: vec![],
                        hidden_at: Some(format!("{name}:{line}:{column}")),
                    };
                }
                None => {}
            }
        }
        Excerpt {
            source: Some(NamedSource::new(name, Limited::new(text, index))),
            labels: shown_labels,
            hidden_at: None,
        }
    }

    fn file(
        texts: &mut Texts,
        sources: &Sources,
        file: FileId,
        labels: &[(Span, Option<String>)],
    ) -> Excerpt {
        let name = terminal_safe(&sources.get(file).display);
        let (text, index) = texts.get_indexed(sources, file);
        Excerpt::new(&name, text, index, labels)
    }

    /// `message`, with the place it is about when the excerpt is hidden.
    fn message(&self, message: String) -> String {
        match &self.hidden_at {
            Some(at) => format!("{message}\n{at} (the line is too long to show)"),
            None => message,
        }
    }
}

impl Report {
    fn with_excerpt(mut self, excerpt: Excerpt) -> Report {
        self.message = excerpt.message(self.message);
        self.source = excerpt.source;
        self.labels = excerpt.labels;
        self
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .without_syntax_highlighting()
}

/// Renders findings, then input errors, then internal errors.
pub fn render(run: &Run, texts: &mut Texts, color: bool) -> String {
    let handler = handler(color);
    for finding in run.findings.iter().filter(|f| f.redact) {
        texts.redact(finding.loc);
    }
    texts.plan(run.read_order());
    let mut out = String::new();
    let mut emit = |report: &Report| {
        // Rendering into a String cannot fail.
        let _ = handler.render_report(&mut out, report);
        out.push('\n');
    };
    for finding in run.findings {
        let mut labels = vec![(finding.loc.span, finding.label.as_deref().map(shown))];
        let mut related = vec![];
        let note = |texts: &mut Texts, r: &crate::engine::Related| {
            let excerpt = Excerpt::file(texts, run.sources, r.loc.file, &[(r.loc.span, None)]);
            Report {
                code: None,
                severity: miette::Severity::Advice,
                message: shown(&r.message),
                help: None,
                source: None,
                labels: vec![],
                related: vec![],
            }
            .with_excerpt(excerpt)
        };
        // The other elements of a grouped finding, the first few of them
        // (the message names them all, the JSON locates them all), each
        // in an excerpt of its own: one excerpt would show every line
        // between them.
        for e in finding.elements.iter().skip(1).take(ELEMENTS_SHOWN - 1) {
            let r = crate::engine::Related {
                loc: e.loc,
                message: e.name.clone(),
            };
            related.push(note(texts, &r));
        }
        for r in &finding.related {
            if r.loc.file == finding.loc.file {
                labels.push((r.loc.span, Some(shown(&r.message))));
            } else {
                related.push(note(texts, r));
            }
        }
        let excerpt = Excerpt::file(texts, run.sources, finding.loc.file, &labels);
        emit(
            &Report {
                code: Some(format!("{} {}", finding.code, finding.name)),
                severity: match finding.severity {
                    Severity::Error => miette::Severity::Error,
                    Severity::Warning => miette::Severity::Warning,
                    Severity::Info => miette::Severity::Advice,
                },
                message: shown(&finding.message),
                help: finding.help.as_deref().map(shown),
                source: None,
                labels: vec![],
                related,
            }
            .with_excerpt(excerpt),
        );
    }
    for error in run.errors {
        emit(&error_report(error, texts, run.sources));
    }
    for message in run.internal_errors {
        emit(&Report {
            code: Some("minpriv::internal".into()),
            severity: miette::Severity::Error,
            message: message.clone(),
            help: None,
            source: None,
            labels: vec![],
            related: vec![],
        });
    }
    out
}

fn error_report(error: &FileError, texts: &mut Texts, sources: &Sources) -> Report {
    let display = terminal_safe(&sources.get(error.file).display);
    let report = Report {
        code: Some("minpriv::input".into()),
        severity: miette::Severity::Error,
        message: format!("{display}: {}", shown(&error.message)),
        help: error.help.as_deref().map(shown),
        source: None,
        labels: vec![],
        related: vec![],
    };
    match error.span {
        Some(span) => {
            report.with_excerpt(Excerpt::file(texts, sources, error.file, &[(span, None)]))
        }
        None => report,
    }
}

/// Renders configuration errors (before any file is read).
pub fn render_config_errors(
    errors: &crate::config::ConfigErrors,
    display: &str,
    color: bool,
) -> String {
    let handler = handler(color);
    let name = terminal_safe(display);
    let text = Arc::new(super::neutralise_controls(&errors.text));
    let index = Arc::new(LineIndex::new(&text));
    let mut out = String::new();
    for e in &errors.errors {
        let mut report = Report {
            code: Some("minpriv::config".into()),
            severity: miette::Severity::Error,
            message: format!("{name}: {}", shown(&e.message)),
            help: e.help.as_deref().map(shown),
            source: None,
            labels: vec![],
            related: vec![],
        };
        if let Some(span) = e.span {
            let excerpt = Excerpt::new(
                &name,
                Arc::clone(&text),
                Arc::clone(&index),
                &[(span, None)],
            );
            report = report.with_excerpt(excerpt);
        }
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(text: &str) -> Limited {
        Limited::new(Arc::new(text.to_owned()), Arc::new(LineIndex::new(text)))
    }

    /// What a `SpanContents` holds, to compare two of them.
    fn seen(c: &dyn SpanContents<'_>) -> (Vec<u8>, usize, usize, usize, usize, usize) {
        let s = c.span();
        (
            c.data().to_vec(),
            s.offset(),
            s.len(),
            c.line(),
            c.column(),
            c.line_count(),
        )
    }

    #[test]
    fn excerpts_read_from_the_index_are_what_miette_reads() {
        // Every line ending miette knows (LF, CRLF, a lone CR), empty
        // lines, multi-byte characters, spans at line starts and ends.
        let mut seed = 0x2545_f491_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..next(40) {
                text.push_str(
                    ["<a>", "x", "é", "\n", "\r\n", "\r", "\n\n", "  "][next(8) as usize],
                );
            }
            let source = limited(&text);
            for _ in 0..20 {
                let len = text.len() as u64;
                let mut start = next(len + 1) as usize;
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                let width = next(len - start as u64 + 1) as usize;
                let span: miette::SourceSpan = (start, width).into();
                let (before, after) = (next(3) as usize, next(3) as usize);
                let ours = source.as_miette(&span, before, after);
                let theirs = text.as_str().read_span(&span, before, after);
                match (ours, theirs) {
                    (Ok(a), Ok(b)) => assert_eq!(
                        seen(a.as_ref()),
                        seen(b.as_ref()),
                        "{text:?} {span:?} {before} {after}"
                    ),
                    (Err(_), Err(_)) => {}
                    (a, b) => panic!("{text:?} {span:?}: {:?} vs {:?}", a.is_ok(), b.is_ok()),
                }
            }
        }
    }

    #[test]
    fn long_lines_are_never_shown() {
        let long = "x".repeat(MAX_SHOWN_LINE + 1);
        let text = format!("<a>\n<b>{long}</b>\n<c/>\n");
        let b = text.find("<b>").unwrap();
        let c = text.find("<c/>").unwrap();
        assert_eq!(fit(&text, Span::new(0, 2)), Some(Span::new(0, 2)));
        assert_eq!(fit(&text, Span::new(b, b + 2)), None);
        assert_eq!(fit(&text, Span::new(c, c + 4)), Some(Span::new(c, c + 4)));
        // The long line beside is left out of the context.
        let source = limited(&text);
        let contents = source.read_span(&(c, 4).into(), 1, 1).unwrap();
        assert_eq!(contents.data(), b"<c/>");
        assert_eq!(contents.line(), 2);
        let contents = source.read_span(&(0, 2).into(), 1, 1).unwrap();
        assert_eq!(contents.data(), b"<a>");
        assert!(source.read_span(&(0, c).into(), 1, 1).is_err());
    }

    #[test]
    fn labels_over_many_lines_are_cut_to_their_first() {
        let text = format!("<a>{}</a>\n", "\n".repeat(100));
        assert_eq!(
            fit(&text, Span::new(0, text.len() - 1)),
            Some(Span::new(0, 3))
        );
    }

    #[test]
    fn a_hidden_excerpt_still_says_where() {
        let text = Arc::new(format!("<a>\n{}<b>\n", "y".repeat(5000)));
        let index = Arc::new(LineIndex::new(&text));
        let excerpt = Excerpt::new("f.xml", text, index, &[(Span::new(5001, 5004), None)]);
        assert!(excerpt.source.is_none());
        assert_eq!(
            excerpt.message("bad".into()),
            "bad\nf.xml:2:4998 (the line is too long to show)"
        );
    }
}
