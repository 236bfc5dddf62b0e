//! From a run to an [`Audit`]: every section's rows, sorted, with line
//! numbers resolved. Names and messages are kept as they are; escaping is
//! the templates' escapers' job.

use std::collections::{BTreeSet, HashMap};

use super::digest::{digest_inputs, digest_of_listing};
use super::verdict::{self, Basis};
use super::*;
use crate::access::{Grant, Holder};
use crate::catalogue::Severity;
use crate::engine::{Context, Finding, Outcome, Rule};
use crate::integration::{Integration, Origin};
use crate::model::permissions::high_risk_label;
use crate::model::{IdVec, IntegrationId, ObjectAccess, Org, profile_label_for_full_name};
use crate::report::Run;
use crate::rules;
use crate::source::{FileId, Loc, Sources, Span};

/// What the report is made from: the run as every format sees it, the
/// context the rules read, and what the engine knows about exceptions.
pub struct AuditInput<'a> {
    pub run: &'a Run<'a>,
    pub cx: &'a Context<'a>,
    pub outcome: &'a Outcome,
    /// Where the run comes from ([`super::provenance::gather`]).
    pub provenance: Provenance,
}

/// The matrix's letters, in column order.
const LETTERS: [(ObjectAccess, &str); 6] = [
    (ObjectAccess::CREATE, "C"),
    (ObjectAccess::READ, "R"),
    (ObjectAccess::EDIT, "E"),
    (ObjectAccess::DELETE, "D"),
    (ObjectAccess::VIEW_ALL, "VA"),
    (ObjectAccess::MODIFY_ALL, "MA"),
];

/// System permissions that reach every object, with what they give.
const EVERY_OBJECT: [(&str, ObjectAccess); 2] = [
    (
        "ViewAllData",
        ObjectAccess::READ.union(ObjectAccess::VIEW_ALL),
    ),
    (
        "ModifyAllData",
        ObjectAccess::CREATE
            .union(ObjectAccess::READ)
            .union(ObjectAccess::EDIT)
            .union(ObjectAccess::DELETE)
            .union(ObjectAccess::VIEW_ALL)
            .union(ObjectAccess::MODIFY_ALL),
    ),
];

/// The row label of [`EVERY_OBJECT`].
const EVERY_OBJECT_ROW: &str = "every object (View All Data, Modify All Data)";

pub fn build(input: &AuditInput) -> Audit {
    let lines = &mut Lines::default();
    let b = Builder {
        run: input.run,
        cx: input.cx,
        org: input.cx.org,
        outcome: input.outcome,
        order: sorted_integrations(&input.cx.integrations.list),
    };
    let inputs = digest_inputs(
        &b.org.sources,
        b.run.checked,
        b.cx.snapshot.map_or(&[], |s| &s.files),
        b.cx.integrations.config_file,
    );
    lines.prefill(&b.org.sources, b.read_order());
    let evaluated = b.evaluated();
    let links = b.finding_links(lines);
    let inventory = b.inventory();
    let matrix = b.matrix(lines);
    let high_risk = b.high_risk(lines, &links);
    let exceptions = b.exceptions(lines, &evaluated);
    let not_evaluated = b.not_evaluated();
    let basis = Basis {
        evaluated: evaluated.iter().map(|r| r.def.code).collect(),
        not_run: verdict::not_run(&not_evaluated),
        links,
        inventory: &inventory,
        matrix: &matrix,
        high_risk: &high_risk,
        exceptions: &exceptions,
    };
    let cards = b.cards(lines, &basis);
    let controls = b.controls(&basis);
    let charts = chart::Charts {
        findings: chart::findings_chart(&cards),
        heat: chart::heat_map(&matrix),
    };
    let mut audit = Audit {
        version: env!("CARGO_PKG_VERSION"),
        digest: String::new(),
        provenance_rows: provenance_rows(&input.provenance),
        provenance: input.provenance.clone(),
        verdict: verdict::overall(&cards),
        cards,
        controls,
        charts,
        date: b.cx.today.to_string(),
        summary: b.summary(evaluated.len()),
        inventory,
        matrix,
        usage: super::usage::tables(b.cx, &b.order),
        high_risk,
        admin_findings: b
            .run
            .findings
            .iter()
            .filter(|f| matches!(f.code, "ADM001" | "ADM002"))
            .count(),
        findings: b.findings(lines),
        exceptions,
        checks: b.checks(&evaluated),
        not_evaluated,
        config: b
            .cx
            .integrations
            .config_file
            .map(|f| b.org.sources.get(f).display.clone()),
        inputs_digest: digest_of_listing(&inputs),
        inputs,
        input_errors: b.input_errors(lines),
    };
    audit.digest = super::content_digest(&audit);
    audit
}

/// The provenance, row by row, as the HTML and Markdown tables show it.
fn provenance_rows(p: &Provenance) -> Vec<KeyValue> {
    use super::provenance::Fact;
    let fact = |key: &'static str, f: &Fact| KeyValue {
        key,
        value: f.text(),
        unknown: f.value.is_none(),
    };
    let plain = |key: &'static str, value: String| KeyValue {
        key,
        value,
        unknown: false,
    };
    vec![
        fact("Repository", &p.git.repository),
        fact("Commit examined", &p.git.commit),
        fact("Branch", &p.git.branch),
        fact("Uncommitted changes", &p.git.dirty),
        fact("Metadata retrieved", &p.git.retrieved),
        fact("Org snapshot exported", &p.exported),
        fact("Run at", &p.run_at),
        plain(
            "CI system",
            p.ran_by
                .ci
                .clone()
                .unwrap_or_else(|| "none detected".to_owned()),
        ),
        fact("CI job", &p.ran_by.job_url),
        fact("Run by", &p.ran_by.user),
        fact("Host", &p.ran_by.host),
        plain("minpriv version", p.minpriv_version.to_owned()),
        fact("minpriv build commit", &p.build_commit),
        fact("SHA-256 of minpriv", &p.binary_sha256),
        plain("Command", format!("minpriv {}", p.command)),
        plain("Rule selection", p.selection.clone()),
    ]
}

/// Line numbers of byte offsets. The report points into many files in no
/// particular order (a matrix cell's grants, the next cell's), so it keeps
/// each file's line starts, which is all a line number needs, rather than
/// its text.
#[derive(Default)]
pub(super) struct Lines {
    starts: HashMap<FileId, Vec<u32>>,
}

impl Lines {
    /// Counts the line starts of `files` at once, in parallel: the report
    /// would otherwise read them one after the other as it needs them.
    fn prefill(&mut self, sources: &Sources, files: impl IntoIterator<Item = FileId>) {
        use rayon::prelude::*;
        let mut todo: Vec<FileId> = files
            .into_iter()
            .filter(|f| !self.starts.contains_key(f))
            .collect();
        todo.sort_unstable();
        todo.dedup();
        let counted: Vec<(FileId, Vec<u32>)> = todo
            .par_iter()
            .map(|&file| (file, Self::starts_of(sources, file)))
            .collect();
        self.starts.extend(counted);
    }

    fn starts_of(sources: &Sources, file: FileId) -> Vec<u32> {
        let bytes = sources.read(file).unwrap_or_default();
        crate::source::line_starts(&bytes)
            .into_iter()
            .skip(1)
            .map(|s| s as u32)
            .collect()
    }

    /// The 1-based line of `loc`'s start, counted as everywhere else
    /// ([`crate::source::line_starts`]).
    fn line(&mut self, sources: &Sources, loc: Loc) -> usize {
        let starts = self
            .starts
            .entry(loc.file)
            .or_insert_with(|| Self::starts_of(sources, loc.file));
        starts.partition_point(|&s| s <= loc.span.start) + 1
    }
}

/// The integrations, by name.
fn sorted_integrations(list: &IdVec<IntegrationId, Integration>) -> Vec<IntegrationId> {
    let mut order: Vec<IntegrationId> = list.ids().collect();
    order.sort_by_cached_key(|&i| (list[i].name.to_lowercase(), list[i].name.clone()));
    order
}

pub(super) struct Builder<'a> {
    pub(super) run: &'a Run<'a>,
    pub(super) cx: &'a Context<'a>,
    pub(super) org: &'a Org,
    pub(super) outcome: &'a Outcome,
    /// The integrations, sorted by name.
    pub(super) order: Vec<IntegrationId>,
}

impl Builder<'_> {
    pub(super) fn integration(&self, i: IntegrationId) -> &Integration {
        &self.cx.integrations.list[i]
    }

    pub(super) fn names(&self) -> Vec<String> {
        self.order
            .iter()
            .map(|&i| self.integration(i).name.clone())
            .collect()
    }

    /// The files the report shows lines of: those of the findings and of
    /// every grant of the integrations' access.
    fn read_order(&self) -> Vec<FileId> {
        let mut files: Vec<FileId> = self.run.read_order().collect();
        for access in &self.cx.access {
            let grants = access.system.values().flatten().chain(
                access
                    .objects
                    .values()
                    .flat_map(|o| o.grants.iter().map(|(_, g)| g)),
            );
            files.extend(grants.map(|g| g.site.key_loc().file));
        }
        files
    }

    /// The rules that ran, in catalogue order.
    fn evaluated(&self) -> Vec<&'static Rule> {
        self.run
            .rules
            .iter()
            .copied()
            .filter(|r| {
                !self
                    .outcome
                    .not_evaluated
                    .iter()
                    .any(|n| n.code == r.code())
            })
            .collect()
    }

    /// `path:line` of a location.
    pub(super) fn location(&self, lines: &mut Lines, loc: Loc) -> String {
        let line = lines.line(&self.org.sources, loc);
        format!("{}:{line}", self.org.sources.get(loc.file).display)
    }

    fn summary(&self, rules_run: usize) -> AuditSummary {
        let s = &self.run.summary;
        let declared = self
            .cx
            .integrations
            .list
            .iter()
            .filter(|i| matches!(i.origin, Origin::Declared(_)))
            .count();
        AuditSummary {
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
            suppressed: s.suppressed,
            integrations: self.cx.integrations.list.len(),
            declared,
            discovered: self.cx.integrations.list.len() - declared,
            files: s.files,
            rules_run,
            rules_in_catalogue: rules::all().len(),
            not_evaluated: rules::all().len() - rules_run,
            inputs_failed: self.run.errors.len() + self.run.internal_errors.len(),
        }
    }

    fn inventory(&self) -> Vec<InventoryRow> {
        let org = self.org;
        self.order
            .iter()
            .map(|&i| {
                let integration = self.integration(i);
                let decl = integration.declared(self.cx.config);
                let profiles = dedup(
                    integration
                        .profiles
                        .iter()
                        .map(|&p| {
                            let name = org.name(org.profiles[p].header.name);
                            with_label(name, profile_label_for_full_name(name))
                        }),
                );
                let licences = dedup(integration.profiles.iter().filter_map(|&p| {
                    org.profiles[p]
                        .user_license
                        .as_ref()
                        .map(|l| org.name(l.value).to_owned())
                }));
                let permission_sets = dedup(integration.permission_sets.iter().map(|&s| {
                    let set = &org.permission_sets[s];
                    with_label(org.name(set.header.name), set.label.as_deref())
                }));
                let groups = dedup(integration.groups.iter().map(|&g| {
                    let group = &org.groups[g];
                    let members: Vec<&str> = group
                        .permission_sets
                        .iter()
                        .map(|m| org.name(m.name))
                        .collect();
                    let mut text = format!(
                        "{}: {}",
                        with_label(org.name(group.header.name), group.label.as_deref()),
                        if members.is_empty() {
                            "no permission sets".to_owned()
                        } else {
                            members.join(", ")
                        }
                    );
                    for m in &group.muting_permission_sets {
                        text.push_str("; muting ");
                        text.push_str(org.name(m.name));
                    }
                    text
                }));
                let apps = dedup(integration.apps.iter().map(|&a| {
                    let app = &org.apps[a];
                    format!(
                        "{} ({})",
                        with_label(org.name(app.name), app.label.as_deref()),
                        app.kind.label()
                    )
                }));
                let profile_ip_ranges = dedup(integration.profiles.iter().flat_map(|&p| {
                    org.profiles[p].login_ip_ranges.iter().map(|r| {
                        let start = r.start.as_ref().map_or("?", |b| &*b.value);
                        let end = r.end.as_ref().map_or("?", |b| &*b.value);
                        let mut text = ip_range(start, end);
                        if let Some(d) = r.description.as_deref().filter(|d| !d.is_empty()) {
                            text.push_str(&format!(" ({d})"));
                        }
                        text
                    })
                }));
                let allowlist = decl
                    .map(|d| {
                        d.ip_allowlist
                            .iter()
                            .map(|s| {
                                self.cx
                                    .config
                                    .text
                                    .get(s.span())
                                    .map(|t| t.trim_matches(['"', '\'']).to_owned())
                                    .unwrap_or_else(|| s.get_ref().to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let discovered = match integration.origin {
                    Origin::Declared(_) => None,
                    Origin::App(a) => Some(format!(
                        "the client-credentials run-as user of {} {}, which no inventory entry lists",
                        org.apps[a].kind.label(),
                        org.name(org.apps[a].name)
                    )),
                    Origin::Snapshot(_) => Some(
                        "an active integration user in the org snapshot, which no inventory entry lists"
                            .to_owned(),
                    ),
                    Origin::Discovered(_) => Some(format!(
                        "found in the metadata ({}), which no inventory entry lists",
                        integration
                            .evidence
                            .iter()
                            .map(|e| e.detail.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )),
                };
                InventoryRow {
                    name: integration.name.clone(),
                    discovered,
                    user: integration
                        .user
                        .clone()
                        .unwrap_or_else(|| "unknown".into()),
                    profiles,
                    licences,
                    permission_sets,
                    groups,
                    apps,
                    profile_ip_ranges,
                    allowlist,
                    owner: decl.and_then(|d| d.owner.clone()),
                    missing: integration
                        .missing
                        .iter()
                        .map(|m| format!("{} {}", m.kind.label(), m.name))
                        .collect(),
                }
            })
            .collect()
    }

    fn grant_line(&self, lines: &mut Lines, what: String, grant: &Grant) -> GrantLine {
        let org = self.org;
        let holder = match grant.holder {
            Holder::Profile(p) => format!("profile {}", org.name(org.profiles[p].header.name)),
            Holder::PermissionSet(s) => format!(
                "permission set {}",
                org.name(org.permission_sets[s].header.name)
            ),
        };
        let groups: Vec<&str> = grant
            .groups
            .iter()
            .map(|&g| org.name(org.groups[g].header.name))
            .collect();
        let path = match groups.as_slice() {
            [] => String::new(),
            [one] => format!("in group {one}"),
            many => format!("in groups {}", many.join(", ")),
        };
        let path = if grant.direct && !groups.is_empty() {
            format!("{path} and assigned directly")
        } else {
            path
        };
        GrantLine {
            what,
            holder,
            location: self.location(lines, grant.site.key_loc()),
            path,
        }
    }

    fn matrix(&self, lines: &mut Lines) -> AccessMatrix {
        let access = &self.cx.access;
        let objects: BTreeSet<&str> = self
            .order
            .iter()
            .flat_map(|&i| access[i].objects.keys().copied())
            .collect();
        let mut matrix = AccessMatrix {
            columns: self.names(),
            ..AccessMatrix::default()
        };

        // Each cell as the grants that fill it, with what each gives.
        type Cell = Vec<(ObjectAccess, GrantLine)>;
        let mut rows: Vec<(String, bool, Vec<Cell>)> = vec![];
        let every: Vec<Cell> = self
            .order
            .iter()
            .map(|&i| {
                let mut out = vec![];
                for (permission, flags) in EVERY_OBJECT {
                    for grant in access[i].system.get(permission).into_iter().flatten() {
                        let label = high_risk_label(permission).unwrap_or(permission);
                        let what = format!("{} ({label})", letters(flags));
                        out.push((flags, self.grant_line(lines, what, grant)));
                    }
                }
                out
            })
            .collect();
        if every.iter().any(|c| !c.is_empty()) {
            rows.push((EVERY_OBJECT_ROW.to_owned(), true, every));
        }
        for object in objects {
            let cells = self
                .order
                .iter()
                .map(|&i| {
                    access[i]
                        .objects
                        .get(object)
                        .map(|o| {
                            o.grants
                                .iter()
                                .map(|(flags, grant)| {
                                    let shown = flags.intersection(all_letters());
                                    (shown, self.grant_line(lines, letters(shown), grant))
                                })
                                .filter(|(flags, _)| !flags.is_empty())
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect();
            rows.push((object.to_owned(), false, cells));
        }

        for (object, every_object, cells) in rows {
            let mut row = MatrixRow {
                object: object.clone(),
                every_object,
                cells: vec![],
            };
            for (column, grants) in cells.into_iter().enumerate() {
                if grants.is_empty() {
                    row.cells.push(None);
                    continue;
                }
                let flags = grants
                    .iter()
                    .fold(ObjectAccess::empty(), |all, (f, _)| all.union(*f));
                let number = matrix.notes.len() + 1;
                let grants: Vec<GrantLine> = grants.into_iter().map(|(_, g)| g).collect();
                row.cells.push(Some(MatrixCell {
                    flags: letters(flags),
                    note: number,
                    title: grants
                        .iter()
                        .map(GrantLine::sentence)
                        .collect::<Vec<_>>()
                        .join("\n"),
                }));
                matrix.notes.push(ProvenanceNote {
                    number,
                    integration: matrix.columns[column].clone(),
                    object: object.clone(),
                    grants,
                });
            }
            matrix.rows.push(row);
        }
        matrix
    }

    /// The high-risk permissions that reach each integration, from its
    /// effective access, each with the ADM001 / ADM002 findings about it;
    /// and a row for every such finding no permission of the effective
    /// access explains (the System Administrator profile by name, say), so
    /// the section never says less than `check`.
    fn high_risk(&self, lines: &mut Lines, links: &[FindingLink]) -> Vec<HighRiskRow> {
        let findings = self.run.findings;
        let mut out = vec![];
        for &i in &self.order {
            let integration = self.integration(i);
            let name = integration.name.as_str();
            let allowed = integration.allowed_permissions(self.cx.config);
            let mut covered: BTreeSet<String> = BTreeSet::new();
            let start = out.len();
            for (&permission, grants) in &self.cx.access[i].system {
                let Some(label) = high_risk_label(permission) else {
                    continue;
                };
                let about = verdict::high_risk_findings(findings, links, name, permission);
                covered.extend(about.iter().map(|l| l.anchor.clone()));
                out.push(HighRiskRow {
                    integration: integration.name.clone(),
                    permission: permission.to_owned(),
                    label: label.to_owned(),
                    accepted: allowed.contains(&permission),
                    grants: grants
                        .iter()
                        .map(|g| self.grant_line(lines, String::new(), g))
                        .collect(),
                    findings: about,
                });
            }
            let mut extra: Vec<HighRiskRow> = vec![];
            for (f, link) in findings.iter().zip(links) {
                if !matches!(f.code, "ADM001" | "ADM002")
                    || !f.integrations.iter().any(|n| n == name)
                    || covered.contains(&link.anchor)
                {
                    continue;
                }
                let (permission, label) = if f.code == "ADM001" && f.subject == "Admin" {
                    (
                        "Admin".to_owned(),
                        "the System Administrator profile: every administrator permission"
                            .to_owned(),
                    )
                } else {
                    let label = high_risk_label(&f.subject).unwrap_or_default().to_owned();
                    (f.subject.clone(), label)
                };
                match extra.iter_mut().find(|r| r.permission == permission) {
                    Some(row) => row.findings.push(link.clone()),
                    None => extra.push(HighRiskRow {
                        integration: integration.name.clone(),
                        accepted: allowed.contains(&permission.as_str()),
                        permission,
                        label,
                        grants: vec![],
                        findings: vec![link.clone()],
                    }),
                }
            }
            out.extend(extra);
            out[start..].sort_by(|a, b| a.permission.cmp(&b.permission));
        }
        out
    }

    fn finding_row(&self, lines: &mut Lines, n: usize, f: &Finding) -> FindingRow {
        FindingRow {
            number: n + 1,
            anchor: format!("finding-{}", n + 1),
            severity: f.severity.as_str(),
            fingerprint: f.fingerprint.clone(),
            code: f.code,
            name: f.name,
            message: f.message.clone(),
            help: f.help.clone().unwrap_or_default(),
            location: self.location(lines, f.loc),
            integrations: f.integrations.join(", "),
        }
    }

    fn findings(&self, lines: &mut Lines) -> Vec<SeverityGroup> {
        [
            (Severity::Error, "Errors"),
            (Severity::Warning, "Warnings"),
            (Severity::Info, "Info"),
        ]
        .into_iter()
        .map(|(severity, title)| SeverityGroup {
            severity: severity.as_str(),
            title,
            rows: self
                .run
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.severity == severity)
                .map(|(n, f)| self.finding_row(lines, n, f))
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect()
    }

    fn exceptions(&self, lines: &mut Lines, evaluated: &[&'static Rule]) -> Vec<ExceptionRow> {
        let today = self.cx.today;
        let sources = &self.org.sources;
        self.cx
            .config
            .exceptions
            .iter()
            .enumerate()
            .map(|(n, e)| {
                let mut scope = vec![];
                if let Some(i) = &e.integration {
                    scope.push(format!("integration {i}"));
                }
                if let Some(glob) = &e.file {
                    scope.push(format!("files {}", glob.glob().glob()));
                }
                let hidden = self.outcome.exception_hits.get(n).copied().unwrap_or(0);
                let mut hidden_findings: Vec<(String, Span, String)> = self
                    .outcome
                    .hidden
                    .iter()
                    .filter(|(x, _)| *x == n)
                    .map(|(_, f)| {
                        let mut text = format!("{} {}", f.code, self.location(lines, f.loc));
                        if !f.integrations.is_empty() {
                            text.push_str(&format!(" ({})", f.integrations.join(", ")));
                        }
                        (sources.get(f.loc.file).display.clone(), f.loc.span, text)
                    })
                    .collect();
                hidden_findings.sort();
                let (status, status_text) = if let Some(d) = e.expires.filter(|d| today > *d) {
                    (
                        "expired",
                        format!(
                            "expired on {d}: hides nothing, its findings are reported (EXC001)"
                        ),
                    )
                } else if !evaluated.iter().any(|r| r.code() == e.rule) {
                    (
                        "not run",
                        "its rule did not run, so it could not be judged".to_owned(),
                    )
                } else if hidden == 0 {
                    ("unused", "hides no finding (EXC002)".to_owned())
                } else {
                    (
                        "active",
                        format!(
                            "hides {hidden} finding{}",
                            if hidden == 1 { "" } else { "s" }
                        ),
                    )
                };
                let location = self
                    .cx
                    .config_loc(e.span.clone())
                    .map(|loc| self.location(lines, loc))
                    .unwrap_or_default();
                ExceptionRow {
                    number: n + 1,
                    rule: e.rule.clone(),
                    rule_name: rules::find(&e.rule)
                        .map(|r| r.name().to_owned())
                        .unwrap_or_default(),
                    scope,
                    reason: e.reason.clone(),
                    expires: e.expires.map(|d| d.to_string()),
                    hidden,
                    hidden_findings: hidden_findings.into_iter().map(|(.., t)| t).collect(),
                    status,
                    status_text,
                    location,
                }
            })
            .collect()
    }

    /// Each rule that ran against each integration. The EXC rules judge
    /// the inventory's exceptions, not an integration: left out.
    fn checks(&self, evaluated: &[&'static Rule]) -> ChecksMatrix {
        let columns = self.names();
        let concerns = |f: &Finding, code: &str, name: &str| {
            f.code == code && f.integrations.iter().any(|i| i == name)
        };
        let rows: Vec<CheckRow> = evaluated
            .iter()
            .filter(|r| r.family() != "EXC")
            .map(|rule| CheckRow {
                code: rule.def.code,
                name: rule.meta.name.as_str(),
                cells: columns
                    .iter()
                    .map(|name| {
                        let shown = self
                            .run
                            .findings
                            .iter()
                            .filter(|f| concerns(f, rule.def.code, name))
                            .count();
                        let hidden = self
                            .outcome
                            .hidden
                            .iter()
                            .filter(|(_, f)| concerns(f, rule.def.code, name))
                            .count();
                        if shown > 0 {
                            CheckCell {
                                status: "failed",
                                text: format!(
                                    "{shown} finding{}",
                                    if shown == 1 { "" } else { "s" }
                                ),
                            }
                        } else if hidden > 0 {
                            CheckCell {
                                status: "excepted",
                                text: format!("excepted ({hidden})"),
                            }
                        } else {
                            CheckCell {
                                status: "passed",
                                text: "passed".into(),
                            }
                        }
                    })
                    .collect(),
            })
            .collect();
        let totals = (0..columns.len())
            .map(|c| {
                let passed = rows
                    .iter()
                    .filter(|r| r.cells[c].status == "passed")
                    .count();
                (passed, rows.len())
            })
            .collect();
        ChecksMatrix {
            columns,
            rows,
            totals,
        }
    }

    fn not_evaluated(&self) -> Vec<NotEvaluatedRow> {
        rules::all()
            .iter()
            .filter_map(|rule| {
                let reason = if !self.run.rules.iter().any(|r| r.code() == rule.code()) {
                    "not selected (--select, --ignore, or [lint] in minpriv.toml)"
                } else {
                    self.outcome
                        .not_evaluated
                        .iter()
                        .find(|n| n.code == rule.code())?
                        .reason
                        .as_str()
                };
                Some(NotEvaluatedRow {
                    code: rule.code().to_owned(),
                    name: rule.name().to_owned(),
                    reason: reason.to_owned(),
                })
            })
            .collect()
    }

    fn input_errors(&self, lines: &mut Lines) -> Vec<InputErrorRow> {
        let sources = &self.org.sources;
        let mut out: Vec<InputErrorRow> = self
            .run
            .errors
            .iter()
            .map(|e| InputErrorRow {
                location: match e.span {
                    Some(span) => self.location(lines, Loc { file: e.file, span }),
                    None => sources.get(e.file).display.clone(),
                },
                message: e.message.clone(),
            })
            .collect();
        out.extend(self.run.internal_errors.iter().map(|e| InputErrorRow {
            location: "minpriv".into(),
            message: e.clone(),
        }));
        out
    }
}

/// A login IP range as a CIDR block when it is one (`10.0.0.0/8`), else
/// `start-end` as written.
fn ip_range(start: &str, end: &str) -> String {
    use std::net::IpAddr;
    let as_number = |a: IpAddr| match a {
        IpAddr::V4(v) => (u32::from(v) as u128, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    };
    if let (Ok(s), Ok(e)) = (start.trim().parse::<IpAddr>(), end.trim().parse::<IpAddr>()) {
        let ((s_n, bits), (e_n, e_bits)) = (as_number(s), as_number(e));
        if bits == e_bits && s_n <= e_n {
            let size = e_n - s_n;
            // A block: the span is 2^k - 1 and the start is aligned to it.
            let block = size == u128::MAX || (size + 1).is_power_of_two();
            if size > 0 && block && s_n & size == 0 {
                let prefix = bits - (size.count_ones());
                return format!("{s}/{prefix}");
            }
        }
    }
    if start == end {
        start.to_owned()
    } else {
        format!("{start}-{end}")
    }
}

/// `C R E D VA MA`, the letters of the flags set.
pub(super) fn letters(flags: ObjectAccess) -> String {
    LETTERS
        .iter()
        .filter(|(f, _)| flags.contains(*f))
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join(" ")
}

fn all_letters() -> ObjectAccess {
    LETTERS
        .iter()
        .fold(ObjectAccess::empty(), |all, (f, _)| all.union(*f))
}

/// `Name (Label)` when the label says something the name does not.
fn with_label(name: &str, label: Option<&str>) -> String {
    match label.map(str::trim) {
        Some(l) if !l.is_empty() && l != name && l != name.replace('_', " ") => {
            format!("{name} ({l})")
        }
        _ => name.to_owned(),
    }
}

/// In first-seen order, each once (a component may be in two package
/// directories).
fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_the_column_order() {
        assert_eq!(letters(ObjectAccess::READ | ObjectAccess::CREATE), "C R");
        assert_eq!(letters(EVERY_OBJECT[1].1), "C R E D VA MA");
        assert_eq!(letters(ObjectAccess::VIEW_ALL_FIELDS), "");
    }

    #[test]
    fn ip_ranges_show_as_blocks_when_they_are_blocks() {
        assert_eq!(ip_range("10.0.0.0", "10.255.255.255"), "10.0.0.0/8");
        assert_eq!(
            ip_range("203.0.113.10", "203.0.113.20"),
            "203.0.113.10-203.0.113.20"
        );
        assert_eq!(ip_range("203.0.113.8", "203.0.113.8"), "203.0.113.8");
        assert_eq!(ip_range("0.0.0.0", "255.255.255.255"), "0.0.0.0/0");
        assert_eq!(ip_range("2001:db8::", "2001:db8::ffff"), "2001:db8::/112");
        assert_eq!(
            ip_range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            "::/0"
        );
        assert_eq!(ip_range("10.0.0.9", "10.0.0.1"), "10.0.0.9-10.0.0.1");
        assert_eq!(ip_range("bogus", "10.0.0.1"), "bogus-10.0.0.1");
    }

    #[test]
    fn labels_show_only_when_they_add_something() {
        assert_eq!(
            with_label("Read_Contacts", Some("Read Contacts")),
            "Read_Contacts"
        );
        assert_eq!(
            with_label("DW", Some("Data Warehouse")),
            "DW (Data Warehouse)"
        );
        assert_eq!(with_label("DW", None), "DW");
    }
}
