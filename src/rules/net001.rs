//! NET001 missing-login-ip-ranges — see `rules/NET001.md`.

use super::{RuleDef, integration_profiles, rule};
use crate::engine::{Context, Findings};

pub(super) const RULE: RuleDef = rule!("NET001", check);

fn check(cx: &Context, out: &mut Findings) {
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        if !profile.login_ip_ranges.is_empty() {
            continue;
        }
        out.push(
            subject
                .finding(
                    profile.header.root_loc(),
                    format!("integration profile `{name}` has no login IP ranges{users}"),
                )
                .label("no <loginIpRanges>"),
        );
    }
}
