//! IDN003 not-api-only — see `rules/IDN003.md`.

use super::{RuleDef, profile_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::{API_ONLY_PERMISSION, ComponentKind};

pub(super) const RULE: RuleDef = rule!("IDN003", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (p, _) in cx.integrations.profiles() {
        let profile = &org.profiles[p];
        if org.api_only_permission(&profile.grants).is_some() {
            continue;
        }
        let name = org.name(profile.header.name);
        let (integrations, users) = profile_users(cx, p);
        // Point at an explicit `false` entry when there is one.
        let disabled = profile
            .grants
            .user_permissions
            .iter()
            .find(|u| org.name(u.name) == API_ONLY_PERMISSION);
        let (loc, label) = match disabled {
            Some(entry) => (entry.site.loc(), "ApiUserOnly is disabled here"),
            None => (profile.header.root_loc(), "no ApiUserOnly"),
        };
        out.push(
            Finding::new(
                loc,
                format!("integration profile `{name}` does not grant ApiUserOnly, so its user can log in to the UI{users}"),
            )
            .component(ComponentKind::Profile, name)
            .integrations(&integrations)
            .subject(API_ONLY_PERMISSION)
            .label(label),
        );
    }
}
