//! `--format text`: miette's graphical reports — code, message, the source
//! excerpt with the offending element underlined, related locations, help.
//! All miette use is in this module.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{Run, Texts, terminal_safe};
use crate::catalogue::Severity;
use crate::source::{FileError, Sources};

/// Fixed, so output does not depend on the terminal it was produced in.
const WIDTH: usize = 100;

/// One report as miette sees it.
#[derive(Debug)]
struct Report {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<Arc<String>>>,
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

fn source(
    texts: &mut Texts,
    sources: &Sources,
    file: crate::source::FileId,
) -> NamedSource<Arc<String>> {
    NamedSource::new(
        terminal_safe(&sources.get(file).display),
        texts.get(sources, file),
    )
}

/// Renders findings, then input errors, then internal errors.
pub fn render(run: &Run, texts: &mut Texts, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .without_syntax_highlighting();
    for finding in run.findings.iter().filter(|f| f.redact) {
        texts.redact(finding.loc);
    }
    let mut out = String::new();
    let mut emit = |report: &Report| {
        // Rendering into a String cannot fail.
        let _ = handler.render_report(&mut out, report);
        out.push('\n');
    };
    for finding in run.findings {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            finding.label.as_deref().map(terminal_safe),
            finding.loc.span,
        )];
        let mut related = vec![];
        for r in &finding.related {
            if r.loc.file == finding.loc.file {
                labels.push(LabeledSpan::at(r.loc.span, terminal_safe(&r.message)));
            } else {
                related.push(Report {
                    code: None,
                    severity: miette::Severity::Advice,
                    message: terminal_safe(&r.message),
                    help: None,
                    source: Some(source(texts, run.sources, r.loc.file)),
                    labels: vec![LabeledSpan::new_primary_with_span(None, r.loc.span)],
                    related: vec![],
                });
            }
        }
        emit(&Report {
            code: Some(format!("{} {}", finding.code, finding.name)),
            severity: match finding.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            message: terminal_safe(&finding.message),
            help: finding.help.as_deref().map(terminal_safe),
            source: Some(source(texts, run.sources, finding.loc.file)),
            labels,
            related,
        });
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
    match error.span {
        Some(span) => Report {
            code: Some("minpriv::input".into()),
            severity: miette::Severity::Error,
            message: format!("{display}: {}", terminal_safe(&error.message)),
            help: error.help.as_deref().map(terminal_safe),
            source: Some(source(texts, sources, error.file)),
            labels: vec![LabeledSpan::new_primary_with_span(None, span)],
            related: vec![],
        },
        None => Report {
            code: Some("minpriv::input".into()),
            severity: miette::Severity::Error,
            message: format!("{display}: {}", terminal_safe(&error.message)),
            help: error.help.as_deref().map(terminal_safe),
            source: None,
            labels: vec![],
            related: vec![],
        },
    }
}

/// Renders configuration errors (before any file is read).
pub fn render_config_errors(
    errors: &crate::config::ConfigErrors,
    display: &str,
    color: bool,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .without_syntax_highlighting();
    let text = Arc::new(super::neutralise_controls(&errors.text));
    let mut out = String::new();
    for e in &errors.errors {
        let report = Report {
            code: Some("minpriv::config".into()),
            severity: miette::Severity::Error,
            message: format!("{}: {}", terminal_safe(display), terminal_safe(&e.message)),
            help: e.help.as_deref().map(terminal_safe),
            source: e
                .span
                .as_ref()
                .map(|_| NamedSource::new(terminal_safe(display), Arc::clone(&text))),
            labels: e
                .span
                .clone()
                .map(|s| vec![LabeledSpan::new_primary_with_span(None, s)])
                .unwrap_or_default(),
            related: vec![],
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out
}
