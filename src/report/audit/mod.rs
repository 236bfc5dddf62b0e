//! The audit report (README, "Audit report"): one document a security review can keep as
//! evidence — summary, inventory, effective-access matrix with provenance,
//! high-risk permissions, findings, exceptions register, checks passed per
//! integration, rules not evaluated, and a SHA-256 digest of every input.
//!
//! Two stages, as everywhere in `report/`: [`build`] turns a run into an
//! [`Audit`] — plain strings and numbers, sorted, nothing left to decide —
//! and the askama templates in `templates/` lay it out as HTML or
//! Markdown. Templates never compute; the builder never formats markup.
//! Every value reaches the output through the escaper of its format
//! ([`escape`]), so a string from metadata cannot become markup.

mod build;
mod chart;
mod digest;
pub mod escape;
pub mod provenance;
mod usage;
mod verdict;

use askama::Template;
use serde::Serialize;

pub use build::{AuditInput, build};
pub use digest::InputDigest;
pub use provenance::{Provenance, ProvenanceInput};

/// The report's content, ready to lay out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    #[serde(skip)]
    pub version: &'static str,
    /// SHA-256 of the report's content: the canonical JSON (keys sorted,
    /// no whitespace) of the `report` member of `report --format json`.
    #[serde(skip)]
    pub digest: String,
    pub provenance: Provenance,
    /// The provenance as the tables show it.
    #[serde(skip)]
    pub provenance_rows: Vec<KeyValue>,
    /// The verdict over every integration, for the cover.
    pub verdict: OverallVerdict,
    /// One per integration, in inventory order.
    pub cards: Vec<Card>,
    pub controls: Controls,
    #[serde(skip)]
    pub charts: chart::Charts,
    /// `YYYY-MM-DD`: `--now`, or today.
    pub date: String,
    pub summary: AuditSummary,
    /// Sorted by integration name.
    pub inventory: Vec<InventoryRow>,
    pub matrix: AccessMatrix,
    /// Granted vs used, per integration (sorted as the inventory); empty
    /// without usage logs in the org snapshot.
    pub usage: Vec<UsageTable>,
    /// Sorted by integration, then permission.
    pub high_risk: Vec<HighRiskRow>,
    /// ADM001 / ADM002 findings: the report never says no integration
    /// holds a high-risk permission beside them.
    pub admin_findings: usize,
    /// Errors, warnings, info, in that order; empty groups left out.
    pub findings: Vec<SeverityGroup>,
    /// In config order (numbered as in minpriv.toml).
    pub exceptions: Vec<ExceptionRow>,
    pub checks: ChecksMatrix,
    pub not_evaluated: Vec<NotEvaluatedRow>,
    /// The inventory file as shown, when one was read.
    pub config: Option<String>,
    /// Sorted by path.
    pub inputs: Vec<InputDigest>,
    /// SHA-256 of the `sha256sum`-style listing of `inputs`.
    pub inputs_digest: String,
    pub input_errors: Vec<InputErrorRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings hidden by exceptions.
    pub suppressed: usize,
    pub integrations: usize,
    pub declared: usize,
    pub discovered: usize,
    /// Metadata files read.
    pub files: usize,
    pub rules_run: usize,
    pub rules_in_catalogue: usize,
    pub not_evaluated: usize,
    /// Inputs that could not be checked (and internal errors).
    pub inputs_failed: usize,
}

/// One integration: who it is and what is assigned to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryRow {
    pub name: String,
    /// How a discovered integration was found; `None` when declared.
    pub discovered: Option<String>,
    pub user: String,
    pub profiles: Vec<String>,
    pub licences: Vec<String>,
    /// `Name (Label)` when the label differs.
    pub permission_sets: Vec<String>,
    /// `Name: member, member; muting M`.
    pub groups: Vec<String>,
    /// `Name (connected app)`.
    pub apps: Vec<String>,
    /// Login IP ranges of the profile: `start-end (description)`.
    pub profile_ip_ranges: Vec<String>,
    /// The inventory's `ip-allowlist`, as written.
    pub allowlist: Vec<String>,
    pub owner: Option<String>,
    /// Components the inventory names that the metadata lacks.
    pub missing: Vec<String>,
}

/// Objects × integrations: what each integration can do on each object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessMatrix {
    /// Integration names, as in the inventory table.
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
    /// The provenance of every non-empty cell, numbered as the cells refer
    /// to them.
    pub notes: Vec<ProvenanceNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    pub object: String,
    /// The row for View All Data / Modify All Data, which reach every
    /// object.
    pub every_object: bool,
    /// One per column.
    pub cells: Vec<Option<MatrixCell>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixCell {
    /// `C R E D VA MA`, the letters of what is granted.
    pub flags: String,
    /// The number of its [`ProvenanceNote`].
    pub note: usize,
    /// The provenance, one grant a line (the hover text).
    pub title: String,
}

/// One integration's granted objects and what the usage logs show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageTable {
    pub integration: String,
    /// `47 days of logs, 2026-10-01 to 2026-11-16`, or why the logs
    /// cannot judge this integration.
    pub window: String,
    pub rows: Vec<UsageRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    pub object: String,
    /// `C R E D VA MA` letters granted.
    pub granted: String,
    /// Letters of the verbs the calls show; `?` for calls of unknown verb.
    pub used: String,
    /// `used`, `unused` or `unknown`: also the CSS class.
    pub status: &'static str,
    /// `4 calls (2 read, 1 create, 1 edit)`, `no call`, or why unknown.
    pub calls: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenanceNote {
    pub number: usize,
    pub integration: String,
    pub object: String,
    pub grants: Vec<GrantLine>,
}

/// One granting element: what it gives, where it is, how it reaches the
/// user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantLine {
    /// Flags (`C R E`); empty where the row says what is granted.
    pub what: String,
    /// `permission set Orders_Integration_Write`, `profile Admin`.
    pub holder: String,
    /// `path:line`.
    pub location: String,
    /// `in group G`, `in groups G, H and assigned directly`; empty when
    /// assigned directly only.
    pub path: String,
}

impl GrantLine {
    /// `C R E via permission set X (path:23) in group G`.
    pub fn sentence(&self) -> String {
        let mut out = format!("via {} ({})", self.holder, self.location);
        if !self.what.is_empty() {
            out = format!("{} {out}", self.what);
        }
        if !self.path.is_empty() {
            out.push(' ');
            out.push_str(&self.path);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HighRiskRow {
    pub integration: String,
    pub permission: String,
    /// Its Setup label.
    pub label: String,
    /// Listed in the integration's `allow-permissions`.
    pub accepted: bool,
    pub grants: Vec<GrantLine>,
    /// The ADM001 / ADM002 findings about it: the section says what
    /// `check` says.
    pub findings: Vec<FindingLink>,
}

/// A pointer to a finding of the findings section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingLink {
    /// [`FindingRow::number`].
    pub number: usize,
    pub anchor: String,
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub location: String,
    pub fingerprint: String,
}

/// One row of a two-column table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: &'static str,
    pub value: String,
    /// The value is not known: shown as such.
    pub unknown: bool,
}

/// How many integrations got each verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OverallVerdict {
    pub compliant: usize,
    pub findings: usize,
    pub not_evaluated: usize,
    /// One sentence.
    pub text: String,
}

/// The verdict card of one integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    /// `card-N`.
    pub anchor: String,
    /// Who it is: the inventory row.
    pub identity: InventoryRow,
    /// `declared`, `app` or `snapshot`: how minpriv knows of it.
    pub origin: &'static str,
    /// What shows it is an integration, one fact a line, located.
    pub evidence: Vec<String>,
    /// The user's record in the org snapshot: active, last login.
    pub snapshot_user: Option<String>,
    /// What it can do, object by object (`Order: C R E`).
    pub objects: Vec<String>,
    /// The high-risk system permissions that reach it.
    pub high_risk: Vec<String>,
    /// What it used, when usage logs were given; `None` otherwise (and
    /// the card says nothing about usage).
    pub usage: Option<Vec<UsageLine>>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Errors first.
    pub findings: Vec<FindingLink>,
    /// The exceptions that hid findings about it or are scoped to it.
    pub exceptions: Vec<String>,
    /// `compliant`, `findings`, `not evaluated`: also the CSS class.
    pub verdict: &'static str,
    /// Why, in one line.
    pub verdict_text: String,
}

/// Granted against used, for one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageLine {
    pub object: String,
    pub granted: String,
    pub used: String,
}

/// SBS controls × integrations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Controls {
    pub columns: Vec<String>,
    pub rows: Vec<ControlRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRow {
    /// `SBS-ACS-009`.
    pub control: String,
    /// The rules that map to it, by code.
    pub rules: Vec<&'static str>,
    pub cells: Vec<ControlCell>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlCell {
    /// `pass`, `fail`, `not evaluated`.
    pub status: &'static str,
    /// Why, when it is not a plain pass.
    pub note: String,
    /// The control's rules that did not run, by code (see the rules not
    /// evaluated for why).
    pub not_run: Vec<&'static str>,
    /// The findings that fail it.
    pub findings: Vec<FindingLink>,
}

impl Card {
    /// The verdict as a CSS class.
    pub fn verdict_class(&self) -> String {
        self.verdict.replace(' ', "-")
    }
}

impl OverallVerdict {
    /// The worst verdict, as a CSS class: `findings`, `not-evaluated`,
    /// `compliant`.
    pub fn class(&self) -> &'static str {
        if self.findings > 0 {
            "findings"
        } else if self.not_evaluated > 0 {
            "not-evaluated"
        } else {
            "compliant"
        }
    }
}

impl ControlCell {
    pub fn class(&self) -> String {
        self.status.replace(' ', "-")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityGroup {
    /// `error`, `warning`, `info`: also the CSS class.
    pub severity: &'static str,
    /// `Errors`, `Warnings`, `Info`.
    pub title: &'static str,
    pub rows: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// Its place in the run's findings, 1-based: what cards and controls
    /// refer to.
    pub number: usize,
    /// `finding-N`: the id cards and controls link to.
    pub anchor: String,
    pub severity: &'static str,
    pub fingerprint: String,
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub help: String,
    /// `path:line`.
    pub location: String,
    /// The integrations concerned, joined; empty when none.
    pub integrations: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionRow {
    /// 1-based, in config order.
    pub number: usize,
    pub rule: String,
    pub rule_name: String,
    /// `integration X`, `files GLOB`; empty: every finding of the rule.
    pub scope: Vec<String>,
    pub reason: String,
    pub expires: Option<String>,
    pub hidden: usize,
    /// `CODE path:line (integration)` of each finding it hid.
    pub hidden_findings: Vec<String>,
    /// `active`, `expired`, `unused`, `not run`: also the CSS class.
    pub status: &'static str,
    /// A sentence explaining the status.
    pub status_text: String,
    /// minpriv.toml:line of the `[[exception]]`.
    pub location: String,
}

/// Rules × integrations: which checks each integration passed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChecksMatrix {
    pub columns: Vec<String>,
    pub rows: Vec<CheckRow>,
    /// Per column: `(passed, run)`.
    pub totals: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRow {
    pub code: &'static str,
    pub name: &'static str,
    pub cells: Vec<CheckCell>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckCell {
    /// `passed`, `failed`, `excepted`: also the CSS class.
    pub status: &'static str,
    /// `passed`, `2 findings`, `excepted (1)`.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotEvaluatedRow {
    pub code: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputErrorRow {
    pub location: String,
    pub message: String,
}

impl ExceptionRow {
    /// The status as a CSS class.
    pub fn status_class(&self) -> String {
        self.status.replace(' ', "-")
    }
}

/// The report's stylesheet and sorting script, inlined into every HTML
/// report; the Content-Security-Policy allows exactly these two by hash,
/// and nothing is ever fetched.
const STYLE: &str = include_str!("../../../templates/audit.css");
const SCRIPT: &str = include_str!("../../../templates/audit.js");

#[derive(Template)]
#[template(path = "audit.html", config = "templates/askama.toml")]
struct Html<'a> {
    audit: &'a Audit,
    style: &'static str,
    style_hash: String,
    /// The page footer of print: the report's digest and page numbers.
    page_style: String,
    page_style_hash: String,
    script: &'static str,
    script_hash: String,
}

#[derive(Template)]
#[template(path = "audit.md", config = "templates/askama.toml")]
struct Markdown<'a> {
    audit: &'a Audit,
}

/// The page margins of print: the report's digest at the bottom left and
/// `Page N of M` at the bottom right of every page (CSS page margin boxes,
/// which Chromium prints). The digest is hex: nothing to escape.
fn page_style(digest: &str) -> String {
    debug_assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
    format!(
        "@page{{@bottom-left{{content:\"minpriv audit report \\00b7  SHA-256 {digest}\";font:7.5pt ui-monospace,monospace;color:#374151}}\
@bottom-right{{content:\"Page \" counter(page) \" of \" counter(pages);font:8pt system-ui,sans-serif;color:#374151}}}}"
    )
}

/// The report as one self-contained HTML file.
pub fn render_html(audit: &Audit) -> String {
    let page_style = page_style(&audit.digest);
    Html {
        audit,
        style: STYLE,
        style_hash: digest::csp_hash(STYLE),
        page_style_hash: digest::csp_hash(&page_style),
        page_style,
        script: SCRIPT,
        script_hash: digest::csp_hash(SCRIPT),
    }
    .render()
    .expect("the audit template renders plain data")
}

/// The report as GitHub-flavoured Markdown.
pub fn render_markdown(audit: &Audit) -> String {
    Markdown { audit }
        .render()
        .expect("the audit template renders plain data")
}

/// The version of the audit report's JSON document.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonDocument<'a> {
    version: u32,
    kind: &'static str,
    tool: crate::report::json::Tool,
    /// [`Audit::digest`].
    digest: &'a str,
    report: &'a Audit,
}

/// The report as JSON (`report --format json`): the same content as the
/// HTML — provenance, verdict cards, controls, inventory, access,
/// findings, exceptions, digests — versioned like the findings JSON.
pub fn render_json(audit: &Audit) -> String {
    let doc = JsonDocument {
        version: JSON_VERSION,
        kind: "audit-report",
        tool: crate::report::json::Tool::MINPRIV,
        digest: &audit.digest,
        report: audit,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("JSON of plain data");
    out.push('\n');
    out
}

/// SHA-256 of the canonical JSON of the report's content: the `report`
/// member of [`render_json`], keys sorted, no whitespace.
pub fn content_digest(audit: &Audit) -> String {
    let value = serde_json::to_value(audit).expect("JSON of plain data");
    digest::sha256_hex(value.to_string().as_bytes())
}
