//! ADM002 high-risk-permission — see `rules/ADM002.md`.

use super::{PerGrant, RuleDef, rule};
use crate::access::Holder;
use crate::engine::{Context, Findings};
use crate::model::permissions::{ADMIN_PERMISSIONS, high_risk_label, permission_risk};

pub(super) const RULE: RuleDef = rule!("ADM002", check);

fn check(cx: &Context, out: &mut Findings) {
    let mut found = PerGrant::default();
    for (i, integration) in cx.integrations.list.enumerate() {
        let allowed = integration.allowed_permissions(cx.config);
        for (&permission, grants) in &cx.access[i].system {
            let Some(label) = high_risk_label(permission) else {
                continue;
            };
            if allowed.contains(&permission) {
                continue;
            }
            for grant in grants {
                // On the profile, ADM001 already reports the System
                // Administrator profile and the administrator permissions.
                if let Holder::Profile(p) = grant.holder
                    && (ADMIN_PERMISSIONS.contains(&permission)
                        || cx.org.name(cx.org.profiles[p].header.name) == "Admin")
                {
                    continue;
                }
                found.add_ranked(&integration.name, grant, permission, || {
                    let detail = format!("{permission} ({label})");
                    (detail.clone(), detail, permission_risk(permission))
                });
            }
        }
    }
    // One finding per holder and integrations, naming every permission.
    found.emit_grouped(
        cx,
        out,
        |detail, holder, users| format!("{holder} grants the high-risk permission {detail}{users}"),
        |group| {
            format!(
                "{} grants {} high-risk permissions: {}{}",
                group.title(),
                group.items.len(),
                group.list(),
                group.users()
            )
        },
    );
}
