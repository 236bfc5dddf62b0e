//! REF001 dangling-reference — see `rules/REF001.md`.

use super::{Grouped, Item, RuleDef, rule};
use crate::catalogue::Severity;
use crate::engine::{Context, Finding, Findings};
use crate::model::{ComponentKind, Reference};
use crate::source::FileId;

pub(super) const RULE: RuleDef = rule!("REF001", check);

/// Salesforce-owned permission sets (`force__...`) are never in metadata.
fn platform_owned(name: &str) -> bool {
    name.starts_with("force__")
}

/// The namespace of a managed package's permission set (`cadmus_core` of
/// `cadmus_core__Admin`), when the name has one.
fn package_namespace(name: &str) -> Option<&str> {
    let (namespace, rest) = name.split_once("__")?;
    let valid = !namespace.is_empty()
        && namespace.starts_with(|c: char| c.is_ascii_alphabetic())
        && namespace
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !rest.is_empty();
    valid.then_some(namespace)
}

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    // What the inventory names must exist: error.
    for integration in &cx.integrations.list {
        for missing in &integration.missing {
            out.push(
                Finding::new(
                    missing.loc,
                    format!(
                        "integration {} names the {} `{}`, which is not in the metadata",
                        integration.name,
                        missing.kind.label(),
                        missing.name
                    ),
                )
                .severity(Severity::Error)
                .integration(Some(&integration.name))
                .subject(format!("{}:{}", missing.kind.type_name(), missing.name))
                .label("no such component")
                .help("retrieve the component with the others, or fix the name in minpriv.toml (full name or label)"),
            );
        }
    }
    // A managed package's sets that groups name but the retrieve left out
    // are an incomplete picture, not an error of the org, and one root
    // cause: one finding per package, naming every set and group. By
    // namespace: (set, group, reference).
    let mut packaged: std::collections::BTreeMap<&str, Vec<(&str, &str, &Reference)>> =
        Default::default();
    // One finding per referring component, naming every missing one.
    let mut found = Grouped::default();
    let mut dangling =
        |referrer: (ComponentKind, &str, FileId), kind: ComponentKind, r: &Reference| {
            let name = org.name(r.name);
            found.add(
                referrer,
                &[],
                Item::new(format!("{}:{name}", kind.type_name()), 0, r.loc)
                    .shown(format!("{} `{name}`", kind.label())),
            );
        };
    for group in &org.groups {
        let group_name = org.name(group.header.name);
        for r in &group.permission_sets {
            let name = org.name(r.name);
            if platform_owned(name) || !org.permission_sets_named(name).is_empty() {
                continue;
            }
            if let Some(namespace) = package_namespace(name) {
                packaged
                    .entry(namespace)
                    .or_default()
                    .push((name, group_name, r));
            } else {
                dangling(
                    (
                        ComponentKind::PermissionSetGroup,
                        group_name,
                        group.header.file,
                    ),
                    ComponentKind::PermissionSet,
                    r,
                );
            }
        }
        for r in &group.muting_permission_sets {
            if org.muting_sets_named(org.name(r.name)).is_empty() {
                dangling(
                    (
                        ComponentKind::PermissionSetGroup,
                        group_name,
                        group.header.file,
                    ),
                    ComponentKind::MutingPermissionSet,
                    r,
                );
            }
        }
    }
    for app in &org.apps {
        let app_name = org.name(app.name);
        for r in &app.profiles {
            if org.profiles_named(org.name(r.name)).is_empty() {
                dangling(
                    (app.kind, app_name, app.root.file),
                    ComponentKind::Profile,
                    r,
                );
            }
        }
        for r in &app.permission_sets {
            if org.permission_sets_named(org.name(r.name)).is_empty() {
                dangling(
                    (app.kind, app_name, app.root.file),
                    ComponentKind::PermissionSet,
                    r,
                );
            }
        }
    }
    found.emit(
        out,
        |group| match group.single() {
            Some(one) => format!(
                "{} names the {}, which is not in the metadata",
                group.title(),
                one.shown
            ),
            None => format!(
                "{} names {} components that are not in the metadata: {}",
                group.title(),
                group.items.len(),
                group.list()
            ),
        },
        "no such component",
    );
    for (namespace, mut refs) in packaged {
        refs.sort_by_key(|(set, group, r)| (r.loc, *set, *group));
        let mut sets: Vec<&str> = refs.iter().map(|(set, _, _)| *set).collect();
        sets.sort_unstable();
        sets.dedup();
        let mut groups: Vec<&str> = refs.iter().map(|(_, group, _)| *group).collect();
        groups.sort_unstable();
        groups.dedup();
        let (named_by, verb) = match groups.as_slice() {
            [one] => (format!("permission set group `{one}`"), "names"),
            _ => (
                format!(
                    "{} permission set groups ({})",
                    groups.len(),
                    super::name_list(&groups, super::SHOWN)
                ),
                "name",
            ),
        };
        let what = match sets.as_slice() {
            [one] => format!(
                "permission set `{one}` of the managed package `{namespace}` is not in the metadata, so what it grants is not reviewed; {named_by} {verb} it"
            ),
            _ => format!(
                "{} permission sets of the managed package `{namespace}` are not in the metadata, so what they grant is not reviewed: {}; {named_by} {verb} them",
                sets.len(),
                super::name_list(&sets, super::SHOWN)
            ),
        };
        // An element per reference: a set newly named, or named by one more
        // group, is new to a baseline.
        let elements: Vec<(String, crate::source::Loc)> = refs
            .iter()
            .map(|(set, group, r)| {
                (
                    format!("PermissionSetGroup:{group}/PermissionSet:{set}"),
                    r.loc,
                )
            })
            .collect();
        out.push(
            Finding::new(refs[0].2.loc, what)
                .component(ComponentKind::PermissionSet, &format!("{namespace}__*"))
                .elements(elements)
                .label("managed-package set, not retrieved")
                .help(format!(
                    "retrieve the package's permission sets with the others (`sf project retrieve start --metadata \"PermissionSet:{namespace}__*\"`) so that minpriv can review what they grant"
                )),
        );
    }
}
