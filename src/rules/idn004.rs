//! IDN004 not-integration-license — see `rules/IDN004.md`.

use super::{RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};
use crate::model::INTEGRATION_LICENSE;

pub(super) const RULE: RuleDef = rule!("IDN004", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        if org.has_integration_license(profile) {
            continue;
        }
        let (loc, licence) = match &profile.user_license {
            Some(l) => (l.loc, format!("`{}`", org.name(l.value))),
            None => (
                profile.header.root_loc(),
                "not stated in the file".to_owned(),
            ),
        };
        out.push(
            subject.finding(
                loc,
                format!("integration profile `{name}` is not on the {INTEGRATION_LICENSE} licence (its licence is {licence}){users}"),
            )
            .label("not Salesforce Integration"),
        );
    }
}
