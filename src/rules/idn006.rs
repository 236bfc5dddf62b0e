//! IDN006 salesforce-managed-integration — see `rules/IDN006.md`.

use super::{RuleDef, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::ComponentKind;

pub(super) const RULE: RuleDef = rule!("IDN006", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (p, licence) in cx.integrations.managed_profiles.enumerate() {
        let Some(licence) = licence else {
            continue;
        };
        let profile = &org.profiles[p];
        let name = org.name(profile.header.name);
        let loc = profile
            .user_license
            .as_ref()
            .map_or(profile.header.root_loc(), |l| l.loc);
        out.push(
            Finding::new(
                loc,
                format!(
                    "profile `{name}` belongs to a Salesforce-managed integration user (licence `{licence}`): Salesforce creates and runs that user, so minpriv applies no other rule to it"
                ),
            )
            .component(ComponentKind::Profile, name)
            .subject(licence.as_str())
            .label("Salesforce-managed integration licence")
            .help(restrict(licence)),
        );
    }
    for (s, managed) in cx.integrations.managed_permission_sets.enumerate() {
        if !managed {
            continue;
        }
        let set = &org.permission_sets[s];
        let name = org.name(set.header.name);
        let loc = set
            .license
            .as_ref()
            .map_or(set.header.root_loc(), |l| l.loc);
        out.push(
            Finding::new(
                loc,
                format!(
                    "permission set `{name}` belongs to a Salesforce-managed integration user (the `sfdcInternalInt__` namespace or the `Cloud Integration User` licence): minpriv applies no other rule to it"
                ),
            )
            .component(ComponentKind::PermissionSet, name)
            .subject("managed")
            .label("Salesforce-managed integration permission set")
            .help("Salesforce assigns this set to its own internal integration users and manages its permissions: never assign it to a person or to one of your integrations; review it after each release"),
        );
    }
}

/// The documented way to restrict what a managed integration user reads.
fn restrict(licence: &str) -> String {
    match licence {
        "Analytics Cloud Integration User" => "View All Data is required on this profile and cannot be removed: limit what CRM Analytics syncs with field-level security on this profile (Setup > Profiles > Analytics Cloud Integration User > field permissions) and with the objects and fields the data sync and dataflows extract; never assign the profile to a person".to_owned(),
        _ => format!("Salesforce manages this profile's permissions for the `{licence}` user: limit the fields it reads with field-level security on this profile, switch off the feature that uses it when unused, and never assign the profile to a person or to one of your integrations"),
    }
}
