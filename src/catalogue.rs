//! The rule catalogue: one Markdown file per rule in the top-level `rules/`
//! directory, embedded at build time. Its TOML front matter holds the
//! rule's public identity (code, name, default severity, summary), so the
//! documentation is the single place those are written down.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::rules::{ALL, RuleDef};

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

/// A rule: its implementation and its documentation.
pub struct Rule {
    pub def: &'static RuleDef,
    pub meta: Meta,
    /// The Markdown after the front matter.
    pub body: &'static str,
}

impl Rule {
    pub fn code(&self) -> &str {
        &self.meta.code
    }

    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// The family: the letters of the code (`NET` of `NET001`).
    pub fn family(&self) -> &str {
        self.meta
            .code
            .trim_end_matches(|c: char| c.is_ascii_digit())
    }

    /// The one-line fix hint.
    pub fn fix_hint(&self) -> &str {
        &self.meta.fix
    }

    /// The fenced examples: `(info string, code)`, e.g. `("xml bad", ...)`.
    pub fn examples(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = vec![];
        let mut rest = self.body;
        while let Some(open) = rest.find("```") {
            let after = &rest[open + 3..];
            let Some(nl) = after.find('\n') else { break };
            let info = after[..nl].trim();
            let code_start = &after[nl + 1..];
            let Some(close) = code_start.find("\n```") else {
                break;
            };
            out.push((info, &code_start[..close + 1]));
            rest = &code_start[close + 4..];
        }
        out
    }
}

/// Splits `+++ toml +++ body`.
fn split_front_matter(source: &'static str) -> Result<(&'static str, &'static str), String> {
    let rest = source
        .strip_prefix("+++\n")
        .ok_or("the file must start with a `+++` line")?;
    let end = rest.find("\n+++\n").ok_or("no closing `+++` line")?;
    Ok((&rest[..end + 1], &rest[end + 5..]))
}

fn load(def: &'static RuleDef) -> Result<Rule, String> {
    let (front, body) = split_front_matter(def.doc)?;
    let meta: Meta = toml::from_str(front).map_err(|e| e.to_string())?;
    if meta.code != def.code {
        return Err(format!(
            "front matter says {}, code says {}",
            meta.code, def.code
        ));
    }
    Ok(Rule { def, meta, body })
}

static CATALOGUE: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    ALL.iter()
        .map(|def| {
            // The catalogue is compiled in and checked by tests; a broken
            // entry is a build defect, not an input error.
            load(def).unwrap_or_else(|e| panic!("rules/{}.md: {e}", def.code))
        })
        .collect()
});

/// Every implemented rule, in code order.
pub fn rules() -> &'static [Rule] {
    &CATALOGUE
}

/// A rule by code (`NET001`) or name (`missing-login-ip-ranges`), any case.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    rules().iter().find(|r| {
        r.code().eq_ignore_ascii_case(code_or_name) || r.name().eq_ignore_ascii_case(code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_loads_and_identities_are_unique() {
        let mut codes = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for def in ALL {
            let rule = load(def).unwrap_or_else(|e| panic!("rules/{}.md: {e}", def.code));
            assert!(
                codes.insert(rule.meta.code.clone()),
                "duplicate code {}",
                rule.code()
            );
            assert!(
                names.insert(rule.meta.name.clone()),
                "duplicate name {}",
                rule.name()
            );
            assert!(
                rule.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-')
                    && !rule.name().starts_with("no-"),
                "{}: names are kebab-case and name the risk",
                rule.code()
            );
            assert!(
                rule.meta.summary.ends_with('.'),
                "{}: summary is a sentence",
                rule.code()
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## How to fix it",
                "## Example",
            ] {
                assert!(
                    rule.body.contains(heading),
                    "{} lacks {heading}",
                    rule.code()
                );
            }
            assert!(
                rule.meta.fix.ends_with('.'),
                "{}: the fix hint is a sentence",
                rule.code()
            );
        }
        let sorted: Vec<_> = ALL.iter().map(|d| d.code).collect();
        let mut expected = sorted.clone();
        expected.sort();
        assert_eq!(sorted, expected, "rules::ALL is kept in code order");
    }
}
