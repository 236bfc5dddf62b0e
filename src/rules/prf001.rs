//! PRF001 object-permissions-in-profile — see `rules/PRF001.md`.

use std::collections::HashSet;

use super::{RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};

pub(super) const RULE: RuleDef = rule!("PRF001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
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
                subject
                    .finding(
                        permission.site.key_loc(),
                        format!(
                            "integration profile `{name}` grants {} on {object}{users}",
                            words.join(", ")
                        ),
                    )
                    .subject(object)
                    .label("object permissions belong in a permission set"),
            );
        }
    }
}
