//! IDN004 not-integration-license — see `rules/IDN004.md`.

use super::{RuleDef, profile_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::{ComponentKind, INTEGRATION_LICENSE};

pub(super) const RULE: RuleDef = rule!("IDN004", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (p, _) in cx.integrations.profiles() {
        let profile = &org.profiles[p];
        if org.has_integration_license(profile) {
            continue;
        }
        let name = org.name(profile.header.name);
        let (integrations, users) = profile_users(cx, p);
        let (loc, licence) = match &profile.user_license {
            Some(l) => (l.loc, format!("`{}`", org.name(l.value))),
            None => (
                profile.header.root_loc(),
                "not stated in the file".to_owned(),
            ),
        };
        out.push(
            Finding::new(
                loc,
                format!("integration profile `{name}` is not on the {INTEGRATION_LICENSE} licence (its licence is {licence}){users}"),
            )
            .component(ComponentKind::Profile, name)
            .integrations(&integrations)
            .label("not Salesforce Integration"),
        );
    }
}
