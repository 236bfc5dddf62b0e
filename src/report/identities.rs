//! The identity summary that opens the text output: one block
//! per integration — who it is, the evidence it was found by, its profile
//! and licence, and its worst findings, one line each — so that a first
//! run on an unknown org says what minpriv thinks the integrations are
//! before the findings about them.

use std::fmt::Write as _;

use super::{Run, Texts, terminal_safe};
use crate::access::Holder;
use crate::catalogue::Severity;
use crate::engine::Finding;
use crate::integration::{Integrations, Origin};
use crate::model::{IntegrationId, Org};

/// How many pieces of evidence a block shows.
const EVIDENCE_SHOWN: usize = 4;
/// How many findings a block shows.
const WORST_SHOWN: usize = 3;
/// Lines are cut to this many characters.
const WIDTH: usize = 100;

/// The summary, or nothing when the run knows no integration.
pub fn summary(org: &Org, integrations: &Integrations, findings: &[Finding]) -> String {
    if integrations.list.is_empty() {
        return String::new();
    }
    let mut order: Vec<IntegrationId> = integrations.list.ids().collect();
    order.sort_by(|&a, &b| integrations.list[a].name.cmp(&integrations.list[b].name));
    let suspects = integrations
        .list
        .iter()
        .filter(|i| i.suspect.is_some())
        .count();
    let mut out = format!(
        "Integrations ({}{}):\n",
        integrations.list.len(),
        match suspects {
            0 => String::new(),
            n => format!(", {n} suspected by name only"),
        }
    );
    for i in order {
        let integration = &integrations.list[i];
        let kinds: Vec<&str> = {
            let mut k: Vec<_> = integration.evidence.iter().map(|e| e.kind).collect();
            k.sort();
            k.dedup();
            k.into_iter().map(|k| k.label()).collect()
        };
        let _ = writeln!(
            out,
            "\n  {} [{}]{}",
            cut(&integration.name),
            kinds.join(", "),
            if integration.suspect.is_some() {
                " suspected"
            } else {
                ""
            }
        );
        line(
            &mut out,
            "user",
            integration.user.as_deref().unwrap_or("unknown"),
        );
        let profiles: Vec<String> = integration
            .profiles
            .iter()
            .map(|&p| {
                let profile = &org.profiles[p];
                let licence = profile
                    .user_license
                    .as_ref()
                    .map_or("licence not stated", |l| org.name(l.value));
                format!("{} ({licence})", org.name(profile.header.name))
            })
            .collect();
        line(
            &mut out,
            "profile",
            &if profiles.is_empty() {
                "unknown (not in the metadata read)".to_owned()
            } else {
                profiles.join(", ")
            },
        );
        if !integration.permission_sets.is_empty() || !integration.groups.is_empty() {
            let sets: Vec<&str> = integration
                .permission_sets
                .iter()
                .map(|&s| org.name(org.permission_sets[s].header.name))
                .chain(
                    integration
                        .groups
                        .iter()
                        .map(|&g| org.name(org.groups[g].header.name)),
                )
                .collect();
            line(&mut out, "sets", &sets.join(", "));
        }
        for (n, e) in integration.evidence.iter().take(EVIDENCE_SHOWN).enumerate() {
            line(
                &mut out,
                if n == 0 { "evidence" } else { "" },
                &format!("{}: {}", e.kind.label(), e.detail),
            );
        }
        if integration.evidence.len() > EVIDENCE_SHOWN {
            line(
                &mut out,
                "",
                &format!("and {} more", integration.evidence.len() - EVIDENCE_SHOWN),
            );
        }
        if integration.suspect.is_some() {
            let key = match integration.origin {
                Origin::Discovered(Holder::PermissionSet(_)) => "human-permission-sets",
                _ => "human-profiles",
            };
            line(
                &mut out,
                "",
                &format!(
                    "only its name says so: declare it in minpriv.toml, or dismiss it with [lint] {key}"
                ),
            );
        }
        let mut worst: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.integrations.contains(&integration.name))
            .collect();
        // Errors first; within a severity, in catalogue order (ADM001
        // before PRF003).
        worst.sort_by_key(|f| (std::cmp::Reverse(rank(f.severity)), f.code));
        if worst.is_empty() {
            line(&mut out, "findings", "none");
        }
        for (n, f) in worst.iter().take(WORST_SHOWN).enumerate() {
            line(
                &mut out,
                if n == 0 { "findings" } else { "" },
                &format!("{} {} {}", f.severity.as_str(), f.code, f.message),
            );
        }
        if worst.len() > WORST_SHOWN {
            line(
                &mut out,
                "",
                &format!("and {} more below", worst.len() - WORST_SHOWN),
            );
        }
    }
    out.push('\n');
    out
}

/// `--format text`: the summary, then the findings, errors first (in
/// file order within a severity).
pub fn render_text(
    run: &Run,
    org: &Org,
    integrations: &Integrations,
    texts: &mut Texts,
    color: bool,
) -> String {
    let mut ordered: Vec<Finding> = run.findings.to_vec();
    ordered.sort_by_key(|f| std::cmp::Reverse(rank(f.severity)));
    let reordered = Run {
        findings: &ordered,
        summary: run.summary.clone(),
        ..*run
    };
    let mut out = summary(org, integrations, run.findings);
    out.push_str(&super::text::render(&reordered, texts, color));
    out
}

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 2,
        Severity::Warning => 1,
        Severity::Info => 0,
    }
}

/// `    profile   Orders Integration (Salesforce Integration)`
fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "    {key:<9} {}", cut(value));
}

/// Terminal-safe, on one line, at most [`WIDTH`] characters.
fn cut(text: &str) -> String {
    let safe = terminal_safe(text);
    if safe.chars().count() <= WIDTH {
        return safe;
    }
    let mut short: String = safe.chars().take(WIDTH - 1).collect();
    short.push('…');
    short
}
