//! The rule catalogue: one Markdown file per rule in the top-level `rules/`
//! directory, embedded at build time. Its TOML front matter holds the
//! rule's public identity (code, name, default severity, summary), so the
//! documentation is the single place those are written down. A leaf: it
//! knows the entries' format, not the rules; `rules` pairs each entry with
//! its check.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Inputs a rule needs beyond the metadata; without them it is reported as
/// not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    Inventory,
    OrgData,
    /// Usage logs (event log files, LoginHistory) in the org snapshot.
    UsageLogs,
    /// API usage logs covering at least `min-usage-days`.
    UsageWindow,
}

impl Need {
    pub fn reason(self) -> &'static str {
        match self {
            Need::Inventory => "needs an inventory (minpriv.toml with [[integration]] entries)",
            Need::OrgData => "needs the org snapshot (--org-data)",
            Need::UsageLogs => "needs usage logs in the org snapshot",
            Need::UsageWindow => "needs API usage logs covering at least min-usage-days days",
        }
    }
}

/// A rule's front matter.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    /// One line: what to do about a finding. The help of every finding
    /// whose rule gives no more specific one.
    pub fix: String,
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub sbs: Vec<String>,
}

/// Splits `+++ toml +++ body`.
fn split_front_matter(source: &'static str) -> Result<(&'static str, &'static str), String> {
    let rest = source
        .strip_prefix("+++\n")
        .ok_or("the file must start with a `+++` line")?;
    let end = rest.find("\n+++\n").ok_or("no closing `+++` line")?;
    Ok((&rest[..end + 1], &rest[end + 5..]))
}

/// A rule's catalogue entry (`rules/<CODE>.md`): its front matter and
/// the Markdown after it.
pub fn entry(doc: &'static str) -> Result<(Meta, &'static str), String> {
    let (front, body) = split_front_matter(doc)?;
    let meta: Meta = toml::from_str(front).map_err(|e| e.to_string())?;
    Ok((meta, body))
}
