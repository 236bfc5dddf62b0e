//! PRF001 object-permissions-in-profile — see `rules/PRF001.md`.

use std::collections::HashSet;

use super::{RuleDef, profile_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::ComponentKind;

pub(super) const RULE: RuleDef = rule!("PRF001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (p, _) in cx.integrations.profiles() {
        let profile = &org.profiles[p];
        let name = org.name(profile.header.name);
        let (integrations, users) = profile_users(cx, p);
        let mut seen = HashSet::new();
        for permission in &profile.grants.object_permissions {
            // Entries with every flag false grant nothing; a repeated
            // object is one finding, at its first granting entry.
            if permission.access.is_empty() || !seen.insert(permission.object) {
                continue;
            }
            let object = org.name(permission.object);
            let words: Vec<&str> = permission.access.words().collect();
            out.push(
                Finding::new(
                    permission.site.key_loc(),
                    format!(
                        "integration profile `{name}` grants {} on {object}{users}",
                        words.join(", ")
                    ),
                )
                .component(ComponentKind::Profile, name)
                .integrations(&integrations)
                .subject(object)
                .label("object permissions belong in a permission set"),
            );
        }
    }
}
