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
            if !platform_owned(name) && org.permission_sets_named(name).is_empty() {
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
}
