//! ORG003 assignment-drift — see `rules/ORG003.md`.

use super::{RuleDef, rule};
use crate::config::IntegrationDecl;
use crate::engine::{Component, Context, Finding, Findings};
use crate::integration::Integration;
use crate::model::{ComponentKind, Org, profile_full_name_for_label, profile_label_for_full_name};
use crate::orgdata::{Assigned, Snapshot};
use crate::source::Loc;

pub(super) const RULE: RuleDef = rule!("ORG003", check);

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    for integration in &cx.integrations.list {
        let (Some(decl), Some(u)) = (integration.declared(cx.config), integration.snapshot_user)
        else {
            continue;
        };
        // An inactive user is ORG001's.
        if snapshot.users[u].active.value {
            Drift {
                cx,
                snapshot,
                integration,
                decl,
                user: u,
                out: &mut *out,
            }
            .check();
        }
    }
}

struct Drift<'a, 'o> {
    cx: &'a Context<'a>,
    snapshot: &'a Snapshot,
    integration: &'a Integration,
    decl: &'a IntegrationDecl,
    user: usize,
    out: &'o mut Findings,
}

impl Drift<'_, '_> {
    fn check(&mut self) {
        let org = self.cx.org;
        let user = &self.snapshot.users[self.user];
        if let Some(actual) = &user.profile.value {
            let declared = self.decl.profile.as_ref();
            if !declared.is_some_and(|d| same_profile(org, d.get_ref(), actual)) {
                let says = match declared {
                    Some(d) => format!("declares `{}`", d.get_ref()),
                    None => "declares none".to_owned(),
                };
                let message = format!(
                    "the org gives user `{}` the profile `{actual}`, but minpriv.toml {says} for integration {}",
                    user.username.value, self.integration.name
                );
                let declared_at = declared.map_or(self.decl.name.span(), |d| d.span());
                self.extra(
                    user.profile.loc,
                    ComponentKind::Profile,
                    actual,
                    message,
                    declared_at,
                );
            }
        }

        let rows: Vec<_> = self.snapshot.assignments_of(&user.username.value).collect();
        for kind in [
            ComponentKind::PermissionSet,
            ComponentKind::PermissionSetGroup,
        ] {
            let declared = match kind {
                ComponentKind::PermissionSet => &self.decl.permission_sets,
                _ => &self.decl.permission_set_groups,
            };
            let same = |a: &str, b: &str| same_component(org, kind, a, b);
            let assigned: Vec<(&str, Loc)> = rows
                .iter()
                .filter_map(|row| match (row.assigned(), kind) {
                    (Assigned::PermissionSet(s), ComponentKind::PermissionSet)
                    | (Assigned::Group(s), ComponentKind::PermissionSetGroup) => {
                        Some((s, row.loc()))
                    }
                    _ => None,
                })
                .collect();
            let what = describe(kind);
            for (name, loc) in &assigned {
                if declared.iter().any(|d| same(d.get_ref(), name)) {
                    continue;
                }
                let unknown = match kind {
                    ComponentKind::PermissionSet => org.permission_sets_named(name).is_empty(),
                    _ => org.groups_named(name).is_empty(),
                };
                let message = format!(
                    "the org assigns the {what} `{name}` to user `{}`, but minpriv.toml does not declare it for integration {}{}",
                    user.username.value,
                    self.integration.name,
                    if unknown {
                        " (it is not in the checked metadata, so its access is unknown)"
                    } else {
                        ""
                    }
                );
                self.extra(*loc, kind, name, message, self.decl.name.span());
            }
            for d in declared {
                if assigned.iter().any(|(name, _)| same(d.get_ref(), name)) {
                    continue;
                }
                let Some(loc) = self.cx.config_loc(d.span()) else {
                    continue;
                };
                let message = format!(
                    "minpriv.toml declares the {what} `{}` for integration {}, but the org does not assign it to user `{}`",
                    d.get_ref(),
                    self.integration.name,
                    user.username.value
                );
                let mut finding = Finding::new(loc, message)
                    .integration(Some(&self.integration.name))
                    .subject(format!("{}:{}:missing", kind.type_name(), d.get_ref()))
                    .label("not assigned in the org")
                    .related(user.username.loc, "the user in the org snapshot");
                finding.component = Component::Integration(self.integration.name.clone());
                self.out.push(finding);
            }
        }
    }

    /// A finding at something the org assigns beyond the inventory, with
    /// a note at what the inventory says instead.
    fn extra(
        &mut self,
        loc: Loc,
        kind: ComponentKind,
        name: &str,
        message: String,
        declared_at: std::ops::Range<usize>,
    ) {
        let mut finding = Finding::new(loc, message)
            .component(kind, name)
            .integration(Some(&self.integration.name))
            .subject(format!("{}:{name}", kind.type_name()))
            .label("assigned in the org");
        if let Some(at) = self.cx.config_loc(declared_at) {
            finding = finding.related(
                at,
                format!("what minpriv.toml declares for {}", self.integration.name),
            );
        }
        self.out.push(finding);
    }
}

fn describe(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::PermissionSetGroup => "permission set group",
        _ => "permission set",
    }
}

/// Whether an inventory name and a snapshot name are one profile: by
/// name, by the standard-profile table, or by resolving to the same file.
fn same_profile(org: &Org, declared: &str, actual: &str) -> bool {
    declared.eq_ignore_ascii_case(actual)
        || profile_full_name_for_label(actual).is_some_and(|f| f.eq_ignore_ascii_case(declared))
        || profile_label_for_full_name(actual).is_some_and(|l| l.eq_ignore_ascii_case(declared))
        || {
            let found = org.profiles_named(actual);
            org.profiles_named(declared)
                .iter()
                .any(|p| found.contains(p))
        }
}

/// Whether two names are one permission set (or group): by API name
/// (Salesforce keeps them unique whatever the case), or by resolving to
/// the same file (the inventory may name a set by label).
fn same_component(org: &Org, kind: ComponentKind, a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    fn overlap<I: PartialEq>(a: Vec<I>, b: Vec<I>) -> bool {
        a.iter().any(|x| b.contains(x))
    }
    match kind {
        ComponentKind::PermissionSet => {
            overlap(org.permission_sets_named(a), org.permission_sets_named(b))
        }
        _ => overlap(org.groups_named(a), org.groups_named(b)),
    }
}
