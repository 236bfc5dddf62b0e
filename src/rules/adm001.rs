//! ADM001 admin-profile — see `rules/ADM001.md`.

use super::{Grouped, Item, RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};
use crate::model::permissions::{ADMIN_PERMISSIONS, permission_risk};

pub(super) const RULE: RuleDef = rule!("ADM001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    // One finding per profile, naming every administrator permission.
    let mut found = Grouped::default();
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        // The System Administrator profile itself: one finding for the
        // profile, not one per permission it holds.
        if name == "Admin" {
            out.push(
                subject
                    .finding(
                        profile.header.root_loc(),
                        format!(
                            "integration profile `Admin` is the System Administrator profile{users}"
                        ),
                    )
                    .subject("Admin")
                    .label("System Administrator"),
            );
            continue;
        }
        for permission in profile.grants.enabled_user_permissions() {
            let permission_name = org.name(permission.name);
            if ADMIN_PERMISSIONS.contains(&permission_name) {
                found.add(
                    subject.holder(),
                    &subject.integrations,
                    Item::new(
                        permission_name,
                        permission_risk(permission_name),
                        permission.site.key_loc(),
                    ),
                );
            }
        }
    }
    found.emit(
        out,
        |group| {
            let (name, users) = (&group.name, group.users());
            match group.single() {
                Some(one) => format!(
                    "integration profile `{name}` grants the administrator permission {}{users}",
                    one.name
                ),
                None => format!(
                    "integration profile `{name}` grants {} administrator permissions: {}{users}",
                    group.items.len(),
                    group.list()
                ),
            }
        },
        "administrator permission",
    );
}
