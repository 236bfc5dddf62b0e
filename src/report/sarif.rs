//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.
//!
//! The types below are the subset of the SARIF object model minpriv writes,
//! hand-written rather than taken from a crate (README, Dependencies, says
//! why); `tests/sarif.rs` validates the output against the official schema.
//!
//! - One run; `tool.driver.rules` lists the rules the run selected, and
//!   every result's `ruleIndex` points into that list.
//! - Locations are relative URIs against `%SRCROOT%`, which is the current
//!   directory (the paths of the JSON output, percent-encoded); a file
//!   outside it is an absolute `file:` URI.
//! - `partialFingerprints["minpriv/v1"]` is the baseline fingerprint, so code
//!   scanning tracks an alert across line moves and format changes.
//! - Inputs that could not be checked make the invocation unsuccessful and
//!   are listed as tool execution notifications.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use super::{Region, Run, Texts};
use crate::catalogue::Severity;
use crate::engine::{Component, Rule};
use crate::source::Loc;

/// The schema URI GitHub's own tools write.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of minpriv's fingerprint in `partialFingerprints`; the suffix
/// changes whenever the fingerprint's recipe does.
pub const FINGERPRINT_KEY: &str = "minpriv/v1";

/// What `%SRCROOT%` stands for: the directory minpriv ran in.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    /// Columns count characters, as in the JSON output.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    integration: Option<&'a str>,
    component: &'a Component,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    /// Exclusive, as SARIF defines it.
    end_column: usize,
}

impl From<Region> for SarifRegion {
    fn from(r: Region) -> Self {
        SarifRegion {
            start_line: r.line,
            start_column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<DescriptorReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<DescriptorReference>,
}

#[derive(Serialize)]
struct DescriptorReference {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

/// SARIF's level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score) for a rule's default
/// severity: error is "high" (7.0–8.9), warning "medium" (4.0–6.9), info
/// "low" (0.1–3.9).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// Where to read about minpriv, when the package names a real place.
fn information_uri() -> Option<&'static str> {
    let repository = env!("CARGO_PKG_REPOSITORY");
    (!repository.is_empty() && !repository.contains(".invalid")).then_some(repository)
}

pub fn render(run: &Run, texts: &mut Texts) -> String {
    texts.plan(run.read_order());
    let rules = run.rules.iter().map(|r| descriptor(r)).collect();
    let rule_index = |code: &str| run.rules.iter().position(|r| r.code() == code);
    let results = run
        .findings
        .iter()
        .map(|f| {
            // The other elements of a grouped finding, then its notes.
            let others = f.elements.iter().skip(1).map(|e| (e.loc, e.name.clone()));
            let notes = f.related.iter().map(|r| (r.loc, r.message.clone()));
            let related_locations = others
                .chain(notes)
                .enumerate()
                .map(|(i, (loc, text))| Location {
                    id: Some(i + 1),
                    physical_location: physical(run, texts, loc),
                    message: Some(Text { text }),
                })
                .collect();
            SarifResult {
                rule_id: f.code,
                // A finding's rule always ran, so it is in the list.
                rule_index: rule_index(f.code).unwrap_or_default(),
                level: level(f.severity),
                message: Text {
                    text: f.message.clone(),
                },
                locations: [Location {
                    id: None,
                    physical_location: physical(run, texts, f.loc),
                    message: None,
                }],
                related_locations,
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
                properties: ResultProperties {
                    integration: f.integration.as_deref(),
                    component: &f.component,
                    help: f.help.as_deref(),
                },
            }
        })
        .collect();

    let mut execution = vec![];
    for e in run.errors {
        let region = e
            .span
            .map(|span| texts.region(run.sources, Loc { file: e.file, span }).into());
        execution.push(Notification {
            level: "error",
            message: Text {
                text: e.message.clone(),
            },
            locations: vec![Location {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location: artifact(run.display(e.file)),
                    region,
                },
                message: None,
            }],
            descriptor: Some(DescriptorReference {
                id: "input-error".into(),
                index: None,
            }),
            associated_rule: None,
        });
    }
    for message in run.internal_errors {
        execution.push(Notification {
            level: "error",
            message: Text {
                text: message.clone(),
            },
            locations: vec![],
            descriptor: Some(DescriptorReference {
                id: "internal-error".into(),
                index: None,
            }),
            associated_rule: None,
        });
    }
    let configuration = run
        .summary
        .not_evaluated
        .iter()
        .map(|n| Notification {
            level: "note",
            message: Text {
                text: format!("{} was not evaluated: it {}", n.rule, n.reason),
            },
            locations: vec![],
            descriptor: Some(DescriptorReference {
                id: "not-evaluated".into(),
                index: None,
            }),
            associated_rule: Some(DescriptorReference {
                id: n.rule.to_owned(),
                index: rule_index(n.rule),
            }),
        })
        .collect();

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: Tool {
                driver: Driver {
                    name: "minpriv",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: !run.failed(),
                tool_execution_notifications: execution,
                tool_configuration_notifications: configuration,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("JSON of plain data");
    out.push('\n');
    out
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor<'static> {
    let mut tags = vec!["security".to_owned(), rule.family().to_owned()];
    tags.extend(rule.meta.sbs.iter().cloned());
    let what = section(rule.body, "## What it does").unwrap_or_default();
    let why = section(rule.body, "## Why is this bad?").unwrap_or_default();
    ReportingDescriptor {
        id: rule.code(),
        name: rule.name(),
        short_description: Text {
            text: rule.meta.summary.clone(),
        },
        full_description: Text {
            text: [what, why]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n"),
        },
        help: Help {
            text: rule.body.trim(),
            markdown: rule.body.trim(),
        },
        default_configuration: Configuration {
            level: level(rule.meta.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(rule.meta.severity),
            tags,
        },
    }
}

/// The text under a `## ` heading of a catalogue body, up to the next one.
fn section<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    let start = body.find(heading)? + heading.len();
    let rest = &body[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

fn physical(run: &Run, texts: &mut Texts, loc: Loc) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact(run.display(loc.file)),
        region: Some(texts.region(run.sources, loc).into()),
    }
}

/// What a path segment keeps unescaped in a URI: unreserved characters,
/// the sub-delimiters that are harmless in a path, and `/`. `%` (file names
/// are URL-encoded full names) and `:` (a relative reference's first
/// segment must not look like a scheme) are escaped.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The artifact location of a shown path: relative to `%SRCROOT%`, or an
/// absolute `file:` URI for a file outside the current directory.
fn artifact(display: &str) -> ArtifactLocation {
    let drive =
        display.len() >= 3 && display.as_bytes()[0].is_ascii_alphabetic() && &display[1..3] == ":/";
    if drive {
        let encoded = utf8_percent_encode(&display[2..], PATH);
        ArtifactLocation {
            uri: format!("file:///{}{encoded}", &display[..2]),
            uri_base_id: None,
        }
    } else if display.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", utf8_percent_encode(display, PATH)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: utf8_percent_encode(display, PATH).to_string(),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// The URI a shown path becomes, for tests and other formats.
pub fn uri(display: &str) -> String {
    artifact(display).uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_a_uri_cannot_hold() {
        assert_eq!(
            uri("force-app/profiles/Custom%3A Sales.profile-meta.xml"),
            "force-app/profiles/Custom%253A%20Sales.profile-meta.xml"
        );
        assert_eq!(uri("a:b/c"), "a%3Ab/c");
        assert_eq!(uri("caf\u{e9}/x#1"), "caf%C3%A9/x%231");
        assert_eq!(uri("/tmp/a b"), "file:///tmp/a%20b");
        assert_eq!(uri("C:/x y"), "file:///C:/x%20y");
        assert_eq!(artifact("x").uri_base_id, Some("%SRCROOT%"));
        assert_eq!(artifact("/x").uri_base_id, None);
    }

    #[test]
    fn sections_split_at_headings() {
        let body = "## What it does\n\nFlags.\n\n## Why is this bad?\n\nBecause.\n";
        assert_eq!(section(body, "## What it does"), Some("Flags."));
        assert_eq!(section(body, "## Why is this bad?"), Some("Because."));
        assert_eq!(section(body, "## Example"), None);
    }
}
