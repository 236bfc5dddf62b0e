//! PRF001 object-permissions-in-profile — see `rules/PRF001.md`.

use super::{Grouped, Item, RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};
use crate::model::ObjectAccess;

pub(super) const RULE: RuleDef = rule!("PRF001", check);

/// The risk order of object permissions: the strongest flag an entry
/// grants decides, Modify All first, then by name.
const RISK: [ObjectAccess; 6] = [
    ObjectAccess::MODIFY_ALL,
    ObjectAccess::VIEW_ALL,
    ObjectAccess::DELETE,
    ObjectAccess::EDIT,
    ObjectAccess::CREATE,
    ObjectAccess::READ,
];

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    // One finding per profile, naming every object; a repeated object is
    // one element, at its first granting entry.
    let mut found = Grouped::default();
    for subject in integration_profiles(cx) {
        for permission in &subject.profile.grants.object_permissions {
            // Entries with every flag false grant nothing.
            if permission.access.is_empty() {
                continue;
            }
            let object = org.name(permission.object);
            let words: Vec<&str> = permission.access.words().collect();
            let rank = RISK
                .iter()
                .position(|flag| permission.access.contains(*flag))
                .unwrap_or(RISK.len());
            found.add(
                subject.holder(),
                &subject.integrations,
                Item::new(object, rank as u32, permission.site.key_loc())
                    .shown(format!("{object} ({})", words.join(", ")))
                    .detail(format!("{} on {object}", words.join(", "))),
            );
        }
    }
    found.emit(
        out,
        |group| {
            let (name, users) = (&group.name, group.users());
            match group.single() {
                Some(one) => format!("integration profile `{name}` grants {}{users}", one.detail),
                None => format!(
                    "integration profile `{name}` grants object permissions on {} objects: {}{users}",
                    group.items.len(),
                    group.list()
                ),
            }
        },
        "object permissions belong in a permission set",
    );
}
