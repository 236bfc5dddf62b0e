//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues,
//! the Code Climate subset GitLab reads), shown in merge requests.
//!
//! Severity: error → `critical`, warning → `major`, info → `info`; an input
//! that could not be checked is a `blocker` (check `minpriv/input-error`).
//! GitLab identifies an issue by its fingerprint across pipelines, so the
//! fingerprint is the baseline fingerprint, with `-2`, `-3`… appended to the
//! second and later findings that share one (GitLab wants them unique).

use std::collections::HashMap;

use serde::Serialize;

use super::{Run, Texts};
use crate::catalogue::Severity;
use crate::source::Loc;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn render(run: &Run, texts: &mut Texts) -> String {
    texts.plan(run.read_order());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut issues: Vec<Issue> = run
        .findings
        .iter()
        .map(|f| {
            let n = seen.entry(f.fingerprint.as_str()).or_default();
            *n += 1;
            let fingerprint = match *n {
                1 => f.fingerprint.clone(),
                n => format!("{}-{n}", f.fingerprint),
            };
            Issue {
                description: format!("{} {}: {}", f.code, f.name, f.message),
                check_name: f.code.to_owned(),
                fingerprint,
                severity: severity(f.severity),
                location: Location {
                    path: run.display(f.loc.file),
                    lines: Lines {
                        begin: texts.region(run.sources, f.loc).line,
                    },
                },
            }
        })
        .collect();
    for e in run.errors {
        let path = run.display(e.file);
        let line = e.span.map_or(1, |span| {
            texts.region(run.sources, Loc { file: e.file, span }).line
        });
        issues.push(Issue {
            description: format!("minpriv could not check this file: {}", e.message),
            check_name: "minpriv/input-error".into(),
            fingerprint: crate::engine::fingerprint_of(&["input-error", path, &e.message]),
            severity: "blocker",
            location: Location {
                path,
                lines: Lines { begin: line },
            },
        });
    }
    let mut out = serde_json::to_string_pretty(&issues).expect("JSON of plain data");
    out.push('\n');
    out
}
