//! The conclusions of the report: one verdict card per integration, the
//! SBS controls × integrations table, and the verdict over all of them.
//! Each is derived from the same findings `check` reports (the run's
//! findings, and those exceptions hid), so the report cannot say an
//! integration is clean where `check` finds something about it.

use std::collections::BTreeMap;

use super::build::{Builder, Lines};
use super::*;
use crate::engine::Finding;
use crate::integration::Origin;
use crate::model::IntegrationId;
use crate::rules;

/// What the verdicts are made from, computed once.
pub(super) struct Basis<'a> {
    /// A link per finding of the run, in the run's order.
    pub links: Vec<FindingLink>,
    /// The rules that ran, by code.
    pub evaluated: Vec<&'static str>,
    /// Why each rule that did not run did not: code → reason.
    pub not_run: BTreeMap<String, String>,
    pub inventory: &'a [InventoryRow],
    pub matrix: &'a AccessMatrix,
    pub high_risk: &'a [HighRiskRow],
    pub exceptions: &'a [ExceptionRow],
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Builder<'_> {
    /// A link to each finding of the run: `finding-N`, 1-based.
    pub(super) fn finding_links(&self, lines: &mut Lines) -> Vec<FindingLink> {
        self.run
            .findings
            .iter()
            .enumerate()
            .map(|(n, f)| FindingLink {
                number: n + 1,
                anchor: format!("finding-{}", n + 1),
                code: f.code,
                severity: f.severity.as_str(),
                message: f.message.clone(),
                location: self.location(lines, f.loc),
                fingerprint: f.fingerprint.clone(),
            })
            .collect()
    }

    /// The findings of the run about the integration `name`, as links.
    fn links_about<'b>(
        &self,
        basis: &'b Basis,
        name: &str,
        keep: impl Fn(&Finding) -> bool,
    ) -> Vec<&'b FindingLink> {
        self.run
            .findings
            .iter()
            .zip(&basis.links)
            .filter(|(f, _)| f.integrations.iter().any(|i| i == name) && keep(f))
            .map(|(_, l)| l)
            .collect()
    }

    fn evidence(&self, lines: &mut Lines, i: IntegrationId) -> Vec<String> {
        let integration = self.integration(i);
        let org = self.org;
        let mut out = vec![];
        match integration.origin {
            Origin::Declared(n) => {
                let at = self
                    .cx
                    .config
                    .integrations
                    .get(n)
                    .and_then(|d| self.cx.config_loc(d.name.span()))
                    .map(|loc| format!(" ({})", self.location(lines, loc)))
                    .unwrap_or_default();
                out.push(format!("declared in the inventory{at}"));
            }
            Origin::App(a) => {
                let app = &org.apps[a];
                out.push(format!(
                    "the client-credentials run-as user of {} {}, which no inventory entry lists",
                    app.kind.label(),
                    org.name(app.name)
                ));
            }
            Origin::Snapshot(_) => out.push(
                "an active user of the org snapshot on the Salesforce Integration licence or an API-only profile, which no inventory entry lists"
                    .to_owned(),
            ),
            Origin::Discovered(_) => {}
        }
        // The evidence identity resolution gathered, each with
        // where it is written.
        for e in &integration.evidence {
            if matches!(e.kind, crate::identity::EvidenceKind::Declared) {
                continue;
            }
            let at = e
                .loc
                .map(|loc| format!(" ({})", self.location(lines, loc)))
                .unwrap_or_default();
            out.push(format!("{}: {}{at}", e.kind.label(), e.detail));
        }
        if let (Some(user), Some(loc)) = (&integration.user, integration.user_loc) {
            out.push(format!(
                "user {user} named at {}",
                self.location(lines, loc)
            ));
        }
        if let (Some(u), Some(snapshot)) = (integration.snapshot_user, self.cx.snapshot)
            && let Some(record) = snapshot.users.get(u)
        {
            out.push(format!(
                "its User record in the org snapshot ({})",
                self.location(lines, record.username.loc)
            ));
        }
        out
    }

    fn snapshot_user(&self, i: IntegrationId) -> Option<String> {
        let integration = self.integration(i);
        let snapshot = self.cx.snapshot?;
        let Some(record) = integration
            .snapshot_user
            .and_then(|u| snapshot.users.get(u))
        else {
            return Some("not in the org snapshot".to_owned());
        };
        let state = if record.active.value {
            "active"
        } else {
            "inactive"
        };
        let login = match record.last_login.value {
            Some(t) => format!(
                "last login {}",
                t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .strftime("%Y-%m-%d %H:%M UTC")
            ),
            None => "never logged in".to_owned(),
        };
        Some(format!("{state}, {login}"))
    }

    pub(super) fn cards(&self, lines: &mut Lines, basis: &Basis) -> Vec<Card> {
        let integration_rules = basis
            .evaluated
            .iter()
            .filter(|c| !c.starts_with("EXC"))
            .count();
        let inputs_failed = self.run.errors.len() + self.run.internal_errors.len();
        self.order
            .iter()
            .enumerate()
            .map(|(column, &i)| {
                let integration = self.integration(i);
                let name = integration.name.as_str();
                let mut findings = self.links_about(basis, name, |_| true);
                findings.sort_by_key(|l| match l.severity {
                    "error" => 0,
                    "warning" => 1,
                    _ => 2,
                });
                let count = |s: &str| findings.iter().filter(|l| l.severity == s).count();
                let (errors, warnings, infos) = (count("error"), count("warning"), count("info"));
                let hidden = self
                    .outcome
                    .hidden
                    .iter()
                    .filter(|(_, f)| f.integrations.iter().any(|n| n == name))
                    .count();
                let exceptions = basis
                    .exceptions
                    .iter()
                    .zip(&self.cx.config.exceptions)
                    .enumerate()
                    .filter_map(|(n, (row, e))| {
                        let about = self
                            .outcome
                            .hidden
                            .iter()
                            .filter(|(x, f)| *x == n && f.integrations.iter().any(|i| i == name))
                            .count();
                        let scoped = e.integration.as_deref() == Some(name);
                        (about > 0 || scoped).then(|| {
                            format!(
                                "#{} {}: {} — {}, hides {} about it",
                                row.number,
                                row.rule,
                                row.reason,
                                row.status,
                                plural(about, "finding", "findings")
                            )
                        })
                    })
                    .collect();
                let objects = basis
                    .matrix
                    .rows
                    .iter()
                    .filter_map(|row| {
                        let cell = row.cells.get(column)?.as_ref()?;
                        Some(format!("{}: {}", row.object, cell.flags))
                    })
                    .collect();
                let high_risk = basis
                    .high_risk
                    .iter()
                    .filter(|r| r.integration == name)
                    .map(|r| {
                        let mut text = if r.label.is_empty() || r.label == r.permission {
                            r.permission.clone()
                        } else {
                            format!("{} ({})", r.permission, r.label)
                        };
                        if r.accepted {
                            text.push_str(", accepted in allow-permissions");
                        }
                        text
                    })
                    .collect();
                let (verdict, verdict_text) = if !findings.is_empty() {
                    let mut parts = vec![];
                    for (n, one, many) in [
                        (errors, "error", "errors"),
                        (warnings, "warning", "warnings"),
                        (infos, "info finding", "info findings"),
                    ] {
                        if n > 0 {
                            parts.push(plural(n, one, many));
                        }
                    }
                    ("findings", parts.join(", "))
                } else if integration_rules == 0 {
                    (
                        "not evaluated",
                        "no rule about integrations ran (--select, --ignore or [lint])".to_owned(),
                    )
                } else if inputs_failed > 0 {
                    (
                        "not evaluated",
                        format!(
                            "{} could not be checked, so no finding is not evidence of compliance",
                            plural(inputs_failed, "input", "inputs")
                        ),
                    )
                } else if integration.profiles.is_empty() {
                    (
                        "not evaluated",
                        "its profile is not known (neither the inventory, the metadata nor the org snapshot names one), so the profile rules could not judge it".to_owned(),
                    )
                } else {
                    let mut text = format!(
                        "no finding from the {} that ran",
                        plural(integration_rules, "rule about integrations", "rules about integrations")
                    );
                    if hidden > 0 {
                        text.push_str(&format!(
                            "; {} hidden by exceptions",
                            plural(hidden, "finding", "findings")
                        ));
                    }
                    if !basis.not_run.is_empty() {
                        text.push_str(&format!(
                            "; not evaluated: {}",
                            basis.not_run.keys().cloned().collect::<Vec<_>>().join(", ")
                        ));
                    }
                    ("compliant", text)
                };
                Card {
                    anchor: format!("card-{}", column + 1),
                    identity: basis.inventory[column].clone(),
                    origin: match integration.origin {
                        Origin::Declared(_) => "declared",
                        Origin::App(_) => "app",
                        Origin::Snapshot(_) => "snapshot",
                        Origin::Discovered(_) => "discovered",
                    },
                    evidence: self.evidence(lines, i),
                    snapshot_user: self.snapshot_user(i),
                    objects,
                    high_risk,
                    usage: None,
                    errors,
                    warnings,
                    infos,
                    findings: findings.into_iter().cloned().collect(),
                    exceptions,
                    verdict,
                    verdict_text,
                }
            })
            .collect()
    }

    /// Each SBS control the rules that ran or could run map to, against
    /// each integration.
    pub(super) fn controls(&self, basis: &Basis) -> Controls {
        let mut by_control: BTreeMap<&str, Vec<&'static str>> = BTreeMap::new();
        for rule in rules::all() {
            for control in &rule.meta.sbs {
                by_control.entry(control).or_default().push(rule.def.code);
            }
        }
        let columns = self.names();
        let rows = by_control
            .into_iter()
            .map(|(control, rules)| ControlRow {
                control: control.to_owned(),
                cells: columns
                    .iter()
                    .map(|name| {
                        let failing: Vec<FindingLink> = self
                            .links_about(basis, name, |f| rules.contains(&f.code))
                            .into_iter()
                            .cloned()
                            .collect();
                        if !failing.is_empty() {
                            let codes: Vec<&str> = dedup_codes(failing.iter().map(|l| l.code));
                            return ControlCell {
                                status: "fail",
                                note: format!(
                                    "{} ({})",
                                    plural(failing.len(), "finding", "findings"),
                                    codes.join(", ")
                                ),
                                findings: failing,
                                not_run: vec![],
                            };
                        }
                        let not_run: Vec<&'static str> = rules
                            .iter()
                            .copied()
                            .filter(|c| basis.not_run.contains_key(*c))
                            .collect();
                        if !not_run.is_empty() {
                            let why: Vec<String> = not_run
                                .iter()
                                .map(|c| format!("{c}: {}", basis.not_run[*c]))
                                .collect();
                            return ControlCell {
                                status: "not evaluated",
                                note: why.join("; "),
                                findings: vec![],
                                not_run,
                            };
                        }
                        let hidden = self
                            .outcome
                            .hidden
                            .iter()
                            .filter(|(_, f)| {
                                rules.contains(&f.code) && f.integrations.iter().any(|i| i == name)
                            })
                            .count();
                        ControlCell {
                            status: "pass",
                            note: if hidden > 0 {
                                format!(
                                    "{} hidden by exceptions",
                                    plural(hidden, "finding", "findings")
                                )
                            } else {
                                String::new()
                            },
                            findings: vec![],
                            not_run: vec![],
                        }
                    })
                    .collect(),
                rules,
            })
            .collect();
        Controls { columns, rows }
    }
}

fn dedup_codes<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = vec![];
    for c in codes {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The verdict over all cards.
pub(super) fn overall(cards: &[Card]) -> OverallVerdict {
    let count = |v: &str| cards.iter().filter(|c| c.verdict == v).count();
    let mut v = OverallVerdict {
        compliant: count("compliant"),
        findings: count("findings"),
        not_evaluated: count("not evaluated"),
        text: String::new(),
    };
    v.text = if cards.is_empty() {
        "no integration was found".to_owned()
    } else {
        format!(
            "{}: {} compliant, {} with findings, {} not evaluated",
            plural(cards.len(), "integration", "integrations"),
            v.compliant,
            v.findings,
            v.not_evaluated
        )
    };
    v
}

/// The reason each rule of the catalogue that did not run did not.
pub(super) fn not_run(rows: &[NotEvaluatedRow]) -> BTreeMap<String, String> {
    rows.iter()
        .map(|r| (r.code.clone(), r.reason.clone()))
        .collect()
}

/// Links to the findings about the high-risk permission `permission` of
/// the integration `name` (ADM001, ADM002), and those that name it in
/// their subject or their message.
pub(super) fn high_risk_findings(
    findings: &[Finding],
    links: &[FindingLink],
    name: &str,
    permission: &str,
) -> Vec<FindingLink> {
    findings
        .iter()
        .zip(links)
        .filter(|(f, _)| {
            matches!(f.code, "ADM001" | "ADM002")
                && f.integrations.iter().any(|i| i == name)
                && (f.subject == permission || mentions(&f.message, permission))
        })
        .map(|(_, l)| l.clone())
        .collect()
}

/// Whether `text` holds `word` as a whole word.
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_whole_words_only() {
        assert!(mentions("grants `ModifyAllData` to x", "ModifyAllData"));
        assert!(mentions("ModifyAllData", "ModifyAllData"));
        assert!(!mentions("grants ModifyAllDataX", "ModifyAllData"));
        assert!(!mentions("grants XModifyAllData", "ModifyAllData"));
    }
}
