//! PRF003 profile-grants-extra-access — see `rules/PRF003.md`.

use std::collections::BTreeMap;

use super::{RuleDef, integration_profiles, name_list, rule};
use crate::engine::{Context, Findings};
use crate::model::permissions::{PROFILE_BASELINE_PERMISSIONS, high_risk_label};
use crate::model::{AccessKind, Site};

pub(super) const RULE: RuleDef = rule!("PRF003", check);

/// The kinds of access that belong in permission sets.
const KINDS: [AccessKind; 6] = [
    AccessKind::Application,
    AccessKind::Tab,
    AccessKind::ApexClass,
    AccessKind::ApexPage,
    AccessKind::Flow,
    AccessKind::CustomPermission,
];

const SHOWN: usize = 5;

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        // One finding per kind of access, at its first element.
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
                    .entry("system permission")
                    .or_default()
                    .push((permission.site, permission_name));
            }
        }
        for (kind, mut entries) in by_kind {
            entries.sort_by_key(|(site, _)| site.span);
            let first = entries[0].0;
            let mut names: Vec<&str> = entries.iter().map(|(_, n)| *n).collect();
            names.dedup();
            let list = name_list(&names, SHOWN);
            let kinds = match (names.len(), kind.ends_with('s')) {
                (1, _) => kind.to_owned(),
                (_, true) => format!("{kind}es"),
                (_, false) => format!("{kind}s"),
            };
            out.push(
                subject
                    .finding(
                        first.key_loc(),
                        format!(
                            "integration profile `{name}` grants {} {kinds} ({list}){users}",
                            names.len()
                        ),
                    )
                    .subject(kind)
                    .label("belongs in a permission set"),
            );
        }
    }
}
