//! The rules. Each file holds one rule: a pointer to its catalogue entry
//! (`rules/<CODE>.md`, which documents it) and its check, nothing else.
//! A new rule is a file here, its entry in `rules/`, and a line in [`ALL`].

mod adm001;
mod adm002;
mod adm003;
mod adm004;
mod app001;
mod app002;
mod app003;
mod app004;
mod app005;
mod exc001;
mod exc002;
mod idn001;
mod idn002;
mod idn003;
mod idn004;
mod idn005;
mod lic001;
mod lic002;
mod net001;
mod net002;
mod net003;
mod net004;
mod net005;
mod org001;
mod org002;
mod org003;
mod prf001;
mod prf002;
mod prf003;
mod ref001;
mod ref002;
mod use001;
mod use002;
mod use003;

use crate::access::{Grant, Holder};
use crate::engine::{Context, ExceptionUse, Finding, Findings};
use crate::ip::IpSpan;
use crate::model::{App, ComponentKind, IpRangeEntry, Org, Profile};
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

/// Declares a rule whose documentation is `rules/<code>.md`.
macro_rules! rule {
    ($code:literal, exceptions $check:path) => {
        rule!(@def $code, $crate::rules::Check::Exceptions($check))
    };
    ($code:literal, $check:path) => {
        rule!(@def $code, $crate::rules::Check::Inputs($check))
    };
    (@def $code:literal, $check:expr) => {
        $crate::rules::RuleDef {
            code: $code,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, ".md")),
            check: $check,
        }
    };
}
pub(crate) use rule;

/// Every rule, in code order.
pub static ALL: &[RuleDef] = &[
    adm001::RULE,
    adm002::RULE,
    adm003::RULE,
    adm004::RULE,
    app001::RULE,
    app002::RULE,
    app003::RULE,
    app004::RULE,
    app005::RULE,
    exc001::RULE,
    exc002::RULE,
    idn001::RULE,
    idn002::RULE,
    idn003::RULE,
    idn004::RULE,
    idn005::RULE,
    lic001::RULE,
    lic002::RULE,
    net001::RULE,
    net002::RULE,
    net003::RULE,
    net004::RULE,
    net005::RULE,
    org001::RULE,
    org002::RULE,
    org003::RULE,
    prf001::RULE,
    prf002::RULE,
    prf003::RULE,
    ref001::RULE,
    ref002::RULE,
    use001::RULE,
    use002::RULE,
    use003::RULE,
];

/// Findings about granting elements, gathered across integrations: an
/// element that reaches several integrations, or one integration along
/// several paths (groups), gives one finding, with the groups as related
/// notes. One root cause, one finding.
#[derive(Default)]
pub(crate) struct PerGrant {
    items:
        std::collections::BTreeMap<(crate::source::FileId, crate::source::Span, String), Gathered>,
}

pub(crate) struct Gathered {
    pub grant: Grant,
    pub integrations: Vec<String>,
    pub subject: String,
    /// What the rule says about the grant, e.g. `delete on Account`.
    pub detail: String,
}

impl PerGrant {
    pub fn add(
        &mut self,
        integration: &str,
        grant: &Grant,
        subject: &str,
        detail: impl FnOnce() -> String,
    ) {
        let key = (grant.site.file, grant.site.key, subject.to_owned());
        let entry = self.items.entry(key).or_insert_with(|| Gathered {
            grant: Grant {
                groups: vec![],
                direct: false,
                ..grant.clone()
            },
            integrations: vec![],
            subject: subject.to_owned(),
            detail: detail(),
        });
        entry.grant.direct |= grant.direct;
        for g in &grant.groups {
            if !entry.grant.groups.contains(g) {
                entry.grant.groups.push(*g);
            }
        }
        if !entry.integrations.iter().any(|i| i == integration) {
            entry.integrations.push(integration.to_owned());
        }
    }

    /// One finding per element: `message(gathered, holder, users)` gives
    /// the text; the location, component, integration, subject and group
    /// notes are filled in here.
    pub fn emit(
        self,
        cx: &Context,
        out: &mut Findings,
        message: impl Fn(&Gathered, &str, &str) -> String,
    ) {
        for mut item in self.items.into_values() {
            item.integrations.sort();
            item.grant.groups.sort_unstable();
            let (kind, name) = holder_name(cx, item.grant.holder);
            let holder = match kind {
                ComponentKind::Profile => format!("profile `{name}`"),
                _ => format!("permission set `{name}`"),
            };
            let users = users_suffix(&item.integrations);
            let mut finding =
                Finding::new(item.grant.site.key_loc(), message(&item, &holder, &users))
                    .component(kind, name)
                    .integrations(&item.integrations)
                    .subject(&item.subject);
            finding = with_group_notes(cx, finding, &item.grant);
            out.push(finding);
        }
    }
}

/// The kind and name of a grant's holder.
pub(crate) fn holder_name<'a>(cx: &Context<'a>, holder: Holder) -> (ComponentKind, &'a str) {
    match holder {
        Holder::Profile(p) => (
            ComponentKind::Profile,
            cx.org.name(cx.org.profiles[p].header.name),
        ),
        Holder::PermissionSet(s) => (
            ComponentKind::PermissionSet,
            cx.org.name(cx.org.permission_sets[s].header.name),
        ),
    }
}

/// Adds, for each group a grant comes through, a note at the group's
/// element that names the permission set.
pub(crate) fn with_group_notes(cx: &Context, mut finding: Finding, grant: &Grant) -> Finding {
    let Holder::PermissionSet(s) = grant.holder else {
        return finding;
    };
    let set = &cx.org.permission_sets[s];
    for &g in &grant.groups {
        let group = &cx.org.groups[g];
        let group_name = cx.org.name(group.header.name);
        let member = group.permission_sets.iter().find(|r| {
            r.name == set.header.name || set.label.as_deref() == Some(cx.org.name(r.name))
        });
        let loc = member.map_or(group.header.root_loc(), |r| r.loc);
        finding = finding.related(
            loc,
            format!("reaches the user through permission set group `{group_name}`"),
        );
    }
    finding
}

/// The org snapshot's users that integrations log in as (index into
/// `Snapshot::users`), each with the names of those integrations, sorted:
/// rules about a user report once for all of them.
pub(crate) fn snapshot_users(cx: &Context) -> std::collections::BTreeMap<usize, Vec<String>> {
    let mut users: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for integration in &cx.integrations.list {
        if let Some(u) = integration.snapshot_user {
            users.entry(u).or_default().push(integration.name.clone());
        }
    }
    for names in users.values_mut() {
        names.sort();
    }
    users
}

/// [`users_suffix`] for the integrations of a snapshot user, leaving out
/// one discovered in the snapshot, which is named after the user.
pub(crate) fn snapshot_users_suffix(names: &[String], username: &str) -> String {
    let others: Vec<String> = names.iter().filter(|n| *n != username).cloned().collect();
    users_suffix(&others)
}

/// `a, b, c and 4 more`: the first `shown` names of a list.
pub(crate) fn name_list(names: &[&str], shown: usize) -> String {
    let mut list = names
        .iter()
        .take(shown)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = names.len().saturating_sub(shown);
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    list
}

/// ` (integration a)` or ` (integrations a, b)`.
pub(crate) fn users_suffix(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!(" (integration {one})"),
        many => format!(" (integrations {})", many.join(", ")),
    }
}

/// An integration profile, as the profile rules see it.
pub(crate) struct ProfileSubject<'a> {
    pub profile: &'a Profile,
    pub name: &'a str,
    /// The integrations that use it, sorted; a finding names the first.
    pub integrations: Vec<String>,
    /// ` (integration a)`, for messages.
    pub users: String,
}

impl ProfileSubject<'_> {
    /// A finding about this profile.
    pub fn finding(&self, loc: Loc, message: String) -> Finding {
        Finding::new(loc, message)
            .component(ComponentKind::Profile, self.name)
            .integrations(&self.integrations)
    }
}

/// Every integration profile, in file order: what the profile rules check.
pub(crate) fn integration_profiles<'a>(
    cx: &'a Context,
) -> impl Iterator<Item = ProfileSubject<'a>> {
    cx.integrations.profiles().map(|(p, _)| {
        let profile = &cx.org.profiles[p];
        let (integrations, users) = profile_users(cx, p);
        ProfileSubject {
            profile,
            name: cx.org.name(profile.header.name),
            integrations,
            users,
        }
    })
}

/// Shared by the profile rules: the integration a finding names, and the
/// suffix that lists who uses the profile.
fn profile_users(cx: &Context, profile: usize) -> (Vec<String>, String) {
    users(cx.integrations.names_for_profile(profile))
}

/// Shared by the app rules: the integration a finding names (declared or
/// discovered, the first by name of those that list the app) and the
/// suffix that lists them all.
pub(crate) fn app_users(cx: &Context, app: usize) -> (Vec<String>, String) {
    let mut names: Vec<&str> = cx
        .integrations
        .list
        .iter()
        .filter(|i| i.apps.contains(&app))
        .map(|i| i.name.as_str())
        .collect();
    names.sort_unstable();
    users(names)
}

fn users(names: Vec<&str>) -> (Vec<String>, String) {
    let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
    let suffix = users_suffix(&names);
    (names, suffix)
}

/// How messages name an app: ``connected app `Orders_Sync` ``.
pub(crate) fn app_title(org: &Org, app: &App) -> String {
    format!("{} `{}`", app.kind.label(), org.name(app.name))
}

/// A login IP range entry as addresses, when it is a valid range; NET003
/// reports the others, so the other IP rules skip them.
pub(crate) fn valid_ip_span(entry: &IpRangeEntry) -> Option<IpSpan> {
    let (start, end) = (entry.start.as_ref()?, entry.end.as_ref()?);
    IpSpan::from_bounds(&start.value, &end.value).ok()
}
