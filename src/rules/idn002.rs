//! IDN002 shared-profile — see `rules/IDN002.md`.

use super::{RuleDef, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::ComponentKind;

pub(super) const RULE: RuleDef = rule!("IDN002", check);

fn check(cx: &Context, out: &mut Findings) {
    for (p, users) in cx.integrations.profiles() {
        // Integrations that share one user are one identity (IDN001's).
        let identities: std::collections::BTreeSet<_> = users
            .iter()
            .map(|&i| cx.integrations.list[i].user_key())
            .collect();
        if identities.len() < 2 {
            continue;
        }
        let profile = &cx.org.profiles[p];
        let name = cx.org.name(profile.header.name);
        let names = cx.integrations.names_for_profile(p);
        let mut finding = Finding::new(
            profile.header.root_loc(),
            format!(
                "profile `{name}` is used by {} integrations: {}",
                names.len(),
                names.join(", ")
            ),
        )
        .component(ComponentKind::Profile, name)
        .integrations(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .label("shared by several integrations");
        for &i in users {
            let integration = &cx.integrations.list[i];
            if let Some(loc) = integration.profile_loc {
                finding =
                    finding.related(loc, format!("profile of integration {}", integration.name));
            }
        }
        out.push(finding);
    }
}
