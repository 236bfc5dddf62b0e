//! ADM001 admin-profile — see `rules/ADM001.md`.

use super::{RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};
use crate::model::permissions::ADMIN_PERMISSIONS;

pub(super) const RULE: RuleDef = rule!("ADM001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        let finding = |loc, message: String| subject.finding(loc, message);
        // The System Administrator profile itself: one finding for the
        // profile, not one per permission it holds.
        if name == "Admin" {
            out.push(
                finding(
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
                out.push(
                    finding(
                        permission.site.key_loc(),
                        format!("integration profile `{name}` grants the administrator permission {permission_name}{users}"),
                    )
                    .subject(permission_name)
                    .label("administrator permission"),
                );
            }
        }
    }
}
