//! The rules. Each file holds one rule: a pointer to its catalogue entry
//! (`rules/<CODE>.md`, which documents it) and its check, nothing else.
//! A new rule is a file here (with its `mod` line and its entry in
//! [`ALL`]), its entry in `rules/`, and its fixtures in
//! `testdata/rules/<CODE>/`: CONTRIBUTING.md has the checklist.
//!
//! This module is also the registry, at the top of the analysis: the
//! catalogue [`ALL`] loads ([`all`], [`find`]), selection by code, family or
//! name ([`select`]), and the rule names the inventory is checked against
//! ([`NAMES`]).

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
mod idn006;
mod idn007;
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
mod ref003;
mod use001;
mod use002;
mod use003;

use std::sync::LazyLock;

use crate::access::{Grant, Holder};
use crate::catalogue::{self, Severity};
use crate::config::RuleNames;
use crate::engine::{Context, Finding, Findings, Related, Rule, RuleDef};
use crate::ip::valid_ip_span;
use crate::model::{App, AppId, ComponentKind, Org, Profile, ProfileId};
use crate::source::{FileId, Loc, name_list};

/// Declares a rule whose documentation is `rules/<code>.md`.
macro_rules! rule {
    ($code:literal, exceptions $check:path) => {
        rule!(@def $code, $crate::engine::Check::Exceptions($check))
    };
    ($code:literal, $check:path) => {
        rule!(@def $code, $crate::engine::Check::Inputs($check))
    };
    (@def $code:literal, $check:expr) => {
        $crate::engine::RuleDef {
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
    idn006::RULE,
    idn007::RULE,
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
    ref003::RULE,
    use001::RULE,
    use002::RULE,
    use003::RULE,
];

fn load(def: &'static RuleDef) -> Result<Rule, String> {
    let (meta, body) = catalogue::entry(def.doc)?;
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
pub fn all() -> &'static [Rule] {
    &CATALOGUE
}

/// A rule by code (`NET001`) or name (`missing-login-ip-ranges`), any case.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    all().iter().find(|r| {
        r.code().eq_ignore_ascii_case(code_or_name) || r.name().eq_ignore_ascii_case(code_or_name)
    })
}

/// Whether `selector` names anything: `ALL`, a code, a family or a name.
pub fn check_selector(selector: &str) -> Result<(), String> {
    if selector.eq_ignore_ascii_case("ALL") || all().iter().any(|r| matches(r, selector)) {
        Ok(())
    } else {
        Err(format!("`{selector}` matches no rule"))
    }
}

fn matches(rule: &Rule, selector: &str) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || rule.code().eq_ignore_ascii_case(selector)
        || rule.family().eq_ignore_ascii_case(selector)
        || rule.name().eq_ignore_ascii_case(selector)
}

/// The rules a run uses: those selected (all when `select` is empty) and
/// not ignored.
pub fn select(select: &[String], ignore: &[String]) -> Result<Vec<&'static Rule>, String> {
    for s in select.iter().chain(ignore) {
        check_selector(s)?;
    }
    Ok(all()
        .iter()
        .filter(|r| select.is_empty() || select.iter().any(|s| matches(r, s)))
        .filter(|r| !ignore.iter().any(|s| matches(r, s)))
        .collect())
}

/// The registry as the inventory's rule names are checked against it.
pub const NAMES: RuleNames = RuleNames {
    check_selector,
    code_of: |name| find(name).map(|rule| rule.code().to_owned()),
};

/// Names a message lists before "and N more"; the JSON lists them all.
pub(crate) const SHOWN: usize = 5;

/// One element of a grouped finding, as a rule gathers it.
pub(crate) struct Item {
    /// What the element is: its fingerprint subject (`ModifyAllData`).
    pub name: String,
    /// How the message lists it (`Account (read, edit)`).
    pub shown: String,
    /// How a message about this element alone words it (`read, edit on
    /// Account`).
    pub detail: String,
    /// Its place in the rule's risk order: lower comes first; ties go by
    /// name.
    pub rank: u32,
    pub loc: Loc,
}

impl Item {
    pub fn new(name: impl Into<String>, rank: u32, loc: Loc) -> Item {
        let name = name.into();
        Item {
            shown: name.clone(),
            detail: name.clone(),
            name,
            rank,
            loc,
        }
    }

    /// How the message lists the element, when not by its name alone.
    pub fn shown(mut self, shown: impl Into<String>) -> Item {
        self.shown = shown.into();
        self
    }

    /// How a message about this element alone words it.
    pub fn detail(mut self, detail: impl Into<String>) -> Item {
        self.detail = detail.into();
        self
    }
}

/// What one grouped finding is about: a holder (profile, permission set,
/// group, app), the integrations it concerns, and its elements.
pub(crate) struct Group {
    pub kind: ComponentKind,
    pub name: String,
    /// Sorted.
    pub integrations: Vec<String>,
    /// Highest risk first once [`Grouped::emit`] sorts them.
    pub items: Vec<Item>,
    /// Notes beside the elements (the permission set group a grant comes
    /// through, the inventory's allowlist), each once.
    pub related: Vec<Related>,
    /// The highest severity an element asked for, when one did.
    pub severity: Option<Severity>,
}

impl Group {
    /// `ModifyAllData, ViewAllData, ManageUsers and 4 more`.
    pub fn list(&self) -> String {
        let shown: Vec<&str> = self.items.iter().map(|i| i.shown.as_str()).collect();
        name_list(&shown, SHOWN)
    }

    /// ` (integration a)`, for messages.
    pub fn users(&self) -> String {
        users_suffix(&self.integrations)
    }

    /// The element alone, when there is just one.
    pub fn single(&self) -> Option<&Item> {
        match self.items.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// `profile `X`` or `permission set `X``.
    pub fn title(&self) -> String {
        format!("{} `{}`", self.kind.label(), self.name)
    }

    pub fn add_related(&mut self, loc: Loc, message: String) {
        if !self
            .related
            .iter()
            .any(|r| r.loc == loc && r.message == message)
        {
            self.related.push(Related { loc, message });
        }
    }
}

/// One root cause, one finding: a rule adds each element it
/// finds under its holder and integrations, and gets one finding per
/// holder and set of integrations, naming every element, highest risk
/// first, located at the first, with each element's own location (and
/// fingerprint, for the baseline) in [`Finding::elements`].
#[derive(Default)]
pub(crate) struct Grouped {
    groups: std::collections::BTreeMap<(String, FileId, Vec<String>), Group>,
}

impl Grouped {
    /// Adds an element of the holder `kind`/`name` (read from `file`: two
    /// files of the same name are two holders) that concerns
    /// `integrations`; returns its group, for notes and severity.
    pub fn add(
        &mut self,
        (kind, name, file): (ComponentKind, &str, FileId),
        integrations: &[String],
        item: Item,
    ) -> &mut Group {
        let mut integrations = integrations.to_vec();
        integrations.sort();
        integrations.dedup();
        let key = (format!("{}:{name}", kind.type_name()), file, integrations);
        let group = self.groups.entry(key.clone()).or_insert_with(|| Group {
            kind,
            name: name.to_owned(),
            integrations: key.2,
            items: vec![],
            related: vec![],
            severity: None,
        });
        group.items.push(item);
        group
    }

    /// One finding per group: `message` writes it (from the sorted
    /// elements); `label` is the text under an element alone (none when
    /// empty); when there are several, each is labelled with its name.
    pub fn emit(self, out: &mut Findings, message: impl Fn(&Group) -> String, label: &str) {
        for mut group in self.groups.into_values() {
            group
                .items
                .sort_by(|a, b| (a.rank, &a.name, a.loc).cmp(&(b.rank, &b.name, b.loc)));
            // One element per name: the highest risk, then the first.
            group
                .items
                .dedup_by(|later, first| later.name == first.name);
            let message = message(&group);
            let elements: Vec<(String, Loc)> = group
                .items
                .iter()
                .map(|i| (i.name.clone(), i.loc))
                .collect();
            let label = match group.items.as_slice() {
                [_] => label,
                items => &items[0].name,
            };
            let mut finding = Finding::new(elements[0].1, message)
                .component(group.kind, &group.name)
                .integrations(&group.integrations)
                .elements(elements);
            if !label.is_empty() {
                finding = finding.label(label);
            }
            finding.related = group.related;
            if let Some(severity) = group.severity {
                finding = finding.severity(severity);
            }
            out.push(finding);
        }
    }
}

/// Findings about granting elements, gathered across integrations: an
/// element that reaches several integrations, or one integration along
/// several paths (groups), is one element, with the groups as related
/// notes; the elements of one holder that reach the same integrations are
/// one finding ([`Grouped`]).
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
    /// How a list of several elements shows it, e.g. `Account (delete)`.
    pub shown: String,
    /// Its place in the rule's risk order (see [`Item::rank`]).
    pub rank: u32,
}

impl PerGrant {
    /// Adds a grant that is the only element of its kind on its holder
    /// (a permission set's licence): `detail` says what it is.
    pub fn add(
        &mut self,
        integration: &str,
        grant: &Grant,
        subject: &str,
        detail: impl FnOnce() -> String,
    ) {
        self.add_ranked(integration, grant, subject, || {
            let detail = detail();
            (detail.clone(), detail, 0)
        });
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
            let holder = format!("{} `{name}`", kind.label());
            let users = users_suffix(&others_than(&item.integrations, name));
            let mut finding =
                Finding::new(item.grant.site.key_loc(), message(&item, &holder, &users))
                    .component(kind, name)
                    .integrations(&item.integrations)
                    .subject(&item.subject);
            for (loc, message) in group_notes(cx, &item.grant) {
                finding = finding.related(loc, message);
            }
            out.push(finding);
        }
    }

    /// Adds a grant: `describe` gives its detail, how a list shows it and
    /// its rank.
    pub fn add_ranked(
        &mut self,
        integration: &str,
        grant: &Grant,
        subject: &str,
        describe: impl FnOnce() -> (String, String, u32),
    ) {
        let key = (grant.site.file, grant.site.key, subject.to_owned());
        let entry = self.items.entry(key).or_insert_with(|| {
            let (detail, shown, rank) = describe();
            Gathered {
                grant: Grant {
                    groups: vec![],
                    direct: false,
                    ..grant.clone()
                },
                integrations: vec![],
                subject: subject.to_owned(),
                detail,
                shown,
                rank,
            }
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

    /// One finding per holder and integrations: `single(detail, holder,
    /// users)` words it when the holder has one element, `many(group)`
    /// when it has several; the location, component, integrations,
    /// elements and group notes are filled in here.
    pub fn emit_grouped(
        self,
        cx: &Context,
        out: &mut Findings,
        single: impl Fn(&str, &str, &str) -> String,
        many: impl Fn(&Group) -> String,
    ) {
        let mut grouped = Grouped::default();
        for mut item in self.items.into_values() {
            item.integrations.sort();
            item.grant.groups.sort_unstable();
            let (kind, name) = holder_name(cx, item.grant.holder);
            let file = match item.grant.holder {
                Holder::Profile(p) => cx.org.profiles[p].header.file,
                Holder::PermissionSet(s) => cx.org.permission_sets[s].header.file,
            };
            let loc = item.grant.site.key_loc();
            let group = grouped.add(
                (kind, name, file),
                &item.integrations,
                Item::new(item.subject, item.rank, loc)
                    .shown(item.shown)
                    .detail(item.detail),
            );
            for (loc, message) in group_notes(cx, &item.grant) {
                group.add_related(loc, message);
            }
        }
        grouped.emit(
            out,
            |group| match group.single() {
                Some(one) => single(&one.detail, &group.title(), &group.users()),
                None => many(group),
            },
            "",
        );
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

/// For each group a grant comes through: the group's element that names
/// the permission set, and a note saying so.
fn group_notes(cx: &Context, grant: &Grant) -> Vec<(Loc, String)> {
    let Holder::PermissionSet(s) = grant.holder else {
        return vec![];
    };
    let set = &cx.org.permission_sets[s];
    grant
        .groups
        .iter()
        .map(|&g| {
            let group = &cx.org.groups[g];
            let group_name = cx.org.name(group.header.name);
            let member = group.permission_sets.iter().find(|r| {
                r.name == set.header.name || set.label.as_deref() == Some(cx.org.name(r.name))
            });
            let loc = member.map_or(group.header.root_loc(), |r| r.loc);
            (
                loc,
                format!("reaches the user through permission set group `{group_name}`"),
            )
        })
        .collect()
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
    /// The profile as a holder for [`Grouped::add`].
    pub fn holder(&self) -> (ComponentKind, &str, FileId) {
        (ComponentKind::Profile, self.name, self.profile.header.file)
    }

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
fn profile_users(cx: &Context, profile: ProfileId) -> (Vec<String>, String) {
    let (names, _) = users(cx.integrations.names_for_profile(profile));
    let holder = cx.org.name(cx.org.profiles[profile].header.name);
    let suffix = users_suffix(&others_than(&names, holder));
    (names, suffix)
}

/// The integrations of a finding but one discovered from the holder
/// itself, which is named after it: "(integration X)" after "profile
/// `X`" says nothing.
pub(crate) fn others_than(names: &[String], holder: &str) -> Vec<String> {
    names.iter().filter(|n| *n != holder).cloned().collect()
}

/// Shared by the app rules: the integration a finding names (declared or
/// discovered, the first by name of those that list the app) and the
/// suffix that lists them all.
pub(crate) fn app_users(cx: &Context, app: AppId) -> (Vec<String>, String) {
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

    #[test]
    fn the_inventory_s_rule_names_are_checked_against_the_registry() {
        let text = "[lint]\nselect = [\"NET\", \"NOPE\"]\nignore = [\"all\"]\n\
                    [[exception]]\nrule = \"missing-login-ip-ranges\"\nreason = \"r\"\n\
                    [[exception]]\nrule = \"XYZ999\"\nreason = \"\"\n";
        let path = std::path::Path::new("minpriv.toml");
        let errors = crate::config::parse_with(path, text.to_owned(), &NAMES)
            .unwrap_err()
            .errors;
        let shown: Vec<(&str, &str, Option<&str>)> = errors
            .iter()
            .map(|e| {
                (
                    &text[e.span.unwrap().range()],
                    e.message.as_str(),
                    e.help.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "\"NOPE\"",
                    "`NOPE` matches no rule",
                    Some("use ALL, a code (NET001), a family (NET) or a rule name")
                ),
                (
                    "\"XYZ999\"",
                    "unknown rule `XYZ999`",
                    Some("`minpriv rules` lists the codes and names")
                ),
            ]
        );
        let valid = text
            .split("[[exception]]\nrule = \"XYZ999\"")
            .next()
            .unwrap();
        let valid = valid.replace(", \"NOPE\"", "");
        let config = crate::config::parse_with(path, valid, &NAMES).unwrap();
        assert_eq!(config.exceptions[0].rule, "NET001");
    }
}
