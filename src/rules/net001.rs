//! NET001 missing-login-ip-ranges — see `rules/NET001.md`.

use super::{RuleDef, profile_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::ComponentKind;

pub(super) const RULE: RuleDef = rule!("NET001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (p, _) in cx.integrations.profiles() {
        let profile = &org.profiles[p];
        if !profile.login_ip_ranges.is_empty() {
            continue;
        }
        let name = org.name(profile.header.name);
        let (integrations, users) = profile_users(cx, p);
        out.push(
            Finding::new(
                profile.header.root_loc(),
                format!("integration profile `{name}` has no login IP ranges{users}"),
            )
            .component(ComponentKind::Profile, name)
            .integrations(&integrations)
            .label("no <loginIpRanges>"),
        );
    }
}
