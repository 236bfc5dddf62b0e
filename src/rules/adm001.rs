//! ADM001 admin-profile — see `rules/ADM001.md`.

use super::{RuleDef, profile_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::ComponentKind;
use crate::model::permissions::ADMIN_PERMISSIONS;

pub(super) const RULE: RuleDef = rule!("ADM001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (p, _) in cx.integrations.profiles() {
        let profile = &org.profiles[p];
        let name = org.name(profile.header.name);
        let (integrations, users) = profile_users(cx, p);
        let finding = |loc, message: String| {
            Finding::new(loc, message)
                .component(ComponentKind::Profile, name)
                .integrations(&integrations)
        };
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
