//! Running rules: what a rule is (its check and its catalogue entry), the
//! context they read, the findings they report, exceptions, fingerprints,
//! and the deterministic order of the result. The registry sits above, in
//! [`crate::rules`], and hands the engine the rules a run selected.

mod component;

use std::path::Path;

pub use component::Component;
use rayon::prelude::*;

use crate::access::EffectiveAccess;
use crate::catalogue::{Meta, Need, Severity};
use crate::config::Config;
use crate::integration::Integrations;
use crate::model::{ComponentKind, IdVec, IntegrationId, Org};
use crate::orgdata::Snapshot;
use crate::source::Loc;

/// How a rule checks.
pub enum Check {
    /// Reads the metadata, the inventory and the effective access.
    Inputs(fn(&Context, &mut Findings)),
    /// Judges the inventory's exceptions once the other rules have run.
    Exceptions(fn(&Context, &ExceptionUse, &mut Findings)),
}

/// A rule's implementation and its embedded documentation.
pub struct RuleDef {
    pub code: &'static str,
    /// `rules/<CODE>.md`, embedded at build time.
    pub doc: &'static str,
    pub check: Check,
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

/// What a rule reads. "Read everything, report only on your subject."
pub struct Context<'a> {
    pub org: &'a Org,
    pub config: &'a Config,
    pub integrations: &'a Integrations,
    /// Effective access of each integration.
    pub access: IdVec<IntegrationId, EffectiveAccess<'a>>,
    /// "Today", for exception expiry and stale logins (`--now`).
    pub today: jiff::civil::Date,
    /// The org snapshot, when one was read.
    pub snapshot: Option<&'a Snapshot>,
}

impl<'a> Context<'a> {
    /// Computes every integration's effective access, in parallel.
    pub fn new(
        org: &'a Org,
        config: &'a Config,
        integrations: &'a Integrations,
        today: jiff::civil::Date,
    ) -> Self {
        let access = integrations
            .list
            .as_slice()
            .par_iter()
            .map(|i| EffectiveAccess::compute(org, &i.assignment()))
            .collect::<Vec<_>>()
            .into();
        Context {
            org,
            config,
            integrations,
            access,
            today,
            snapshot: None,
        }
    }

    /// Adds the org snapshot the rules that need it read.
    pub fn with_snapshot(mut self, snapshot: Option<&'a Snapshot>) -> Self {
        self.snapshot = snapshot;
        self
    }

    /// Where an element of minpriv.toml is, when a config file was read.
    pub fn config_loc(&self, span: std::ops::Range<usize>) -> Option<Loc> {
        self.integrations.config_file.map(|file| Loc {
            file,
            span: crate::source::Span::new(span.start, span.end),
        })
    }
}

/// What the exception rules (EXC) read besides the context: how many
/// findings each exception hid, and which rules ran.
pub struct ExceptionUse<'a> {
    pub hits: &'a [usize],
    pub evaluated: &'a [&'static str],
}

/// A secondary location that completes the story of a finding (the other
/// app sharing a user, the group that pulls in a permission set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub loc: Loc,
    pub message: String,
}

/// One element of a grouped finding (one root cause, several
/// elements): a permission, an object, a range. Each has its own
/// fingerprint, so a baseline records and recognises each element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// What the element is: the fingerprint's subject (`ModifyAllData`,
    /// `Account`).
    pub name: String,
    pub loc: Loc,
    /// Stamped by the engine, like the finding's.
    pub fingerprint: String,
    /// With `--baseline`: whether the baseline does not record it.
    pub new: Option<bool>,
}

/// One problem, located. Rules fill in what and where; the engine stamps
/// the rule, the severity and the fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// What to do about it; the rule's fix hint when the rule gives none.
    pub help: Option<String>,
    pub loc: Loc,
    /// Text under the underline in rendered output.
    pub label: Option<String>,
    pub related: Vec<Related>,
    /// The integration the finding names: the first of `integrations`.
    pub integration: Option<String>,
    /// Every integration the finding concerns (a shared profile, a
    /// permission set several integrations get), sorted.
    pub integrations: Vec<String>,
    /// `Profile:Orders Integration`.
    pub component: Component,
    /// What the finding is about within the component (a permission, an
    /// object, a range); part of the fingerprint.
    pub subject: String,
    /// The element's value is a secret: outputs that quote the source
    /// mask it.
    pub redact: bool,
    /// The elements of a grouped finding, highest risk first; `loc` and
    /// `subject` are the first's. Empty for a finding about one thing.
    pub elements: Vec<Element>,
    /// The rule chose the severity ([`Finding::severity`]); otherwise the
    /// engine stamps the rule's default.
    severity_chosen: bool,
    pub fingerprint: String,
}

impl Finding {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        Finding {
            code: "",
            name: "",
            severity: Severity::Info,
            message: message.into(),
            help: None,
            loc,
            label: None,
            related: vec![],
            integration: None,
            integrations: vec![],
            component: Component::None,
            subject: String::new(),
            redact: false,
            elements: vec![],
            severity_chosen: false,
            fingerprint: String::new(),
        }
    }

    pub fn component(mut self, kind: ComponentKind, name: &str) -> Self {
        self.component = Component::metadata(kind, name);
        self
    }

    pub fn integration(mut self, name: Option<&str>) -> Self {
        self.integration = name.map(str::to_owned);
        self.integrations = self.integration.iter().cloned().collect();
        self
    }

    /// The integrations concerned; the finding names the first.
    pub fn integrations(mut self, names: &[String]) -> Self {
        let mut names = names.to_vec();
        names.sort();
        names.dedup();
        self.integration = names.first().cloned();
        self.integrations = names;
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Masks the element's value wherever the source is quoted.
    pub fn redact(mut self) -> Self {
        self.redact = true;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, loc: Loc, message: impl Into<String>) -> Self {
        self.related.push(Related {
            loc,
            message: message.into(),
        });
        self
    }

    /// The elements of a grouped finding, highest risk first: the finding
    /// is located at the first, and its subject is the first's name.
    pub fn elements(mut self, elements: impl IntoIterator<Item = (String, Loc)>) -> Self {
        self.elements = elements
            .into_iter()
            .map(|(name, loc)| Element {
                name,
                loc,
                fingerprint: String::new(),
                new: None,
            })
            .collect();
        if let Some(first) = self.elements.first() {
            self.loc = first.loc;
            self.subject = first.name.clone();
        }
        self
    }

    /// The fingerprints a baseline records for this finding: one per
    /// element, or the finding's own when it has no elements.
    pub fn fingerprints(&self) -> impl Iterator<Item = &str> {
        let own = self
            .elements
            .is_empty()
            .then_some(self.fingerprint.as_str());
        self.elements
            .iter()
            .map(|e| e.fingerprint.as_str())
            .chain(own)
    }

    /// Every file the finding points at: its own, then its elements'.
    pub fn files(&self) -> impl Iterator<Item = crate::source::FileId> + '_ {
        std::iter::once(self.loc.file).chain(self.elements.iter().map(|e| e.loc.file))
    }

    /// Overrides the rule's default severity (a rule whose catalogue entry
    /// says so, e.g. "error when it spans all of IPv4").
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity_chosen = true;
        self.severity = severity;
        self
    }
}

/// Where a rule reports.
#[derive(Default)]
pub struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    pub fn push(&mut self, finding: Finding) {
        self.items.push(finding);
    }
}

/// A rule that could not run for lack of input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotEvaluated {
    pub code: &'static str,
    pub reason: String,
}

/// The result of running the rules.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Sorted by file, position, rule.
    pub findings: Vec<Finding>,
    /// Findings hidden by an exception.
    pub suppressed: usize,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Rules that crashed: a bug in minpriv, reported, exit code 2.
    pub internal_errors: Vec<String>,
    /// Per exception (config order): how many findings it hid.
    pub exception_hits: Vec<usize>,
    /// The findings exceptions hid, each with its exception's index (for
    /// the audit report's exceptions register), in rule order.
    pub hidden: Vec<(usize, Finding)>,
}

/// What the run has besides the metadata.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs {
    pub has_org_data: bool,
    /// The org snapshot holds usage logs.
    pub has_usage_logs: bool,
    /// The days the API usage logs cover.
    pub usage_window: Option<crate::usage::Window>,
}

pub fn run(cx: &Context, rules: &[&'static Rule], inputs: Inputs) -> Outcome {
    let today = cx.today;
    let mut outcome = Outcome {
        exception_hits: vec![0; cx.config.exceptions.len()],
        ..Outcome::default()
    };
    let has_inventory = !cx.config.integrations.is_empty();
    let mut runnable = vec![];
    for &rule in rules {
        let min_days = i64::from(cx.config.lint.min_usage_days);
        let missing = rule.meta.needs.iter().find_map(|need| match need {
            Need::Inventory if !has_inventory => Some(need.reason().to_owned()),
            Need::OrgData if !inputs.has_org_data => Some(need.reason().to_owned()),
            Need::UsageLogs if !inputs.has_usage_logs => Some(need.reason().to_owned()),
            Need::UsageWindow => match inputs.usage_window {
                None if inputs.has_usage_logs => Some(
                    "needs API usage logs (ApiTotalUsage, API, RestApi, BulkApi) in the org snapshot"
                        .to_owned(),
                ),
                Some(w) if w.days() < min_days => Some(format!(
                    "needs API usage logs covering at least {min_days} days (min-usage-days); the logs cover {}",
                    w.covered()
                )),
                _ => None,
            },
            _ => None,
        });
        match missing {
            Some(reason) => outcome.not_evaluated.push(NotEvaluated {
                code: rule.def.code,
                reason,
            }),
            None => runnable.push(rule),
        }
    }

    let (per_input, about_exceptions): (Vec<&'static Rule>, Vec<&'static Rule>) = runnable
        .into_iter()
        .partition(|r| matches!(r.def.check, Check::Inputs(_)));
    let results: Vec<Result<Vec<Finding>, String>> = per_input
        .par_iter()
        .map(|rule| {
            guarded(rule, |out| match rule.def.check {
                Check::Inputs(check) => check(cx, out),
                Check::Exceptions(_) => {}
            })
        })
        .collect();

    for result in results {
        match result {
            Ok(findings) => {
                for finding in findings {
                    match exception_for(cx, &finding, today) {
                        Some(i) => {
                            outcome.exception_hits[i] += 1;
                            outcome.suppressed += 1;
                            outcome.hidden.push((i, finding));
                        }
                        None => outcome.findings.push(finding),
                    }
                }
            }
            Err(e) => outcome.internal_errors.push(e),
        }
    }
    mark_suspects(cx.integrations, &mut outcome.findings);
    // The exception rules judge the exceptions themselves: they run last
    // and are never hidden by one.
    let evaluated: Vec<&'static str> = per_input.iter().map(|r| r.def.code).collect();
    let usage = ExceptionUse {
        hits: &outcome.exception_hits,
        evaluated: &evaluated,
    };
    for rule in about_exceptions {
        match guarded(rule, |out| {
            if let Check::Exceptions(check) = rule.def.check {
                check(cx, &usage, out)
            }
        }) {
            Ok(findings) => outcome.findings.extend(findings),
            Err(e) => outcome.internal_errors.push(e),
        }
    }

    let sources = &cx.org.sources;
    outcome.findings.sort_by(|a, b| {
        (
            sources.get(a.loc.file).display.as_str(),
            a.loc.span,
            a.code,
            &a.message,
        )
            .cmp(&(
                sources.get(b.loc.file).display.as_str(),
                b.loc.span,
                b.code,
                &b.message,
            ))
    });
    outcome.findings.dedup();
    outcome
}

/// Says so in every finding about suspects only (README, *Integrations*): "…;
/// suspected integration profile: its name contains `Data Loader`".
/// A finding that also concerns an integration found otherwise is left
/// as it is.
fn mark_suspects(integrations: &Integrations, findings: &mut [Finding]) {
    if integrations.list.iter().all(|i| i.suspect.is_none()) {
        return;
    }
    let suspect = |name: &str| {
        integrations
            .list
            .iter()
            .find(|i| i.name == name)
            .and_then(|i| i.suspect.as_deref())
    };
    for finding in findings {
        let Some(first) = finding.integrations.first() else {
            continue;
        };
        let Some(text) = suspect(first) else {
            continue;
        };
        if finding.integrations.iter().all(|n| suspect(n).is_some()) {
            finding.message = format!("{}; {text}", finding.message);
        }
    }
}

/// Runs one rule, turning a panic into an internal-error message.
fn guarded(rule: &'static Rule, check: impl FnOnce(&mut Findings)) -> Result<Vec<Finding>, String> {
    let mut out = Findings::default();
    crate::guard::catch(|| check(&mut out))
        .map(|()| out.items.into_iter().map(|f| stamp(f, rule)).collect())
        .map_err(|panic| {
            format!(
                "internal error: rule {} crashed ({panic}); this is a bug in minpriv, please report it with the input that caused it",
                rule.code()
            )
        })
}

fn stamp(mut f: Finding, rule: &'static Rule) -> Finding {
    if !f.severity_chosen {
        f.severity = rule.meta.severity;
    }
    f.code = rule.def.code;
    f.name = rule.meta.name.as_str();
    if f.help.is_none() {
        f.help = Some(rule.fix_hint().to_owned());
    }
    let integration = f.integration.as_deref().unwrap_or("");
    let component = f.component.to_string();
    for e in &mut f.elements {
        e.fingerprint = fingerprint_of(&[f.code, integration, &component, &e.name]);
    }
    // A grouped finding's own fingerprint is its first element's: a
    // finding with one element keeps the fingerprint it had before
    // findings were grouped.
    f.fingerprint = fingerprint_of(&[f.code, integration, &component, &f.subject]);
    f
}

/// Stable across line moves, reformatting and source/mdapi format: only
/// the rule, integration, component and subject (or element) go in.
/// 64-bit FNV-1a over the parts, each closed by a NUL, as 16 hex digits.
/// The recipe is part of the baseline format (`minpriv/v1`): changing it
/// invalidates every baseline.
pub fn fingerprint_of(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The exception that hides `finding`, if one applies and has not expired.
fn exception_for(cx: &Context, finding: &Finding, today: jiff::civil::Date) -> Option<usize> {
    let config_dir = cx.config.path.as_deref().and_then(Path::parent);
    cx.config.exceptions.iter().position(|e| {
        e.rule == finding.code
            // Scoped to one integration: only findings about that
            // integration alone (a shared profile concerns the others too).
            && e.integration
                .as_ref()
                .is_none_or(|i| finding.integrations.as_slice() == std::slice::from_ref(i))
            // A grouped finding is hidden only when the glob matches the
            // file of every element (a decomposed permission set spreads
            // them over several files).
            && e.file.as_ref().is_none_or(|glob| {
                finding.files().all(|file| {
                    let source = cx.org.sources.get(file);
                    let rel = config_dir
                        .and_then(|d| source.path.strip_prefix(d).ok())
                        .unwrap_or(&source.path);
                    glob.is_match(rel) || glob.is_match(&source.display)
                })
            })
            && e.expires.is_none_or(|d| today <= d)
    })
}
