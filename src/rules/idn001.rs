//! IDN001 shared-integration-user — see `rules/IDN001.md`.

use std::collections::BTreeMap;

use super::{RuleDef, rule};
use crate::engine::{Component, Context, Finding, Findings};
use crate::integration::Origin;
use crate::model::IntegrationId;
use crate::source::Loc;

pub(super) const RULE: RuleDef = rule!("IDN001", check);

/// An integration logging in as a user: as its own `user`, or through an
/// app it lists whose run-as user is another (IDN007 reports the mismatch
/// itself; here it counts as a second use of that user).
struct Claim {
    integration: IntegrationId,
    loc: Option<Loc>,
    component: Component,
}

fn check(cx: &Context, out: &mut Findings) {
    // Claims per username (case-insensitive), declared integrations
    // first, each list in inventory then app order.
    let mut by_user: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
    for (i, integration) in cx.integrations.list.enumerate() {
        if let Some(user) = integration.user_key() {
            let component = match integration.origin {
                Origin::Declared(_) => Component::Integration(integration.name.clone()),
                Origin::App(a) => {
                    let app = &cx.org.apps[a];
                    Component::metadata(app.kind, cx.org.name(app.name))
                }
                Origin::Snapshot(_) | Origin::Discovered(_) => Component::User(user.clone()),
            };
            by_user.entry(user).or_default().push(Claim {
                integration: i,
                loc: integration.user_loc,
                component,
            });
        }
    }
    for (i, integration) in cx.integrations.list.enumerate() {
        if !matches!(integration.origin, Origin::Declared(_)) {
            continue;
        }
        for &a in &integration.apps {
            let app = &cx.org.apps[a];
            let Some(run_as) = &app.run_as_user else {
                continue;
            };
            let key = crate::orgdata::user_key(&run_as.value);
            if Some(&key) == integration.user_key().as_ref() {
                continue;
            }
            by_user.entry(key).or_default().push(Claim {
                integration: i,
                loc: Some(run_as.loc),
                component: Component::metadata(app.kind, cx.org.name(app.name)),
            });
        }
    }
    for (user, claims) in by_user {
        let mut distinct: Vec<IntegrationId> = vec![];
        for c in &claims {
            if !distinct.contains(&c.integration) {
                distinct.push(c.integration);
            }
        }
        if distinct.len() < 2 {
            continue;
        }
        // The finding sits where the user is reused: the first claim of
        // the second integration.
        let Some(culprit) = claims.iter().find(|c| c.integration == distinct[1]) else {
            continue;
        };
        let Some(loc) = culprit.loc else {
            continue;
        };
        let name = |i: IntegrationId| cx.integrations.list[i].name.as_str();
        let names: Vec<&str> = distinct.iter().map(|&i| name(i)).collect();
        let mut finding = Finding::new(
            loc,
            format!(
                "user `{user}` serves {} integrations: {}",
                names.len(),
                names.join(", ")
            ),
        )
        .integration(Some(name(culprit.integration)))
        .subject(&user)
        .label("this user already serves another integration");
        finding.component = culprit.component.clone();
        for other in claims
            .iter()
            .filter(|c| c.integration != culprit.integration)
        {
            if let Some(loc) = other.loc {
                finding = finding.related(
                    loc,
                    format!("user of integration {}", name(other.integration)),
                );
            }
        }
        out.push(finding);
    }
}
