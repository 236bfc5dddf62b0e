//! IDN003 not-api-only — see `rules/IDN003.md`.

use super::{RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};
use crate::model::API_ONLY_PERMISSION;

pub(super) const RULE: RuleDef = rule!("IDN003", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        // On the Salesforce Integration licence, API-only access cannot be
        // switched off: a missing `ApiUserOnly` element proves nothing.
        if org.api_only_permission(&profile.grants).is_some()
            || org.has_integration_license(profile)
        {
            continue;
        }
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
            subject.finding(
                loc,
                format!("integration profile `{name}` does not grant ApiUserOnly, so its user can log in to the UI{users}"),
            )
            .subject(API_ONLY_PERMISSION)
            .label(label),
        );
    }
}
