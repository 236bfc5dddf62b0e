//! ADM002 high-risk-permission — see `rules/ADM002.md`.

use super::{PerGrant, RuleDef, rule};
use crate::access::Holder;
use crate::engine::{Context, Findings};
use crate::model::permissions::{ADMIN_PERMISSIONS, high_risk_label};

pub(super) const RULE: RuleDef = rule!("ADM002", check);

fn check(cx: &Context, out: &mut Findings) {
    let mut found = PerGrant::default();
    for (i, integration) in cx.integrations.list.iter().enumerate() {
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
                found.add(&integration.name, grant, permission, || {
                    format!("{permission} ({label})")
                });
            }
        }
    }
    found.emit(cx, out, |item, holder, users| {
        format!(
            "{holder} grants the high-risk permission {}{users}",
            item.detail
        )
    });
}
