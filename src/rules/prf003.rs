//! PRF003 profile-grants-extra-access — see `rules/PRF003.md`.

use std::collections::BTreeMap;

use super::{Grouped, Item, RuleDef, integration_profiles, name_list, rule};
use crate::engine::{Context, Findings};
use crate::model::permissions::{PROFILE_BASELINE_PERMISSIONS, high_risk_label};
use crate::model::{AccessKind, Site};

pub(super) const RULE: RuleDef = rule!("PRF003", check);

/// The kinds of access that belong in permission sets, in the risk order
/// a finding lists them in (system permissions come first).
const KINDS: [AccessKind; 6] = [
    AccessKind::CustomPermission,
    AccessKind::ApexClass,
    AccessKind::ApexPage,
    AccessKind::Flow,
    AccessKind::Application,
    AccessKind::Tab,
];

const SYSTEM_PERMISSION: &str = "system permission";

/// Names listed for one kind before "and N more".
const SHOWN: usize = 5;
/// Names listed per kind when a finding lists several kinds.
const SHOWN_PER_KIND: usize = 3;

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    // One finding per profile; an element per kind of access, at its
    // first entry.
    let mut found = Grouped::default();
    for subject in integration_profiles(cx) {
        let profile = subject.profile;
        let mut by_kind: BTreeMap<&str, Vec<(Site, &str)>> = BTreeMap::new();
        for access in profile
            .grants
            .accesses
            .iter()
            .filter(|a| a.enabled && KINDS.contains(&a.kind))
        {
            by_kind
                .entry(access.kind.label())
                .or_default()
                .push((access.site, org.name(access.name)));
        }
        // High-risk permissions are ADM001's and ADM002's.
        for permission in profile.grants.enabled_user_permissions() {
            let permission_name = org.name(permission.name);
            if !PROFILE_BASELINE_PERMISSIONS.contains(&permission_name)
                && high_risk_label(permission_name).is_none()
            {
                by_kind
                    .entry(SYSTEM_PERMISSION)
                    .or_default()
                    .push((permission.site, permission_name));
            }
        }
        for (kind, mut entries) in by_kind {
            entries.sort_by_key(|(site, _)| site.span);
            let first = entries[0].0;
            let mut names: Vec<&str> = entries.iter().map(|(_, n)| *n).collect();
            names.dedup();
            let kinds = match (names.len(), kind.ends_with('s')) {
                (1, _) => kind.to_owned(),
                (_, true) => format!("{kind}es"),
                (_, false) => format!("{kind}s"),
            };
            let rank = KINDS
                .iter()
                .position(|k| k.label() == kind)
                .map_or(0, |i| i + 1);
            let n = names.len();
            found.add(
                subject.holder(),
                &subject.integrations,
                Item::new(kind, rank as u32, first.key_loc())
                    .shown(format!(
                        "{n} {kinds} ({})",
                        name_list(&names, SHOWN_PER_KIND)
                    ))
                    .detail(format!("{n} {kinds} ({})", name_list(&names, SHOWN))),
            );
        }
    }
    found.emit(
        out,
        |group| {
            let (name, users) = (&group.name, group.users());
            match group.single() {
                Some(one) => format!("integration profile `{name}` grants {}{users}", one.detail),
                None => {
                    let shown: Vec<&str> = group.items.iter().map(|i| i.shown.as_str()).collect();
                    format!(
                        "integration profile `{name}` grants access that belongs in permission sets: {}{users}",
                        shown.join("; ")
                    )
                }
            }
        },
        "belongs in a permission set",
    );
}
