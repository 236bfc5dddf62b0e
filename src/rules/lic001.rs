//! LIC001 missing-integration-psl — see `rules/LIC001.md`.

use super::{RuleDef, rule, snapshot_users, snapshot_users_suffix};
use crate::engine::{Component, Context, Finding, Findings};
use crate::model::INTEGRATION_LICENSE;
use crate::model::permissions::INTEGRATION_PSL;
use crate::orgdata::{Assigned, User};

pub(super) const RULE: RuleDef = rule!("LIC001", check);

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    for (u, integrations) in snapshot_users(cx) {
        let user = &snapshot.users[u];
        let username = &user.username.value;
        if !user.active.value || !on_integration_licence(cx, user) {
            continue;
        }
        let held: Vec<_> = snapshot
            .assignments_of(username)
            .filter(|a| a.assigned() != Assigned::Profile)
            .collect();
        if held.is_empty()
            || snapshot
                .licences_of(username)
                .any(|l| l.is_integration_psl())
        {
            continue;
        }
        let names: Vec<String> = held
            .iter()
            .map(|a| match a.assigned() {
                Assigned::Group(g) => format!("group {g}"),
                Assigned::PermissionSet(s) => s.to_owned(),
                Assigned::Profile => String::new(),
            })
            .collect();
        let mut finding = Finding::new(
            user.username.loc,
            format!(
                "user `{username}` is on the Salesforce Integration licence and holds {} ({}), but no `{INTEGRATION_PSL}` permission set licence{}",
                match held.len() {
                    1 => "a permission set".to_owned(),
                    n => format!("{n} permission sets"),
                },
                names.join(", "),
                snapshot_users_suffix(&integrations, username)
            ),
        )
        .integrations(&integrations)
        .subject("SalesforceAPIIntegrationPsl")
        .label("no Salesforce API Integration licence assignment");
        finding.component = Component::User(username.to_lowercase());
        for a in held {
            finding = finding.related(a.loc(), "assigned here");
        }
        out.push(finding);
    }
}

/// The snapshot's licence, or failing that the licence of the profile
/// file the snapshot's profile name resolves to.
fn on_integration_licence(cx: &Context, user: &User) -> bool {
    match user.licence.value.as_deref() {
        Some(licence) => licence == INTEGRATION_LICENSE,
        None => user.profile.value.as_deref().is_some_and(|p| {
            cx.org
                .profiles_named(p)
                .into_iter()
                .any(|i| cx.org.has_integration_license(&cx.org.profiles[i]))
        }),
    }
}
