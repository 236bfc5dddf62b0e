//! `--format json`: stable and versioned.

use serde::Serialize;

use super::{Run, Summary, Texts};
use crate::engine::Component;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: &'a Summary,
    findings: Vec<FindingJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
}

/// The `tool` object of minpriv's JSON documents (findings and delta).
#[derive(Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    pub(crate) const MINPRIV: Tool = Tool {
        name: "minpriv",
        version: env!("CARGO_PKG_VERSION"),
    };
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    integration: Option<&'a str>,
    component: &'a Component,
    fingerprint: &'a str,
    /// A grouped finding's elements, highest risk first (the first is
    /// where `file`, `line` and `column` point).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    elements: Vec<ElementJson<'a>>,
}

#[derive(Serialize)]
struct ElementJson<'a> {
    name: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    fingerprint: &'a str,
    /// With `--baseline`: whether the baseline does not record it.
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<bool>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

pub fn render(run: &Run, texts: &mut Texts) -> String {
    texts.plan(run.read_order());
    let findings = run
        .findings
        .iter()
        .map(|f| {
            let (line, column, end_line, end_column) = texts.position(run.sources, f.loc);
            FindingJson {
                rule: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                message: &f.message,
                help: f.help.as_deref(),
                file: &run.sources.get(f.loc.file).display,
                line,
                column,
                end_line,
                end_column,
                integration: f.integration.as_deref(),
                component: &f.component,
                fingerprint: &f.fingerprint,
                elements: f
                    .elements
                    .iter()
                    .map(|e| {
                        let (line, column, _, _) = texts.position(run.sources, e.loc);
                        ElementJson {
                            name: &e.name,
                            file: &run.sources.get(e.loc.file).display,
                            line,
                            column,
                            fingerprint: &e.fingerprint,
                            new: e.new,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let mut errors: Vec<ErrorJson> = run
        .errors
        .iter()
        .map(|e| {
            let position = e
                .span
                .map(|span| texts.position(run.sources, crate::source::Loc { file: e.file, span }));
            ErrorJson {
                file: Some(&run.sources.get(e.file).display),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                message: &e.message,
            }
        })
        .collect();
    errors.extend(run.internal_errors.iter().map(|message| ErrorJson {
        file: None,
        line: None,
        column: None,
        message,
    }));
    let doc = Document {
        version: 1,
        tool: Tool::MINPRIV,
        summary: &run.summary,
        findings,
        errors,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("JSON of plain data");
    out.push('\n');
    out
}
