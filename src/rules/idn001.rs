//! IDN001 shared-integration-user — see `rules/IDN001.md`.

use std::collections::BTreeMap;

use super::{RuleDef, rule};
use crate::engine::{Context, Finding, Findings};
use crate::integration::Origin;

pub(super) const RULE: RuleDef = rule!("IDN001", check);

fn check(cx: &Context, out: &mut Findings) {
    // Integrations per username (case-insensitive), declared ones first,
    // each list in inventory then app order.
    let mut by_user: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, integration) in cx.integrations.list.iter().enumerate() {
        if let Some(user) = integration.user_key() {
            by_user.entry(user).or_default().push(i);
        }
    }
    for (user, sharing) in by_user {
        if sharing.len() < 2 {
            continue;
        }
        let integrations: Vec<_> = sharing.iter().map(|&i| &cx.integrations.list[i]).collect();
        // The finding sits where the user is reused: the second claimant.
        let culprit = integrations[1];
        let Some(loc) = culprit.user_loc else {
            continue;
        };
        let names: Vec<&str> = integrations.iter().map(|i| i.name.as_str()).collect();
        let component = match culprit.origin {
            Origin::Declared(_) => format!("Integration:{}", culprit.name),
            Origin::App(a) => {
                let app = &cx.org.apps[a];
                format!("{}:{}", app.kind.type_name(), cx.org.name(app.name))
            }
            Origin::Snapshot(_) | Origin::Discovered(_) => format!("User:{user}"),
        };
        let mut finding = Finding::new(
            loc,
            format!(
                "user `{user}` serves {} integrations: {}",
                names.len(),
                names.join(", ")
            ),
        )
        .integration(Some(&culprit.name))
        .subject(&user)
        .label("this user already serves another integration");
        finding.component = component;
        for other in integrations.iter().filter(|i| i.name != culprit.name) {
            if let Some(loc) = other.user_loc {
                finding = finding.related(loc, format!("user of integration {}", other.name));
            }
        }
        out.push(finding);
    }
}
